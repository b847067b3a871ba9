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
//! - `proc_exit(n)` ends the program with status 0 for 0, 1 for anything else;
//! - a file's or directory's `fd_filestat_get`/`path_filestat_get` has `dev` 1 and `ino` the
//!   lower half of its WASI 0.2 metadata hash; `fd_readdir` lists `.` (`d_ino` the directory's
//!   hash), `..` (`d_ino` 0), then the entries with `d_ino` the hash of each name's `lstat`
//!   (0 when that fails), numbered by the adapter's own cookies (0, 1, 2, …).
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
    forget_listing(fd);
    table().close(fd).err().unwrap_or(0)
}

pub fn fd_close(fd: Fd) -> Errno {
    match entry(fd) {
        Ok(Entry::Bad) => EBADF,
        Ok(_) => {
            forget_listing(fd);
            table().close(fd).err().unwrap_or(0)
        }
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
    forget_listing(to);
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

/// `fd_filestat_get`: stdio is all zeros but its file type (as the adapter answers); a file or
/// directory is the runtime's stat with the component adapter's `dev` and `ino` ([`native_ids`]).
pub fn fd_filestat_get(fd: Fd, out: *mut p1::Filestat) -> Errno {
    let st = match entry(fd) {
        Ok(Entry::Stdio(r)) => p1::Filestat { filetype: stdio_filetype(r), ..p1::Filestat::default() },
        Ok(Entry::Preopen(r) | Entry::Dir(r) | Entry::File(r)) => {
            let mut st = p1::Filestat::default();
            // SAFETY: a valid out-pointer.
            let e = unsafe { p1::raw::fd_filestat_get(r, &mut st) };
            if e != 0 {
                return e;
            }
            native_ids(st)
        }
        _ => return EBADF,
    };
    // SAFETY: the program's result pointer.
    unsafe { out.write(st) };
    0
}

/// `path_filestat_get`: the runtime's stat of the path with the component adapter's `dev` and
/// `ino` ([`native_ids`]: its `metadata-hash-at` with the same flags, which natively is a
/// second stat of the same path, and here the same stat's numbers).
pub fn path_filestat_get(fd: Fd, flags: u32, path: *const u8, len: usize, out: *mut p1::Filestat) -> Errno {
    dir_op(fd, |r| {
        let mut st = p1::Filestat::default();
        // SAFETY: the program's path, a valid out-pointer.
        let e = unsafe { p1::raw::path_filestat_get(r, flags, path, len, &mut st) };
        if e == 0 {
            // SAFETY: the program's result pointer.
            unsafe { out.write(native_ids(st)) };
        }
        e
    })
}

/// What the component adapter reports for an object the runtime's stat describes: `dev` 1 and
/// `ino` the lower half of the WASI 0.2 `metadata-hash` (the hash of the runtime's device and
/// inode numbers, as `wasi:filesystem/types` computes it); every other field as the runtime
/// gave it (natively the descriptor-stat's, which carries the same values).
fn native_ids(st: p1::Filestat) -> p1::Filestat {
    p1::Filestat { dev: 1, ino: metadata_hash(&st), ..st }
}

/// The lower half of the metadata hash of what the runtime's stat `st` describes.
fn metadata_hash(st: &p1::Filestat) -> u64 {
    crate::filesystem::types::hash((st.dev, st.ino)).lower
}

/// The smallest room asked of the runtime's `fd_readdir` while taking a listing.
const LISTBUF: usize = 8192;
/// The component adapter's `DIRENT_CACHE`: the longest name its dirent cache keeps.
const KEPT_NAME: usize = 256;
/// `__wasi_dirent_t`'s size: the header before each name.
const DIRENT: usize = core::mem::size_of::<p1::Dirent>();
const EILSEQ: Errno = 25;
const EIO: Errno = 29;
const ENOSYS: Errno = 52;
const ENOTSUP: Errno = 58;

/// The listing `fd_readdir` reads: the runtime's entries of one directory (its fd `real`), and
/// the component adapter's dirent cache over it.
///
/// Natively the component adapter numbers the entries itself (cookie 0 is `.`, 1 is `..`,
/// then the WASI 0.2 `read-directory` entries in order) and keeps one stream: when a call's
/// buffer fills up, the entry cut short at its end, for the next call on the same fd asking for
/// that entry's cookie to continue from; any other call starts the listing over and passes
/// over `cookie` entries. wasmtime's host reads the whole directory when a stream starts (the
/// names and types; `d_ino` is asked as each entry is handed out), so the listing here is
/// taken whole too: entries removed or added meanwhile do not change it. The runtime's cookies
/// never reach the program.
struct Listing {
    /// `cap` bytes in the adapter's private heap (null until the first listing): `buf[..len]`
    /// the runtime's entries, `buf[pos..len]` those not yet handed out; `err`, when not 0,
    /// the runtime's failure after them (to report once, in place of the next entry).
    buf: *mut u8,
    cap: usize,
    real: Fd,
    pos: usize,
    len: usize,
    err: Errno,
    /// The dirent cache: whether it holds an entry, for which fd, at which cookie, the entry's
    /// header and its name (`entry.namlen` bytes of `name`).
    kept: bool,
    fd: Fd,
    at: u64,
    entry: p1::Dirent,
    name: [u8; KEPT_NAME],
}

// All zeros: no data segment for it.
crate::instance_cell!(listing: Listing = Listing {
    buf: core::ptr::null_mut(),
    cap: 0,
    real: 0,
    pos: 0,
    len: 0,
    err: 0,
    kept: false,
    fd: 0,
    at: 0,
    entry: p1::Dirent { next: 0, ino: 0, namlen: 0, ty: 0 },
    name: [0; KEPT_NAME],
});

/// The errno a failing `read-directory` reaches the program as natively, for the runtime's
/// `fd_readdir` failure `e` (what `wasi:filesystem/types` makes of it, then the component
/// adapter's errno of that error code).
fn listing_errno(e: Errno) -> Errno {
    match e {
        p1::ENOTCAPABLE => EBADF,
        ENOSYS => ENOTSUP,
        e if crate::errno::to_filesystem(e).is_some() => e,
        _ => EIO,
    }
}

/// The header of the runtime entry at `p` (unaligned).
///
/// # Safety
/// `p` has `DIRENT` readable bytes.
unsafe fn header(p: *const u8) -> p1::Dirent {
    // SAFETY: the caller's.
    unsafe { (p as *const p1::Dirent).read_unaligned() }
}

impl Listing {
    /// Takes the runtime's whole listing of `real`, as the native host does when a stream
    /// starts; a failure of the first `fd_readdir` is the call's (natively `read-directory`'s).
    fn restart(&mut self, real: Fd) -> Result<(), Errno> {
        (self.real, self.pos, self.len, self.err) = (real, 0, 0, 0);
        let mut cookie = 0;
        loop {
            if self.cap - self.len < LISTBUF {
                let cap = (self.cap * 2).max(LISTBUF);
                self.buf = crate::alloc::private::realloc(self.buf, self.cap, 8, cap);
                self.cap = cap;
            }
            let room = self.cap - self.len;
            let mut used = 0;
            // SAFETY: `buf[len..cap]` is ours.
            let e = unsafe { p1::raw::fd_readdir(real, self.buf.add(self.len), room, cookie, &mut used) };
            if e != 0 {
                if self.len == 0 && cookie == 0 && e != EILSEQ {
                    return Err(listing_errno(e));
                }
                // Reported in place of the next entry, once; the listing ends there. (wasmtime's
                // WASIp1 refuses a whole listing with one name that is not UTF-8, at every
                // cookie: as `wasi:filesystem/types` does, that is one error, then the end.)
                self.err = if e == EILSEQ { EILSEQ } else { listing_errno(e) };
                return Ok(());
            }
            if used < room {
                // The end: every entry whole.
                self.len += used.min(room);
                return Ok(());
            }
            // A full buffer: keep the whole entries, ask again after the last of them.
            let (mut at, mut whole) = (self.len, None);
            while self.len + room - at >= DIRENT {
                // SAFETY: a header's worth of bytes at `at`, within `buf[..len + room]`.
                let h = unsafe { header(self.buf.add(at)) };
                let end = at + DIRENT;
                if h.namlen as usize > self.len + room - end {
                    break;
                }
                at = end + h.namlen as usize;
                whole = Some(h.next);
            }
            match whole {
                Some(next) => (self.len, cookie) = (at, next),
                // One entry longer than the buffer (names are at most 255 bytes natively).
                None => {
                    self.err = ENAMETOOLONG;
                    return Ok(());
                }
            }
        }
    }

    /// The next runtime entry but `.` and `..` (as WASI 0.2's `read-directory` yields them):
    /// its type and where its name is in `buf`; `None` at the end; an entry whose name is not
    /// UTF-8 is EILSEQ in its place (natively `illegal-byte-sequence`), and the listing goes on.
    fn next_runtime(&mut self) -> Result<Option<(u8, usize, usize)>, Errno> {
        // `restart` kept whole entries only.
        while self.len - self.pos >= DIRENT {
            // SAFETY: a header's worth of bytes at `pos`, within `buf[..len]`.
            let h = unsafe { header(self.buf.add(self.pos)) };
            let (at, n) = (self.pos + DIRENT, h.namlen as usize);
            self.pos = at + n;
            // SAFETY: `buf[at..at + n]` is within the listing (a whole entry).
            let name = unsafe { core::slice::from_raw_parts(self.buf.add(at), n) };
            if name == b"." || name == b".." {
                continue;
            }
            if !crate::abi::is_utf8(name) {
                return Err(EILSEQ);
            }
            // The type as the component adapter converts WASI 0.2's (the runtime's filetype
            // through `wasi:filesystem`'s descriptor types): the ones WASIp1 defines kept.
            return Ok(Some((if h.ty > 7 { 0 } else { h.ty }, at, n)));
        }
        match core::mem::replace(&mut self.err, 0) {
            0 => Ok(None),
            e => Err(e),
        }
    }
}

/// One item of the component adapter's listing.
enum Item {
    /// `.` or `..` (the name's length: 1 or 2).
    Dots(p1::Dirent),
    /// The dirent cache's entry (its name in `Listing::name`).
    Kept(p1::Dirent),
    /// A runtime entry, its name at this offset of `Listing::buf`.
    At(p1::Dirent, usize),
}

/// The component adapter's listing iterator: the cookie of the next item and whether the
/// dirent cache's entry comes next (after `.` and `..` when the cookie is below 2, as there).
struct Items {
    cookie: u64,
    kept: bool,
}

impl Items {
    /// The next item (`None` at the end). `ino`: whether an entry's `d_ino` is wanted (not when
    /// passing over entries, where natively only a failure of `.`'s would show).
    fn next(&mut self, l: &mut Listing, ino: bool) -> Option<Result<Item, Errno>> {
        let c = self.cookie;
        self.cookie = c.wrapping_add(1);
        let next = self.cookie;
        if c == 0 {
            // `.`: the directory's own metadata hash; its failure is the call's.
            let mut st = p1::Filestat::default();
            // SAFETY: a valid out-pointer.
            let e = unsafe { p1::raw::fd_filestat_get(l.real, &mut st) };
            if e != 0 {
                return Some(Err(e));
            }
            return Some(Ok(Item::Dots(p1::Dirent { next, ino: metadata_hash(&st), namlen: 1, ty: p1::FILETYPE_DIRECTORY })));
        }
        if c == 1 {
            return Some(Ok(Item::Dots(p1::Dirent { next, ino: 0, namlen: 2, ty: p1::FILETYPE_DIRECTORY })));
        }
        if self.kept {
            self.kept = false;
            return Some(Ok(Item::Kept(l.entry)));
        }
        let (ty, at, n) = match l.next_runtime() {
            Ok(Some(e)) => e,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        // `d_ino`: the lower half of the entry's `metadata-hash-at` without following links,
        // 0 when it fails (an entry removed since it was listed).
        let mut d_ino = 0;
        if ino {
            let mut st = p1::Filestat::default();
            // SAFETY: the name in `buf`, a valid out-pointer.
            if unsafe { p1::raw::path_filestat_get(l.real, 0, l.buf.add(at), n, &mut st) } == 0 {
                d_ino = metadata_hash(&st);
            }
        }
        Some(Ok(Item::At(p1::Dirent { next, ino: d_ino, namlen: n as u32, ty }, at)))
    }
}

/// `fd_readdir`, as the component adapter lists a directory: `.` (`d_ino` the directory's
/// metadata hash), `..` (`d_ino` 0), then the runtime's entries but its own `.` and `..` in
/// its order, each with `d_ino` from [`Items::next`]; cookies are the items' indexes; the
/// buffer filled as far as it goes, the last entry cut short where it ends (and kept, with the
/// runtime listing, for the next call that asks for it).
pub fn fd_readdir(fd: Fd, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) -> Errno {
    let mut l = listing();
    let resume = core::mem::replace(&mut l.kept, false) && l.fd == fd && l.at == cookie;
    let real = match entry(fd) {
        Ok(Entry::Dir(r) | Entry::Preopen(r)) => r,
        Ok(Entry::File(_)) => return ENOTDIR,
        _ => return EBADF,
    };
    let mut items = Items { cookie, kept: true };
    // The kept listing is that fd's (closing or replacing it forgets it: `forget_listing`).
    if !resume || l.real != real {
        if let Err(e) = l.restart(real) {
            return e;
        }
        items = Items { cookie: 0, kept: false };
        for _ in 0..cookie {
            match items.next(&mut l, false) {
                Some(Ok(_)) => {}
                Some(Err(e)) => return e,
                None => {
                    // SAFETY: the program's result pointer.
                    unsafe { used.write(0) };
                    return 0;
                }
            }
        }
    }
    let mut rest = len;
    let mut out = buf;
    let mut put = |from: *const u8, n: usize, rest: &mut usize| {
        let n = n.min(*rest);
        // SAFETY: `out` has `rest` bytes left of the program's buffer; `from` has `n` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(from, out, n);
            out = out.add(n);
        }
        *rest -= n;
    };
    while rest > 0 {
        let item = match items.next(&mut l, true) {
            Some(Ok(item)) => item,
            Some(Err(e)) => return e,
            None => break,
        };
        let (d, name): (p1::Dirent, *const u8) = match item {
            Item::Dots(d) => (d, b"..".as_ptr()),
            Item::Kept(d) => (d, l.name.as_ptr()),
            // SAFETY: within `buf`.
            Item::At(d, at) => (d, unsafe { l.buf.add(at) }),
        };
        let header = d.bytes();
        put(header.as_ptr(), DIRENT, &mut rest);
        let n = d.namlen as usize;
        put(name, n, &mut rest);
        if rest == 0 && n <= KEPT_NAME {
            // Kept for the next call, which continues with this entry.
            if let Item::At(_, at) = item {
                // SAFETY: `n` bytes at `at` within `buf`, `n <= KEPT_NAME`; distinct blocks.
                unsafe { core::ptr::copy_nonoverlapping(l.buf.add(at), l.name.as_mut_ptr(), n) };
            } else if let Item::Dots(_) = item {
                l.name[..n].copy_from_slice(&b".."[..n]);
            }
            (l.kept, l.fd, l.at, l.entry) = (true, fd, items.cookie.wrapping_sub(1), d);
            break;
        }
    }
    // SAFETY: the program's result pointer.
    unsafe { used.write(len - rest) };
    0
}

/// Closing or replacing `fd` ends the listing kept for it (natively `fd_close` drops the
/// dirent cache's stream; a replaced fd's runtime fd is closed).
fn forget_listing(fd: Fd) {
    let mut l = listing();
    if l.fd == fd {
        l.kept = false;
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
        __imported_wasi_snapshot_preview1_fd_readdir(fd: Fd, buf: *mut u8, len: usize, cookie: u64, used: *mut usize) { fd_readdir(fd, buf, len, cookie, used) }
        __imported_wasi_snapshot_preview1_fd_renumber(from: Fd, to: Fd) { fd_renumber(from, to) }
        __imported_wasi_snapshot_preview1_fd_seek(fd: Fd, off: i64, whence: u8, new: *mut u64) { fd_seek(fd, off, whence, new) }
        __imported_wasi_snapshot_preview1_fd_sync(fd: Fd) { file_op(fd, EINVAL, |r| unsafe { raw::fd_sync(r) }) }
        __imported_wasi_snapshot_preview1_fd_tell(fd: Fd, off: *mut u64) { file_op(fd, ESPIPE, |r| unsafe { more::fd_tell(r, off) }) }
        __imported_wasi_snapshot_preview1_fd_write(fd: Fd, iovs: *const Iovec, n: usize, nw: *mut usize) { stream_op(fd, true, |r| unsafe { raw::fd_write(r, iovs, n, nw) }) }

        __imported_wasi_snapshot_preview1_path_create_directory(fd: Fd, p: *const u8, l: usize) { dir_op(fd, |r| unsafe { raw::path_create_directory(r, p, l) }) }
        __imported_wasi_snapshot_preview1_path_filestat_get(fd: Fd, fl: u32, p: *const u8, l: usize, st: *mut p1::Filestat) { path_filestat_get(fd, fl, p, l, st) }
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
    fn stat_ids_and_listing_errors_are_the_component_adapters() {
        let st = p1::Filestat { dev: 7, ino: 9, filetype: 4, nlink: 2, size: 3, atim: 4, mtim: 5, ctim: 6 };
        let n = native_ids(st);
        assert_eq!((n.dev, n.ino), (1, crate::filesystem::types::hash((7, 9)).lower));
        assert_eq!((n.filetype, n.nlink, n.size, n.atim, n.mtim, n.ctim), (4, 2, 3, 4, 5, 6));
        // A runtime failure of `fd_readdir` as `wasi:filesystem` and the component adapter
        // pass it on: rights are the open mode, ENOSYS unsupported, an unknown errno EIO.
        assert_eq!(listing_errno(p1::ENOTCAPABLE), EBADF);
        assert_eq!(listing_errno(ENOSYS), ENOTSUP);
        assert_eq!(listing_errno(p1::ENOENT), p1::ENOENT);
        assert_eq!(listing_errno(999), EIO);
        // `fd_readdir` on what is not a directory: the adapter's `get_dir`.
        let (mut buf, mut used) = ([0u8; 64], 5usize);
        assert_eq!(fd_readdir(99, buf.as_mut_ptr(), buf.len(), 0, &mut used), EBADF);
        assert_eq!(fd_readdir(1, buf.as_mut_ptr(), buf.len(), 0, &mut used), EBADF);
        let f = table().open(Entry::File(10)).unwrap();
        assert_eq!(fd_readdir(f, buf.as_mut_ptr(), buf.len(), 0, &mut used), ENOTDIR);
        assert_eq!(used, 5);
        table().close(f).unwrap();
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
