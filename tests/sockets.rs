//! wasi:sockets. The WAMR build (linked with `WASIP2_ON_WASIP1_RUNTIME=wamr`) serves TCP, UDP and
//! name lookup over WAMR's socket extension; its runs on WAMR (address pool 127.0.0.1/32 and
//! ::1/128) match the same programs run natively on wasmtime with the same pool. The portable
//! build answers as a native host without network access.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn pool() -> Vec<String> {
    vec!["--addr-pool=127.0.0.1/32,::1/128".into(), "--allow-resolve=localhost".into()]
}

#[test]
fn c_sockets_on_wamr_match_native() {
    let g = cached("c-net-wamr", || c_guest_for("net", "wamr"));
    let t = differential_on(&g, &Case { args: vec!["all".into()], flags: pool(), ..Default::default() }, &Runtime::WAMRS);
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    for l in [
        "IPv4 connect: ok",
        "IPv6 connect: ok",
        "client->server: wrote 19 read 19 [hello over loopback]",
        "read after peer closed: 0",
        "non-blocking accept with nothing pending: -1 EWOULDBLOCK",
        "non-blocking connect, then poll for writable: connected",
        "poll(listener) after connect: 1 readable 1",
        "connect outside the address pool: -1 Permission denied",
        "connect to a closed port: -1 Connection refused",
        "udp connected: sent 10 received 10 [datagram-2]",
        "getaddrinfo(localhost): ok",
        "getaddrinfo(::1): ok (IPv6)",
    ] {
        assert!(t.stdout.contains(l), "missing {l:?} in\n{}", t.stdout);
    }
}

#[test]
fn rust_std_net_on_wamr_matches_native() {
    let g = cached("rust-std-net-wamr", || rust_guest_for("std-net", "wamr"));
    let t = differential_on(&g, &Case { flags: pool(), ..Default::default() }, &Runtime::WAMRS);
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    assert!(t.stdout.contains("[::1]:0: 100000 bytes there and back intact: true"), "{}", t.stdout);
    assert!(t.stdout.contains("connect refused: Err(ConnectionRefused)"), "{}", t.stdout);
}

#[test]
fn portable_build_gives_the_socket_guests_the_documented_errors() {
    // The same guests, linked with the portable build, run on both adapted runtimes (wasmtime
    // too: nothing beyond standard WASIp1 is imported) exactly as natively without network.
    let g = cached("c-net-portable", || c_guest_for("net", "portable"));
    let t = differential(&g, &Case { args: vec!["all".into()], ..Default::default() });
    assert_eq!((t.status, t.stderr.as_str()), (Some(1), "socket: Permission denied\n"));
    // The Rust guest panics on the first bind; the wasm backtraces after the panic message
    // differ by host, so compare the status and the message.
    let g = cached("rust-std-net-portable", || rust_guest_for("std-net", "portable"));
    let panic_line = |t: &Transcript| t.stderr.lines().find(|l| l.contains("on an `Err` value")).unwrap_or_default().to_string();
    let native = run(&g, Runtime::NativeP2, &Case::default());
    assert!(panic_line(&native).contains("PermissionDenied"), "{}", native.stderr);
    for rt in Runtime::ADAPTED {
        let t = run(&g, rt, &Case::default());
        assert_eq!((t.status, panic_line(&t), &t.stdout), (native.status, panic_line(&native), &native.stdout), "{rt:?}");
    }
}

#[test]
fn portable_build_answers_as_a_host_without_network() {
    let g = cached("c-net-denied", || c_guest("net_denied"));
    // No address pool: the native host grants no network either.
    let t = differential(&g, &Case::default());
    assert!(t.stdout.contains("socket(AF_INET, SOCK_STREAM): -1 Permission denied"), "{}", t.stdout);
    assert!(t.stdout.contains("getaddrinfo(localhost): "), "{}", t.stdout);
}

