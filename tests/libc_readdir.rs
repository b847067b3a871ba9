//! wasi-libc's `readdir` served in one step (`src/filesystem/libc_dirent.rs`): an unmodified
//! C program's listings — long ones that refill the adapter's buffer, names that grow the
//! `dirent`, `rewinddir`, `seekdir`, two streams on one directory, an entry removed while
//! listed, the directory's fd closed, reused or renumbered under the stream, `fdopendir` —
//! give the same names, types, `d_ino` (= `lstat`'s `st_ino`; `..`'s is 0) and errors natively and
//! adapted on every runtime; the linker says it serves `readdir` for the known libc and not
//! for another, whose links still pass `--fatal-warnings`.

mod common;
use common::*;

#[test]
fn unmodified_c_readdir_results_are_native_on_every_runtime() {
    let g = cached("c-libc_readdir", || c_guest("libc_readdir"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{t:?}");
    for line in [
        "long listing: 152 entries, d_ino = st_ino for 151, end errno 0 (-)",
        "after rewinddir: 152 entries, d_ino = st_ino for 151, end errno 0 (-)",
        "growing names: 12 entries, d_ino = st_ino for 11, end errno 0 (-)",
        "  sub type 3",
        "  x type 4",
        "two streams: 12 and 12",
        "after seekdir to the 4th: 9 more",
        "removed while listed: 4 seen in all, end errno 44 (No such file or directory)",
        "readdir after: NULL, errno 8 (Bad file descriptor)",
        "fd reused by a file (same fd): NULL, errno 54 (Not a directory)",
        "fdopendir(file): NULL, errno 54 (Not a directory)",
        "  été type 4",
    ] {
        assert!(t.stdout.contains(line), "{line:?} missing:\n{}", t.stdout);
    }
}

#[test]
fn the_linker_serves_readdir_for_the_known_libc_only() {
    let said = link_verbose("libc_readdir", "wasi-sysroot", &guests_dir().join("c-libc_readdir.verbose.wasm"));
    assert!(said.contains("--wrap=readdir"), "{said}");
    assert!(said.lines().any(|l| l.contains("`readdir` (fingerprint ") && l.contains("served in one step")), "{said}");
    assert!(!said.contains("which `readdir` relies on"), "{said}");
    // The 2024 wasi-libc (Debian trixie): another `readdir`, not wrapped; the link passes
    // `--fatal-warnings` (the shim naming libc's lookup is not added).
    let said = link_verbose("libc_readdir", "wasi-sysroot-trixie", &guests_dir().join("c-trixie-libc_readdir.verbose.wasm"));
    assert!(!said.contains("--wrap=readdir"), "{said}");
}

/// Built with the 2024 wasi-libc (Debian trixie), whose `readdir` is WASIp1's `fd_readdir`
/// (and `lstat` WASIp1's `path_filestat_get`), not wrapped: the adapter's WASIp1 layer
/// (`src/preview1.rs`) answers them as wasmtime's component adapter does natively — `.`'s
/// `d_ino` the directory's metadata hash, `..`'s 0, every other entry's the lower half of its
/// `metadata-hash-at` (0 when that fails), `st_ino` the same hash and `st_dev` 1 — so the
/// whole transcript is native on every runtime.
#[test]
fn the_trixie_libc_readdir_is_native_on_every_runtime() {
    let g = cached("c-trixie-libc_readdir", || c_guest_with("libc_readdir", "trixie", "portable"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{t:?}");
    for line in ["long listing: 152 entries, d_ino = st_ino for 151, end errno 0 (-)", "  sub type 3", "  été type 4"] {
        assert!(t.stdout.contains(line), "{line:?} missing:\n{}", t.stdout);
    }
}
