//! `watc IN.wat OUT.wasm`: translates the text format (every proposal the `wat` crate knows,
//! legacy exception handling included) and validates the result with every feature enabled, so a
//! probe that a runtime refuses is known to be a valid module. An invalid module is still written
//! (exit status 3), for probes that are invalid on purpose.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: watc IN.wat OUT.wasm");
        std::process::exit(2);
    }
    let bin = match wat::parse_file(&args[1]) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    std::fs::write(&args[2], &bin).expect("write output");
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    if let Err(e) = v.validate_all(&bin) {
        eprintln!("invalid: {}: {e}", args[1]);
        std::process::exit(3);
    }
}
