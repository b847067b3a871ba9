//! Calls WASI 0.2 io, clocks, cli and random functions directly through the `wasip2` crate
//! (WASI 0.2.12 bindings), including every one wasi-libc never calls. Output is deterministic
//! so native and adapted runs compare byte for byte. Ends with `exit-with-code(42)`.
//!
//! `p2-direct MISUSE` instead performs one misuse that must trap: `use-dropped-pollable`,
//! `drop-stream-before-pollable`, `overlong-write`, `poll-empty`, `overlong-blocking-write`,
//! or one of the canonical ABI violations of `raw_misuse` (made through the raw core imports,
//! which bindings never let a program get wrong).
use std::time::Duration;
use wasip2::cli::{environment, exit, stdin, stdout, terminal_stderr, terminal_stdin, terminal_stdout};
use wasip2::clocks::{monotonic_clock as mono, wall_clock};
use wasip2::io::poll::{self, Pollable};
use wasip2::io::streams::StreamError;
use wasip2::random::{insecure, insecure_seed, random};

fn say(out: &wasip2::io::streams::OutputStream, s: &str) {
    for chunk in s.as_bytes().chunks(4096) {
        out.blocking_write_and_flush(chunk).expect("stdout");
    }
}

fn misuse(what: &str) {
    match what {
        "use-dropped-pollable" => {
            let p = mono::subscribe_duration(0);
            let h = p.take_handle();
            drop(unsafe { Pollable::from_handle(h) });
            unsafe { Pollable::from_handle(h) }.block();
        }
        "drop-stream-before-pollable" => {
            let s = stdin::get_stdin();
            let p = s.subscribe();
            drop(s);
            p.block();
        }
        "overlong-write" => {
            let o = stdout::get_stdout();
            let n = o.check_write().unwrap();
            let _ = o.write(&vec![b'x'; n as usize + 1]);
        }
        "overlong-blocking-write" => {
            let o = stdout::get_stdout();
            let _ = o.blocking_write_and_flush(&[b'y'; 4097]);
        }
        "poll-empty" => {
            let _ = poll::poll(&[]);
        }
        _ => {
            raw_misuse(what);
            socket_misuse(what);
        }
    }
    println!("misuse {what} did not trap");
}

