//! `wasi:sockets/udp` over WAMR's socket extension (WAMR build only).
//!
//! `stream(remote)` connects the socket (WAMR's `sock_connect`), so the kernel filters
//! incoming datagrams and picks the destination; datagrams go out with `sock_send_to` (to the
//! connected peer when they name none) and come in with `sock_recv_from`, never blocking:
//! `receive` asks `poll_oneoff` first.
//!
//! A bind to the unspecified address with port 0 that WAMR's address pool refuses (wasi-libc
//! makes one before the first `sendto` or `connect` of an unbound socket) is left to the host,
//! which binds implicitly at the first send or `stream(remote)`, as for a WASIp1 program's
//! socket (WAMR's pool checks only the destination); `local-address` reports what the host
//! has bound (port 0 until then).

use crate::abi::{self, List, RetPtr, Tuple2, WResult};
use crate::io::poll::{self, Wait};
use crate::p1::{self, sock};
use crate::resource::{self, Resource};
use crate::errno::to_sockets as error;
use crate::sockets::network::{self, IpSocketAddress, wamr};
use crate::sockets::tcp::{self, State};
use crate::types::sockets_network::ErrorCode;

/// A `udp-socket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpSocket {
    pub fd: u32,
    pub ipv6: bool,
    /// `Unbound`, `BindStarted` or `Bound` (the TCP state machine's first steps).
    pub state: State,
    /// Connected to a remote address by `stream`.
    pub connected: bool,
}

/// An `incoming-datagram-stream` (holds its socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncomingDatagramStream {
    pub fd: u32,
    /// Made by `stream(some(remote))`: only datagrams from the socket's peer are delivered.
    pub connected: bool,
}

/// An `outgoing-datagram-stream` (holds its socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingDatagramStream {
    pub fd: u32,
    pub ipv6: bool,
    pub connected: bool,
    /// Datagrams the last `check-send` permitted and not yet sent.
    pub budget: u32,
}

/// Datagrams `check-send` permits at once.
const SEND_PERMIT: u32 = 64;
/// Most datagrams one `receive` returns.
const MAX_RECEIVE: usize = 32;
/// Largest UDP payload.
const MAX_DATAGRAM: usize = 65535;

/// `create-udp-socket`: "Create a new UDP socket. Similar to `socket(AF_INET or AF_INET6,
/// SOCK_DGRAM, IPPROTO_UDP)` in POSIX. On IPv6 sockets, IPV6_V6ONLY is enabled by default and
/// can't be configured otherwise."
pub fn create_udp_socket(family: u8, ret: RetPtr<WResult<u32, ErrorCode>>) {
    let ipv6 = network::family_is_ipv6(family);
    ret.write(
        tcp::open(ipv6, sock::SOCKET_DGRAM)
            .map(|fd| resource::push(Resource::UdpSocket(UdpSocket { fd, ipv6, state: State::Unbound, connected: false })))
            .into(),
    );
}

fn get(h: u32) -> resource::Ref<UdpSocket> {
    resource::get::<UdpSocket>(h)
}

/// `[method]udp-socket.start-bind`: "Bind the socket to a specific network on the provided IP
/// address and port. … `invalid-argument` the `local-address` has the wrong address family,
/// `invalid-state` the socket is already bound."
pub fn udp_socket_start_bind(this: u32, net: u32, a: IpSocketAddress, ret: RetPtr<WResult<(), ErrorCode>>) {
    resource::check(net, Resource::Network);
    let mut s = get(this);
    let r = match s.state {
        State::Unbound => tcp::check_family(s.ipv6, &a).and_then(|()| tcp::bind_or_defer(s.fd, &a, false)).map(|_| ()),
        State::BindStarted => Err(ErrorCode::ConcurrencyConflict),
        _ => Err(ErrorCode::InvalidState),
    };
    if r.is_ok() {
        s.state = State::BindStarted;
    }
    ret.write(r.into());
}

/// `[method]udp-socket.finish-bind`.
pub fn udp_socket_finish_bind(this: u32, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(tcp::finish(&mut get(this).state, State::BindStarted, State::Bound));
}

/// `[method]udp-socket.stream`: "Set up inbound & outbound communication channels, optionally
/// to a specific peer. This function only changes the local socket configuration and does not
/// generate any network traffic. … If `remote-address` is set, only datagrams from that
/// address are received and `send` without an address goes there. … `invalid-state` the
/// socket is not bound."
pub fn udp_socket_stream(this: u32, remote: abi::WOption<IpSocketAddress>, ret: RetPtr<WResult<Tuple2<u32, u32>, ErrorCode>>) {
    let s = *get(this);
    // As wasmtime: the previous streams must have been dropped.
    if resource::has_child(this, |r| matches!(r, Resource::IncomingDatagramStream(_) | Resource::OutgoingDatagramStream(_))) {
        crate::trap::trap(b"udp-socket.stream: the previous datagram streams are still alive");
    }
    let r = (|| {
        if s.state != State::Bound {
            return Err(ErrorCode::InvalidState);
        }
        let mut connected = false;
        if let abi::WOption::Some(a) = remote {
            tcp::check_family(s.ipv6, &a)?;
            if a.ip().is_unspecified() || a.port() == 0 {
                return Err(ErrorCode::InvalidArgument);
            }
            sock::connect(s.fd, &wamr::to_wasi(&a)).map_err(error)?;
            connected = true;
        }
        get(this).connected = connected;
        let inc = resource::push_holder(Resource::IncomingDatagramStream(IncomingDatagramStream { fd: s.fd, connected }), this);
        let out = resource::push_holder(
            Resource::OutgoingDatagramStream(OutgoingDatagramStream { fd: s.fd, ipv6: s.ipv6, connected, budget: 0 }),
            this,
        );
        Ok(Tuple2(inc, out))
    })();
    ret.write(r.into());
}

