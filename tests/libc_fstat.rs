//! wasi-libc's `fstat` served in one step (`src/filesystem/libc_stat.rs`): an unmodified C
//! program's `fstat` of regular files (fresh, grown, through a second fd, write-only, empty,
//! unlinked), directories (opened with `O_DIRECTORY`, the preopen, an `opendir` stream's fd),
//! stdio, closed and invalid fds and sockets gives every field of `struct stat` as natively on
//! every runtime, and the same `st_dev`, `st_ino`, `st_mode`, `st_nlink`, `st_size` and
//! timestamps as `stat()` of the same path (the adapter's `stat-at` and `metadata-hash-at`,
//! not wrapped) and readdir's `d_ino`; the linker says it serves `fstat` in one step for the
//! known libc and not for another (the 2024 wasi-libc of Debian trixie), whose link passes
//! `--fatal-warnings` and runs as natively, `st_dev` included (its WASIp1 calls answered as
//! the component adapter answers them).

mod common;
use common::*;

/// Lines `adapter-tests/c/libc_fstat.c` must print (natively, so adapted too).
const EXPECTED: &[&str] = &[
    "regular file: fstat 0 dev 1 mode 0100000 (regular) nlink 1 size 13, the rest zero: yes",
    "  same as stat(): dev yes ino yes mode yes nlink yes size yes atime yes mtime yes ctime yes",
    "  timestamps set: yes yes yes, nanoseconds in range: yes",
    "  ino same as readdir's d_ino: yes, nonzero: yes",
    "  same ino twice: yes",
    "regular file after a write: fstat 0 dev 1 mode 0100000 (regular) nlink 1 size 18, the rest zero: yes",
    "the same file opened again read-only: fstat 0 dev 1 mode 0100000 (regular) nlink 1 size 18, the rest zero: yes",
    "  same ino through both fds: yes",
    "empty write-only file: fstat 0 dev 1 mode 0100000 (regular) nlink 1 size 0, the rest zero: yes",
    "  ino differs from the other file's: yes",
    "directory: fstat 0 dev 1 mode 040000 (directory)",
    "  ino same as readdir's d_ino: yes",
    "the preopened directory: fstat 0 dev 1 mode 040000 (directory)",
    "an opendir stream's fd: fstat 0 dev 1 mode 040000 (directory)",
    "stdin: fstat 0 dev 0 mode 0 (none) nlink 0 size 0, the rest zero: yes",
    "stdout: fstat 0 dev 0 mode 0 (none) nlink 0 size 0, the rest zero: yes",
    "closed fd: fstat -1 (Bad file descriptor) buffer untouched: yes",
    "fd 99: fstat -1 (Bad file descriptor) buffer untouched: yes",
    "fd -1: fstat -1 (Bad file descriptor) buffer untouched: yes",
    "unlinked file: fstat 0 dev 1 mode 0100000 (regular)",
];

#[test]
fn unmodified_c_fstat_results_are_native_on_every_runtime() {
    let g = cached("c-libc_fstat", || c_guest("libc_fstat"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{t:?}");
    for line in EXPECTED {
        assert!(t.stdout.contains(line), "{line:?} missing:\n{}", t.stdout);
    }
    // Every `same as stat()` line says yes throughout.
    assert!(!t.stdout.lines().any(|l| l.starts_with("  same as stat()") && l.contains(" no")), "{}", t.stdout);
}

#[test]
fn the_linker_serves_fstat_in_one_step_for_the_known_libc_only() {
    let said = link_verbose("libc_fstat", "wasi-sysroot", &guests_dir().join("c-libc_fstat.verbose.wasm"));
    assert!(said.contains("--wrap=fstat"), "{said}");
    assert!(
        said.contains(
            "`fstat` (fingerprint 0xd2a9a0c7b23c54a9) is wasi-libc 161b319 (Debian 0.0~git20260423)'s: served in one step for files and directories"
        ),
        "{said}"
    );
    assert!(!said.contains("which `fstat` relies on"), "{said}");

    // The 2024 wasi-libc (Debian trixie): its `fstat` is not a known build, so it is not
    // wrapped; the link passes `--fatal-warnings` (`link_verbose`).
    let said = link_verbose("libc_fstat", "wasi-sysroot-trixie", &guests_dir().join("c-trixie-libc_fstat.verbose.wasm"));
    assert!(!said.contains("--wrap=fstat"), "{said}");
    assert!(said.lines().any(|l| l.contains("`fstat` (fingerprint ") && l.contains("is not one of the known wasi-libc builds")), "{said}");
}

/// Built with the 2024 wasi-libc (Debian trixie), whose `fstat` and `stat` are WASIp1's
/// `fd_filestat_get` and `path_filestat_get` (not wrapped) and whose `readdir` is WASIp1's
/// `fd_readdir`: the adapter's WASIp1 layer (`src/preview1.rs`) answers them as the component
/// adapter does natively (`st_dev` 1, `st_ino` and `d_ino` the lower half of the metadata
/// hash), so every line is native, `st_dev` included, on every runtime.
#[test]
fn the_trixie_libc_fstat_runs_unwrapped_as_natively() {
    let g = cached("c-trixie-libc_fstat", || c_guest_with("libc_fstat", "trixie", "portable"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{t:?}");
    for line in [
        "regular file: fstat 0 dev 1 mode 0100000 (regular) nlink 1 size 13, the rest zero: yes",
        "  ino same as readdir's d_ino: yes, nonzero: yes",
        "directory: fstat 0 dev 1 mode 040000 (directory)",
        "stdin: fstat 0 dev 0 mode 0 (none) nlink 0 size 0, the rest zero: yes",
        "closed fd: fstat -1 (Bad file descriptor)",
    ] {
        assert!(t.stdout.contains(line), "{line:?} missing:\n{}", t.stdout);
    }
}
