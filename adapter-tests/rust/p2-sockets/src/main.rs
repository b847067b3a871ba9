//! The wasi:sockets state machine and errors, through the `wasip2` crate: what the WIT says
//! each call answers in each state. Deterministic output (no ports printed).
use wasip2::io::poll;
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::ip_name_lookup::resolve_addresses;
use wasip2::sockets::network::{IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress};
use wasip2::sockets::tcp::ShutdownType;
use wasip2::sockets::tcp_create_socket::create_tcp_socket;
use wasip2::sockets::udp_create_socket::create_udp_socket;

fn port_of(a: IpSocketAddress) -> u16 {
    match a {
        IpSocketAddress::Ipv4(a) => a.port,
        IpSocketAddress::Ipv6(a) => a.port,
    }
}

fn v4(port: u16, a: (u8, u8, u8, u8)) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: a })
}

fn main() {
    let net = instance_network();
    let lo = v4(0, (127, 0, 0, 1));
    let s = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
    println!("family {:?}, listening {}", s.address_family(), s.is_listening());
    println!("finish-bind before start: {:?}", s.finish_bind().err());
    println!("local-address unbound: {:?}", s.local_address().err());
    println!("listen unbound: {:?}", s.start_listen().err());
    let v6 = IpSocketAddress::Ipv6(Ipv6SocketAddress { port: 0, flow_info: 0, address: (0, 0, 0, 0, 0, 0, 0, 1), scope_id: 0 });
    println!("bind IPv6 address on IPv4 socket: {:?}", s.start_bind(&net, v6).err());
    s.start_bind(&net, lo).unwrap();
    println!("start-bind again while in progress: {:?}", s.start_bind(&net, lo).err());
    println!("finish-bind: {:?}", s.finish_bind());
    println!("bind again: {:?}", s.start_bind(&net, lo).err());
    println!("set-listen-backlog-size 0: {:?}", s.set_listen_backlog_size(0).err());
    println!("accept before listen: {:?}", s.accept().err());
    s.start_listen().unwrap();
    println!("finish-listen: {:?}, listening {}", s.finish_listen(), s.is_listening());
    println!("accept with nothing pending: {:?}", s.accept().err());
    let port = match s.local_address().unwrap() {
        IpSocketAddress::Ipv4(a) => a.port,
        _ => 0,
    };
    println!("remote-address of a listener: {:?}", s.remote_address().err());

    let c = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
    println!("finish-connect before start: {:?}", c.finish_connect().err());
    println!("connect to port 0: {:?}", c.start_connect(&net, v4(0, (127, 0, 0, 1))).err());
    println!("connect to 0.0.0.0: {:?}", c.start_connect(&net, v4(port, (0, 0, 0, 0))).err());
    let bad = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
    println!("connect outside the pool: start {:?}", bad.start_connect(&net, v4(port, (127, 0, 0, 2))).err());
    bad.subscribe().block();
    println!("connect outside the pool: finish {:?}", bad.finish_connect().err());
    println!("start-listen while a bind is unfinished: {:?}", {
        let t = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        t.start_bind(&net, lo).unwrap();
        t.start_listen().err()
    });
    c.start_connect(&net, v4(port, (127, 0, 0, 1))).unwrap();
    let sub = c.subscribe();
    sub.block();
    drop(sub);
    let (ci, co) = loop {
        match c.finish_connect() {
            Ok(streams) => break streams,
            Err(e) if e == wasip2::sockets::network::ErrorCode::WouldBlock => c.subscribe().block(),
            Err(e) => panic!("finish-connect: {e:?}"),
        }
    };
    println!("connected; start-connect again: {:?}", c.start_connect(&net, v4(port, (127, 0, 0, 1))).err());
    println!("listen on a connected socket: {:?}", c.start_listen().err());
    let ls = s.subscribe();
    poll::poll(&[&ls]);
    let (a, ai, ao) = s.accept().unwrap();
    println!("accepted: listening {}, remote is the client: {}", a.is_listening(), port_of(a.remote_address().unwrap()) == port_of(c.local_address().unwrap()));
    co.blocking_write_and_flush(b"state machine").unwrap();
    println!("read: {:?}", String::from_utf8(ai.blocking_read(100).unwrap()).unwrap());
    ao.blocking_write_and_flush(b"ok").unwrap();
    println!("reply: {:?}", String::from_utf8(ci.blocking_read(100).unwrap()).unwrap());
    println!("keep-alive set/get: {:?} {:?}", c.set_keep_alive_enabled(true), c.keep_alive_enabled());
    println!("keep-alive idle 0: {:?}", c.set_keep_alive_idle_time(0).err());
    println!("hop-limit 0: {:?}", c.set_hop_limit(0).err());
    println!("receive-buffer-size > 0: {}", c.receive_buffer_size().unwrap() > 0);
    drop((ci, co));
    println!("shutdown both: {:?}", c.shutdown(ShutdownType::Both));
    println!("shutdown an unconnected socket: {:?}", create_tcp_socket(IpAddressFamily::Ipv4).unwrap().shutdown(ShutdownType::Both).err());
    println!("read after the peer shut down: {:?}", ai.blocking_read(10).err().map(|_| "closed or failed"));

    let u = create_udp_socket(IpAddressFamily::Ipv4).unwrap();
    println!("udp stream unbound: {:?}", u.stream(None).err());
    println!("udp remote-address unconnected: {:?}", u.remote_address().err());
    u.start_bind(&net, lo).unwrap();
    u.finish_bind().unwrap();
    let (inc, out) = u.stream(None).unwrap();
    println!("udp receive with nothing: {:?}", inc.receive(4).map(|v| v.len()));
    let n = out.check_send().unwrap();
    println!("udp check-send > 0: {}", n > 0);
    let to_self = u.local_address().unwrap();
    let sent = out.send(&[wasip2::sockets::udp::OutgoingDatagram { data: b"self".to_vec(), remote_address: Some(to_self) }]);
    println!("udp send to self: {sent:?}");
    inc.subscribe().block();
    let got = inc.receive(4).unwrap();
    println!("udp received {} datagram(s): {:?}", got.len(), got.first().map(|d| String::from_utf8(d.data.clone()).unwrap()));
    println!("udp send without address, unconnected: {:?}", {
        out.check_send().unwrap();
        out.send(&[wasip2::sockets::udp::OutgoingDatagram { data: b"x".to_vec(), remote_address: None }]).err()
    });

    let r = resolve_addresses(&net, "127.0.0.1").unwrap();
    println!("resolve literal: {:?} then {:?}", r.resolve_next_address().unwrap().map(|a| matches!(a, IpAddress::Ipv4((127, 0, 0, 1)))), r.resolve_next_address().unwrap().is_none());
    println!("resolve empty name: {:?}", resolve_addresses(&net, "").err());
    wit_semantics(&net, &s, port);
    nonblocking_connect(&net);
}

