//! `wasi:filesystem/types` on WASIp1 `fd_*` and `path_*` calls.
//!
//! Native behaviour reproduced here (wasmtime's WASIp2 host is the reference):
//! - `open-at` without `write` opens for reading; `create` and `truncate` imply writing; the
//!   three sync flags are `unsupported`; `directory` with `create`/`exclusive`/`truncate` is
//!   `invalid`; WASIp1 rights asked for are what the flags need, within what the directory
//!   can grant (WAMR enforces rights; wasmtime traps on bits >= 30);
//! - path operations on a file are `not-directory`; file operations on a directory are
//!   `bad-descriptor`, except `read-via-stream` (`is-directory`);
//! - the two runtimes' answers to a path escaping the preopen (ENOTCAPABLE on WAMR, EPERM on
//!   wasmtime) both become `not-permitted`; an fd operation refused for lack of rights
//!   (ENOTCAPABLE) becomes `bad-descriptor`, as the open mode refuses it natively;
//! - `read` returns at most 64 KiB and reports end of file only when it read nothing;
//! - `read`/`write` refuse an offset past 2^63 (`invalid`), then a file not opened for it
//!   (`bad-descriptor`), as `pread`/`pwrite` do natively, even for nothing; `set-size` of a
//!   file not opened for writing is `invalid` (the OS's `ftruncate`);
//! - `read-directory` never yields `.` or `..`; an entry whose name is not UTF-8 is an
//!   `illegal-byte-sequence` error in its place (see `DirState::next`);
//! - a last path component that is a symbolic link followed by `/` is answered as natively,
//!   whatever the runtime's own path resolution does (see `slash_link`); `readlink-at` of an
//!   absolute target is `not-permitted`; `open-at` with `create` and `exclusive` never follows
//!   the last component; `link-at` with `symlink-follow` is `invalid`.

use crate::abi::{self, List, RetPtr, WOption, WResult};
use crate::alloc;
use crate::clocks::wall_clock::Datetime;
use crate::io::error::IoError;
use crate::io::streams::{self, fd_errno};
use crate::p1;
use crate::resource::{self, Resource};
use crate::trap::trap;
use crate::types::filesystem_types::{Advice, DescriptorFlags, DescriptorType, ErrorCode, OpenFlags, PathFlags};

type Res<T> = Result<T, ErrorCode>;

/// A `descriptor`: a WASIp1 fd with what the program opened it as. Preopen descriptors share
/// the runtime's preopened fd and never close it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor {
    pub fd: u32,
    pub preopen: bool,
    pub ty: DescriptorType,
    /// What `get-flags` reports: how it was opened.
    pub flags: DescriptorFlags,
    /// Whether what is under it may be changed: inherited from the preopen, as natively
    /// (a subdirectory opened for reading still lets the program create files in it).
    pub mutate: bool,
    /// For a directory: the WASIp1 rights it can grant to what is opened under it (asked
    /// once, so an `open-at` is one WASIp1 call plus the type check).
    pub inheriting: u64,
    /// The object's identity (device, inode), learnt from the stat made when it was opened.
    /// An open descriptor's object cannot change, so `metadata-hash` needs no WASIp1 call.
    pub identity: (u64, u64),
}

impl Descriptor {
    fn is_dir(&self) -> bool {
        self.ty == DescriptorType::Directory
    }
    /// For path operations: the directory's fd, else `not-directory`.
    fn dir(&self) -> Res<u32> {
        if self.is_dir() { Ok(self.fd) } else { Err(ErrorCode::NotDirectory) }
    }
    /// For file operations: the file's fd, else `bad-descriptor`.
    fn file(&self) -> Res<u32> {
        if self.is_dir() { Err(ErrorCode::BadDescriptor) } else { Ok(self.fd) }
    }
    /// For `read` / `write` at `offset`: the file's fd if it was opened with `mode` (`read`
    /// or `write`), in the OS's order (`pread`/`pwrite`, as natively): an offset past 2^63 is
    /// `invalid` (EINVAL), then a file not opened so is `bad-descriptor` (EBADF) — also for a
    /// read or write of nothing, which WASIp1 (or the adapter) would answer without asking.
    fn file_at(&self, mode: DescriptorFlags, offset: u64) -> Res<u32> {
        let fd = self.file()?;
        if offset > i64::MAX as u64 {
            Err(ErrorCode::Invalid)
        } else if !self.flags.contains(mode) {
            Err(ErrorCode::BadDescriptor)
        } else {
            Ok(fd)
        }
    }
}

pub(crate) fn get(handle: u32) -> Descriptor {
    *resource::get::<Descriptor>(handle)
}

/// The `error-code` for a WASIp1 failure of a path operation.
fn path_err(e: u16) -> ErrorCode {
    crate::errno::to_filesystem(e).unwrap_or(ErrorCode::Io)
}

/// The `error-code` for a WASIp1 failure of an fd operation.
fn fd_err(e: u16) -> ErrorCode {
    path_err(fd_errno(e))
}

/// A `string` parameter. The canonical ABI guarantees UTF-8; a NUL byte cannot name a file
/// (a native host refuses it as `invalid`), and WASIp1 would cut the path there.
fn path<'a>(ptr: *const u8, len: usize) -> Res<&'a [u8]> {
    // SAFETY: canonical ABI `string` parameter, valid for the call.
    let p = unsafe { abi::bytes(ptr, len) };
    if abi::has_nul(p) { Err(ErrorCode::Invalid) } else { Ok(p) }
}

/// WASIp1's `filetype::symbolic_link`.
const FILETYPE_SYMBOLIC_LINK: u8 = 7;
/// WASIp1's `errno::ilseq`.
const EILSEQ: p1::Errno = 25;

/// How an operation uses the object its path names: the native answers for a last component
/// that is a symbolic link followed by `/` differ by operation (see [`slash_link`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// `stat-at`, `metadata-hash-at` without `symlink-follow`: the name itself (a link is not
    /// followed, even with a trailing `/`).
    StatLink,
    /// Reaching the object: `stat-at`/`metadata-hash-at` with `symlink-follow`, `open-at`
    /// without `create`, `set-times-at`.
    Reach,
    /// `open-at` with `create`.
    OpenCreate,
    Readlink,
    /// `link-at`'s old path.
    LinkFrom,
    /// A new name: `link-at`'s and `symlink-at`'s new path.
    NewEntry,
    CreateDirectory,
    Unlink,
    RemoveDirectory,
    /// Either path of `rename-at`.
    Rename,
}

/// What a symbolic link followed by `/` leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Missing,
    NotDirectory,
    Directory,
}

/// The native answer for a path `LINK/` used as `how`, where `LINK` is a symbolic link and
/// `target()` tells what it leads to (or the error of following it, other than "no entry";
/// asked only when the answer depends on it): `Ok` lets the runtime carry the operation out
/// on the path as given. The native host (wasmtime, cap-std) resolves `LINK/` as the link's
/// target, which must be a directory, and never creates, removes or renames anything through
/// it; measured with `adapter-tests/rust/p2-fs-hostile` (`tests/filesystem.rs`).
fn slash_link_rule(how: Use, target: impl FnOnce() -> Res<Target>) -> Res<()> {
    match how {
        Use::CreateDirectory => return Err(ErrorCode::Exist),
        Use::Rename => return Err(ErrorCode::NotDirectory),
        Use::OpenCreate => return Err(ErrorCode::IsDirectory),
        _ => {}
    }
    match target()? {
        Target::Missing => Err(ErrorCode::NoEntry),
        Target::NotDirectory => Err(ErrorCode::NotDirectory),
        Target::Directory => match how {
            Use::Readlink | Use::RemoveDirectory => Err(ErrorCode::Invalid),
            Use::LinkFrom => Err(ErrorCode::NotPermitted),
            Use::NewEntry => Err(ErrorCode::Exist),
            Use::Unlink => Err(ErrorCode::IsDirectory),
            // The runtimes follow it to the directory, as natively.
            _ => Ok(()),
        },
    }
}

