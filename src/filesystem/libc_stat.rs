//! wasi-libc's `fstat(2)` of a file or directory, and the end of its `stat`, `lstat` and
//! `fstatat` (`__wasilibc_nocwd_fstatat`, [`stat_at`]), served in one step, for the linker's
//! `--wrap=fstat` and `--wrap=__wasilibc_nocwd_fstatat` (see `crates/ld/src/zerocopy.rs`: only
//! when the function and every one of its parts are the known builds of wasi-libc 161b319 or
//! of Rust 1.95's wasm32-wasip2 libc, which has the same code for all the wrappers rely on).
//!
//! The original looks `fd` up in the descriptor table (`descriptor_table_get_ref`: null, with
//! `errno` EBADF, for no entry) and calls the entry's vtable `fstat`. For a file or directory
//! that is `file_fstat`: `[method]descriptor.metadata-hash` and `[method]descriptor.stat` of
//! its descriptor (each a result record the adapter writes and the binding reads back), then
//! `to_public_stat`. Served here for exactly those descriptors — the entries whose vtable has
//! a `get_file`, which in that libc only `file_vtable` has (stdio's, TCP's and UDP's have
//! none): the descriptor comes from `get_file` (called through the vtable, as libc's own
//! `fd_to_file_handle` does), and [`stat`] makes of it, with one `fd_filestat_get`, the
//! `struct stat` the original makes of the two results ([`to_public_stat`]).
//!
//! Anything else runs the original (`__real_fstat`) unchanged: no entry (it fails with EBADF
//! again), an entry without `get_file` (stdio, sockets), a `get_file` that fails, a
//! `fd_filestat_get` that fails (the original makes the same calls and sets `errno` from the
//! same error). A bad descriptor handle traps in the lookup here as it would in the
//! original's first adapter call.
//!
//! Nothing of the adapter's own `metadata-hash` or `stat` is changed: [`stat`] is built from
//! the same functions (`types::get`, `types::hash`, `types::stat_of`).

use crate::abi::WOption;
use crate::clocks::wall_clock::Datetime;
use crate::filesystem::types::{self, DescriptorStat};
use crate::p1;
use crate::types::filesystem_types::DescriptorType;

/// wasi-libc's `struct timespec` (wasm32): `{ time_t tv_sec; long tv_nsec; }`, its 4 bytes
/// of padding named so that they are written (as zeros).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i32,
    pub pad: i32,
}

/// wasi-libc's `struct stat` (wasm32, `__struct_stat.h`), every byte a named field: `dev_t`,
/// `ino_t` and `nlink_t` are 64-bit, `mode_t`, `uid_t` and `gid_t` 32-bit, `off_t` and
/// `blkcnt_t` 64-bit, `blksize_t` a 32-bit `long` (followed by padding); 144 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_nlink: u64,
    pub st_mode: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub pad0: u32,
    pub st_rdev: u64,
    pub st_size: i64,
    pub st_blksize: i32,
    pub pad1: i32,
    pub st_blocks: i64,
    pub st_atim: Timespec,
    pub st_mtim: Timespec,
    pub st_ctim: Timespec,
    pub reserved: [i64; 3],
}

const _: () = assert!(core::mem::size_of::<Stat>() == 144 && core::mem::offset_of!(Stat, st_atim) == 72);

/// wasi-libc's `S_IF*` (`__mode_t.h`).
const S_IFBLK: u32 = 0x6000;
const S_IFCHR: u32 = 0x2000;
const S_IFDIR: u32 = 0x4000;
const S_IFREG: u32 = 0x8000;
const S_IFSOCK: u32 = 0xc000;
const S_IFLNK: u32 = 0xa000;

/// wasi-libc's `timestamp_to_timespec` of a `descriptor-stat` timestamp, as `to_public_stat`
/// calls it: `none` is `{0, 0}`; seconds past `INT64_MAX` saturate.
fn timespec(t: WOption<Datetime>) -> Timespec {
    match t {
        WOption::None => Timespec::default(),
        WOption::Some(d) if d.seconds > i64::MAX as u64 => Timespec { tv_sec: i64::MAX, tv_nsec: 999_999_999, pad: 0 },
        WOption::Some(d) => Timespec { tv_sec: d.seconds as i64, tv_nsec: d.nanoseconds as i32, pad: 0 },
    }
}

