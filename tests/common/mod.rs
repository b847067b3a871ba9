//! Shared machinery of the end-to-end tests: locating the tools, building guests natively and
//! through the adapter, running them on the three runtimes and comparing transcripts.
//!
//! The tools (`wasip2-on-wasip1-ld`, `wamr-run`, `wasmtime-run`) are built in release mode by
//! `scripts/test.sh` before `cargo test` runs, because building them from inside a test would
//! contend for cargo's lock on the target directory.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// A release tool binary; fails with instructions when it has not been built.
pub fn tool(name: &str) -> PathBuf {
    let p = target_dir().join("release").join(name);
    assert!(p.is_file(), "{} is missing: run `scripts/test.sh` (it builds the tools first)", p.display());
    p
}

/// A command without the outer cargo's environment (its flags are for the host build).
pub fn clean_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    for (k, _) in std::env::vars() {
        if (k.starts_with("CARGO_") && k != "CARGO_HOME") || k == "RUSTFLAGS" || k.starts_with("__CARGO") {
            c.env_remove(&k);
        }
    }
    c
}

fn run_ok(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Where built guests go.
pub fn guests_dir() -> PathBuf {
    let d = target_dir().join("guests");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A guest built both ways.
#[derive(Debug, Clone)]
pub struct Guest {
    pub name: String,
    /// Native WASIp2 component (the reference).
    pub native: PathBuf,
    /// WASIp1 core module linked through the adapter.
    pub adapted: PathBuf,
}

/// Builds `dest` with `build(path)` writing a file of its own, then renames it into place:
/// tests run in parallel and two of them may build the same guest (the native component of
/// a C program linked for both adapter builds), while a third runs it — a reader sees the
/// old file or the new one, never one being written.
fn build_into(dest: &Path, build: impl FnOnce(&Path)) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dest.with_extension(format!("tmp-{}-{n}.wasm", std::process::id()));
    build(&tmp);
    std::fs::rename(&tmp, dest).unwrap();
}

/// Builds `adapter-tests/c/<name>.c` with clang-19 for wasm32-wasip2, natively and through
/// the adapter's linker (`-fuse-ld`).
pub fn c_guest(name: &str) -> Guest {
    c_guest_for(name, "portable")
}

/// Like [`c_guest`], linking with the adapter build `build` (`portable` or `wamr`).
pub fn c_guest_for(name: &str, build: &str) -> Guest {
    let src = root().join("adapter-tests/c").join(format!("{name}.c"));
    let out = guests_dir();
    let native = out.join(format!("c-{name}.native.wasm"));
    let adapted = out.join(format!("c-{name}.adapted-{build}.wasm"));
    let cc = root().join("scripts/wasip2-clang");
    build_into(&native, |to| {
        let mut c = clean_command(&cc);
        c.args(["-O2", "-Wall", "-Werror"]).arg(&src).arg("-o").arg(to);
        run_ok(c, &format!("clang (native) {name}"));
    });
    build_into(&adapted, |to| {
        let mut c = clean_command(&cc);
        c.args(["-O2", "-Wall", "-Werror"])
            .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
            .arg(&src)
            .arg("-o")
            .arg(to)
            .env("WASIP2_ON_WASIP1_RUNTIME", build);
        run_ok(c, &format!("clang (adapted) {name}"));
    });
    Guest { name: format!("c/{name}"), native, adapted }
}

/// Builds `adapter-tests/rust/<name>` for wasm32-wasip2, natively (wasm-component-ld) and with
/// the adapter's linker as cargo's `linker`.
pub fn rust_guest(name: &str) -> Guest {
    rust_guest_for(name, "portable")
}

/// Like [`rust_guest`], linking with the adapter build `build` (`portable` or `wamr`).
pub fn rust_guest_for(name: &str, build: &str) -> Guest {
    rust_build(name, build, "rust", || clean_command("cargo"))
}

/// Builds `adapter-tests/rust/<name>` natively and with the adapter's linker (build `build`),
/// with the `cargo` command `cargo()` makes, into target directories and guest names under
/// `prefix` (one per toolchain, so builds with different toolchains never share one).
fn rust_build(name: &str, build: &str, prefix: &str, cargo: impl Fn() -> Command) -> Guest {
    let dir = root().join("adapter-tests/rust").join(name);
    let out = guests_dir();
    let mut paths = Vec::new();
    let adapted = format!("adapted-{build}");
    for (kind, linker) in [("native", None), (adapted.as_str(), Some(tool("wasip2-on-wasip1-ld")))] {
        let tdir = out.join(format!("{prefix}-{kind}"));
        // Cargo does not track the linker in its fingerprints: remove the previous link
        // output so the guest is relinked with the current adapter every time.
        let _ = std::fs::remove_file(tdir.join("wasm32-wasip2/release").join(format!("{name}.wasm")));
        if let Ok(rd) = std::fs::read_dir(tdir.join("wasm32-wasip2/release/deps")) {
            for e in rd.flatten() {
                let f = e.file_name().to_string_lossy().into_owned();
                if f.starts_with(&format!("{}-", name.replace('-', "_"))) && f.ends_with(".wasm") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let mut c = cargo();
        c.current_dir(&dir).args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"]).arg(&tdir);
        if let Some(l) = linker {
            c.env("CARGO_TARGET_WASM32_WASIP2_LINKER", l).env("WASIP2_ON_WASIP1_RUNTIME", build);
        }
        run_ok(c, &format!("cargo build ({prefix}, {kind}) {name}"));
        let built = tdir.join("wasm32-wasip2/release").join(format!("{name}.wasm"));
        let dest = out.join(format!("{prefix}-{name}.{kind}.wasm"));
        build_into(&dest, |to| {
            std::fs::copy(&built, to).unwrap();
        });
        paths.push(dest);
    }
    Guest { name: format!("{prefix}/{name}"), native: paths[0].clone(), adapted: paths[1].clone() }
}

/// Builds each guest once per test process. The lock is held while building: two tests that
/// both missed the cache would otherwise build the same guest at once, and the second copy
/// truncates the module file while the first test is running it.
pub fn cached(key: &str, build: impl FnOnce() -> Guest) -> Guest {
    static CACHE: OnceLock<std::sync::Mutex<BTreeMap<String, Guest>>> = OnceLock::new();
    let mut m = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(g) = m.get(key) {
        return g.clone();
    }
    let g = build();
    m.insert(key.to_string(), g.clone());
    g
}

/// The runtimes a guest runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// The native component on wasmtime's WASIp2 (the reference).
    NativeP2,
    /// The adapted module on wasmtime's WASIp1.
    WasmtimeP1,
    /// The adapted module on WAMR 2.4.3 embedded in `wamr-run`.
    Wamr,
    /// The adapted module on the real `iwasm` CLI of a WAMR release, built with its default
    /// options by `scripts/wamr-fleet.sh`.
    Iwasm(&'static str),
}

/// The oldest and the newest WAMR release whose real `iwasm` every differential test runs on.
pub const IWASM_OLDEST: &str = "1.1.2";
pub const IWASM_NEWEST: &str = "2.4.5";
/// Every release `scripts/wamr-fleet.sh` builds (the hello programs run on all of them).
pub const IWASM_FLEET: [&str; 5] = ["1.1.2", "1.3.3", "2.1.2", "2.2.0", "2.4.5"];

impl Runtime {
    /// Every runtime an adapted portable module runs on.
    pub const ADAPTED: [Runtime; 4] = [Runtime::WasmtimeP1, Runtime::Wamr, Runtime::Iwasm(IWASM_OLDEST), Runtime::Iwasm(IWASM_NEWEST)];
    /// The WAMRs (a WAMR-build module runs on WAMR only: wasmtime refuses WAMR's socket imports).
    pub const WAMRS: [Runtime; 3] = [Runtime::Wamr, Runtime::Iwasm(IWASM_OLDEST), Runtime::Iwasm(IWASM_NEWEST)];
}

/// The real `iwasm` of WAMR `version`: built (once, cached outside the tree) by
/// `scripts/wamr-fleet.sh`, which prints `VERSION PATH`. `scripts/test.sh` builds the whole
/// fleet before the tests start; this only looks the path up (and builds what is missing).
pub fn iwasm(version: &str) -> PathBuf {
    static PATHS: OnceLock<std::sync::Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let mut m = PATHS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = m.get(version) {
        return p.clone();
    }
    let out = clean_command("bash").arg(root().join("scripts/wamr-fleet.sh")).arg(version).output().expect("running scripts/wamr-fleet.sh");
    assert!(out.status.success(), "scripts/wamr-fleet.sh {version} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let path = text
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{version} ")))
        .map(|p| PathBuf::from(p.trim()))
        .unwrap_or_else(|| panic!("scripts/wamr-fleet.sh {version} printed no path: {text}"));
    assert!(path.is_file(), "{} is missing", path.display());
    m.insert(version.to_string(), path.clone());
    path
}

/// The guest-visible preopen `/sandbox`. WAMR's `iwasm` before 2.x has `--dir=DIR` only (the
/// guest sees the host path), so each iwasm run gets a private mount namespace in which the
/// run's own sandbox directory is bind-mounted on `/sandbox` (an empty directory created once;
/// the tests run as root, as CI does).
const GUEST_SANDBOX: &str = "/sandbox";

/// The command that runs `module` (with `args`) on `rt` in `work`, with `sandbox` preopened as
/// `/sandbox` when given, and the runner options `flags` (iwasm's syntax).
pub fn runtime_command(rt: Runtime, work: &Path, sandbox: Option<&Path>, flags: &[String], module: &Path, args: &[String]) -> Command {
    let mut c = match rt {
        Runtime::NativeP2 | Runtime::WasmtimeP1 => Command::new(tool("wasmtime-run")),
        Runtime::Wamr => Command::new(tool("wamr-run")),
        Runtime::Iwasm(v) => match sandbox {
            Some(dir) => {
                if !Path::new(GUEST_SANDBOX).is_dir() {
                    std::fs::create_dir_all(GUEST_SANDBOX)
                        .unwrap_or_else(|e| panic!("creating the mount point {GUEST_SANDBOX} for the iwasm runs (needs root): {e}"));
                }
                let dir = std::fs::canonicalize(dir).unwrap();
                let mut c = Command::new("unshare");
                c.args(["--mount", "--propagation", "private", "--", "sh", "-c", r#"mount --bind "$0" /sandbox && exec "$@""#]);
                c.arg(dir).arg(iwasm(v)).arg(format!("--dir={GUEST_SANDBOX}"));
                c
            }
            None => Command::new(iwasm(v)),
        },
    };
    c.current_dir(work);
    // iwasm got `--dir=/sandbox` inside its mount namespace above.
    if sandbox.is_some() && !matches!(rt, Runtime::Iwasm(_)) {
        c.arg("--map-dir=/sandbox::sandbox");
    }
    c.args(flags).arg(module).args(args);
    c
}

/// iwasm reports a trap on stdout as a last line `Exception: MESSAGE` and exits with status 1;
/// `wamr-run` prints WAMR's exception text on stderr and exits with 134, as wasmtime does. The
/// transcript of an iwasm run is put in `wamr-run`'s form so that the two compare.
fn iwasm_trap_as_wamr_run(stdout: &mut String, stderr: &mut String, status: &mut Option<i32>) {
    let body = stdout.strip_suffix('\n').unwrap_or(stdout);
    let at = body.rfind('\n').map_or(0, |i| i + 1);
    if let Some(message) = body[at..].strip_prefix("Exception: ") {
        let message = message.to_string();
        stdout.truncate(at);
        stderr.push_str(&format!("Exception: {message}\n"));
        *status = Some(134);
    }
}

/// What a program run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub stdout: String,
    pub stderr: String,
    pub status: Option<i32>,
    /// Files left in the preopened directory: relative path → contents.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A run: arguments, environment, stdin, and extra runner options (e.g. `--addr-pool=`).
#[derive(Debug, Clone, Default)]
pub struct Case {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    pub flags: Vec<String>,
}

fn tree(dir: &Path, base: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.file_type().is_symlink() {
            // A link is its target (it may dangle or point outside the sandbox).
            let target = std::fs::read_link(&p).unwrap();
            out.insert(format!("{rel} ->"), target.to_string_lossy().into_owned().into_bytes());
        } else if meta.is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
            tree(&p, base, out);
        } else {
            out.insert(rel, std::fs::read(&p).unwrap());
        }
    }
}

/// Runs `guest` on `rt` in a fresh directory (preopened as `/sandbox`), with the program
/// copied there as `prog.wasm` so `argv[0]` is the same everywhere.
pub fn run(guest: &Guest, rt: Runtime, case: &Case) -> Transcript {
    run_prepared(guest, rt, case, &|_| {})
}

/// Like [`run`], with `prepare` called on the fresh sandbox directory first (on the host), to
/// create what a program cannot: links to absolute paths, names that are not UTF-8.
pub fn run_prepared(guest: &Guest, rt: Runtime, case: &Case, prepare: &dyn Fn(&Path)) -> Transcript {
    let work = tempdir(&format!("{}-{rt:?}", guest.name.replace('/', "-")));
    let sandbox = work.join("sandbox");
    std::fs::create_dir_all(&sandbox).unwrap();
    prepare(&sandbox);
    let module = if rt == Runtime::NativeP2 { &guest.native } else { &guest.adapted };
    std::fs::copy(module, work.join("prog.wasm")).unwrap();
    let mut flags: Vec<String> = case.env.iter().map(|(k, v)| format!("--env={k}={v}")).collect();
    flags.extend(case.flags.iter().cloned());
    let mut c = runtime_command(rt, &work, Some(&sandbox), &flags, Path::new("prog.wasm"), &case.args);
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let input = case.stdin.clone();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let mut files = BTreeMap::new();
    tree(&sandbox, &sandbox, &mut files);
    let _ = std::fs::remove_dir_all(&work);
    let mut t = Transcript {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        status: out.status.code(),
        files,
    };
    if let Runtime::Iwasm(_) = rt {
        iwasm_trap_as_wamr_run(&mut t.stdout, &mut t.stderr, &mut t.status);
    }
    log_run(rt, &guest.name);
    t
}

/// With `$WASIP2_ON_WASIP1_RUN_LOG` set (scripts/test.sh sets it), one line per program run:
/// the runtime and the guest, so the suite can say how many runs each runtime served.
fn log_run(rt: Runtime, guest: &str) {
    if let Some(path) = std::env::var_os("WASIP2_ON_WASIP1_RUN_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            // One write per line: tests run in parallel, and `writeln!` may write a line in pieces.
            let _ = f.write_all(format!("{rt:?}\t{guest}\n").as_bytes());
        }
    }
}

/// Runs the guest natively and on both adapted runtimes, and asserts all three transcripts
/// are identical. Returns the reference transcript.
pub fn differential(guest: &Guest, case: &Case) -> Transcript {
    differential_on(guest, case, &Runtime::ADAPTED)
}

/// Like [`differential`], on the given adapted runtimes only (a WAMR-build module runs on
/// WAMR only: wasmtime refuses WAMR's socket imports).
pub fn differential_on(guest: &Guest, case: &Case, runtimes: &[Runtime]) -> Transcript {
    differential_prepared(guest, case, runtimes, &|_| {})
}

/// Like [`differential_on`], each run's sandbox prepared by `prepare` (see [`run_prepared`]).
pub fn differential_prepared(guest: &Guest, case: &Case, runtimes: &[Runtime], prepare: &dyn Fn(&Path)) -> Transcript {
    let reference = run_prepared(guest, Runtime::NativeP2, case, prepare);
    for &rt in runtimes {
        let t = run_prepared(guest, rt, case, prepare);
        if t != reference {
            panic!("{} on {rt:?} differs from the native WASIp2 run:\n{}", guest.name, first_difference(&reference, &t));
        }
    }
    reference
}

/// Where two transcripts first differ, with a little context.
pub fn first_difference(a: &Transcript, b: &Transcript) -> String {
    fn text(name: &str, x: &str, y: &str) -> Option<String> {
        if x == y {
            return None;
        }
        let at = x.bytes().zip(y.bytes()).position(|(p, q)| p != q).unwrap_or(x.len().min(y.len()));
        let ctx = |s: &str| {
            let lo = s.floor_char_boundary(at.saturating_sub(120));
            let hi = s.ceil_char_boundary((at + 120).min(s.len()));
            format!("{:?}", &s[lo..hi])
        };
        Some(format!("{name} differs at byte {at} (lengths {} vs {}):\n  native:  {}\n  adapted: {}", x.len(), y.len(), ctx(x), ctx(y)))
    }
    let mut out = Vec::new();
    out.extend(text("stdout", &a.stdout, &b.stdout));
    out.extend(text("stderr", &a.stderr, &b.stderr));
    if a.status != b.status {
        out.push(format!("exit status: native {:?}, adapted {:?}", a.status, b.status));
    }
    if a.files != b.files {
        out.push(format!(
            "files: native {:?}\n  adapted {:?}",
            a.files.keys().collect::<Vec<_>>(),
            b.files.keys().collect::<Vec<_>>()
        ));
    }
    out.join("\n")
}

/// Import modules of a core module.
pub fn import_modules(wasm: &Path) -> Vec<(String, String)> {
    let bytes = std::fs::read(wasm).unwrap();
    let mut out = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::ImportSection(s) = p.unwrap() {
            for i in s.into_imports() {
                let i = i.unwrap();
                out.push((i.module.to_string(), i.name.to_string()));
            }
        }
    }
    out
}

pub fn tempdir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("w2w1-test-{}-{n}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The Rust toolchain whose `wasm-component-ld` (and the component adapter embedded in it)
/// links the native reference of a C guest built with `sysroot` (see [`c_guest_with`]): the
/// trixie wasi-libc is wasi-sdk 25, the libc Rust 1.88 bundles; the unstable one is today's.
fn component_ld_toolchain(sysroot: &str) -> Option<&'static str> {
    match sysroot {
        "trixie" => Some("1.88.0"),
        _ => None,
    }
}

/// The `bin` directory of a rustup toolchain (`None`: the default one), with its
/// `wasm-component-ld`; fails naming the `rustup toolchain install` line when it is missing.
pub fn toolchain_bin(toolchain: Option<&str>) -> PathBuf {
    let mut c = match toolchain {
        Some(t) => {
            let mut c = clean_command("rustup");
            c.args(["run", t, "rustc"]);
            c
        }
        None => clean_command("rustc"),
    };
    c.args(["--print", "sysroot"]);
    let out = c.output().expect("running rustc");
    assert!(
        out.status.success(),
        "Rust {} is not installed: rustup toolchain install {} --profile minimal --target wasm32-wasip2 (scripts/setup.sh does)\n{}",
        toolchain.unwrap_or("default"),
        toolchain.unwrap_or("stable"),
        String::from_utf8_lossy(&out.stderr)
    );
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let host = String::from_utf8(clean_command("rustc").arg("-vV").output().unwrap().stdout).unwrap();
    let host = host.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_string();
    sysroot.join("lib/rustlib").join(host).join("bin")
}

/// Builds `adapter-tests/c/<name>.c` with clang-19 and the wasm32-wasip2 sysroot `sysroot`
/// (`unstable`: `.tools/wasi-sysroot`, Debian unstable's wasi-libc; `trixie`:
/// `.tools/wasi-sysroot-trixie`, wasi-sdk 25 era), natively (the component linked by the
/// `wasm-component-ld` of the Rust toolchain of that libc's era, with its embedded adapter) and
/// through the adapter's linker with build `build`.
pub fn c_guest_with(name: &str, sysroot: &str, build: &str) -> Guest {
    let src = root().join("adapter-tests/c").join(format!("{name}.c"));
    let dir = root().join(".tools").join(match sysroot {
        "unstable" => "wasi-sysroot".to_string(),
        s => format!("wasi-sysroot-{s}"),
    });
    assert!(dir.join("lib/wasm32-wasip2/libc.a").is_file(), "{} is missing: run scripts/setup.sh", dir.display());
    let out = guests_dir();
    let native = out.join(format!("c-{sysroot}-{name}.native.wasm"));
    let adapted = out.join(format!("c-{sysroot}-{name}.adapted-{build}.wasm"));
    let path = format!("{}:{}", toolchain_bin(component_ld_toolchain(sysroot)).display(), std::env::var("PATH").unwrap_or_default());
    let clang = |out: &Path| {
        let mut c = clean_command("clang-19");
        c.args(["--target=wasm32-wasip2", "-O2", "-Wall", "-Werror"])
            .arg(format!("--sysroot={}", dir.display()))
            .arg("-resource-dir")
            .arg(root().join(".tools/clang-resource"))
            .arg(&src)
            .arg("-o")
            .arg(out)
            .env("PATH", &path);
        c
    };
    build_into(&native, |to| run_ok(clang(to), &format!("clang {sysroot} (native) {name}")));
    build_into(&adapted, |to| {
        let mut c = clang(to);
        c.arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display())).env("WASIP2_ON_WASIP1_RUNTIME", build);
        run_ok(c, &format!("clang {sysroot} (adapted) {name}"));
    });
    Guest { name: format!("c-{sysroot}/{name}"), native, adapted }
}

