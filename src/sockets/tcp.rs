//! `wasi:sockets/tcp` over WAMR's socket extension (WAMR build only).
//!
//! The WIT state machine is kept here. Host sockets are made non-blocking
//! (`fd_fdstat_set_flags`, which every tested WAMR release allows on sockets), so that no
//! operation blocks: `start-connect` starts the host connect (EINPROGRESS), the socket's
//! pollable waits for it to become writable, and `finish-connect` answers `would-block` until
//! then and takes the outcome from the host (`sock_addr_remote` succeeds once connected; a
//! failed connect's error is what a 1-byte read reports). Bind and listen complete in
//! `start-*`, which remembers the outcome for `finish-*` (`not-in-progress` when nothing was
//! started). A `start-*` while another is unfinished is `concurrency-conflict`, as natively; a
//! connect's failure (refused, outside the address pool) is reported by `finish-connect`, as
//! natively. `accept` never blocks: it asks `poll_oneoff` first and answers `would-block`.
//!
//! A bind to the unspecified address with port 0 that WAMR's address pool refuses (a pool of
//! loopback addresses does not hold `0.0.0.0` or `::`) is left to the host, as a WASIp1
//! program's socket would be: the host binds implicitly at `listen` or `connect` (WAMR's pool
//! checks only the destination), and `local-address` reports what the host has bound.
//!
//! WAMR quirks handled: `bind` sets SO_LINGER{1,0} (a close would send RST), so linger is
//! reset after bind and accept; `sock_close` is ENOSYS, so sockets close with `fd_close`;
//! `sock_get_*_buf_size` writes 8 bytes; `sock_shutdown` ignores its direction (WAMR always
//! shuts down both), so `shutdown(receive)` is done by the adapter alone (the input stream
//! reports `closed` from then on, as natively) and `shutdown(send)` shuts down both.

use crate::abi::{RetPtr, Tuple2, WResult};
use crate::io::poll::{self, Wait};
use crate::io::streams::{self, Mode};
use crate::p1::sock::{self, KeepAliveTime};
use crate::resource::{self, Resource};
use crate::errno::to_sockets as error;
use crate::sockets::network::{self, IpSocketAddress, wamr};
use crate::types::sockets_network::ErrorCode;

type Res<T> = Result<T, ErrorCode>;

/// Where a TCP socket is in the WIT state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Unbound,
    BindStarted,
    Bound,
    ListenStarted,
    Listening,
    /// `start-connect` done; the outcome (`None`: connected) waits for `finish-connect`.
    ConnectStarted(Option<ErrorCode>),
    /// `start-connect` started a non-blocking host connect that has not completed yet.
    Connecting,
    Connected,
    /// A connect failed; the socket cannot be used again (as natively).
    Closed,
}

/// A `tcp-socket`: a WAMR socket fd and its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSocket {
    pub fd: u32,
    pub ipv6: bool,
    pub state: State,
    pub backlog: u32,
    /// The host socket is non-blocking (else connects are synchronous and the streams block,
    /// on a runtime that refuses `fd_fdstat_set_flags`).
    pub nonblocking: bool,
    /// Bound to the unspecified address and port 0 without the host (see the module doc).
    pub host_binds: bool,
    /// The connection's streams (0 before): `shutdown` closes them.
    pub input: u32,
    pub output: u32,
}

const DEFAULT_BACKLOG: u32 = 128;

fn get(h: u32) -> resource::Ref<TcpSocket> {
    resource::get::<TcpSocket>(h)
}

/// Opens a WAMR socket of `ty` for the family; IPv6 sockets are IPv6-only, as natively.
pub fn open(ipv6: bool, ty: i32) -> Res<u32> {
    let fd = sock::open(ipv6, ty).map_err(error)?;
    if ipv6 {
        let _ = sock::set_ipv6_only(fd, true);
    }
    Ok(fd)
}

/// Makes a host socket non-blocking; whether the runtime allowed it.
pub fn set_nonblocking(fd: u32) -> bool {
    sock::set_nonblocking(fd).is_ok()
}

