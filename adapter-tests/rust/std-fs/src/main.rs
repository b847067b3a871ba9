//! Rust `std::fs` over the adapter, under /sandbox. Prints deterministic facts only.
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::Path;

fn show<T: std::fmt::Debug>(what: &str, r: std::io::Result<T>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => println!("{what}: err {:?}", e.kind()),
    }
}

fn symlink(target: &str, link: &str) -> std::io::Result<()> {
    unsafe extern "C" {
        fn symlink(target: *const std::ffi::c_char, link: *const std::ffi::c_char) -> i32;
    }
    let (t, l) = (std::ffi::CString::new(target).unwrap(), std::ffi::CString::new(link).unwrap());
    if unsafe { symlink(t.as_ptr(), l.as_ptr()) } == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

fn main() {
    let root = Path::new("/sandbox");
    show("write", fs::write(root.join("a.txt"), b"alpha\nbeta\n"));
    show("read_to_string", fs::read_to_string(root.join("a.txt")));
    show("read missing", fs::read(root.join("missing")).map(|v| v.len()));

    // OpenOptions combinations
    show("create_new on existing", OpenOptions::new().write(true).create_new(true).open(root.join("a.txt")).map(|_| ()));
    show("append", OpenOptions::new().append(true).open(root.join("a.txt")).and_then(|mut f| f.write_all(b"gamma\n")));
    show("after append", fs::read_to_string(root.join("a.txt")));
    show("truncate", OpenOptions::new().write(true).truncate(true).open(root.join("a.txt")).map(|_| ()));
    show("len after truncate", fs::metadata(root.join("a.txt")).map(|m| m.len()));
    show("read-only open then write", File::open(root.join("a.txt")).and_then(|mut f| f.write_all(b"x")));
    show("write-only open then read", OpenOptions::new().write(true).open(root.join("a.txt")).and_then(|mut f| {
        let mut s = String::new();
        f.read_to_string(&mut s)
    }));
    show("create without write", OpenOptions::new().create(true).open(root.join("c.txt")).map(|_| ()));
    show("read+write+create", OpenOptions::new().read(true).write(true).create(true).open(root.join("rw.txt")).and_then(|mut f| {
        f.write_all(b"0123456789")?;
        f.seek(SeekFrom::Start(4))?;
        let mut b = [0u8; 3];
        f.read_exact(&mut b)?;
        f.seek(SeekFrom::End(-2))?;
        f.write_all(b"XY")?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }));
    show("rw.txt", fs::read_to_string(root.join("rw.txt")));

    // metadata
    let m = fs::metadata(root.join("rw.txt")).unwrap();
    println!("metadata: file {} dir {} len {} readonly {}", m.is_file(), m.is_dir(), m.len(), m.permissions().readonly());
    println!("modified after 2020: {}", m.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() > 1_577_836_800);
    show("set_len 3", File::options().write(true).open(root.join("rw.txt")).and_then(|f| f.set_len(3)));
    show("set_len grow 6", File::options().write(true).open(root.join("rw.txt")).and_then(|f| f.set_len(6)));
    show("rw.txt bytes", fs::read(root.join("rw.txt")));
    show("sync_all", File::options().write(true).open(root.join("rw.txt")).and_then(|f| f.sync_all()));
    show("sync_data", File::options().write(true).open(root.join("rw.txt")).and_then(|f| f.sync_data()));

    // directories
    show("create_dir_all", fs::create_dir_all(root.join("x/y/z")));
    show("create_dir existing", fs::create_dir(root.join("x")));
    for i in 0..50 {
        fs::write(root.join(format!("x/y/f{i:02}")), format!("{i}")).unwrap();
    }
    let mut names: Vec<String> =
        fs::read_dir(root.join("x/y")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    println!("read_dir x/y: {} entries, first {:?} last {:?}", names.len(), names.first(), names.last());
    let kinds: Vec<(String, bool)> = {
        let mut v: Vec<_> = fs::read_dir(root).unwrap().map(|e| {
            let e = e.unwrap();
            (e.file_name().into_string().unwrap(), e.file_type().unwrap().is_dir())
        }).collect();
        v.sort();
        v
    };
    println!("read_dir /sandbox: {kinds:?}");
    show("remove_dir non-empty", fs::remove_dir(root.join("x")));
    show("copy", fs::copy(root.join("x/y/f07"), root.join("copied.txt")));
    show("copied", fs::read_to_string(root.join("copied.txt")));
    show("rename file", fs::rename(root.join("copied.txt"), root.join("x/renamed.txt")));
    show("rename dir", fs::rename(root.join("x/y/z"), root.join("z2")));
    show("rename over existing", fs::rename(root.join("c.txt"), root.join("x/renamed.txt")));
    show("hard_link", fs::hard_link(root.join("x/renamed.txt"), root.join("hl.txt")));
    // std's `symlink_path` is unstable on WASI: call wasi-libc's symlink, which std links.
    show("symlink", symlink("x/renamed.txt", "/sandbox/sl"));
    show("read_link", fs::read_link(root.join("sl")));
    show("symlink_metadata is_symlink", fs::symlink_metadata(root.join("sl")).map(|m| m.file_type().is_symlink()));
    show("metadata through symlink", fs::metadata(root.join("sl")).map(|m| (m.is_file(), m.len())));
    show("canonicalize", fs::canonicalize(root.join("x/../x/renamed.txt")));
    show("remove_dir_all x", fs::remove_dir_all(root.join("x")));
    show("x exists", fs::exists(root.join("x")));
    show("remove_file missing", fs::remove_file(root.join("missing")));
    show("open escape", File::open("/sandbox/../etc/passwd").map(|_| ()));
    show("open absolute", File::open("/etc/passwd").map(|_| ()));
    show("create in missing dir", File::create(root.join("nope/f")).map(|_| ()));
    show("open dir as file for write", OpenOptions::new().write(true).open(root).map(|_| ()));
    let big = vec![7u8; 3 * 1024 * 1024 + 17];
    show("write 3 MiB", fs::write(root.join("big.bin"), &big));
    show("read 3 MiB", fs::read(root.join("big.bin")).map(|v| (v.len(), v == big)));
    if let Err(e) = fs::remove_file(root.join("big.bin")) {
        println!("cleanup: {:?}", e.kind() == ErrorKind::NotFound);
    }
    let mut left: Vec<String> = fs::read_dir(root).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    println!("left: {left:?}");
}
