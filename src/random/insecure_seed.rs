//! `wasi:random/insecure-seed`.

use crate::abi::{RetPtr, Tuple2};

crate::instance_value!(seed: Option<(u64, u64)> = None);
crate::instance_value!(secret_key: Option<[u64; 2]> = None);

/// A per-instance secret for hashing (the metadata hash). Drawn once from `random_get`; if
/// the runtime cannot give randomness, zero (the WIT makes the secret optional).
pub fn secret() -> [u64; 2] {
    if let Some(k) = secret_key().get() {
        return k;
    }
    let mut b = [0u8; 16];
    let _ = crate::p1::random(&mut b);
    let k = [u64::from_le_bytes(b[..8].try_into().unwrap_or_default()), u64::from_le_bytes(b[8..].try_into().unwrap_or_default())];
    secret_key().set(Some(k));
    k
}

/// `insecure-seed`: "Return a 128-bit value that may contain a pseudo-random value. The
/// returned value is not required to be computed from a CSPRNG, and may even be entirely
/// deterministic. … This function is intended to only be called once, by a source language
/// to initialize Denial Of Service (DoS) protection in its hash-map implementation."
///
/// Drawn once from `random_get` and then the same for the life of the instance.
pub fn insecure_seed(ret: RetPtr<Tuple2<u64, u64>>) {
    let s = seed().get().unwrap_or_else(|| (super::u64(), super::u64()));
    seed().set(Some(s));
    ret.write(Tuple2(s.0, s.1));
}