/// Checks a local or remote address against the socket's family (the WIT's
/// `invalid-argument` cases: wrong family; IPv4-mapped and deprecated IPv4-compatible IPv6
/// addresses, as wasmtime).
pub fn check_family(ipv6: bool, a: &IpSocketAddress) -> Res<()> {
    match a {
        IpSocketAddress::Ipv4(_) if ipv6 => Err(ErrorCode::InvalidArgument),
        IpSocketAddress::Ipv6(_) if !ipv6 => Err(ErrorCode::InvalidArgument),
        IpSocketAddress::Ipv6(v6) if v6.address[..5] == [0; 5] && v6.address[5] == 0xffff => Err(ErrorCode::InvalidArgument),
        IpSocketAddress::Ipv6(v6) if v6.address[..6] == [0; 6] && v6.address[6..] != [0, 0] && v6.address[6..] != [0, 1] => {
            Err(ErrorCode::InvalidArgument)
        }
        _ => Ok(()),
    }
}

/// TCP binds and connects take unicast addresses only (the WIT's `invalid-argument`:
/// broadcast and multicast addresses; IPv4-mapped ones are refused by [`check_family`]).
fn check_unicast(a: &IpSocketAddress) -> Res<()> {
    let multicast = match a {
        IpSocketAddress::Ipv4(v4) => v4.address[0] & 0xf0 == 224 || v4.address == [255; 4],
        IpSocketAddress::Ipv6(v6) => v6.address[0] & 0xff00 == 0xff00,
    };
    if multicast { Err(ErrorCode::InvalidArgument) } else { Ok(()) }
}

/// Binds `fd` to `a`, or, for the unspecified address with port 0 when the address pool
/// refuses it, leaves the bind to the host (`Ok(true)`; see the module doc).
pub fn bind_or_defer(fd: u32, a: &IpSocketAddress, tcp: bool) -> Res<bool> {
    match bind(fd, a, tcp) {
        Err(ErrorCode::AccessDenied) if a.ip().is_unspecified() && a.port() == 0 => Ok(true),
        r => r.map(|()| false),
    }
}

/// Binds `fd` to `a` (shared with UDP): SO_REUSEADDR first for TCP, as natively; WAMR's
/// abortive linger reset after.
pub fn bind(fd: u32, a: &IpSocketAddress, tcp: bool) -> Res<()> {
    if tcp {
        let _ = sock::set_reuse_addr(fd, true);
    }
    sock::bind(fd, &wamr::to_wasi(a)).map_err(error)?;
    if tcp {
        let _ = sock::set_linger(fd, false, 0);
    }
    Ok(())
}

pub fn local(fd: u32) -> Res<IpSocketAddress> {
    sock::addr_local(fd).map(|w| wamr::from_wasi(&w)).map_err(error)
}

pub fn remote(fd: u32) -> Res<IpSocketAddress> {
    sock::addr_remote(fd).map(|w| wamr::from_wasi(&w)).map_err(error)
}

/// `create-tcp-socket`: "Create a new TCP socket. Similar to `socket(AF_INET or AF_INET6,
/// SOCK_STREAM, IPPROTO_TCP)` in POSIX. On IPv6 sockets, IPV6_V6ONLY is enabled by default and
/// can't be configured otherwise. … The new socket is not bound to any network interface."
pub fn create_tcp_socket(family: u8, ret: RetPtr<WResult<u32, ErrorCode>>) {
    let ipv6 = network::family_is_ipv6(family);
    ret.write(
        open(ipv6, sock::SOCKET_STREAM)
            .map(|fd| {
                let nonblocking = set_nonblocking(fd);
                resource::push(Resource::TcpSocket(TcpSocket {
                    fd,
                    ipv6,
                    state: State::Unbound,
                    backlog: DEFAULT_BACKLOG,
                    nonblocking,
                    host_binds: false,
                    input: 0,
                    output: 0,
                }))
            })
            .into(),
    );
}

/// `[method]tcp-socket.start-bind`: "Bind the socket to a specific network on the provided IP
/// address and port. If the IP address is zero (`0.0.0.0` in IPv4, `::` in IPv6), it is left
/// to the implementation to decide which network interface(s) to bind to. If the TCP/UDP port
/// is zero, the socket will be bound to a random free port. … Typical errors: `invalid-argument`
/// the `local-address` has the wrong address family, `invalid-state` the socket is already
/// bound, `address-in-use`, `address-not-bindable`."
pub fn tcp_socket_start_bind(this: u32, net: u32, a: IpSocketAddress, ret: RetPtr<WResult<(), ErrorCode>>) {
    resource::check(net, Resource::Network);
    let mut s = get(this);
    let r = (|| {
        match s.state {
            State::Unbound => {}
            State::BindStarted => return Err(ErrorCode::ConcurrencyConflict),
            _ => return Err(ErrorCode::InvalidState),
        }
        check_family(s.ipv6, &a)?;
        check_unicast(&a)?;
        bind_or_defer(s.fd, &a, true)
    })();
    if let Ok(host_binds) = r {
        s.state = State::BindStarted;
        s.host_binds = host_binds;
    }
    ret.write(r.map(|_| ()).into());
}