/// `p` without its trailing `/`s, when it has some and its last component could be a link.
fn slash_stem(p: &[u8]) -> Option<&[u8]> {
    // (Most paths do not end with `/`: nothing to scan then.)
    if p.last() != Some(&b'/') {
        return None;
    }
    let mut end = p.len();
    while end > 0 && p[end - 1] == b'/' {
        end -= 1;
    }
    let stem = &p[..end];
    let last = stem.rsplit(|&b| b == b'/').next().unwrap_or(stem);
    if end == p.len() || last.is_empty() || last == b"." || last == b".." { None } else { Some(stem) }
}

/// The one place where a path parameter meets the runtimes' path resolution: path `p` under
/// directory `fd`, used as `how`, as the runtime should be given it (or the operation's
/// native answer). A last component that is a symbolic link followed by `/` is followed by
/// WAMR even without `symlink-follow` (so a dangling link's target gets created, a link to a
/// file passes for a directory, `rename-at` moves what the link points to); wasmtime does
/// not. Such a path is answered here by [`slash_link_rule`] (one `path_filestat` of the link,
/// and one of its target when the rule needs it). Two more native answers for any name
/// followed by `/`: the stat functions without `symlink-follow` ignore the `/` when the path
/// is that one name (they describe the link, or whatever the name is, itself; WAMR says
/// `not-directory` for a file) and apply the OS's rule to a longer path (measured with
/// `adapter-tests/c/libc_stat_path.c`),
/// and `remove-directory-at` of `DIR/` is `invalid` (natively it is `DIR/.`; WAMR removes
/// `DIR`). Any other path is handed on unchanged (no extra WASIp1 call unless it ends with
/// `/`).
fn slash_link(fd: u32, p: &[u8], how: Use) -> Res<&[u8]> {
    let Some(stem) = slash_stem(p) else { return Ok(p) };
    if how == Use::StatLink {
        // Natively one component `NAME/` is `NAME` itself, whatever it is (a file too); with
        // more than one (`DIR/NAME/`, `./NAME/`) the OS's rule holds: a link is followed and
        // must lead to a directory — which the runtimes apply to the path as given.
        return Ok(if stem.contains(&b'/') { p } else { stem });
    }
    match p1::path_filestat(fd, 0, stem) {
        Ok(s) if s.filetype == FILETYPE_SYMBOLIC_LINK => {}
        Ok(s) if s.filetype == p1::FILETYPE_DIRECTORY && how == Use::RemoveDirectory => return Err(ErrorCode::Invalid),
        // Not a link, or nothing there: the runtime's own answer is the native one.
        _ => return Ok(p),
    }
    let target = || match p1::path_filestat(fd, p1::LOOKUP_SYMLINK_FOLLOW, stem) {
        Ok(s) if s.filetype == p1::FILETYPE_DIRECTORY => Ok(Target::Directory),
        Ok(_) => Ok(Target::NotDirectory),
        Err(p1::ENOENT) => Ok(Target::Missing),
        Err(e) => Err(path_err(e)),
    };
    slash_link_rule(how, target).map(|()| p)
}

/// A path parameter of a path operation on directory `fd`: [`path`] then [`slash_link`].
fn path_at<'a>(fd: u32, ptr: *const u8, len: usize, how: Use) -> Res<&'a [u8]> {
    slash_link(fd, path(ptr, len)?, how)
}

/// How a stat-like function with `path_flags` uses its path.
fn stat_use(path_flags: u8) -> Use {
    if lookup(path_flags) == 0 { Use::StatLink } else { Use::Reach }
}

fn descriptor_type(filetype: u8) -> DescriptorType {
    match filetype {
        1 => DescriptorType::BlockDevice,
        2 => DescriptorType::CharacterDevice,
        3 => DescriptorType::Directory,
        4 => DescriptorType::RegularFile,
        5 | 6 => DescriptorType::Socket,
        7 => DescriptorType::SymbolicLink,
        _ => DescriptorType::Unknown,
    }
}

/// A new descriptor handle over `fd`, typed by the runtime's `fd_filestat_get`.
pub fn new_descriptor(fd: u32, preopen: bool) -> u32 {
    let (ty, identity) = match p1::filestat(fd) {
        Ok(s) => (descriptor_type(s.filetype), (s.dev, s.ino)),
        Err(_) => (DescriptorType::Directory, (0, 0)),
    };
    // A preopen is a directory opened for reading that the program may mutate.
    let flags = DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY;
    let inheriting = p1::fdstat(fd).map(|s| s.rights_inheriting).unwrap_or(p1::rights::ALL);
    resource::push(Resource::Descriptor(Descriptor { fd, preopen, ty, flags, mutate: true, inheriting, identity }))
}

/// `[resource-drop]descriptor`: closes the fd (unless a preopen; and only once the streams
/// reading or writing its file are gone too — the resource table sees to that).
pub fn drop_descriptor(this: u32) {
    resource::remove::<Descriptor>(this);
}

/// `[method]descriptor.read-via-stream`: "Return a stream for reading from a file, if
/// available. May fail with an error-code describing why the file cannot be read. Multiple
/// read, write, and append streams may be active on the same open file and they do not
/// interfere with each other."
pub fn descriptor_read_via_stream(this: u32, offset: u64, ret: RetPtr<WResult<u32, ErrorCode>>) {
    let d = get(this);
    let mode = stream_mode(d, DescriptorFlags::READ, streams::Mode::At);
    ret.write(if d.is_dir() { WResult::Err(ErrorCode::IsDirectory) } else { WResult::Ok(streams::new_held_input(d.fd, offset, mode, this)) });
}

/// The mode of a file stream of `d` that reads or writes (`dir`): `mode`, or, when `d` was not
/// opened so, `Refused` (created, as natively, and failing with `bad-descriptor` when used).
fn stream_mode(d: Descriptor, dir: DescriptorFlags, mode: streams::Mode) -> streams::Mode {
    if d.flags.contains(dir) { mode } else { streams::Mode::Refused }
}

/// `[method]descriptor.write-via-stream`: "Return a stream for writing to a file, if
/// available. May fail with an error-code describing why the file cannot be written. Note:
/// This allows using `write-stream`, which is similar to `write` in POSIX."
pub fn descriptor_write_via_stream(this: u32, offset: u64, ret: RetPtr<WResult<u32, ErrorCode>>) {
    let d = get(this);
    let mode = stream_mode(d, DescriptorFlags::WRITE, streams::Mode::At);
    ret.write(d.file().map(|fd| streams::new_held_output(fd, offset, mode, this)).into());
}

/// `[method]descriptor.append-via-stream`: "Return a stream for appending to a file, if
/// available. May fail with an error-code describing why the file cannot be appended. Note:
/// This allows using `write-stream`, which is similar to `write` with `O_APPEND` in POSIX."
pub fn descriptor_append_via_stream(this: u32, ret: RetPtr<WResult<u32, ErrorCode>>) {
    let d = get(this);
    let mode = stream_mode(d, DescriptorFlags::WRITE, streams::Mode::Append);
    ret.write(d.file().map(|fd| streams::new_held_output(fd, 0, mode, this)).into());
}

