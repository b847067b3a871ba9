//! wasi-libc's `poll` served in one step (`src/io/libc_poll.rs`): an unmodified C program's
//! `poll` calls — stdio, files (read, write, append, at their end), a directory, negative,
//! invalid and closed fds, POLLPRI, unsupported events, timeouts of 0, a few ms and none, more
//! fds than the adapter serves itself — return the same results, errno and revents natively
//! and adapted on every runtime; the linker says it wraps `poll` for the known libc and not
//! for another; built with the 2024 wasi-libc (Debian trixie), whose `poll` is WASIp1's
//! `poll_oneoff` (files answered by the adapter as natively), the same program differs from
//! the native run only where docs/design.md says, per runtime.

mod common;
use common::*;

/// Lines `adapter-tests/c/libc_poll.c` must print (natively, so adapted too), one per kind of
/// outcome: what the adapter serves, and what the original does.
const EXPECTED: &[&str] = &[
    "stdout POLLOUT: 1 revents 0x2",
    "stdout+stderr: 2 revents 0x2 0x2",
    "stdout twice: 2 revents 0x2 0x2",
    "stdin POLLOUT: -1 (Not supported) revents 0",
    "stdout, stdin POLLOUT, stderr: -1 (Not supported) revents 0 0 0",
    "negative fds around stdout: 1 revents 0 0x2 0",
    "only negative fds: 0 revents 0 0",
    "  waited at least 30 ms: yes",
    "  waited at least 20 ms: yes",
    "fd 99: -1 (Bad file descriptor) revents 0",
    "fd 99 without events: -1 (Bad file descriptor) revents 0",
    "stdout, fd 77: -1 (Bad file descriptor) revents 0 0",
    "stdout POLLPRI only: -1 (Function not implemented) revents 0x5a5a",
    "stdout POLLPRI, stderr POLLOUT: 1 revents 0 0x2",
    "stdout POLLOUT|POLLHUP: -1 (Not supported) revents 0",
    "stdout, 10 ms: 1 revents 0x2",
    "stdout, no timeout: 1 revents 0x2",
    "20 fds: 20 revents",
    "file POLLIN: 1 revents 0x1",
    "read-write file POLLIN|POLLOUT|POLLPRI: 1 revents 0x3",
    "write-only file POLLIN, 1 s: 1 revents 0x1",
    "file, stdout, negative, file: 3 revents 0x1 0x2 0 0x2",
    "file POLLIN, no timeout: 1 revents 0x1",
    "  returned within 1 s: yes",
    "three files, no timeout: 3 revents 0x1 0x3 0x2",
    "read after the end was polled and the file grew: 0",
    "read of a file not polled at its end after it grew: 1",
    "directory POLLIN: -1 (Is a directory) revents 0",
    "stdout, directory, stderr: -1 (Is a directory) revents 0 0 0",
    "closed file: -1 (Bad file descriptor) revents 0",
    "stdin at its end POLLIN: 1 revents 0x1",
    "stdin, stdout, stderr: 3 revents 0x1 0x2 0x2",
];

#[test]
fn unmodified_c_poll_results_are_native_on_every_runtime() {
    let g = cached("c-libc_poll", || c_guest("libc_poll"));
    for stdin in [&b"some input\n"[..], b""] {
        let t = differential(&g, &Case { stdin: stdin.to_vec(), ..Default::default() });
        assert_eq!(t.status, Some(0), "{t:?}");
        for line in EXPECTED {
            assert!(t.stdout.contains(line), "{line:?} missing:\n{}", t.stdout);
        }
        assert!(t.stdout.contains(&format!("stdin: {} bytes, last read 0", stdin.len())), "{}", t.stdout);
    }
}

#[test]
fn the_linker_wraps_poll_for_the_known_libc_only() {
    let said = link_verbose("libc_poll", "wasi-sysroot", &guests_dir().join("c-libc_poll.verbose.wasm"));
    assert!(said.contains("--wrap=poll"), "{said}");
    assert!(
        said.contains(
            "`poll` (fingerprint 0x0c51d950d41b3ce9) is wasi-libc 161b319 (Debian 0.0~git20260423)'s: served in one step for stdio and file streams"
        ),
        "{said}"
    );
    assert!(!said.contains("which `poll` relies on"), "{said}");

    // The 2024 wasi-libc (Debian trixie): its `poll` is not a known build, so it is not
    // wrapped (what it does instead: the next test).
    let said = link_verbose("libc_poll", "wasi-sysroot-trixie", &guests_dir().join("c-trixie-libc_poll.verbose.wasm"));
    assert!(!said.contains("--wrap=poll"), "{said}");
    assert!(said.lines().any(|l| l.contains("`poll` (fingerprint ") && l.contains("is not one of the known wasi-libc builds")), "{said}");
}