/// A `finish-*` step of the state machine (shared with UDP): moves `state` from the started
/// state `from` to `to`, or answers `not-in-progress`.
pub fn finish(state: &mut State, from: State, to: State) -> WResult<(), ErrorCode> {
    if *state == from {
        *state = to;
        WResult::Ok(())
    } else {
        WResult::Err(ErrorCode::NotInProgress)
    }
}

/// `[method]tcp-socket.finish-bind`.
pub fn tcp_socket_finish_bind(this: u32, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(finish(&mut get(this).state, State::BindStarted, State::Bound));
}

/// `[method]tcp-socket.start-connect`: "Connect to a remote endpoint. On success: the socket is
/// transitioned into the `connected` state, the `remote-address` of the socket is updated,
/// the `local-address` of the socket is updated… Typical errors: `invalid-argument` (wrong
/// family, unspecified IP, port 0), `invalid-state` (already connected or listening),
/// `connection-refused`, `remote-unreachable`, `timeout`…"
pub fn tcp_socket_start_connect(this: u32, net: u32, a: IpSocketAddress, ret: RetPtr<WResult<(), ErrorCode>>) {
    resource::check(net, Resource::Network);
    let mut s = get(this);
    let r = (|| {
        match s.state {
            State::Unbound | State::Bound => {}
            State::BindStarted | State::ListenStarted | State::ConnectStarted(_) | State::Connecting => {
                return Err(ErrorCode::ConcurrencyConflict);
            }
            _ => return Err(ErrorCode::InvalidState),
        }
        check_family(s.ipv6, &a)?;
        check_unicast(&a)?;
        if a.ip().is_unspecified() || a.port() == 0 {
            return Err(ErrorCode::InvalidArgument);
        }
        Ok(())
    })();
    if r.is_ok() {
        // A non-blocking host socket answers EINPROGRESS (the pollable waits for the
        // outcome); an immediate outcome, or any outcome of a blocking host socket, is
        // reported by finish-connect.
        s.state = match sock::connect(s.fd, &wamr::to_wasi(&a)) {
            Err(sock::EINPROGRESS) if s.nonblocking => State::Connecting,
            r => State::ConnectStarted(r.err().map(error)),
        };
    }
    ret.write(r.into());
}

/// The outcome of a host connect that has completed (the socket polled writable): connected
/// when the host has a peer address, else the error a read reports (the socket's pending
/// error, which is then cleared).
fn connect_outcome(fd: u32) -> Option<ErrorCode> {
    if remote(fd).is_ok() {
        return None;
    }
    let mut b = [0u8; 1];
    Some(match crate::p1::read(fd, &mut b) {
        Err(e) => error(e),
        Ok(_) => ErrorCode::ConnectionRefused,
    })
}

/// The streams of a connected socket (its host socket non-blocking when it could be made so).
fn connection_streams(this: u32) -> Tuple2<u32, u32> {
    let s = *get(this);
    let mode = if s.nonblocking { Mode::Socket } else { Mode::Stream };
    let streams = Tuple2(streams::new_held_input(s.fd, 0, mode, this), streams::new_held_output(s.fd, 0, mode, this));
    let mut s = get(this);
    (s.input, s.output) = (streams.0, streams.1);
    streams
}

/// `[method]tcp-socket.finish-connect`: the streams of the connection, or why it failed;
/// `would-block` while the host connect is in progress.
pub fn tcp_socket_finish_connect(this: u32, ret: RetPtr<WResult<Tuple2<u32, u32>, ErrorCode>>) {
    let mut s = get(this);
    if s.state == State::Connecting {
        if !streams::fd_ready(s.fd, true, false) {
            return ret.write(WResult::Err(ErrorCode::WouldBlock));
        }
        s.state = State::ConnectStarted(connect_outcome(s.fd));
    }
    let r = match s.state {
        State::ConnectStarted(None) => {
            s.state = State::Connected;
            // `connection_streams` gets the socket again: this borrow ends first.
            drop(s);
            Ok(connection_streams(this))
        }
        State::ConnectStarted(Some(e)) => {
            s.state = State::Closed;
            Err(e)
        }
        _ => Err(ErrorCode::NotInProgress),
    };
    ret.write(r.into());
}