/// `start-connect` does not wait for the connection: a listener whose backlog is full leaves
/// a new connect in progress (the kernel drops its SYN) until an accept makes room.
fn nonblocking_connect(net: &wasip2::sockets::network::Network) {
    use wasip2::clocks::monotonic_clock;
    let l = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
    l.start_bind(net, v4(0, (127, 0, 0, 1))).unwrap();
    l.finish_bind().unwrap();
    l.set_listen_backlog_size(1).unwrap();
    l.start_listen().unwrap();
    l.finish_listen().unwrap();
    let port = port_of(l.local_address().unwrap());
    let mut done = Vec::new();
    let mut pending = None;
    for _ in 0..16 {
        let c = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        let t0 = monotonic_clock::now();
        c.start_connect(net, v4(port, (127, 0, 0, 1))).unwrap();
        let quick = monotonic_clock::now() - t0 < 500_000_000;
        let sub = c.subscribe();
        let timeout = monotonic_clock::subscribe_duration(300_000_000);
        let ready = poll::poll(&[&sub, &timeout]);
        drop((sub, timeout));
        if ready.contains(&0) {
            done.push(c.finish_connect().map(|_| c).map_err(|e| e.name()));
            continue;
        }
        println!("a connect to a listener with a full backlog: start-connect returned at once {quick}, still in progress after 300 ms");
        println!("finish-connect meanwhile: {:?}", c.finish_connect().err());
        pending = Some(c);
        break;
    }
    println!("connects completed before that: at least one {}, all ok {}", !done.is_empty(), done.iter().all(|d| d.is_ok()));
    let Some(c) = pending else {
        println!("every connect completed at once");
        return;
    };
    // Make room: accept what is queued; the pending connect then completes (the kernel
    // retransmits its SYN after about a second).
    let mut accepted = Vec::new();
    let deadline = monotonic_clock::now() + 20_000_000_000;
    let streams = loop {
        while let Ok(a) = l.accept() {
            accepted.push(a);
        }
        match c.finish_connect() {
            Ok(s) => break Some(s),
            Err(wasip2::sockets::network::ErrorCode::WouldBlock) if monotonic_clock::now() < deadline => {
                let (sub, ls, timeout) = (c.subscribe(), l.subscribe(), monotonic_clock::subscribe_duration(100_000_000));
                poll::poll(&[&sub, &ls, &timeout]);
            }
            Err(e) => {
                println!("finish-connect: {e:?}");
                break None;
            }
        }
    };
    println!("after accepts made room, the connect completed: {}", streams.is_some());
    // Streams before their sockets.
    drop(streams);
    drop(c);
    for (a, i, o) in accepted {
        drop((i, o));
        drop(a);
    }
    for d in done.into_iter().flatten() {
        drop(d);
    }
    drop(l);
}