/// `[method]udp-socket.local-address`.
pub fn udp_socket_local_address(this: u32, ret: RetPtr<WResult<IpSocketAddress, ErrorCode>>) {
    let s = get(this);
    ret.write(if s.state == State::Bound { tcp::local(s.fd) } else { Err(ErrorCode::InvalidState) }.into());
}

/// `[method]udp-socket.remote-address`: "`invalid-state` the socket is not streaming to a
/// specific remote address."
pub fn udp_socket_remote_address(this: u32, ret: RetPtr<WResult<IpSocketAddress, ErrorCode>>) {
    let s = get(this);
    ret.write(if s.connected { tcp::remote(s.fd) } else { Err(ErrorCode::InvalidState) }.into());
}

/// `[method]udp-socket.address-family`.
pub fn udp_socket_address_family(this: u32) -> u32 {
    get(this).ipv6 as u32
}

/// `[method]udp-socket.unicast-hop-limit`: "Equivalent to the IP_TTL & IPV6_UNICAST_HOPS socket
/// options."
pub fn udp_socket_unicast_hop_limit(this: u32, ret: RetPtr<WResult<u8, ErrorCode>>) {
    ret.write(tcp::hop_limit(get(this).fd).into());
}

/// `[method]udp-socket.set-unicast-hop-limit`: "If the provided value is 0, an
/// `invalid-argument` error is returned."
pub fn udp_socket_set_unicast_hop_limit(this: u32, value: u8, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(tcp::set_hop_limit(get(this).fd, value).into());
}

/// `[method]udp-socket.receive-buffer-size`.
pub fn udp_socket_receive_buffer_size(this: u32, ret: RetPtr<WResult<u64, ErrorCode>>) {
    ret.write(tcp::buffer_size(get(this).fd, true).into());
}

/// `[method]udp-socket.set-receive-buffer-size`.
pub fn udp_socket_set_receive_buffer_size(this: u32, value: u64, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(tcp::set_buffer_size(get(this).fd, true, value).into());
}

/// `[method]udp-socket.send-buffer-size`.
pub fn udp_socket_send_buffer_size(this: u32, ret: RetPtr<WResult<u64, ErrorCode>>) {
    ret.write(tcp::buffer_size(get(this).fd, false).into());
}

/// `[method]udp-socket.set-send-buffer-size`.
pub fn udp_socket_set_send_buffer_size(this: u32, value: u64, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(tcp::set_buffer_size(get(this).fd, false, value).into());
}

/// `[method]udp-socket.subscribe`: "Create a `pollable` which will resolve once the socket is
/// ready for I/O." Bind and stream complete at once, so it is always ready.
pub fn udp_socket_subscribe(this: u32) -> u32 {
    get(this);
    poll::new(Wait::Always, this)
}

/// `[resource-drop]udp-socket`.
pub fn drop_udp_socket(this: u32) {
    resource::remove::<UdpSocket>(this);
}

/// `incoming-datagram`: `record { data: list<u8>, remote-address: ip-socket-address }`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IncomingDatagram {
    pub data: List<u8>,
    pub remote_address: IpSocketAddress,
}