/// Resource rules of wasi:sockets (run on a host with network: natively with an address pool,
/// adapted with the WAMR build): a socket's streams are its children, so dropping the socket
/// first traps ("resource has children"), and `udp-socket.stream` traps while the previous
/// streams live.
fn socket_misuse(what: &str) {
    use wasip2::sockets::instance_network::instance_network;
    use wasip2::sockets::network::{ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};
    use wasip2::sockets::tcp::TcpSocket;
    use wasip2::sockets::tcp_create_socket::create_tcp_socket;
    use wasip2::sockets::udp_create_socket::create_udp_socket;
    let lo = |port| IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: (127, 0, 0, 1) });
    let net = instance_network();
    let bound_udp = || {
        let u = create_udp_socket(IpAddressFamily::Ipv4).unwrap();
        u.start_bind(&net, lo(0)).unwrap();
        u.finish_bind().unwrap();
        u
    };
    // A listener and a connected client: (listener, client, client's streams).
    let connect = || {
        let l = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        l.start_bind(&net, lo(0)).unwrap();
        l.finish_bind().unwrap();
        l.start_listen().unwrap();
        l.finish_listen().unwrap();
        let IpSocketAddress::Ipv4(a) = l.local_address().unwrap() else { unreachable!() };
        let c = create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        c.start_connect(&net, lo(a.port)).unwrap();
        let streams = loop {
            c.subscribe().block();
            match c.finish_connect() {
                Err(ErrorCode::WouldBlock) => continue,
                r => break r.unwrap(),
            }
        };
        (l, c, streams)
    };
    let accept = |l: &TcpSocket| loop {
        l.subscribe().block();
        match l.accept() {
            Err(ErrorCode::WouldBlock) => continue,
            r => break r.unwrap(),
        }
    };
    match what {
        "drop-tcp-socket-before-streams" => {
            let (_l, c, streams) = connect();
            drop(c);
            drop(streams);
        }
        "drop-accepted-socket-before-streams" => {
            let (l, _c, _streams) = connect();
            let (a, ai, ao) = accept(&l);
            drop(a);
            drop((ai, ao));
        }
        "drop-udp-socket-before-streams" => {
            let u = bound_udp();
            let streams = u.stream(None).unwrap();
            drop(u);
            drop(streams);
        }
        "udp-stream-twice" => {
            let u = bound_udp();
            let _first = u.stream(None).unwrap();
            let _second = u.stream(None);
        }
        // A list inside a list element (an outgoing datagram's data) past the end of memory:
        // lifting the argument traps before anything is sent.
        "udp-send-data-out-of-bounds" => {
            #[link(wasm_import_module = "wasi:sockets/udp@0.2.12")]
            unsafe extern "C" {
                #[link_name = "[method]outgoing-datagram-stream.send"]
                fn send(this: i32, ptr: i32, len: i32, ret: i32);
            }
            let u = bound_udp();
            let (_inc, out) = u.stream(None).unwrap();
            out.check_send().unwrap();
            let memory_end = (core::arch::wasm32::memory_size(0) * 65536) as u32;
            // One `outgoing-datagram` (44 bytes): data = (ptr, len), remote-address = none.
            let mut datagram = [0u32; 11];
            datagram[0] = memory_end - 4;
            datagram[1] = 64;
            let mut ret = [0u64; 2];
            let this = out.take_handle() as i32;
            unsafe { send(this, datagram.as_ptr() as i32, 1, ret.as_mut_ptr() as i32) };
        }
        _ => {}
    }
}

/// A `u64` length beyond 32 bits is a length, not its low 32 bits: `skip` and `splice` of
/// 2^32 bytes from stdin (which holds data) move some bytes.
fn huge_lengths(what: &str) {
    let input = stdin::get_stdin();
    let len = 1u64 << 32;
    match what {
        "huge-skip" => println!("skip(2^32) moved bytes: {}", matches!(input.blocking_skip(len), Ok(n) if n > 0)),
        "huge-splice" => {
            let err = wasip2::cli::stderr::get_stderr();
            println!("splice(2^32) moved bytes: {}", matches!(err.blocking_splice(&input, len), Ok(n) if n > 0));
        }
        _ => {}
    }
}

/// The core imports, as the canonical ABI lowers them (a return pointer last).
mod raw {
    #[link(wasm_import_module = "wasi:io/poll@0.2.12")]
    unsafe extern "C" {
        #[link_name = "poll"]
        pub fn poll(ptr: i32, len: i32, ret: i32);
    }
    #[link(wasm_import_module = "wasi:io/streams@0.2.12")]
    unsafe extern "C" {
        #[link_name = "[method]output-stream.blocking-write-and-flush"]
        pub fn blocking_write_and_flush(this: i32, ptr: i32, len: i32, ret: i32);
    }
    #[link(wasm_import_module = "wasi:filesystem/types@0.2.12")]
    unsafe extern "C" {
        #[link_name = "[method]descriptor.open-at"]
        pub fn open_at(this: i32, path_flags: i32, ptr: i32, len: i32, open_flags: i32, flags: i32, ret: i32);
    }
    #[link(wasm_import_module = "wasi:clocks/wall-clock@0.2.12")]
    unsafe extern "C" {
        #[link_name = "now"]
        pub fn now(ret: i32);
    }
}

/// An 8-aligned return area big enough for any result.
#[repr(C, align(8))]
struct Area([u8; 32]);

