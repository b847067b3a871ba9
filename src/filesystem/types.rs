//! `wasi:filesystem/types`. In this build: descriptors for the preopened directories,
//! `is-same-object`, `filesystem-error-code` and drops; every other function is generated from
//! the WIT to return `error-code.unsupported` (see `src/coverage.txt`).

use crate::abi::{RetPtr, WOption};
use crate::io::error::IoError;
use crate::p1;
use crate::resource::{self, Resource};
use crate::types::filesystem_types::ErrorCode;

/// A `descriptor`: a WASIp1 fd. `preopen` descriptors share the runtime's preopened fd and
/// never close it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor {
    pub fd: u32,
    pub preopen: bool,
}

/// A new descriptor handle over `fd`.
pub fn new_descriptor(fd: u32, preopen: bool) -> u32 {
    resource::push(Resource::Descriptor(Descriptor { fd, preopen }))
}

/// `[resource-drop]descriptor`: closes the fd unless it is a preopen.
pub fn drop_descriptor(this: u32) {
    let d = resource::remove::<Descriptor>(this);
    if !d.preopen {
        let _ = p1::close(d.fd);
    }
}

/// `[method]descriptor.is-same-object`: "Test whether two descriptors refer to the same
/// filesystem object. In POSIX, this corresponds to testing whether the two descriptors have
/// the same device (`st_dev`) and inode (`st_ino` or `d_ino`) numbers. wasi-filesystem does
/// not expose device and inode numbers, so this function may be used instead."
pub fn descriptor_is_same_object(this: u32, other: u32) -> bool {
    let a = resource::get::<Descriptor>(this).fd;
    let b = resource::get::<Descriptor>(other).fd;
    match (p1::filestat(a), p1::filestat(b)) {
        (Ok(x), Ok(y)) => x.dev == y.dev && x.ino == y.ino,
        _ => false,
    }
}

/// `filesystem-error-code`: "Attempts to extract a filesystem-related `error-code` from the
/// stream `error` provided. Stream operations which return `stream-error::last-operation-failed`
/// have a payload with more information about the operation that failed. This payload can be
/// passed through to this function to see if there's filesystem-related information about
/// the error to return. Note that this function is fallible because not all stream-related
/// errors are filesystem-related errors."
pub fn filesystem_error_code(err: u32, ret: RetPtr<WOption<ErrorCode>>) {
    ret.write(crate::errno::to_filesystem(resource::get::<IoError>(err).errno).into());
}