/// `[method]incoming-datagram-stream.receive`: "Receive messages on the socket. This function
/// attempts to receive up to `max-results` datagrams on the socket without blocking. The
/// returned list may contain fewer elements than requested, but never more. This function
/// returns successfully with an empty list when either: `max-results` is 0, or:
/// `max-results` is greater than 0, but no results are immediately available."
///
/// On a connected stream, datagrams from other senders are dropped, as wasmtime does: the
/// kernel filters what arrives after the connect, but not what was queued before it.
pub fn incoming_datagram_stream_receive(this: u32, max_results: u64, ret: RetPtr<WResult<List<IncomingDatagram>, ErrorCode>>) {
    let s = *resource::get::<IncomingDatagramStream>(this);
    let fd = s.fd;
    let peer = if s.connected { tcp::remote(fd).ok() } else { None };
    let max = (max_results as usize).min(MAX_RECEIVE);
    let mut got: [Option<IncomingDatagram>; MAX_RECEIVE] = [None; MAX_RECEIVE];
    let mut n = 0;
    let mut failure = None;
    let buf = crate::scratch::datagram(MAX_DATAGRAM);
    while n < max && crate::io::streams::readable_now(fd) {
        match sock::recv_from(fd, buf) {
            Ok((len, from)) => {
                let remote_address = wamr::from_wasi(&from);
                if peer.is_some_and(|p| p != remote_address) {
                    continue;
                }
                got[n] = Some(IncomingDatagram { data: abi::owned(&[&buf[..len]]), remote_address });
                n += 1;
            }
            Err(p1::EAGAIN) => break,
            Err(e) => {
                failure = Some(error(e));
                break;
            }
        }
    }
    // An error is reported only when nothing was received (the WIT: after one datagram,
    // `receive` succeeds).
    if let (0, Some(e)) = (n, failure) {
        return ret.write(WResult::Err(e));
    }
    let out = crate::alloc::alloc(n * core::mem::size_of::<IncomingDatagram>(), 4) as *mut IncomingDatagram;
    for (i, d) in got.iter().take(n).enumerate() {
        if let Some(d) = d {
            // SAFETY: `out` has room for `n` datagrams.
            unsafe { out.add(i).write(*d) };
        }
    }
    ret.write(WResult::Ok(List::new(out, n)));
}

/// `[method]incoming-datagram-stream.subscribe`: ready when a datagram waits.
pub fn incoming_datagram_stream_subscribe(this: u32) -> u32 {
    let fd = resource::get::<IncomingDatagramStream>(this).fd;
    poll::new(Wait::FdRead(fd), this)
}

/// `[resource-drop]incoming-datagram-stream`.
pub fn drop_incoming_datagram_stream(this: u32) {
    resource::remove::<IncomingDatagramStream>(this);
}

/// `outgoing-datagram`: `record { data: list<u8>, remote-address: option<ip-socket-address> }`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct OutgoingDatagram {
    pub data: List<u8>,
    pub remote_address: abi::WOption<IpSocketAddress>,
}

/// `[method]outgoing-datagram-stream.check-send`: "Check readiness for sending. This function
/// never blocks. Returns the number of datagrams permitted for the next call to `send`, or an
/// error. Calling `send` with more datagrams than this function has permitted will trap."
pub fn outgoing_datagram_stream_check_send(this: u32, ret: RetPtr<WResult<u64, ErrorCode>>) {
    let mut s = resource::get::<OutgoingDatagramStream>(this);
    s.budget = SEND_PERMIT;
    ret.write(WResult::Ok(SEND_PERMIT as u64));
}

/// `[method]outgoing-datagram-stream.send`: "Send messages on the socket. This function
/// attempts to send all provided `datagrams` on the socket without blocking and returns how
/// many messages were actually sent (or queued for sending). … If at least one datagram has
/// been sent successfully, this function never returns an error. … `invalid-argument` the
/// remote address has the wrong family, or the stream is connected and the address differs,
/// or no address is given while not connected."
pub fn outgoing_datagram_stream_send(this: u32, ptr: *const OutgoingDatagram, len: usize, ret: RetPtr<WResult<u64, ErrorCode>>) {
    let mut s = resource::get::<OutgoingDatagramStream>(this);
    if len as u64 > s.budget as u64 {
        crate::trap::trap(b"outgoing-datagram-stream.send: more datagrams than check-send permitted");
    }
    s.budget -= len as u32;
    let s = *s;
    // SAFETY: canonical ABI `list<outgoing-datagram>` parameter.
    let datagrams = unsafe { abi::slice(ptr, len) };
    let peer = if s.connected { tcp::remote(s.fd).ok() } else { None };
    let mut sent = 0u64;
    for d in datagrams {
        let to = match (d.remote_address, peer) {
            (abi::WOption::Some(a), Some(p)) if a != p => Err(ErrorCode::InvalidArgument),
            (abi::WOption::Some(a), _) => tcp::check_family(s.ipv6, &a).map(|()| a),
            (abi::WOption::None, Some(p)) => Ok(p),
            (abi::WOption::None, None) => Err(ErrorCode::InvalidArgument),
        };
        let r = to.and_then(|a| {
            // SAFETY: the datagram's data list, valid for the call.
            let data = unsafe { abi::bytes(d.data.ptr(), d.data.len as usize) };
            sock::send_to(s.fd, data, &wamr::to_wasi(&a)).map(|_| ()).map_err(error)
        });
        match r {
            Ok(()) => sent += 1,
            Err(e) if sent == 0 => return ret.write(WResult::Err(e)),
            Err(_) => break,
        }
    }
    ret.write(WResult::Ok(sent));
}

/// `[method]outgoing-datagram-stream.subscribe`: sends never wait: always ready.
pub fn outgoing_datagram_stream_subscribe(this: u32) -> u32 {
    resource::get::<OutgoingDatagramStream>(this);
    poll::new(Wait::Always, this)
}

/// `[resource-drop]outgoing-datagram-stream`.
pub fn drop_outgoing_datagram_stream(this: u32) {
    resource::remove::<OutgoingDatagramStream>(this);
}
