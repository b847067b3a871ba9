//! `wasi:sockets/network`: the `network` resource, and the address and error types every
//! socket interface shares (ABI layouts, conversions to WAMR's `__wasi_addr_t`).

use crate::resource::{self, Resource};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_parts() {
        let v4 = IpSocketAddress::Ipv4(Ipv4SocketAddress { port: 8080, address: [127, 0, 0, 1] });
        assert_eq!((v4.is_ipv4(), v4.port(), v4.ip()), (true, 8080, IpAddress::Ipv4([127, 0, 0, 1])));
        assert!(IpAddress::Ipv6([0; 8]).is_unspecified());
        assert!(!IpAddress::Ipv4([0, 0, 0, 1]).is_unspecified());
    }
}
