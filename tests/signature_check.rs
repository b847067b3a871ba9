//! The adapter must not compile when an implementation disagrees with the WIT: the exported
//! entry points are generated from `wit/` and call the hand-written functions with typed
//! conversions, so a wrong arity, a wrong value width or a wrong return-area type is a
//! compile error (a flattened record or variant parameter arrives lifted, as one typed value);
//! and every hand-written record, variant and tuple type (`src/wit-types.txt`)
//! is checked field by field against the offsets the WIT gives. Each case copies the crate,
//! breaks one implementation or type, and builds it for `wasm32-wasip1`.

mod common;
use common::*;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Copies the adapter (and the table crate its build script uses) into a scratch workspace.
fn scratch_crate() -> std::path::PathBuf {
    let d = tempdir("sigcheck");
    for sub in ["src", "wit", "crates/wit-table/src"] {
        copy_dir(&root().join(sub), &d.join(sub));
    }
    for f in ["build.rs", "Cargo.lock", "crates/wit-table/Cargo.toml"] {
        std::fs::copy(root().join(f), d.join(f)).unwrap();
    }
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let members = manifest.lines().find(|l| l.starts_with("members = ")).unwrap();
    std::fs::write(d.join("Cargo.toml"), manifest.replace(members, r#"members = [".", "crates/wit-table"]"#)).unwrap();
    d
}

fn build(dir: &Path) -> (bool, String) {
    let out = clean_command("cargo")
        .current_dir(dir)
        .args(["build", "--target", "wasm32-wasip1", "-p", "wasip2-on-wasip1", "--target-dir"])
        .arg(guests_dir().join("sigcheck-target"))
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn mutate(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let s = std::fs::read_to_string(&p).unwrap();
    assert!(s.contains(from), "{file} no longer contains {from:?}; update this test");
    std::fs::write(&p, s.replacen(from, to, 1)).unwrap();
}

/// Applies `edits` (file, text, its replacement) to the scratch crate, builds it, and undoes
/// them in reverse order: the build's outcome.
fn build_mutated(dir: &Path, edits: &[(&str, &str, &str)]) -> (bool, String) {
    for (file, from, to) in edits {
        mutate(dir, file, from, to);
    }
    let r = build(dir);
    for (file, from, to) in edits.iter().rev() {
        mutate(dir, file, to, from);
    }
    r
}

#[test]
fn mistyped_implementations_do_not_compile() {
    let d = scratch_crate();
    // The unmodified copy builds (so the failures below are caused by the mutations).
    let (ok, err) = build(&d);
    assert!(ok, "unmodified copy does not build:\n{err}");

    // 1. A result of the wrong width: `get-stdin` returns a u32 handle (core i32).
    let (ok, err) = build_mutated(&d, &[
        ("src/cli/stdin.rs", "pub fn get_stdin() -> u32 {", "pub fn get_stdin() -> u64 {"),
        ("src/cli/stdin.rs", "crate::io::streams::new_input(0)", "crate::io::streams::new_input(0) as u64"),
    ]);
    assert!(!ok && err.contains("get_stdin") && err.contains("expected `i32`"), "{err}");

    // 2. A return area of the wrong type: wall-clock `now` writes a 16-byte `datetime`.
    let (ok, err) = build_mutated(&d, &[
        ("src/clocks/wall_clock.rs", "pub fn now(ret: RetPtr<Datetime>) {", "pub fn now(ret: RetPtr<u64>) {"),
        ("src/clocks/wall_clock.rs", "Ok(t) => ret.write(Datetime::from_ns(t)),\n        Err(_) => trap(b\"clock_time_get(REALTIME) failed\"),", "Ok(t) => ret.write(t),\n        Err(_) => trap(b\"clock_time_get(REALTIME) failed\"),"),
    ]);
    // The return area's type comes from the WIT (the implementation's is compared with it).
    assert!(!ok && err.contains("expected struct `RetPtr<u64>`") && err.contains("found struct `RetPtr<Datetime>`"), "{err}");

    // 3. A missing parameter: `subscribe-duration` takes the duration.
    let (ok, err) = build_mutated(&d, &[
        ("src/clocks/monotonic_clock.rs", "pub fn subscribe_duration(when: u64) -> u32 {", "pub fn subscribe_duration() -> u32 {\n    let when = 0u64;"),
    ]);
    assert!(!ok && err.contains("subscribe_duration"), "{err}");

    // 4. A flattened parameter taken as core values: `set-times` lifts each `new-timestamp`
    //    (three core values) in the generated entry point, which passes the typed value.
    let (ok, err) = build_mutated(&d, &[
        ("src/filesystem/types.rs", "pub fn descriptor_set_times(this: u32, atim: NewTimestamp,", "pub fn descriptor_set_times(this: u32, atim_tag: u8, atim_s: u64, atim_ns: u32, atim: NewTimestamp,"),
    ]);
    assert!(!ok && err.contains("descriptor_set_times") && err.contains("this function takes 7 arguments but 4 arguments were supplied") && err.contains("three arguments of type `u8`, `u64`, and `u32` are missing"), "{err}");

    // 5. A function the coverage file says is implemented but is not.
    let d2 = scratch_crate();
    let (ok, err) = build_mutated(&d2, &[
        ("src/io/poll.rs", "pub fn pollable_ready(", "pub fn pollable_ready_renamed("),
    ]);
    assert!(!ok && err.contains("pollable_ready"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&d2);
}

/// The hand-written payload types have the WIT's field offsets, case tags and payload
/// offsets: reordering two fields of the same type (same size, same alignment, so the
/// return area's size check alone passes) does not compile, nor does a variant laid out
/// with its payload at another offset.
#[test]
fn misordered_payload_types_do_not_compile() {
    // 1. `descriptor-stat`: `link-count` and `size` swapped (both u64).
    let d = scratch_crate();
    let (ok, err) = build_mutated(&d, &[
        ("src/filesystem/types.rs", "    pub link_count: u64,\n    pub size: u64,", "    pub size: u64,\n    pub link_count: u64,"),
    ]);
    assert!(
        !ok && err.contains("field `link_count` of `crate::filesystem::types::DescriptorStat` (WIT wasi:filesystem/types `descriptor-stat`) is not at the WIT's offset 8"),
        "{err}"
    );
    assert!(!err.contains("return area size"), "the size check alone would not see it:\n{err}");

    // 2. `tuple<list<u8>, bool>` (`descriptor.read`): `end` first; still 12 bytes, align 4.
    let (ok, err) = build_mutated(&d, &[
        ("src/filesystem/types.rs", "    pub data: List<u8>,\n    pub end: bool,", "    pub end: bool,\n    pub data: List<u8>,"),
    ]);
    assert!(!ok && err.contains("field `data` of `crate::filesystem::types::ReadResult`") && err.contains("is not at the WIT's offset 0"), "{err}");

    // 3. `ip-socket-address` as `#[repr(u8)]`: same size, but the ipv4 payload (align 2) moves
    //    to offset 2, where the WIT has 4 (the largest case's alignment).
    let (ok, err) = build_mutated(&d, &[
        ("src/sockets/network.rs", "#[repr(C, u8)]\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum IpSocketAddress", "#[repr(u8)]\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum IpSocketAddress"),
    ]);
    assert!(!ok && err.contains("the payload of case `ipv4` of `crate::sockets::network::IpSocketAddress`") && err.contains("is not at the WIT's offset 4"), "{err}");

    // 4. `stream-error` with its cases in the other order (tags 0 and 1 exchanged).
    let (ok, err) = build_mutated(&d, &[
        ("src/io/streams.rs", "    LastOperationFailed(u32) = 0,\n    Closed = 1,", "    LastOperationFailed(u32) = 1,\n    Closed = 0,"),
    ]);
    assert!(!ok && err.contains("case `closed` of `crate::io::streams::StreamError`") && err.contains("does not have the WIT's tag 1"), "{err}");

    // Restored, it builds again (the failures above were the mutations').
    let (ok, err) = build(&d);
    assert!(ok, "restored copy does not build:\n{err}");
    let _ = std::fs::remove_dir_all(&d);
}
