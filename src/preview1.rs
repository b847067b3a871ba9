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

//!
//! Which errno a call gets on an fd of the wrong kind follows the adapter's accessors
//! (`get_file`, `get_dir`, the read/write streams): e.g. `fd_pread` on stdio is EINVAL,
//! `fd_tell` on stdio ESPIPE, `path_open` on a file ENOTDIR, `fd_read` on a directory EBADF.

use crate::p1::{self, Errno, Fd, Fdstat, Prestat};

const EBADF: Errno = p1::EBADF;
const EINVAL: Errno = p1::EINVAL;
const ENAMETOOLONG: Errno = 37;
const ENOMEM: Errno = 48;
const ENOTDIR: Errno = 54;
const ESPIPE: Errno = 70;

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
    /// A preopen (a directory), with the runtime's fd.
    Preopen(Fd),
    /// A directory the program opened, with the runtime's fd.
    Dir(Fd),
    /// Anything else the program opened (a file), with the runtime's fd.
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

// One owner at a time (`crate::state`): every use below borrows it for one statement or one
// function and calls nothing that borrows it again meanwhile.
crate::instance_cell!(table: Table = Table { entries: [Entry::Closed(NONE); MAX], len: 0, free: NONE, ready: false });

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

    /// Frees `fd` (closing the runtime fd of what the program opened); EBADF when it is not
    /// open. Stdio and preopens only lose their slot: natively their WASI 0.2 handles live on.
    fn close(&mut self, fd: Fd) -> Result<(), Errno> {
        let e = self.get(fd)?;
        if let Entry::File(real) | Entry::Dir(real) = e {
            close(real);
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

fn entry(fd: Fd) -> Result<Entry, Errno> {
    table().get(fd)
}

/// The adapter's `get_file`: a file's runtime fd; a directory is EBADF, anything else
/// `other` (EINVAL, or ESPIPE for `get_seekable_file`).
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))] // used by `exports`
fn file_op(fd: Fd, other: Errno, f: impl FnOnce(Fd) -> Errno) -> Errno {
    match entry(fd) {
        Ok(Entry::File(r)) => f(r),
        Ok(Entry::Dir(_) | Entry::Preopen(_)) | Err(_) => EBADF,
        Ok(_) => other,
    }
}

/// The adapter's `get_dir`: a directory's runtime fd; a file is ENOTDIR, anything else EBADF.
fn dir_op(fd: Fd, f: impl FnOnce(Fd) -> Errno) -> Errno {
    match entry(fd) {
        Ok(Entry::Dir(r) | Entry::Preopen(r)) => f(r),
        Ok(Entry::File(_)) => ENOTDIR,
        _ => EBADF,
    }
}

/// The runtime fd to read (`write` false) or write through: stdin or stdout/stderr, or a file.
fn stream_fd(fd: Fd, write: bool) -> Result<Fd, Errno> {
    match entry(fd)? {
        Entry::File(r) => Ok(r),
        Entry::Stdio(r) if (r == 0) != write => Ok(r),
        _ => Err(EBADF),
    }
}

#[cfg_attr(not(target_family = "wasm"), allow(dead_code))] // used by `exports`
fn stream_op(fd: Fd, write: bool, f: impl FnOnce(Fd) -> Errno) -> Errno {
    match stream_fd(fd, write) {
        Ok(r) => f(r),
        Err(e) => e,
    }
}

/// The adapter's `sock_accept`/`sock_recv`/`sock_send`/`sock_shutdown`: `unreachable!()` (a
/// trap) whatever the fd.
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))] // used by `exports`
fn sock() -> ! {
    crate::trap::trap(b"WASIp1 sock_accept/sock_recv/sock_send/sock_shutdown: wasmtime's component adapter does not implement them (it traps)")
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
    match entry(fd) {
        Ok(Entry::Bad) => EBADF,
        Ok(_) => table().close(fd).err().unwrap_or(0),
        Err(e) => e,
    }
}

/// Both must be open (EBADF otherwise; the adapter since 2025-07): `to` is closed and takes
/// `from`'s entry, and `from` is freed.
pub fn fd_renumber(from: Fd, to: Fd) -> Errno {
    let mut t = table();
    let (e, d) = match (t.get(from), t.get(to)) {
        (Ok(e), Ok(d)) => (e, d),
        _ => return EBADF,
    };
    if from == to {
        return 0;
    }
    if let Entry::File(real) | Entry::Dir(real) = d {
        close(real);
    }
    t.entries[to as usize] = e;
    t.entries[from as usize] = Entry::Closed(t.free);
    t.free = from;
    0
}

