//! wasi:io, wasi:clocks, wasi:cli and wasi:random: C programs through wasi-libc and a Rust
//! program calling every function directly, each identical natively and through the adapter
//! on WAMR and wasmtime-p1; the caller-supplied buffer; misuse that must trap.

mod common;
use common::*;

fn c(name: &str) -> Guest {
    cached(&format!("c-{name}"), || c_guest(name))
}

fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |s, b| s.wrapping_mul(31).wrapping_add(*b as u32))
}

fn binary(n: usize) -> Vec<u8> {
    (0..n as u32).map(|i| (i.wrapping_mul(2654435761) >> 11) as u8).collect()
}

#[test]
fn c_large_stdout_stderr_and_stdin() {
    let g = c("stdio");
    for stdin in [binary(1 << 20), Vec::new(), b"\0\x01\xff\n".to_vec()] {
        let t = differential(&g, &Case { stdin: stdin.clone(), ..Default::default() });
        assert_eq!(t.status, Some(0));
        assert!(t.stdout.len() > (1 << 20) + 400_000, "{}", t.stdout.len());
        assert!(t.stderr.len() > 60_000, "{}", t.stderr.len());
        let want = format!("stdin {} bytes checksum {:08x} eof=1 error=0", stdin.len(), checksum(&stdin));
        assert!(t.stdout.contains(&want), "want {want}, got {}", &t.stdout[t.stdout.len() - 200..]);
        // write(2) of 65553 bytes is short (65536), as on a native host.
        assert!(t.stdout.contains("fwrite 1048576, write 65536, stderr write 30000"), "{}", &t.stdout[t.stdout.len() - 200..]);
    }
}

#[test]
fn c_sleeps_and_clocks() {
    let t = differential(&c("time"), &Case::default());
    assert_eq!(t.status, Some(0));
    assert_eq!(t.stdout.matches("slept>=requested: yes").count(), 7, "{}", t.stdout);
    assert!(!t.stdout.contains(": no"), "{}", t.stdout);
}

#[test]
fn c_poll_on_stdin_and_stdout() {
    let stdin = binary(100_000);
    let t = differential(&c("poll_stdin"), &Case { stdin, ..Default::default() });
    assert!(t.stdout.contains("stdout: poll=1 writable=yes"), "{}", t.stdout);
    assert!(t.stdout.contains("stdin: 100000 bytes, eof=1"), "{}", t.stdout);
}

#[test]
fn c_getentropy_and_arc4random() {
    let t = differential(&c("random"), &Case::default());
    assert_eq!(t.status, Some(0));
    assert!(!t.stdout.contains("=no"), "{}", t.stdout);
    assert!(t.stdout.contains("getentropy: rc=0,0 differ=yes"), "{}", t.stdout);
}

#[test]
fn c_exit_codes() {
    let g = c("exit");
    for mode in ["exit", "return", "_Exit"] {
        for code in [0, 1, 3, 42] {
            let t = differential(&g, &Case { args: vec![mode.into(), code.to_string()], ..Default::default() });
            // WASI 0.2.0's exit(result) carries ok/err only: a native host reports 0 or 1.
            assert_eq!(t.status, Some(if code == 0 { 0 } else { 1 }), "{mode} {code}");
        }
    }
}

fn p2_direct() -> Guest {
    cached("rust-p2-direct", || rust_guest("p2-direct"))
}

#[test]
fn rust_calls_every_io_clocks_cli_random_function() {
    let t = differential(
        &p2_direct(),
        &Case {
            stdin: b"0123456789abcdefghijklmnopqrstuvwxyz".to_vec(),
            env: vec![("GREETING".into(), "hi".into())],
            ..Default::default()
        },
    );
    // exit-with-code (WASI 0.2.12) keeps the code.
    assert_eq!(t.status, Some(42), "{t:?}");
    for want in [
        "initial-cwd=None",
        "terminals: stdin=false stdout=false stderr=false",
        "blocking-read(4): Ok(\"0123\")",
        "skip(3): Ok(3)",
        "blocking-skip(2): Ok(2)",
        "9abcdefghi",
        "splice: Ok(5), blocking-splice: Ok(5)",
        "rest of stdin: 17 bytes, then true",
        "after end: read=true skip=true splice=true",
        "<write>\0\0\0\0\0</write>",
        "three timers in one poll: none early: true, first was the 10ms one: true",
        "sub-millisecond timer not early: true",
        "future timer ready at once: false",
        "insecure-seed stable: true",
    ] {
        assert!(t.stdout.contains(want), "missing {want:?} in\n{}", t.stdout);
    }
    // Every other check the guest prints is true: a `false` on any other line fails.
    let expected_false = ["terminals: stdin=false stdout=false stderr=false", "future timer ready at once: false"];
    for line in t.stdout.lines().filter(|l| l.contains("false")) {
        assert!(expected_false.contains(&line.trim()), "unexpected `false` in {line:?}:\n{}", t.stdout);
    }
}

#[test]
fn misuse_traps() {
    let g = p2_direct();
    for (mode, message) in [
        ("use-dropped-pollable", "is invalid (expected a live pollable)"),
        ("drop-stream-before-pollable", "(resource has children: its pollables or streams are alive)"),
        ("overlong-write", "more bytes than check-write permitted"),
        ("overlong-blocking-write", "more than 4096 bytes"),
        ("poll-empty", "the list of pollables is empty"),
    ] {
        let case = Case { args: vec![mode.into()], stdin: b"x".to_vec(), ..Default::default() };
        for rt in Runtime::ADAPTED {
            let t = run(&g, rt, &case);
            assert_eq!(t.status, Some(134), "{mode} on {rt:?} did not trap: {t:?}");
            assert!(t.stderr.contains("wasip2-on-wasip1: ") && t.stderr.contains(message), "{mode} on {rt:?}: {}", t.stderr);
            assert!(!t.stdout.contains("did not trap"));
        }
        // The native host traps too, except that wasmtime does not enforce the check-write
        // permit that the WIT says a `write` must respect.
        if mode != "overlong-write" {
            assert_eq!(run(&g, Runtime::NativeP2, &case).status, Some(134), "{mode} natively");
        }
    }
}