/// A server and concurrent clients as separate processes: echo over loopback.
fn echo(module_server: &std::path::Path, module_client: &std::path::Path, rt: Runtime, clients: usize) -> (String, Vec<String>) {
    let here = std::env::temp_dir();
    let mut server = runtime_command(rt, &here, None, &pool(), module_server, &["server".into(), clients.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("server said {line:?}")).to_string();
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            let (module, port, here) = (module_client.to_path_buf(), port.clone(), here.clone());
            std::thread::spawn(move || {
                let args = ["client".to_string(), port, (300_000 + i * 1000).to_string()];
                let o = runtime_command(rt, &here, None, &pool(), &module, &args).output().unwrap();
                assert!(o.status.success(), "client {i}: {}", String::from_utf8_lossy(&o.stderr));
                String::from_utf8(o.stdout).unwrap()
            })
        })
        .collect();
    let mut client_out: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    client_out.sort();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert!(server.wait().unwrap().success());
    (rest, client_out)
}

#[test]
fn tcp_echo_server_and_concurrent_clients_as_processes() {
    let g = cached("c-net-wamr", || c_guest_for("net", "wamr"));
    let native = echo(&g.native, &g.native, Runtime::NativeP2, 6);
    let total: usize = (0..6).map(|i| 300_000 + i * 1000).sum();
    for rt in Runtime::WAMRS {
        let wamr = echo(&g.adapted, &g.adapted, rt, 6);
        assert_eq!(native, wamr, "{rt:?}");
        assert_eq!(wamr.0.trim(), format!("server echoed {total} bytes over 6 connections"));
        assert!(wamr.1.iter().all(|c| c.starts_with("client: ") && c.contains("bytes echoed")), "{rt:?}: {:?}", wamr.1);
    }
}

#[test]
fn check_distinguishes_the_builds() {
    let g = cached("c-net-wamr", || c_guest_for("net", "wamr"));
    let out = Command::new(tool("wasip2-on-wasip1")).arg("check").arg(&g.adapted).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a WAMR-build module does not run on any WASIp1 runtime: {text}");
    assert!(text.contains("wasip1-wamr") && text.contains("sock_open") && text.contains("--runtime wamr"), "{text}");
    let out = Command::new(tool("wasip2-on-wasip1")).arg("check").arg("--runtime=wamr").arg(&g.adapted).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

/// An event-loop program from crates.io: mio 1.x on one thread, an echo server and a client
/// exchanging 4 MiB over loopback (see adapter-tests/rust/mio-echo for why accept uses std).
#[test]
fn mio_event_loop_echo_on_wamr_matches_native() {
    let g = cached("rust-mio-echo-wamr", || rust_guest_for("mio-echo", "wamr"));
    let t = differential_on(&g, &Case { flags: pool(), ..Default::default() }, &Runtime::WAMRS);
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    assert!(t.stdout.contains("mio echo: 4194304 bytes sent and received back, intact: true"), "{}", t.stdout);
}

/// The WIT state machine and its errors (not-in-progress, invalid-state, concurrency-conflict,
/// would-block, invalid-argument, access-denied from the pool at finish-connect, UDP and name
/// lookup errors), through the `wasip2` crate.
#[test]
fn socket_state_machine_and_errors_match_native() {
    let g = cached("rust-p2-sockets-wamr", || rust_guest_for("p2-sockets", "wamr"));
    let t = differential_on(&g, &Case { flags: pool(), ..Default::default() }, &Runtime::WAMRS);
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    for l in [
        "finish-bind before start: Some(ErrorCode { code: 7, name: \"not-in-progress\"",
        "start-bind again while in progress: Some(ErrorCode { code: 6, name: \"concurrency-conflict\"",
        "accept with nothing pending: Some(ErrorCode { code: 8, name: \"would-block\"",
        "connect outside the pool: finish Some(ErrorCode { code: 1, name: \"access-denied\"",
        "udp received 1 datagram(s): Some(\"self\")",
        "resolve literal: Some(true) then true",
    ] {
        assert!(t.stdout.contains(l), "missing {l:?} in\n{}", t.stdout);
    }
}
