//! A program's own WASIp1 imports, served the way wasmtime's `wasi_snapshot_preview1`
//! component adapter serves them on a native WASIp2 host.
//!
//! The wasm32-wasip2 libcs of wasi-sdk 22 to 27 (Debian trixie's wasi-libc, Rust 1.82 to 1.92)
//! do files, stdio, environment and exit through WASIp1 and only sockets through WASI 0.2. They
//! were made for that adapter and rely on its contract (see `docs/old-toolchains.md`):
//! - one file-descriptor space: 0 to 2 stdio, 3… the preopens, then files and the libc's
//!   sockets; a new fd takes the most recently closed one, else the next after the end;
//! - `adapter_open_badfd` reserves an fd for a libc socket ("bad": WASIp1 calls on it fail
//!   with a per-function errno), `adapter_close_badfd` frees any fd;
//! - `proc_exit(n)` ends the program with status 0 for 0, 1 for anything else.
//!
//! The runtime's own fd numbers never reach the program (WAMR picks them at random): every fd
//! the program sees is a slot of [`Table`], translated on each call. The libc calls these
//! through fixed symbols (`__imported_wasi_snapshot_preview1_<name>`,
//! `__wasi_preview1_adapter_<name>`), which the archive defines; Rust std's mangled WASIp1
//! imports are redirected here by the linker. A program that imports no WASIp1 reaches none of
//! this (`wasm-ld` drops it), so WASI 0.2 programs are unchanged.

use crate::p1::{self, Errno, Fd, Fdstat, Iovec, Prestat};

const EBADF: Errno = p1::EBADF;
const EINVAL: Errno = p1::EINVAL;
const ENOMEM: Errno = 48;
const ESPIPE: Errno = 70;
const ENAMETOOLONG: Errno = 37;

/// The adapter's `MAX_DESCRIPTORS`.
const MAX: usize = 128;
/// End of the free list.
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Entry {
    /// Free; the next free slot (most recently closed first).
    Closed(u32),
    /// 0, 1 or 2, the runtime's own stdio fd.
    Stdio(Fd),
    /// A preopen, with the runtime's fd.
    Preopen(Fd),
    /// A file or directory the program opened, with the runtime's fd.
    File(Fd),
    /// Reserved by `adapter_open_badfd` (a libc socket).
    Bad,
}

struct Table {
    entries: [Entry; MAX],
    len: u32,
    free: u32,
    ready: bool,
}

crate::instance_state!(table: Table = Table { entries: [Entry::Closed(NONE); MAX], len: 0, free: NONE, ready: false });

/// What a call may do with an entry.
enum Use {
    /// The runtime fd to pass on.
    Real(Fd),
    /// A bad fd: the call fails with the adapter's errno for it.
    Bad,
}

impl Table {
    fn init(&mut self) {
        if self.ready {
            return;
        }
        self.ready = true;
        for fd in 0..3 {
            self.entries[fd as usize] = Entry::Stdio(fd);
        }
        self.len = 3;
        // The runtime's preopens, in order: the same list `wasi:filesystem/preopens` gives.
        while (self.len as usize) < MAX && matches!(prestat(self.len), Ok(p) if p.tag == 0) {
            self.entries[self.len as usize] = Entry::Preopen(self.len);
            self.len += 1;
        }
    }

    fn get(&mut self, fd: Fd) -> Result<Entry, Errno> {
        self.init();
        match self.entries.get(fd as usize) {
            Some(e) if fd < self.len && !matches!(e, Entry::Closed(_)) => Ok(*e),
            _ => Err(EBADF),
        }
    }

    fn open(&mut self, e: Entry) -> Result<Fd, Errno> {
        self.init();
        if self.free != NONE {
            let fd = self.free;
            self.free = match self.entries[fd as usize] {
                Entry::Closed(next) => next,
                _ => NONE,
            };
            self.entries[fd as usize] = e;
            return Ok(fd);
        }
        if self.len as usize >= MAX {
            return Err(ENOMEM);
        }
        let fd = self.len;
        self.entries[fd as usize] = e;
        self.len += 1;
        Ok(fd)
    }

