//! A mio event loop on one thread: an echo server and a client exchanging a few megabytes
//! over loopback, all non-blocking (WouldBlock handled, readiness from `Poll`).
//!
//! mio 1.x's `TcpListener::accept` fails with EINVAL on wasm32-wasip2 — natively too (its
//! wasip2 support covers outgoing connections only) — so connections are accepted with std's
//! non-blocking listener and handed to mio with `TcpStream::from_std`.
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{ErrorKind, Read, Write};

const CLIENT: Token = Token(1);
const SERVER_CONN: Token = Token(2);
const TOTAL: usize = 4 << 20;

fn main() {
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(16);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    poll.registry().register(&mut client, CLIENT, Interest::READABLE | Interest::WRITABLE).unwrap();

    let data: Vec<u8> = (0..TOTAL).map(|i| (i * 31 % 251) as u8).collect();
    let (mut sent, mut echoed_back) = (0usize, Vec::with_capacity(TOTAL));
    let mut conn: Option<TcpStream> = None;
    let mut pending: Vec<u8> = Vec::new(); // server side: read, not yet written back
    let mut buf = vec![0u8; 65536];
    let mut wakeups = 0u32;
    while echoed_back.len() < TOTAL {
        let timeout = if conn.is_none() { Some(std::time::Duration::from_millis(10)) } else { Some(std::time::Duration::from_secs(10)) };
        poll.poll(&mut events, timeout).unwrap();
        wakeups += 1;
        if events.is_empty() && conn.is_some() {
            panic!("no progress for 10 s");
        }
        if conn.is_none() {
            match listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(true).unwrap();
                    let mut s = TcpStream::from_std(s);
                    poll.registry().register(&mut s, SERVER_CONN, Interest::READABLE | Interest::WRITABLE).unwrap();
                    conn = Some(s);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => panic!("accept: {e}"),
            }
        }
        // Drive both ends until they would block (readiness is edge-like in mio).
        loop {
            let mut progress = false;
            if sent < TOTAL {
                match client.write(&data[sent..(sent + 65536).min(TOTAL)]) {
                    Ok(n) => {
                        sent += n;
                        progress |= n > 0;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::NotConnected => {}
                    Err(e) => panic!("client write: {e}"),
                }
            }
            if let Some(s) = conn.as_mut() {
                match s.read(&mut buf) {
                    Ok(n) => {
                        pending.extend_from_slice(&buf[..n]);
                        progress |= n > 0;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => panic!("server read: {e}"),
                }
                if !pending.is_empty() {
                    match s.write(&pending) {
                        Ok(n) => {
                            pending.drain(..n);
                            progress |= n > 0;
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(e) => panic!("server write: {e}"),
                    }
                }
            }
            match client.read(&mut buf) {
                Ok(n) => {
                    echoed_back.extend_from_slice(&buf[..n]);
                    progress |= n > 0;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::NotConnected => {}
                Err(e) => panic!("client read: {e}"),
            }
            if !progress {
                break;
            }
        }
    }
    println!("mio echo: {} bytes sent and received back, intact: {}", TOTAL, echoed_back == data);
    println!("event loop woke up at least once: {}", wakeups > 0);
}