#[allow(clippy::too_many_arguments)]
pub fn path_open(dirfd: Fd, dirflags: u32, path: *const u8, len: usize, oflags: u16, base: u64, inh: u64, fdflags: u16, out: *mut Fd) -> Errno {
    dir_op(dirfd, |r| {
        let mut real = 0;
        // SAFETY: the program's arguments, passed on.
        let e = unsafe { p1::raw::path_open(r, dirflags, path, len, oflags, base, inh, fdflags, &mut real) };
        if e != 0 {
            return e;
        }
        // The adapter keeps the descriptor's type from the open.
        let dir = matches!(fdstat(real), Ok(s) if s.filetype == p1::FILETYPE_DIRECTORY);
        match table().open(if dir { Entry::Dir(real) } else { Entry::File(real) }) {
            Ok(fd) => {
                // SAFETY: the program's result pointer.
                unsafe { out.write(fd) };
                0
            }
            Err(e) => {
                close(real);
                e
            }
        }
    })
}

pub fn fd_prestat_get(fd: Fd, out: *mut Prestat) -> Errno {
    match entry(fd) {
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
        _ => EBADF,
    }
}

pub fn fd_prestat_dir_name(fd: Fd, path: *mut u8, len: usize) -> Errno {
    match entry(fd) {
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
        _ => EBADF,
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

/// The adapter's file type of stdio: a character device for a terminal, else unknown.
fn stdio_filetype(real: Fd) -> u8 {
    if matches!(fdstat(real), Ok(s) if s.filetype == p1::FILETYPE_CHARACTER_DEVICE) { p1::FILETYPE_CHARACTER_DEVICE } else { 0 }
}

pub fn fd_fdstat_get(fd: Fd, out: *mut Fdstat) -> Errno {
    let st = match entry(fd) {
        Ok(Entry::Stdio(r)) => {
            // Rights only read (stdin) or write (stdout, stderr); no flags.
            let rights = if r == 0 { p1::rights::FD_READ } else { p1::rights::FD_WRITE };
            Fdstat { filetype: stdio_filetype(r), flags: 0, rights_base: rights, rights_inheriting: rights }
        }
        Ok(Entry::Preopen(_) | Entry::Dir(_)) => {
            Fdstat { filetype: p1::FILETYPE_DIRECTORY, flags: 0, rights_base: DIR_RIGHTS, rights_inheriting: DIR_RIGHTS | DIR_INHERITING }
        }
        Ok(Entry::File(r)) => match fdstat(r) {
            Ok(s) => {
                // Every right but reading or writing when the file is not open for it.
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

/// `fd_filestat_get`: stdio is all zeros but its file type (as the adapter answers).
pub fn fd_filestat_get(fd: Fd, out: *mut p1::Filestat) -> Errno {
    match entry(fd) {
        Ok(Entry::Stdio(r)) => {
            let st = p1::Filestat { filetype: stdio_filetype(r), ..p1::Filestat::default() };
            // SAFETY: the program's result pointer.
            unsafe { out.write(st) };
            0
        }
        Ok(Entry::Preopen(r) | Entry::Dir(r) | Entry::File(r)) => {
            // SAFETY: the program's result pointer.
            unsafe { p1::raw::fd_filestat_get(r, out) }
        }
        _ => EBADF,
    }
}

/// `fd_fdstat_set_flags`: only APPEND and NONBLOCK (else EINVAL), only on files (else EBADF).
pub fn fd_fdstat_set_flags(fd: Fd, flags: u16) -> Errno {
    const APPEND: u16 = 1;
    const NONBLOCK: u16 = 4;
    if flags & !(APPEND | NONBLOCK) != 0 {
        return EINVAL;
    }
    match entry(fd) {
        // SAFETY: no pointers.
        Ok(Entry::File(r)) => unsafe { p1::raw_more::fd_fdstat_set_flags(r, flags) },
        _ => EBADF,
    }
}

/// `fd_fdstat_set_rights`: accepted and ignored on any open fd but a bad one.
pub fn fd_fdstat_set_rights(fd: Fd) -> Errno {
    match entry(fd) {
        Ok(Entry::Bad) | Err(_) => EBADF,
        Ok(_) => 0,
    }
}

/// `fd_seek`: files only; a directory is EBADF, stdio and bad fds ESPIPE.
pub fn fd_seek(fd: Fd, off: i64, whence: u8, new: *mut u64) -> Errno {
    match entry(fd) {
        // SAFETY: the program's arguments.
        Ok(Entry::File(r)) => unsafe { p1::raw_more::fd_seek(r, off, whence, new) },
        Ok(Entry::Stdio(_) | Entry::Bad) => ESPIPE,
        _ => EBADF,
    }
}

/// The adapter's fixed rights of a directory (path_*, readdir, filestat).
const DIR_RIGHTS: u64 = (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 17) | (1 << 24) | (1 << 25) | (1 << 26) | (1 << 18) | (1 << 20) | (1 << 21) | (1 << 23);
/// What the adapter adds to a directory's inheriting rights (the file rights).
const DIR_INHERITING: u64 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 21) | (1 << 22) | (1 << 23) | (1 << 27);

/// A regular file's file type (`__wasi_filetype_t`).
const FILETYPE_REGULAR_FILE: u8 = 4;
/// `__wasi_eventrwflags_t`'s HANGUP.
const EVENT_FD_READWRITE_HANGUP: u16 = 1;
/// In [`poll_oneoff`]'s per-subscription marks: a regular file the adapter answers itself.
/// Other marks are 0 (no event) or the index + 1 of the runtime's event; those are at most
/// the subscription count, which is below `u32::MAX` (48 bytes each fit the address space).
const MARK_FILE: u32 = u32::MAX;

/// The event fields (error, nbytes, flags) the component adapter reports for a regular file:
/// always ready; to write one byte, no flags; to read, the bytes left (`size - position`,
/// none past the end) with HANGUP when none are, or on a failing stat its error with one byte.
fn file_event(write: bool, size_and_position: Result<(u64, u64), Errno>) -> (Errno, u64, u16) {
    match (write, size_and_position) {
        (true, _) => (0, 1, 0),
        (false, Ok((size, position))) => {
            let left = size.saturating_sub(position);
            (0, left, if left == 0 { EVENT_FD_READWRITE_HANGUP } else { 0 })
        }
        (false, Err(e)) => (e, 1, 0),
    }
}

/// `poll_oneoff`, as the component adapter answers it: no subscriptions is EINVAL; an
/// fd_read/fd_write subscription on an fd the adapter has no read (write) stream for fails the
/// whole call with EBADF (no events). Regular files are always ready (their events made here,
/// [`file_event`]); when there are any, the rest goes to the runtime with a clock of 0 added
/// (the call does not wait, as natively where a ready file ends the wait), or not at all if
/// nothing is left. Events come in subscription order (the order of the native ready list).
/// Without files the call is the runtime's, with the fds translated in place and put back.
pub fn poll_oneoff(subs: *mut u8, events: *mut u8, n: usize, nevents: *mut usize) -> Errno {
    // `__wasi_subscription_t`: 48 bytes, tag at 8 (1 fd_read, 2 fd_write), the fd at 16.
    // SAFETY (here and below): `n` subscriptions and room for `n` events, as the ABI says.
    let fd_at = |i: usize| unsafe { subs.add(i * 48 + 16) as *mut u32 };
    let tag = |i: usize| unsafe { *subs.add(i * 48 + 8) };
    if n == 0 {
        // The component adapter's answer (WAMR would block forever on zero subscriptions).
        unsafe { *nevents = 0 };
        return EINVAL;
    }
    for i in 0..n {
        if matches!(tag(i), 1 | 2) && stream_fd(unsafe { fd_at(i).read_unaligned() }, tag(i) == 2).is_err() {
            return EBADF;
        }
    }
    // Which subscriptions are on regular files (each written before any is read).
    let marks = crate::scratch::slots::<u32>(n);
    let mut files = 0usize;
    for i in 0..n {
        let file = matches!(tag(i), 1 | 2)
            && matches!(entry(unsafe { fd_at(i).read_unaligned() }),
                Ok(Entry::File(r)) if fdstat(r).is_ok_and(|s| s.filetype == FILETYPE_REGULAR_FILE));
        files += file as usize;
        // SAFETY: `marks` has `n` slots.
        unsafe { marks.add(i).write(if file { MARK_FILE } else { 0 }) };
    }
    if files > 0 {
        return poll_with_files(subs, events, n, nevents, marks, n - files);
    }
    for i in 0..n {
        if let t @ (1 | 2) = tag(i)
            && let Ok(r) = stream_fd(unsafe { fd_at(i).read_unaligned() }, t == 2)
        {
            unsafe { fd_at(i).write_unaligned(r) };
        }
    }
    // SAFETY: the program's arguments, with runtime fds.
    let e = unsafe { p1::raw::poll_oneoff(subs as *const p1::Subscription, events as *mut p1::Event, n, nevents) };
    // Back to the program's numbers (runtime fds are unique in the table).
    for i in 0..n {
        if matches!(tag(i), 1 | 2) {
            let r = unsafe { fd_at(i).read_unaligned() };
            let v = {
                let t = table();
                (0..t.len).find(|&v| matches!(t.entries[v as usize], Entry::Stdio(x) | Entry::File(x) if x == r))
            };
            if let Some(v) = v {
                unsafe { fd_at(i).write_unaligned(v) };
            }
        }
    }
    if e == 0 {
        // The adapter reports stdio always ready with one byte and no flags (the runtime may
        // add HANGUP at the end of a pipe). `__wasi_event_t`: 32 bytes, userdata at 0, error at
        // 8, type at 10, nbytes at 16, flags at 24.
        // SAFETY: the runtime wrote `*nevents` events; the subscriptions are as above.
        for k in 0..unsafe { *nevents } {
            let ev = unsafe { events.add(k * 32) };
            let (userdata, ty) = unsafe { ((ev as *const u64).read_unaligned(), *ev.add(10)) };
            let stdio = (0..n).any(|i| {
                tag(i) == ty
                    && unsafe { (subs.add(i * 48) as *const u64).read_unaligned() } == userdata
                    && matches!(entry(unsafe { fd_at(i).read_unaligned() }), Ok(Entry::Stdio(_)))
            });
            if matches!(ty, 1 | 2) && stdio {
                unsafe {
                    (ev.add(8) as *mut u16).write_unaligned(0);
                    (ev.add(16) as *mut u64).write_unaligned(1);
                    (ev.add(24) as *mut u16).write_unaligned(0);
                }
            }
        }
    }
    e
}

/// [`poll_oneoff`] with `n - rest` regular files (marked [`MARK_FILE`] in `marks`, the others
/// 0): the `rest` others, copied with their index as userdata and runtime fds, and a clock of
/// 0 (userdata `n`, no subscription's index) go to the runtime when `rest > 0`; then every
/// file's event and every runtime event, in subscription order, with the program's userdata.
fn poll_with_files(subs: *mut u8, events: *mut u8, n: usize, nevents: *mut usize, marks: *mut u32, rest: usize) -> Errno {
    // SAFETY (here and below): `n` subscriptions, room for `n` events, `n` marks, all written.
    let sub = |i: usize| unsafe { (subs.add(i * 48) as *const p1::Subscription).read_unaligned() };
    let mark = |i: usize| unsafe { marks.add(i).read() };
    let mut ran: &[p1::Event] = &[];
    if rest > 0 {
        let (rs, re) = crate::scratch::poll_arrays(rest + 1);
        let mut k = 0;
        for i in 0..n {
            // `k < rest`: exactly `rest` subscriptions are not files.
            if mark(i) != MARK_FILE && k < rest {
                let mut s = sub(i);
                s.userdata = i as u64;
                if matches!(s.tag, 1 | 2) {
                    // Validated by the caller: an fd with a stream of that direction.
                    s.u.id = stream_fd(s.u.id, s.tag == 2).unwrap_or(s.u.id);
                }
                rs[k] = s;
                k += 1;
            }
        }
        let now = p1::SubscriptionClock { id: p1::CLOCK_MONOTONIC, timeout: 0, precision: 0, flags: 0 };
        rs[k] = p1::Subscription { userdata: n as u64, tag: 0, u: now };
        match p1::poll(&rs[..=k], &mut re[..=k]) {
            Ok(m) => ran = &re[..m.min(k + 1)],
            Err(e) => {
                unsafe { *nevents = 0 };
                return e;
            }
        }
        for (j, ev) in ran.iter().enumerate() {
            // Only the program's subscriptions (index < n) that went to the runtime.
            if let Ok(i) = usize::try_from(ev.userdata)
                && i < n
                && mark(i) != MARK_FILE
            {
                unsafe { marks.add(i).write(j as u32 + 1) };
            }
        }
    }
    let mut count = 0;
    for i in 0..n {
        let s = sub(i);
        let (error, nbytes, flags) = match mark(i) {
            0 => continue,
            MARK_FILE => {
                let r = entry(s.u.id).ok().and_then(|e| match e {
                    Entry::File(r) => Some(r),
                    _ => None,
                });
                // Marked only for an open file (the table does not change during the call).
                let r = r.unwrap_or(s.u.id);
                file_event(s.tag == 2, size_and_position(r))
            }
            j => match ran.get(j as usize - 1) {
                // The adapter's stdio is always ready with one byte and no flags (the runtime
                // may add HANGUP at the end of a pipe).
                Some(_) if matches!(s.tag, 1 | 2) && matches!(entry(s.u.id), Ok(Entry::Stdio(_))) => (0, 1, 0),
                Some(ev) => (ev.error, ev.nbytes, ev.flags),
                None => continue,
            },
        };
        // `__wasi_event_t`: 32 bytes, userdata at 0, error at 8, type at 10, nbytes at 16,
        // flags at 24. `count <= i < n`: within the program's events.
        let ev = unsafe { events.add(count * 32) };
        unsafe {
            (ev as *mut u64).write_unaligned(s.userdata);
            (ev.add(8) as *mut u16).write_unaligned(error);
            ev.add(10).write(s.tag);
            (ev.add(16) as *mut u64).write_unaligned(nbytes);
            (ev.add(24) as *mut u16).write_unaligned(flags);
        }
        count += 1;
    }
    unsafe { *nevents = count };
    0
}

/// A file's size and the runtime fd's position (what the component adapter's stat and its
/// kept position give).
fn size_and_position(r: Fd) -> Result<(u64, u64), Errno> {
    let size = p1::filestat(r)?.size;
    let mut position = 0u64;
    // SAFETY: a valid out-pointer.
    result(unsafe { p1::raw_more::fd_tell(r, &mut position) })?;
    Ok((size, position))
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
    use crate::p1::Iovec;

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

        __imported_wasi_snapshot_preview1_fd_advise(fd: Fd, off: u64, len: u64, advice: u8) { file_op(fd, ESPIPE, |r| unsafe { raw::fd_advise(r, off, len, advice) }) }
        __imported_wasi_snapshot_preview1_fd_allocate(fd: Fd, off: u64, len: u64) { file_op(fd, EINVAL, |r| unsafe { more::fd_allocate(r, off, len) }) }
        __imported_wasi_snapshot_preview1_fd_close(fd: Fd) { fd_close(fd) }
        __imported_wasi_snapshot_preview1_fd_datasync(fd: Fd) { file_op(fd, EINVAL, |r| unsafe { raw::fd_datasync(r) }) }
        __imported_wasi_snapshot_preview1_fd_fdstat_get(fd: Fd, st: *mut Fdstat) { fd_fdstat_get(fd, st) }
        __imported_wasi_snapshot_preview1_fd_fdstat_set_flags(fd: Fd, flags: u16) { fd_fdstat_set_flags(fd, flags) }
        __imported_wasi_snapshot_preview1_fd_fdstat_set_rights(fd: Fd, _base: u64, _inh: u64) { fd_fdstat_set_rights(fd) }
        __imported_wasi_snapshot_preview1_fd_filestat_get(fd: Fd, st: *mut p1::Filestat) { fd_filestat_get(fd, st) }
        __imported_wasi_snapshot_preview1_fd_filestat_set_size(fd: Fd, size: u64) { file_op(fd, EINVAL, |r| unsafe { raw::fd_filestat_set_size(r, size) }) }
        __imported_wasi_snapshot_preview1_fd_filestat_set_times(fd: Fd, a: u64, m: u64, fl: u16) { file_op(fd, EINVAL, |r| unsafe { raw::fd_filestat_set_times(r, a, m, fl) }) }
        __imported_wasi_snapshot_preview1_fd_pread(fd: Fd, iovs: *const Iovec, n: usize, off: u64, nread: *mut usize) { file_op(fd, EINVAL, |r| unsafe { raw::fd_pread(r, iovs, n, off, nread) }) }
        __imported_wasi_snapshot_preview1_fd_prestat_get(fd: Fd, st: *mut Prestat) { fd_prestat_get(fd, st) }
        __imported_wasi_snapshot_preview1_fd_prestat_dir_name(fd: Fd, path: *mut u8, len: usize) { fd_prestat_dir_name(fd, path, len) }
        __imported_wasi_snapshot_preview1_fd_pwrite(fd: Fd, iovs: *const Iovec, n: usize, off: u64, nw: *mut usize) { file_op(fd, ESPIPE, |r| unsafe { raw::fd_pwrite(r, iovs, n, off, nw) }) }
        __imported_wasi_snapshot_preview1_fd_read(fd: Fd, iovs: *const Iovec, n: usize, nread: *mut usize) { stream_op(fd, false, |r| unsafe { raw::fd_read(r, iovs, n, nread) }) }
        __imported_wasi_snapshot_preview1_fd_readdir(fd: Fd, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) { dir_op(fd, |r| unsafe { raw::fd_readdir(r, buf, len, cookie, used) }) }
        __imported_wasi_snapshot_preview1_fd_renumber(from: Fd, to: Fd) { fd_renumber(from, to) }
        __imported_wasi_snapshot_preview1_fd_seek(fd: Fd, off: i64, whence: u8, new: *mut u64) { fd_seek(fd, off, whence, new) }
        __imported_wasi_snapshot_preview1_fd_sync(fd: Fd) { file_op(fd, EINVAL, |r| unsafe { raw::fd_sync(r) }) }
        __imported_wasi_snapshot_preview1_fd_tell(fd: Fd, off: *mut u64) { file_op(fd, ESPIPE, |r| unsafe { more::fd_tell(r, off) }) }
        __imported_wasi_snapshot_preview1_fd_write(fd: Fd, iovs: *const Iovec, n: usize, nw: *mut usize) { stream_op(fd, true, |r| unsafe { raw::fd_write(r, iovs, n, nw) }) }

        __imported_wasi_snapshot_preview1_path_create_directory(fd: Fd, p: *const u8, l: usize) { dir_op(fd, |r| unsafe { raw::path_create_directory(r, p, l) }) }
        __imported_wasi_snapshot_preview1_path_filestat_get(fd: Fd, fl: u32, p: *const u8, l: usize, st: *mut p1::Filestat) { dir_op(fd, |r| unsafe { raw::path_filestat_get(r, fl, p, l, st) }) }
        __imported_wasi_snapshot_preview1_path_filestat_set_times(fd: Fd, fl: u32, p: *const u8, l: usize, a: u64, m: u64, fst: u16) { dir_op(fd, |r| unsafe { raw::path_filestat_set_times(r, fl, p, l, a, m, fst) }) }
        __imported_wasi_snapshot_preview1_path_link(ofd: Fd, ofl: u32, o: *const u8, ol: usize, nfd: Fd, n: *const u8, nl: usize) {
            dir_op(ofd, |ro| dir_op(nfd, |rn| unsafe { raw::path_link(ro, ofl, o, ol, rn, n, nl) }))
        }
        __imported_wasi_snapshot_preview1_path_open(fd: Fd, dfl: u32, p: *const u8, l: usize, of: u16, base: u64, inh: u64, ff: u16, out: *mut Fd) { path_open(fd, dfl, p, l, of, base, inh, ff, out) }
        __imported_wasi_snapshot_preview1_path_readlink(fd: Fd, p: *const u8, l: usize, buf: *mut u8, bl: usize, used: *mut usize) { dir_op(fd, |r| unsafe { raw::path_readlink(r, p, l, buf, bl, used) }) }
        __imported_wasi_snapshot_preview1_path_remove_directory(fd: Fd, p: *const u8, l: usize) { dir_op(fd, |r| unsafe { raw::path_remove_directory(r, p, l) }) }
        __imported_wasi_snapshot_preview1_path_rename(ofd: Fd, o: *const u8, ol: usize, nfd: Fd, n: *const u8, nl: usize) {
            dir_op(ofd, |ro| dir_op(nfd, |rn| unsafe { raw::path_rename(ro, o, ol, rn, n, nl) }))
        }
        __imported_wasi_snapshot_preview1_path_symlink(o: *const u8, ol: usize, fd: Fd, n: *const u8, nl: usize) { dir_op(fd, |r| unsafe { raw::path_symlink(o, ol, r, n, nl) }) }
        __imported_wasi_snapshot_preview1_path_unlink_file(fd: Fd, p: *const u8, l: usize) { dir_op(fd, |r| unsafe { raw::path_unlink_file(r, p, l) }) }

        __imported_wasi_snapshot_preview1_poll_oneoff(subs: *mut u8, ev: *mut u8, n: usize, nev: *mut usize) { poll_oneoff(subs, ev, n, nev) }

        __imported_wasi_snapshot_preview1_sock_accept(_fd: Fd, _flags: u32, _out: *mut Fd) { sock() }
        __imported_wasi_snapshot_preview1_sock_recv(_fd: Fd, _iovs: *const Iovec, _n: usize, _fl: u16, _nread: *mut usize, _ofl: *mut u16) { sock() }
        __imported_wasi_snapshot_preview1_sock_send(_fd: Fd, _iovs: *const Iovec, _n: usize, _fl: u16, _nw: *mut usize) { sock() }
        __imported_wasi_snapshot_preview1_sock_shutdown(_fd: Fd, _how: u32) { sock() }
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
    fn file_events_are_the_component_adapters() {
        // Writing: one byte, no flags, whatever the stat says.
        assert_eq!(file_event(true, Ok((5, 0))), (0, 1, 0));
        assert_eq!(file_event(true, Err(EBADF)), (0, 1, 0));
        // Reading: what is left, HANGUP at (or past) the end, a stat's error with one byte.
        assert_eq!(file_event(false, Ok((5, 0))), (0, 5, 0));
        assert_eq!(file_event(false, Ok((5, 5))), (0, 0, EVENT_FD_READWRITE_HANGUP));
        assert_eq!(file_event(false, Ok((5, 9))), (0, 0, EVENT_FD_READWRITE_HANGUP));
        assert_eq!(file_event(false, Err(EBADF)), (EBADF, 1, 0));
    }

    #[test]
    fn no_subscriptions_is_einval() {
        let mut n = 7usize;
        assert_eq!(poll_oneoff(core::ptr::null_mut(), core::ptr::null_mut(), 0, &mut n), EINVAL);
        assert_eq!(n, 0);
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

    #[test]
    fn badfd_close_and_renumber() {
        // The instance's own table (a fresh one per test thread on the host).
        let mut a = 0;
        let mut b = 0;
        assert_eq!((open_badfd(&mut a), open_badfd(&mut b)), (0, 0));
        assert_eq!((a, b), (3, 4));
        // fd_close leaves a bad fd alone; WASIp1 calls on it get the adapter's errnos.
        assert_eq!(fd_close(a), EBADF);
        assert_eq!(fd_seek(a, 0, 0, core::ptr::null_mut()), ESPIPE);
        assert_eq!(file_op(a, EINVAL, |_| 0), EINVAL);
        assert_eq!(dir_op(a, |_| 0), EBADF);
        assert_eq!(fd_fdstat_set_rights(a), EBADF);
        assert_eq!(fd_fdstat_set_rights(1), 0);
        assert_eq!(stream_fd(1, true), Ok(1));
        assert_eq!(stream_fd(1, false), Err(EBADF));
        assert_eq!(stream_fd(a, true), Err(EBADF));
        // Renumber needs both open: b takes a's place, b's number is freed.
        assert_eq!(fd_renumber(a, 9), EBADF);
        assert_eq!(fd_renumber(b, a), 0);
        assert_eq!(close_badfd(b), EBADF);
        assert_eq!(close_badfd(a), 0);
        assert_eq!(close_badfd(a), EBADF);
        // LIFO: a (closed last) comes back first, then b.
        let mut c = 0;
        open_badfd(&mut c);
        assert_eq!(c, a);
        open_badfd(&mut c);
        assert_eq!(c, b);
        // Stdio can be closed (only its slot goes) and its number reused.
        assert_eq!(fd_close(2), 0);
        open_badfd(&mut c);
        assert_eq!(c, 2);
    }
}
