//! `wasi:sockets/udp-create-socket`.

#[cfg(not(feature = "wamr"))]
pub use portable::create_udp_socket;

/// WAMR build: a real socket.
#[cfg(feature = "wamr")]
pub use super::udp::create_udp_socket;

#[cfg(not(feature = "wamr"))]
mod portable {
    use crate::abi::{RetPtr, WResult};
    use crate::types::sockets_network::ErrorCode;

    /// `create-udp-socket`: "Create a new UDP socket. Similar to `socket(AF_INET or AF_INET6,
    /// SOCK_DGRAM, IPPROTO_UDP)` in POSIX. … This function does not require a network capability
    /// handle. This is considered to be safe because at this time the socket can not be used to
    /// send/receive messages yet."
    ///
    /// Portable build: standard WASIp1 has no sockets, so the adapter answers as a native host
    /// that grants no network access does: `access-denied`.
    pub fn create_udp_socket(address_family: u8, ret: RetPtr<WResult<u32, ErrorCode>>) {
        let _ = address_family;
        ret.write(WResult::Err(ErrorCode::AccessDenied));
    }
}
