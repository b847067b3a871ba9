//! TCP backpressure over `std::net` on one thread (no socket operation may block when the
//! socket is non-blocking), plus implicit binds. Deterministic output; every loop is bounded by
//! a deadline, so a hang shows as a "timed out" line instead of a stuck test.
//!
//! - `wouldblock`: a connected client set non-blocking writes 64 KiB chunks to a peer that does
//!   not read until `WouldBlock` (natively after a few MiB: the kernel buffers fill); then the
//!   server reads everything the client's writes accepted, and the client's writes succeed again.
//! - `both-ways`: two non-blocking sockets of one connection each send 8 MiB to the other at
//!   the same time, every step non-blocking, and check what arrives.
//! - `udp-unbound`: a UDP client bound to `0.0.0.0:0` (std's way of not choosing) sends to a
//!   server and gets the reply.
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

fn pattern(i: u64) -> u8 {
    (i.wrapping_mul(2654435761) >> 13) as u8
}

fn wouldblock() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (mut s, _) = l.accept().unwrap();
    c.set_nonblocking(true).unwrap();
    let chunk: Vec<u8> = (0..65536u64).map(pattern).collect();
    let start = Instant::now();
    let mut written: u64 = 0;
    let mut writes = 0u64;
    let outcome = loop {
        if start.elapsed() > DEADLINE || written > (256 << 20) {
            break "no WouldBlock (timed out)".to_string();
        }
        let off = (written % 65536) as usize;
        match c.write(&chunk[off..]) {
            Ok(n) => {
                written += n as u64;
                writes += 1;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => break "WouldBlock".to_string(),
            Err(e) => break format!("error {e:?}"),
        }
    };
    println!("non-blocking writes to a peer that does not read: {outcome}");
    println!("accepted more than 1 MiB before that: {}", written > (1 << 20));
    let t = Instant::now();
    let again = c.write(&chunk);
    println!(
        "write again at once: {:?} (returned within 1 s: {})",
        again.as_ref().map(|_| ()).map_err(|e| e.kind()),
        t.elapsed() < Duration::from_secs(1)
    );
    let _ = writes;
    // The server reads everything the writes accepted.
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut got: u64 = 0;
    let mut ok = true;
    let mut buf = vec![0u8; 65536];
    while got < written {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                for (k, b) in buf[..n].iter().enumerate() {
                    ok &= *b == pattern((got + k as u64) % 65536);
                }
                got += n as u64;
            }
            Err(e) => {
                println!("server read failed: {:?}", e.kind());
                break;
            }
        }
    }
    println!("server received every accepted byte, in order: {}", got == written && ok);
    // Once the peer has read, non-blocking writes are accepted again.
    let mut accepted = false;
    let start = Instant::now();
    while start.elapsed() < DEADLINE {
        match c.write(b"more") {
            Ok(n) => {
                accepted = n > 0;
                break;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => break,
        }
    }
    println!("after the peer read, a write is accepted again: {accepted}");
}

/// Moves `total` bytes each way over `a` <-> `b`, every call non-blocking.
fn pump(a: &TcpStream, b: &TcpStream, total: u64) -> String {
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    let chunk: Vec<u8> = (0..65536u64).map(pattern).collect();
    let mut sent = [0u64; 2];
    let mut recvd = [0u64; 2];
    let mut intact = [true; 2];
    let mut would_block = [0u64; 2];
    let mut buf = vec![0u8; 65536];
    let start = Instant::now();
    while recvd[0] < total || recvd[1] < total {
        if start.elapsed() > DEADLINE {
            return format!("timed out: sent {sent:?} received {recvd:?}");
        }
        for (i, (mut w, mut r)) in [(a, b), (b, a)].into_iter().enumerate() {
            // Write until the socket pushes back, then read one chunk: both directions fill.
            while sent[i] < total {
                let off = (sent[i] % 65536) as usize;
                let want = ((total - sent[i]) as usize).min(65536 - off);
                match w.write(&chunk[off..off + want]) {
                    Ok(n) => sent[i] += n as u64,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        would_block[i] += 1;
                        break;
                    }
                    Err(e) => return format!("write failed: {e:?}"),
                }
            }
            match r.read(&mut buf) {
                Ok(0) => return "unexpected end of stream".into(),
                Ok(n) => {
                    for (k, x) in buf[..n].iter().enumerate() {
                        intact[i] &= *x == pattern((recvd[i] + k as u64) % 65536);
                    }
                    recvd[i] += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return format!("read failed: {e:?}"),
            }
        }
    }
    format!("{} bytes each way, intact: {}, backpressure seen: {}", total, intact == [true; 2], would_block.iter().any(|n| *n > 0))
}

fn both_ways() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (s, _) = l.accept().unwrap();
    println!("both ways at once: {}", pump(&c, &s, 8 << 20));
}

/// One datagram, waiting at most [`DEADLINE`] (non-blocking receives: SO_RCVTIMEO is not
/// available on UDP sockets natively).
fn recv_bounded(s: &UdpSocket, buf: &mut [u8]) -> (usize, SocketAddr) {
    s.set_nonblocking(true).unwrap();
    let start = Instant::now();
    loop {
        match s.recv_from(buf) {
            Ok(r) => return r,
            Err(e) if e.kind() == ErrorKind::WouldBlock && start.elapsed() < DEADLINE => std::thread::sleep(Duration::from_millis(1)),
            Err(e) => panic!("recv_from: {e:?}"),
        }
    }
}

fn udp_unbound() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    // std's client socket: bound to the unspecified address and port 0 (the pool holds only
    // loopback addresses).
    let c = UdpSocket::bind(SocketAddr::from(([0, 0, 0, 0], 0))).unwrap();
    let sent = c.send_to(b"query", server.local_addr().unwrap());
    println!("udp send_to from a socket bound to 0.0.0.0:0: {:?}", sent);
    let mut buf = [0u8; 64];
    let (n, from) = recv_bounded(&server, &mut buf);
    println!("server got {:?} from 127.0.0.1: {}", std::str::from_utf8(&buf[..n]).unwrap(), from.ip().is_loopback());
    server.send_to(b"answer", from).unwrap();
    let (n, from2) = recv_bounded(&c, &mut buf);
    println!("client got {:?} from the server: {}", std::str::from_utf8(&buf[..n]).unwrap(), from2 == server.local_addr().unwrap());
    let local = c.local_addr().unwrap();
    println!("client local address after sending: unspecified {} port set {}", local.ip().is_unspecified(), local.port() != 0);
    println!("its port is where the server saw it: {}", local.port() == from.port());
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("wouldblock") => wouldblock(),
        Some("both-ways") => both_ways(),
        Some("udp-unbound") => udp_unbound(),
        m => panic!("unknown mode {m:?}"),
    }
}
