//! `wasi:random/insecure`.

use crate::abi::{List, RetPtr};

/// `get-insecure-random-bytes`: "Return `len` insecure pseudo-random bytes." (Served by the
/// runtime's secure source, which more than meets the contract.)
pub fn get_insecure_random_bytes(len: u64, ret: RetPtr<List<u8>>) {
    ret.write(super::bytes(len));
}

/// `get-insecure-random-u64`: "Return an insecure pseudo-random `u64` value."
pub fn get_insecure_random_u64() -> u64 {
    super::u64()
}
