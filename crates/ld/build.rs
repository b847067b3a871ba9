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

    for (features, name) in [(None, "libwasip2_on_wasip1.a"), (Some("wamr"), "libwasip2_on_wasip1_wamr.a")] {
        build_archive(&root, &out, features, &out.join(name));
    }
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
