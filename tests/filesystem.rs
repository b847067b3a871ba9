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

/// What a program cannot create: links to absolute and escaping paths, a name that is not
/// UTF-8 among valid ones.
fn hostile_tree(sandbox: &std::path::Path) {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;
    symlink("/etc", sandbox.join("abs")).unwrap();
    symlink("/", sandbox.join("root")).unwrap();
    symlink("../../../../etc", sandbox.join("esc")).unwrap();
    symlink("..", sandbox.join("dotdot")).unwrap();
    let names = sandbox.join("names");
    std::fs::create_dir(&names).unwrap();
    for n in [&b"a.txt"[..], b"b\xff\xfe.txt", b"c.txt"] {
        std::fs::write(names.join(std::ffi::OsStr::from_bytes(n)), b"x").unwrap();
    }
    std::fs::create_dir(names.join("sub")).unwrap();
}

fn hostile_guest() -> Guest {
    cached("rust-p2-fs-hostile", || rust_guest("p2-fs-hostile"))
}

fn mode(m: &str) -> Case {
    Case { args: vec![m.into()], ..Default::default() }
}

/// Symbolic links through every path operation: absolute targets, escaping targets, dangling
/// links and a trailing `/` after a link (WAMR follows it without `symlink-follow`), each on a
/// fresh directory whose listing and final tree are compared too, so nothing may be created
/// through a link.
#[test]
fn symbolic_links_as_natively() {
    let t = differential_prepared(&hostile_guest(), &mode("symlinks"), &Runtime::ADAPTED, &hostile_tree);
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    expect(&t, &[
        "readlink-at \"abs\": err not-permitted",
        "readlink-at \"root\": err not-permitted",
        "readlink-at \"esc\": ok \"../../../../etc\"",
        "stat-at PathFlags(0x0) \"abs/\": ok DescriptorType::SymbolicLink",
        "open-at PathFlags(SYMLINK_FOLLOW) OpenFlags(CREATE | EXCLUSIVE) \"dangling\": err exist |",
        "open-at PathFlags(0x0) OpenFlags(CREATE) \"dangling/\": err is-directory |",
        "open-at PathFlags(0x0) OpenFlags(0x0) \"flink/\": err not-directory |",
        "stat-at PathFlags(0x0) \"dangling/\": ok DescriptorType::SymbolicLink |",
        "stat-at PathFlags(SYMLINK_FOLLOW) \"flink/\": err not-directory |",
        "create-directory-at \"dangling/\": err exist |",
        "link-at PathFlags(SYMLINK_FOLLOW) \"flink\" \"hl\": err invalid |",
        "link-at PathFlags(0x0) \"f.txt\" \"dangling/\": err no-entry |",
        "rename-at \"d\" \"dirdangle/\": err not-directory |",
        "symlink-at \"f.txt\" \"dangling/\": err no-entry |",
        "remove-directory-at \"dlink/\": err invalid |",
        "remove-directory-at \"d/\": err invalid |",
        "stat-at PathFlags(0x0) \"f.txt/\": ok DescriptorType::RegularFile |",
    ]);
    // A dangling link's target is created only when the program asked to follow it.
    let through: Vec<&str> = t
        .stdout
        .lines()
        .filter_map(|l| l.split_once(" | ").filter(|(_, ls)| ls.contains("missing:") || ls.contains("nodir:")).map(|(op, _)| op))
        .collect();
    assert_eq!(through.len(), 1, "{through:?}");
    assert!(through[0].ends_with("open-at PathFlags(SYMLINK_FOLLOW) OpenFlags(CREATE) \"dangling\": ok Ok(DescriptorType::RegularFile)"), "{through:?}");
}

/// A directory entry whose name is not UTF-8, among valid ones: natively the valid entries,
/// `illegal-byte-sequence` for that one, then the end. WAMR (every release) hands the raw
/// name over, so the adapter matches natively there; wasmtime's WASIp1 refuses the whole
/// listing, so there the documented normalisation holds (docs/design.md, *Differences from a
/// native host*): that one error, then the end.
#[test]
fn directory_entry_names_not_utf8() {
    let g = hostile_guest();
    let t = differential_prepared(&g, &mode("readdir"), &Runtime::WAMRS, &hostile_tree);
    assert_eq!(t.status, Some(0), "{}", t.stderr);
    let native_listing = "names/: entries [\"a.txt:DescriptorType::RegularFile\", \"c.txt:DescriptorType::RegularFile\", \
        \"sub:DescriptorType::Directory\"] errors [\"illegal-byte-sequence\"] ended true after 5 calls\n";
    expect(&t, &[native_listing, "again after the end: ok None", "open names/a.txt: ok Ok(DescriptorType::RegularFile)"]);
    let w = run_prepared(&g, Runtime::WasmtimeP1, &mode("readdir"), &hostile_tree);
    let documented = t.stdout.replace(native_listing, "names/: entries [] errors [\"illegal-byte-sequence\"] ended true after 2 calls\n");
    assert_ne!(documented, t.stdout);
    assert_eq!((&w.stdout, &w.stderr, w.status), (&documented, &t.stderr, t.status), "wasmtime-p1");
}
