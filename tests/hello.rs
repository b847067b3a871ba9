//! The hello programs (C via wasi-libc, Rust std) behave identically natively on WASIp2 and,
//! through the adapter, on wasmtime's WASIp1 and on WAMR: stdout, stderr, exit status and the
//! files left in the preopened directory.

mod common;
use common::*;

fn c_hello() -> Guest {
    cached("c-hello", || c_guest("hello"))
}

fn rust_hello() -> Guest {
    cached("rust-hello", || rust_guest("hello"))
}

fn cases() -> Vec<Case> {
    let big: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    vec![
        Case {
            args: vec!["x".into(), "y z".into(), "ünï".into()],
            env: vec![("GREETING".into(), "hi there".into())],
            stdin: b"abc\0\xff\n".to_vec(),
            ..Default::default()
        },
        Case::default(),
        Case { env: vec![("GREETING".into(), "=x=".into())], stdin: big, ..Default::default() },
    ]
}

fn check(g: &Guest) {
    for case in cases() {
        let t = differential(g, &case);
        // exit(3) through WASI 0.2.0's `exit(err)` is status 1 on a native host, and must be
        // exactly that here too.
        assert_eq!(t.status, Some(1), "{}: {t:?}", g.name);
        assert!(t.stderr.contains("exiting with 3"), "{}: {t:?}", g.name);
        assert!(t.stdout.contains(&format!("{} bytes", case.stdin.len())), "{}: {}", g.name, t.stdout);
        if let Some(v) = case.env.first() {
            assert!(t.stdout.contains(&format!("GREETING={}", v.1)), "{}", t.stdout);
        }
    }
}

#[test]
fn c_hello_is_identical_on_wamr_wasmtime_p1_and_native_p2() {
    check(&c_hello());
}

#[test]
fn rust_hello_is_identical_on_wamr_wasmtime_p1_and_native_p2() {
    check(&rust_hello());
}

#[test]
fn hello_programs_are_identical_on_every_wamr_release() {
    // The real iwasm of each release, default build (WAMR before 2.3.0 has no reference types
    // and refuses over-long table immediates: the linker writes single bytes).
    for g in [c_hello(), rust_hello()] {
        for v in IWASM_FLEET {
            for case in cases() {
                differential_on(&g, &case, &[Runtime::Iwasm(v)]);
            }
        }
    }
}

#[test]
fn linked_hello_modules_import_only_wasip1() {
    for g in [c_hello(), rust_hello()] {
        let imports = import_modules(&g.adapted);
        assert!(!imports.is_empty());
        for (m, n) in &imports {
            assert_eq!(m, "wasi_snapshot_preview1", "{}: leftover import {m} {n}", g.name);
        }
        // And it is a WASIp1 command: it exports `_start` and `memory`.
        let bytes = std::fs::read(&g.adapted).unwrap();
        let mut exports = Vec::new();
        for p in wasmparser::Parser::new(0).parse_all(&bytes) {
            match p.unwrap() {
                wasmparser::Payload::ExportSection(s) => {
                    exports.extend(s.into_iter().map(|e| e.unwrap().name.to_string()))
                }
                wasmparser::Payload::CustomSection(c) => {
                    assert!(!c.name().starts_with("component-type"), "{}: {} kept", g.name, c.name())
                }
                _ => {}
            }
        }
        assert!(exports.contains(&"_start".to_string()) && exports.contains(&"memory".to_string()), "{exports:?}");
        assert!(!exports.iter().any(|e| e.starts_with("__wasm_import_")), "helper exports left: {exports:?}");
    }
}
