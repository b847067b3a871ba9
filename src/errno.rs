//! WASIp1 errno values: names for messages, and their mapping to WASIp2 error codes, one
//! function per WIT error type (the only place an errno becomes a WIT error).

use crate::types::filesystem_types::ErrorCode as FsError;
use crate::types::sockets_network::ErrorCode as SockError;

/// `E<NAME>` of every WASIp1 errno, indexed by value (WASI snapshot 1 order).
const NAMES: [&str; 77] = [
    "ESUCCESS",
    "E2BIG",
    "EACCES",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "EAFNOSUPPORT",
    "EAGAIN",
    "EALREADY",
    "EBADF",
    "EBADMSG",
    "EBUSY",
    "ECANCELED",
    "ECHILD",
    "ECONNABORTED",
    "ECONNREFUSED",
    "ECONNRESET",
    "EDEADLK",
    "EDESTADDRREQ",
    "EDOM",
    "EDQUOT",
    "EEXIST",
    "EFAULT",
    "EFBIG",
    "EHOSTUNREACH",
    "EIDRM",
    "EILSEQ",
    "EINPROGRESS",
    "EINTR",
    "EINVAL",
    "EIO",
    "EISCONN",
    "EISDIR",
    "ELOOP",
    "EMFILE",
    "EMLINK",
    "EMSGSIZE",
    "EMULTIHOP",
    "ENAMETOOLONG",
    "ENETDOWN",
    "ENETRESET",
    "ENETUNREACH",
    "ENFILE",
    "ENOBUFS",
    "ENODEV",
    "ENOENT",
    "ENOEXEC",
    "ENOLCK",
    "ENOLINK",
    "ENOMEM",
    "ENOMSG",
    "ENOPROTOOPT",
    "ENOSPC",
    "ENOSYS",
    "ENOTCONN",
    "ENOTDIR",
    "ENOTEMPTY",
    "ENOTRECOVERABLE",
    "ENOTSOCK",
    "ENOTSUP",
    "ENOTTY",
    "ENXIO",
    "EOVERFLOW",
    "EOWNERDEAD",
    "EPERM",
    "EPIPE",
    "EPROTO",
    "EPROTONOSUPPORT",
    "EPROTOTYPE",
    "ERANGE",
    "EROFS",
    "ESPIPE",
    "ESRCH",
    "ESTALE",
    "ETIMEDOUT",
    "ETXTBSY",
    "EXDEV",
    "ENOTCAPABLE",
];

/// `EBADF` for 8; `E?` for values WASIp1 does not define.
pub fn name(errno: u16) -> &'static str {
    NAMES.get(errno as usize).copied().unwrap_or("E?")
}

/// The `wasi:filesystem` error code a native WASIp2 host reports for the failure WASIp1
/// reported as `errno`; `None` when the errno has no filesystem meaning.
///
/// Both "not capable" (WAMR, path escaping a preopen) and "not permitted" (wasmtime, the
/// same fault) become `not-permitted`, so the program sees one answer on both runtimes.
pub fn to_filesystem(errno: u16) -> Option<FsError> {
    Some(match errno {
        2 => FsError::Access, // EACCES
        6 => FsError::WouldBlock, // EAGAIN
        7 => FsError::Already, // EALREADY
        8 => FsError::BadDescriptor, // EBADF
        10 => FsError::Busy, // EBUSY
        16 => FsError::Deadlock, // EDEADLK
        19 => FsError::Quota, // EDQUOT
        20 => FsError::Exist, // EEXIST
        22 => FsError::FileTooLarge, // EFBIG
        25 => FsError::IllegalByteSequence, // EILSEQ
        26 => FsError::InProgress, // EINPROGRESS
        27 => FsError::Interrupted, // EINTR
        28 => FsError::Invalid, // EINVAL
        29 => FsError::Io, // EIO
        31 => FsError::IsDirectory, // EISDIR
        32 => FsError::Loop, // ELOOP
        34 => FsError::TooManyLinks, // EMLINK
        35 => FsError::MessageSize, // EMSGSIZE
        37 => FsError::NameTooLong, // ENAMETOOLONG
        43 => FsError::NoDevice, // ENODEV
        44 => FsError::NoEntry, // ENOENT
        46 => FsError::NoLock, // ENOLCK
        48 => FsError::InsufficientMemory, // ENOMEM
        51 => FsError::InsufficientSpace, // ENOSPC
        52 => FsError::Unsupported, // ENOSYS
        54 => FsError::NotDirectory, // ENOTDIR
        55 => FsError::NotEmpty, // ENOTEMPTY
        56 => FsError::NotRecoverable, // ENOTRECOVERABLE
        58 => FsError::Unsupported, // ENOTSUP
        59 => FsError::NoTty, // ENOTTY
        60 => FsError::NoSuchDevice, // ENXIO
        61 => FsError::Overflow, // EOVERFLOW
        63 => FsError::NotPermitted, // EPERM
        64 => FsError::Pipe, // EPIPE
        69 => FsError::ReadOnly, // EROFS
        70 => FsError::InvalidSeek, // ESPIPE
        74 => FsError::TextFileBusy, // ETXTBSY
        75 => FsError::CrossDevice, // EXDEV
        76 => FsError::NotPermitted, // ENOTCAPABLE
        _ => return None,
    })
}