/// `[method]descriptor.advise`: "Provide file advisory information on a descriptor. This is
/// similar to `posix_fadvise` in POSIX."
pub fn descriptor_advise(this: u32, offset: u64, length: u64, advice: u8, ret: RetPtr<WResult<(), ErrorCode>>) {
    if advice as usize >= Advice::COUNT {
        trap(b"descriptor.advise: invalid advice");
    }
    let r = get(this).file().and_then(|fd| p1::advise(fd, offset, length, advice).map_err(fd_err));
    ret.write(r.into());
}

/// `[method]descriptor.sync-data`: "Synchronize the data of a file to disk. This function
/// succeeds with no effect if the file descriptor is not opened for writing. Note: This is
/// similar to `fdatasync` in POSIX."
pub fn descriptor_sync_data(this: u32, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(sync(get(this), true).into());
}

/// `[method]descriptor.sync`: "Synchronize the data and metadata of a file to disk. This
/// function succeeds with no effect if the file descriptor is not opened for writing. Note:
/// This is similar to `fsync` in POSIX."
pub fn descriptor_sync(this: u32, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(sync(get(this), false).into());
}

fn sync(d: Descriptor, data_only: bool) -> Res<()> {
    let r = if data_only { p1::datasync(d.fd) } else { p1::sync(d.fd) };
    match r {
        Ok(()) => Ok(()),
        // Refused for lack of write rights, or not supported on a directory by the runtime:
        // the WIT says syncing succeeds with no effect when not opened for writing.
        Err(p1::ENOTCAPABLE | p1::EBADF | p1::EINVAL) if d.is_dir() || !d.flags.contains(DescriptorFlags::WRITE) => Ok(()),
        Err(e) => Err(fd_err(e)),
    }
}

/// `[method]descriptor.get-flags`: "Get flags associated with a descriptor. Note: This returns
/// similar flags to `fcntl(fd, F_GETFL)` in POSIX. Note: This returns the value that was the
/// `fs_flags` value returned from `fdstat_get` in earlier versions of WASI."
pub fn descriptor_get_flags(this: u32, ret: RetPtr<WResult<DescriptorFlags, ErrorCode>>) {
    ret.write(WResult::Ok(get(this).flags));
}

/// `[method]descriptor.get-type`: "Get the dynamic type of a descriptor. Note: This returns
/// the same value as the `type` field of the `fd-stat` returned by `stat`, `stat-at` and
/// similar."
///
/// The type of an open descriptor cannot change: the one learnt when it was opened is answered
/// without asking WASIp1 again.
pub fn descriptor_get_type(this: u32, ret: RetPtr<WResult<DescriptorType, ErrorCode>>) {
    ret.write(WResult::Ok(get(this).ty));
}

/// `[method]descriptor.set-size`: "Adjust the size of an open file. If this increases the
/// file's size, the extra bytes are filled with zeros. Note: This was called `fd_filestat_set_size`
/// in earlier versions of WASI."
///
/// On a file not opened for writing: `invalid`, as natively (the OS's `ftruncate` says EINVAL
/// there; WAMR would refuse for lack of rights, `bad-descriptor`).
pub fn descriptor_set_size(this: u32, size: u64, ret: RetPtr<WResult<(), ErrorCode>>) {
    let d = get(this);
    let r = d.file().and_then(|fd| {
        if !d.flags.contains(DescriptorFlags::WRITE) {
            return Err(ErrorCode::Invalid);
        }
        p1::set_size(fd, size).map_err(fd_err)
    });
    ret.write(r.into());
}

/// `new-timestamp`: `variant { no-change, now, timestamp(datetime) }` (lifted from its core
/// values by the generated entry points).
#[repr(C, u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewTimestamp {
    NoChange = 0,
    Now = 1,
    Timestamp(Datetime) = 2,
}

/// A `new-timestamp` as WASIp1's value and flags: `(value, set flag, now flag)` bits chosen
/// by the caller.
fn new_timestamp(t: NewTimestamp, set: u16, now: u16) -> Res<(u64, u16)> {
    match t {
        NewTimestamp::NoChange => Ok((0, 0)),
        NewTimestamp::Now => Ok((0, now)),
        NewTimestamp::Timestamp(Datetime { seconds, nanoseconds }) => {
            // Nanoseconds of a second or more carry into the seconds, as natively.
            let ns = seconds.checked_mul(1_000_000_000).and_then(|s| s.checked_add(nanoseconds as u64));
            ns.map(|ns| (ns, set)).ok_or(ErrorCode::Overflow)
        }
    }
}

/// Both timestamps of a `set-times` call as WASIp1 (atim, mtim, fst_flags).
fn times(atim: NewTimestamp, mtim: NewTimestamp) -> Res<(u64, u64, u16)> {
    let (a, af) = new_timestamp(atim, p1::FSTFLAGS_ATIM, p1::FSTFLAGS_ATIM_NOW)?;
    let (m, mf) = new_timestamp(mtim, p1::FSTFLAGS_MTIM, p1::FSTFLAGS_MTIM_NOW)?;
    Ok((a, m, af | mf))
}

/// `[method]descriptor.set-times`: "Adjust the timestamps of an open file or directory. Note:
/// This is similar to `futimens` in POSIX."
pub fn descriptor_set_times(this: u32, atim: NewTimestamp, mtim: NewTimestamp, ret: RetPtr<WResult<(), ErrorCode>>) {
    let d = get(this);
    let r = times(atim, mtim)
        .and_then(|(a, m, f)| p1::set_times(d.fd, a, m, f).map_err(fd_err));
    ret.write(r.into());
}

/// `tuple<list<u8>, bool>`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ReadResult {
    pub data: List<u8>,
    pub end: bool,
}

/// `[method]descriptor.read`: "Read from a descriptor, without using and updating the
/// descriptor's offset. This function returns a list of bytes containing the data that was
/// read, along with a bool which, when true, indicates that the end of the file was reached.
/// The returned list will contain up to `length` bytes; it may return fewer than requested, if
/// the end of the file is reached or if the I/O operation is interrupted. In the future, this
/// may change to return a `stream<u8, error-code>`. Note: This is similar to `pread` in POSIX."
///
/// Reads at most 64 KiB, straight into the caller's armed buffer when there is one.
pub fn descriptor_read(this: u32, length: u64, offset: u64, ret: RetPtr<WResult<ReadResult, ErrorCode>>) {
    let fd = match get(this).file_at(DescriptorFlags::READ, offset) {
        Ok(fd) => fd,
        Err(e) => return ret.write(WResult::Err(e)),
    };
    let want = length.min(streams::MAX_READ) as usize;
    if want == 0 {
        // Natively a read of nothing "reads 0 bytes", which is how end of file is reported.
        return ret.write(WResult::Ok(ReadResult { data: List::empty(), end: true }));
    }
    let buf = alloc::result_bytes(want);
    // SAFETY: `result_bytes` returned `want` writable bytes.
    let r = p1::pread(fd, unsafe { core::slice::from_raw_parts_mut(buf, want) }, offset);
    let buf = alloc::finish_result_bytes(buf, *r.as_ref().unwrap_or(&0));
    ret.write(match r {
        Ok(0) => WResult::Ok(ReadResult { data: List::empty(), end: true }),
        Ok(n) => WResult::Ok(ReadResult { data: List::new(buf, n), end: false }),
        Err(e) => WResult::Err(fd_err(e)),
    });
}

