//! Linking any wasm32-wasip2 program: Rust guests using the `wasi` crate, `wasip2`, wit-bindgen
//! bindings and a custom global allocator (imports at 0.2.0, 0.2.4 and 0.2.12 in one module);
//! clang with `-fuse-ld` and plain `wasm-ld` with the archive; reactors; `check` on every kind
//! of input.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn check(file: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(tool("wasip2-on-wasip1")).arg("check").arg(file).args(extra).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

/// A `wasm-ld` that is just Rust's rust-lld (no adapter): for building unlinked core modules.
fn plain_ld() -> PathBuf {
    let host = String::from_utf8(Command::new("rustc").arg("-vV").output().unwrap().stdout).unwrap();
    let host = host.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_string();
    let sysroot = String::from_utf8(Command::new("rustc").args(["--print", "sysroot"]).output().unwrap().stdout).unwrap();
    let lld = Path::new(sysroot.trim()).join("lib/rustlib").join(host).join("bin/rust-lld");
    let script = guests_dir().join("plain-ld.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nif [ \"$1\" = -flavor ]; then exec {0} \"$@\"; else exec {0} -flavor wasm \"$@\"; fi\n", lld.display()),
    )
    .unwrap();
    Command::new("chmod").arg("+x").arg(&script).status().unwrap();
    script
}

