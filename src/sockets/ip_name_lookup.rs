//! `wasi:sockets/ip-name-lookup`.

use crate::abi::{RetPtr, WResult};
use crate::resource::{self, Resource};
use crate::types::sockets_network::ErrorCode;

/// `resolve-addresses`: "Resolve an internet host name to a list of IP addresses. Unicode
/// domain names are automatically converted to ASCII using IDNA encoding. If the input is an
/// IP address string, the address is parsed and returned as-is without making any external
/// requests. … This function never blocks. It either immediately fails or immediately returns
/// successfully with a `resolve-address-stream` that can be used to (asynchronously) fetch
/// the results."
///
/// Portable build: standard WASIp1 cannot resolve names, so the adapter answers as a native
/// host that does not allow name lookups does: `permanent-resolver-failure`.
#[cfg(not(feature = "wamr"))]
pub fn resolve_addresses(network: u32, name: *const u8, name_len: usize, ret: RetPtr<WResult<u32, ErrorCode>>) {
    resource::check(network, Resource::Network);
    let _ = (name, name_len);
    ret.write(WResult::Err(ErrorCode::PermanentResolverFailure));
}

#[cfg(feature = "wamr")]
pub use wamr_lookup::*;

/// Name lookup over WAMR's `sock_addr_resolve` (WAMR build). IP literals are parsed here,
/// without a lookup (WAMR would check them against `--allow-resolve` too); WAMR returns each
/// address once per socket type, so results are de-duplicated.
#[cfg(feature = "wamr")]
mod wamr_lookup {
    use super::*;
    use crate::abi::WOption;
    use crate::io::poll::{self, Wait};
    use crate::p1::sock;
    use crate::sockets::network::{IpAddress, wamr};

    /// Most addresses one lookup keeps.
    const MAX: usize = 16;

