//! wasi-libc's `poll` served in one step (`src/io/libc_poll.rs`): an unmodified C program's
//! `poll` calls — stdio, files (read, write, append, at their end), a directory, negative,
//! invalid and closed fds, POLLPRI, unsupported events, timeouts of 0, a few ms and none, more
//! fds than the adapter serves itself — return the same results, errno and revents natively
//! and adapted on every runtime; the linker says it wraps `poll` for the known libc and not
//! for another.

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

/// Links `adapter-tests/c/libc_poll.c` with `--verbose` against `sysroot` (a directory in
/// `.tools`); returns the linker's own lines.
fn link_verbose(sysroot: &str, out: &std::path::Path) -> String {
    let dir = root().join(".tools").join(sysroot);
    let mut c = clean_command(root().join("scripts/wasip2-clang"));
    c.args(["-O2", "-Wall", "-Werror", "-Wl,--verbose"])
        .arg(format!("--sysroot={}", dir.display()))
        .arg(format!("-fuse-ld={}", tool("wasip2-on-wasip1-ld").display()))
        .arg(root().join("adapter-tests/c/libc_poll.c"))
        .arg("-o")
        .arg(out);
    let o = c.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    err.lines().filter(|l| l.starts_with("wasip2-on-wasip1-ld:")).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_linker_wraps_poll_for_the_known_libc_only() {
    let said = link_verbose("wasi-sysroot", &guests_dir().join("c-libc_poll.verbose.wasm"));
    assert!(said.contains("--wrap=poll"), "{said}");
    assert!(
        said.contains(
            "`poll` (fingerprint 0x0c51d950d41b3ce9) is wasi-libc 161b319 (Debian 0.0~git20260423)'s: served in one step for stdio and file streams"
        ),
        "{said}"
    );
    assert!(!said.contains("which `poll` relies on"), "{said}");

    // The 2024 wasi-libc (Debian trixie): its `poll` is not a known build, so it is not
    // wrapped; the program still behaves as natively on stdio (that libc polls files through
    // WASIp1, whose file readiness is not this test's business).
    let said = link_verbose("wasi-sysroot-trixie", &guests_dir().join("c-trixie-libc_poll.verbose.wasm"));
    assert!(!said.contains("--wrap=poll"), "{said}");
    assert!(said.contains("`poll` (fingerprint "), "{said}");
    assert!(said.lines().any(|l| l.contains("`poll` (fingerprint ") && l.contains("is not one of the known wasi-libc builds")), "{said}");
    let g = cached("c-trixie-libc_poll", || c_guest_with("libc_poll", "trixie", "portable"));
    let t = differential(&g, &Case { args: vec!["stdio".into()], ..Default::default() });
    assert_eq!(t.status, Some(0), "{t:?}");
    assert!(t.stdout.contains("stdout POLLOUT: 1 revents 0x2"), "{}", t.stdout);
}