/// The socket `error-code` for a WASIp1 errno (WAMR's socket calls).
pub fn to_sockets(errno: u16) -> SockError {
    match errno {
        2 | 63 | 76 => SockError::AccessDenied, // EACCES, EPERM, ENOTCAPABLE (address pool)
        3 => SockError::AddressInUse,          // EADDRINUSE
        4 => SockError::AddressNotBindable,    // EADDRNOTAVAIL
        5 | 58 | 52 | 50 | 66 | 67 => SockError::NotSupported, // EAFNOSUPPORT ENOTSUP ENOSYS ENOPROTOOPT EPROTONOSUPPORT EPROTOTYPE
        6 => SockError::WouldBlock,            // EAGAIN
        7 | 26 => SockError::ConcurrencyConflict, // EALREADY, EINPROGRESS
        13 => SockError::ConnectionAborted,    // ECONNABORTED
        14 => SockError::ConnectionRefused,    // ECONNREFUSED
        15 | 64 => SockError::ConnectionReset, // ECONNRESET, EPIPE
        28 | 17 => SockError::InvalidArgument, // EINVAL, EDESTADDRREQ
        30 | 53 | 8 => SockError::InvalidState, // EISCONN, ENOTCONN, EBADF
        23 | 40 | 38 => SockError::RemoteUnreachable, // EHOSTUNREACH, ENETUNREACH, ENETDOWN
        33 | 41 => SockError::NewSocketLimit,  // EMFILE, ENFILE
        35 => SockError::DatagramTooLarge,     // EMSGSIZE
        48 | 42 => SockError::OutOfMemory,     // ENOMEM, ENOBUFS
        73 => SockError::Timeout,              // ETIMEDOUT
        _ => SockError::Unknown,
    }
}

/// The `wasi:sockets/ip-name-lookup` error of a failed WAMR `sock_addr_resolve`: the name is
/// not allowed (`--allow-resolve`), or it did not resolve.
pub fn to_name_lookup(errno: u16) -> SockError {
    match errno {
        2 | 63 | 76 => SockError::PermanentResolverFailure, // EACCES, EPERM, ENOTCAPABLE
        _ => SockError::NameUnresolvable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_filesystem_codes() {
        assert_eq!(name(0), "ESUCCESS");
        assert_eq!(name(8), "EBADF");
        assert_eq!(name(76), "ENOTCAPABLE");
        assert_eq!(name(77), "E?");
        assert_eq!(to_filesystem(44), Some(FsError::NoEntry));
        assert_eq!(to_filesystem(76), to_filesystem(63), "ENOTCAPABLE and EPERM agree");
        assert_eq!(to_filesystem(58), Some(FsError::Unsupported));
        assert_eq!(to_filesystem(0), None);
        assert_eq!(to_filesystem(14), None, "ECONNREFUSED is not a filesystem error");
        assert_eq!(to_sockets(14), SockError::ConnectionRefused);
        assert_eq!(to_sockets(76), SockError::AccessDenied);
        assert_eq!(to_name_lookup(76), SockError::PermanentResolverFailure);
        assert_eq!(to_name_lookup(44), SockError::NameUnresolvable);
        // Every filesystem error code but `would-block`-style aliases is reachable.
        let mut seen = [false; FsError::COUNT];
        for e in 0..100 {
            if let Some(c) = to_filesystem(e) {
                seen[c as usize] = true;
            }
        }
        assert_eq!(seen.iter().filter(|s| **s).count(), FsError::COUNT, "{seen:?}");
    }
}
