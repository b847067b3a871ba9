//! `scripts/bench.sh` (= `cargo run --release -p bench -- [--runs N] [--quick]`).
//!
//! Builds `bench/workloads.c` four ways — `p1` (wasm32-wasip1, no adapter), `p2` (wasm32-wasip2
//! linked with the adapter), `p2zc` (the same with the caller-supplied buffer armed on reads)
//! and `native` (a WASIp2 component, wasmtime only) — runs every workload on the WAMR and
//! wasmtime runners `--runs` times, interleaving the variants, and prints one Markdown table
//! of medians and ratios to the p1 build (same runtime, same run). Each program times only its
//! workload with the monotonic clock. Then code size (what the adapter adds to a C hello and a
//! file-heavy C program, with wasm-ld's dead-code removal) and memory (pages before/after 10^6
//! open/read/close cycles).
//!
//! Nothing here asserts a speed: it prints figures.

mod icount;
mod profile;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const VARIANTS: [&str; 4] = ["p1", "p2", "p2zc", "native"];

/// WAMR's socket shim for WASIp1 C programs (vendored in wamrx-sys): gives the p1 build of the
/// TCP workload real sockets on WAMR.
fn wamr_socket_shim() -> PathBuf {
    let registry = std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"));
    let src = registry.join("registry/src");
    for index in std::fs::read_dir(&src).unwrap().flatten() {
        let p = index.path().join("wamrx-sys-0.3.0/wasm-micro-runtime/core/iwasm/libraries/lib-socket");
        if p.is_dir() {
            return p;
        }
    }
    panic!("wamrx-sys 0.3.0 sources not found under {}", src.display());
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn tool(name: &str) -> PathBuf {
    let p = root().join("target/release").join(name);
    assert!(p.is_file(), "{} missing: run scripts/bench.sh", p.display());
    p
}

fn sh(cmd: &mut Command) {
    let st = cmd.status().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(st.success(), "{cmd:?} failed");
}

/// Builds `src` as `variant` into `out`.
fn build(src: &Path, variant: &str, out: &Path) {
    let ld = format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display());
    let mut c = match variant {
        "p1" | "p1-sockets" => Command::new(root().join("scripts/wasip1-clang")),
        _ => Command::new(root().join("scripts/wasip2-clang")),
    };
    c.arg("-O2").arg(src).arg("-o").arg(out);
    match variant {
        "p2" => {
            c.arg(&ld).arg("-DADAPTER");
        }
        "p1-sockets" => {
            let shim = wamr_socket_shim();
            c.arg("-DWAMR_SOCKETS").arg("-I").arg(shim.join("inc")).arg(shim.join("src/wasi/wasi_socket_ext.c"));
        }
        "p2-sockets" => {
            c.arg(&ld).arg("-DADAPTER").env("WASIP2_ON_WASIP1_RUNTIME", "wamr");
        }
        "p2zc" => {
            c.arg(&ld).arg("-DADAPTER").arg("-DZEROCOPY");
        }
        "plain" => {
            c.arg(format!("-fuse-ld={}", plain_ld().display()));
        }
        _ => {}
    }
    sh(&mut c);
}

/// rust-lld as a plain wasm-ld (no adapter), for measuring what the adapter adds.
fn plain_ld() -> PathBuf {
    let out = Command::new("rustc").args(["--print", "sysroot"]).output().unwrap();
    let host = String::from_utf8(Command::new("rustc").arg("-vV").output().unwrap().stdout).unwrap();
    let host = host.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_string();
    let lld = Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("lib/rustlib").join(host).join("bin/rust-lld");
    let script = root().join("target/bench/plain-ld.sh");
    std::fs::write(&script, format!("#!/bin/sh\nexec {} -flavor wasm \"$@\"\n", lld.display())).unwrap();
    sh(Command::new("chmod").arg("+x").arg(&script));
    script
}

struct Workload {
    name: String,
    args: Vec<String>,
    /// Run first (untimed) in the same sandbox, e.g. to create the file a read reads.
    setup: Option<Vec<String>>,
    wamr_only: bool,
    /// Uses sockets: p1 with WAMR's shim, p2 with the adapter's WAMR build.
    sockets: bool,
}

fn workloads(quick: bool) -> Vec<Workload> {
    let mib: u64 = if quick { 32 } else { 256 };
    let big = (mib << 20).to_string();
    let scale = |n: u64| if quick { n / 10 } else { n };
    let w = |name: String, args: Vec<String>, setup: Option<Vec<String>>| Workload { name, args, setup, wamr_only: false, sockets: false };
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        w(format!("write {mib} MiB, 64 KiB chunks"), v(&["write", "65536", &big]), None),
        w(format!("write {mib} MiB, 4 KiB chunks"), v(&["write", "4096", &big]), None),
        w(format!("read {mib} MiB, 64 KiB chunks"), v(&["read", "65536"]), Some(v(&["write", "65536", &big]))),
        w(format!("read {mib} MiB, 4 KiB chunks"), v(&["read", "4096"]), Some(v(&["write", "65536", &big]))),
        w(format!("stdout {} lines", scale(1_000_000)), v(&["stdout", &scale(1_000_000).to_string()]), None),
        w(format!("{} clock_gettime", scale(1_000_000)), v(&["clock", &scale(1_000_000).to_string()]), None),
        w(format!("{} poll(timeout 0)", scale(100_000)), v(&["poll", &scale(100_000).to_string()]), None),
        w(format!("list a directory of {} files", scale(10_000)), v(&["listdir"]), Some(v(&["mkfiles", &scale(10_000).to_string()]))),
        w(format!("{} open/fstat/close", scale(10_000)), v(&["openstat", &scale(10_000).to_string()]), None),
        w(format!("{} stat", scale(10_000)), v(&["stat", &scale(10_000).to_string()]), None),
        Workload {
            name: format!("TCP loopback {mib} MiB, 16 KiB chunks"),
            args: v(&["tcp", &big]),
            setup: None,
            wamr_only: true,
            sockets: true,
        },
    ]
}

