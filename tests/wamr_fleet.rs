//! The WAMR a device fleet runs: the linker's output loads on every release since 1.1 with its
//! default build (over-long index immediates written as single bytes), and a WebAssembly
//! feature the chosen release (`--wamr`, default: the oldest) cannot load is refused by the
//! linker and by `check`, naming the feature, the functions using it and the build option that
//! would accept it.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn text_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

/// `adapter-tests/c/<name>.c` through `wasip2-clang` with `flags` (linked with the adapter's
/// linker when `adapted`); the output path and clang's result.
fn clang(name: &str, out: &str, adapted: bool, flags: &[&str]) -> (PathBuf, Output) {
    let dst = guests_dir().join(out);
    let _ = std::fs::remove_file(&dst);
    let mut c = clean_command(root().join("scripts/wasip2-clang"));
    c.args(["-O2", "-Wall", "-Werror"]).args(flags);
    if adapted {
        c.arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()));
    }
    c.arg(root().join("adapter-tests/c").join(format!("{name}.c"))).arg("-o").arg(&dst);
    let o = c.output().unwrap();
    (dst, o)
}

fn check(file: &Path, extra: &[&str]) -> (Option<i32>, String, serde_json::Value) {
    let o = Command::new(tool("wasip2-on-wasip1")).arg("check").arg(file).args(extra).output().unwrap();
    let j = Command::new(tool("wasip2-on-wasip1")).arg("check").arg(file).args(extra).arg("--format=json").output().unwrap();
    (o.status.code(), text_of(&o), serde_json::from_slice(&j.stdout).unwrap_or_default())
}

/// The JSON feature row of `feature`.
fn feature<'a>(j: &'a serde_json::Value, feature: &str) -> &'a serde_json::Value {
    j["features"].as_array().and_then(|a| a.iter().find(|f| f["feature"] == feature)).unwrap_or_else(|| panic!("no {feature} in {j}"))
}

