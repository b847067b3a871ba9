//! `wasi:cli/exit` on WASIp1 `proc_exit`.

use crate::p1;

/// `exit`: "Exit the current instance and any linked instances."
///
/// `ok` is exit code 0, `err` exit code 1, as on a native host (WASI 0.2.0's `exit` cannot
/// carry other codes).
pub fn exit(status: crate::abi::WResult<(), ()>) -> ! {
    p1::exit(match status {
        crate::abi::WResult::Ok(()) => 0,
        crate::abi::WResult::Err(()) => 1,
    })
}

/// `exit-with-code`: "Exit the current instance and any linked instances, reporting the
/// specified status code to the host. The meaning of the code depends on the context, with 0
/// usually meaning "success", and other values indicating various types of failure. This
/// function does not return; the effect is analogous to a trap, but without the connotation
/// that something bad has happened."
///
/// Note: WAMR passes every code through; wasmtime's WASIp1 turns codes >= 126 into 1.
pub fn exit_with_code(status_code: u8) -> ! {
    p1::exit(status_code as u32)
}
