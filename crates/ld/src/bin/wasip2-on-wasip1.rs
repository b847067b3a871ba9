//! `wasip2-on-wasip1`: project tool.
//!
//! - `check FILE.wasm [--format json] [--runtime wamr|portable] [--wamr VERSION|off]`: per
//!   import, the WIT interface and function, its version and how this adapter serves it; the
//!   WebAssembly features it uses and whether that WAMR release loads them; exit status 1 when
//!   the module cannot run on a plain WASIp1 runtime (or that WAMR), 2 when the file is not
//!   WebAssembly.
//! - `finish IN.wasm -o OUT.wasm [--runtime …] [--wamr …]`: the post-link step of
//!   `wasip2-on-wasip1-ld`, for a module linked with plain `wasm-ld` and the adapter archive.
//! - `lower IN.wasm -o OUT.wasm [--wamr …]`: any core module (a wasm32-wasip1 build too) with
//!   its index immediates written as the single bytes old WAMR requires, then checked against
//!   that WAMR release.
//! - `coverage [--summary]`: prints `docs/coverage.md`'s table (or the README's summary of it),
//!   Markdown generated from the WIT table.
//! - `imports FILE.wasm`: prints the import modules of a core module with their counts.
//! - `archive OUT.a`: writes the adapter archive this tool carries (for linking with plain
//!   `wasm-ld`).
use std::collections::BTreeMap;
use std::process::ExitCode;
use wasip2_on_wasip1_ld::{check, coverage, link, rewrite, table, wamr};

fn usage() -> ExitCode {
    eprintln!(
        "usage: wasip2-on-wasip1 check FILE.wasm [--format text|json] [--runtime portable|wamr] [--wamr VERSION|off]\n\
         \x20      wasip2-on-wasip1 finish IN.wasm -o OUT.wasm [--runtime portable|wamr] [--wamr VERSION|off] [--partial warn|error]\n\
         \x20      wasip2-on-wasip1 lower IN.wasm -o OUT.wasm [--wamr VERSION|off]\n\
         \x20      wasip2-on-wasip1 archive OUT.a [--runtime portable|wamr]\n\
         \x20      wasip2-on-wasip1 coverage [--summary] | imports FILE.wasm"
    );
    ExitCode::from(2)
}

/// Options: `--runtime portable|wamr` (default portable), `--wamr VERSION|off` (default: the
/// oldest measured WAMR), each as `--opt=v` or `--opt v`.
struct Options {
    build: table::Build,
    wamr: Option<wamr::Target>,
    json: bool,
    files: Vec<String>,
    output: Option<String>,
    partial_is_error: bool,
}

/// Parses `args`; `Err` holds the message for a bad `--wamr` value, `Ok(None)` a usage error.
fn options(args: &[String]) -> Result<Option<Options>, String> {
    let mut o = Options { build: table::Build::Portable, wamr: Some(wamr::Target::oldest()), json: false, files: Vec::new(), output: None, partial_is_error: false };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (k, v) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || v.clone().or_else(|| it.next().cloned());
        match k.as_str() {
            "--format" => match value().as_deref() {
                Some("json") => o.json = true,
                Some("text") => o.json = false,
                _ => return Ok(None),
            },
            "--runtime" => match value().as_deref().and_then(table::Build::parse) {
                Some(b) => o.build = b,
                None => return Ok(None),
            },
            "--wamr" => match value() {
                Some(v) => o.wamr = wamr::parse_target(&v)?,
                None => return Ok(None),
            },
            "--partial" => match value().as_deref() {
                Some("error") => o.partial_is_error = true,
                Some("warn") => o.partial_is_error = false,
                _ => return Ok(None),
            },
            "-o" | "--output" if o.output.is_none() => match value() {
                Some(f) => o.output = Some(f),
                None => return Ok(None),
            },
            f if !f.starts_with("--") => o.files.push(a.clone()),
            _ => return Ok(None),
        }
    }
    Ok(Some(o))
}

/// Parses the options of a subcommand taking `files` file names (and `-o OUT` if `output`),
/// or says why not.
fn options_or_exit(args: &[String], files: usize, output: bool) -> Result<Options, ExitCode> {
    match options(args) {
        Ok(Some(o)) if o.files.len() == files && o.output.is_some() == output => Ok(o),
        Ok(_) => Err(usage()),
        Err(e) => {
            eprintln!("wasip2-on-wasip1: {e}");
            Err(ExitCode::from(2))
        }
    }
}

fn run_check(args: &[String]) -> ExitCode {
    let o = match options_or_exit(args, 1, false) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let (file, json, runtime) = (o.files[0].clone(), o.json, o.build);
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("wasip2-on-wasip1: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    match check::check(&file, &bytes, runtime, o.wamr.as_ref()) {
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
        (Some(cmd @ ("finish" | "lower")), Some(_)) => {
            let o = match options_or_exit(&args[1..], 1, true) {
                Ok(o) => o,
                Err(code) => return code,
            };
            let (input, out) = (&o.files[0], std::path::Path::new(o.output.as_deref().unwrap_or_default()));
            let r = std::fs::read(input).map_err(anyhow::Error::from).and_then(|w| {
                if cmd == "finish" {
                    link::finish(&w, out, &link::Settings { build: o.build, wamr: o.wamr, partial_is_error: o.partial_is_error })
                } else {
                    link::lower(&w, out, o.wamr.as_ref())
                }
            });
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
        (Some("coverage"), Some(o)) if o == "--summary" => {
            print!("{}", coverage::summary_markdown());
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
        (Some("archive"), Some(_)) => {
            let o = match options_or_exit(&args[1..], 1, false) {
                Ok(o) => o,
                Err(code) => return code,
            };
            match std::fs::write(&o.files[0], link::archive(o.build)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("wasip2-on-wasip1: {}: {e}", o.files[0]);
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage(),
    }
}
