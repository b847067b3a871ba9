//! The one door to WASIp1 (`wasi_snapshot_preview1`). Every call the adapter makes to the
//! runtime goes through here, as a direct import with the WASIp1 ABI. Functions return the raw
//! errno (0 = success) so callers can map it to the right WASIp2 error.
//!
//! On the host (unit tests), the same functions exist and answer `ENOSYS`, so the pure logic
//! that calls them compiles and can be tested without a runtime.



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

pub const ENOENT: Errno = 44;
pub const ENOTCAPABLE: Errno = 76;

pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

pub const OFLAGS_CREAT: u16 = 1;
pub const OFLAGS_DIRECTORY: u16 = 2;
pub const OFLAGS_EXCL: u16 = 4;
pub const OFLAGS_TRUNC: u16 = 8;

pub const FSTFLAGS_ATIM: u16 = 1;
pub const FSTFLAGS_ATIM_NOW: u16 = 2;
pub const FSTFLAGS_MTIM: u16 = 4;
pub const FSTFLAGS_MTIM_NOW: u16 = 8;

/// WASIp1 rights (bit positions of the snapshot-1 `rights` flags).
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    /// Every right up to `sock_accept` (bit 29). wasmtime traps on higher bits.
    pub const ALL: u64 = (1 << 30) - 1;
    /// The rights runtimes take as "open for writing" (WAMR opens `O_WRONLY`/`O_RDWR` for
    /// them, which fails with EISDIR on a directory).
    pub const WRITE: u64 = FD_DATASYNC | FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE;
    /// The rights runtimes take as "open for reading".
    pub const READ: u64 = FD_READ | FD_READDIR;
}

/// A `__wasi_dirent_t` header (24 bytes), followed in the buffer by `namlen` name bytes.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Dirent {
    pub next: u64,
    pub ino: u64,
    pub namlen: u32,
    pub ty: u8,
}

impl Dirent {
    /// The header's 24 bytes as WASIp1 lays them out, its padding zero (the struct written
    /// whole would leave those 3 bytes uninitialised).
    pub fn bytes(&self) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[..8].copy_from_slice(&self.next.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16..20].copy_from_slice(&self.namlen.to_le_bytes());
        b[20] = self.ty;
        b
    }
}

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
    assert!(core::mem::size_of::<Dirent>() == 24);
    assert!(core::mem::size_of::<Fdstat>() == 24);
    assert!(core::mem::size_of::<Filestat>() == 64);
    assert!(core::mem::size_of::<Subscription>() == 48);
    assert!(core::mem::size_of::<Event>() == 32);
};

/// Declares errno-returning WASIp1 imports in module `$m`; on the host each answers `ENOSYS`.
///
/// The adapter imports WASIp1 under the private module name
/// `wasip2-on-wasip1:wasi_snapshot_preview1`, which the linker's post-link step renames to
/// `wasi_snapshot_preview1`: `wasm-ld` merges imports of the same (module, name), and a program
/// that imports WASIp1 itself (Rust std before 1.94) has its imports served by the adapter
/// (`crate::preview1`), so the two must stay apart until the link is done.
macro_rules! p1_imports {
    ($m:ident; $( fn $name:ident($($arg:ident: $ty:ty),*) -> Errno; )*) => {
        #[cfg(target_os = "wasi")]
        pub(crate) mod $m {
            #[allow(unused_imports)]
            use super::*;
            #[link(wasm_import_module = "wasip2-on-wasip1:wasi_snapshot_preview1")]
            unsafe extern "C" {
                $( pub fn $name($($arg: $ty),*) -> Errno; )*
            }
        }
        #[cfg(not(target_os = "wasi"))]
        #[allow(dead_code)]
        pub(crate) mod $m {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[allow(unused_variables, clippy::too_many_arguments)]
                pub unsafe fn $name($($arg: $ty),*) -> Errno { ENOSYS }
            )*
        }
    };
}

