//! 1. Renders the import table from `wit/` and `src/coverage.txt` (see `crates/wit-table`).
//! 2. Builds the adapter archives (portable, and WAMR with feature `wamr`) for `wasm32-wasip1`
//!    with the `adapter` profile (pure staticlibs, see below), so the
//!    linker carries it (`include_bytes!`) and works after a plain `cargo install --path`.
//!    The nested cargo uses its own target dir under OUT_DIR (no lock shared with the outer
//!    build) and a clean environment (the outer build's flags are for the host).
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.join("../..").canonicalize().unwrap();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for p in ["wit", "src", "build.rs", "Cargo.toml", "crates/wit-table/src"] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }

    let (wit, cov, wamr) = (root.join("wit"), root.join("src/coverage.txt"), root.join("src/coverage-wamr.txt"));
    let load = |o: Option<&std::path::Path>| {
        wit_table::load_with(&wit, &cov, o).unwrap_or_else(|e| {
            eprintln!("error: {e:#}");
            std::process::exit(1)
        })
    };
    let tables = wit_table::render_static_table("IMPORTS", &load(None))
        + &wit_table::render_static_table("IMPORTS_WAMR", &load(Some(&wamr)));
    std::fs::write(out.join("table.rs"), tables).unwrap();
    std::fs::write(out.join("wasip1.rs"), wasip1_names(&manifest)).unwrap();

    for (features, name) in [(None, "libwasip2_on_wasip1.a"), (Some("wamr"), "libwasip2_on_wasip1_wamr.a")] {
        build_archive(&root, &out, features, &out.join(name));
    }
    build_shims(&manifest, &out);
}

/// The objects with the wrappers of wasi-libc functions that name the libc's own symbols
/// (`shim/libc_F.rs`, defining `__wrap_F`), each added only to links that wrap `F`; and
/// `shims.rs`, the table of them the linker carries (`SHIMS`: `F` and its object).
fn build_shims(manifest: &std::path::Path, out: &std::path::Path) {
    let dir = manifest.join("shim");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| Some(n.strip_prefix("libc_")?.strip_suffix(".rs")?.to_string()))
        .collect();
    names.sort();
    let mut table = String::from("/// The wrapper objects (`crates/ld/shim/`): the wrapped wasi-libc function, the object.\npub static SHIMS: &[(&str, &[u8])] = &[\n");
    for f in &names {
        let crate_name = format!("libc_{f}_shim");
        let object = out.join(format!("{crate_name}.o"));
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let status = Command::new(rustc)
            .args(["--edition", "2024", "--target", "wasm32-wasip1", "--crate-type", "lib", "--emit", "obj"])
            .args(["-C", "opt-level=2", "-C", "panic=abort", "-C", "codegen-units=1", "--crate-name", &crate_name])
            .arg("-o")
            .arg(&object)
            .arg(dir.join(format!("libc_{f}.rs")))
            .env_remove("RUSTFLAGS")
            .status()
            .expect("running rustc for a shim");
        if !status.success() {
            eprintln!("error: building the {f} shim failed");
            std::process::exit(1);
        }
        table.push_str(&format!("    (\"{f}\", include_bytes!({:?})),\n", object.display().to_string()));
    }
    table.push_str("];\n");
    std::fs::write(out.join("shims.rs"), table).unwrap();
}

/// Builds the adapter archive (with `features`) and copies it to `dest`.
fn build_archive(root: &std::path::Path, out: &std::path::Path, features: Option<&str>, dest: &std::path::Path) {
    let target_dir = out.join("adapter-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    // `cargo rustc --crate-type staticlib`: with the manifest's extra `rlib` crate type rustc
    // would skip LTO and ship `core` as a separate member (with a global panic handler that
    // clashes with std's). A pure staticlib is one LTO'd object exporting only the entry points.
    cmd.args(["rustc", "--profile", "adapter", "--target", "wasm32-wasip1", "-p", "wasip2-on-wasip1", "--crate-type", "staticlib"]);
    if let Some(f) = features {
        cmd.args(["--features", f]);
    }
    cmd
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir);
    for (k, _) in std::env::vars() {
        if (k.starts_with("CARGO_") && k != "CARGO_HOME") || k == "RUSTFLAGS" || k.starts_with("__CARGO") {
            cmd.env_remove(&k);
        }
    }
    let status = cmd.status().expect("running cargo to build the adapter archive");
    if !status.success() {
        eprintln!("error: building the adapter archive failed (is `rustup target add wasm32-wasip1` done?)");
        std::process::exit(1);
    }
    std::fs::copy(target_dir.join("wasm32-wasip1/adapter/libwasip2_on_wasip1.a"), dest).unwrap();
}

/// The WASIp1 functions with their core signatures, from the vendored witx (`witx/p1/`), and
/// WAMR's socket extension, from the vendored `wamr/wasi_socket_ext.h` (every `__import_name__`
/// that is not already a WASIp1 function).
fn wasip1_names(manifest: &std::path::Path) -> String {
    let witx_dir = manifest.join("witx/p1");
    let header = manifest.join("wamr/wasi_socket_ext.h");
    println!("cargo:rerun-if-changed={}", witx_dir.display());
    println!("cargo:rerun-if-changed={}", header.display());
    let doc = witx::load(&[witx_dir.join("wasi_snapshot_preview1.witx")]).unwrap_or_else(|e| panic!("witx: {e}"));
    let ty = |v: &[witx::WasmType]| v.iter().map(|t| format!("\"{}\"", format!("{t:?}").to_lowercase())).collect::<Vec<_>>().join(", ");
    let mut names = Vec::new();
    let mut out = String::from("/// Every WASIp1 function (witx): name, core parameter and result types, and the adapter\n/// symbol serving a program's import of it (empty: not served, left as it is).\npub static WASIP1: &[(&str, &[&str], &[&str], &str)] = &[\n");
    for m in doc.modules() {
        assert_eq!(m.name.as_str(), "wasi_snapshot_preview1");
        for f in m.funcs() {
            let (p, r) = f.wasm_signature();
            // The adapter serves every one but proc_raise (which wasmtime's adapter only traps
            // on), under the symbol wasi-libc calls it through.
            let symbol = if f.name.as_str() == "proc_raise" { String::new() } else { format!("__imported_wasi_snapshot_preview1_{}", f.name.as_str()) };
            out.push_str(&format!("    (\"{}\", &[{}], &[{}], \"{symbol}\"),\n", f.name.as_str(), ty(&p), ty(&r)));
            names.push(f.name.as_str().to_string());
        }
    }
    out.push_str("];\n");
    let text = std::fs::read_to_string(&header).unwrap();
    let mut ext = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("__import_name__(") {
        rest = &rest[i + "__import_name__(".len()..];
        let q = rest.find('"').unwrap() + 1;
        let end = q + rest[q..].find('"').unwrap();
        let name = rest[q..end].to_string();
        if !names.contains(&name) && !ext.contains(&name) {
            ext.push(name);
        }
    }
    assert!(ext.len() >= 40, "wasi_socket_ext.h: only {} import names found", ext.len());
    out.push_str("/// WAMR's socket extension to `wasi_snapshot_preview1` (not in WASIp1).\npub static WAMR_SOCKET_EXTENSION: &[&str] = &[\n");
    for n in ext {
        out.push_str(&format!("    \"{n}\",\n"));
    }
    out.push_str("];\n");
    out
}
