//! `wasi:random`: all three interfaces are served by WASIp1 `random_get`.
pub mod insecure;
pub mod insecure_seed;
// Mirrors `wasi:random/random` (one module per WIT interface).
#[allow(clippy::module_inception)]
pub mod random;

use crate::abi::List;
use crate::trap::trap;

/// `len` random bytes as an owned `list<u8>` (or in the caller's armed buffer).
pub fn bytes(len: u64) -> List<u8> {
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    let p = crate::alloc::result_bytes(len);
    // SAFETY: `result_bytes` returned `len` writable bytes.
    if crate::p1::random(unsafe { core::slice::from_raw_parts_mut(p, len) }).is_err() {
        trap(b"random_get failed");
    }
    List::new(crate::alloc::finish_result_bytes(p, len), len)
}

/// A random `u64`.
pub fn u64() -> u64 {
    let mut b = [0u8; 8];
    if crate::p1::random(&mut b).is_err() {
        trap(b"random_get failed");
    }
    u64::from_le_bytes(b)
}
