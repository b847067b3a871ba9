//! wasi:sockets. The WAMR build (linked with `WASIP2_ON_WASIP1_RUNTIME=wamr`) serves TCP, UDP and
//! name lookup over WAMR's socket extension; its runs on WAMR (a loopback-only address pool,
//! 127.0.0.1/32 and ::1/128, as a device is configured: no 0.0.0.0 or ::; 127.0.0.2 is outside
//! it and still on loopback, for the refused cases) match the same programs run natively on
//! wasmtime with the same pool. The portable build answers as a
//! native host without network access.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn pool() -> Vec<String> {
    vec!["--addr-pool=127.0.0.1/32,::1/128".into(), "--allow-resolve=localhost".into()]
}

/// Longest any one program of the tests below may run: a hang fails the test instead of
/// stopping it.
const RUN_LIMIT_SECS: u32 = 120;

/// `runtime_command` under `timeout`, killed after [`RUN_LIMIT_SECS`].
fn bounded(rt: Runtime, module: &std::path::Path, args: &[String]) -> Command {
    let here = std::env::temp_dir();
    let inner = runtime_command(rt, &here, None, &pool(), module, args);
    let mut c = Command::new("timeout");
    c.arg("-s").arg("KILL").arg(RUN_LIMIT_SECS.to_string()).arg(inner.get_program()).args(inner.get_args()).current_dir(&here);
    c
}

/// A run's output; status 137 is a run killed by [`bounded`]'s time limit.
fn bounded_run(g: &Guest, rt: Runtime, args: &[&str]) -> (String, String, Option<i32>) {
    let module = if rt == Runtime::NativeP2 { &g.native } else { &g.adapted };
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let o = bounded(rt, module, &args).stdin(Stdio::null()).output().unwrap();
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned(), o.status.code())
}

/// Runs `g` natively and on every WAMR, each bounded in time; asserts the same output and
/// status everywhere; returns the native stdout.
fn bounded_differential(g: &Guest, args: &[&str]) -> String {
    let native = bounded_run(g, Runtime::NativeP2, args);
    assert_eq!(native.2, Some(0), "native run of {} {args:?}: {native:?}", g.name);
    for rt in Runtime::WAMRS {
        let t = bounded_run(g, rt, args);
        assert_eq!(t, native, "{} {args:?} on {rt:?} differs from the native run", g.name);
    }
    native.0
}

/// A server and a client of `g` as two processes on `rt` (each bounded in time): the server
/// is started with `server_args` and prints `listening on PORT` first; the client gets
/// `client_args` with `PORT` replaced. Returns (server output, client output).
fn bounded_pair(g: &Guest, rt: Runtime, server_args: &[&str], client_args: &[&str]) -> (String, String) {
    let module = if rt == Runtime::NativeP2 { &g.native } else { &g.adapted };
    let sargs: Vec<String> = server_args.iter().map(|a| a.to_string()).collect();
    let mut server = bounded(rt, module, &sargs).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut out = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{rt:?}: server said {line:?}")).to_string();
    let cargs: Vec<String> = client_args.iter().map(|a| if *a == "PORT" { port.clone() } else { a.to_string() }).collect();
    let c = bounded(rt, module, &cargs).stdin(Stdio::null()).output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let status = server.wait().unwrap();
    assert!(c.status.success(), "{rt:?}: client {:?}: {}{}", c.status, String::from_utf8_lossy(&c.stdout), String::from_utf8_lossy(&c.stderr));
    assert!(status.success(), "{rt:?}: server {status:?}: {rest}");
    (rest, String::from_utf8(c.stdout).unwrap())
}

#[test]
fn c_sockets_on_wamr_match_native() {
    let g = cached("c-net-wamr", || c_guest_for("net", "wamr"));
    let out = bounded_differential(&g, &["all"]);
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
        assert!(out.contains(l), "missing {l:?} in\n{}", out);
    }
}

