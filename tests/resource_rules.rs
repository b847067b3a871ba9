//! Resource rules a native WASIp2 host (wasmtime) enforces, checked on the adapter: a
//! resource with live children cannot be dropped ("resource has children"). Pollables are the
//! children of what they were subscribed from (tests/io_clocks_cli_random.rs); here, the
//! streams of TCP and UDP sockets, on the WAMR build (natively with the same loopback address
//! pool as tests/sockets.rs).

mod common;
use common::*;

#[test]
fn dropping_a_socket_before_its_streams_traps() {
    let g = rust_guest_for("p2-direct", "wamr");
    let flags = vec!["--addr-pool=127.0.0.1/8,::1/128".to_string()];
    let children = "(resource has children: its pollables or streams are alive)";
    for (mode, message, native_message) in [
        ("drop-tcp-socket-before-streams", children, "resource has children"),
        ("drop-accepted-socket-before-streams", children, "resource has children"),
        ("drop-udp-socket-before-streams", children, "resource has children"),
        ("udp-stream-twice", "udp-socket.stream: the previous datagram streams are still alive", "UDP streams not dropped yet"),
        // (Not a resource rule: lifting a list inside a list element, which needs a socket.)
        ("udp-send-data-out-of-bounds", "list pointer/length out of bounds of memory", "list pointer/length out of bounds of memory"),
    ] {
        let case = Case { args: vec![mode.into()], flags: flags.clone(), ..Default::default() };
        let native = run(&g, Runtime::NativeP2, &case);
        assert_eq!(native.status, Some(134), "{mode} natively: {native:?}");
        assert!(native.stderr.contains(native_message), "{mode} natively: {}", native.stderr);
        for rt in Runtime::WAMRS {
            let t = run(&g, rt, &case);
            assert_eq!(t.status, Some(134), "{mode} on {rt:?} did not trap: {t:?}");
            assert!(t.stderr.contains("wasip2-on-wasip1: ") && t.stderr.contains(message), "{mode} on {rt:?}: {}", t.stderr);
            assert!(!t.stdout.contains("did not trap"), "{mode} on {rt:?}");
        }
    }
}

/// A call into the adapter from inside the program's `cabi_realloc` (while the adapter is
/// allocating a result) traps, as a native host traps ("cannot leave component instance"):
/// the adapter's state belongs to the call in progress.
#[test]
fn calling_an_import_from_cabi_realloc_traps() {
    let g = c_guest("reentry");
    let case = Case::default();
    let native = run(&g, Runtime::NativeP2, &case);
    assert_eq!(native.status, Some(134), "natively: {native:?}");
    assert!(native.stderr.contains("cannot leave component instance"), "natively: {}", native.stderr);
    for rt in Runtime::ADAPTED {
        let t = run(&g, rt, &case);
        assert_eq!(t.status, Some(134), "{rt:?} did not trap: {t:?}");
        assert!(t.stderr.contains("wasip2-on-wasip1: called from inside cabi_realloc"), "{rt:?}: {}", t.stderr);
        assert!(!t.stdout.contains("did not trap"), "{rt:?}");
    }
}
