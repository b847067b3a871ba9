//! `scripts/bench.sh --profile`: wasm instructions executed per iteration of each workload, per
//! build, split into the adapter's share and the program's (wasi-libc and the workload), with
//! the WASIp1 calls made and the functions that cost most. Counted exactly by instrumenting
//! the module (see `icount`) and running it on the wasmtime runner twice, with a small and a
//! large iteration count: per iteration = (count(large) - count(small)) / (large - small), so
//! start-up and set-up cancel out. Interpreters (WAMR) pay roughly per wasm instruction, which
//! makes this the profile of the adapter's cost there; the host's own work in each WASIp1
//! call is not included (it is the same call a p1 build makes).

use crate::icount;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

struct Probe {
    name: &'static str,
    /// Iteration counts of the two runs.
    sizes: [u64; 2],
    /// Untimed set-up run, for a given iteration count.
    setup: fn(u64) -> Option<Vec<String>>,
    args: fn(u64) -> Vec<String>,
    zero_copy: bool,
}

/// Writes `n` chunks of `chunk` bytes.
fn chunks(chunk: u64, n: u64) -> Vec<String> {
    vec!["write".into(), chunk.to_string(), (chunk * n).to_string()]
}

fn probes() -> Vec<Probe> {
    vec![
        Probe { name: "write 64 KiB", sizes: [16, 80], setup: |_| None, args: |n| chunks(65536, n), zero_copy: false },
        Probe { name: "write 4 KiB", sizes: [64, 320], setup: |_| None, args: |n| chunks(4096, n), zero_copy: false },
        Probe {
            name: "read 64 KiB",
            sizes: [16, 80],
            setup: |n| Some(chunks(65536, n)),
            args: |_| vec!["read".into(), "65536".into()],
            zero_copy: true,
        },
        Probe {
            name: "read 4 KiB",
            sizes: [64, 320],
            setup: |n| Some(chunks(4096, n)),
            args: |_| vec!["read".into(), "4096".into()],
            zero_copy: true,
        },
        Probe { name: "stdout line", sizes: [1000, 11000], setup: |_| None, args: |n| vec!["stdout".into(), n.to_string()], zero_copy: false },
        Probe { name: "clock_gettime", sizes: [1000, 11000], setup: |_| None, args: |n| vec!["clock".into(), n.to_string()], zero_copy: false },
        Probe { name: "poll(timeout 0)", sizes: [1000, 11000], setup: |_| None, args: |n| vec!["poll".into(), n.to_string()], zero_copy: false },
        Probe {
            name: "readdir entry",
            sizes: [100, 1100],
            setup: |n| Some(vec!["mkfiles".into(), n.to_string()]),
            args: |_| vec!["listdir".into()],
            zero_copy: false,
        },
        Probe { name: "open/fstat/close", sizes: [100, 1100], setup: |_| None, args: |n| vec!["openstat".into(), n.to_string()], zero_copy: false },
        Probe { name: "stat", sizes: [100, 1100], setup: |_| None, args: |n| vec!["stat".into(), n.to_string()], zero_copy: false },
    ]
}

/// Who a function belongs to, in a C program linked with the adapter: the adapter is the only
/// Rust code (its names in the `name` section are Rust paths, `wasip2_on_wasip1::…`,
/// `core::…`, `<… as …>::…`), and its generated entry points are
/// `__wasm_import_*`, and its wrappers of wasi-libc functions `__wrap_*` (zero-copy reads);
/// C names never contain `::`.
fn is_adapter(name: &str) -> bool {
    name.contains("::") || name.starts_with("__wasm_import_") || name.starts_with("wasip2_on_wasip1") || name.starts_with("__wrap_")
}

fn short(name: &str) -> String {
    let d = format!("{:#}", rustc_demangle::demangle(name));
    d.strip_prefix("wasip2_on_wasip1::").unwrap_or(&d).to_string()
}

/// One build, instrumented once for all probes.
struct Build<'a> {
    module: &'a Path,
    instrumented: PathBuf,
    names: BTreeMap<u32, String>,
    /// Functions below this index are imports (WASIp1 calls).
    imported: u32,
}

