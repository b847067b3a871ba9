//! The one door to WASIp1 (`wasi_snapshot_preview1`). Every call the adapter makes to the
//! runtime goes through here, as a direct import with the WASIp1 ABI. Functions return the raw
//! errno (0 = success) so callers can map it to the right WASIp2 error.
//!
//! On the host (unit tests), the same functions exist and answer `ENOSYS`, so the pure logic
//! that calls them compiles and can be tested without a runtime.

#![allow(dead_code)]

pub type Fd = u32;
pub type Errno = u16;

pub const ESUCCESS: Errno = 0;
pub const EAGAIN: Errno = 6;
pub const EBADF: Errno = 8;
pub const EINTR: Errno = 27;
pub const EINVAL: Errno = 28;
pub const ENOSYS: Errno = 52;
pub const EPIPE: Errno = 64;

pub const CLOCK_REALTIME: u32 = 0;
pub const CLOCK_MONOTONIC: u32 = 1;

pub const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub const FILETYPE_DIRECTORY: u8 = 3;

pub const EVENTTYPE_CLOCK: u8 = 0;
pub const EVENTTYPE_FD_READ: u8 = 1;
pub const EVENTTYPE_FD_WRITE: u8 = 2;

/// `__wasi_ciovec_t` / `__wasi_iovec_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Iovec {
    pub buf: *const u8,
    pub len: usize,
}

/// `__wasi_fdstat_t` (24 bytes).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Fdstat {
    pub filetype: u8,
    pub flags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
}

/// `__wasi_filestat_t` (64 bytes).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

/// `__wasi_prestat_t`: tag 0 = directory, then the name length.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Prestat {
    pub tag: u8,
    pub name_len: usize,
}

/// `__wasi_subscription_t` (48 bytes). The union is laid out for the clock case; for
/// fd_read/fd_write only the first 4 bytes (the fd) of it are used.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Subscription {
    pub userdata: u64,
    pub tag: u8,
    pub u: SubscriptionClock,
}

/// `__wasi_subscription_clock_t`; reused as fd_read/fd_write (fd in the first field's low bits).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct SubscriptionClock {
    pub id: u32,
    pub timeout: u64,
    pub precision: u64,
    pub flags: u16,
}

/// `__wasi_event_t` (32 bytes).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Event {
    pub userdata: u64,
    pub error: Errno,
    pub ty: u8,
    pub nbytes: u64,
    pub flags: u16,
}

const _: () = {
    assert!(core::mem::size_of::<Fdstat>() == 24);
    assert!(core::mem::size_of::<Filestat>() == 64);
    assert!(core::mem::size_of::<Subscription>() == 48);
    assert!(core::mem::size_of::<Event>() == 32);
};

/// Declares errno-returning WASIp1 imports; on the host each answers `ENOSYS`.
macro_rules! p1_imports {
    ($( fn $name:ident($($arg:ident: $ty:ty),*) -> Errno; )*) => {
        #[cfg(target_os = "wasi")]
        mod raw {
            #[allow(unused_imports)]
            use super::*;
            #[link(wasm_import_module = "wasi_snapshot_preview1")]
            unsafe extern "C" {
                $( pub fn $name($($arg: $ty),*) -> Errno; )*
                pub fn proc_exit(code: u32) -> !;
            }
        }
        #[cfg(not(target_os = "wasi"))]
        mod raw {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[allow(unused_variables)]
                pub unsafe fn $name($($arg: $ty),*) -> Errno { ENOSYS }
            )*
            pub unsafe fn proc_exit(code: u32) -> ! { panic!("proc_exit({code}) on the host") }
        }
    };
}

p1_imports! {
    fn args_sizes_get(argc: *mut usize, buf_size: *mut usize) -> Errno;
    fn args_get(argv: *mut *mut u8, buf: *mut u8) -> Errno;
    fn environ_sizes_get(count: *mut usize, buf_size: *mut usize) -> Errno;
    fn environ_get(environ: *mut *mut u8, buf: *mut u8) -> Errno;
    fn clock_res_get(id: u32, res: *mut u64) -> Errno;
    fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> Errno;
    fn fd_close(fd: Fd) -> Errno;
    fn fd_fdstat_get(fd: Fd, stat: *mut Fdstat) -> Errno;
    fn fd_filestat_get(fd: Fd, stat: *mut Filestat) -> Errno;
    fn fd_prestat_get(fd: Fd, stat: *mut Prestat) -> Errno;
    fn fd_prestat_dir_name(fd: Fd, path: *mut u8, len: usize) -> Errno;
    fn fd_read(fd: Fd, iovs: *const Iovec, n: usize, nread: *mut usize) -> Errno;
    fn fd_write(fd: Fd, iovs: *const Iovec, n: usize, nwritten: *mut usize) -> Errno;
    fn poll_oneoff(subs: *const Subscription, events: *mut Event, n: usize, nevents: *mut usize) -> Errno;
    fn random_get(buf: *mut u8, len: usize) -> Errno;
}

