//! Linking a program that uses WASI 0.2 functions the adapter cannot serve fails, and the
//! message names each import, says why, and names the calling function.

mod common;
use common::*;
use std::process::Command;

#[test]
fn c_program_with_unserved_imports_does_not_link() {
    let out_file = tempdir("unserved-c").join("unserved.wasm");
    let mut c = clean_command(root().join("scripts/wasip2-clang"));
    c.arg("-O1")
        .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
        .arg(root().join("adapter-tests/c/unserved.c"))
        .arg("-o")
        .arg(&out_file);
    let out = c.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "link succeeded:\n{err}");
    assert!(!out_file.exists(), "an output was written despite the error");
    assert!(err.contains("`wasi:http/types@0.2.0` `[constructor]fields`"), "{err}");
    assert!(err.contains("not a WASI 0.2 function this adapter serves"), "{err}");
    assert!(err.contains("called from `make_request`"), "{err}");
    assert!(err.contains("`wasi:cli/environment@0.2.99` `get-arguments`"), "{err}");
    assert!(err.contains("newer than this adapter's WIT (0.2.12)"), "{err}");
    assert!(err.contains("called from `read_args`"), "{err}");
}

#[test]
fn rust_program_with_unserved_import_does_not_link() {
    let dir = root().join("adapter-tests/rust/unserved");
    let mut c = clean_command("cargo");
    c.current_dir(&dir)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(guests_dir().join("rust-unserved"))
        .env("CARGO_TARGET_WASM32_WASIP2_LINKER", tool("wasip2-on-wasip1-ld"));
    let out = c.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "link succeeded:\n{err}");
    assert!(err.contains("`wasi:http/outgoing-handler@0.2.4` `handle`"), "{err}");
    assert!(err.contains("called from `unserved::send_request`"), "{err}");
}

#[test]
fn wasm_ld_errors_pass_through() {
    let out = Command::new(tool("wasip2-on-wasip1-ld")).args(["/nonexistent/input.o", "-o", "/tmp/x.wasm"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("/nonexistent/input.o"), "{err}");
}

#[test]
fn a_wasip1_program_is_refused_with_an_explanation() {
    let dir = tempdir("wasip1-input");
    let src = dir.join("p1.c");
    std::fs::write(&src, "#include <stdio.h>\nint main(void) { puts(\"p1\"); return 0; }\n").unwrap();
    let out = clean_command(root().join("scripts/wasip1-clang"))
        .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
        .arg(&src)
        .arg("-o")
        .arg(dir.join("p1.wasm"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("not a wasm32-wasip2 program") && err.contains("wasm32-wasip1"), "{err}");
}

#[test]
fn a_program_without_cabi_realloc_is_refused_with_an_explanation() {
    let dir = tempdir("no-cabi-realloc");
    let src = dir.join("bare.c");
    // No libc: reads its arguments through the WASI 0.2 import, returning a list.
    std::fs::write(
        &src,
        "__attribute__((import_module(\"wasi:cli/environment@0.2.0\"), import_name(\"get-arguments\")))\n\
         void get_arguments(int *ret);\n\
         __attribute__((export_name(\"wasi:cli/run@0.2.0#run\"))) int run(void) { int r[2]; get_arguments(r); return r[1] > 0 ? 0 : 1; }\n",
    )
    .unwrap();
    let out = clean_command(root().join("scripts/wasip2-clang"))
        .args(["-nostdlib", "-Wl,--no-entry", "-Wl,--allow-undefined"])
        .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
        .arg(&src)
        .arg("-o")
        .arg(dir.join("bare.wasm"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("`cabi_realloc`: the program defines none"), "{err}");
}
