//! `wasip2-on-wasip1 check FILE.wasm`: what a module needs, and whether it can run on a plain
//! WASIp1 runtime.
//!
//! For each import: the WIT interface and function, the version, and how it is served:
//! - `wasi_snapshot_preview1` imports of a WASIp1 function (from the vendored witx) run as they
//!   are; WAMR's socket extension only on WAMR; any other name (an invented function, the
//!   component adapter's `adapter_*_badfd`) or a wrong core type is reported with its callers;
//! - WASI 0.2 imports are served once the module is linked with `wasip2-on-wasip1-ld`, with
//!   the status the adapter's coverage table gives them (full, unsupported, no-instance…);
//! - anything else (another package, a newer 0.2.x, WASI 0.3, `env`) cannot be served.
//!
//! A module runs on a plain WASIp1 runtime when every import is from `wasi_snapshot_preview1`
//! and it has an entry point (`_start`, or `_initialize` for a reactor).

use crate::rewrite::{self, Kind};
use crate::table::{self, Build, Lookup, Status};
use crate::wamr::{self, Target};
use serde_json::json;

/// Which build's coverage to check against (`--runtime`).
pub type Runtime = Build;

/// WAMR's socket extension to `wasi_snapshot_preview1` (not in standard WASIp1), from the
/// vendored `wasi_socket_ext.h` (see `crate::wasip1`).
pub use crate::wasip1::WAMR_SOCKET_EXTENSION;

/// The outcome: a report and the exit status.
pub struct Report {
    pub text: String,
    pub json: serde_json::Value,
    pub runs: bool,
}

