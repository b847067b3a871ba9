//! wasip2-on-wasip1: the WASI 0.2 core-ABI imports of a `wasm32-wasip2` program, implemented
//! on `wasi_snapshot_preview1`.
//!
//! Built for `wasm32-wasip1` as the static library `libwasip2_on_wasip1.a`. Each import has an
//! exported entry point named like the symbol wasi-libc calls it through
//! (`__wasm_import_streams_method_input_stream_read`, …); a strong definition in the archive
//! replaces the import when `wasm-ld` links the program. Entry points are generated from
//! `wit/` by `build.rs` (see `crates/wit-table`); each calls the implementation in the module
//! mirroring its WIT interface (`io::streams`, `filesystem::types`, …).
//!
//! `no_std` on wasm. On the host the crate links `std` only so that its pure logic (ABI
//! encoding, resource table, error mapping) can be unit-tested with `cargo test`.

#![cfg_attr(target_family = "wasm", no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
// Implementations take the canonical ABI's pointers (list and string parameters, return
// areas) as plain values: they are called only from the generated exports, with pointers the
// component-model contract makes valid for the call.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

/// Per-instance mutable state: a plain static on wasm (one thread per instance), a
/// thread-local on the host so that parallel unit tests do not share it.
///
/// Superseded by [`instance_cell!`] (`crate::state`), which hands out one owner at a time;
/// this form gives out `&'static mut` on every call, so two of them can alias. Kept only for
/// the modules not yet moved over (`p1`, `io::streams`, `preview1`).
#[macro_export]
#[doc(hidden)]
macro_rules! instance_state {
    ($fn:ident: $t:ty = $init:expr) => {
        #[cfg(target_family = "wasm")]
        #[allow(static_mut_refs)]
        fn $fn() -> &'static mut $t {
            static mut S: $t = $init;
            // SAFETY: one thread per instance, and callers never keep the reference across
            // a call that could re-enter the same state.
            unsafe { &mut S }
        }
        #[cfg(not(target_family = "wasm"))]
        fn $fn() -> &'static mut $t {
            std::thread_local! {
                static S: core::cell::Cell<*mut $t> = const { core::cell::Cell::new(core::ptr::null_mut()) };
            }
            S.with(|c| {
                if c.get().is_null() {
                    c.set(std::boxed::Box::into_raw(std::boxed::Box::new($init)));
                }
                // SAFETY: leaked per-thread allocation, used by this thread only.
                unsafe { &mut *c.get() }
            })
        }
    };
}

pub mod abi;
pub mod alloc;
pub mod errno;
pub mod p1;
pub mod preview1;
pub mod resource;
pub mod scratch;
pub mod state;
pub mod trap;

pub mod cli;
pub mod clocks;
pub mod filesystem;
pub mod io;
pub mod random;
pub mod sockets;

/// `enum` and `flags` types of every interface, generated from `wit/`.
#[allow(dead_code, clippy::all)]
pub mod types {
    include!(concat!(env!("OUT_DIR"), "/types.rs"));
}

/// One exported entry point per import of the world, generated from `wit/` and
/// `src/coverage.txt` by `build.rs`.
#[cfg(target_family = "wasm")]
#[allow(unused_variables, clippy::all)]
mod shims {
    include!(concat!(env!("OUT_DIR"), "/shims.rs"));
}

#[cfg(target_family = "wasm")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    trap::trap(b"internal error (panic in the adapter)")
}
