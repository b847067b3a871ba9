//! wasi:filesystem: wasi-libc's file API, Rust std::fs, and the functions neither calls (via
//! the `wasip2` crate), each identical natively and through the adapter on WAMR and
//! wasmtime-p1, including the directory tree left in the fresh preopened directory.

mod common;
use common::*;

fn expect(t: &Transcript, lines: &[&str]) {
    for l in lines {
        assert!(t.stdout.contains(l), "missing {l:?} in\n{}", t.stdout);
    }
}

#[test]
fn c_file_api() {
    let g = cached("c-fs", || c_guest("fs"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    expect(&t, &[
        "fread after fseek(3): 4 [3456], ftell 7",
        "pread bytes: 00 00 XYZ",
        "/sandbox/log.txt: 14 bytes [one\ntwo\nthree\n]",
        "O_CREAT|O_EXCL on existing                   -> -1 File exists",
        "hard link: same ino 1, nlink 2",
        "readlink: 10 [../log.txt]",
        "open .. escape                               -> -1 Operation not permitted",
        "symlink escaping the sandbox, then open it   -> -1 Operation not permitted",
        "rmdir non-empty                              -> -1 Directory not empty",
        "times: atime 1000000000.123456789 mtime 1500000000.987654321",
        "times: atime 1000000000.123456789 mtime 1600000000.000000005",
        "realpath: /sandbox/log.txt",
        "open name of 399 bytes                       -> -1 Filename too long",
        "readdir big: 2502 entries, 2 dot entries, 2500 regular",
        "after removing half: 1252 entries",
    ]);
    // The tree left behind is compared by `differential`; check it is the expected one too.
    assert!(t.files.contains_key("big/file-2499-with-a-longer-name.txt") && t.files.contains_key("sub/hard.txt"));
    assert_eq!(t.files["log.txt"], b"one\ntwo\nthree\n");
}

#[test]
fn rust_std_fs() {
    let g = cached("rust-std-fs", || rust_guest("std-fs"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    expect(&t, &[
        "after append: ok \"alpha\\nbeta\\ngamma\\n\"",
        "read+write+create: ok \"456\"",
        "rw.txt bytes: ok [48, 49, 50, 0, 0, 0]",
        "read_dir x/y: 51 entries",
        "read_link: ok \"x/renamed.txt\"",
        "remove_dir_all x: ok ()",
        "open escape: err PermissionDenied",
        "read 3 MiB: ok (3145745, true)",
        "left: [\"a.txt\", \"hl.txt\", \"rw.txt\", \"sl\", \"z2\"]",
    ]);
}

#[test]
fn wasi_filesystem_functions_and_bad_input() {
    let g = cached("rust-p2-fs", || rust_guest("p2-fs"));
    let t = differential(&g, &Case::default());
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    expect(&t, &[
        "root type Ok(DescriptorType::Directory) flags Ok(DescriptorFlags(READ | MUTATE_DIRECTORY))",
        "read 0: Ok(([], true))",
        "read past i64::MAX: Err(ErrorCode { code: 12, name: \"invalid\"",
        "write past i64::MAX: Err(ErrorCode { code: 12, name: \"invalid\"",
        "advise on dir: Err(ErrorCode { code: 3, name: \"bad-descriptor\"",
        "stream read at 4: Ok(\"456789\")",
        "after stream writes: Ok((\"01WW456789abcdef....END+app\", false))",
        "stream after its descriptor is dropped: Ok(\"01WW\")",
        "write to read-only: last-operation-failed, code Some(ErrorCode { code: 3, name: \"bad-descriptor\"",
        "is-same-object same file: true, other: false",
        "metadata-hash stable true same via path true distinct true",
        "sync flags: Err(ErrorCode { code: 27, name: \"unsupported\"",
        "sub flags Ok(DescriptorFlags(READ)); create inside: Ok(())",
        "open-at \"a\\0b\": Err(ErrorCode { code: 12, name: \"invalid\"",
        "open-at \"../outside\": Err(ErrorCode { code: 31, name: \"not-permitted\"",
        "open-at \"<300 n>\": Err(ErrorCode { code: 18, name: \"name-too-long\"",
        "entry stream after end: Ok(true)",
    ]);
}
