//! `wasip2-on-wasip1-ld`: a `wasm-ld` drop-in for `wasm32-wasip2` programs.
//!
//! 1. Runs `wasm-ld` with the caller's arguments plus the adapter archive (its
//!    `__wasm_import_*` definitions replace wasi-libc's imports by symbol name) and
//!    `-u/--export` for the adapter's `exit` (needed by `_start`).
//! 2. Reads the output. Every import still from a `wasi:*` module was made through a symbol
//!    the archive cannot name in advance (Rust's mangled bindings, e.g. std's
//!    `wasi:cli/environment@0.2.4 get-arguments`). Each is looked up by (module, name) in the
//!    table; if any is not served, the link fails naming it, its WIT signature and its callers.
//! 3. If served ones are left, links again asking `wasm-ld` to keep and export their
//!    implementations, then redirects each import to its implementation.
//! 4. Zero-copy reads: when wasi-libc's read functions are known builds, the second link
//!    wraps them (`--wrap`, see [`crate::zerocopy`]); `--verbose` says what was decided.
//! 5. Adds `_start` (runs `wasi:cli/run#run`; `err` exits with 1, as a native host does),
//!    drops helper exports and `component-type` sections, validates, and refuses the output
//!    if it imports anything but `wasi_snapshot_preview1`.

use crate::rewrite::{self, Info, Plan};
use crate::table::{self, Build, Lookup, Status};
use crate::wamr::{self, Target};
use crate::wasip1::{self, P1};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The portable adapter archive, built by `build.rs`.
pub static ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libwasip2_on_wasip1.a"));
/// The WAMR adapter archive (sockets over WAMR's extension), built by `build.rs`.
pub static ARCHIVE_WAMR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libwasip2_on_wasip1_wamr.a"));
// `SHIMS`: the objects defining `__wrap_F` for the wasi-libc functions `F` whose wrappers
// name the libc's own symbols (`crates/ld/shim/libc_F.rs`, built by `build.rs`: `poll`,
// `fstat`), each added only to links that wrap `F` (both builds).
include!(concat!(env!("OUT_DIR"), "/shims.rs"));

/// The archive of `build`.
pub fn archive(build: Build) -> &'static [u8] {
    match build {
        Build::Portable => ARCHIVE,
        Build::Wamr => ARCHIVE_WAMR,
    }
}

/// The adapter symbol `_start` calls to exit with `err`.
const EXIT_SYMBOL: &str = "__wasm_import_exit_exit";

/// A user-facing failure: printed as is, exit status 1.
#[derive(Debug)]
pub struct LinkError(pub String);

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for LinkError {}

/// Expands `@file` response files (one argument per line, as rustc writes them).
fn expand_args(args: Vec<String>) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for a in args {
        match a.strip_prefix('@') {
            Some(path) if Path::new(path).is_file() => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
                out.extend(text.lines().filter(|l| !l.is_empty()).map(unescape));
            }
            _ => out.push(a),
        }
    }
    Ok(out)
}

fn unescape(l: &str) -> String {
    let l = l.strip_prefix('"').and_then(|l| l.strip_suffix('"')).unwrap_or(l);
    let mut s = String::new();
    let mut it = l.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                s.push(n);
            }
        } else {
            s.push(c);
        }
    }
    s
}

/// What the output is made for: the adapter build, the WAMR release it must load on, and
/// whether a partial function the program uses is an error or a warning.
#[derive(Debug, PartialEq)]
pub struct Settings {
    pub build: Build,
    /// `None`: no WAMR feature check (`--wamr=off`).
    pub wamr: Option<Target>,
    /// `--wasip2-on-wasip1-partial=error` (or `$WASIP2_ON_WASIP1_PARTIAL=error`): a partial
    /// function the program uses fails the link (for CI) instead of a warning.
    pub partial_is_error: bool,
}

impl Settings {
    /// The defaults: portable build, the oldest measured WAMR, partial functions warned about.
    pub fn new(build: Build) -> Settings {
        Settings { build, wamr: Some(Target::oldest()), partial_is_error: false }
    }
}