/// Canonical ABI violations made through the raw core imports: out-of-bounds, misaligned or
/// wrapping lists, strings that are not UTF-8 or not inside memory, misaligned or
/// out-of-bounds return areas. Each traps natively and adapted, and leaves the same files.
#[test]
fn canonical_abi_violations_trap() {
    let g = p2_direct();
    // (mode, the adapter's trap message, wasmtime's)
    for (mode, message, native_message) in [
        ("poll-huge-list", "list pointer/length out of bounds of memory", "list pointer/length out of bounds of memory"),
        ("poll-list-out-of-bounds", "list pointer/length out of bounds of memory", "list pointer/length out of bounds of memory"),
        ("poll-misaligned-list", "list pointer is not aligned", "list pointer is not aligned"),
        ("write-list-out-of-bounds", "list pointer/length out of bounds of memory", "list pointer/length out of bounds of memory"),
        ("open-invalid-utf8", "string is not valid UTF-8", "invalid utf-8 sequence"),
        ("open-path-out-of-bounds", "string pointer/length out of bounds of memory", "string pointer/length out of bounds of memory"),
        ("open-misaligned-return-area", "return area pointer is not aligned", "pointer not aligned"),
        ("clock-misaligned-return-area", "return area pointer is not aligned", "pointer not aligned"),
        ("clock-return-area-out-of-bounds", "return area out of bounds of memory", "pointer out of bounds"),
    ] {
        let case = Case { args: vec![mode.into()], ..Default::default() };
        let native = run(&g, Runtime::NativeP2, &case);
        assert_eq!(native.status, Some(134), "{mode} natively: {native:?}");
        assert!(native.stderr.contains(native_message), "{mode} natively: {}", native.stderr);
        for rt in Runtime::ADAPTED {
            let t = run(&g, rt, &case);
            assert_eq!(t.status, Some(134), "{mode} on {rt:?} did not trap: {t:?}");
            assert!(t.stderr.contains(&format!("wasip2-on-wasip1: {message}")), "{mode} on {rt:?}: {}", t.stderr);
            assert!(!t.stdout.contains("did not trap"));
            assert_eq!(t.files, native.files, "{mode} on {rt:?}: files differ from the native run");
        }
        if mode == "open-misaligned-return-area" {
            assert!(native.files.contains_key("made"), "natively the call runs before the result traps");
        } else {
            assert!(native.files.is_empty(), "{mode}: {:?}", native.files.keys());
        }
    }
}

/// A `u64` length is not cut to 32 bits: `skip` and `splice` of 2^32 bytes move data, as
/// natively (cut to wasm32's `usize`, 2^32 was 0: `blocking-skip` then spun forever reading
/// nothing, as measured on wasmtime-p1 before the fix).
#[test]
fn lengths_beyond_32_bits() {
    let g = p2_direct();
    for (mode, line) in [("huge-skip", "skip(2^32) moved bytes: true"), ("huge-splice", "splice(2^32) moved bytes: true")] {
        let case = Case { args: vec![mode.into()], stdin: binary(10_000), ..Default::default() };
        for rt in std::iter::once(Runtime::NativeP2).chain(Runtime::ADAPTED) {
            let t = run(&g, rt, &case);
            assert_eq!(t.status, Some(0), "{mode} on {rt:?}: {t:?}");
            assert!(t.stdout.contains(line), "{mode} on {rt:?}: {}", t.stdout);
        }
    }
}

#[test]
fn zero_copy_reads_land_in_the_callers_buffer() {
    // Only for adapted modules: the API exists only when linked with the adapter.
    let src = root().join("adapter-tests/c/zerocopy.c");
    let out = guests_dir().join("c-zerocopy.adapted.wasm");
    let mut cmd = clean_command(root().join("scripts/wasip2-clang"));
    cmd.args(["-O2", "-Wall", "-Werror"])
        .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
        .arg(&src)
        .arg("-o")
        .arg(&out);
    assert!(cmd.status().unwrap().success());
    let g = Guest { name: "c/zerocopy".into(), native: out.clone(), adapted: out };
    let stdin = binary(700_000);
    for rt in Runtime::ADAPTED {
        let t = run(&g, rt, &Case { stdin: stdin.clone(), ..Default::default() });
        assert_eq!(t.status, Some(0), "{t:?}");
        assert!(t.stdout.contains(&format!("stdin: {} bytes checksum {:08x}", stdin.len(), checksum(&stdin))), "{rt:?}: {}", t.stdout);
        assert!(t.stdout.contains(&format!("adapter placed {} bytes in caller buffers; copies avoided: all", stdin.len())), "{rt:?}: {}", t.stdout);
        let reads: usize = t.stdout.split("reads: ").nth(1).unwrap().split(',').next().unwrap().parse().unwrap();
        assert!(reads >= stdin.len() / 65536, "{}", t.stdout);
        // The private heap has its page (the table lives there) and does not grow with
        // handles that come and go.
        let pages = t.stdout.split("adapter heap pages: ").nth(1).unwrap().lines().next().unwrap();
        let (before, after) = pages.split_once(" -> ").unwrap();
        assert!(before.parse::<u32>().unwrap() >= 1 && before == after, "{rt:?}: {}", t.stdout);
    }
}