    /// Frees `fd` (closing a file's runtime fd); EBADF when it is not open.
    fn close(&mut self, fd: Fd) -> Result<(), Errno> {
        let e = self.get(fd)?;
        if let Entry::File(real) = e {
            let _ = close(real);
        }
        self.entries[fd as usize] = Entry::Closed(self.free);
        self.free = fd;
        Ok(())
    }
}

// Direct calls of the imports rather than `p1`'s helpers: a second caller of those would change
// how LTO inlines them into the WASI 0.2 paths, and programs that never reach this module
// must come out byte for byte as without it.
fn result(e: Errno) -> Result<(), Errno> {
    if e == 0 { Ok(()) } else { Err(e) }
}

fn prestat(fd: Fd) -> Result<Prestat, Errno> {
    let mut s = Prestat::default();
    // SAFETY: a valid out-pointer.
    result(unsafe { p1::raw::fd_prestat_get(fd, &mut s) }).map(|()| s)
}

fn fdstat(fd: Fd) -> Result<Fdstat, Errno> {
    let mut s = Fdstat::default();
    // SAFETY: a valid out-pointer.
    result(unsafe { p1::raw::fd_fdstat_get(fd, &mut s) }).map(|()| s)
}

fn close(fd: Fd) -> Errno {
    // SAFETY: no pointers.
    unsafe { p1::raw::fd_close(fd) }
}

fn lookup(fd: Fd) -> Result<Use, Errno> {
    Ok(match table().get(fd)? {
        Entry::Stdio(r) | Entry::Preopen(r) | Entry::File(r) => Use::Real(r),
        Entry::Bad => Use::Bad,
        Entry::Closed(_) => return Err(EBADF),
    })
}

/// Calls `f` with the runtime fd of `fd`; a bad fd gives `bad`, a closed one EBADF.
fn with_fd(fd: Fd, bad: Errno, f: impl FnOnce(Fd) -> Errno) -> Errno {
    match lookup(fd) {
        Ok(Use::Real(r)) => f(r),
        Ok(Use::Bad) => bad,
        Err(e) => e,
    }
}

/// Like [`with_fd`] for the `sock_*` functions: the adapter traps on them (`unreachable!`).
fn with_sock(fd: Fd, f: impl FnOnce(Fd) -> Errno) -> Errno {
    match lookup(fd) {
        Ok(Use::Real(r)) => f(r),
        Ok(Use::Bad) => crate::trap::trap(b"WASIp1 sock_* on a socket of the libc: wasmtime's adapter does not implement it"),
        Err(e) => e,
    }
}

/// `adapter_open_badfd(*fd)`.
pub fn open_badfd(out: *mut Fd) -> Errno {
    match table().open(Entry::Bad) {
        Ok(fd) => {
            // SAFETY: the libc passes a pointer to its u32.
            unsafe { out.write(fd) };
            0
        }
        Err(e) => e,
    }
}

/// `adapter_close_badfd(fd)`: frees any open fd (the adapter does not check that it is bad).
pub fn close_badfd(fd: Fd) -> Errno {
    table().close(fd).err().unwrap_or(0)
}

pub fn fd_close(fd: Fd) -> Errno {
    match table().get(fd) {
        Ok(Entry::Bad) => EBADF,
        Ok(_) => table().close(fd).err().unwrap_or(0),
        Err(e) => e,
    }
}