/// wasi-libc 161b319's `to_public_stat`: the `struct stat` of a descriptor's
/// `metadata-hash` lower half `ino` and its `descriptor-stat`. Every field it does not set is
/// zero (it assigns a compound literal); `st_dev` is 1; `st_mode` is the type's bits only (none
/// for `unknown` and `fifo`).
pub fn to_public_stat(ino: u64, s: &DescriptorStat) -> Stat {
    let st_mode = match s.ty {
        DescriptorType::BlockDevice => S_IFBLK,
        DescriptorType::CharacterDevice => S_IFCHR,
        DescriptorType::Directory => S_IFDIR,
        DescriptorType::RegularFile => S_IFREG,
        DescriptorType::Socket => S_IFSOCK,
        DescriptorType::SymbolicLink => S_IFLNK,
        DescriptorType::Unknown | DescriptorType::Fifo => 0,
    };
    Stat {
        st_dev: 1,
        st_ino: ino,
        st_nlink: s.link_count,
        st_mode,
        st_size: s.size as i64,
        st_atim: timespec(s.data_access_timestamp),
        st_mtim: timespec(s.data_modification_timestamp),
        st_ctim: timespec(s.status_change_timestamp),
        ..Stat::default()
    }
}

/// What `file_fstat` makes of descriptor `handle`: `metadata-hash` (the hash of the identity
/// learnt at open, no WASIp1 call) and `stat` (one `fd_filestat_get`) as the adapter answers
/// them, through `to_public_stat`. `None` when `stat` would fail.
pub fn stat(handle: u32) -> Option<Stat> {
    let d = types::get(handle);
    let s = p1::filestat(d.fd).ok()?;
    Some(to_public_stat(types::hash(d.identity).lower, &types::stat_of(s)))
}

/// What `__wasilibc_nocwd_fstatat(dirfd, path, buf, flag)` (the end of `stat`, `lstat` and
/// `fstatat`) makes of the directory descriptor `dir` and `path`: its `metadata-hash-at`, which
/// the libc asks without `symlink-follow` whatever `flag` says (its test of
/// `AT_SYMLINK_NOFOLLOW` is always true), and its `stat-at`, following a last link when
/// `follow`, through `to_public_stat` — from one `path_filestat_get` when the last component
/// is not a link or is not followed, else two. `None` when the original must run: a path the
/// adapter's path rules would not pass as it is (one ending in `/`, which they answer per
/// operation), a non-directory, a failed stat (the original makes the same calls and sets
/// `errno` from the same error).
pub fn stat_at(dir: u32, path: &[u8], follow: bool) -> Option<Stat> {
    let (ino, s) = types::stat_at_hashed(dir, path, follow)?;
    Some(to_public_stat(ino, &s))
}

/// The bytes of the C string at `p` when they are all ASCII (then valid UTF-8, which the libc's
/// `wasi_string_from_c` checks first); `None` at the first other byte (left to the original).
///
/// # Safety
/// `p` is the program's NUL-terminated string (read up to its NUL, as the original reads it; a
/// string running out of memory traps in either).
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
unsafe fn ascii_c_str<'a>(p: *const u8) -> Option<&'a [u8]> {
    let mut n = 0;
    loop {
        // SAFETY: per the contract, up to and including the NUL.
        let b = unsafe { *p.add(n) };
        if b == 0 {
            // SAFETY: `p..p + n` was just read.
            return Some(unsafe { core::slice::from_raw_parts(p, n) });
        }
        if b >= 0x80 {
            return None;
        }
        n += 1;
    }
}

#[cfg(target_family = "wasm")]
mod wrap {
    use super::*;

    use crate::io::libc_poll::{file_handle, GetRef};

    /// The original `fstat` (`__real_fstat`).
    type RealFstat = unsafe extern "C" fn(i32, *mut Stat) -> i32;

    /// `fstat(fd, buf)`: served ([`stat`]) or the original. Called by `__wrap_fstat` (an
    /// object of its own the linker adds when it wraps `fstat`: `crates/ld/shim/libc_fstat.rs`)
    /// with the libc's `descriptor_table_get_ref` and `__real_fstat`, which this archive does
    /// not name (another libc's lookup has another signature; only a wrapping link defines the
    /// original).
    #[unsafe(export_name = "wasip2_on_wasip1_libc_fstat")]
    pub extern "C" fn fstat(fd: i32, buf: *mut Stat, get_ref: GetRef, real: RealFstat) -> i32 {
        crate::state::enter();
        // SAFETY: the known libc's lookup.
        match unsafe { file_handle(get_ref, fd) }.and_then(stat) {
            Some(st) => {
                // SAFETY: the program's buffer, written whole as the original's
                // `to_public_stat` writes it (a bad pointer traps in either).
                unsafe { buf.write_unaligned(st) };
                0
            }
            // SAFETY: the original, with the caller's arguments.
            None => unsafe { real(fd, buf) },
        }
    }