/// Where an adapted run of `libc_poll.c` built with the trixie wasi-libc prints another line
/// than the native run, per runtime: the runtimes, the native line, the line they print
/// instead, and whether they always do (`true`) or may print either (`false`). That libc's
/// `poll` of anything but sockets is its own `poll_wasip1`: one WASIp1 `poll_oneoff`, which
/// the adapter answers as the component adapter does for regular files (always ready, the
/// bytes left, HANGUP at the end) and hands to the runtime for the rest (`src/preview1.rs`),
/// so every poll line is native; its file reads are WASIp1 `fd_read`s; docs/design.md
/// ("Differences from a native host: filesystem", *Files in the libcs that mix*) says why
/// each remaining one differs.
const TRIXIE_DIFFERENCES: &[(&[Runtime], &str, &str, bool)] = {
    &[
        // Natively the component adapter reads a file through one WASI 0.2 stream, which ended
        // when the wait read ahead at the end; WASIp1's `fd_read` reads what was appended.
        (&Runtime::ADAPTED, "read after the end was polled and the file grew: 0", "read after the end was polled and the file grew: 6", true),
    ]
};

#[test]
fn the_trixie_libc_polls_through_the_runtime_as_documented() {
    let g = cached("c-trixie-libc_poll", || c_guest_with("libc_poll", "trixie", "portable"));
    let case = Case { stdin: b"some input\n".to_vec(), ..Default::default() };
    let native = run(&g, Runtime::NativeP2, &case);
    assert_eq!(native.status, Some(0), "{native:?}");
    let lines: Vec<&str> = native.stdout.lines().collect();
    // The file lines the runtimes' own `poll_oneoff` got wrong (wasmtime's raced in a call
    // with something ready at once, WAMR's had no HANGUP at the end): now native everywhere.
    let files = [
        "file POLLIN, 1 s: 1 revents 0x1",
        "file POLLIN: 1 revents 0x1",
        "file POLLOUT: 1 revents 0x2",
        "read-write file POLLIN|POLLOUT|POLLPRI: 1 revents 0x3",
        "read-write file POLLIN|POLLOUT|POLLPRI, 1 s: 1 revents 0x3",
        "file, stdout, negative, file: 3 revents 0x1 0x2 0 0x2",
        "file, stdout, negative, file, 10 ms: 3 revents 0x1 0x2 0 0x2",
        "file, stdout, negative, file, no timeout: 3 revents 0x1 0x2 0 0x2",
        "file POLLIN, no timeout: 1 revents 0x1",
        "file POLLIN, 3 s: 1 revents 0x1",
        "  returned within 1 s: yes",
        "three files, no timeout: 3 revents 0x1 0x3 0x2",
        "file at its end POLLIN, 1 s: 1 revents 0x2001",
    ];
    for line in ["stdout POLLOUT: 1 revents 0x2", "stdin: 11 bytes, last read 0"]
        .into_iter()
        .chain(files)
        .chain(TRIXIE_DIFFERENCES.iter().map(|d| d.1))
    {
        assert!(lines.contains(&line), "{line:?} missing natively:\n{}", native.stdout);
    }
    for rt in Runtime::ADAPTED {
        let t = run(&g, rt, &case);
        assert_eq!((&t.stderr, t.status, &t.files), (&native.stderr, native.status, &native.files), "{rt:?}: {t:?}");
        let got: Vec<&str> = t.stdout.lines().collect();
        assert_eq!(got.len(), lines.len(), "{rt:?}:\n{}", first_difference(&native, &t));
        for (want, got) in lines.iter().zip(&got) {
            match TRIXIE_DIFFERENCES.iter().find(|d| d.0.contains(&rt) && d.1 == *want) {
                Some(&(_, _, instead, true)) => assert_eq!(*got, instead, "{rt:?}: the documented difference"),
                Some(&(_, _, instead, false)) => assert!(got == want || *got == instead, "{rt:?}: {got:?}, want {want:?} or {instead:?}"),
                None => assert_eq!(got, want, "{rt:?}"),
            }
        }
    }
}