#[test]
fn reference_types_are_refused_for_old_wamr_and_run_on_a_release_that_has_them() {
    let (_, o) = clang("feature_reftypes", "reftypes.default.wasm", true, &["-mreference-types"]);
    let t = text_of(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("WAMR 1.1.2 (default build) cannot load"), "{t}");
    assert!(t.contains("reference-types (") && t.contains("table.size") && t.contains("`table_user`"), "{t}");
    assert!(t.contains("WAMR_BUILD_REF_TYPES=1"), "{t}");
    // The same for the newest release before 2.3.0 (named as a minor version).
    let (_, o) = clang("feature_reftypes", "reftypes.2.2.wasm", true, &["-mreference-types", "-Wl,--wamr=2.2"]);
    assert!(!o.status.success() && text_of(&o).contains("WAMR 2.2 (profile of 2.2.0, default build) cannot load"), "{}", text_of(&o));
    // 2.4 loads them: linked, it behaves as natively on iwasm 2.4.5 and the other runtimes.
    let (adapted, o) = clang("feature_reftypes", "reftypes.2.4.wasm", true, &["-mreference-types", "-Wl,--wamr=2.4"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let (native, o) = clang("feature_reftypes", "reftypes.native.wasm", false, &["-mreference-types"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let g = Guest { name: "c/feature_reftypes".into(), native, adapted: adapted.clone() };
    let t = differential_on(&g, &Case::default(), &[Runtime::WasmtimeP1, Runtime::Wamr, Runtime::Iwasm(IWASM_NEWEST)]);
    assert_eq!(t.stdout, "0\n");
    // check: refused against the default (1.1.2), loads against 2.4; JSON says so per feature.
    let (status, text, j) = check(&adapted, &[]);
    assert_eq!(status, Some(1), "{text}");
    assert!(text.contains("refused      reference-types") && text.contains("table_user"), "{text}");
    assert_eq!(feature(&j, "reference-types")["loads"], false);
    assert!(feature(&j, "reference-types")["functions"].as_array().unwrap().iter().any(|f| f == "table_user"), "{j}");
    let (status, text, j) = check(&adapted, &["--wamr=2.4.5"]);
    assert_eq!(status, Some(0), "{text}");
    assert!(text.contains("runs on a plain WASIp1 runtime, WAMR 2.4.5 (default build) included"), "{text}");
    assert_eq!(feature(&j, "reference-types")["loads"], true);
    assert_eq!(j["wamr"]["profile"], "2.4.5");
    // And WAMR 1.1.2 itself refuses it, as the profile says.
    let out = Command::new(iwasm(IWASM_OLDEST)).arg(&adapted).output().unwrap();
    assert!(!out.status.success(), "{}", text_of(&out));
}

#[test]
fn simd_is_refused_naming_the_function_and_the_build_option() {
    let (_, o) = clang("feature_simd", "simd.default.wasm", true, &["-msimd128"]);
    let t = text_of(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("simd (") && t.contains("v128.load") && t.contains("`add_vectors`") && t.contains("WAMR_BUILD_SIMD=1"), "{t}");
    // A build for a runtime with SIMD: `--wamr=2.2+simd` (a device built with SIMD on).
    let (adapted, o) = clang("feature_simd", "simd.plus.wasm", true, &["-msimd128", "-Wl,--wamr=2.2+simd"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let (status, text, j) = check(&adapted, &[]);
    assert_eq!(status, Some(1), "{text}");
    assert!(text.contains("refused      simd") && text.contains("add_vectors"), "{text}");
    assert_eq!(feature(&j, "simd")["loads"], false);
    assert!(feature(&j, "simd")["needs"].as_str().unwrap().contains("WAMR_BUILD_SIMD=1"), "{j}");
    let (status, _, j) = check(&adapted, &["--wamr", "2.2+simd"]);
    assert_eq!(status, Some(0));
    assert_eq!(feature(&j, "simd")["loads"], true);
    // WAMR 2.4's default build runs SIMD in its interpreter: linked for it, the module behaves
    // as natively there and on wasmtime.
    let (adapted, o) = clang("feature_simd", "simd.2.4.wasm", true, &["-msimd128", "-Wl,--wamr=2.4"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let (native, o) = clang("feature_simd", "simd.native.wasm", false, &["-msimd128"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let g = Guest { name: "c/feature_simd".into(), native, adapted };
    // argc = 1: lanes 0 and 3 of {1, 2, 3, 4} + {5, 6, 7, 1}.
    assert_eq!(differential_on(&g, &Case::default(), &[Runtime::WasmtimeP1, Runtime::Iwasm(IWASM_NEWEST)]).stdout, "11\n");
}

#[test]
fn shared_memory_is_refused_for_every_runtime() {
    let shared = ["-matomics", "-mbulk-memory", "-Wl,--shared-memory,--max-memory=1048576,--no-check-features"];
    for wamr in ["-Wl,--wamr=1.1", "-Wl,--wamr=2.4+threads", "-Wl,--wamr=off"] {
        let flags: Vec<&str> = shared.iter().copied().chain([wamr]).collect();
        let (_, o) = clang("feature_shared", "shared.wasm", true, &flags);
        let t = text_of(&o);
        assert!(!o.status.success(), "{wamr}: {t}");
        assert!(t.contains("has a shared memory (threads)") && t.contains("cannot be shared by threads"), "{wamr}: {t}");
    }
    // `check` on the same program as a wasm32-wasip1 core module (no adapter): shared memory
    // and atomics, with the function.
    let pre = guests_dir().join("shared-p1.wasm");
    let o = clean_command(root().join("scripts/wasip1-clang"))
        .args(["-O2"])
        .args(shared)
        .arg(root().join("adapter-tests/c/feature_shared.c"))
        .arg("-o")
        .arg(&pre)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text_of(&o));
    let (_, text, j) = check(&pre, &[]);
    assert_eq!(feature(&j, "shared-memory")["loads"], false, "{text}");
    assert!(feature(&j, "threads")["functions"].as_array().unwrap().iter().any(|f| f == "bump"), "{j}");
}

#[test]
fn a_wasip1_build_is_lowered_for_old_wamr() {
    // clang's own wasm32-wasip1 output (no adapter) has padded call_indirect table indices:
    // `check` says WAMR 1.1.2 refuses it, `lower` writes single bytes, and then it runs there.
    let dir = tempdir("lower");
    let p1 = dir.join("hello-p1.wasm");
    let ok = clean_command(root().join("scripts/wasip1-clang"))
        .args(["-O2"])
        .arg(root().join("adapter-tests/c/hello.c"))
        .arg("-o")
        .arg(&p1)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let (status, text, j) = check(&p1, &[]);
    assert_eq!(status, Some(1), "{text}");
    assert_eq!(feature(&j, "overlong-table-index")["loads"], false, "{text}");
    let loaded = Command::new(iwasm(IWASM_OLDEST)).arg(&p1).output().unwrap();
    assert!(text_of(&loaded).contains("zero byte expected"), "{}", text_of(&loaded));
    let low = dir.join("hello-low.wasm");
    let o = Command::new(tool("wasip2-on-wasip1")).arg("lower").arg(&p1).arg("-o").arg(&low).output().unwrap();
    assert!(o.status.success(), "{}", text_of(&o));
    let (status, text, _) = check(&low, &[]);
    assert_eq!(status, Some(0), "{text}");
    let run = |m: &Path, v: &str| Command::new(iwasm(v)).arg(m).arg("a").output().unwrap();
    let reference = run(&p1, IWASM_NEWEST);
    assert!(String::from_utf8_lossy(&reference.stdout).contains("hello from C"), "{}", text_of(&reference));
    for v in IWASM_FLEET {
        let r = run(&low, v);
        assert_eq!((r.status.code(), &r.stdout), (reference.status.code(), &reference.stdout), "WAMR {v}: {}", text_of(&r));
    }
}

#[test]
fn the_profiles_match_what_each_release_loads() {
    // Every probe of tests/wamr-probes (one feature or encoding each, byte-level variants
    // included) on the real iwasm of every release: `check --wamr=<release>` says it loads
    // exactly when that iwasm loads it. Shared memory is refused whatever the release can do
    // (the adapter is single-threaded), so it is only required to be refused.
    let dir = tempdir("probes");
    let o = clean_command("python3").arg(root().join("tests/wamr-probes/probe.py")).arg("build").arg(&dir).output().unwrap();
    assert!(o.status.success(), "probe.py build: {}", text_of(&o));
    let mut probes: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "wasm")).collect();
    probes.sort();
    assert!(probes.len() > 60, "{probes:?}");
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for p in &probes {
        for v in IWASM_FLEET {
            let (_, text, j) = check(p, &["--wamr", v]);
            let rows = j["features"].as_array().unwrap_or_else(|| panic!("{}: {text}", p.display()));
            let predicted = rows.iter().all(|f| f["loads"] == true);
            let shared = rows.iter().any(|f| f["feature"] == "shared-memory");
            let out = Command::new(iwasm(v)).arg(p).output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let loaded = !stdout.contains("WASM module load failed");
            compared += 1;
            if (shared && predicted) || (!shared && predicted != loaded) {
                let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                mismatches.push(format!("{name} on {v}: check says loads={predicted}, iwasm loaded={loaded} ({})", stdout.trim()));
            }
        }
    }
    assert!(mismatches.is_empty(), "{} of {compared} disagree:\n{}", mismatches.len(), mismatches.join("\n"));
}