/// The caller's arguments, split into the output path, the settings, and the rest (for
/// `wasm-ld`).
#[derive(Debug, PartialEq)]
pub struct Args {
    pub output: PathBuf,
    pub settings: Settings,
    pub rest: Vec<String>,
}

/// The option (and `$WASIP2_ON_WASIP1_PARTIAL`) that makes partial functions errors.
pub const PARTIAL_OPTION: &str = "--wasip2-on-wasip1-partial=";

/// `warn` / `error` as whether a partial function is an error.
pub fn partial_policy(v: &str) -> Result<bool> {
    match v {
        "" | "warn" => Ok(false),
        "error" => Ok(true),
        _ => bail!(LinkError(format!("wasip2-on-wasip1-ld: partial={v}: expected warn or error"))),
    }
}

/// The option selecting the adapter build (also `$WASIP2_ON_WASIP1_RUNTIME`).
pub const RUNTIME_OPTION: &str = "--wasip2-on-wasip1-runtime=";
/// The options naming the WAMR release the output must load on (also `$WASIP2_ON_WASIP1_WAMR`;
/// default: the oldest measured release). `wasm-ld` has no option of either name.
pub const WAMR_OPTIONS: [&str; 2] = ["--wamr=", "--wasip2-on-wasip1-wamr="];

/// `--wamr=` / `$WASIP2_ON_WASIP1_WAMR` as a target (`None` for `off`).
pub fn wamr_target(value: Option<&str>) -> Result<Option<Target>> {
    match value {
        None | Some("") => Ok(Some(Target::oldest())),
        Some(v) => wamr::parse_target(v).map_err(|e| anyhow::Error::new(LinkError(format!("wasip2-on-wasip1-ld: {e}")))),
    }
}

pub fn parse_args(args: Vec<String>) -> Result<Args> {
    let mut args = expand_args(args)?;
    if args.len() >= 2 && args[0] == "-flavor" {
        args.drain(..2);
    }
    let mut output = PathBuf::from("a.out");
    let mut rest = Vec::new();
    let env = std::env::var("WASIP2_ON_WASIP1_RUNTIME").ok();
    let mut build = match env.as_deref() {
        None | Some("") => Build::Portable,
        Some(v) => Build::parse(v).with_context(|| format!("WASIP2_ON_WASIP1_RUNTIME={v}: expected portable or wamr"))?,
    };
    let mut wamr = wamr_target(std::env::var("WASIP2_ON_WASIP1_WAMR").ok().as_deref())?;
    let mut partial_is_error = partial_policy(&std::env::var("WASIP2_ON_WASIP1_PARTIAL").unwrap_or_default())?;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if let Some(v) = WAMR_OPTIONS.iter().find_map(|o| a.strip_prefix(o)) {
            wamr = wamr_target(Some(v))?;
        } else if let Some(v) = a.strip_prefix(PARTIAL_OPTION) {
            partial_is_error = partial_policy(v)?;
        } else if let Some(v) = a.strip_prefix(RUNTIME_OPTION) {
            build = Build::parse(v).with_context(|| format!("{a}: expected portable or wamr"))?;
        } else if a == "-o" || a == "--output" {
            output = it.next().context("-o needs a file name")?.into();
        } else if let Some(o) = a.strip_prefix("--output=").or_else(|| a.strip_prefix("-o=")) {
            output = o.into();
        } else if let Some(o) = a.strip_prefix("-o").filter(|o| !o.is_empty() && !a.starts_with("-o-")) {
            output = o.into();
        } else {
            rest.push(a);
        }
    }
    Ok(Args { output, settings: Settings { build, wamr, partial_is_error }, rest })
}