/// `[method]descriptor.write`: "Write to a descriptor, without using and updating the
/// descriptor's offset. It is valid to write past the end of a file; the file is extended to
/// the extent of the write, with bytes between the previous end and the start of the write
/// set to zero. In the future, this may change to take a `stream<u8, error-code>`. Note: This
/// is similar to `pwrite` in POSIX."
pub fn descriptor_write(this: u32, ptr: *const u8, len: usize, offset: u64, ret: RetPtr<WResult<u64, ErrorCode>>) {
    // SAFETY: canonical ABI `list<u8>` parameter.
    let bytes = unsafe { abi::bytes(ptr, len) };
    let r = get(this)
        .file_at(DescriptorFlags::WRITE, offset)
        .and_then(|fd| p1::pwrite_all(fd, bytes, offset).map(|()| len as u64).map_err(fd_err));
    ret.write(r.into());
}

/// A `directory-entry-stream`: its state lives in the adapter's private heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryEntryStream {
    state: *mut DirState,
}

/// Bytes of `fd_readdir` output buffered per directory stream.
const DIRBUF: usize = 8192;

/// A directory listing in progress. `buf[pos..len]` holds entries WASIp1 returned that have
/// not been handed out; `cookie` is where the next `fd_readdir` continues (the `next` of the
/// last entry consumed: WAMR's cookies are opaque `telldir` values, wasmtime's are indexes,
/// both are only passed back).
struct DirState {
    fd: u32,
    cookie: u64,
    pos: usize,
    len: usize,
    /// WASIp1 returned less than a full buffer: no more entries after `buf[..len]`.
    last: bool,
    buf: [u8; DIRBUF],
}

/// `[method]descriptor.read-directory`: "Read directory entries from a directory. On
/// filesystems where directories contain entries referring to themselves and their parents,
/// often named `.` and `..` respectively, these entries are omitted. This always returns a new
/// stream which starts at the beginning of the directory. Multiple streams may be active on
/// the same directory, and they do not interfere with each other."
pub fn descriptor_read_directory(this: u32, ret: RetPtr<WResult<u32, ErrorCode>>) {
    let d = get(this);
    let fd = match d.dir() {
        Ok(fd) => fd,
        Err(e) => return ret.write(WResult::Err(e)),
    };
    let size = core::mem::size_of::<DirState>();
    let state = alloc::private::realloc(core::ptr::null_mut(), 0, 8, size) as *mut DirState;
    // SAFETY: a fresh block of the right size and alignment.
    unsafe { state.write(DirState { fd, cookie: 0, pos: 0, len: 0, last: false, buf: [0; DIRBUF] }) };
    let h = resource::push_holder(Resource::DirectoryEntryStream(DirectoryEntryStream { state }), this);
    ret.write(WResult::Ok(h));
}

/// `directory-entry`: `record { type: descriptor-type, name: string }`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DirectoryEntry {
    pub ty: DescriptorType,
    pub name: List<u8>,
}

const DIRENT: usize = core::mem::size_of::<p1::Dirent>();

/// What lies at a directory stream's position.
enum At {
    /// Less than an entry's header: refill (or the end).
    Short,
    /// A header whose name runs past the buffered bytes: refill from this entry on.
    Cut,
    /// A whole entry: its type, where its name is in `buf`, and the cookie after it.
    Entry { ty: DescriptorType, name_at: usize, namlen: usize, next: u64 },
}

/// A whole entry at a stream's position whose name is UTF-8 and not `.` or `..`: what
/// [`DirState::next`] would return without refilling ([`DirState::peek`]).
pub(crate) struct Peeked {
    pub ty: DescriptorType,
    /// The name is [`abi::is_plain_name`]: the path rules pass it unchanged.
    plain: bool,
    name_at: usize,
    namlen: usize,
    next: u64,
}

impl DirState {
    fn at(&self) -> At {
        if self.len - self.pos < DIRENT {
            return At::Short;
        }
        // SAFETY: at least a header's worth of bytes remains; read unaligned.
        let h = unsafe { (self.buf.as_ptr().add(self.pos) as *const p1::Dirent).read_unaligned() };
        let name_at = self.pos + DIRENT;
        let namlen = h.namlen as usize;
        // `name_at <= len` (a header's worth remained); compared so, a host's huge `namlen`
        // cannot overflow the sum on wasm32.
        if namlen > self.len - name_at {
            return At::Cut;
        }
        At::Entry { ty: descriptor_type(h.ty), name_at, namlen, next: h.next }
    }

    /// The next entry other than `.` and `..`, refilling from WASIp1 as needed.
    fn next(&mut self) -> Res<Option<(DescriptorType, List<u8>)>> {
        loop {
            match self.at() {
                At::Short if self.last => return Ok(None),
                At::Short => self.fill()?,
                // Cut short by the end of the buffer: refetch from this entry on.
                At::Cut if self.last || self.pos == 0 => return Err(ErrorCode::NameTooLong),
                At::Cut => self.fill()?,
                At::Entry { ty, name_at, namlen, next } => {
                    self.pos = name_at + namlen;
                    self.cookie = next;
                    let name = &self.buf[name_at..name_at + namlen];
                    if name == b"." || name == b".." {
                        continue;
                    }
                    // Natively such an entry is an error in its place, and the listing goes on.
                    if !abi::is_utf8(name) {
                        return Err(ErrorCode::IllegalByteSequence);
                    }
                    return Ok(Some((ty, abi::owned(&[name]))));
                }
            }
        }
    }

    /// The entry [`next`](Self::next) would return, when it is buffered whole and its name is
    /// UTF-8, without taking it ([`take`](Self::take) does); `None` when only `next` can say
    /// (a refill, the end, an error in the entry's place). `.` and `..` are passed over, as
    /// `next` passes over them.
    pub(crate) fn peek(&mut self) -> Option<Peeked> {
        loop {
            let At::Entry { ty, name_at, namlen, next } = self.at() else { return None };
            let name = &self.buf[name_at..name_at + namlen];
            if name == b"." || name == b".." {
                self.pos = name_at + namlen;
                self.cookie = next;
                continue;
            }
            let plain = abi::is_plain_name(name);
            return (plain || abi::is_utf8(name)).then_some(Peeked { ty, plain, name_at, namlen, next });
        }
    }

    /// The name of a [`peek`](Self::peek)ed entry.
    pub(crate) fn name(&self, e: &Peeked) -> &[u8] {
        &self.buf[e.name_at..e.name_at + e.namlen]
    }

    /// Takes the [`peek`](Self::peek)ed entry, as `next` would have.
    pub(crate) fn take(&mut self, e: &Peeked) {
        self.pos = e.name_at + e.namlen;
        self.cookie = e.next;
    }

    /// Fetches entries from `cookie` on.
    ///
    /// wasmtime's WASIp1 refuses the whole listing (EILSEQ, at any cookie) when one name is
    /// not UTF-8, so no entry can be had: that is reported once, as the one entry's error,
    /// and the listing ends there instead of failing forever (docs/design.md,
    /// *Differences from a native host*).
    fn fill(&mut self) -> Res<()> {
        let used = match p1::readdir(self.fd, &mut self.buf, self.cookie) {
            Ok(n) => n,
            Err(EILSEQ) => {
                (self.pos, self.len, self.last) = (0, 0, true);
                return Err(ErrorCode::IllegalByteSequence);
            }
            Err(e) => return Err(fd_err(e)),
        };
        self.pos = 0;
        self.len = used.min(DIRBUF);
        self.last = used < DIRBUF;
        Ok(())
    }
}

