//! wasi-libc's `stat`, `lstat` and `fstatat` served in one step (`__wasilibc_nocwd_fstatat`,
//! `src/filesystem/libc_stat.rs`): files, directories, links followed or not, dangling links,
//! trailing slashes, missing names, a file as a directory, non-ASCII names and the directory
//! argument give the same fields and errors natively and adapted on every runtime; the
//! linker serves it for the known libc only.

mod common;
use common::*;

#[test]
fn unmodified_c_stat_results_are_native_on_every_runtime() {
    let g = cached("c-libc_stat_path", || c_guest("libc_stat_path"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{t:?}");
    for line in [
        "file stat: dev 1 mode 0100000 nlink 1 size 12 uid 0 gid 0 rdev 0 blksize 0 blocks 0 ino = ref, times = ref, times set 1",
        "link to file stat: dev 1 mode 0100000 nlink 1 size 12 uid 0 gid 0 rdev 0 blksize 0 blocks 0 ino != ref, times = ref, times set 1",
        "directory fstatat NOFOLLOW: dev 1 mode 040000",
        "missing stat: -1 errno 44 (No such file or directory)",
        "stat(link).st_ino == lstat(link).st_ino: 1",
        "fstatat(fd 99): -1 errno 8 (Bad file descriptor)",
    ] {
        assert!(t.stdout.contains(line), "{line:?} missing:\n{}", t.stdout);
    }
    // The adapted module was linked with the one-step wrapper.
    let bytes = std::fs::read(&g.adapted).unwrap();
    let name = b"__wrap___wasilibc_nocwd_fstatat";
    assert!(bytes.windows(name.len()).any(|w| w == name), "not wrapped: {}", g.adapted.display());
}

#[test]
fn the_linker_serves_fstatat_for_the_known_libc_only() {
    let said = link_verbose("libc_stat_path", "wasi-sysroot", &guests_dir().join("c-libc_stat_path.verbose.wasm"));
    assert!(said.contains("--wrap=__wasilibc_nocwd_fstatat"), "{said}");
    assert!(!said.contains("which `__wasilibc_nocwd_fstatat` relies on"), "{said}");
    let said = link_verbose("libc_stat_path", "wasi-sysroot-trixie", &guests_dir().join("c-trixie-libc_stat_path.verbose.wasm"));
    assert!(!said.contains("--wrap=__wasilibc_nocwd_fstatat"), "{said}");
}