/// Canonical ABI violations: each must trap (natively, the host traps when it lifts the
/// arguments or stores the result).
fn raw_misuse(what: &str) {
    let memory_end = (core::arch::wasm32::memory_size(0) * 65536) as i32;
    let mut area = Area([0; 32]);
    let ret = area.0.as_mut_ptr() as i32;
    let sandbox = || {
        let dirs = wasip2::filesystem::preopens::get_directories();
        dirs.into_iter().next().expect("a preopen").0.take_handle() as i32
    };
    let stdout = || wasip2::cli::stdout::get_stdout().take_handle() as i32;
    let handles = [mono::subscribe_duration(0).take_handle()];
    let list = handles.as_ptr() as i32;
    unsafe {
        match what {
            // 2^30 handles: 4 GiB, more than memory holds (the size wraps 32 bits).
            "poll-huge-list" => raw::poll(list, 0x4000_0000, ret),
            "poll-list-out-of-bounds" => raw::poll(memory_end - 4, 2, ret),
            "poll-misaligned-list" => raw::poll(list + 1, 1, ret),
            "write-list-out-of-bounds" => raw::blocking_write_and_flush(stdout(), memory_end - 2, 16, ret),
            // Would create a file named with invalid UTF-8.
            "open-invalid-utf8" => {
                let path = b"bad\xff\xfe";
                raw::open_at(sandbox(), 0, path.as_ptr() as i32, path.len() as i32, 1, 2, ret)
            }
            "open-path-out-of-bounds" => raw::open_at(sandbox(), 0, memory_end - 3, 8, 1, 2, ret),
            // The call runs (natively too: the file exists afterwards), then storing the
            // result traps.
            "open-misaligned-return-area" => {
                let path = b"made";
                raw::open_at(sandbox(), 0, path.as_ptr() as i32, path.len() as i32, 1, 2, ret + 2)
            }
            "clock-misaligned-return-area" => raw::now(ret + 4),
            "clock-return-area-out-of-bounds" => raw::now(memory_end - 8),
            _ => {}
        }
    }
}