/// `[method]directory-entry-stream.read-directory-entry`: "Read a single directory entry from
/// a `directory-entry-stream`."
pub fn directory_entry_stream_read_directory_entry(this: u32, ret: RetPtr<WResult<WOption<DirectoryEntry>, ErrorCode>>) {
    let mut s = resource::get::<DirectoryEntryStream>(this);
    // SAFETY: the state is owned by this live handle.
    let st = unsafe { &mut *s.state };
    ret.write(match st.next() {
        Ok(Some((ty, name))) => WResult::Ok(WOption::Some(DirectoryEntry { ty, name })),
        Ok(None) => WResult::Ok(WOption::None),
        Err(e) => WResult::Err(e),
    });
}

/// One step of wasi-libc's `readdir` (`super::libc_dirent`): the entry `read-directory-entry`
/// of `stream` would return and the lower half of the `metadata-hash-at` of its name in the
/// directory `dir` (not following links), given to `place`; the entry is taken when `place`
/// says it used it. `false`, with nothing taken, whenever the two calls would not both
/// succeed without a refill (the end, an error in the entry's place, a name the path rules
/// refuse, a failed stat): the caller then lets the two calls happen, which say why.
pub(crate) fn next_entry_hashed(stream: u32, dir: u32, place: impl FnOnce(DescriptorType, &[u8], u64) -> bool) -> bool {
    let mut s = resource::get::<DirectoryEntryStream>(stream);
    // SAFETY: the state is owned by this live handle.
    let st = unsafe { &mut *s.state };
    let Some(e) = st.peek() else { return false };
    let Ok(fd) = get(dir).dir() else { return false };
    let name = st.name(&e);
    let p = if e.plain {
        name
    } else {
        let Ok(p) = path_at(fd, name.as_ptr(), name.len(), stat_use(0)) else { return false };
        p
    };
    let Ok(stat) = p1::path_filestat(fd, lookup(0), p) else { return false };
    if !place(e.ty, name, hash((stat.dev, stat.ino)).lower) {
        return false;
    }
    st.take(&e);
    true
}

/// One step of wasi-libc's `fstatat` (`super::libc_stat::stat_at`): the lower half of
/// `metadata-hash-at` of `p` in directory `dir` without `symlink-follow`, and `stat-at` of it
/// (following a last link when `follow`), as the two calls would return them; `None` when
/// either would fail, or for a path ending in `/` (whose answers [`slash_link`] gives per
/// operation: left to the two calls). Any other path `path_at` passes unchanged for both, so a
/// last component that is not a link, or not followed, is the same object for both: one
/// `path_filestat` then. `p` is a C string's bytes (the caller stopped at its NUL), so it has
/// no NUL, which `path_at` would refuse.
pub(crate) fn stat_at_hashed(dir: u32, p: &[u8], follow: bool) -> Option<(u64, DescriptorStat)> {
    debug_assert!(!abi::has_nul(p));
    if p.last() == Some(&b'/') {
        return None;
    }
    let fd = get(dir).dir().ok()?;
    let s = p1::path_filestat(fd, 0, p).ok()?;
    let ino = hash((s.dev, s.ino)).lower;
    let s = if follow && s.filetype == FILETYPE_SYMBOLIC_LINK { p1::path_filestat(fd, p1::LOOKUP_SYMLINK_FOLLOW, p).ok()? } else { s };
    Some((ino, stat_of(s)))
}

/// `[resource-drop]directory-entry-stream`.
pub fn drop_directory_entry_stream(this: u32) {
    let s = resource::remove::<DirectoryEntryStream>(this);
    alloc::private::free(s.state as *mut u8, core::mem::size_of::<DirState>(), 8);
}

/// `descriptor-stat`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DescriptorStat {
    pub ty: DescriptorType,
    pub link_count: u64,
    pub size: u64,
    pub data_access_timestamp: WOption<Datetime>,
    pub data_modification_timestamp: WOption<Datetime>,
    pub status_change_timestamp: WOption<Datetime>,
}

fn timestamp(ns: u64) -> WOption<Datetime> {
    // WASIp1 has no "unknown" timestamp; 0 is what runtimes report when they have none.
    if ns == 0 { WOption::None } else { WOption::Some(Datetime::from_ns(ns)) }
}

#[inline(always)]
pub(crate) fn stat_of(s: p1::Filestat) -> DescriptorStat {
    DescriptorStat {
        ty: descriptor_type(s.filetype),
        link_count: s.nlink,
        size: s.size,
        data_access_timestamp: timestamp(s.atim),
        data_modification_timestamp: timestamp(s.mtim),
        status_change_timestamp: timestamp(s.ctim),
    }
}

/// `[method]descriptor.stat`: "Return the attributes of an open file or directory. Note: This
/// is similar to `fstat` in POSIX, except that it does not return device and inode
/// information. For testing whether two descriptors refer to the same underlying filesystem
/// object, use `is-same-object`. To obtain a hash that can be used to approximate the same
/// thing, use `metadata-hash`."
pub fn descriptor_stat(this: u32, ret: RetPtr<WResult<DescriptorStat, ErrorCode>>) {
    ret.write(p1::filestat(get(this).fd).map(stat_of).map_err(fd_err).into());
}

fn lookup(flags: u8) -> u32 {
    if PathFlags::from_bits_truncate(flags).contains(PathFlags::SYMLINK_FOLLOW) { p1::LOOKUP_SYMLINK_FOLLOW } else { 0 }
}

/// `[method]descriptor.stat-at`: "Return the attributes of a file or directory. Note: This is
/// similar to `fstatat` in POSIX, except that it does not return device and inode information.
/// See the `stat` description for a discussion of alternatives."
pub fn descriptor_stat_at(this: u32, path_flags: u8, ptr: *const u8, len: usize, ret: RetPtr<WResult<DescriptorStat, ErrorCode>>) {
    let r = get(this).dir().and_then(|fd| {
        let p = path_at(fd, ptr, len, stat_use(path_flags))?;
        p1::path_filestat(fd, lookup(path_flags), p).map(stat_of).map_err(path_err)
    });
    ret.write(r.into());
}

/// `[method]descriptor.set-times-at`: "Adjust the timestamps of a file or directory. Note: This
/// is similar to `utimensat` in POSIX."
#[allow(clippy::too_many_arguments)]
pub fn descriptor_set_times_at(
    this: u32,
    path_flags: u8,
    ptr: *const u8,
    len: usize,
    atim: NewTimestamp,
    mtim: NewTimestamp,
    ret: RetPtr<WResult<(), ErrorCode>>,
) {
    let r = get(this).dir().and_then(|fd| {
        let p = path_at(fd, ptr, len, Use::Reach)?;
        let (a, m, f) = times(atim, mtim)?;
        p1::path_set_times(fd, lookup(path_flags), p, a, m, f).map_err(path_err)
    });
    ret.write(r.into());
}

/// `[method]descriptor.link-at`: "Create a hard link. Fails with `error-code::no-entry` if the
/// old path does not exist, with `error-code::exist` if the new path already exists, and
/// `error-code::not-permitted` if the old path is not a file. Note: This is similar to
/// `linkat` in POSIX."
#[allow(clippy::too_many_arguments)]
pub fn descriptor_link_at(
    this: u32,
    old_flags: u8,
    old_ptr: *const u8,
    old_len: usize,
    new_descriptor: u32,
    new_ptr: *const u8,
    new_len: usize,
    ret: RetPtr<WResult<(), ErrorCode>>,
) {
    // Natively a hard link is never made through a symbolic link: `symlink-follow` is
    // `invalid` (WAMR would follow it).
    let refuse = if lookup(old_flags) != 0 { Some(ErrorCode::Invalid) } else { None };
    ret.write(two_paths(this, old_ptr, old_len, new_descriptor, new_ptr, new_len, refuse, [Use::LinkFrom, Use::NewEntry], |fd, old, new_fd, new| {
        p1::link(fd, 0, old, new_fd, new).map_err(path_err)
    }));
}

