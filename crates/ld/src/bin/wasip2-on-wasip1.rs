//! `wasip2-on-wasip1`: project tool.
//!
//! - `coverage`: prints the README's coverage table (Markdown), generated from the WIT table.
//! - `imports FILE.wasm`: prints the import modules of a core module with their counts.
//! - `archive OUT.a`: writes the adapter archive this tool carries (for linking with plain
//!   `wasm-ld`).
use std::collections::BTreeMap;
use std::process::ExitCode;
use wasip2_on_wasip1_ld::{coverage, link, rewrite};

fn usage() -> ExitCode {
    eprintln!("usage: wasip2-on-wasip1 coverage | imports FILE.wasm | archive OUT.a");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("coverage"), None) => {
            print!("{}", coverage::markdown());
            ExitCode::SUCCESS
        }
        (Some("imports"), Some(file)) => {
            let info = std::fs::read(file).map_err(anyhow::Error::from).and_then(|b| rewrite::inspect(&b));
            match info {
                Ok(info) => {
                    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
                    for i in &info.func_imports {
                        *by.entry(i.module.as_str()).or_default() += 1;
                    }
                    for (m, _) in &info.other_imports {
                        *by.entry(m.as_str()).or_default() += 1;
                    }
                    let s: Vec<String> = by.iter().map(|(m, n)| format!("{m} ({n})")).collect();
                    println!("{}", if s.is_empty() { "(none)".to_string() } else { s.join(", ") });
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("wasip2-on-wasip1: {file}: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        (Some("archive"), Some(out)) => match std::fs::write(out, link::ARCHIVE) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("wasip2-on-wasip1: {out}: {e}");
                ExitCode::FAILURE
            }
        },
        _ => usage(),
    }
}
