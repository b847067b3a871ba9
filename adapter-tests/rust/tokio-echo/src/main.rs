//! A tokio echo server and three concurrent clients on one current-thread runtime, each client
//! sending 4 MiB and reading it back while it sends (backpressure both ways: neither side
//! reads everything before writing). The whole exchange has a 60 s deadline.
//!
//! tokio's `TcpListener::accept` goes through mio's, which fails with EINVAL on wasm32-wasip2
//! natively too, so the server accepts with std's non-blocking listener and hands each stream
//! to tokio with `TcpStream::from_std`.
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOTAL: usize = 4 << 20;
const CLIENTS: usize = 3;

fn pattern(i: usize, k: usize) -> u8 {
    ((i * 31 + k * 7) % 251) as u8
}

async fn serve(s: std::net::TcpStream) -> usize {
    s.set_nonblocking(true).unwrap();
    let s = TcpStream::from_std(s).unwrap();
    let (mut r, mut w) = s.into_split();
    let mut buf = vec![0u8; 65536];
    let mut echoed = 0;
    while echoed < TOTAL {
        let n = r.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        w.write_all(&buf[..n]).await.unwrap();
        echoed += n;
    }
    w.flush().await.unwrap();
    echoed
}

async fn client(addr: std::net::SocketAddr, k: usize) -> bool {
    let s = TcpStream::connect(addr).await.unwrap();
    let (mut r, mut w) = s.into_split();
    let data: Vec<u8> = (0..TOTAL).map(|i| pattern(i, k)).collect();
    let send = async {
        for chunk in data.chunks(65536) {
            w.write_all(chunk).await.unwrap();
        }
        w.flush().await.unwrap();
        w
    };
    let recv = async {
        let mut back = vec![0u8; TOTAL];
        r.read_exact(&mut back).await.unwrap();
        back
    };
    let (_w, back) = tokio::join!(send, recv);
    back == data
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut conns = Vec::new();
        while conns.len() < CLIENTS {
            match listener.accept() {
                Ok((s, _)) => conns.push(tokio::spawn(serve(s))),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => tokio::time::sleep(Duration::from_millis(1)).await,
                Err(e) => panic!("accept: {e}"),
            }
        }
        let mut total = 0;
        for c in conns {
            total += c.await.unwrap();
        }
        total
    });
    let clients: Vec<_> = (0..CLIENTS).map(|k| tokio::spawn(client(addr, k))).collect();
    let all = async {
        let mut ok = Vec::new();
        for c in clients {
            ok.push(c.await.unwrap());
        }
        (ok, server.await.unwrap())
    };
    match tokio::time::timeout(Duration::from_secs(60), all).await {
        Ok((ok, total)) => println!("tokio echo: {CLIENTS} clients, {TOTAL} bytes each, all intact: {}, server echoed {total}", ok.iter().all(|x| *x)),
        Err(_) => println!("tokio echo: timed out"),
    }
}