/// `wasm-ld` to run: `$WASIP2_ON_WASIP1_WASM_LD`, else Rust's `rust-lld -flavor wasm`, else a
/// `wasm-ld` on PATH.
fn wasm_ld() -> Result<Command> {
    if let Ok(p) = std::env::var("WASIP2_ON_WASIP1_WASM_LD") {
        return Ok(Command::new(p));
    }
    if let Ok(out) = Command::new("rustc").args(["--print", "sysroot"]).output() {
        let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let host = Command::new("rustc")
            .args(["-vV"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|t| t.lines().find_map(|l| l.strip_prefix("host: ").map(str::to_string)));
        if let Some(host) = host {
            let lld = Path::new(&sysroot).join("lib/rustlib").join(host).join("bin/rust-lld");
            if lld.is_file() {
                let mut c = Command::new(lld);
                c.args(["-flavor", "wasm"]);
                return Ok(c);
            }
        }
    }
    for name in ["wasm-ld", "wasm-ld-19"] {
        if Command::new(name).arg("--version").output().is_ok() {
            return Ok(Command::new(name));
        }
    }
    bail!(LinkError("wasip2-on-wasip1-ld: no wasm-ld found (install Rust via rustup, or set WASIP2_ON_WASIP1_WASM_LD)".into()))
}

/// Runs `wasm-ld`; its own diagnostics reach the user unchanged.
fn run_wasm_ld(args: &[String], archive: &Path, extra: &[String], out: &Path) -> Result<()> {
    let mut cmd = wasm_ld()?;
    cmd.args(args).arg(archive).args(extra).arg("-o").arg(out);
    let status = cmd.status().context("running wasm-ld")?;
    if !status.success() {
        bail!(LinkError(String::new()));
    }
    Ok(())
}

/// The flags that keep the adapter's exit (for `_start`) in a link.
pub fn keep(sym: &str) -> [String; 2] {
    [format!("-u{sym}"), format!("--export={sym}")]
}

/// Links (`wasip2-on-wasip1-ld`).
pub fn link(args: Vec<String>) -> Result<()> {
    let Args { output, settings, rest } = parse_args(args)?;
    let build = settings.build;
    let tmp = tempfile::Builder::new().prefix("wasip2-on-wasip1-").tempdir()?;
    let archive = tmp.path().join("libwasip2_on_wasip1.a");
    std::fs::write(&archive, self::archive(build))?;
    let pass1 = tmp.path().join("pass1.wasm");
    run_wasm_ld(&rest, &archive, &keep(EXIT_SYMBOL), &pass1)?;
    let mut wasm = std::fs::read(&pass1)?;

    // Leftover WASI 0.2 imports: served ones need their implementation kept and exported.
    let info = rewrite::inspect(&wasm)?;
    if !is_wasip2_program(&wasm, &info) {
        bail!(LinkError(format!(
            "wasip2-on-wasip1-ld: {}: this is not a wasm32-wasip2 program (no WASI 0.2 imports, no \
             `component-type` section, no `wasi:cli/run` export): it was built for another target \
             such as wasm32-wasip1. Link it with the ordinary wasm-ld; the adapter is for wasip2 programs.",
            output.display()
        )));
    }
    let needed = served_leftovers(&info, &output, build)?;
    // Zero-copy reads: wrap wasi-libc's read functions when they are known builds.
    let verbose = rest.iter().any(|a| a == "--verbose");
    let zc = crate::zerocopy::decide(&wasm, &info)?;
    if verbose {
        let mut what = if zc.wrap.contains(&"wasip2_list_u8_free") {
            "zero-copy reads on".to_string()
        } else {
            "reads copy through the list (wasi-libc's read functions not recognised or not used)".to_string()
        };
        if !zc.wrap.is_empty() {
            what.push_str(&format!(" (wasm-ld --wrap={})", zc.wrap.join(" --wrap=")));
        }
        eprintln!("wasip2-on-wasip1-ld: {}: {what}", output.display());
        for n in &zc.notes {
            eprintln!("wasip2-on-wasip1-ld:   {n}");
        }
    }
    if !needed.is_empty() || !zc.wrap.is_empty() {
        let mut extra: Vec<String> = keep(EXIT_SYMBOL).to_vec();
        for s in &needed {
            extra.extend(keep(s));
        }
        extra.extend(zc.wrap.iter().map(|s| format!("--wrap={s}")));
        for (f, object) in SHIMS.iter().filter(|(f, _)| zc.wrap.contains(f)) {
            // `__wrap_F` lives in an object of its own (see `crates/ld/shim/libc_poll.rs`).
            let shim = tmp.path().join(format!("libc_{f}_shim.o"));
            std::fs::write(&shim, object)?;
            extra.push(shim.display().to_string());
        }
        let pass2 = tmp.path().join("pass2.wasm");
        run_wasm_ld(&rest, &archive, &extra, &pass2)?;
        wasm = std::fs::read(&pass2)?;
    }
    let out = finish(&wasm, &output, &settings)?;
    std::fs::write(&output, out).with_context(|| format!("writing {}", output.display()))?;
    Ok(())
}

/// Whether a linked module comes from a wasm32-wasip2 build: it still has WASI 0.2 imports,
/// or the `component-type` sections the wasip2 toolchains embed, or a `wasi:cli/run` export.
fn is_wasip2_program(wasm: &[u8], info: &Info) -> bool {
    info.func_imports.iter().any(|i| i.module.starts_with("wasi:"))
        || info.exports.keys().any(|e| e.starts_with("wasi:cli/run@"))
        || wasmparser::Parser::new(0)
            .parse_all(wasm)
            .any(|p| matches!(p, Ok(wasmparser::Payload::CustomSection(c)) if c.name().starts_with("component-type")))
}

/// The adapter symbols implementing the WASI 0.2 imports still in `info` (made through
/// symbols the archive cannot name, such as Rust's mangled bindings). Fails, naming each one,
/// when an import is not served at all.
fn served_leftovers(info: &Info, output: &Path, build: Build) -> Result<Vec<&'static str>> {
    let mut errors = Vec::new();
    let mut needed = Vec::new();
    for imp in &info.func_imports {
        if imp.module == wasip1::PRIVATE_MODULE {
            continue;
        }
        // The program's own WASIp1 imports (old libcs, Rust std before 1.94): each must be a
        // WASIp1 function (or WAMR's extension on the WAMR build, or the component adapter's
        // badfd pair) of the right type; the adapter serves them (see `wasip1`).
        if imp.module == wasip1::MODULE {
            let why = match wasip1::classify(build, &imp.name) {
                P1::Served(sym) => {
                    needed.push(sym);
                    wasip1::wrong_type(&imp.name, &imp.ty)
                }
                P1::AsIs => wasip1::wrong_type(&imp.name, &imp.ty),
                P1::WamrOnly => Some("WAMR's socket extension, not WASIp1: it runs on WAMR only (link with --wasip2-on-wasip1-runtime=wamr)".to_string()),
                P1::Unknown => Some("not a WASIp1 function (neither in the WASIp1 witx nor in WAMR's socket extension)".to_string()),
            };
            if let Some(why) = why {
                errors.push(format!("`{}` `{}`: {why}{}", imp.module, imp.name, callers(info, imp.index)));
            }
            continue;
        }
        match table::lookup_in(build, &imp.module, &imp.name) {
            Lookup::Served(t) => needed.push(t.symbol),
            Lookup::Newer { version } => errors.push(format!(
                "`{}` `{}`: WASI {version} is newer than this adapter's WIT ({}); it is not guessed at{}",
                imp.module,
                imp.name,
                table::IMPORTS[0].version,
                callers(info, imp.index)
            )),
            Lookup::Unknown => errors.push(format!(
                "`{}` `{}`: not a WASI 0.2 function this adapter serves{}",
                imp.module,
                imp.name,
                callers(info, imp.index)
            )),
        }
    }
    for (module, name) in &info.other_imports {
        if module != "wasi_snapshot_preview1" {
            errors.push(format!("`{module}` `{name}`: a non-function import cannot be served"));
        }
    }
    // The adapter returns lists and strings in memory from the program's own `cabi_realloc`
    // (so the program frees them as it frees everything else). A program without one cannot
    // be made safe: refuse, and say why.
    if info.func_imports.iter().any(|i| i.name == "cabi_realloc" && !i.module.starts_with("wasi:")) {
        errors.retain(|e| !e.contains("`cabi_realloc`"));
        errors.push(
            "`cabi_realloc`: the program defines none. The adapter allocates the lists and strings it \
             returns with the program's cabi_realloc so that the program can free them; link \
             wasi-libc (it provides one) or define cabi_realloc"
                .to_string(),
        );
    }
    if !errors.is_empty() {
        bail!(LinkError(format!(
            "wasip2-on-wasip1-ld: {} cannot run on a WASIp1 runtime; these imports are not served:\n  {}",
            output.display(),
            errors.join("\n  ")
        )));
    }
    needed.sort();
    needed.dedup();
    Ok(needed)
}