/// An operation on a path under `this` and a path under `new_descriptor` (both directories),
/// used as `uses`: `link-at`, `rename-at`. `refuse`: the call's answer once both are known to
/// be directories, before the paths are looked at (as natively).
#[allow(clippy::too_many_arguments)]
fn two_paths(
    this: u32,
    old_ptr: *const u8,
    old_len: usize,
    new_descriptor: u32,
    new_ptr: *const u8,
    new_len: usize,
    refuse: Option<ErrorCode>,
    uses: [Use; 2],
    op: impl FnOnce(u32, &[u8], u32, &[u8]) -> Res<()>,
) -> WResult<(), ErrorCode> {
    get(this)
        .dir()
        .and_then(|fd| {
            let new_fd = get(new_descriptor).dir()?;
            if let Some(e) = refuse {
                return Err(e);
            }
            let (old, new) = (path(old_ptr, old_len)?, path(new_ptr, new_len)?);
            op(fd, slash_link(fd, old, uses[0])?, new_fd, slash_link(new_fd, new, uses[1])?)
        })
        .into()
}

/// WASIp1 rights for a descriptor opened with `flags` from a directory that can grant
/// `inheriting`.
fn rights_for(read: bool, write: bool, inheriting: u64) -> (u64, u64) {
    let mut base = p1::rights::ALL;
    if !write {
        base &= !p1::rights::WRITE;
    }
    if !read {
        base &= !p1::rights::READ;
    }
    let inheriting = inheriting & p1::rights::ALL;
    (base & inheriting, inheriting)
}

/// `[method]descriptor.open-at`: "Open a file or directory. If `flags` contains
/// `descriptor-flags::mutate-directory`, and the base descriptor doesn't have
/// `descriptor-flags::mutate-directory` set, `open-at` fails with `error-code::read-only`. If
/// `flags` contains `write` or `mutate-directory`, or `open-flags` contains `truncate` or
/// `create`, and the base descriptor doesn't have `descriptor-flags::mutate-directory` set,
/// `open-at` fails with `error-code::read-only`. Note: This is similar to `openat` in POSIX."
#[allow(clippy::too_many_arguments)]
pub fn descriptor_open_at(
    this: u32,
    path_flags: u8,
    ptr: *const u8,
    len: usize,
    open_flags: u8,
    flags: u8,
    ret: RetPtr<WResult<u32, ErrorCode>>,
) {
    ret.write(open_at(this, path_flags, ptr, len, open_flags, flags).into());
}

fn open_at(this: u32, path_flags: u8, ptr: *const u8, len: usize, open_flags: u8, flags: u8) -> Res<u32> {
    let base = get(this);
    let dirfd = base.dir()?;
    let oflags = OpenFlags::from_bits_truncate(open_flags);
    let mut flags = DescriptorFlags::from_bits_truncate(flags);
    if flags.intersects(
        DescriptorFlags::FILE_INTEGRITY_SYNC | DescriptorFlags::DATA_INTEGRITY_SYNC | DescriptorFlags::REQUESTED_WRITE_SYNC,
    ) {
        return Err(ErrorCode::Unsupported);
    }
    if oflags.contains(OpenFlags::DIRECTORY)
        && oflags.intersects(OpenFlags::CREATE | OpenFlags::EXCLUSIVE | OpenFlags::TRUNCATE)
    {
        return Err(ErrorCode::Invalid);
    }
    let wants_write = flags.contains(DescriptorFlags::WRITE) || oflags.intersects(OpenFlags::CREATE | OpenFlags::TRUNCATE);
    if (wants_write || flags.contains(DescriptorFlags::MUTATE_DIRECTORY)) && !base.mutate {
        return Err(ErrorCode::ReadOnly);
    }
    // The path after the flags, as natively (a NUL with a sync flag is `unsupported`).
    let p = path(ptr, len)?;
    // Without `write` the file is opened for reading, as on a native host.
    let read = flags.contains(DescriptorFlags::READ) || !flags.contains(DescriptorFlags::WRITE);
    let mut o = 0;
    if oflags.contains(OpenFlags::CREATE) {
        o |= p1::OFLAGS_CREAT;
    }
    if oflags.contains(OpenFlags::DIRECTORY) {
        o |= p1::OFLAGS_DIRECTORY;
    }
    if oflags.contains(OpenFlags::EXCLUSIVE) {
        o |= p1::OFLAGS_EXCL;
    }
    if oflags.contains(OpenFlags::TRUNCATE) {
        o |= p1::OFLAGS_TRUNC;
    }
    let (rb, ri) = rights_for(read, wants_write, base.inheriting);
    let p = slash_link(dirfd, p, if oflags.contains(OpenFlags::CREATE) { Use::OpenCreate } else { Use::Reach })?;
    // `create` + `exclusive` never follows the last component (POSIX's O_CREAT|O_EXCL, as
    // natively: a dangling link is `exist`); WAMR would create the link's target.
    let mut follow = lookup(path_flags);
    if oflags.contains(OpenFlags::CREATE | OpenFlags::EXCLUSIVE) {
        follow = 0;
    }
    // (A directory opened for writing: the OS says EISDIR, as natively.)
    let fd = p1::open(dirfd, follow, p, o, rb, ri, 0).map_err(path_err)?;
    let (ty, identity) = match p1::filestat(fd) {
        Ok(s) => (descriptor_type(s.filetype), (s.dev, s.ino)),
        Err(e) => {
            let _ = p1::close(fd);
            return Err(fd_err(e));
        }
    };
    // Reported as natively: files READ/WRITE by open mode; directories READ (and
    // MUTATE_DIRECTORY when opened for writing, which the OS refuses for directories).
    flags = DescriptorFlags::empty();
    if read {
        flags |= DescriptorFlags::READ;
    }
    if wants_write {
        flags |= if ty == DescriptorType::Directory { DescriptorFlags::MUTATE_DIRECTORY } else { DescriptorFlags::WRITE };
    }
    Ok(resource::push(Resource::Descriptor(Descriptor {
        fd,
        preopen: false,
        ty,
        flags,
        mutate: base.mutate,
        inheriting: ri,
        identity,
    })))
}

/// `[method]descriptor.readlink-at`: "Read the contents of a symbolic link. If the contents
/// contain an absolute or rooted path in the underlying filesystem, this function fails with
/// `error-code::not-permitted`. Note: This is similar to `readlinkat` in POSIX."
pub fn descriptor_readlink_at(this: u32, ptr: *const u8, len: usize, ret: RetPtr<WResult<List<u8>, ErrorCode>>) {
    let r = get(this).dir().and_then(|fd| {
        let p = path_at(fd, ptr, len, Use::Readlink)?;
        let mut buf = [0u8; 4096];
        let n = p1::readlink(fd, p, &mut buf).map_err(path_err)?;
        let target = &buf[..n.min(buf.len())];
        // The host's own layout is not the program's business (WAMR hands out the target
        // as it is; wasmtime refuses it).
        if target.first() == Some(&b'/') {
            return Err(ErrorCode::NotPermitted);
        }
        if !abi::is_utf8(target) {
            return Err(ErrorCode::IllegalByteSequence);
        }
        Ok(abi::owned(&[target]))
    });
    ret.write(r.into());
}