fn v6(port: u16, a: (u16, u16, u16, u16, u16, u16, u16, u16)) -> IpSocketAddress {
    IpSocketAddress::Ipv6(Ipv6SocketAddress { port, flow_info: 0, address: a, scope_id: 0 })
}

fn stream_error(e: wasip2::io::streams::StreamError) -> &'static str {
    match e {
        wasip2::io::streams::StreamError::Closed => "closed",
        wasip2::io::streams::StreamError::LastOperationFailed(_) => "failed",
    }
}

/// A connected pair through the listener `l` (on `port`): (client socket, its streams,
/// accepted socket, its streams).
fn pair(
    net: &wasip2::sockets::network::Network,
    l: &wasip2::sockets::tcp::TcpSocket,
    port: u16,
) -> (
    wasip2::sockets::tcp::TcpSocket,
    wasip2::io::streams::InputStream,
    wasip2::io::streams::OutputStream,
    wasip2::sockets::tcp::TcpSocket,
    wasip2::io::streams::InputStream,
    wasip2::io::streams::OutputStream,
) {
    let c = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
    c.start_connect(net, v4(port, (127, 0, 0, 1))).unwrap();
    let (ci, co) = loop {
        match c.finish_connect() {
            Ok(streams) => break streams,
            Err(wasip2::sockets::network::ErrorCode::WouldBlock) => c.subscribe().block(),
            Err(e) => panic!("finish-connect: {e:?}"),
        }
    };
    l.subscribe().block();
    let (a, ai, ao) = l.accept().unwrap();
    (c, ci, co, a, ai, ao)
}