/// Checks `bytes` (named `file` in messages): its imports against `runtime`'s adapter build,
/// and, unless `wamr` is `None`, its WebAssembly features against that WAMR release.
pub fn check(file: &str, bytes: &[u8], runtime: Runtime, wamr: Option<&Target>) -> Result<Report, String> {
    match rewrite::kind(bytes) {
        Kind::NotWasm => return Err(format!("{file}: not a WebAssembly binary")),
        Kind::Component => {
            let text = format!(
                "{file}: a WebAssembly component (a native WASIp2 program), not a core module.\n\
                 A WASIp1 runtime cannot run it. Link the program's core module with \
                 wasip2-on-wasip1-ld instead (cargo's `linker`, or clang's -fuse-ld).\n"
            );
            let json = json!({"file": file, "kind": "component", "runs_on_wasip1": false, "imports": []});
            return Ok(Report { text, json, runs: false });
        }
        Kind::Module => {}
    }
    let info = rewrite::inspect(bytes).map_err(|e| format!("{file}: {e:#}"))?;
    let mut rows = Vec::new();
    let mut text = String::new();
    let mut runs = true;
    let imports = info
        .func_imports
        .iter()
        .map(|i| (i.module.clone(), i.name.clone(), Some(i.index)))
        .chain(info.other_imports.iter().map(|(m, n)| (m.clone(), n.clone(), None)));
    for (module, name, index) in imports {
        let callers = index.and_then(|f| info.callers.get(&f)).map(|c| {
            c.iter().map(|f| info.name_of(*f)).collect::<Vec<_>>()
        });
        let wrong_type = index.and_then(|f| crate::wasip1::wrong_type(&name, &info.func_types[f as usize]));
        let (status, detail, served) = if module == "wasi_snapshot_preview1" {
            if WAMR_SOCKET_EXTENSION.contains(&name.as_str()) {
                if runtime == Runtime::Wamr {
                    ("wasip1-wamr", "WAMR's socket extension: runs on WAMR only".to_string(), true)
                } else {
                    ("wasip1-wamr", "WAMR's socket extension: not in standard WASIp1 (check with --runtime wamr)".to_string(), false)
                }
            } else if let Some(why) = wrong_type {
                ("wrong-type", why, false)
            } else if crate::wasip1::ADAPTER_FUNCTIONS.iter().any(|(n, _)| *n == name) {
                (
                    "not-served",
                    "wasmtime's component-adapter function, not WASIp1 (old wasip2 libcs import it): link the program with wasip2-on-wasip1-ld".to_string(),
                    false,
                )
            } else if crate::wasip1::WASIP1.iter().any(|f| f.0 == name) {
                ("wasip1", "runs as is".to_string(), true)
            } else {
                ("not-served", "not a WASIp1 function (neither in the WASIp1 witx nor in WAMR's socket extension)".to_string(), false)
            }
        } else {
            match table::lookup_in(runtime, &module, &name) {
                Lookup::Served(t) => {
                    let (st, d) = match t.status {
                        Status::Full => ("full", "served in full".to_string()),
                        Status::Partial => ("partial", format!("served with a limitation: {}", t.note)),
                        Status::Unsupported => ("unsupported", format!("links, but {}", t.note)),
                        Status::NoInstance => ("no-instance", format!("links, but {}", t.note)),
                    };
                    (st, format!("{d}; needs linking with wasip2-on-wasip1-ld ({})", t.wit), false)
                }
                Lookup::Newer { version } => (
                    "not-served",
                    format!("WASI {version} is newer than this adapter's WIT ({})", table::IMPORTS[0].version),
                    false,
                ),
                Lookup::Unknown => ("not-served", "not a WASI 0.2 function this adapter serves".to_string(), false),
            }
        };
        runs &= served;
        let (iface, version) = module.split_once('@').map(|(i, v)| (i.to_string(), v.to_string())).unwrap_or((module.clone(), String::new()));
        text.push_str(&format!("  {status:<12} {module} {name}: {detail}"));
        if let Some(c) = &callers
            && !c.is_empty()
            && status != "wasip1"
        {
            text.push_str(&format!(" (called from {})", c.join(", ")));
        }
        text.push('\n');
        rows.push(json!({
            "module": module, "name": name, "interface": iface, "version": version,
            "status": status, "detail": detail, "callers": callers.unwrap_or_default(),
        }));
    }
    let entry = ["_start", "_initialize"].into_iter().find(|e| info.exports.contains_key(*e));
    if entry.is_none() {
        runs = false;
    }
    // WebAssembly features, against the WAMR release.
    let usage = crate::features::scan(bytes).map_err(|e| format!("{file}: {e:#}"))?;
    let mut features = Vec::new();
    let mut feature_text = String::new();
    for (f, uses) in &usage {
        let loads = wamr.is_none_or(|t| t.loads(*f));
        runs &= loads;
        let functions: Vec<String> = uses.functions.iter().map(|i| info.name_of(*i)).collect();
        let enable = (!loads).then(|| wamr::how_to_enable(*f));
        feature_text.push_str(&format!(
            "  {:<12} {f}: {}{}{}\n",
            if wamr.is_none() { "used" } else if loads { "loads" } else { "refused" },
            uses.what.iter().take(6).cloned().collect::<Vec<_>>().join(", "),
            if functions.is_empty() { String::new() } else { format!(" (in {})", functions.iter().take(8).cloned().collect::<Vec<_>>().join(", ")) },
            enable.map(|e| format!("; needs {e}")).unwrap_or_default()
        ));
        features.push(json!({
            "feature": f.name(), "loads": loads, "uses": uses.what, "functions": functions, "needs": enable,
        }));
    }
    // A module with WAMR-only imports runs on WAMR, not on a plain WASIp1 runtime.
    let wamr_only = rows.iter().any(|r| r["status"] == "wasip1-wamr");
    let verdict = match (runs, wamr) {
        (false, _) => "cannot run on a plain WASIp1 runtime as it is".to_string(),
        (true, Some(t)) if wamr_only => format!("runs on {} only (it imports WAMR's socket extension)", t.describe()),
        (true, None) if wamr_only => "runs on WAMR only (it imports WAMR's socket extension)".to_string(),
        (true, Some(t)) => format!("runs on a plain WASIp1 runtime, {} included", t.describe()),
        (true, None) => "runs on a plain WASIp1 runtime".to_string(),
    };
    let head = format!(
        "{file}: core module, {} imports, entry point {}\n{verdict}",
        rows.len(),
        entry.unwrap_or("none (no _start or _initialize)"),
    );
    let feature_head = match wamr {
        Some(t) => format!("WebAssembly features, against {}:\n", t.describe()),
        None => "WebAssembly features (no WAMR check):\n".to_string(),
    };
    text.push_str(&feature_head);
    if feature_text.is_empty() {
        text.push_str("  none beyond the MVP\n");
    }
    text.push_str(&feature_text);
    let runtime_name = if runtime == Runtime::Wamr { "wamr" } else { "portable" };
    let json = json!({
        "file": file, "kind": "core-module", "runtime": runtime_name, "entry": entry,
        "runs_on_wasip1": runs, "imports": rows,
        "wamr": wamr.map(|t| json!({"requested": t.requested, "profile": t.release.version, "extra": t.extra.iter().map(|f| f.name()).collect::<Vec<_>>()})),
        "features": features,
    });
    Ok(Report { text: format!("{head}\n{text}"), json, runs })
}