#[test]
fn rust_std_net_on_wamr_matches_native() {
    let g = cached("rust-std-net-wamr", || rust_guest_for("std-net", "wamr"));
    let out = bounded_differential(&g, &[]);
    assert!(out.contains("[::1]:0: 100000 bytes there and back intact: true"), "{}", out);
    assert!(out.contains("connect refused: Err(ConnectionRefused)"), "{}", out);
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

/// A server and concurrent clients as separate processes (each bounded in time): echo over
/// loopback.
fn echo(module_server: &std::path::Path, module_client: &std::path::Path, rt: Runtime, clients: usize) -> (String, Vec<String>) {
    let mut server = bounded(rt, module_server, &["server".into(), clients.to_string()])
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
            let (module, port) = (module_client.to_path_buf(), port.clone());
            std::thread::spawn(move || {
                let args = ["client".to_string(), port, (300_000 + i * 1000).to_string()];
                let o = bounded(rt, &module, &args).output().unwrap();
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
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // It runs on WAMR, not on any WASIp1 runtime: the summary says so.
    assert!(text.contains("runs on WAMR 1.1.2 (default build) only (it imports WAMR's socket extension)"), "{text}");
    assert!(!text.contains("runs on a plain WASIp1 runtime"), "{text}");
}

/// Links `adapter-tests/c/<name>.c` for `build` with `env`; (success, stderr).
fn link_c(name: &str, build: &str, env: &[(&str, &str)]) -> (bool, String) {
    let out = guests_dir().join(format!("c-{name}.warn-{build}.wasm"));
    let mut c = clean_command(root().join("scripts/wasip2-clang"));
    c.args(["-O2"])
        .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
        .arg(root().join("adapter-tests/c").join(format!("{name}.c")))
        .arg("-o")
        .arg(&out)
        .env("WASIP2_ON_WASIP1_RUNTIME", build);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn partial_functions_a_program_uses_are_named_at_link_time() {
    // The socket program on the WAMR build uses functions WAMR serves with a limitation:
    // each is named with its limitation, as the coverage table states it.
    let (ok, err) = link_c("net", "wamr", &[]);
    assert!(ok, "{err}");
    assert!(err.contains("warning: ") && err.contains("uses adapter functions with a limitation on this build"), "{err}");
    let coverage = std::fs::read_to_string(root().join("src/coverage-wamr.txt")).unwrap();
    let named: Vec<&str> = err.lines().filter(|l| l.trim_start().starts_with("`wasi:")).collect();
    assert!(!named.is_empty(), "{err}");
    for line in &named {
        // "`wasi:sockets/tcp` `[method]tcp-socket.shutdown` (partial): NOTE"
        let (head, note) = line.trim().split_once("): ").unwrap();
        let mut parts = head.split('`').filter(|p| !p.trim().is_empty() && !p.contains('('));
        let (iface, func) = (parts.next().unwrap(), parts.next().unwrap());
        assert!(coverage.lines().any(|l| l == format!("{iface} {func} partial {note}")), "not a partial line of the coverage: {line}");
    }
    // As an error, for CI: the link fails and names the same functions.
    let (ok, err2) = link_c("net", "wamr", &[("WASIP2_ON_WASIP1_PARTIAL", "error")]);
    assert!(!ok && err2.contains("(partial functions are errors)"), "{err2}");
    for line in &named {
        assert!(err2.contains(line.trim()), "{line} missing in {err2}");
    }
    // The portable build: sockets answer as a host without network, and the link says so.
    let (ok, err) = link_c("net", "portable", &[]);
    assert!(ok && err.contains("`create-tcp-socket` (partial): portable build: networking disabled"), "{err}");
    // A program that uses no partial function links silently.
    let (ok, err) = link_c("hello", "portable", &[]);
    assert!(ok && err.is_empty(), "{err}");
}

/// An event-loop program from crates.io: mio 1.x on one thread, an echo server and a client
/// exchanging 4 MiB over loopback (see adapter-tests/rust/mio-echo for why accept uses std).
#[test]
fn mio_event_loop_echo_on_wamr_matches_native() {
    let g = cached("rust-mio-echo-wamr", || rust_guest_for("mio-echo", "wamr"));
    let out = bounded_differential(&g, &[]);
    assert!(out.contains("mio echo: 4194304 bytes sent and received back, intact: true"), "{}", out);
}

/// The WIT state machine and its errors (not-in-progress, invalid-state, concurrency-conflict,
/// would-block, invalid-argument, access-denied from the pool at finish-connect, UDP and name
/// lookup errors), through the `wasip2` crate.
#[test]
fn socket_state_machine_and_errors_match_native() {
    let g = cached("rust-p2-sockets-wamr", || rust_guest_for("p2-sockets", "wamr"));
    let out = bounded_differential(&g, &[]);
    for l in [
        "finish-bind before start: Some(ErrorCode { code: 7, name: \"not-in-progress\"",
        "start-bind again while in progress: Some(ErrorCode { code: 6, name: \"concurrency-conflict\"",
        "accept with nothing pending: Some(ErrorCode { code: 8, name: \"would-block\"",
        "connect outside the pool: finish Some(ErrorCode { code: 1, name: \"access-denied\"",
        "udp received 1 datagram(s): Some(\"self\")",
        "resolve literal: Some(true) then true",
        // Issue 12: WIT semantics.
        "tcp start-bind 255.255.255.255: Some(ErrorCode { code: 3, name: \"invalid-argument\"",
        "tcp start-connect 239.1.2.3: Some(ErrorCode { code: 3, name: \"invalid-argument\"",
        "tcp start-bind ff02::1: Some(ErrorCode { code: 3, name: \"invalid-argument\"",
        "resolve \"[::1]\": Ok([IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 1))])",
        "resolve \"[::]\": Ok([IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 0))])",
        "read after shutdown(receive): Err(\"closed\")",
        "the peer still receives: \"still sending\"",
        "check-write after shutdown(send): Err(\"closed\")",
        "the peer reads \"last words\", then closed",
        "shutdown(both) after the peer reset: Ok(())",
        "udp stream(some(peer)) receives: [\"from the peer\"]",
        "a connect to a listener with a full backlog: start-connect returned at once true, still in progress after 300 ms",
        "finish-connect meanwhile: Some(ErrorCode { code: 8, name: \"would-block\"",
        "after accepts made room, the connect completed: true",
    ] {
        assert!(out.contains(l), "missing {l:?} in\n{}", out);
    }
}

/// Issue 12: a non-blocking TCP writer sees `WouldBlock` when the peer does not read (natively
/// after a few MiB), a write then returns at once, and every byte the writes accepted arrives.
#[test]
fn nonblocking_tcp_writer_sees_wouldblock_as_natively() {
    let g = cached("rust-net-backpressure-wamr", || rust_guest_for("net-backpressure", "wamr"));
    let out = bounded_differential(&g, &["wouldblock"]);
    for l in [
        "non-blocking writes to a peer that does not read: WouldBlock",
        "accepted more than 1 MiB before that: true",
        "write again at once: Err(WouldBlock) (returned within 1 s: true)",
        "server received every accepted byte, in order: true",
        "after the peer read, a write is accepted again: true",
    ] {
        assert!(out.contains(l), "missing {l:?} in\n{out}");
    }
}

/// Issue 12: 8 MiB each way at once over one connection, on one thread, every call
/// non-blocking (backpressure both ways).
#[test]
fn nonblocking_tcp_both_ways_on_one_thread() {
    let g = cached("rust-net-backpressure-wamr", || rust_guest_for("net-backpressure", "wamr"));
    let out = bounded_differential(&g, &["both-ways"]);
    assert!(out.contains("both ways at once: 8388608 bytes each way, intact: true, backpressure seen: true"), "{out}");
}

/// Issue 12: two processes exchanging 8 MiB each way with non-blocking sockets and poll(), and
/// a blocking sender whose last bytes must reach the server while it waits for the reply.
#[test]
fn tcp_backpressure_between_processes() {
    let g = cached("c-net-pump-wamr", || c_guest_for("net_pump", "wamr"));
    for mode in ["nonblocking", "blocking"] {
        let native = bounded_pair(&g, Runtime::NativeP2, &["server", mode], &["client", "PORT", mode]);
        for rt in Runtime::WAMRS {
            assert_eq!(bounded_pair(&g, rt, &["server", mode], &["client", "PORT", mode]), native, "{mode} on {rt:?}");
        }
        match mode {
            "nonblocking" => {
                assert_eq!(native.0, "server: sent 8388608 received 8388608 intact 1\n");
                assert_eq!(native.1, "client: sent 8388608 received 8388608 intact 1\n");
            }
            _ => assert_eq!(native, ("server: received 8388608, replied\n".into(), "client: sent 8388608, reply as expected: 1\n".into())),
        }
    }
}

/// Issue 12: sockets that never bind, or bind to the unspecified address with port 0, work
/// under a loopback-only pool as natively (the host binds implicitly); a bind to a specific
/// address outside the pool is still refused; broadcast and multicast binds and connects are
/// invalid.
#[test]
fn implicit_binds_under_a_loopback_only_pool() {
    let g = cached("c-net-implicit-wamr", || c_guest_for("net_implicit", "wamr"));
    let out = bounded_differential(&g, &[]);
    for l in [
        "udp sendto without bind: 4\n",
        "server received 4 [ping], client port seen: 1\n",
        "client local address after sendto: 0.0.0.0, port set: 1\n",
        "client received the reply: 4 [pong]\n",
        "udp connect without bind: 0\n",
        "server received 5, from the connected client's port: 1\n",
        "connected client local address: 127.0.0.1\n",
        "udp bind 0.0.0.0:0: 0\n",
        "server received 1 from its port: 1\n",
        "udp bind 10.1.2.3:0 (outside the pool): -1 Permission denied\n",
        "tcp bind 0.0.0.0:0: 0\ntcp listen: 0 \nlistener local address: 0.0.0.0, port set: 1\n",
        "tcp connect without bind: 0\nclient local address: 127.0.0.1, port set: 1\naccepted: 1\n",
        "tcp client bind 0.0.0.0:0: 0\ntcp connect after it: 0\nclient local address: 127.0.0.1\naccepted: 1\n",
        "tcp bind 255.255.255.255: -1 Invalid argument\n",
        "tcp connect 224.0.0.1: -1 Invalid argument\n",
    ] {
        assert!(out.contains(l), "missing {l:?} in\n{out}");
    }
    let g = cached("rust-net-backpressure-wamr", || rust_guest_for("net-backpressure", "wamr"));
    let out = bounded_differential(&g, &["udp-unbound"]);
    for l in [
        "udp send_to from a socket bound to 0.0.0.0:0: Ok(5)",
        "client got \"answer\" from the server: true",
        "client local address after sending: unspecified true port set true",
        "its port is where the server saw it: true",
    ] {
        assert!(out.contains(l), "missing {l:?} in\n{out}");
    }
}

/// Issue 12: a tokio (1.54) echo server and three concurrent clients on one current-thread
/// runtime, each moving 4 MiB each way at once (the hang: writes blocked the event
/// loop).
#[test]
fn tokio_echo_with_concurrent_clients_on_wamr_matches_native() {
    let g = cached("rust-tokio-echo-wamr", || rust_guest_for("tokio-echo", "wamr"));
    let out = bounded_differential(&g, &[]);
    assert_eq!(out, "tokio echo: 3 clients, 4194304 bytes each, all intact: true, server echoed 12582912\n");
}
