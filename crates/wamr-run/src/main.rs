//! `wamr-run`: runs a WASIp1 core module on WAMR 2.4.3 (the fast interpreter that `wamrx-sys`
//! vendors, with `libc-wasi` and WAMR's socket extension), the way `iwasm` does.
//!
//! Exit status: the guest's WASI exit code; 134 after a trap (WAMR's exception text on
//! stderr); 2 for a usage or load error.

use runner_cli::Opts;
use std::ffi::{CStr, CString, c_char};
use std::process::ExitCode;
use std::ptr;
use wamrx_sys as w;

const TRAP_STATUS: u8 = 134;

fn main() -> ExitCode {
    let opts = match Opts::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("wamr-run: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("wamr-run: {e}");
            ExitCode::from(2)
        }
    }
}

/// Owned C strings plus the pointer array WAMR's `const char *list[]` parameters want.
/// WAMR keeps the pointers (it reads them at instantiation), so this must outlive the module.
struct CList {
    _owned: Vec<CString>,
    ptrs: Vec<*const c_char>,
}

impl CList {
    fn new<I: IntoIterator<Item = String>>(items: I) -> Result<CList, String> {
        let owned = items
            .into_iter()
            .map(|s| CString::new(s).map_err(|_| "argument contains a NUL byte".to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let ptrs = owned.iter().map(|c| c.as_ptr()).collect();
        Ok(CList { _owned: owned, ptrs })
    }
    fn ptr(&mut self) -> *mut *const c_char {
        if self.ptrs.is_empty() { ptr::null_mut() } else { self.ptrs.as_mut_ptr() }
    }
    fn len(&self) -> u32 {
        self.ptrs.len() as u32
    }
}

/// Calls `name` (no parameters, at most one i32 result). WAMR has already run a reactor's
/// `_initialize` while instantiating it (`wasm_runtime.c`, post-instantiate functions).
unsafe fn invoke(inst: w::wasm_module_inst_t, name: &str, stack: u32) -> bool {
    unsafe {
        let env = w::wasm_runtime_create_exec_env(inst, stack);
        if env.is_null() {
            return false;
        }
        let call = |f: &str, print: bool| -> bool {
            let Ok(cname) = CString::new(f) else { return false };
            let func = w::wasm_runtime_lookup_function(inst, cname.as_ptr());
            if func.is_null() {
                eprintln!("no exported function {f}");
                return false;
            }
            let mut argv = [0u32; 2];
            let ok = w::wasm_runtime_call_wasm(env, func, 0, argv.as_mut_ptr());
            if ok && print && w::wasm_func_get_result_count(func, inst) == 1 {
                println!("{f} returned {}", argv[0] as i32);
            }
            ok
        };
        let ok = call(name, true);
        w::wasm_runtime_destroy_exec_env(env);
        ok
    }
}

fn err_text(buf: &[c_char]) -> String {
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned()
}

fn run(opts: &Opts) -> Result<u8, String> {
    let mut bytes = std::fs::read(&opts.file).map_err(|e| format!("cannot read {}: {e}", opts.file))?;
    let mut errbuf = [0 as c_char; 256];
    // Everything handed to WAMR stays alive until the end of this function.
    let mut dirs = CList::new(opts.dirs.iter().cloned())?;
    let mut maps = CList::new(opts.map_dirs.iter().map(|(g, h)| format!("{g}::{h}")))?;
    let mut env = CList::new(opts.env.iter().map(|(k, v)| format!("{k}={v}")))?;
    let mut argv = CList::new(opts.argv())?;
    let mut pool = CList::new(opts.addr_pool.iter().cloned())?;
    let mut resolve = CList::new(opts.allow_resolve.iter().cloned())?;
    unsafe {
        if !w::wasm_runtime_init() {
            return Err("wasm_runtime_init failed".into());
        }
        let module = w::wasm_runtime_load(
            bytes.as_mut_ptr(),
            bytes.len() as u32,
            errbuf.as_mut_ptr(),
            errbuf.len() as u32,
        );
        if module.is_null() {
            return Err(format!("load failed: {}", err_text(&errbuf)));
        }
        w::wasm_runtime_set_wasi_args_ex(
            module,
            dirs.ptr(),
            dirs.len(),
            maps.ptr(),
            maps.len(),
            env.ptr(),
            env.len(),
            argv.ptr() as *mut *mut c_char,
            argv.len() as i32,
            0,
            1,
            2,
        );
        w::wasm_runtime_set_wasi_addr_pool(module, pool.ptr(), pool.len());
        w::wasm_runtime_set_wasi_ns_lookup_pool(module, resolve.ptr(), resolve.len());
        let inst = w::wasm_runtime_instantiate(
            module,
            opts.stack_size,
            opts.heap_size,
            errbuf.as_mut_ptr(),
            errbuf.len() as u32,
        );
        if inst.is_null() {
            return Err(format!("instantiation failed: {}", err_text(&errbuf)));
        }
        // Like iwasm: run `_start` (or, with --invoke, `_initialize` then the export), report
        // an exception as a trap, else the WASI exit code.
        let ok = match &opts.invoke {
            None => w::wasm_application_execute_main(inst, 0, ptr::null_mut()),
            Some(name) => invoke(inst, name, opts.stack_size),
        };
        let exc = w::wasm_runtime_get_exception(inst);
        let status = if !ok || !exc.is_null() {
            let msg = if exc.is_null() {
                "unknown failure".into()
            } else {
                CStr::from_ptr(exc).to_string_lossy().into_owned()
            };
            eprintln!("{msg}");
            TRAP_STATUS
        } else {
            w::wasm_runtime_get_wasi_exit_code(inst) as u8
        };
        w::wasm_runtime_deinstantiate(inst);
        w::wasm_runtime_unload(module);
        w::wasm_runtime_destroy();
        Ok(status)
    }
}
