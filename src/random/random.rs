//! `wasi:random/random`.

use crate::abi::{List, RetPtr};

/// `get-random-bytes`: "Return `len` cryptographically-secure random or pseudo-random bytes."
/// (WASIp1 `random_get` is the runtime's CSPRNG on both WAMR and wasmtime.)
pub fn get_random_bytes(len: u64, ret: RetPtr<List<u8>>) {
    ret.write(super::bytes(len));
}

/// `get-random-u64`: "Return a cryptographically-secure random or pseudo-random `u64` value."
pub fn get_random_u64() -> u64 {
    super::u64()
}