    /// The original `__wasilibc_nocwd_fstatat`.
    type RealFstatat = unsafe extern "C" fn(i32, *const u8, *mut Stat, i32) -> i32;

    /// wasi-libc's `AT_SYMLINK_NOFOLLOW`.
    const AT_SYMLINK_NOFOLLOW: i32 = 1;

    /// `__wasilibc_nocwd_fstatat(fd, path, buf, flag)`: served ([`stat_at`]) or the original.
    /// Called by `__wrap___wasilibc_nocwd_fstatat` (`crates/ld/shim/`) with the libc's lookup
    /// and the original, as for `fstat`.
    #[unsafe(export_name = "wasip2_on_wasip1_libc_fstatat")]
    pub extern "C" fn fstatat(fd: i32, path: *const u8, buf: *mut Stat, flag: i32, get_ref: GetRef, real: RealFstatat) -> i32 {
        crate::state::enter();
        // In the original's order: the directory's handle, then the path.
        // SAFETY: the known libc's lookup; the program's string.
        let served = unsafe { file_handle(get_ref, fd) }
            .and_then(|dir| Some((dir, unsafe { ascii_c_str(path) }?)))
            .and_then(|(dir, p)| stat_at(dir, p, flag & AT_SYMLINK_NOFOLLOW == 0));
        match served {
            Some(st) => {
                // SAFETY: as in `fstat`.
                unsafe { buf.write_unaligned(st) };
                0
            }
            // SAFETY: the original, with the caller's arguments.
            None => unsafe { real(fd, path, buf, flag) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_c_str_stops_at_nul_and_refuses_other_bytes() {
        // SAFETY (all): NUL-terminated literals.
        assert_eq!(unsafe { ascii_c_str(b"d/file\0rest".as_ptr()) }, Some(&b"d/file"[..]));
        assert_eq!(unsafe { ascii_c_str(b"\0".as_ptr()) }, Some(&b""[..]));
        assert_eq!(unsafe { ascii_c_str("\u{e9}t\u{e9}\0".as_ptr()) }, None);
        assert_eq!(unsafe { ascii_c_str(b"a\x7f\0".as_ptr()) }, Some(&b"a\x7f"[..]));
        assert_eq!(unsafe { ascii_c_str(b"a\x80\0".as_ptr()) }, None);
    }

    fn stat_with(ty: DescriptorType, ns: [u64; 3]) -> DescriptorStat {
        let t = |n: u64| if n == 0 { WOption::None } else { WOption::Some(Datetime::from_ns(n)) };
        DescriptorStat {
            ty,
            link_count: 3,
            size: 1234,
            data_access_timestamp: t(ns[0]),
            data_modification_timestamp: t(ns[1]),
            status_change_timestamp: t(ns[2]),
        }
    }

    #[test]
    fn the_struct_is_what_to_public_stat_makes() {
        let st = to_public_stat(0x1122_3344_5566_7788, &stat_with(DescriptorType::RegularFile, [1_500_000_000, 0, 7]));
        let want = Stat {
            st_dev: 1,
            st_ino: 0x1122_3344_5566_7788,
            st_nlink: 3,
            st_mode: 0x8000,
            st_size: 1234,
            st_atim: Timespec { tv_sec: 1, tv_nsec: 500_000_000, pad: 0 },
            st_mtim: Timespec::default(),
            st_ctim: Timespec { tv_sec: 0, tv_nsec: 7, pad: 0 },
            ..Stat::default()
        };
        assert_eq!(st, want);
        let modes = [
            (DescriptorType::Unknown, 0),
            (DescriptorType::BlockDevice, 0x6000),
            (DescriptorType::CharacterDevice, 0x2000),
            (DescriptorType::Directory, 0x4000),
            (DescriptorType::Fifo, 0),
            (DescriptorType::SymbolicLink, 0xa000),
            (DescriptorType::RegularFile, 0x8000),
            (DescriptorType::Socket, 0xc000),
        ];
        for (ty, mode) in modes {
            assert_eq!(to_public_stat(0, &stat_with(ty, [0; 3])).st_mode, mode, "{ty:?}");
        }
        let far = WOption::Some(Datetime { seconds: u64::MAX, nanoseconds: 5 });
        assert_eq!(timespec(far), Timespec { tv_sec: i64::MAX, tv_nsec: 999_999_999, pad: 0 });
    }
}