#[cfg(target_os = "wasi")]
mod exit_raw {
    #[link(wasm_import_module = "wasip2-on-wasip1:wasi_snapshot_preview1")]
    unsafe extern "C" {
        pub fn proc_exit(code: u32) -> !;
    }
}
#[cfg(not(target_os = "wasi"))]
mod exit_raw {
    pub unsafe fn proc_exit(code: u32) -> ! {
        panic!("proc_exit({code}) on the host")
    }
}

p1_imports! { raw;
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
    fn fd_advise(fd: Fd, offset: u64, len: u64, advice: u8) -> Errno;
    fn fd_datasync(fd: Fd) -> Errno;
    fn fd_sync(fd: Fd) -> Errno;
    fn fd_filestat_set_size(fd: Fd, size: u64) -> Errno;
    fn fd_filestat_set_times(fd: Fd, atim: u64, mtim: u64, flags: u16) -> Errno;
    fn fd_pread(fd: Fd, iovs: *const Iovec, n: usize, offset: u64, nread: *mut usize) -> Errno;
    fn fd_pwrite(fd: Fd, iovs: *const Iovec, n: usize, offset: u64, nwritten: *mut usize) -> Errno;
    fn fd_readdir(fd: Fd, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) -> Errno;
    fn path_create_directory(fd: Fd, path: *const u8, len: usize) -> Errno;
    fn path_filestat_get(fd: Fd, flags: u32, path: *const u8, len: usize, stat: *mut Filestat) -> Errno;
    fn path_filestat_set_times(fd: Fd, flags: u32, path: *const u8, len: usize, atim: u64, mtim: u64, fst: u16) -> Errno;
    fn path_link(old_fd: Fd, old_flags: u32, old: *const u8, old_len: usize, new_fd: Fd, new: *const u8, new_len: usize) -> Errno;
    fn path_open(fd: Fd, dirflags: u32, path: *const u8, len: usize, oflags: u16, base: u64, inheriting: u64, fdflags: u16, out: *mut Fd) -> Errno;
    fn path_readlink(fd: Fd, path: *const u8, len: usize, buf: *mut u8, buf_len: usize, used: *mut usize) -> Errno;
    fn path_remove_directory(fd: Fd, path: *const u8, len: usize) -> Errno;
    fn path_rename(fd: Fd, old: *const u8, old_len: usize, new_fd: Fd, new: *const u8, new_len: usize) -> Errno;
    fn path_symlink(old: *const u8, old_len: usize, fd: Fd, new: *const u8, new_len: usize) -> Errno;
    fn path_unlink_file(fd: Fd, path: *const u8, len: usize) -> Errno;
}

// The rest of WASIp1, used only to serve a program's own WASIp1 imports (`crate::preview1`).
p1_imports! { raw_more;
    fn fd_allocate(fd: Fd, offset: u64, len: u64) -> Errno;
    fn fd_fdstat_set_flags(fd: Fd, flags: u16) -> Errno;
    fn fd_seek(fd: Fd, offset: i64, whence: u8, new: *mut u64) -> Errno;
    fn fd_tell(fd: Fd, offset: *mut u64) -> Errno;
}

fn result(e: Errno) -> Result<(), Errno> {
    if e == ESUCCESS { Ok(()) } else { Err(e) }
}

/// A WASIp1 call that writes its result through a pointer: the result, on success.
#[inline(always)]
fn out<T: Default>(call: impl FnOnce(&mut T) -> Errno) -> Result<T, Errno> {
    let mut v = T::default();
    result(call(&mut v)).map(|()| v)
}

pub fn clock_now(id: u32) -> Result<u64, Errno> {
    let mut t = 0u64;
    clock_now_into(id, &mut t).map(|()| t)
}

/// `clock_time_get` straight into `t` (which is undefined after a failure).
#[inline(always)]
pub fn clock_now_into(id: u32, t: &mut u64) -> Result<(), Errno> {
    result(unsafe { raw::clock_time_get(id, 1, t) })
}

