//! `wasip2-on-wasip1`: project tool.
//!
//! - `check FILE.wasm [--format json] [--runtime wamr|portable]`: per import, the WIT interface
//!   and function, its version and how this adapter serves it; exit status 1 when the module
//!   cannot run on a plain WASIp1 runtime, 2 when the file is not WebAssembly.
//! - `finish IN.wasm -o OUT.wasm`: the post-link step of `wasip2-on-wasip1-ld`, for a module
//!   linked with plain `wasm-ld` and the adapter archive (see the README).
//! - `coverage`: prints the README's coverage table (Markdown), generated from the WIT table.
//! - `imports FILE.wasm`: prints the import modules of a core module with their counts.
//! - `archive OUT.a`: writes the adapter archive this tool carries (for linking with plain
//!   `wasm-ld`).
use std::collections::BTreeMap;
use std::process::ExitCode;
use wasip2_on_wasip1_ld::{check, coverage, link, rewrite, table};

fn usage() -> ExitCode {
    eprintln!(
        "usage: wasip2-on-wasip1 check FILE.wasm [--format text|json] [--runtime portable|wamr]\n\
         \x20      wasip2-on-wasip1 finish IN.wasm -o OUT.wasm [--runtime portable|wamr]\n\
         \x20      wasip2-on-wasip1 archive OUT.a [--runtime portable|wamr]\n\
         \x20      wasip2-on-wasip1 coverage | imports FILE.wasm"
    );
    ExitCode::from(2)
}

/// `[--runtime portable|wamr]` (default portable); `None` for anything else.
fn build_option(rest: &[String]) -> Option<table::Build> {
    match rest {
        [] => Some(table::Build::Portable),
        [o] => o.strip_prefix("--runtime=").and_then(table::Build::parse),
        [o, v] if o == "--runtime" => table::Build::parse(v),
        _ => None,
    }
}

fn run_check(args: &[String]) -> ExitCode {
    let mut file = None;
    let mut json = false;
    let mut runtime = table::Build::Portable;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (k, v) = match a.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        match k.as_str() {
            "--format" => match v.or_else(|| it.next().cloned()).as_deref() {
                Some("json") => json = true,
                Some("text") => json = false,
                _ => return usage(),
            },
            "--runtime" => match v.or_else(|| it.next().cloned()).as_deref() {
                Some("wamr") => runtime = table::Build::Wamr,
                Some("portable") => runtime = table::Build::Portable,
                _ => return usage(),
            },
            f if !f.starts_with("--") && file.is_none() => file = Some(a.clone()),
            _ => return usage(),
        }
    }
    let Some(file) = file else { return usage() };
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("wasip2-on-wasip1: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    match check::check(&file, &bytes, runtime) {
        Ok(r) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&r.json).unwrap_or_default());
            } else {
                print!("{}", r.text);
            }
            if r.runs { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("wasip2-on-wasip1: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("check"), _) => run_check(&args[1..]),
        (Some("finish"), Some(input)) if args.len() >= 4 && args[2] == "-o" => {
            let Some(build) = build_option(&args[4..]) else { return usage() };
            let out = std::path::Path::new(&args[3]);
            let r = std::fs::read(input).map_err(anyhow::Error::from).and_then(|w| link::finish(&w, out, build));
            match r.and_then(|w| std::fs::write(out, w).map_err(anyhow::Error::from)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e:#}");
                    ExitCode::FAILURE
                }
            }
        }
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
        (Some("archive"), Some(out)) => match build_option(&args[2..]).map(|b| std::fs::write(out, link::archive(b))) {
            None => usage(),
            Some(Ok(())) => ExitCode::SUCCESS,
            Some(Err(e)) => {
                eprintln!("wasip2-on-wasip1: {out}: {e}");
                ExitCode::FAILURE
            }
        },
        _ => usage(),
    }
}
