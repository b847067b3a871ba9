//! Rust `std::fs::read_dir` and `File::metadata` (wasi-libc's `readdir` and `fstat` under
//! Rust's wasm32-wasip2 std) under /sandbox. Prints deterministic facts only: the names
//! sorted, each entry's type, and whether the inode numbers agree (their values are the
//! runtime's). `std::os::wasi::fs`'s `ino` is unstable, so the inode numbers come from the
//! same libc's `readdir`, `fstat` and `stat`, called directly.
use std::ffi::{CStr, CString, c_char};
use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::path::Path;

unsafe extern "C" {
    fn opendir(path: *const c_char) -> *mut u8;
    fn readdir(dir: *mut u8) -> *const u8;
    fn closedir(dir: *mut u8) -> i32;
    fn stat(path: *const c_char, buf: *mut u64) -> i32;
    fn fstat(fd: i32, buf: *mut u64) -> i32;
}

/// wasi-libc's `struct stat` (144 bytes, `st_ino` at byte 8, `st_nlink` at 16).
fn ino_of(path: &Path) -> (u64, u64) {
    let c = CString::new(path.to_str().unwrap()).unwrap();
    let mut st = [0u64; 18];
    assert_eq!(unsafe { stat(c.as_ptr(), st.as_mut_ptr()) }, 0, "stat {}", path.display());
    (st[1], st[2])
}

fn fstat_of(f: &File) -> (u64, u64) {
    let mut st = [0u64; 18];
    assert_eq!(unsafe { fstat(f.as_raw_fd(), st.as_mut_ptr()) }, 0);
    (st[1], st[2])
}

/// Every entry's name and whether its `d_ino` is `stat`'s `st_ino` (`struct dirent`: `d_ino`
/// at 0, `d_type` at 8, `d_name` at 9).
fn libc_list(dir: &Path) -> Vec<String> {
    let c = CString::new(dir.to_str().unwrap()).unwrap();
    let d = unsafe { opendir(c.as_ptr()) };
    assert!(!d.is_null());
    let mut rows = Vec::new();
    loop {
        let e = unsafe { readdir(d) };
        if e.is_null() {
            break;
        }
        let ino = unsafe { (e as *const u64).read() };
        let ty = unsafe { e.add(8).read() };
        let name = unsafe { CStr::from_ptr(e.add(9) as *const c_char) }.to_str().unwrap().to_string();
        let same = name == "." || name == ".." || ino == ino_of(&dir.join(&name)).0;
        rows.push(format!("{name} d_type={ty} ino-agrees={same}"));
    }
    unsafe { closedir(d) };
    rows.sort();
    rows
}

fn kind(t: fs::FileType) -> &'static str {
    if t.is_dir() {
        "dir"
    } else if t.is_file() {
        "file"
    } else if t.is_symlink() {
        "symlink"
    } else {
        "other"
    }
}

fn list(dir: &Path) {
    let mut rows = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        let ty = kind(e.file_type().unwrap());
        let len = if ty == "file" { e.metadata().unwrap().len() } else { 0 };
        rows.push(format!("{name} {ty} len={len}"));
    }
    rows.sort();
    println!("{}: {} entries", dir.display(), rows.len());
    for r in rows {
        println!("  {r}");
    }
    for r in libc_list(dir) {
        println!("  readdir: {r}");
    }
}

fn main() {
    let root = Path::new("/sandbox/d");
    fs::create_dir(root).unwrap();
    fs::write(root.join("a.txt"), b"alpha\n").unwrap();
    fs::write(root.join("b.bin"), vec![7u8; 5000]).unwrap();
    fs::create_dir(root.join("sub")).unwrap();
    fs::write(root.join("sub/inner"), b"x").unwrap();
    // A long name: the libc's `dirent` grows for it.
    let long = "n".repeat(200);
    fs::write(root.join(&long), b"").unwrap();
    for i in 0..40 {
        fs::write(root.join(format!("f{i:02}")), format!("{i}")).unwrap();
    }
    list(root);
    list(&root.join("sub"));
    // A second listing of the same directory, after removing an entry.
    fs::remove_file(root.join("f07")).unwrap();
    list(root);

    // `File::metadata` is `fstat` of the open file; compared with `metadata` of the path.
    for p in [root.join("b.bin"), root.join("a.txt"), root.join("sub"), root.to_path_buf()] {
        let f = File::open(&p).unwrap();
        let m = f.metadata().unwrap();
        let by_path = fs::metadata(&p).unwrap();
        println!(
            "{}: {} len={} mtime-agrees={} fstat-agrees-with-stat={}",
            p.display(),
            kind(m.file_type()),
            if m.is_file() { m.len() } else { 0 },
            m.modified().unwrap() == by_path.modified().unwrap(),
            fstat_of(&f) == ino_of(&p),
        );
    }
    // A removed file still open: its metadata from the descriptor.
    let f = File::open(root.join("a.txt")).unwrap();
    fs::remove_file(root.join("a.txt")).unwrap();
    let m = f.metadata().unwrap();
    println!("removed a.txt: {} len={}", kind(m.file_type()), m.len());
    println!("done");
}
