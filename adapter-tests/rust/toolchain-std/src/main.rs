//! One std program for the toolchain matrix (tests/toolchains.rs), built with each Rust
//! toolchain: files and directories, stdio, environment and arguments, clocks, the fd numbers
//! of files and sockets, socket create/close, exit statuses. Deterministic output.
//! `toolchain-std exit N` exits with N; `toolchain-std fail` returns an error from main;
//! `toolchain-std net` also makes a loopback TCP round trip.
use std::io::{Read, Write};
use std::os::fd::AsRawFd;

fn fd_of<T: AsRawFd, E: std::fmt::Debug>(what: &str, r: &Result<T, E>) {
    match r {
        Ok(x) => println!("{what} -> fd {}", x.as_raw_fd()),
        Err(e) => println!("{what} -> error {e:?}"),
    }
}

fn kind<T, E: Into<std::io::Error>>(r: Result<T, E>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => format!("{:?}", e.into().kind()),
    }
}

fn files() {
    let d = "/sandbox/sub";
    println!("create_dir: {}", kind(std::fs::create_dir(d)));
    std::fs::write(format!("{d}/data.txt"), b"hello, files\n").unwrap();
    let mut f = std::fs::OpenOptions::new().append(true).open(format!("{d}/data.txt")).unwrap();
    f.write_all(b"appended\n").unwrap();
    drop(f);
    let mut s = String::new();
    std::fs::File::open(format!("{d}/data.txt")).unwrap().read_to_string(&mut s).unwrap();
    print!("read back: {s}");
    let m = std::fs::metadata(format!("{d}/data.txt")).unwrap();
    println!("len {} file {} dir {}", m.len(), m.is_file(), m.is_dir());
    println!("rename: {}", kind(std::fs::rename(format!("{d}/data.txt"), format!("{d}/moved.txt"))));
    println!("open missing: {}", kind(std::fs::File::open("/sandbox/none")));
    println!("remove missing: {}", kind(std::fs::remove_file("/sandbox/none")));
    std::fs::write("/sandbox/tmp.txt", b"x").unwrap();
    println!("remove_file: {}", kind(std::fs::remove_file("/sandbox/tmp.txt")));
    std::fs::create_dir("/sandbox/gone").unwrap();
    println!("remove_dir: {}", kind(std::fs::remove_dir("/sandbox/gone")));
    std::fs::write("/sandbox/kept.txt", b"kept\n").unwrap();
    for dir in ["/sandbox", d] {
        let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        println!("{dir}: {names:?}");
    }
}

fn fds() {
    let f1 = std::fs::File::create("/sandbox/a.txt");
    fd_of("create a.txt", &f1);
    let l = std::net::TcpListener::bind("127.0.0.1:0");
    fd_of("TcpListener", &l);
    let u = std::net::UdpSocket::bind("127.0.0.1:0");
    fd_of("UdpSocket", &u);
    let f2 = std::fs::File::open("/sandbox/a.txt");
    fd_of("open a.txt", &f2);
    drop(f1);
    drop(f2);
    let f3 = std::fs::File::open("/sandbox/a.txt");
    fd_of("open a.txt again", &f3);
    drop(l);
    drop(u);
    let l2 = std::net::TcpListener::bind("127.0.0.1:0");
    fd_of("TcpListener after closing", &l2);
    let f4 = std::fs::File::create("/sandbox/b.txt");
    fd_of("create b.txt", &f4);
}

fn net() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (mut s, _) = l.accept().unwrap();
    c.write_all(b"ping").unwrap();
    let mut b = [0u8; 4];
    s.read_exact(&mut b).unwrap();
    println!("tcp round trip: {}", String::from_utf8_lossy(&b));
    let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let z = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    z.send_to(b"pong", a.local_addr().unwrap()).unwrap();
    let (n, from) = a.recv_from(&mut b).unwrap();
    println!("udp: {} from the sender: {}", String::from_utf8_lossy(&b[..n]), from == z.local_addr().unwrap());
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() >= 3 && args[1] == "exit" {
        println!("exiting with {}", args[2]);
        std::io::stdout().flush().unwrap();
        std::process::exit(args[2].parse().unwrap());
    }
    if args.get(1).map(String::as_str) == Some("fail") {
        println!("returning an error from main");
        return Err("failed on purpose".into());
    }
    println!("args: {args:?}");
    println!("GREETING={:?} MISSING={:?}", std::env::var("GREETING"), std::env::var("MISSING").is_ok());
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    for l in input.lines() {
        println!("stdin: {l}");
    }
    eprintln!("to stderr");
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let i = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(2));
    println!("after 2020: {} slept: {}", t.as_secs() > 1_577_836_800, i.elapsed() >= std::time::Duration::from_millis(2));
    let h: std::collections::HashMap<u32, u32> = (0..10).map(|i| (i, i * i)).collect();
    println!("hash map: {}", h[&7]);
    files();
    fds();
    if args.get(1).map(String::as_str) == Some("net") {
        net();
    }
    Ok(())
}