/// The post-link step, on a module linked with the adapter archive: redirects the WASI 0.2
/// imports left (to the adapter implementations the link exported), adds `_start`, drops
/// the helper exports and `component-type` sections, validates, and refuses a module that
/// still imports anything but `wasi_snapshot_preview1`, or that uses a WebAssembly feature
/// the target WAMR cannot load. Each partial function the program uses is named (a warning,
/// or an error with `partial_is_error`).
pub fn finish(wasm: &[u8], output: &Path, settings: &Settings) -> Result<Vec<u8>> {
    let build = settings.build;
    if !matches!(rewrite::kind(wasm), rewrite::Kind::Module) {
        bail!(LinkError(format!("wasip2-on-wasip1: {}: not a core WebAssembly module", output.display())));
    }
    let info = rewrite::inspect(wasm)?;
    let needed = served_leftovers(&info, output, build)?;
    let missing: Vec<&str> = needed.iter().copied().filter(|s| !info.exports.contains_key(*s)).collect();
    if !missing.is_empty() {
        bail!(LinkError(format!(
            "wasip2-on-wasip1: {}: imports made through symbols the archive cannot name are left; \
             link with wasip2-on-wasip1-ld, or add to the wasm-ld command line: {}",
            output.display(),
            missing.iter().flat_map(|s| keep(s)).collect::<Vec<_>>().join(" ")
        )));
    }
    let mut plan = Plan { module_name: output.file_stem().map(|n| n.to_string_lossy().into_owned()), ..Plan::default() };
    plan.rename_modules.insert(wasip1::PRIVATE_MODULE.to_string(), wasip1::MODULE.to_string());
    for imp in &info.func_imports {
        if imp.module == wasip1::PRIVATE_MODULE {
            continue;
        }
        if imp.module == wasip1::MODULE {
            // Served ones go to the adapter's implementation (types checked above).
            if let P1::Served(sym) = wasip1::classify(build, &imp.name) {
                plan.redirect.insert(imp.index, info.exports[sym].1);
            }
            continue;
        }
        let Lookup::Served(t) = table::lookup_in(build, &imp.module, &imp.name) else { unreachable!("checked above") };
        let (_, idx) = info.exports[t.symbol];
        if info.func_types[imp.index as usize] != info.func_types[idx as usize] {
            bail!(LinkError(format!(
                "wasip2-on-wasip1-ld: `{}` `{}` is imported with core type {:?}, but WASI {} defines `{}` as {:?}",
                imp.module, imp.name, info.func_types[imp.index as usize], t.version, t.wit, info.func_types[idx as usize]
            )));
        }
        plan.redirect.insert(imp.index, idx);
    }
    // Exports of adapter entry points are the link's helpers, never the program's.
    for name in info.exports.keys() {
        if table::IMPORTS.iter().any(|t| t.symbol == name) || wasip1::is_symbol(name) {
            plan.drop_exports.insert(name.clone());
        }
    }
    let run = info
        .exports
        .iter()
        .find(|(n, (k, _))| n.starts_with("wasi:cli/run@0.2.") && n.ends_with("#run") && *k == wasmparser::ExternalKind::Func)
        .map(|(_, (_, i))| *i);
    if !info.exports.contains_key("_start") {
        match (run, info.exports.get(EXIT_SYMBOL)) {
            (Some(run), Some((_, exit))) => plan.start = Some((run, *exit)),
            (Some(_), None) => bail!(LinkError(format!(
                "wasip2-on-wasip1: {}: the adapter's exit is not exported; add to the wasm-ld command line: {}",
                output.display(),
                keep(EXIT_SYMBOL).join(" ")
            ))),
            // A reactor (`_initialize`, no run export): nothing to add.
            (None, _) => {}
        }
    }
    let out = rewrite::apply(wasm, &info, &plan)?;
    rewrite::validate(&out)?;
    let after = rewrite::inspect(&out)?;
    let left: Vec<String> = after
        .func_imports
        .iter()
        .filter(|i| i.module != "wasi_snapshot_preview1")
        .map(|i| format!("`{}` `{}`", i.module, i.name))
        .collect();
    if !left.is_empty() {
        bail!(LinkError(format!("wasip2-on-wasip1-ld: imports left after rewriting: {}", left.join(", "))));
    }
    refuse_features(&out, &after, output, settings.wamr.as_ref())?;
    let limited = limited_functions(&after, build);
    if !limited.is_empty() {
        let lines: Vec<String> = limited.iter().map(|t| format!("`{}` `{}` ({}): {}", t.interface, t.name, t.status.name(), t.note)).collect();
        let head = format!("{}: the program uses adapter functions with a limitation on this build", output.display());
        if settings.partial_is_error {
            bail!(LinkError(format!("wasip2-on-wasip1-ld: {head} (partial functions are errors):\n  {}", lines.join("\n  "))));
        }
        eprintln!("wasip2-on-wasip1-ld: warning: {head}:\n  {}", lines.join("\n  "));
    }
    if after.names.is_empty() && build.table().iter().any(|t| t.status != Status::Full) {
        eprintln!(
            "wasip2-on-wasip1-ld: warning: {}: no name section (stripped?), so the partial functions it uses cannot be named; see `wasip2-on-wasip1 coverage`",
            output.display()
        );
    }
    Ok(out)
}