/// Links `adapter-tests/c/<name>.c` through the adapter's linker with `-Wl,--verbose` against
/// `sysroot` (a directory in `.tools`) into `out`, with `--fatal-warnings` (a link with a
/// warning, such as a signature mismatch between the adapter and the libc, fails); returns
/// the linker's own messages (its `wasip2-on-wasip1-ld:` lines, not wasm-ld's).
pub fn link_verbose(name: &str, sysroot: &str, out: &Path) -> String {
    let dir = root().join(".tools").join(sysroot);
    let mut c = clean_command(root().join("scripts/wasip2-clang"));
    c.args(["-O2", "-Wall", "-Werror", "-Wl,--verbose", "-Wl,--fatal-warnings"])
        .arg(format!("--sysroot={}", dir.display()))
        .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
        .arg(root().join("adapter-tests/c").join(format!("{name}.c")))
        .arg("-o")
        .arg(out);
    let o = c.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    err.lines().filter(|l| l.starts_with("wasip2-on-wasip1-ld:")).collect::<Vec<_>>().join("\n")
}

/// Builds `adapter-tests/rust/<name>` with the Rust toolchain `toolchain` (`None`: the
/// default one; else `rustup run TOOLCHAIN cargo`): natively (that toolchain's
/// `wasm-component-ld` and embedded adapter) and with the adapter's linker (build `build`).
pub fn rust_guest_with(name: &str, toolchain: Option<&str>, build: &str) -> Guest {
    let prefix = format!("rust-{}", toolchain.unwrap_or("default"));
    rust_build(name, build, &prefix, || match toolchain {
        Some(t) => {
            let _ = toolchain_bin(Some(t));
            let mut c = clean_command("rustup");
            c.args(["run", t, "cargo"]);
            c
        }
        None => clean_command("cargo"),
    })
}