/// `[method]tcp-socket.start-listen`: "Start listening for new connections. Transitions the
/// socket into the `listening` state. … Typical errors: `invalid-state` the socket is not
/// bound to any local address, or already connected or listening."
pub fn tcp_socket_start_listen(this: u32, ret: RetPtr<WResult<(), ErrorCode>>) {
    let mut s = get(this);
    let r = match s.state {
        State::Bound => sock::listen(s.fd, s.backlog).map_err(error),
        State::BindStarted | State::ListenStarted | State::ConnectStarted(_) | State::Connecting => Err(ErrorCode::ConcurrencyConflict),
        _ => Err(ErrorCode::InvalidState),
    };
    if r.is_ok() {
        s.state = State::ListenStarted;
    }
    ret.write(r.into());
}

/// `[method]tcp-socket.finish-listen`.
pub fn tcp_socket_finish_listen(this: u32, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(finish(&mut get(this).state, State::ListenStarted, State::Listening));
}

/// `[method]tcp-socket.accept`: "Accept a new client socket. The returned socket is bound and
/// in the `connected` state. … On success, this function returns the newly accepted client
/// socket along with a pair of streams that can be used to read & write to the connection.
/// Typical errors: `invalid-state` socket is not in the `listening` state, `would-block` no
/// pending connections at the moment."
pub fn tcp_socket_accept(this: u32, ret: RetPtr<WResult<AcceptResult, ErrorCode>>) {
    let s = *get(this);
    let r = (|| {
        if s.state != State::Listening {
            return Err(ErrorCode::InvalidState);
        }
        if !streams::readable_now(s.fd) {
            return Err(ErrorCode::WouldBlock);
        }
        let nfd = sock::accept(s.fd).map_err(error)?;
        let _ = sock::set_linger(nfd, false, 0);
        let nonblocking = set_nonblocking(nfd);
        let h = resource::push(Resource::TcpSocket(TcpSocket {
            fd: nfd,
            ipv6: s.ipv6,
            state: State::Connected,
            backlog: DEFAULT_BACKLOG,
            nonblocking,
            host_binds: false,
            input: 0,
            output: 0,
        }));
        let Tuple2(input, output) = connection_streams(h);
        Ok(AcceptResult { socket: h, input, output })
    })();
    ret.write(r.into());
}

/// `tuple<tcp-socket, input-stream, output-stream>`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct AcceptResult {
    pub socket: u32,
    pub input: u32,
    pub output: u32,
}

/// `[method]tcp-socket.local-address`: "Get the bound local address. … `invalid-state` the
/// socket is not bound to any local address."
pub fn tcp_socket_local_address(this: u32, ret: RetPtr<WResult<IpSocketAddress, ErrorCode>>) {
    let s = get(this);
    ret.write(if matches!(s.state, State::Unbound | State::BindStarted | State::Closed | State::Connecting) { Err(ErrorCode::InvalidState) } else { local(s.fd) }.into());
}

/// `[method]tcp-socket.remote-address`: "Get the remote address. … `invalid-state` the socket
/// is not connected to a remote address."
pub fn tcp_socket_remote_address(this: u32, ret: RetPtr<WResult<IpSocketAddress, ErrorCode>>) {
    let s = get(this);
    ret.write(if s.state == State::Connected { remote(s.fd) } else { Err(ErrorCode::InvalidState) }.into());
}

/// `[method]tcp-socket.is-listening`: "Whether the socket is in the `listening` state."
pub fn tcp_socket_is_listening(this: u32) -> bool {
    get(this).state == State::Listening
}

/// `[method]tcp-socket.address-family`: "Whether this is a IPv4 or IPv6 socket. Equivalent to
/// the SO_DOMAIN socket option."
pub fn tcp_socket_address_family(this: u32) -> u32 {
    get(this).ipv6 as u32
}

/// `[method]tcp-socket.set-listen-backlog-size`: "Hints the desired listen queue size. … If the
/// provided value is 0, an `invalid-argument` error is returned."
pub fn tcp_socket_set_listen_backlog_size(this: u32, value: u64, ret: RetPtr<WResult<(), ErrorCode>>) {
    let mut s = get(this);
    let r = if value == 0 {
        Err(ErrorCode::InvalidArgument)
    } else if matches!(s.state, State::ConnectStarted(_) | State::Connecting | State::Connected | State::Closed) {
        Err(ErrorCode::InvalidState)
    } else {
        s.backlog = value.min(i32::MAX as u64) as u32;
        if s.state == State::Listening {
            sock::listen(s.fd, s.backlog).map_err(error)
        } else {
            Ok(())
        }
    };
    ret.write(r.into());
}