/// The adapter entry points in a finished module whose status on `build` is partial or
/// unsupported: they are the functions named by their symbol (`__wasm_import_…`) in the name
/// section, because `wasm-ld` keeps only what the program reaches.
pub fn limited_functions(info: &Info, build: Build) -> Vec<&'static table::Import> {
    let names: std::collections::HashSet<&str> = info.names.values().map(String::as_str).collect();
    build
        .table()
        .iter()
        .filter(|t| matches!(t.status, Status::Partial | Status::Unsupported) && names.contains(t.symbol))
        .collect()
}

/// `wasip2-on-wasip1 lower`: any core module (a wasm32-wasip1 build too) rewritten with the
/// index immediates old WAMR reads as single bytes (see `rewrite::apply`), validated, and
/// checked against `wamr`.
pub fn lower(wasm: &[u8], output: &Path, wamr: Option<&Target>) -> Result<Vec<u8>> {
    if !matches!(rewrite::kind(wasm), rewrite::Kind::Module) {
        bail!(LinkError(format!("wasip2-on-wasip1: {}: not a core WebAssembly module", output.display())));
    }
    let info = rewrite::inspect(wasm)?;
    let out = rewrite::apply(wasm, &info, &Plan::default())?;
    rewrite::validate(&out)?;
    refuse_features(&out, &rewrite::inspect(&out)?, output, wamr)?;
    Ok(out)
}

