//! Rust `std::net` over the adapter: TcpListener/TcpStream and UdpSocket round trips on
//! loopback (IPv4 and IPv6), non-blocking accept, name resolution. Deterministic output.
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};

fn tcp(bind: &str) {
    let l = TcpListener::bind(bind).unwrap();
    let addr = l.local_addr().unwrap();
    let mut c = TcpStream::connect(addr).unwrap();
    let (mut s, peer) = l.accept().unwrap();
    println!("{bind}: connected, peer is the client: {}", peer == c.local_addr().unwrap());
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 13) as u8).collect();
    c.write_all(&data[..100_000]).unwrap();
    let mut got = vec![0u8; 100_000];
    s.read_exact(&mut got).unwrap();
    s.write_all(&got).unwrap();
    let mut back = vec![0u8; 100_000];
    c.read_exact(&mut back).unwrap();
    println!("{bind}: 100000 bytes there and back intact: {}", back == data[..100_000]);
    drop(c);
    let mut rest = Vec::new();
    println!("{bind}: read after the client closed: {:?}", s.read_to_end(&mut rest).map(|_| rest.len()));
    l.set_nonblocking(true).unwrap();
    println!("{bind}: non-blocking accept: {:?}", l.accept().map(|_| ()).map_err(|e| e.kind() == ErrorKind::WouldBlock));
}

fn udp(bind: &str) {
    let a = UdpSocket::bind(bind).unwrap();
    let b = UdpSocket::bind(bind).unwrap();
    b.send_to(b"ping", a.local_addr().unwrap()).unwrap();
    let mut buf = [0u8; 16];
    let (n, from) = a.recv_from(&mut buf).unwrap();
    println!("{bind}: udp {:?} from b: {}", std::str::from_utf8(&buf[..n]).unwrap(), from == b.local_addr().unwrap());
    a.connect(b.local_addr().unwrap()).unwrap();
    a.send(b"pong").unwrap();
    let n = b.recv(&mut buf).unwrap();
    println!("{bind}: connected udp {:?}", std::str::from_utf8(&buf[..n]).unwrap());
}

fn main() {
    tcp("127.0.0.1:0");
    tcp("[::1]:0");
    udp("127.0.0.1:0");
    udp("[::1]:0");
    let v4 = ("localhost", 80).to_socket_addrs().map(|a| a.filter(|a| a.is_ipv4()).count() > 0);
    println!("resolve localhost: has IPv4 {v4:?}");
    println!("connect refused: {:?}", TcpStream::connect("127.0.0.1:1").map(|_| ()).map_err(|e| e.kind()));
}
