//! `wasi:sockets/network`: the `network` resource, and the address and error types every
//! socket interface shares (ABI layouts, conversions to WAMR's `__wasi_addr_t`).

use crate::resource::{self, Resource};
use crate::types::sockets_network::ErrorCode;

/// `[resource-drop]network`.
pub fn drop_network(this: u32) {
    resource::remove_kind(this, Resource::Network);
}

/// `ipv4-socket-address`: `record { port: u16, address: tuple<u8, u8, u8, u8> }`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4SocketAddress {
    pub port: u16,
    pub address: [u8; 4],
}

/// `ipv6-socket-address`: `record { port: u16, flow-info: u32, address: tuple<u16 × 8>,
/// scope-id: u32 }`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6SocketAddress {
    pub port: u16,
    pub flow_info: u32,
    pub address: [u16; 8],
    pub scope_id: u32,
}

/// `ip-socket-address`: `variant { ipv4(ipv4-socket-address), ipv6(ipv6-socket-address) }`.
#[repr(C, u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpSocketAddress {
    Ipv4(Ipv4SocketAddress) = 0,
    Ipv6(Ipv6SocketAddress) = 1,
}

/// `ip-address`: `variant { ipv4(tuple<u8 × 4>), ipv6(tuple<u16 × 8>) }`.
#[repr(C, u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpAddress {
    Ipv4([u8; 4]) = 0,
    Ipv6([u16; 8]) = 1,
}

impl IpSocketAddress {
    /// Lifts the 12 flattened core values of an `ip-socket-address` parameter: the case, then
    /// the joined payload (ipv4: port, 4 octets; ipv6: port, flow-info, 8 segments, scope-id).
    pub fn from_flat(f: [i32; 12]) -> IpSocketAddress {
        match f[0] {
            0 => IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: f[1] as u16,
                address: [f[2] as u8, f[3] as u8, f[4] as u8, f[5] as u8],
            }),
            1 => IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: f[1] as u16,
                flow_info: f[2] as u32,
                address: core::array::from_fn(|i| f[3 + i] as u16),
                scope_id: f[11] as u32,
            }),
            _ => crate::trap::trap(b"invalid ip-socket-address discriminant"),
        }
    }

    pub fn is_ipv4(&self) -> bool {
        matches!(self, IpSocketAddress::Ipv4(_))
    }

    pub fn port(&self) -> u16 {
        match self {
            IpSocketAddress::Ipv4(a) => a.port,
            IpSocketAddress::Ipv6(a) => a.port,
        }
    }

    pub fn ip(&self) -> IpAddress {
        match self {
            IpSocketAddress::Ipv4(a) => IpAddress::Ipv4(a.address),
            IpSocketAddress::Ipv6(a) => IpAddress::Ipv6(a.address),
        }
    }
}

impl IpAddress {
    pub fn is_unspecified(&self) -> bool {
        match self {
            IpAddress::Ipv4(a) => *a == [0; 4],
            IpAddress::Ipv6(a) => *a == [0; 8],
        }
    }
}

/// `ip-address-family` as the adapter stores it: IPv6 or not.
pub fn family_is_ipv6(family: u8) -> bool {
    match family {
        0 => false,
        1 => true,
        _ => crate::trap::trap(b"invalid ip-address-family"),
    }
}

/// Conversions to and from WAMR's `__wasi_addr_t`.
#[cfg(feature = "wamr")]
pub mod wamr {
    use super::*;
    use crate::p1::sock::WasiAddr;

    pub fn to_wasi(a: &IpSocketAddress) -> WasiAddr {
        let mut w = WasiAddr::default();
        match a {
            IpSocketAddress::Ipv4(v4) => {
                w.kind = 0;
                w.bytes[..4].copy_from_slice(&v4.address);
                w.bytes[4..6].copy_from_slice(&v4.port.to_le_bytes());
            }
            IpSocketAddress::Ipv6(v6) => {
                w.kind = 1;
                for (i, s) in v6.address.iter().enumerate() {
                    w.bytes[2 * i..2 * i + 2].copy_from_slice(&s.to_le_bytes());
                }
                w.bytes[16..18].copy_from_slice(&v6.port.to_le_bytes());
            }
        }
        w
    }

    pub fn from_wasi(w: &WasiAddr) -> IpSocketAddress {
        let u16_at = |i: usize| u16::from_le_bytes([w.bytes[i], w.bytes[i + 1]]);
        if w.kind == 0 {
            IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: u16_at(4),
                address: [w.bytes[0], w.bytes[1], w.bytes[2], w.bytes[3]],
            })
        } else {
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: u16_at(16),
                flow_info: 0,
                address: core::array::from_fn(|i| u16_at(2 * i)),
                scope_id: 0,
            })
        }
    }
}

/// The socket `error-code` for a WASIp1 errno (WAMR's socket calls).
pub fn error(errno: u16) -> ErrorCode {
    match errno {
        2 | 63 | 76 => ErrorCode::AccessDenied, // EACCES, EPERM, ENOTCAPABLE (address pool)
        3 => ErrorCode::AddressInUse,          // EADDRINUSE
        4 => ErrorCode::AddressNotBindable,    // EADDRNOTAVAIL
        5 | 58 | 52 | 50 | 66 | 67 => ErrorCode::NotSupported, // EAFNOSUPPORT ENOTSUP ENOSYS ENOPROTOOPT EPROTONOSUPPORT EPROTOTYPE
        6 => ErrorCode::WouldBlock,            // EAGAIN
        7 | 26 => ErrorCode::ConcurrencyConflict, // EALREADY, EINPROGRESS
        13 => ErrorCode::ConnectionAborted,    // ECONNABORTED
        14 => ErrorCode::ConnectionRefused,    // ECONNREFUSED
        15 | 64 => ErrorCode::ConnectionReset, // ECONNRESET, EPIPE
        28 | 17 => ErrorCode::InvalidArgument, // EINVAL, EDESTADDRREQ
        30 | 53 | 8 => ErrorCode::InvalidState, // EISCONN, ENOTCONN, EBADF
        23 | 40 | 38 => ErrorCode::RemoteUnreachable, // EHOSTUNREACH, ENETUNREACH, ENETDOWN
        33 | 41 => ErrorCode::NewSocketLimit,  // EMFILE, ENFILE
        35 => ErrorCode::DatagramTooLarge,     // EMSGSIZE
        48 | 42 => ErrorCode::OutOfMemory,     // ENOMEM, ENOBUFS
        73 => ErrorCode::Timeout,              // ETIMEDOUT
        _ => ErrorCode::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_addresses_lift() {
        let v4 = IpSocketAddress::from_flat([0, 8080, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(v4, IpSocketAddress::Ipv4(Ipv4SocketAddress { port: 8080, address: [127, 0, 0, 1] }));
        let v6 = IpSocketAddress::from_flat([1, 443, 5, 0xfe80, 0, 0, 0, 0, 0, 0, 1, 7]);
        let IpSocketAddress::Ipv6(a) = v6 else { panic!() };
        assert_eq!((a.port, a.flow_info, a.address[0], a.address[7], a.scope_id), (443, 5, 0xfe80, 1, 7));
        assert!(IpAddress::Ipv6([0; 8]).is_unspecified());
        assert_eq!(error(14), ErrorCode::ConnectionRefused);
    }
}