macro_rules! path_op {
    ($(#[$doc:meta])* $name:ident, $call:path, $use:expr) => {
        $(#[$doc])*
        pub fn $name(this: u32, ptr: *const u8, len: usize, ret: RetPtr<WResult<(), ErrorCode>>) {
            let r = get(this).dir().and_then(|fd| $call(fd, path_at(fd, ptr, len, $use)?).map_err(path_err));
            ret.write(r.into());
        }
    };
}

path_op!(
    /// `[method]descriptor.create-directory-at`: "Create a directory. Note: This is similar to
    /// `mkdirat` in POSIX."
    descriptor_create_directory_at,
    p1::create_directory,
    Use::CreateDirectory
);
path_op!(
    /// `[method]descriptor.remove-directory-at`: "Remove a directory. Return
    /// `error-code::not-empty` if the directory is not empty. Note: This is similar to
    /// `unlinkat(fd, path, AT_REMOVEDIR)` in POSIX."
    descriptor_remove_directory_at,
    p1::remove_directory,
    Use::RemoveDirectory
);
path_op!(
    /// `[method]descriptor.unlink-file-at`: "Unlink a filesystem object that is not a
    /// directory. Return `error-code::is-directory` if the path refers to a directory. Note:
    /// This is similar to `unlinkat(fd, path, 0)` in POSIX."
    descriptor_unlink_file_at,
    p1::unlink_file,
    Use::Unlink
);

/// `[method]descriptor.rename-at`: "Rename a filesystem object. Note: This is similar to
/// `renameat` in POSIX."
pub fn descriptor_rename_at(
    this: u32,
    old_ptr: *const u8,
    old_len: usize,
    new_descriptor: u32,
    new_ptr: *const u8,
    new_len: usize,
    ret: RetPtr<WResult<(), ErrorCode>>,
) {
    ret.write(two_paths(this, old_ptr, old_len, new_descriptor, new_ptr, new_len, None, [Use::Rename; 2], |fd, old, new_fd, new| {
        p1::rename(fd, old, new_fd, new).map_err(path_err)
    }));
}

/// `[method]descriptor.symlink-at`: "Create a symbolic link (also known as a "soft link"). If
/// `old-path` starts with `/`, the function fails with `error-code::not-permitted`. Note: This
/// is similar to `symlinkat` in POSIX."
pub fn descriptor_symlink_at(
    this: u32,
    old_ptr: *const u8,
    old_len: usize,
    new_ptr: *const u8,
    new_len: usize,
    ret: RetPtr<WResult<(), ErrorCode>>,
) {
    let r = get(this).dir().and_then(|fd| {
        let old = path(old_ptr, old_len)?;
        if old.starts_with(b"/") {
            return Err(ErrorCode::NotPermitted);
        }
        p1::symlink(old, fd, path_at(fd, new_ptr, new_len, Use::NewEntry)?).map_err(path_err)
    });
    ret.write(r.into());
}

/// `[method]descriptor.is-same-object`: "Test whether two descriptors refer to the same
/// filesystem object. In POSIX, this corresponds to testing whether the two descriptors have
/// the same device (`st_dev`) and inode (`st_ino` or `d_ino`) numbers. wasi-filesystem does
/// not expose device and inode numbers, so this function may be used instead."
pub fn descriptor_is_same_object(this: u32, other: u32) -> bool {
    let a = get(this).fd;
    let b = get(other).fd;
    match (p1::filestat(a), p1::filestat(b)) {
        (Ok(x), Ok(y)) => x.dev == y.dev && x.ino == y.ino,
        _ => false,
    }
}

/// `metadata-hash-value`: `record { lower: u64, upper: u64 }`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataHashValue {
    pub lower: u64,
    pub upper: u64,
}

/// A keyed mix of (device, inode): stable for one object within an instance, distinct
/// between objects, and not trivially reversible to the numbers (the WIT asks for that).
pub(crate) fn hash((dev, ino): (u64, u64)) -> MetadataHashValue {
    let seed = crate::random::insecure_seed::secret();
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let a = mix(ino ^ seed[0]);
    let b = mix(dev ^ seed[1] ^ a.rotate_left(17));
    MetadataHashValue { lower: mix(a ^ b.rotate_left(7)), upper: b }
}

/// `[method]descriptor.metadata-hash`: "Return a hash of the metadata associated with a
/// filesystem object referred to by a descriptor. This returns a hash of the last-modification
/// timestamp and file size, and may also include the inode number, device number, birth
/// timestamp, and other metadata fields that may change when the file is modified or replaced.
/// It may also include a secret value chosen by the implementation and not otherwise exposed.
/// Implementations are encouraged to provide the following properties: If the file is not
/// modified or replaced, the computed hash value should usually not change. If the object
/// referred to by the descriptor is replaced, the computed hash value should usually change.
/// The inputs to the hash should not be easily computable from the computed hash. However,
/// none of these is required."
///
/// Like wasmtime's host, the adapter hashes the object's identity (device and inode) with a
/// per-instance secret; the identity was learnt when the descriptor was opened.
pub fn descriptor_metadata_hash(this: u32, ret: RetPtr<WResult<MetadataHashValue, ErrorCode>>) {
    ret.write(WResult::Ok(hash(get(this).identity)));
}

/// `[method]descriptor.metadata-hash-at`: "Return a hash of the metadata associated with a
/// filesystem object referred to by a directory descriptor and a relative path. This performs
/// the same hash computation as `metadata-hash`."
pub fn descriptor_metadata_hash_at(
    this: u32,
    path_flags: u8,
    ptr: *const u8,
    len: usize,
    ret: RetPtr<WResult<MetadataHashValue, ErrorCode>>,
) {
    let r = get(this).dir().and_then(|fd| {
        let p = path_at(fd, ptr, len, stat_use(path_flags))?;
        p1::path_filestat(fd, lookup(path_flags), p).map(|s| hash((s.dev, s.ino))).map_err(path_err)
    });
    ret.write(r.into());
}

/// `filesystem-error-code`: "Attempts to extract a filesystem-related `error-code` from the
/// stream `error` provided. Stream operations which return `stream-error::last-operation-failed`
/// have a payload with more information about the operation that failed. This payload can be
/// passed through to this function to see if there's filesystem-related information about
/// the error to return. Note that this function is fallible because not all stream-related
/// errors are filesystem-related errors."
pub fn filesystem_error_code(err: u32, ret: RetPtr<WOption<ErrorCode>>) {
    ret.write(crate::errno::to_filesystem(resource::get::<IoError>(err).errno).into());
}

#[cfg(test)]
#[path = "types_fuzz.rs"]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_types() {
        let at = |seconds, nanoseconds| NewTimestamp::Timestamp(Datetime { seconds, nanoseconds });
        assert_eq!(new_timestamp(NewTimestamp::NoChange, 1, 2), Ok((0, 0)));
        assert_eq!(new_timestamp(NewTimestamp::Now, 1, 2), Ok((0, 2)));
        assert_eq!(new_timestamp(at(5, 7), 1, 2), Ok((5_000_000_007, 1)));
        assert_eq!(new_timestamp(at(u64::MAX, 0), 1, 2), Err(ErrorCode::Overflow));
        assert_eq!(new_timestamp(at(1, 2_000_000_000), 1, 2), Ok((3_000_000_000, 1)), "carries");
        assert_eq!(descriptor_type(3), DescriptorType::Directory);
        assert_eq!(descriptor_type(7), DescriptorType::SymbolicLink);
        assert_eq!(descriptor_type(9), DescriptorType::Unknown);
        assert_eq!(timestamp(0), WOption::None);
    }

    #[test]
    fn rights_stay_within_what_the_directory_grants() {
        let (b, i) = rights_for(true, false, p1::rights::ALL);
        assert_eq!(b & p1::rights::WRITE, 0);
        assert_ne!(b & p1::rights::FD_READ, 0);
        assert_eq!(i, p1::rights::ALL);
        let (b, _) = rights_for(false, true, p1::rights::FD_WRITE);
        assert_eq!(b, p1::rights::FD_WRITE);
        let (b, i) = rights_for(true, true, u64::MAX);
        assert!(b < (1 << 30) && i < (1 << 30), "no bit >= 30 (wasmtime traps on them)");
    }

    #[test]
    fn path_with_nul_is_invalid() {
        let p = b"a\0b";
        assert_eq!(path(p.as_ptr(), 3), Err(ErrorCode::Invalid));
        assert_eq!(path(b"ok".as_ptr(), 2), Ok(&b"ok"[..]));
    }

    #[test]
    fn trailing_slash_after_a_link() {
        assert_eq!(slash_stem(b"l/"), Some(&b"l"[..]));
        assert_eq!(slash_stem(b"a/l//"), Some(&b"a/l"[..]));
        for p in [&b"l"[..], b"/", b"//", b"a/./", b"../", b"a/../", b""] {
            assert_eq!(slash_stem(p), None, "{p:?}");
        }
        use {ErrorCode as E, Target as T, Use as U};
        // Never created, removed or renamed through the link, whatever it leads to (the
        // target is not even asked for).
        let unasked = || -> Res<Target> { panic!("target asked for") };
        assert_eq!(slash_link_rule(U::CreateDirectory, unasked), Err(E::Exist));
        assert_eq!(slash_link_rule(U::Rename, unasked), Err(E::NotDirectory));
        assert_eq!(slash_link_rule(U::OpenCreate, unasked), Err(E::IsDirectory));
        for u in [U::Reach, U::Readlink, U::LinkFrom, U::NewEntry, U::Unlink, U::RemoveDirectory] {
            assert_eq!(slash_link_rule(u, || Ok(T::Missing)), Err(E::NoEntry), "{u:?}");
            assert_eq!(slash_link_rule(u, || Ok(T::NotDirectory)), Err(E::NotDirectory), "{u:?}");
            assert_eq!(slash_link_rule(u, || Err(E::NotPermitted)), Err(E::NotPermitted), "{u:?}");
        }
        assert_eq!(slash_link_rule(U::Reach, || Ok(T::Directory)), Ok(()));
        assert_eq!(slash_link_rule(U::Unlink, || Ok(T::Directory)), Err(E::IsDirectory));
        assert_eq!(slash_link_rule(U::NewEntry, || Ok(T::Directory)), Err(E::Exist));
        assert_eq!(slash_link_rule(U::Readlink, || Ok(T::Directory)), Err(E::Invalid));
    }

    /// Writes a `__wasi_dirent_t` header and its name at `at` as WASIp1 does (its bytes, not
    /// the struct: copying the buffer would read uninitialised padding); returns the offset
    /// after the name.
    fn put_entry(buf: &mut [u8], at: usize, next: u64, name: &[u8], ty: u8) -> usize {
        let h = p1::Dirent { next, ino: 0, namlen: name.len() as u32, ty };
        buf[at..at + DIRENT].copy_from_slice(&h.bytes());
        buf[at + DIRENT..at + DIRENT + name.len()].copy_from_slice(name);
        at + DIRENT + name.len()
    }

    #[test]
    fn directory_entry_not_utf8_is_an_error_in_its_place() {
        // A listing WASIp1 returned whole (`last`): `.`, `a`, a name that is not UTF-8, `c`.
        let mut st = DirState { fd: 0, cookie: 0, pos: 0, len: 0, last: true, buf: [0; DIRBUF] };
        let mut at = 0;
        for (i, n) in [&b"."[..], b"a", b"b\xff", b"c"].into_iter().enumerate() {
            at = put_entry(&mut st.buf, at, i as u64 + 1, n, 4);
        }
        st.len = at;
        let kind = |r: Res<Option<(DescriptorType, List<u8>)>>| r.map(|e| e.map(|(ty, name)| (ty, name.len)));
        assert_eq!(kind(st.next()), Ok(Some((DescriptorType::RegularFile, 1))));
        assert_eq!(kind(st.next()), Err(ErrorCode::IllegalByteSequence));
        assert_eq!(st.cookie, 3, "past the bad entry");
        assert_eq!(kind(st.next()), Ok(Some((DescriptorType::RegularFile, 1))));
        assert_eq!(kind(st.next()), Ok(None));
        assert_eq!(kind(st.next()), Ok(None));
    }

    #[test]
    fn peek_and_take_give_what_next_gives() {
        // `.`, `..`, a plain name, a UTF-8 one, one that is not UTF-8, one with a `/`, and a
        // last header whose name runs past the buffered bytes.
        let names = [&b"."[..], b"..", b"plain-name.txt", "\u{e9}t\u{e9}".as_bytes(), b"b\xff", b"a/b", b"cut"];
        let fresh = || {
            let mut st = DirState { fd: 0, cookie: 0, pos: 0, len: 0, last: false, buf: [0; DIRBUF] };
            let mut at = 0;
            for (i, n) in names.into_iter().enumerate() {
                at = put_entry(&mut st.buf, at, i as u64 + 1, n, 3);
            }
            st.len = at - 2;
            st
        };
        let mut st = fresh();
        let e = st.peek().expect("the plain name");
        assert!(e.plain && st.name(&e) == b"plain-name.txt" && e.ty == DescriptorType::Directory);
        assert_eq!(st.cookie, 2, "past . and ..");
        let again = st.peek().expect("peeked again: not taken");
        assert_eq!(st.name(&again), b"plain-name.txt");
        st.take(&e);
        assert_eq!(st.cookie, 3);
        let e = st.peek().expect("UTF-8, not plain");
        assert!(!e.plain && st.name(&e) == "\u{e9}t\u{e9}".as_bytes());
        st.take(&e);
        assert!(st.peek().is_none(), "not UTF-8: left to next, which says so");
        assert_eq!(st.next().map(|_| ()), Err(ErrorCode::IllegalByteSequence));
        let e = st.peek().expect("a name with a slash is UTF-8, not plain");
        assert!(!e.plain && st.name(&e) == b"a/b");
        st.take(&e);
        assert!(st.peek().is_none(), "cut: left to next, which refills");
        assert_eq!(st.cookie, 6);

        // `next` alone, from the start, takes the same entries in the same order.
        let mut st = fresh();
        let name = |r: Res<Option<(DescriptorType, List<u8>)>>| r.map(|e| e.map(|(_, l)| l.len));
        assert_eq!(name(st.next()), Ok(Some(14)));
        assert_eq!(name(st.next()), Ok(Some(5)));
        assert_eq!(name(st.next()), Err(ErrorCode::IllegalByteSequence));
        assert_eq!(name(st.next()), Ok(Some(3)));
        assert_eq!(st.cookie, 6);
    }

    #[test]
    fn metadata_hash_is_stable_and_distinct() {
        assert_eq!(hash((1, 2)), hash((1, 2)));
        assert_ne!(hash((1, 2)), hash((1, 3)));
        assert_ne!(hash((1, 2)), hash((2, 2)));
        assert_ne!(hash((1, 2)).lower, 2);
    }
}