/// Fails, naming each feature, its uses and the build option that would accept it, when the
/// finished module `out` uses a WebAssembly feature `wamr` cannot load.
fn refuse_features(out: &[u8], info: &Info, output: &Path, wamr: Option<&Target>) -> Result<()> {
    // The adapter's state (handle table, scratch space, private heap) is global and unguarded:
    // a second thread in the same memory would race it. Refused whatever the runtime.
    let usage = crate::features::scan(out)?;
    if usage.contains_key(&crate::features::Feature::SharedMemory) {
        bail!(LinkError(format!(
            "wasip2-on-wasip1-ld: {}: the program has a shared memory (threads). The adapter keeps one \
             global, unsynchronised state (handles, scratch space, its heap) and cannot be shared by \
             threads; link without --shared-memory / -pthread.",
            output.display()
        )));
    }
    let Some(target) = wamr else { return Ok(()) };
    let refused = feature_refusals(&usage, info, target);
    if !refused.is_empty() {
        bail!(LinkError(format!(
            "wasip2-on-wasip1-ld: {} uses WebAssembly features that {} cannot load:\n  {}\n\
             Name the WAMR the devices run with --wamr=VERSION[+FEATURE...] (e.g. --wamr=2.4, \
             --wamr=2.2+tail-call for a build with WAMR_BUILD_TAIL_CALL=1), or --wamr=off for no WAMR check.",
            output.display(),
            target.describe(),
            refused.join("\n  ")
        )));
    }
    Ok(())
}