#[test]
fn wasi_crate_and_wasip2_crate_with_std() {
    let g = cached("rust-wasi-crate", || rust_guest("wasi-crate"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(7), "{t:?}");
    for l in ["write Ok(13)", "read Ok((\"wasi 0.14\", false))", "stdout via wasi 0.14", "stat via wasip2 1.x: size 13", "std read: Ok(\"via wasi 0.14\")"] {
        assert!(t.stdout.contains(l), "{l:?} in {}", t.stdout);
    }
}

#[test]
fn three_wasi_versions_in_one_module_are_all_served() {
    // Link the same guest without the adapter: a wasip2 core module as the toolchain makes it.
    let dir = root().join("adapter-tests/rust/wasi-crate");
    let tdir = guests_dir().join("rust-plain");
    let _ = std::fs::remove_file(tdir.join("wasm32-wasip2/release/wasi-crate.wasm"));
    if let Ok(rd) = std::fs::read_dir(tdir.join("wasm32-wasip2/release/deps")) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with("wasi_crate-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let ok = clean_command("cargo")
        .current_dir(&dir)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(&tdir)
        .env("CARGO_TARGET_WASM32_WASIP2_LINKER", plain_ld())
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let module = tdir.join("wasm32-wasip2/release/wasi-crate.wasm");
    let (status, text) = check(&module, &["--format", "json"]);
    assert_eq!(status, Some(1), "an unlinked wasip2 module cannot run on WASIp1 as it is:\n{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let imports = v["imports"].as_array().unwrap();
    let mut versions: Vec<&str> = imports.iter().filter_map(|i| i["version"].as_str()).filter(|s| !s.is_empty()).collect();
    versions.sort();
    versions.dedup();
    assert_eq!(versions, ["0.2.0", "0.2.12", "0.2.4"], "{text}");
    assert!(imports.iter().all(|i| i["module"] == "wasi_snapshot_preview1" || i["status"] == "full"), "{text}");
    assert!(imports.iter().any(|i| i["module"] == "wasi:cli/environment@0.2.4" && i["name"] == "get-arguments"
        && i["detail"].as_str().unwrap().contains("needs linking with wasip2-on-wasip1-ld")), "{text}");
    assert_eq!(v["kind"], "core-module");
    // And the linked one runs (previous test) and checks clean.
    let linked = cached("rust-wasi-crate", || rust_guest("wasi-crate")).adapted;
    let (status, text) = check(&linked, &[]);
    assert_eq!(status, Some(0), "{text}");
    assert!(text.contains("runs on a plain WASIp1 runtime") && text.contains("entry point _start"), "{text}");
}

#[test]
fn wit_bindgen_guest_against_the_adapters_wit() {
    let g = cached("rust-wit-guest", || rust_guest("wit-guest"));
    let t = differential(&g, &Case { env: vec![("GREETING".into(), "yo".into())], ..Default::default() });
    assert!(t.stdout.contains("GREETING via wit-bindgen: Some(\"yo\")") && t.stdout.contains("poll: [0]"), "{}", t.stdout);
}

#[test]
fn custom_global_allocator() {
    let g = cached("rust-alloc-guest", || rust_guest("alloc-guest"));
    let t = differential(&g, &Case::default());
    assert!(t.stdout.contains("total 200200") && t.stdout.contains("frees happened: true"), "{}", t.stdout);
}

/// Links `adapter-tests/c/hello.c` the README's plain-`wasm-ld` way: clang with Debian's
/// `wasm-ld-19` and the adapter archive, plus `flags` (the README adds the ones that keep the
/// adapter's exit for `_start`). Returns the linked module, before `finish`.
fn link_hello_with_plain_wasm_ld(dir: &Path, out: &str, flags: &[&str]) -> PathBuf {
    let archive = dir.join("libwasip2_on_wasip1.a");
    if !archive.exists() {
        assert!(Command::new(tool("wasip2-on-wasip1")).arg("archive").arg(&archive).status().unwrap().success());
    }
    let module = dir.join(out);
    let ok = clean_command(root().join("scripts/wasip2-clang"))
        .arg("-fuse-ld=/usr/bin/wasm-ld-19")
        .args(flags)
        .arg(root().join("adapter-tests/c/hello.c"))
        .arg(&archive)
        .arg("-o")
        .arg(&module)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    module
}

const KEEP_EXIT: &str = "-Wl,-u,__wasm_import_exit_exit,--export=__wasm_import_exit_exit";

#[test]
fn plain_wasm_ld_with_the_archive_then_finish() {
    let dir = tempdir("plain-wasm-ld");
    let pre = link_hello_with_plain_wasm_ld(&dir, "pre.wasm", &["-O2", KEEP_EXIT]);
    let (status, text) = check(&pre, &[]);
    assert_eq!(status, Some(1), "no _start yet: {text}");
    let out = dir.join("hello.wasm");
    let o = Command::new(tool("wasip2-on-wasip1")).arg("finish").arg(&pre).arg("-o").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let g = Guest { name: "c/hello (plain wasm-ld)".into(), native: cached("c-hello", || c_guest("hello")).native, adapted: out };
    let t = differential(&g, &Case { args: vec!["x".into()], stdin: b"abc".to_vec(), ..Default::default() });
    assert_eq!(t.status, Some(1));
    // Without the flags, `finish` says which to add.
    let bare = link_hello_with_plain_wasm_ld(&dir, "bare.wasm", &["-O2"]);
    let o = Command::new(tool("wasip2-on-wasip1")).arg("finish").arg(&bare).arg("-o").arg(dir.join("x.wasm")).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--export=__wasm_import_exit_exit"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn reactor_gets_initialize_and_its_exports_work() {
    let out = guests_dir().join("c-reactor.adapted.wasm");
    let ok = clean_command(root().join("scripts/wasip2-clang"))
        .args(["-O2", "-mexec-model=reactor"])
        .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
        .arg(root().join("adapter-tests/c/reactor.c"))
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let (status, text) = check(&out, &[]);
    assert_eq!(status, Some(0), "{text}");
    assert!(text.contains("entry point _initialize"), "{text}");
    for runner in ["wamr-run", "wasmtime-run"] {
        let o = Command::new(tool(runner)).arg("--invoke=compute").arg(&out).output().unwrap();
        let s = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{runner}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(s.contains("compute: initialized=42 clock ok=1") && s.contains("compute returned 43"), "{runner}: {s}");
    }
}

#[test]
fn check_on_components_garbage_and_unserved_modules() {
    let hello = cached("c-hello", || c_guest("hello"));
    let (status, text) = check(&hello.native, &[]);
    assert_eq!(status, Some(1));
    assert!(text.contains("a WebAssembly component"), "{text}");
    let (status, text) = check(&hello.native, &["--format=json"]);
    assert_eq!(status, Some(1));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap()["kind"], "component");
    let junk = tempdir("junk").join("junk.wasm");
    std::fs::write(&junk, b"this is not wasm at all").unwrap();
    let (status, text) = check(&junk, &[]);
    assert_eq!(status, Some(2));
    assert!(text.contains("not a WebAssembly binary"), "{text}");
    // A module with imports nothing serves: linked without the adapter.
    let m = tempdir("unserved-plain").join("unserved.wasm");
    let ok = clean_command(root().join("scripts/wasip2-clang"))
        .arg("-O1")
        .arg(format!("-fuse-ld={}", plain_ld().display()))
        .arg(root().join("adapter-tests/c/unserved.c"))
        .arg("-o")
        .arg(&m)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let (status, text) = check(&m, &[]);
    assert_eq!(status, Some(1));
    assert!(text.contains("not-served") && text.contains("wasi:http/types@0.2.0 [constructor]fields") && text.contains("make_request"), "{text}");
    assert!(text.contains("WASI 0.2.99 is newer than this adapter's WIT (0.2.12)"), "{text}");
    // The adapted hello keeps a name section naming the program's functions.
    let bytes = std::fs::read(&hello.adapted).unwrap();
    let mut names = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::CustomSection(c) = p.unwrap()
            && let wasmparser::KnownCustom::Name(n) = c.as_known()
        {
            for sub in n {
                if let Ok(wasmparser::Name::Function(map)) = sub {
                    names.extend(map.into_iter().map(|n| n.unwrap().name.to_string()));
                }
            }
        }
    }
    assert!(names.iter().any(|n| n == "__original_main" || n == "main"), "{names:?}");
    assert!(names.iter().any(|n| n == "_start"));
}

/// Offsets of the function bodies inside the code section (what DWARF addresses refer to).
fn body_offsets(wasm: &[u8]) -> Vec<usize> {
    let mut start = 0;
    let mut out = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(wasm) {
        match p.unwrap() {
            wasmparser::Payload::CodeSectionStart { unchecked_range, .. } => start = unchecked_range.start as usize,
            wasmparser::Payload::CodeSectionEntry(b) => out.push(b.range().start as usize - start),
            _ => {}
        }
    }
    out
}

#[test]
fn debug_info_survives_the_rewrite() {
    let dir = tempdir("dwarf");
    let pre = link_hello_with_plain_wasm_ld(&dir, "pre.wasm", &["-g", "-O1", KEEP_EXIT]);
    let post = dir.join("post.wasm");
    let o = Command::new(tool("wasip2-on-wasip1")).arg("finish").arg(&pre).arg("-o").arg(&post).output().unwrap();
    assert!(o.status.success() && o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    let (a, b) = (std::fs::read(&pre).unwrap(), std::fs::read(&post).unwrap());
    let (before, after) = (body_offsets(&a), body_offsets(&b));
    // Every original body is where it was (DWARF addresses stay right); `_start` comes last.
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(&after[..before.len()], &before[..]);
    let verify = Command::new("llvm-dwarfdump-19").arg("--verify").arg(&post).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    let has_debug_info = wasmparser::Parser::new(0)
        .parse_all(&b)
        .any(|p| matches!(p, Ok(wasmparser::Payload::CustomSection(c)) if c.name() == ".debug_info"));
    assert!(has_debug_info);
    let g = Guest { name: "c/hello -g".into(), native: cached("c-hello", || c_guest("hello")).native, adapted: post };
    assert_eq!(differential(&g, &Case { stdin: b"x".to_vec(), ..Default::default() }).status, Some(1));
}
