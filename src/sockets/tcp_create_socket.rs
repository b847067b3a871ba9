//! `wasi:sockets/tcp-create-socket`.

#[cfg(not(feature = "wamr"))]
pub use portable::create_tcp_socket;

/// WAMR build: a real socket.
#[cfg(feature = "wamr")]
pub use super::tcp::create_tcp_socket;

#[cfg(not(feature = "wamr"))]
mod portable {
    use crate::abi::{RetPtr, WResult};
    use crate::types::sockets_network::ErrorCode;

    /// `create-tcp-socket`: "Create a new TCP socket. Similar to `socket(AF_INET or AF_INET6,
    /// SOCK_STREAM, IPPROTO_TCP)` in POSIX. … This function does not require a network capability
    /// handle. This is considered to be safe because at this time the socket can not be used to
    /// connect to anything yet. … Typical errors: `not-supported`: The specified
    /// `address-family` is not supported. (EAFNOSUPPORT) `new-socket-limit`: The new socket
    /// resource could not be created because of a system limit. (EMFILE, ENFILE)"
    ///
    /// Portable build: standard WASIp1 has no sockets, so the adapter answers as a native host
    /// that grants no network access does: `access-denied`.
    pub fn create_tcp_socket(address_family: u8, ret: RetPtr<WResult<u32, ErrorCode>>) {
        let _ = address_family;
        ret.write(WResult::Err(ErrorCode::AccessDenied));
    }
}