impl<'a> Build<'a> {
    fn new(module: &'a Path, dir: &Path) -> Build<'a> {
        let wasm = std::fs::read(module).unwrap();
        let instrumented = dir.join(format!("{}.icount.wasm", module.file_stem().unwrap().to_string_lossy()));
        std::fs::write(&instrumented, icount::instrument(&wasm).unwrap()).unwrap();
        let (names, imported) = icount::function_names(&wasm);
        Build { module, instrumented, names, imported }
    }
}

/// Per-iteration counts of one build for one probe: by function index; and what the large run
/// printed.
fn per_iteration(p: &Probe, b: &Build, dir: &Path) -> (BTreeMap<u32, f64>, String) {
    let (module, instrumented) = (b.module, &b.instrumented);
    let mut printed = String::new();
    let counts: Vec<BTreeMap<u32, u64>> = p
        .sizes
        .iter()
        .map(|&n| {
            let sandbox = crate::fresh_sandbox(dir);
            if let Some(s) = (p.setup)(n) {
                crate::exec("wasmtime-run", module, &s, &sandbox, &[]);
            }
            let file = dir.join("icount.txt");
            let _ = std::fs::remove_file(&file);
            printed = crate::exec("wasmtime-run", instrumented, &(p.args)(n), &sandbox, &[("WASMTIME_RUN_ICOUNT", &file)]);
            icount::parse_counts(&std::fs::read_to_string(&file).unwrap())
        })
        .collect();
    let span = (p.sizes[1] - p.sizes[0]) as f64;
    let per = counts[1].iter().map(|(&f, &n)| (f, (n as f64 - *counts[0].get(&f).unwrap_or(&0) as f64) / span)).filter(|(_, d)| *d > 0.0).collect();
    (per, printed)
}

/// A `key=value` fact the workload printed.
fn fact<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    text.split_whitespace().find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

pub fn run(modules: &BTreeMap<&str, PathBuf>, dir: &Path, only: Option<&str>) {
    println!("Wasm instructions per iteration (exact counts, instrumented modules on wasmtime-run):\n");
    println!("| workload | build | wasm instructions | in the adapter | in the program | WASIp1 calls | bytes read / copied from adapter lists |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut tops = Vec::new();
    let builds: BTreeMap<&str, Build> = ["p1", "p2", "p2zc"].into_iter().map(|b| (b, Build::new(&modules[b], dir))).collect();
    for p in probes().into_iter().filter(|p| only.is_none_or(|o| p.name.contains(o))) {
        for build in ["p1", "p2", "p2zc"] {
            if build == "p2zc" && !p.zero_copy {
                continue;
            }
            let Build { names, imported, .. } = &builds[build];
            let imported = *imported;
            let (d, printed) = per_iteration(&p, &builds[build], dir);
            // Reads: the adapter's counters over the large run's loop (p2: `adapter_copied`
            // is what wasi-libc copied out of allocated lists; p2zc: bytes outside the armed
            // buffer, `bytes - in_place`).
            let copied = match (fact(&printed, "bytes"), fact(&printed, "adapter_copied"), fact(&printed, "in_place")) {
                (Some(b), Some(c), _) => format!("{b} / {c}"),
                (Some(b), None, Some(i)) => format!("{b} / {}", b.parse::<u64>().unwrap_or(0).saturating_sub(i.parse().unwrap_or(0))),
                _ => "–".into(),
            };
            let name = |f: &u32| names.get(f).cloned().unwrap_or_else(|| format!("#{f}"));
            let (mut total, mut adapter, mut calls) = (0.0, 0.0, Vec::new());
            for (f, n) in &d {
                let fname = name(f);
                if *f < imported {
                    calls.push(format!("{} {n:.2}", fname.rsplit('.').next().unwrap_or(&fname)));
                } else {
                    total += n;
                    if is_adapter(&fname) {
                        adapter += n;
                    }
                }
            }
            println!(
                "| {} | {build} | {total:.0} | {adapter:.0} | {:.0} | {} | {copied} |",
                p.name,
                total - adapter,
                if calls.is_empty() { "–".into() } else { calls.join(", ") }
            );
            if build != "p1" {
                let mut top: Vec<(f64, String)> =
                    d.iter().filter(|(f, _)| **f >= imported).map(|(f, n)| (*n, short(&name(f)))).collect();
                top.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
                let list = top.iter().take(std::env::var("BENCH_TOP").ok().and_then(|v| v.parse().ok()).unwrap_or(12)).map(|(n, f)| format!("{f} {n:.0}")).collect::<Vec<_>>().join(", ");
                tops.push(format!("- {} ({build}): {list}", p.name));
            }
        }
    }
    println!("\nFunctions with the most instructions per iteration:");
    for t in tops {
        println!("{t}");
    }
}
