//! The `wasip2-on-wasip1` linker and checker.
//!
//! - [`table`]: every WASI 0.2 import the adapter serves (generated from `wit/`).
//! - [`link`]: the `wasm-ld` drop-in: links with the adapter archive, resolves the imports a
//!   static library cannot satisfy by symbol name, adds `_start`, refuses leftovers.
//! - [`rewrite`]: the module rewrite (import redirection, `_start`, section clean-up).
//! - [`check`]: what a module imports and whether it can run on WASIp1.
//! - [`coverage`]: the README's coverage table.
//! - [`features`]: the WebAssembly features a module uses, and where.
//! - [`wamr`]: which features each WAMR release's default build loads (`--wamr`).
//! - [`zerocopy`]: which wasi-libc read functions a link wraps for zero-copy reads.
pub mod check;
pub mod coverage;
pub mod features;
pub mod link;
pub mod rewrite;
pub mod table;
pub mod wamr;
pub mod wasip1;
pub mod zerocopy;