fn result(e: Errno) -> Result<(), Errno> {
    if e == ESUCCESS { Ok(()) } else { Err(e) }
}

pub fn clock_now(id: u32) -> Result<u64, Errno> {
    let mut t = 0u64;
    result(unsafe { raw::clock_time_get(id, 1, &mut t) }).map(|()| t)
}

pub fn clock_res(id: u32) -> Result<u64, Errno> {
    let mut t = 0u64;
    result(unsafe { raw::clock_res_get(id, &mut t) }).map(|()| t)
}

/// One `fd_read` into `buf`; returns the bytes read (0 = end of input).
pub fn read(fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
    let iov = Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
    let mut n = 0usize;
    loop {
        match unsafe { raw::fd_read(fd, &iov, 1, &mut n) } {
            ESUCCESS => return Ok(n),
            EINTR => continue,
            e => return Err(e),
        }
    }
}

/// Writes all of `buf`, completing short writes; returns the first error.
pub fn write_all(fd: Fd, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        let iov = Iovec { buf: buf.as_ptr(), len: buf.len() };
        let mut n = 0usize;
        match unsafe { raw::fd_write(fd, &iov, 1, &mut n) } {
            ESUCCESS if n == 0 => return Err(EPIPE),
            ESUCCESS => buf = &buf[n.min(buf.len())..],
            EINTR | EAGAIN => continue,
            e => return Err(e),
        }
    }
    Ok(())
}

pub fn fdstat(fd: Fd) -> Result<Fdstat, Errno> {
    let mut s = Fdstat::default();
    result(unsafe { raw::fd_fdstat_get(fd, &mut s) }).map(|()| s)
}

pub fn filestat(fd: Fd) -> Result<Filestat, Errno> {
    let mut s = Filestat::default();
    result(unsafe { raw::fd_filestat_get(fd, &mut s) }).map(|()| s)
}

pub fn prestat(fd: Fd) -> Result<Prestat, Errno> {
    let mut s = Prestat::default();
    result(unsafe { raw::fd_prestat_get(fd, &mut s) }).map(|()| s)
}

pub fn prestat_dir_name(fd: Fd, buf: &mut [u8]) -> Result<(), Errno> {
    result(unsafe { raw::fd_prestat_dir_name(fd, buf.as_mut_ptr(), buf.len()) })
}

pub fn close(fd: Fd) -> Result<(), Errno> {
    result(unsafe { raw::fd_close(fd) })
}

/// `poll_oneoff`. Callers guarantee at least one subscription (WAMR hangs on zero).
pub fn poll(subs: &[Subscription], events: &mut [Event]) -> Result<usize, Errno> {
    debug_assert!(!subs.is_empty() && events.len() >= subs.len());
    let mut n = 0usize;
    result(unsafe { raw::poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), subs.len(), &mut n) })
        .map(|()| n)
}

pub fn random(buf: &mut [u8]) -> Result<(), Errno> {
    if buf.is_empty() {
        return Ok(());
    }
    result(unsafe { raw::random_get(buf.as_mut_ptr(), buf.len()) })
}

/// (count, total bytes) of the arguments or of the environment.
pub fn sizes(environment: bool) -> Result<(usize, usize), Errno> {
    let (mut c, mut b) = (0usize, 0usize);
    let e = unsafe {
        if environment { raw::environ_sizes_get(&mut c, &mut b) } else { raw::args_sizes_get(&mut c, &mut b) }
    };
    result(e).map(|()| (c, b))
}

/// Fills `ptrs` (count entries) and `buf` (total bytes) with the arguments or environment.
pub fn strings(environment: bool, ptrs: *mut *mut u8, buf: *mut u8) -> Result<(), Errno> {
    result(unsafe { if environment { raw::environ_get(ptrs, buf) } else { raw::args_get(ptrs, buf) } })
}

pub fn exit(code: u32) -> ! {
    unsafe { raw::proc_exit(code) }
}