/// One line per feature in `usage` (of the module `info` describes) that `target` cannot
/// load: the feature, what uses it, in which functions, and the WAMR build option that would
/// accept it.
pub fn feature_refusals(usage: &crate::features::Usage, info: &Info, target: &Target) -> Vec<String> {
    wamr::refused(usage, target)
        .into_iter()
        .map(|(f, uses)| {
            let what: Vec<&str> = uses.what.iter().map(String::as_str).take(6).collect();
            let more = uses.what.len().saturating_sub(what.len());
            let mut line = format!("{f} ({}{})", what.join(", "), if more > 0 { format!(", {more} more") } else { String::new() });
            if !uses.functions.is_empty() {
                let names: Vec<String> = uses.functions.iter().take(8).map(|f| format!("`{}`", info.name_of(*f))).collect();
                let more = uses.functions.len().saturating_sub(names.len());
                line.push_str(&format!(" in {}{}", names.join(", "), if more > 0 { format!(" and {more} more functions") } else { String::new() }));
            }
            line.push_str(&format!(": needs {}", wamr::how_to_enable(f)));
            line
        })
        .collect()
}

fn callers(info: &Info, f: u32) -> String {
    match info.callers.get(&f) {
        Some(c) if !c.is_empty() => {
            format!(", called from {}", c.iter().map(|c| format!("`{}`", info.name_of(*c))).collect::<Vec<_>>().join(", "))
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_rustc_and_clang_command_lines() {
        let a = parse_args(v(&["-flavor", "wasm", "--export", "x", "a.o", "-o", "out.wasm", "-lc"])).unwrap();
        assert_eq!(a.output, PathBuf::from("out.wasm"));
        assert_eq!(a.settings, Settings::new(Build::Portable));
        let w = parse_args(v(&["a.o", "--wamr=2.4", "-o", "x", "--wasip2-on-wasip1-partial=error"])).unwrap();
        assert_eq!((w.settings.wamr.unwrap().release.version, w.rest), ("2.4.5", v(&["a.o"])));
        assert!(w.settings.partial_is_error);
        assert_eq!(parse_args(v(&["--wasip2-on-wasip1-wamr=off", "a.o"])).unwrap().settings.wamr, None);
        assert!(parse_args(v(&["--wasip2-on-wasip1-partial=maybe"])).is_err());
        assert!(parse_args(v(&["--wamr=0.9"])).is_err());
        let w = parse_args(v(&["a.o", "--wasip2-on-wasip1-runtime=wamr"])).unwrap();
        assert_eq!((w.settings.build, w.rest), (Build::Wamr, v(&["a.o"])));
        assert!(parse_args(v(&["--wasip2-on-wasip1-runtime=other"])).is_err());
        assert_eq!(a.rest, v(&["--export", "x", "a.o", "-lc"]));
        assert_eq!(parse_args(v(&["-oout2.wasm", "b.o"])).unwrap().output, PathBuf::from("out2.wasm"));
        assert_eq!(parse_args(v(&["--output=o3", "b.o"])).unwrap().output, PathBuf::from("o3"));
        assert_eq!(parse_args(v(&["b.o"])).unwrap().output, PathBuf::from("a.out"));
        let dir = tempfile::tempdir().unwrap();
        let rsp = dir.path().join("args");
        std::fs::write(&rsp, "a.o\n-o\nx y.wasm\n\"q\\\"uote\"\n").unwrap();
        let a = parse_args(vec![format!("@{}", rsp.display())]).unwrap();
        assert_eq!(a.output, PathBuf::from("x y.wasm"));
        assert_eq!(a.rest, v(&["a.o", "q\"uote"]));
    }
}