fn main() {
    let args = environment::get_arguments();
    if args.len() > 1 && args[1].starts_with("huge-") {
        return huge_lengths(&args[1]);
    }
    if args.len() > 1 {
        return misuse(&args[1]);
    }
    let out = stdout::get_stdout();
    let mut log = String::new();

    // cli/environment
    let env = environment::get_environment();
    let greeting = env.iter().find(|(k, _)| k == "GREETING").map(|(_, v)| v.clone());
    log += &format!("args: {}, GREETING={greeting:?}, initial-cwd={:?}\n", args.len(), environment::initial_cwd());
    log += &format!(
        "terminals: stdin={} stdout={} stderr={}\n",
        terminal_stdin::get_terminal_stdin().is_some(),
        terminal_stdout::get_terminal_stdout().is_some(),
        terminal_stderr::get_terminal_stderr().is_some()
    );

    // io/streams: input
    let input = stdin::get_stdin();
    {
        let p = input.subscribe();
        p.block();
        log += &format!("stdin pollable ready after block: {}\n", p.ready());
    }
    log += &format!("read(0): {:?}\n", input.read(0).map(|v| v.len()));
    log += &format!("blocking-read(4): {:?}\n", input.blocking_read(4).map(|v| String::from_utf8_lossy(&v).into_owned()));
    log += &format!("skip(3): {:?}\n", input.skip(3));
    log += &format!("blocking-skip(2): {:?}\n", input.blocking_skip(2));
    say(&out, &log);
    log.clear();
    // splice 5 + blocking-splice 5 bytes of stdin to stdout.
    let n1 = out.splice(&input, 5);
    let n2 = out.blocking_splice(&input, 5);
    log += &format!("\nsplice: {n1:?}, blocking-splice: {n2:?}\n");
    let mut rest = Vec::new();
    let end = loop {
        match input.blocking_read(1000) {
            Ok(v) => rest.extend(v),
            Err(e) => break e,
        }
    };
    log += &format!("rest of stdin: {} bytes, then {}\n", rest.len(), matches!(end, StreamError::Closed));
    log += &format!("after end: read={} skip={} splice={}\n",
        matches!(input.read(1), Err(StreamError::Closed)),
        matches!(input.skip(1), Err(StreamError::Closed)),
        matches!(out.splice(&input, 1), Err(StreamError::Closed)));

    // io/streams: output
    let permit = out.check_write().unwrap();
    log += &format!("check-write > 0: {}\n", permit > 0);
    say(&out, &log);
    log.clear();
    out.write(b"<write>").unwrap();
    out.flush().unwrap();
    out.blocking_flush().unwrap();
    out.check_write().unwrap();
    out.write_zeroes(3).unwrap();
    out.blocking_write_zeroes_and_flush(2).unwrap();
    out.blocking_write_and_flush(b"</write>\n").unwrap();
    {
        let p = out.subscribe();
        log += &format!("stdout pollable ready: {}\n", p.ready());
    }

    // clocks and poll
    log += &format!("monotonic resolution > 0: {}\n", mono::resolution() > 0);
    let t0 = mono::now();
    let d30 = mono::subscribe_duration(30_000_000);
    let d10 = mono::subscribe_duration(10_000_000);
    let i20 = mono::subscribe_instant(t0 + 20_000_000);
    log += &format!("future timer ready at once: {}\n", d30.ready());
    let deadlines = [30_000_000u64, 10_000_000, 20_000_000];
    let mut fired = [None; 3];
    let mut order = Vec::new();
    while fired.iter().any(|f| f.is_none()) {
        let pending: Vec<(usize, &Pollable)> =
            [&d30, &d10, &i20].into_iter().enumerate().filter(|(i, _)| fired[*i].is_none()).collect();
        let list: Vec<&Pollable> = pending.iter().map(|(_, p)| *p).collect();
        for idx in poll::poll(&list) {
            let (i, _) = pending[idx as usize];
            fired[i] = Some(mono::now() - t0);
            order.push(i);
        }
    }
    let on_time = (0..3).all(|i| fired[i].unwrap() >= deadlines[i]);
    log += &format!("three timers in one poll: none early: {on_time}, first was the 10ms one: {}\n", order[0] == 1);
    let t = mono::now();
    mono::subscribe_duration(500_000).block();
    log += &format!("sub-millisecond timer not early: {}\n", mono::now() - t >= 500_000);
    // (Natively, wasmtime's `ready` on an instant already past is false until the pollable
    // has been polled once; the WIT says it is ready. Check what both agree on.)
    let past = mono::subscribe_instant(0);
    let t = mono::now();
    past.block();
    log += &format!("instant in the past: block returns at once {}, then ready {}\n",
        mono::now() - t < 1_000_000_000, past.ready());
    let wall = wall_clock::now();
    let res = wall_clock::resolution();
    log += &format!("wall clock: after 2020 {}, nanos < 1e9 {}, resolution nanos < 1e9 {}\n",
        wall.seconds > 1_577_836_800, wall.nanoseconds < 1_000_000_000, res.nanoseconds < 1_000_000_000);
    std::thread::sleep(Duration::from_millis(1));

    // random
    let a = random::get_random_bytes(100);
    let b = insecure::get_insecure_random_bytes(100);
    log += &format!("random bytes: {} {} differ {}\n", a.len(), b.len(), a != b);
    log += &format!("u64s differ: {}\n", random::get_random_u64() != random::get_random_u64() || insecure::get_insecure_random_u64() != insecure::get_insecure_random_u64());
    log += &format!("insecure-seed stable: {}\n", insecure_seed::insecure_seed() == insecure_seed::insecure_seed());
    log += &format!("empty random list: {}\n", random::get_random_bytes(0).len());
    say(&out, &log);
    drop(out);
    exit::exit_with_code(42);
}
