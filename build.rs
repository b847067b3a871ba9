//! Derives the adapter's exported entry points from `wit/` and `src/coverage.txt`
//! (see `crates/wit-table`): one `__wasm_import_*` function per import of the world, and the
//! compile-time layout checks of the hand-written types of `src/wit-types.txt`.
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let wit = root.join("wit");
    let cov = root.join("src/coverage.txt");
    let wamr = root.join("src/coverage-wamr.txt");
    println!("cargo:rerun-if-changed={}", wit.display());
    println!("cargo:rerun-if-changed={}", cov.display());
    println!("cargo:rerun-if-changed={}", wamr.display());
    let types = root.join("src/wit-types.txt");
    println!("cargo:rerun-if-changed={}", types.display());
    // The WAMR build serves sockets: its own statuses replace the portable ones.
    let overrides = std::env::var_os("CARGO_FEATURE_WAMR").map(|_| wamr.as_path());
    let mut table = match wit_table::load_with(&wit, &cov, overrides) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    };
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // Return areas typed from the WIT, and the layout checks of the hand-written types.
    let layouts = std::fs::read_to_string(&types)
        .map_err(|e| format!("reading {}: {e}", types.display()))
        .and_then(|t| wit_table::rust_types(&wit, &t, &mut table).map_err(|e| format!("{e:#}")))
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
    std::fs::write(out.join("shims.rs"), wit_table::render_shims(&table) + &layouts).unwrap();
    std::fs::write(out.join("types.rs"), wit_table::render_types(&wit).unwrap()).unwrap();
}