    /// A `resolve-address-stream`: the addresses, in the adapter's private heap.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ResolveAddressStream {
        addrs: *mut IpAddress,
        len: u8,
        next: u8,
    }

    pub fn resolve_addresses(network: u32, name: *const u8, name_len: usize, ret: RetPtr<WResult<u32, ErrorCode>>) {
        resource::check(network, Resource::Network);
        // SAFETY: canonical ABI `string` parameter.
        let name = unsafe { crate::abi::bytes(name, name_len) };
        ret.write(lookup(name).map(|v| stream(&v[..])).into());
    }

    fn stream(v: &[IpAddress]) -> u32 {
        let size = core::mem::size_of::<IpAddress>() * v.len().max(1);
        let addrs = crate::alloc::private::realloc(core::ptr::null_mut(), 0, 2, size) as *mut IpAddress;
        for (i, a) in v.iter().enumerate() {
            // SAFETY: room for `v.len()` addresses.
            unsafe { addrs.add(i).write(*a) };
        }
        resource::push(Resource::ResolveAddressStream(ResolveAddressStream { addrs, len: v.len() as u8, next: 0 }))
    }

    /// Addresses for `name`: a literal as is, else WAMR's resolver, de-duplicated.
    fn lookup(name: &[u8]) -> Result<heapless_vec::Vec, ErrorCode> {
        let mut out = heapless_vec::Vec::new();
        if name.is_empty() || name.len() > 253 || name.contains(&0) {
            return Err(ErrorCode::InvalidArgument);
        }
        // An IPv6 literal in brackets (as in a URL) is taken as one, as natively; anything
        // else in brackets is not a host name.
        if name[0] == b'[' {
            let inner = name[1..].strip_suffix(b"]").ok_or(ErrorCode::InvalidArgument)?;
            out.push(IpAddress::Ipv6(parse_v6(inner).ok_or(ErrorCode::InvalidArgument)?));
            return Ok(out);
        }
        if let Some(a) = parse_literal(name) {
            out.push(a);
            return Ok(out);
        }
        let mut host = [0u8; 256];
        host[..name.len()].copy_from_slice(name);
        // The name holds no NUL and is at most 253 bytes: the buffer's NUL ends it.
        let host = core::ffi::CStr::from_bytes_until_nul(&host).map_err(|_| ErrorCode::InvalidArgument)?;
        let hints = sock::AddrInfoHints { ty: sock::SOCKET_STREAM, family: 2, enabled: 1 };
        let mut infos = [sock::AddrInfo::default(); MAX];
        let max = match sock::addr_resolve(host, &hints, &mut infos) {
            // WAMR 1.x knows no "unspecified" family in hints (EINVAL): ask without hints
            // (each address then comes once per socket type; de-duplicated below).
            Err(crate::p1::EINVAL) => sock::addr_resolve(host, &sock::AddrInfoHints { ty: 0, family: 0, enabled: 0 }, &mut infos),
            r => r,
        }
        .map_err(crate::errno::to_name_lookup)?;
        for info in infos.iter().take((max as usize).min(MAX)) {
            let a = wamr::from_wasi(&info.addr).ip();
            if !out.contains(&a) {
                out.push(a);
            }
        }
        if out.is_empty() { Err(ErrorCode::NameUnresolvable) } else { Ok(out) }
    }

    /// A fixed-capacity vector of addresses (no allocator needed).
    mod heapless_vec {
        use super::{IpAddress, MAX};
        pub struct Vec {
            items: [IpAddress; MAX],
            len: usize,
        }
        impl Vec {
            pub fn new() -> Vec {
                Vec { items: [IpAddress::Ipv4([0; 4]); MAX], len: 0 }
            }
            pub fn push(&mut self, a: IpAddress) {
                if self.len < MAX {
                    self.items[self.len] = a;
                    self.len += 1;
                }
            }
            pub fn contains(&self, a: &IpAddress) -> bool {
                self.items[..self.len].contains(a)
            }
            pub fn is_empty(&self) -> bool {
                self.len == 0
            }
        }
        impl core::ops::Index<core::ops::RangeFull> for Vec {
            type Output = [IpAddress];
            fn index(&self, _: core::ops::RangeFull) -> &[IpAddress] {
                &self.items[..self.len]
            }
        }
    }

    /// Parses an IPv4 dotted quad or an IPv6 address (with `::`, without a zone).
    pub fn parse_literal(s: &[u8]) -> Option<IpAddress> {
        parse_v4(s).map(IpAddress::Ipv4).or_else(|| parse_v6(s).map(IpAddress::Ipv6))
    }

    fn parse_v4(s: &[u8]) -> Option<[u8; 4]> {
        let mut out = [0u8; 4];
        let mut parts = s.split(|b| *b == b'.');
        for o in out.iter_mut() {
            let p = parts.next()?;
            if p.is_empty() || p.len() > 3 || !p.iter().all(u8::is_ascii_digit) || (p.len() > 1 && p[0] == b'0') {
                return None;
            }
            let v = p.iter().fold(0u32, |v, d| v * 10 + (d - b'0') as u32);
            *o = u8::try_from(v).ok()?;
        }
        if parts.next().is_some() { None } else { Some(out) }
    }

    fn parse_v6(s: &[u8]) -> Option<[u16; 8]> {
        let hex = |p: &[u8]| -> Option<u16> {
            if p.is_empty() || p.len() > 4 {
                return None;
            }
            p.iter().try_fold(0u16, |v, c| Some(v << 4 | (*c as char).to_digit(16)? as u16))
        };
        let groups = |p: &[u8], out: &mut [u16; 8]| -> Option<usize> {
            if p.is_empty() {
                return Some(0);
            }
            let mut n = 0;
            for g in p.split(|b| *b == b':') {
                if n == 8 {
                    return None;
                }
                out[n] = hex(g)?;
                n += 1;
            }
            Some(n)
        };
        let mut out = [0u16; 8];
        match s.windows(2).position(|w| w == b"::") {
            None => (groups(s, &mut out)? == 8).then_some(out),
            Some(i) => {
                let (mut head, mut tail) = ([0u16; 8], [0u16; 8]);
                let h = groups(&s[..i], &mut head)?;
                let t = groups(&s[i + 2..], &mut tail)?;
                if h + t > 7 {
                    return None;
                }
                out[..h].copy_from_slice(&head[..h]);
                out[8 - t..].copy_from_slice(&tail[..t]);
                Some(out)
            }
        }
    }

    /// `[method]resolve-address-stream.resolve-next-address`: "Returns the next address from the
    /// resolver. This function should be called multiple times. On each call, it will return
    /// the next address in connection order preference. If all addresses have been exhausted,
    /// this function returns `none`. This function never returns IPv4-mapped IPv6 addresses."
    pub fn resolve_address_stream_resolve_next_address(this: u32, ret: RetPtr<WResult<WOption<IpAddress>, ErrorCode>>) {
        let mut s = resource::get::<ResolveAddressStream>(this);
        ret.write(WResult::Ok(if s.next < s.len {
            // SAFETY: `next < len` addresses were written.
            let a = unsafe { *s.addrs.add(s.next as usize) };
            s.next += 1;
            WOption::Some(a)
        } else {
            WOption::None
        }));
    }

    /// `[method]resolve-address-stream.subscribe`: results are ready at once.
    pub fn resolve_address_stream_subscribe(this: u32) -> u32 {
        resource::get::<ResolveAddressStream>(this);
        poll::new(Wait::Always, this)
    }

    /// `[resource-drop]resolve-address-stream`.
    pub fn drop_resolve_address_stream(this: u32) {
        let s = resource::remove::<ResolveAddressStream>(this);
        let size = core::mem::size_of::<IpAddress>() * (s.len as usize).max(1);
        crate::alloc::private::free(s.addrs as *mut u8, size, 2);
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        #[test]
        fn literals() {
            assert_eq!(parse_literal(b"127.0.0.1"), Some(IpAddress::Ipv4([127, 0, 0, 1])));
            assert_eq!(parse_literal(b"::1"), Some(IpAddress::Ipv6([0, 0, 0, 0, 0, 0, 0, 1])));
            assert_eq!(parse_literal(b"fe80::3ba2:893b:4be0:e3dd"), Some(IpAddress::Ipv6([0xfe80, 0, 0, 0, 0x3ba2, 0x893b, 0x4be0, 0xe3dd])));
            assert_eq!(parse_literal(b"1:2:3:4:5:6:7:8"), Some(IpAddress::Ipv6([1, 2, 3, 4, 5, 6, 7, 8])));
            assert_eq!(parse_v6(b"::"), Some([0; 8]));
            for bad in [&b"localhost"[..], b"256.0.0.1", b"1.2.3", b"01.2.3.4", b"1::2::3", b":::", b"1:2:3:4:5:6:7:8:9"] {
                assert_eq!(parse_literal(bad), None, "{:?}", core::str::from_utf8(bad));
            }
        }
    }
}