/// Both must be open (EBADF otherwise; the adapter since 2025-07): `to` is closed and takes
/// `from`'s entry, and `from` is freed.
pub fn fd_renumber(from: Fd, to: Fd) -> Errno {
    let t = table();
    let (e, d) = match (t.get(from), t.get(to)) {
        (Ok(e), Ok(d)) => (e, d),
        _ => return EBADF,
    };
    if from == to {
        return 0;
    }
    if let Entry::File(real) = d {
        let _ = close(real);
    }
    t.entries[to as usize] = e;
    t.entries[from as usize] = Entry::Closed(t.free);
    t.free = from;
    0
}

pub fn path_open(dirfd: Fd, dirflags: u32, path: *const u8, len: usize, oflags: u16, base: u64, inh: u64, fdflags: u16, out: *mut Fd) -> Errno {
    with_fd(dirfd, EBADF, |r| {
        let mut real = 0;
        // SAFETY: the program's arguments, passed on.
        let e = unsafe { p1::raw::path_open(r, dirflags, path, len, oflags, base, inh, fdflags, &mut real) };
        if e != 0 {
            return e;
        }
        match table().open(Entry::File(real)) {
            Ok(fd) => {
                // SAFETY: the program's result pointer.
                unsafe { out.write(fd) };
                0
            }
            Err(e) => {
                let _ = close(real);
                e
            }
        }
    })
}

pub fn fd_prestat_get(fd: Fd, out: *mut Prestat) -> Errno {
    match table().get(fd) {
        Ok(Entry::Preopen(r)) => {
            let mut buf = [0u8; 512];
            match preopen_name(r, &mut buf) {
                Ok(n) => {
                    // SAFETY: the program's result pointer.
                    unsafe { out.write(Prestat { tag: 0, name_len: n }) };
                    0
                }
                Err(e) => e,
            }
        }
        Ok(_) => EBADF,
        Err(e) => e,
    }
}

pub fn fd_prestat_dir_name(fd: Fd, path: *mut u8, len: usize) -> Errno {
    match table().get(fd) {
        Ok(Entry::Preopen(r)) => {
            let mut buf = [0u8; 512];
            match preopen_name(r, &mut buf) {
                Ok(n) if n <= len => {
                    // SAFETY: the program's buffer of `len` bytes.
                    unsafe { core::ptr::copy_nonoverlapping(buf.as_ptr(), path, n) };
                    0
                }
                Ok(_) => ENAMETOOLONG,
                Err(e) => e,
            }
        }
        Ok(_) => EBADF,
        Err(e) => e,
    }
}

/// The preopen's name as `wasi:filesystem/preopens` gives it (without the trailing NULs some
/// runtimes count).
fn preopen_name(real: Fd, buf: &mut [u8; 512]) -> Result<usize, Errno> {
    let len = prestat(real)?.name_len;
    if len > buf.len() {
        return Err(ENAMETOOLONG);
    }
    // SAFETY: `buf` holds `len` bytes.
    result(unsafe { p1::raw::fd_prestat_dir_name(real, buf.as_mut_ptr(), len) })?;
    let mut n = len;
    while n > 0 && buf[n - 1] == 0 {
        n -= 1;
    }
    Ok(n)
}

pub fn fd_fdstat_get(fd: Fd, out: *mut Fdstat) -> Errno {
    let st = match table().get(fd) {
        Ok(Entry::Stdio(r)) => {
            // The adapter: a terminal is a character device, anything else unknown; rights
            // only read (stdin) or write (stdout, stderr); no flags.
            let tty = matches!(fdstat(r), Ok(s) if s.filetype == p1::FILETYPE_CHARACTER_DEVICE);
            let rights = if r == 0 { p1::rights::FD_READ } else { p1::rights::FD_WRITE };
            Fdstat { filetype: if tty { p1::FILETYPE_CHARACTER_DEVICE } else { 0 }, flags: 0, rights_base: rights, rights_inheriting: rights }
        }
        Ok(Entry::Preopen(r) | Entry::File(r)) => match fdstat(r) {
            Ok(s) if s.filetype == p1::FILETYPE_DIRECTORY => {
                Fdstat { filetype: s.filetype, flags: 0, rights_base: DIR_RIGHTS, rights_inheriting: DIR_RIGHTS | DIR_INHERITING }
            }
            Ok(s) => {
                let mut rights = !0u64;
                if s.rights_base & p1::rights::FD_READ == 0 {
                    rights &= !(p1::rights::FD_READ | p1::rights::FD_READDIR);
                }
                if s.rights_base & p1::rights::FD_WRITE == 0 {
                    rights &= !p1::rights::FD_WRITE;
                }
                Fdstat { filetype: s.filetype, flags: s.flags, rights_base: rights, rights_inheriting: rights }
            }
            Err(e) => return e,
        },
        Ok(_) => return EBADF,
        Err(e) => return e,
    };
    // SAFETY: the program's result pointer.
    unsafe { out.write(st) };
    0
}

