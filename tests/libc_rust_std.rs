//! Rust 1.95's `std::fs::read_dir`, `File::metadata` and `fs::metadata`, which go through its
//! bundled wasi-libc's `readdir`, `fstat` and `__wasilibc_nocwd_fstatat`: that libc's `readdir`
//! and `fstat` are wasi-libc 161b319's code, its `__wasilibc_nocwd_fstatat` the same code built
//! position-independent, their parts other builds of the same code
//! (`crates/ld/src/zerocopy.rs`: `PARTS`), so the linker wraps all three and the adapter serves
//! them in one step (`src/filesystem/libc_dirent.rs`, `libc_stat.rs`). The listings (names,
//! types, `d_ino` = `stat`'s `st_ino`, a long name that grows the `dirent`, an entry removed
//! between two listings) and the metadata of paths and of open files and directories (one
//! removed while open) are the same natively and adapted on every runtime.

mod common;
use common::*;

#[test]
fn rust_std_read_dir_and_file_metadata_are_native_on_every_runtime() {
    let g = cached("rust-std-dir", || rust_guest("std-dir"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{t:?}");
    for line in [
        "/sandbox/d: 44 entries",
        "/sandbox/d: 43 entries",
        "  sub dir len=0",
        "  b.bin file len=5000",
        "  readdir: b.bin d_type=4 ino-agrees=true",
        "  readdir: sub d_type=3 ino-agrees=true",
        "  readdir: .. d_type=3 ino-agrees=true",
        "/sandbox/d/sub: 1 entries",
        "/sandbox/d/b.bin: file len=5000 mtime-agrees=true fstat-agrees-with-stat=true",
        "/sandbox/d/sub: dir len=0 mtime-agrees=true fstat-agrees-with-stat=true",
        "removed a.txt: file len=6",
        "done",
    ] {
        assert!(t.stdout.contains(line), "{line:?} missing:\n{}", t.stdout);
    }
    assert!(!t.stdout.contains("ino-agrees=false") && !t.stdout.contains("-agrees-with-stat=false"), "{}", t.stdout);
    // The adapted module was linked with the one-step wrappers.
    let bytes = std::fs::read(&g.adapted).unwrap();
    for name in ["__wrap_readdir", "__wrap_fstat", "__wrap___wasilibc_nocwd_fstatat"] {
        assert!(bytes.windows(name.len()).any(|w| w == name.as_bytes()), "{name} not in {}", g.adapted.display());
    }
}

#[test]
fn the_linker_serves_rust_195s_readdir_fstat_and_fstatat() {
    let dir = root().join("adapter-tests/rust/std-dir");
    let tdir = guests_dir().join("rust-verbose");
    // Relink every time (cargo does not track the linker).
    let _ = std::fs::remove_file(tdir.join("wasm32-wasip2/release/std-dir.wasm"));
    if let Ok(rd) = std::fs::read_dir(tdir.join("wasm32-wasip2/release/deps")) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with("std_dir-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let mut c = clean_command("cargo");
    c.current_dir(&dir)
        .args(["rustc", "--release", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(&tdir)
        .env("CARGO_TARGET_WASM32_WASIP2_LINKER", tool("wasip2-on-wasip1-ld"))
        .args(["--", "-Clink-arg=--verbose", "-Wlinker-messages"]);
    let o = c.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let said = err.lines().filter(|l| l.contains("wasip2-on-wasip1-ld:")).collect::<Vec<_>>().join("\n");
    assert!(said.contains("--wrap=__wasilibc_nocwd_fstatat --wrap=fstat --wrap=readdir"), "{said}");
    for sym in ["fstat", "readdir", "__wasilibc_nocwd_fstatat"] {
        assert!(
            said.lines().any(|l| l.contains(&format!("`{sym}` (fingerprint ")) && l.contains("is Rust 1.95's wasm32-wasip2 wasi-libc's: served in one step")),
            "{sym}: {said}"
        );
        assert!(!said.contains(&format!("which `{sym}` relies on")), "{said}");
    }
}