/// What the WIT says beyond the state machine (each as a native host answers).
fn wit_semantics(net: &wasip2::sockets::network::Network, l: &wasip2::sockets::tcp::TcpSocket, port: u16) {
    let t = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
    println!("tcp start-bind 255.255.255.255: {:?}", t.start_bind(net, v4(0, (255, 255, 255, 255))).err());
    println!("tcp start-bind 224.0.0.1: {:?}", t.start_bind(net, v4(0, (224, 0, 0, 1))).err());
    println!("tcp start-connect 255.255.255.255: {:?}", t.start_connect(net, v4(80, (255, 255, 255, 255))).err());
    println!("tcp start-connect 239.1.2.3: {:?}", t.start_connect(net, v4(80, (239, 1, 2, 3))).err());
    let t6 = create_tcp_socket(IpAddressFamily::Ipv6).unwrap();
    println!("tcp start-bind ff02::1: {:?}", t6.start_bind(net, v6(0, (0xff02, 0, 0, 0, 0, 0, 0, 1))).err());
    println!("tcp start-connect ff02::1: {:?}", t6.start_connect(net, v6(80, (0xff02, 0, 0, 0, 0, 0, 0, 1))).err());
    println!("tcp start-bind ::127.0.0.1 (IPv4-compatible): {:?}", t6.start_bind(net, v6(0, (0, 0, 0, 0, 0, 0, 0x7f00, 1))).err());
    let u6 = create_udp_socket(IpAddressFamily::Ipv6).unwrap();
    println!("udp start-bind ::127.0.0.1 (IPv4-compatible): {:?}", u6.start_bind(net, v6(0, (0, 0, 0, 0, 0, 0, 0x7f00, 1))).err());

    for name in ["[::1]", "[::]", "::1", "[127.0.0.1]", "[::1"] {
        let r = resolve_addresses(net, name).map(|r| {
            let mut v = Vec::new();
            while let Some(a) = r.resolve_next_address().unwrap() {
                v.push(a);
            }
            v
        });
        println!("resolve {name:?}: {r:?}");
    }

    // udp stream(some(remote)): datagrams queued earlier from another sender are not delivered.
    let bound = |u: &wasip2::sockets::udp::UdpSocket| {
        u.start_bind(net, v4(0, (127, 0, 0, 1))).unwrap();
        u.finish_bind().unwrap();
        u.local_address().unwrap()
    };
    let (u, peer, other) = (create_udp_socket(IpAddressFamily::Ipv4).unwrap(), create_udp_socket(IpAddressFamily::Ipv4).unwrap(), create_udp_socket(IpAddressFamily::Ipv4).unwrap());
    let (ua, pa, _) = (bound(&u), bound(&peer), bound(&other));
    let send = |from: &wasip2::sockets::udp::UdpSocket, data: &[u8]| {
        let (i, o) = from.stream(None).unwrap();
        o.check_send().unwrap();
        o.send(&[wasip2::sockets::udp::OutgoingDatagram { data: data.to_vec(), remote_address: Some(ua) }]).unwrap();
        drop((i, o));
    };
    send(&other, b"queued early");
    let (ui, uo) = u.stream(Some(pa)).unwrap();
    send(&peer, b"from the peer");
    let mut got = Vec::new();
    let deadline = wasip2::clocks::monotonic_clock::now() + 10_000_000_000;
    while got.is_empty() && wasip2::clocks::monotonic_clock::now() < deadline {
        let sub = ui.subscribe();
        let t = wasip2::clocks::monotonic_clock::subscribe_duration(100_000_000);
        poll::poll(&[&sub, &t]);
        drop((sub, t));
        got.extend(ui.receive(8).unwrap().into_iter().map(|d| String::from_utf8(d.data).unwrap()));
    }
    println!("udp stream(some(peer)) receives: {got:?}");
    drop((ui, uo, u, peer, other));

    // shutdown(receive): the input stream is closed from then on, data waiting or not; the
    // connection still carries what the socket sends.
    let (c, ci, co, a, ai, ao) = pair(net, l, port);
    ao.blocking_write_and_flush(b"unread").unwrap();
    ci.subscribe().block();
    println!("shutdown(receive): {:?}", c.shutdown(ShutdownType::Receive));
    println!("read after shutdown(receive): {:?}", ci.read(10).map_err(stream_error));
    println!("blocking-read after shutdown(receive): {:?}", ci.blocking_read(10).map_err(stream_error));
    co.blocking_write_and_flush(b"still sending").unwrap();
    println!("the peer still receives: {:?}", String::from_utf8(ai.blocking_read(100).unwrap()).unwrap());
    println!("shutdown(receive) again: {:?}", c.shutdown(ShutdownType::Receive));
    drop((ci, co, c, ai, ao, a));

    // shutdown(send): the output stream is closed, the peer reads the end of the stream.
    let (c, ci, co, a, ai, ao) = pair(net, l, port);
    co.blocking_write_and_flush(b"last words").unwrap();
    println!("shutdown(send): {:?}", c.shutdown(ShutdownType::Send));
    println!("check-write after shutdown(send): {:?}", co.check_write().map_err(stream_error));
    let mut got = Vec::new();
    let end = loop {
        match ai.blocking_read(100) {
            Ok(b) => got.extend(b),
            Err(e) => break stream_error(e),
        }
    };
    println!("the peer reads {:?}, then {end}", String::from_utf8(got).unwrap());
    drop((ci, co, c, ai, ao, a));

    // shutdown on a connection the peer has reset: succeeds, as natively.
    let (c, ci, co, a, ai, ao) = pair(net, l, port);
    co.blocking_write_and_flush(b"never read").unwrap();
    ai.subscribe().block();
    // The peer closes with unread data: the kernel resets the connection.
    drop((ai, ao, a));
    ci.subscribe().block();
    println!("shutdown(both) after the peer reset: {:?}", c.shutdown(ShutdownType::Both));
    println!("read after that: {:?}", ci.read(10).map_err(stream_error));
    drop((ci, co, c));
}