/// The adapter's fixed rights of a directory (path_*, readdir, filestat).
const DIR_RIGHTS: u64 = (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 17) | (1 << 24) | (1 << 25) | (1 << 26) | (1 << 18) | (1 << 20) | (1 << 21) | (1 << 23);
/// What the adapter adds to a directory's inheriting rights (the file rights).
const DIR_INHERITING: u64 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 21) | (1 << 22) | (1 << 23) | (1 << 27);

/// `poll_oneoff`: the fds of the fd_read/fd_write subscriptions are translated in place for
/// the call, then put back; a bad or closed one fails the whole call with EBADF (no events).
pub fn poll_oneoff(subs: *mut u8, events: *mut u8, n: usize, nevents: *mut usize) -> Errno {
    // `__wasi_subscription_t`: 48 bytes, tag at 8, the fd of fd_read/fd_write at 16.
    let fd_at = |i: usize| unsafe { subs.add(i * 48 + 16) as *mut u32 };
    // SAFETY (here and below): `n` subscriptions, as the ABI says.
    let is_fd = |i: usize| matches!(unsafe { *subs.add(i * 48 + 8) }, 1 | 2);
    for i in 0..n {
        if is_fd(i) && !matches!(lookup(unsafe { fd_at(i).read_unaligned() }), Ok(Use::Real(_))) {
            return EBADF;
        }
    }
    let virt = |real: Fd| {
        let t = table();
        (0..t.len).find(|&v| matches!(t.entries[v as usize], Entry::Stdio(r) | Entry::Preopen(r) | Entry::File(r) if r == real))
    };
    for i in 0..n {
        if is_fd(i) {
            if let Ok(Use::Real(r)) = lookup(unsafe { fd_at(i).read_unaligned() }) {
                unsafe { fd_at(i).write_unaligned(r) };
            }
        }
    }
    // SAFETY: the program's arguments, with runtime fds.
    let e = unsafe { p1::raw::poll_oneoff(subs as *const p1::Subscription, events as *mut p1::Event, n, nevents) };
    for i in 0..n {
        if is_fd(i) {
            let r = unsafe { fd_at(i).read_unaligned() };
            if let Some(v) = virt(r) {
                unsafe { fd_at(i).write_unaligned(v) };
            }
        }
    }
    e
}

/// `proc_exit(n)`: the adapter exits with `ok` for 0 and `err` (status 1) for anything else.
pub fn proc_exit(code: u32) -> ! {
    // `black_box`: the body would otherwise be identical to `wasi:cli/exit.exit`'s, LLVM would
    // merge the two, and every program's name section would call its exit by this name.
    p1::exit(core::hint::black_box(if code == 0 { 0 } else { 1 }))
}

/// The exported entry points, under the symbols wasi-libc calls them through.
#[cfg(target_family = "wasm")]
mod exports {
    use super::*;
    use crate::p1::raw;
    use crate::p1::raw_more as more;