pub fn clock_res(id: u32) -> Result<u64, Errno> {
    out(|t| unsafe { raw::clock_res_get(id, t) })
}

/// The iovec and count word of a single-buffer `fd_read`/`fd_write`/`fd_pread`/`fd_pwrite`.
/// A static rather than locals, so that the hot I/O paths need no shadow-stack frame (an
/// interpreter pays for every instruction of one). Never kept across a call: each function
/// below fills it, makes one WASIp1 call and reads the count back.
#[repr(C)]
#[derive(Clone, Copy)]
struct IoCell {
    iov: Iovec,
    n: usize,
}

// A `StateValue`: reached through its raw pointer only, so no reference to it can alias.
crate::instance_value!(io_cell: IoCell = IoCell { iov: Iovec { buf: core::ptr::null(), len: 0 }, n: 0 });

/// Runs one single-buffer WASIp1 I/O call on `buf`, retrying on EINTR; returns the count.
#[inline(always)]
fn io_once(buf: *const u8, len: usize, call: impl Fn(*const Iovec, *mut usize) -> Errno) -> Result<usize, Errno> {
    let c = io_cell().as_ptr();
    // SAFETY: the cell's own storage, written and read through raw pointers only.
    unsafe { (*c).iov = Iovec { buf, len } };
    loop {
        // SAFETY: as above; the call writes the count into the cell.
        match call(unsafe { &raw const (*c).iov }, unsafe { &raw mut (*c).n }) {
            ESUCCESS => return Ok(unsafe { (*c).n }),
            EINTR => continue,
            e => return Err(e),
        }
    }
}

/// One `fd_read` into `buf`; returns the bytes read (0 = end of input).
pub fn read(fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
    io_once(buf.as_mut_ptr(), buf.len(), |iov, n| unsafe { raw::fd_read(fd, iov, 1, n) })
}

/// Writes all of `buf`, completing short writes; returns the first error.
pub fn write_all(fd: Fd, buf: &[u8]) -> Result<(), Errno> {
    all(buf, |b| io_once(b.as_ptr(), b.len(), |iov, n| unsafe { raw::fd_write(fd, iov, 1, n) }))
}

/// One `fd_write` of `buf`; returns the bytes written (a non-blocking socket may take fewer,
/// or fail with EAGAIN).
pub fn write_once(fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
    io_once(buf.as_ptr(), buf.len(), |iov, n| unsafe { raw::fd_write(fd, iov, 1, n) })
}

