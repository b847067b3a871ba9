//! `wasip2-on-wasip1-ld`: use as clang's linker (`-fuse-ld=/absolute/path/wasip2-on-wasip1-ld`)
//! or cargo's `linker` for `wasm32-wasip2`. Takes `wasm-ld`'s command line (with or without
//! rust-lld's leading `-flavor wasm`). See the crate docs (`link` module) for what it does.
use std::process::ExitCode;

fn main() -> ExitCode {
    match wasip2_on_wasip1_ld::link::link(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(le) = e.downcast_ref::<wasip2_on_wasip1_ld::link::LinkError>() {
                // wasm-ld already printed its own diagnostics when the message is empty.
                if !le.0.is_empty() {
                    eprintln!("{le}");
                }
            } else {
                eprintln!("wasip2-on-wasip1-ld: error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}
