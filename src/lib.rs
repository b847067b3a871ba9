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

pub mod abi;
pub mod alloc;
pub mod errno;
pub mod p1;
pub mod preview1;
pub mod resource;
pub mod scratch;
pub mod state;
pub mod trap;
#[cfg(test)]
mod fuzz_tests;

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