/// `[method]tcp-socket.keep-alive-enabled`: "Enables or disables keepalive. … Equivalent to the
/// SO_KEEPALIVE socket option."
pub fn tcp_socket_keep_alive_enabled(this: u32, ret: RetPtr<WResult<bool, ErrorCode>>) {
    ret.write(sock::keep_alive(get(this).fd).map_err(error).into());
}

/// `[method]tcp-socket.set-keep-alive-enabled`.
pub fn tcp_socket_set_keep_alive_enabled(this: u32, value: bool, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(sock::set_keep_alive(get(this).fd, value).map_err(error).into());
}

/// Seconds (WAMR's unit) to a WIT `duration` (ns), and back rounding up; 0 is invalid.
fn secs_from_ns(ns: u64) -> Res<u32> {
    if ns == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(ns.div_ceil(1_000_000_000).min(i32::MAX as u64) as u32)
}

/// Reads a WAMR keep-alive option (whole seconds) as a WIT `duration`.
fn get_secs(this: u32, which: KeepAliveTime) -> Res<u64> {
    sock::keep_alive_time(get(this).fd, which).map(|secs| secs as u64 * 1_000_000_000).map_err(error)
}

/// Sets a WAMR keep-alive option from a WIT `duration` (rounded up to whole seconds).
fn set_secs(this: u32, which: KeepAliveTime, value: u64) -> Res<()> {
    let fd = get(this).fd;
    secs_from_ns(value).and_then(|s| sock::set_keep_alive_time(fd, which, s).map_err(error))
}

/// `[method]tcp-socket.keep-alive-idle-time`: "Amount of time the connection has to be idle
/// before TCP starts sending keepalive packets. … Equivalent to the TCP_KEEPIDLE socket
/// option." (WAMR works in whole seconds.)
pub fn tcp_socket_keep_alive_idle_time(this: u32, ret: RetPtr<WResult<u64, ErrorCode>>) {
    ret.write(get_secs(this, KeepAliveTime::Idle).into());
}

/// `[method]tcp-socket.set-keep-alive-idle-time`: "If the provided value is 0, an
/// `invalid-argument` error is returned."
pub fn tcp_socket_set_keep_alive_idle_time(this: u32, value: u64, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(set_secs(this, KeepAliveTime::Idle, value).into());
}

/// `[method]tcp-socket.keep-alive-interval`: "The time between keepalive packets. …
/// Equivalent to the TCP_KEEPINTVL socket option."
pub fn tcp_socket_keep_alive_interval(this: u32, ret: RetPtr<WResult<u64, ErrorCode>>) {
    ret.write(get_secs(this, KeepAliveTime::Interval).into());
}

/// `[method]tcp-socket.set-keep-alive-interval`.
pub fn tcp_socket_set_keep_alive_interval(this: u32, value: u64, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(set_secs(this, KeepAliveTime::Interval, value).into());
}

/// `[method]tcp-socket.keep-alive-count`: "The maximum amount of keepalive packets TCP should
/// send before aborting the connection. … Equivalent to the TCP_KEEPCNT socket option."
///
/// WAMR has no call for TCP_KEEPCNT: `not-supported`.
pub fn tcp_socket_keep_alive_count(this: u32, ret: RetPtr<WResult<u32, ErrorCode>>) {
    get(this);
    ret.write(WResult::Err(ErrorCode::NotSupported));
}

/// `[method]tcp-socket.set-keep-alive-count`: WAMR has no call for TCP_KEEPCNT:
/// `not-supported` (0 is `invalid-argument`, as the WIT says).
pub fn tcp_socket_set_keep_alive_count(this: u32, value: u32, ret: RetPtr<WResult<(), ErrorCode>>) {
    get(this);
    ret.write(WResult::Err(if value == 0 { ErrorCode::InvalidArgument } else { ErrorCode::NotSupported }));
}

/// `[method]tcp-socket.hop-limit`: "Equivalent to the IP_TTL & IPV6_UNICAST_HOPS socket
/// options."
pub fn tcp_socket_hop_limit(this: u32, ret: RetPtr<WResult<u8, ErrorCode>>) {
    ret.write(hop_limit(get(this).fd).into());
}

/// `[method]tcp-socket.set-hop-limit`: "If the provided value is 0, an `invalid-argument`
/// error is returned."
pub fn tcp_socket_set_hop_limit(this: u32, value: u8, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(set_hop_limit(get(this).fd, value).into());
}