/// Runs `module` on `runner` with `/sandbox` mapped to `sandbox` and the loopback pool; panics
/// unless it succeeds. Returns stdout followed by stderr.
fn exec(runner: &str, module: &Path, args: &[String], sandbox: &Path, env: &[(&str, &Path)]) -> String {
    let out = Command::new(tool(runner))
        .arg(format!("--map-dir=/sandbox::{}", sandbox.display()))
        .arg("--addr-pool=127.0.0.1/32")
        .arg(module)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{runner} {} {args:?}: {text}", module.display());
    text
}

/// One timed run; returns the elapsed time (ns) the program reported, and the facts it printed.
fn run(runner: &str, module: &Path, args: &[String], sandbox: &Path) -> (f64, String) {
    let text = exec(runner, module, args, sandbox, &[]);
    let ns = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("elapsed_ns="))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no elapsed_ns in {text}"));
    let facts = text.lines().filter(|l| l.contains("elapsed_ns=")).map(|l| l.split_once(' ').map(|x| x.1).unwrap_or("")).collect::<Vec<_>>().join(" ");
    (ns, facts)
}

/// A fresh, empty `target/bench/sandbox`.
fn fresh_sandbox(dir: &Path) -> PathBuf {
    let sandbox = dir.join("sandbox");
    let _ = std::fs::remove_dir_all(&sandbox);
    std::fs::create_dir_all(&sandbox).unwrap();
    sandbox
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Code and data bytes of a module (sections 10 and 11).
fn code_data(module: &Path) -> (usize, usize) {
    let bytes = std::fs::read(module).unwrap();
    let (mut code, mut data) = (0, 0);
    let mut i = 8;
    let leb = |b: &[u8], i: &mut usize| {
        let (mut r, mut s) = (0usize, 0);
        loop {
            let x = b[*i];
            *i += 1;
            r |= ((x & 0x7f) as usize) << s;
            s += 7;
            if x < 0x80 {
                return r;
            }
        }
    };
    while i < bytes.len() {
        let id = bytes[i];
        i += 1;
        let size = leb(&bytes, &mut i);
        match id {
            10 => code += size,
            11 => data += size,
            _ => {}
        }
        i += size;
    }
    (code, data)
}

/// Code size: the adapter's share of a module, with wasm-ld's dead-code removal (both
/// modules linked by the same wasm-ld, so relocation padding is alike); and the adapter's
/// static data.
fn sizes(dir: &Path) {
    println!("\n| program | code+data, plain wasm-ld (unlinked p2 imports) | with the adapter | adapter adds |");
    println!("| --- | --- | --- | --- |");
    let programs = [
        ("C hello", root().join("adapter-tests/c/hello.c"), "p2"),
        ("C file-heavy (adapter-tests/c/fs.c)", root().join("adapter-tests/c/fs.c"), "p2"),
        ("C files + sockets (bench/workloads.c), WAMR build", root().join("bench/workloads.c"), "p2-sockets"),
    ];
    for (name, src, variant) in programs {
        let plain = dir.join("size-plain.wasm");
        let adapted = dir.join("size-adapted.wasm");
        build(&src, "plain", &plain);
        build(&src, variant, &adapted);
        let (pc, pd) = code_data(&plain);
        let (ac, ad) = code_data(&adapted);
        let added = (ac + ad) as i64 - (pc + pd) as i64;
        println!(
            "| {name} | {} B | {} B | {} B ({:.1} KiB; code {} B, data {} B) |",
            pc + pd,
            ac + ad,
            added,
            added as f64 / 1024.0,
            ac as i64 - pc as i64,
            ad as i64 - pd as i64
        );
    }
    // Every static of the adapter (data, read-only data and zero-initialised state), before
    // dead-code removal: an upper bound of its fixed state in the program's data section.
    for runtime in ["portable", "wamr"] {
        let a = dir.join(format!("adapter-{runtime}.a"));
        sh(Command::new(tool("wasip2-on-wasip1")).arg("archive").arg(&a).arg("--runtime").arg(runtime));
        let out = Command::new("llvm-size-19").arg(&a).output().expect("llvm-size-19 (scripts/setup.sh installs llvm-19)");
        let text = String::from_utf8_lossy(&out.stdout);
        let data: u64 = text
            .lines()
            .filter(|l| l.contains("wasip2_on_wasip1"))
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                Some(f.get(1)?.parse::<u64>().ok()? + f.get(2)?.parse::<u64>().ok()?)
            })
            .sum();
        println!("- adapter statics ({runtime} archive, all of them, before dead-code removal): {data} B");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let runs: usize = args.iter().position(|a| a == "--runs").and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(3);
    // `--only TEXT`: just the workloads whose name contains TEXT (and no size/memory section).
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).cloned();
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    if args.iter().any(|a| a == "--size") {
        sizes(&dir);
        return;
    }
    let src = root().join("bench/workloads.c");
    let mut modules = BTreeMap::new();
    for v in VARIANTS {
        let out = dir.join(format!("workloads-{v}.wasm"));
        build(&src, v, &out);
        modules.insert(v, out);
    }
    if args.iter().any(|a| a == "--profile") {
        profile::run(&modules, &dir, only.as_deref());
        return;
    }
    let mut socket_modules = BTreeMap::new();
    for (v, build_as) in [("p1", "p1-sockets"), ("p2", "p2-sockets")] {
        let out = dir.join(format!("workloads-{build_as}.wasm"));
        build(&src, build_as, &out);
        socket_modules.insert(v, out);
    }
    if args.iter().any(|a| a == "--memory") {
        memory(&dir, &modules, &socket_modules, quick);
        return;
    }

    println!("| workload | runtime | p1 (no adapter) | p2 + adapter | p2 + adapter, zero-copy | native p2 |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut notes = Vec::new();
    for w in workloads(quick).into_iter().filter(|w| only.as_ref().is_none_or(|o| w.name.contains(o.as_str()))) {
        for runtime in ["wamr-run", "wasmtime-run"] {
            if w.wamr_only && runtime != "wamr-run" {
                continue;
            }
            let variants: Vec<&str> = VARIANTS
                .iter()
                .copied()
                .filter(|v| *v != "native" || runtime == "wasmtime-run")
                .filter(|v| *v != "p2zc" || w.args[0] == "read")
                .filter(|v| !w.sockets || socket_modules.contains_key(v))
                .collect();
            let modules = if w.sockets { &socket_modules } else { &modules };
            let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            for _ in 0..runs {
                for v in &variants {
                    let sandbox = fresh_sandbox(&dir);
                    if let Some(s) = &w.setup {
                        exec(runtime, &modules[v], s, &sandbox, &[]);
                    }
                    let (ns, facts) = run(runtime, &modules[v], &w.args, &sandbox);
                    let noted = *v == "p2zc" || (*v == "p2" && w.args[0] == "read" && !w.sockets);
                    if noted && !facts.is_empty() && times.get(v).is_none_or(|t| t.is_empty()) {
                        let what = if *v == "p2zc" { "zero-copy API" } else { "unmodified" };
                        notes.push(format!("{} on {runtime}, {what}: {facts}", w.name));
                    }
                    times.entry(v).or_default().push(ns);
                }
            }
            let p1 = median(times.get_mut("p1").unwrap());
            let cell = |v: &str, times: &mut BTreeMap<&str, Vec<f64>>| match times.get_mut(v) {
                Some(t) => {
                    let m = median(t);
                    format!("{:.1} ms ({:.2}×)", m / 1e6, p1 / m)
                }
                None => "–".to_string(),
            };
            println!(
                "| {} | {} | {:.1} ms | {} | {} | {} |",
                w.name,
                runtime.trim_end_matches("-run"),
                p1 / 1e6,
                cell("p2", &mut times),
                cell("p2zc", &mut times),
                cell("native", &mut times)
            );
        }
    }
    println!("\nRatios are p1 time / variant time (higher is faster; 1.00× is parity), medians of {runs} runs.");
    for n in notes {
        println!("- {n}");
    }

    if only.is_some() {
        return;
    }
    sizes(&dir);
    memory(&dir, &modules, &socket_modules, quick);
}

/// Memory: what the adapter keeps, and no growth across open/close and socket cycles.
fn memory(dir: &Path, modules: &BTreeMap<&str, PathBuf>, socket_modules: &BTreeMap<&str, PathBuf>, quick: bool) {
    println!();
    let cases = [
        ("open/read/close", "openclose-memory", "wamr-run", 1_000_000u64, modules),
        ("open/read/close", "openclose-memory", "wasmtime-run", 100_000, modules),
        ("socket create/close (TCP and UDP, IPv4 and IPv6)", "socket-memory", "wamr-run", 1_000_000, socket_modules),
    ];
    for (what, workload, runtime, n, builds) in cases {
        let n = if quick { n / 10 } else { n };
        for v in ["p1", "p2"] {
            let sandbox = fresh_sandbox(dir);
            let (_, facts) = run(runtime, &builds[v], &[workload.into(), n.to_string()], &sandbox);
            let facts = if v == "p1" { facts.split(" adapter_heap").next().unwrap_or("").to_string() } else { facts };
            println!("- memory, {n} {what} cycles on {}, {v}: {facts}", runtime.trim_end_matches("-run"));
        }
    }
}
