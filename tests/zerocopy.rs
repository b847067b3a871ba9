//! Transparent zero-copy reads: an unmodified C program reading stdin and a file through
//! `read`, `readv`, `pread`, `preadv` and stdio, linked the ordinary way, behaves identically
//! natively and adapted on every runtime, and the adapter placed every byte it read straight
//! into the program's buffers (none went through an allocated list); the linker says what it
//! wrapped (`--verbose`), and falls back to copying for a libc it does not know.

mod common;
use common::*;

fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |s, b| s.wrapping_mul(31).wrapping_add(*b as u32))
}

fn binary(n: usize) -> Vec<u8> {
    (0..n as u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect()
}

/// What `adapter-tests/c/zerocopy_libc.c` reads besides stdin: the 70000-byte file four
/// times (read, readv, fread, unbuffered fread), 100 bytes with pread, 10 with preadv.
const FILE_BYTES: usize = 4 * 70000 + 100 + 10;

#[test]
fn unmodified_c_reads_land_in_the_callers_buffers() {
    let g = cached("c-zerocopy_libc", || c_guest("zerocopy_libc"));
    let stdin = binary(200_000);
    let t = differential(&g, &Case { stdin: stdin.clone(), ..Default::default() });
    assert_eq!(t.status, Some(0), "{t:?}");
    assert!(
        t.stdout.contains(&format!("stdin read: {} bytes, checksum {:08x}, last read 0", stdin.len(), checksum(&stdin))),
        "{}",
        t.stdout
    );
    assert!(t.stdout.contains("write to a read-only fd: -1 (I/O error)"), "{}", t.stdout);
    assert!(t.stdout.contains("read from a write-only fd: -1 (I/O error)"), "{}", t.stdout);
    for line in ["file read: 70000 bytes, checksum ok", "file readv: 70000 bytes, checksum ok", "pread: 100 bytes, ok; at the end: 0", "preadv at 69990: 10 bytes", "fread: 70000 bytes, checksum ok", "unbuffered fread: 70000 bytes, checksum ok"] {
        assert!(t.stdout.contains(line), "{line}: {}", t.stdout);
    }
    // The adapter's counters: every byte in a caller buffer, no list allocated.
    let case = Case { args: vec!["report".into()], stdin: stdin.clone(), ..Default::default() };
    let native = run(&g, Runtime::NativeP2, &case);
    assert!(native.stdout.ends_with("no adapter\n"), "{}", native.stdout);
    let want = format!("adapter: placed {} bytes in caller buffers, allocated 0 bytes of lists\n", stdin.len() + FILE_BYTES);
    for rt in Runtime::ADAPTED {
        let t = run(&g, rt, &case);
        assert_eq!(t.status, Some(0), "{rt:?}: {t:?}");
        assert!(t.stdout.ends_with(&want), "{rt:?}: want {want:?}, got {}", t.stdout);
    }
}

#[test]
fn the_linker_says_what_it_wraps_and_falls_back_for_an_unknown_libc() {
    let out = guests_dir().join("c-zerocopy_libc.verbose.wasm");
    let said = link_verbose("zerocopy_libc", "wasi-sysroot", &out);
    assert!(said.contains("zero-copy reads on (wasm-ld --wrap=__wasilibc_read --wrap=pread --wrap=wasip2_list_u8_free --wrap=__wasilibc_write)"), "{said}");
    assert!(said.contains("`__wasilibc_read` (fingerprint 0x2a38deb3b077c947) is wasi-libc 161b319"), "{said}");

    // The 2024 wasi-libc (Debian trixie): its functions are not known builds (its file reads
    // are WASIp1 `fd_read`s, already into the caller's buffer). Nothing is wrapped; the
    // program still behaves as natively.
    let old = guests_dir().join("c-trixie-zerocopy_libc.verbose.wasm");
    let said = link_verbose("zerocopy_libc", "wasi-sysroot-trixie", &old);
    assert!(said.contains("reads copy through the list (wasi-libc's read functions not recognised or not used)"), "{said}");
    assert!(said.contains("is not one of the known wasi-libc builds"), "{said}");
    let g = cached("c-trixie-zerocopy_libc", || c_guest_with("zerocopy_libc", "trixie", "portable"));
    let stdin = binary(100_000);
    let t = differential(&g, &Case { stdin: stdin.clone(), ..Default::default() });
    assert!(t.stdout.contains(&format!("stdin read: {} bytes, checksum {:08x}", stdin.len(), checksum(&stdin))), "{}", t.stdout);
    assert!(t.stdout.contains("unbuffered fread: 70000 bytes, checksum ok"), "{}", t.stdout);
}