    macro_rules! export {
        ($( $sym:ident ( $($a:ident : $t:ty),* ) $body:block )*) => {
            $(
                #[unsafe(no_mangle)]
                #[allow(clippy::too_many_arguments)]
                pub unsafe extern "C" fn $sym($($a: $t),*) -> Errno $body
            )*
        };
    }

    export! {
        __wasi_preview1_adapter_open_badfd(out: *mut Fd) { open_badfd(out) }
        __wasi_preview1_adapter_close_badfd(fd: Fd) { close_badfd(fd) }

        __imported_wasi_snapshot_preview1_args_get(argv: *mut *mut u8, buf: *mut u8) { unsafe { raw::args_get(argv, buf) } }
        __imported_wasi_snapshot_preview1_args_sizes_get(argc: *mut usize, size: *mut usize) { unsafe { raw::args_sizes_get(argc, size) } }
        __imported_wasi_snapshot_preview1_environ_get(env: *mut *mut u8, buf: *mut u8) { unsafe { raw::environ_get(env, buf) } }
        __imported_wasi_snapshot_preview1_environ_sizes_get(n: *mut usize, size: *mut usize) { unsafe { raw::environ_sizes_get(n, size) } }
        __imported_wasi_snapshot_preview1_clock_res_get(id: u32, res: *mut u64) { unsafe { raw::clock_res_get(id, res) } }
        __imported_wasi_snapshot_preview1_clock_time_get(id: u32, precision: u64, t: *mut u64) { unsafe { raw::clock_time_get(id, precision, t) } }
        __imported_wasi_snapshot_preview1_random_get(buf: *mut u8, len: usize) { unsafe { raw::random_get(buf, len) } }
        __imported_wasi_snapshot_preview1_sched_yield() { 0 }

        __imported_wasi_snapshot_preview1_fd_advise(fd: Fd, off: u64, len: u64, advice: u8) { with_fd(fd, ESPIPE, |r| unsafe { raw::fd_advise(r, off, len, advice) }) }
        __imported_wasi_snapshot_preview1_fd_allocate(fd: Fd, off: u64, len: u64) { with_fd(fd, EINVAL, |r| unsafe { more::fd_allocate(r, off, len) }) }
        __imported_wasi_snapshot_preview1_fd_close(fd: Fd) { fd_close(fd) }
        __imported_wasi_snapshot_preview1_fd_datasync(fd: Fd) { with_fd(fd, EINVAL, |r| unsafe { raw::fd_datasync(r) }) }
        __imported_wasi_snapshot_preview1_fd_fdstat_get(fd: Fd, st: *mut Fdstat) { fd_fdstat_get(fd, st) }
        __imported_wasi_snapshot_preview1_fd_fdstat_set_flags(fd: Fd, flags: u16) { with_fd(fd, EBADF, |r| unsafe { more::fd_fdstat_set_flags(r, flags) }) }
        __imported_wasi_snapshot_preview1_fd_fdstat_set_rights(fd: Fd, base: u64, inh: u64) { with_fd(fd, EBADF, |r| unsafe { more::fd_fdstat_set_rights(r, base, inh) }) }
        __imported_wasi_snapshot_preview1_fd_filestat_get(fd: Fd, st: *mut p1::Filestat) { with_fd(fd, EBADF, |r| unsafe { raw::fd_filestat_get(r, st) }) }
        __imported_wasi_snapshot_preview1_fd_filestat_set_size(fd: Fd, size: u64) { with_fd(fd, EINVAL, |r| unsafe { raw::fd_filestat_set_size(r, size) }) }
        __imported_wasi_snapshot_preview1_fd_filestat_set_times(fd: Fd, a: u64, m: u64, fl: u16) { with_fd(fd, EINVAL, |r| unsafe { raw::fd_filestat_set_times(r, a, m, fl) }) }
        __imported_wasi_snapshot_preview1_fd_pread(fd: Fd, iovs: *const Iovec, n: usize, off: u64, nread: *mut usize) { with_fd(fd, EINVAL, |r| unsafe { raw::fd_pread(r, iovs, n, off, nread) }) }
        __imported_wasi_snapshot_preview1_fd_prestat_get(fd: Fd, st: *mut Prestat) { fd_prestat_get(fd, st) }
        __imported_wasi_snapshot_preview1_fd_prestat_dir_name(fd: Fd, path: *mut u8, len: usize) { fd_prestat_dir_name(fd, path, len) }
        __imported_wasi_snapshot_preview1_fd_pwrite(fd: Fd, iovs: *const Iovec, n: usize, off: u64, nw: *mut usize) { with_fd(fd, ESPIPE, |r| unsafe { raw::fd_pwrite(r, iovs, n, off, nw) }) }
        __imported_wasi_snapshot_preview1_fd_read(fd: Fd, iovs: *const Iovec, n: usize, nread: *mut usize) { with_fd(fd, EBADF, |r| unsafe { raw::fd_read(r, iovs, n, nread) }) }
        __imported_wasi_snapshot_preview1_fd_readdir(fd: Fd, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) { with_fd(fd, EBADF, |r| unsafe { raw::fd_readdir(r, buf, len, cookie, used) }) }
        __imported_wasi_snapshot_preview1_fd_renumber(from: Fd, to: Fd) { fd_renumber(from, to) }
        __imported_wasi_snapshot_preview1_fd_seek(fd: Fd, off: i64, whence: u8, new: *mut u64) { with_fd(fd, ESPIPE, |r| unsafe { more::fd_seek(r, off, whence, new) }) }
        __imported_wasi_snapshot_preview1_fd_sync(fd: Fd) { with_fd(fd, EINVAL, |r| unsafe { raw::fd_sync(r) }) }
        __imported_wasi_snapshot_preview1_fd_tell(fd: Fd, off: *mut u64) { with_fd(fd, ESPIPE, |r| unsafe { more::fd_tell(r, off) }) }
        __imported_wasi_snapshot_preview1_fd_write(fd: Fd, iovs: *const Iovec, n: usize, nw: *mut usize) { with_fd(fd, EBADF, |r| unsafe { raw::fd_write(r, iovs, n, nw) }) }

        __imported_wasi_snapshot_preview1_path_create_directory(fd: Fd, p: *const u8, l: usize) { with_fd(fd, EBADF, |r| unsafe { raw::path_create_directory(r, p, l) }) }
        __imported_wasi_snapshot_preview1_path_filestat_get(fd: Fd, fl: u32, p: *const u8, l: usize, st: *mut p1::Filestat) { with_fd(fd, EBADF, |r| unsafe { raw::path_filestat_get(r, fl, p, l, st) }) }
        __imported_wasi_snapshot_preview1_path_filestat_set_times(fd: Fd, fl: u32, p: *const u8, l: usize, a: u64, m: u64, fst: u16) { with_fd(fd, EBADF, |r| unsafe { raw::path_filestat_set_times(r, fl, p, l, a, m, fst) }) }
        __imported_wasi_snapshot_preview1_path_link(ofd: Fd, ofl: u32, o: *const u8, ol: usize, nfd: Fd, n: *const u8, nl: usize) {
            with_fd(ofd, EBADF, |ro| with_fd(nfd, EBADF, |rn| unsafe { raw::path_link(ro, ofl, o, ol, rn, n, nl) }))
        }
        __imported_wasi_snapshot_preview1_path_open(fd: Fd, dfl: u32, p: *const u8, l: usize, of: u16, base: u64, inh: u64, ff: u16, out: *mut Fd) { path_open(fd, dfl, p, l, of, base, inh, ff, out) }
        __imported_wasi_snapshot_preview1_path_readlink(fd: Fd, p: *const u8, l: usize, buf: *mut u8, bl: usize, used: *mut usize) { with_fd(fd, EBADF, |r| unsafe { raw::path_readlink(r, p, l, buf, bl, used) }) }
        __imported_wasi_snapshot_preview1_path_remove_directory(fd: Fd, p: *const u8, l: usize) { with_fd(fd, EBADF, |r| unsafe { raw::path_remove_directory(r, p, l) }) }
        __imported_wasi_snapshot_preview1_path_rename(ofd: Fd, o: *const u8, ol: usize, nfd: Fd, n: *const u8, nl: usize) {
            with_fd(ofd, EBADF, |ro| with_fd(nfd, EBADF, |rn| unsafe { raw::path_rename(ro, o, ol, rn, n, nl) }))
        }
        __imported_wasi_snapshot_preview1_path_symlink(o: *const u8, ol: usize, fd: Fd, n: *const u8, nl: usize) { with_fd(fd, EBADF, |r| unsafe { raw::path_symlink(o, ol, r, n, nl) }) }
        __imported_wasi_snapshot_preview1_path_unlink_file(fd: Fd, p: *const u8, l: usize) { with_fd(fd, EBADF, |r| unsafe { raw::path_unlink_file(r, p, l) }) }

        __imported_wasi_snapshot_preview1_poll_oneoff(subs: *mut u8, ev: *mut u8, n: usize, nev: *mut usize) { poll_oneoff(subs, ev, n, nev) }

        __imported_wasi_snapshot_preview1_sock_accept(fd: Fd, flags: u32, out: *mut Fd) {
            with_sock(fd, |r| {
                let mut real = 0;
                let e = unsafe { more::sock_accept(r, flags, &mut real) };
                if e != 0 {
                    return e;
                }
                match table().open(Entry::File(real)) {
                    Ok(v) => { unsafe { out.write(v) }; 0 }
                    Err(e) => { let _ = close(real); e }
                }
            })
        }
        __imported_wasi_snapshot_preview1_sock_recv(fd: Fd, iovs: *const Iovec, n: usize, fl: u16, nread: *mut usize, ofl: *mut u16) { with_sock(fd, |r| unsafe { more::sock_recv(r, iovs, n, fl, nread, ofl) }) }
        __imported_wasi_snapshot_preview1_sock_send(fd: Fd, iovs: *const Iovec, n: usize, fl: u16, nw: *mut usize) { with_sock(fd, |r| unsafe { more::sock_send(r, iovs, n, fl, nw) }) }
        __imported_wasi_snapshot_preview1_sock_shutdown(fd: Fd, how: u32) { with_sock(fd, |r| unsafe { more::sock_shutdown(r, how) }) }
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn __imported_wasi_snapshot_preview1_proc_exit(code: u32) -> ! {
        proc_exit(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Table {
        // No runtime on the host: no preopens (prestat answers ENOSYS).
        let mut t = Table { entries: [Entry::Closed(NONE); MAX], len: 0, free: NONE, ready: false };
        t.init();
        t
    }

    #[test]
    fn numbering_is_the_adapters() {
        let mut t = fresh();
        assert_eq!(t.len, 3);
        let a = t.open(Entry::File(10)).unwrap();
        let b = t.open(Entry::Bad).unwrap();
        let c = t.open(Entry::File(11)).unwrap();
        assert_eq!((a, b, c), (3, 4, 5));
        t.close(a).unwrap();
        t.close(c).unwrap();
        // LIFO: the most recently closed first.
        assert_eq!(t.open(Entry::Bad).unwrap(), 5);
        assert_eq!(t.open(Entry::Bad).unwrap(), 3);
        assert_eq!(t.open(Entry::Bad).unwrap(), 6);
        assert_eq!(t.close(99), Err(EBADF));
        t.close(4).unwrap();
        assert_eq!(t.close(4), Err(EBADF));
        while t.open(Entry::Bad).is_ok() {}
        assert_eq!(t.open(Entry::Bad), Err(ENOMEM));
        assert_eq!(t.len as usize, MAX);
    }
}