pub fn hop_limit(fd: u32) -> Res<u8> {
    sock::ip_ttl(fd).map_err(error)
}

pub fn set_hop_limit(fd: u32, value: u8) -> Res<()> {
    if value == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    sock::set_ip_ttl(fd, value).map_err(error)
}

/// Buffer sizes (shared with UDP). WAMR writes 8 bytes for the getters.
pub fn buffer_size(fd: u32, receive: bool) -> Res<u64> {
    sock::buf_size(fd, receive).map_err(error)
}

pub fn set_buffer_size(fd: u32, receive: bool, value: u64) -> Res<()> {
    if value == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    let v = value.min(i32::MAX as u64) as u32;
    sock::set_buf_size(fd, receive, v).map_err(error)
}

/// `[method]tcp-socket.receive-buffer-size`: "The kernel buffer space reserved for sends/receives
/// on this socket. … Equivalent to the SO_RCVBUF and SO_SNDBUF socket options."
pub fn tcp_socket_receive_buffer_size(this: u32, ret: RetPtr<WResult<u64, ErrorCode>>) {
    ret.write(buffer_size(get(this).fd, true).into());
}

/// `[method]tcp-socket.set-receive-buffer-size`.
pub fn tcp_socket_set_receive_buffer_size(this: u32, value: u64, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(set_buffer_size(get(this).fd, true, value).into());
}

/// `[method]tcp-socket.send-buffer-size`.
pub fn tcp_socket_send_buffer_size(this: u32, ret: RetPtr<WResult<u64, ErrorCode>>) {
    ret.write(buffer_size(get(this).fd, false).into());
}

/// `[method]tcp-socket.set-send-buffer-size`.
pub fn tcp_socket_set_send_buffer_size(this: u32, value: u64, ret: RetPtr<WResult<(), ErrorCode>>) {
    ret.write(set_buffer_size(get(this).fd, false, value).into());
}

/// `[method]tcp-socket.subscribe`: "Create a `pollable` which can be used to poll for, or block
/// on, completion of any of the asynchronous operations of this socket." A listening socket is
/// ready when a connection waits, a connecting one when the host connect has completed; bind
/// and listen complete at `start-*`.
pub fn tcp_socket_subscribe(this: u32) -> u32 {
    get(this);
    poll::new(Wait::Tcp(this), this)
}

/// What a TCP socket's pollable waits for: `Some((fd, write))`, or `None` (ready).
pub fn pollable_fd(this: u32) -> Option<(u32, bool)> {
    let s = get(this);
    match s.state {
        State::Listening => Some((s.fd, false)),
        State::Connecting => Some((s.fd, true)),
        _ => None,
    }
}

/// `[method]tcp-socket.shutdown`: "Initiate a graceful shutdown. `receive`: the socket is not
/// expecting to receive any data from the peer… `send`: the socket has no more data to send
/// to the peer… `both`: same effect as `receive` & `send` combined. … `invalid-state` the
/// socket is not in the `connected` state."
///
/// As natively, the connection's streams report `closed` from then on (the input stream for
/// `receive`, the output stream for `send`, after what it has accepted has been handed to the
/// host), and the host's own answer is not reported (a connection the peer has already reset
/// shuts down without error). WAMR's `sock_shutdown` ignores the direction and always shuts
/// down both, so `receive` alone is done by the adapter only, and `send` also ends receiving.
pub fn tcp_socket_shutdown(this: u32, how: u8, ret: RetPtr<WResult<(), ErrorCode>>) {
    let s = *get(this);
    let (receive, send) = match how {
        0 => (true, false),
        1 => (false, true),
        2 => (true, true),
        _ => crate::trap::trap(b"invalid shutdown-type"),
    };
    if s.state != State::Connected {
        return ret.write(WResult::Err(ErrorCode::InvalidState));
    }
    // A stream handle kept here may have been dropped, and even reused: only this socket's
    // streams have its fd.
    if receive && let Some(mut i) = resource::try_get::<streams::InputStream>(s.input).filter(|i| i.fd == s.fd) {
        i.closed = true;
    }
    if send {
        if let Some(mut o) = resource::try_get::<streams::OutputStream>(s.output).filter(|o| o.fd == s.fd) {
            o.shut_down();
        }
        let _ = sock::shutdown_both(s.fd);
    }
    ret.write(WResult::Ok(()));
}

/// `[resource-drop]tcp-socket`: closes the socket (once its streams are gone).
pub fn drop_tcp_socket(this: u32) {
    resource::remove::<TcpSocket>(this);
}
