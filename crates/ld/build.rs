//! 1. Renders the import table from `wit/` and `src/coverage.txt` (see `crates/wit-table`).
//! 2. Builds the adapter archive for `wasm32-wasip1` with the `adapter` profile, so the
//!    linker carries it (`include_bytes!`) and works after a plain `cargo install --path`.
//!    The nested cargo uses its own target dir under OUT_DIR (no lock shared with the outer
//!    build) and a clean environment (the outer build's flags are for the host).
use std::path::PathBuf;
use std::process::Command;

#[path = "src/archive.rs"]
mod archive;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.join("../..").canonicalize().unwrap();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for p in ["wit", "src", "build.rs", "Cargo.toml", "crates/wit-table/src"] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    println!("cargo:rerun-if-env-changed=WASIP2_ON_WASIP1_PREBUILT_ARCHIVE");

    let table = wit_table::load(&root.join("wit"), &root.join("src/coverage.txt")).unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        std::process::exit(1)
    });
    std::fs::write(out.join("table.rs"), wit_table::render_static_table(&table)).unwrap();

    let archive = out.join("libwasip2_on_wasip1.a");
    if let Ok(pre) = std::env::var("WASIP2_ON_WASIP1_PREBUILT_ARCHIVE") {
        let mut bytes = std::fs::read(&pre).expect("reading WASIP2_ON_WASIP1_PREBUILT_ARCHIVE");
        archive::localize_in_archive(&mut bytes, archive::PRIVATE_SYMBOLS);
        std::fs::write(&archive, bytes).unwrap();
        return;
    }
    let target_dir = out.join("adapter-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--profile", "adapter", "--target", "wasm32-wasip1", "-p", "wasip2-on-wasip1"])
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
    let mut bytes = std::fs::read(target_dir.join("wasm32-wasip1/adapter/libwasip2_on_wasip1.a")).unwrap();
    let n = archive::localize_in_archive(&mut bytes, archive::PRIVATE_SYMBOLS);
    if n != 1 {
        eprintln!("error: expected to make exactly one panic-handler symbol local in the adapter archive, made {n}");
        std::process::exit(1);
    }
    std::fs::write(&archive, bytes).unwrap();
}
