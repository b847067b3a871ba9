//! `wasi:io/error`: the `error` resource carried by `stream-error.last-operation-failed`.
//! The adapter's errors record the WASIp1 errno of the failed operation.

use crate::abi::{List, RetPtr};
use crate::errno;
use crate::resource::{self, Resource};

/// An `error` resource: the WASIp1 errno that failed the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoError {
    pub errno: u16,
}

/// Creates an `error` resource for a WASIp1 failure.
pub fn new(errno: u16) -> u32 {
    resource::push(Resource::Error(IoError { errno }))
}

/// `[resource-drop]error`.
pub fn drop_error(this: u32) {
    resource::remove::<IoError>(this);
}

/// `[method]error.to-debug-string`: "Returns a string that is suitable to assist humans in
/// debugging this error. The returned string will change across platforms and hosts."
///
/// The adapter's string is `<errno name> (WASIp1 errno <n>)`, e.g. `EPIPE (WASIp1 errno 64)`.
pub fn error_to_debug_string(this: u32, ret: RetPtr<List<u8>>) {
    let e = resource::get::<IoError>(this).errno;
    let mut num = [0u8; 10];
    let parts: [&[u8]; 4] =
        [errno::name(e).as_bytes(), b" (WASIp1 errno ", crate::trap::decimal(e as u32, &mut num), b")"];
    ret.write(crate::abi::owned(&parts));
}
