//! `wasmtime-run`: runs a WASIp1 core module (through `wasmtime_wasi::p1`) or a native WASIp2
//! component (through `wasmtime_wasi::p2`) with the runner options of `runner-cli`.
//!
//! Exit status: the guest's WASI exit code; 134 after a trap (its message on stderr, as
//! wasmtime's CLI does); 2 for a usage or load error.

use runner_cli::Opts;
use std::process::ExitCode;
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

const TRAP_STATUS: u8 = 134;

fn main() -> ExitCode {
    let opts = match Opts::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("wasmtime-run: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("wasmtime-run: {e:?}");
            ExitCode::from(2)
        }
    }
}

fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[..4] == *b"\0asm" && bytes[4..8] == [0x0d, 0x00, 0x01, 0x00]
}

fn builder(opts: &Opts) -> wasmtime::Result<WasiCtxBuilder> {
    let mut b = WasiCtxBuilder::new();
    b.inherit_stdio().args(&opts.argv());
    for (k, v) in &opts.env {
        b.env(k, v);
    }
    for (guest, host) in opts.preopens() {
        b.preopened_dir(&host, &guest, FsPerms::ReadWrite)?;
    }
    // The network as iwasm's --addr-pool grants it: none without a pool (sockets cannot even
    // be created), else bind/connect/send only to addresses inside the pool.
    if opts.addr_pool.is_empty() {
        b.allow_tcp(false).allow_udp(false);
    } else {
        let pool = opts.addr_pool.clone();
        b.allow_tcp(true).allow_udp(true).socket_addr_check(move |addr, use_| {
            // wasmtime also checks the implicit bind of an unbound socket to the unspecified
            // address before it connects or sends; iwasm's pool does not see that bind, and
            // binding reaches nothing, so it is allowed. iwasm checks its pool in bind,
            // connect and send only, never in listen (a WASIp1 program listens on what it
            // bound, or on an implicit bind to the unspecified address).
            let implicit_bind = matches!(use_, wasmtime_wasi::sockets::SocketAddrUse::TcpBind | wasmtime_wasi::sockets::SocketAddrUse::UdpBind)
                && addr.ip().is_unspecified();
            let listen = matches!(use_, wasmtime_wasi::sockets::SocketAddrUse::TcpListen);
            let ok = implicit_bind || listen || runner_cli::pool_allows(&pool, addr.ip());
            Box::pin(async move { ok })
        });
    }
    b.allow_ip_name_lookup(!opts.allow_resolve.is_empty());
    Ok(b)
}

/// Maps the outcome of the entry call to the process exit status.
fn status(r: wasmtime::Result<u8>) -> wasmtime::Result<u8> {
    match r {
        Ok(code) => Ok(code),
        Err(e) => {
            if let Some(exit) = e.downcast_ref::<I32Exit>() {
                return Ok(exit.0 as u8);
            }
            eprintln!("Error: failed to run main module\n\nCaused by:\n    {e:?}");
            Ok(TRAP_STATUS)
        }
    }
}

fn run(opts: &Opts) -> wasmtime::Result<u8> {
    let bytes = std::fs::read(&opts.file)
        .map_err(|e| wasmtime::Error::msg(format!("cannot read {}: {e}", opts.file)))?;
    let mut config = Config::new();
    config.wasm_component_model(true);
    let engine = Engine::new(&config)?;
    if is_component(&bytes) {
        run_component(&engine, &bytes, opts)
    } else {
        run_module(&engine, &bytes, opts)
    }
}

fn run_module(engine: &Engine, bytes: &[u8], opts: &Opts) -> wasmtime::Result<u8> {
    use wasmtime_wasi::p1::{self, WasiP1Ctx};
    let module = wasmtime::Module::new(engine, bytes)?;
    let mut linker: wasmtime::Linker<WasiP1Ctx> = wasmtime::Linker::new(engine);
    p1::add_to_linker_sync(&mut linker, |t| t)?;
    let mut store = Store::new(engine, builder(opts)?.build_p1());
    let instance = linker.instantiate(&mut store, &module)?;
    if let Some(name) = &opts.invoke {
        let r = (|| {
            if let Ok(init) = instance.get_typed_func::<(), ()>(&mut store, "_initialize") {
                init.call(&mut store, ())?;
            }
            let f = instance
                .get_func(&mut store, name)
                .ok_or_else(|| wasmtime::Error::msg(format!("no exported function {name}")))?;
            let mut results = vec![wasmtime::Val::I32(0); f.ty(&store).results().len()];
            f.call(&mut store, &[], &mut results)?;
            if let Some(wasmtime::Val::I32(v)) = results.first() {
                println!("{name} returned {v}");
            }
            Ok(0)
        })();
        return status(r);
    }
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    let r = status(start.call(&mut store, ()).map(|()| 0));
    dump_icounts(&instance, &mut store)?;
    r
}

/// With `WASMTIME_RUN_ICOUNT=FILE`, writes the instruction counters of a module instrumented by
/// the benchmarks (exported i64 globals `__icount_<function index>`) to FILE, one
/// `index count` pair per line.
fn dump_icounts<T>(instance: &wasmtime::Instance, store: &mut Store<T>) -> wasmtime::Result<()> {
    let Some(path) = std::env::var_os("WASMTIME_RUN_ICOUNT") else { return Ok(()) };
    let exports: Vec<(String, wasmtime::Global)> = instance
        .exports(&mut *store)
        .filter_map(|e| {
            let name = e.name().strip_prefix("__icount_")?.to_string();
            Some((name, e.into_global()?))
        })
        .collect();
    let mut text = String::new();
    for (index, g) in exports {
        if let wasmtime::Val::I64(n) = g.get(&mut *store) {
            text += &format!("{index} {n}\n");
        }
    }
    std::fs::write(&path, text).map_err(|e| wasmtime::Error::msg(format!("{}: {e}", std::path::Path::new(&path).display())))
}

struct P2 {
    ctx: wasmtime_wasi::WasiCtx,
    table: wasmtime::component::ResourceTable,
}

impl wasmtime_wasi::WasiView for P2 {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        wasmtime_wasi::WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
    }
}

fn run_component(engine: &Engine, bytes: &[u8], opts: &Opts) -> wasmtime::Result<u8> {
    use wasmtime::component::{Component, Linker};
    use wasmtime_wasi::p2::bindings::sync::Command;
    let component = Component::new(engine, bytes)?;
    let mut linker: Linker<P2> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let state = P2 { ctx: builder(opts)?.build(), table: Default::default() };
    let mut store = Store::new(engine, state);
    let command = Command::instantiate(&mut store, &component, &linker)?;
    status(command.wasi_cli_run().call_run(&mut store).map(|r| if r.is_ok() { 0 } else { 1 }))
}