/// Completes a write of `buf` by calling `once` on what is left until all is written. A write
/// of nothing that did not fail is a closed pipe; EAGAIN is retried.
#[inline(always)]
fn all(mut buf: &[u8], mut once: impl FnMut(&[u8]) -> Result<usize, Errno>) -> Result<(), Errno> {
    while !buf.is_empty() {
        match once(buf) {
            Ok(0) => return Err(EPIPE),
            Ok(n) => buf = &buf[n.min(buf.len())..],
            Err(EAGAIN) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub fn fdstat(fd: Fd) -> Result<Fdstat, Errno> {
    out(|s| unsafe { raw::fd_fdstat_get(fd, s) })
}

pub fn filestat(fd: Fd) -> Result<Filestat, Errno> {
    out(|s| unsafe { raw::fd_filestat_get(fd, s) })
}

pub fn prestat(fd: Fd) -> Result<Prestat, Errno> {
    out(|s| unsafe { raw::fd_prestat_get(fd, s) })
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

/// A path argument: `(ptr, len)`.
fn path(p: &[u8]) -> (*const u8, usize) {
    (p.as_ptr(), p.len())
}

/// One `fd_pread` at `offset` into `buf`; returns the bytes read (0 = end of file).
#[inline(always)]
pub fn pread(fd: Fd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
    io_once(buf.as_mut_ptr(), buf.len(), |iov, n| unsafe { raw::fd_pread(fd, iov, 1, offset, n) })
}

/// One `fd_pwrite` of `buf` at `offset`; returns the bytes written.
#[inline(always)]
pub fn pwrite_once(fd: Fd, buf: &[u8], offset: u64) -> Result<usize, Errno> {
    io_once(buf.as_ptr(), buf.len(), |iov, n| unsafe { raw::fd_pwrite(fd, iov, 1, offset, n) })
}

/// Writes all of `buf` at `offset`, completing short writes.
pub fn pwrite_all(fd: Fd, buf: &[u8], offset: u64) -> Result<(), Errno> {
    let start = buf.as_ptr() as usize;
    all(buf, |b| {
        let at = offset + (b.as_ptr() as usize - start) as u64;
        pwrite_once(fd, b, at)
    })
}

pub fn advise(fd: Fd, offset: u64, len: u64, advice: u8) -> Result<(), Errno> {
    result(unsafe { raw::fd_advise(fd, offset, len, advice) })
}

pub fn datasync(fd: Fd) -> Result<(), Errno> {
    result(unsafe { raw::fd_datasync(fd) })
}

pub fn sync(fd: Fd) -> Result<(), Errno> {
    result(unsafe { raw::fd_sync(fd) })
}

pub fn set_size(fd: Fd, size: u64) -> Result<(), Errno> {
    result(unsafe { raw::fd_filestat_set_size(fd, size) })
}

pub fn set_times(fd: Fd, atim: u64, mtim: u64, flags: u16) -> Result<(), Errno> {
    result(unsafe { raw::fd_filestat_set_times(fd, atim, mtim, flags) })
}

/// `fd_readdir` from `cookie` into `buf`; returns the bytes used.
pub fn readdir(fd: Fd, buf: &mut [u8], cookie: u64) -> Result<usize, Errno> {
    out(|used| unsafe { raw::fd_readdir(fd, buf.as_mut_ptr(), buf.len(), cookie, used) })
}

pub fn create_directory(fd: Fd, p: &[u8]) -> Result<(), Errno> {
    let (ptr, len) = path(p);
    result(unsafe { raw::path_create_directory(fd, ptr, len) })
}

pub fn path_filestat(fd: Fd, flags: u32, p: &[u8]) -> Result<Filestat, Errno> {
    let (ptr, len) = path(p);
    out(|s| unsafe { raw::path_filestat_get(fd, flags, ptr, len, s) })
}

pub fn path_set_times(fd: Fd, flags: u32, p: &[u8], atim: u64, mtim: u64, fst: u16) -> Result<(), Errno> {
    let (ptr, len) = path(p);
    result(unsafe { raw::path_filestat_set_times(fd, flags, ptr, len, atim, mtim, fst) })
}

pub fn link(old_fd: Fd, old_flags: u32, old: &[u8], new_fd: Fd, new: &[u8]) -> Result<(), Errno> {
    result(unsafe { raw::path_link(old_fd, old_flags, old.as_ptr(), old.len(), new_fd, new.as_ptr(), new.len()) })
}

#[allow(clippy::too_many_arguments)]
pub fn open(fd: Fd, dirflags: u32, p: &[u8], oflags: u16, base: u64, inheriting: u64, fdflags: u16) -> Result<Fd, Errno> {
    let (ptr, len) = path(p);
    out(|new| unsafe { raw::path_open(fd, dirflags, ptr, len, oflags, base, inheriting, fdflags, new) })
}

/// `path_readlink` into `buf`; returns the bytes used.
pub fn readlink(fd: Fd, p: &[u8], buf: &mut [u8]) -> Result<usize, Errno> {
    let (ptr, len) = path(p);
    out(|used| unsafe { raw::path_readlink(fd, ptr, len, buf.as_mut_ptr(), buf.len(), used) })
}

pub fn remove_directory(fd: Fd, p: &[u8]) -> Result<(), Errno> {
    let (ptr, len) = path(p);
    result(unsafe { raw::path_remove_directory(fd, ptr, len) })
}

pub fn rename(fd: Fd, old: &[u8], new_fd: Fd, new: &[u8]) -> Result<(), Errno> {
    result(unsafe { raw::path_rename(fd, old.as_ptr(), old.len(), new_fd, new.as_ptr(), new.len()) })
}

pub fn symlink(old: &[u8], fd: Fd, new: &[u8]) -> Result<(), Errno> {
    result(unsafe { raw::path_symlink(old.as_ptr(), old.len(), fd, new.as_ptr(), new.len()) })
}

pub fn unlink_file(fd: Fd, p: &[u8]) -> Result<(), Errno> {
    let (ptr, len) = path(p);
    result(unsafe { raw::path_unlink_file(fd, ptr, len) })
}

pub fn exit(code: u32) -> ! {
    unsafe { exit_raw::proc_exit(code) }
}

/// WAMR's socket extension to `wasi_snapshot_preview1` (`wasi_socket_ext.h`), imported only
/// by the WAMR build. Layouts from WAMR's `platform_wasi_types.h`.
#[cfg(feature = "wamr")]
pub mod sock {
    use super::*;

    /// `__wasi_addr_t` (24 bytes): kind (0 IPv4, 1 IPv6) then the address. IPv4: octets at
    /// 4..8, port at 8. IPv6: eight 16-bit segments (first segment first, host order) at
    /// 4..20, port at 20. Ports in host byte order.
    #[repr(C)]
    #[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
    pub struct WasiAddr {
        pub kind: u32,
        pub bytes: [u8; 20],
    }

    /// `__wasi_addr_info_t`: an address and its socket type (28 bytes).
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    pub struct AddrInfo {
        pub addr: WasiAddr,
        pub ty: i32,
    }

    /// `__wasi_addr_info_hints_t`.
    #[repr(C)]
    pub struct AddrInfoHints {
        pub ty: i32,
        pub family: i32,
        pub enabled: u8,
    }

    const _: () = {
        assert!(core::mem::size_of::<WasiAddr>() == 24);
        assert!(core::mem::size_of::<AddrInfo>() == 28);
    };

    pub const SOCKET_DGRAM: i32 = 0;
    pub const SOCKET_STREAM: i32 = 1;

    p1_imports! { sock_raw;
        fn sock_open(pool: Fd, af: i32, ty: i32, out: *mut Fd) -> Errno;
        fn sock_bind(fd: Fd, addr: *const WasiAddr) -> Errno;
        fn sock_connect(fd: Fd, addr: *const WasiAddr) -> Errno;
        fn sock_listen(fd: Fd, backlog: u32) -> Errno;
        fn sock_accept(fd: Fd, flags: u32, out: *mut Fd) -> Errno;
        fn sock_addr_local(fd: Fd, addr: *mut WasiAddr) -> Errno;
        fn sock_addr_remote(fd: Fd, addr: *mut WasiAddr) -> Errno;
        fn sock_addr_resolve(host: *const u8, service: *const u8, hints: *const AddrInfoHints, out: *mut AddrInfo, size: u32, max: *mut u32) -> Errno;
        fn sock_recv_from(fd: Fd, iovs: *const Iovec, n: u32, flags: u32, from: *mut WasiAddr, got: *mut u32) -> Errno;
        fn sock_send_to(fd: Fd, iovs: *const Iovec, n: u32, flags: u32, to: *const WasiAddr, sent: *mut u32) -> Errno;
        fn sock_shutdown(fd: Fd, how: u32) -> Errno;
        fn sock_set_linger(fd: Fd, on: u32, secs: i32) -> Errno;
        fn sock_set_reuse_addr(fd: Fd, on: u32) -> Errno;
        fn sock_set_ipv6_only(fd: Fd, on: u32) -> Errno;
        fn sock_get_keep_alive(fd: Fd, on: *mut u8) -> Errno;
        fn sock_set_keep_alive(fd: Fd, on: u32) -> Errno;
        fn sock_get_tcp_keep_idle(fd: Fd, secs: *mut u32) -> Errno;
        fn sock_set_tcp_keep_idle(fd: Fd, secs: u32) -> Errno;
        fn sock_get_tcp_keep_intvl(fd: Fd, secs: *mut u32) -> Errno;
        fn sock_set_tcp_keep_intvl(fd: Fd, secs: u32) -> Errno;
        fn sock_get_ip_ttl(fd: Fd, ttl: *mut u8) -> Errno;
        fn sock_set_ip_ttl(fd: Fd, ttl: u32) -> Errno;
        fn sock_get_recv_buf_size(fd: Fd, size: *mut u64) -> Errno;
        fn sock_set_recv_buf_size(fd: Fd, size: u32) -> Errno;
        fn sock_get_send_buf_size(fd: Fd, size: *mut u64) -> Errno;
        fn sock_set_send_buf_size(fd: Fd, size: u32) -> Errno;
        // Standard WASIp1, used on WAMR's sockets only (to make them non-blocking).
        fn fd_fdstat_set_flags(fd: Fd, flags: u16) -> Errno;
    }
    /// `__WASI_FDFLAGS_NONBLOCK`.
    const FDFLAGS_NONBLOCK: u16 = 4;
    pub const EINPROGRESS: Errno = 26;

    // Safe wrappers: each passes only references to values it owns or borrows for the call.

    /// `sock_open` from the default pool (fd 0): an IPv4 or IPv6 socket of type `ty`.
    pub fn open(ipv6: bool, ty: i32) -> Result<Fd, Errno> {
        out(|fd| unsafe { sock_raw::sock_open(0, ipv6 as i32, ty, fd) })
    }

    /// Makes `fd` non-blocking (`fd_fdstat_set_flags`).
    pub fn set_nonblocking(fd: Fd) -> Result<(), Errno> {
        result(unsafe { sock_raw::fd_fdstat_set_flags(fd, FDFLAGS_NONBLOCK) })
    }

    pub fn bind(fd: Fd, addr: &WasiAddr) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_bind(fd, addr) })
    }

    pub fn connect(fd: Fd, addr: &WasiAddr) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_connect(fd, addr) })
    }

    pub fn listen(fd: Fd, backlog: u32) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_listen(fd, backlog) })
    }

    /// `sock_accept` (no flags): the new connection's fd.
    pub fn accept(fd: Fd) -> Result<Fd, Errno> {
        out(|new| unsafe { sock_raw::sock_accept(fd, 0, new) })
    }

    pub fn addr_local(fd: Fd) -> Result<WasiAddr, Errno> {
        out(|w| unsafe { sock_raw::sock_addr_local(fd, w) })
    }

    pub fn addr_remote(fd: Fd) -> Result<WasiAddr, Errno> {
        out(|w| unsafe { sock_raw::sock_addr_remote(fd, w) })
    }

    /// `sock_addr_resolve` of the NUL-terminated `host` (no service) into `out`; returns how
    /// many addresses the host has (possibly more than `out` holds).
    pub fn addr_resolve(host: &core::ffi::CStr, hints: &AddrInfoHints, out: &mut [AddrInfo]) -> Result<u32, Errno> {
        let mut max = 0u32;
        let size = u32::try_from(out.len()).unwrap_or(u32::MAX);
        result(unsafe {
            sock_raw::sock_addr_resolve(host.as_ptr() as *const u8, c"".as_ptr() as *const u8, hints, out.as_mut_ptr(), size, &mut max)
        })
        .map(|()| max)
    }

    /// One datagram into `buf` (truncated to it): its length and sender.
    pub fn recv_from(fd: Fd, buf: &mut [u8]) -> Result<(usize, WasiAddr), Errno> {
        let iov = Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
        let (mut from, mut n) = (WasiAddr::default(), 0u32);
        result(unsafe { sock_raw::sock_recv_from(fd, &iov, 1, 0, &mut from, &mut n) }).map(|()| ((n as usize).min(buf.len()), from))
    }

    /// One datagram of `data` to `to`; returns the bytes sent.
    pub fn send_to(fd: Fd, data: &[u8], to: &WasiAddr) -> Result<usize, Errno> {
        let iov = Iovec { buf: data.as_ptr(), len: data.len() };
        let mut n = 0u32;
        result(unsafe { sock_raw::sock_send_to(fd, &iov, 1, 0, to, &mut n) }).map(|()| n as usize)
    }

    /// `sock_shutdown` of both directions (WAMR ignores the direction anyway).
    pub fn shutdown_both(fd: Fd) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_shutdown(fd, 3) })
    }

    pub fn set_linger(fd: Fd, on: bool, secs: i32) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_set_linger(fd, on as u32, secs) })
    }

    pub fn set_reuse_addr(fd: Fd, on: bool) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_set_reuse_addr(fd, on as u32) })
    }

    pub fn set_ipv6_only(fd: Fd, on: bool) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_set_ipv6_only(fd, on as u32) })
    }

    pub fn keep_alive(fd: Fd) -> Result<bool, Errno> {
        let mut on = 0u8;
        result(unsafe { sock_raw::sock_get_keep_alive(fd, &mut on) }).map(|()| on != 0)
    }

    pub fn set_keep_alive(fd: Fd, on: bool) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_set_keep_alive(fd, on as u32) })
    }

    /// A TCP keep-alive time option, in whole seconds (WAMR's unit).
    #[derive(Clone, Copy)]
    pub enum KeepAliveTime {
        /// TCP_KEEPIDLE.
        Idle,
        /// TCP_KEEPINTVL.
        Interval,
    }

    pub fn keep_alive_time(fd: Fd, which: KeepAliveTime) -> Result<u32, Errno> {
        let mut secs = 0u32;
        result(unsafe {
            match which {
                KeepAliveTime::Idle => sock_raw::sock_get_tcp_keep_idle(fd, &mut secs),
                KeepAliveTime::Interval => sock_raw::sock_get_tcp_keep_intvl(fd, &mut secs),
            }
        })
        .map(|()| secs)
    }

    pub fn set_keep_alive_time(fd: Fd, which: KeepAliveTime, secs: u32) -> Result<(), Errno> {
        result(unsafe {
            match which {
                KeepAliveTime::Idle => sock_raw::sock_set_tcp_keep_idle(fd, secs),
                KeepAliveTime::Interval => sock_raw::sock_set_tcp_keep_intvl(fd, secs),
            }
        })
    }

    pub fn ip_ttl(fd: Fd) -> Result<u8, Errno> {
        out(|ttl| unsafe { sock_raw::sock_get_ip_ttl(fd, ttl) })
    }

    pub fn set_ip_ttl(fd: Fd, ttl: u8) -> Result<(), Errno> {
        result(unsafe { sock_raw::sock_set_ip_ttl(fd, ttl as u32) })
    }

    /// SO_RCVBUF (`receive`) or SO_SNDBUF. WAMR writes 8 bytes.
    pub fn buf_size(fd: Fd, receive: bool) -> Result<u64, Errno> {
        let mut v = 0u64;
        result(unsafe { if receive { sock_raw::sock_get_recv_buf_size(fd, &mut v) } else { sock_raw::sock_get_send_buf_size(fd, &mut v) } })
            .map(|()| v)
    }

    pub fn set_buf_size(fd: Fd, receive: bool, size: u32) -> Result<(), Errno> {
        result(unsafe { if receive { sock_raw::sock_set_recv_buf_size(fd, size) } else { sock_raw::sock_set_send_buf_size(fd, size) } })
    }
}
