//! wasi:filesystem against a hostile directory tree: symbolic links (absolute, escaping,
//! dangling, followed through a trailing `/`) and directory entries whose names are not UTF-8.
//! The test harness creates what a program cannot (links to absolute paths, non-UTF-8 names) on
//! the host before the run. Deterministic output.
//!
//! `symlinks`: every path operation on links in a fresh directory each, then that directory's
//! listing, so a file a runtime creates behind a link shows. `readdir`: the entries of `names/`.
use std::fmt::Debug;
use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::*;

fn show<T: Debug>(r: Result<T, ErrorCode>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("err {}", e.name()),
    }
}

fn opened(r: Result<Descriptor, ErrorCode>) -> String {
    show(r.map(|d| d.get_type()))
}

/// The sorted entries of `d` (name and type), or where listing failed.
fn listing(d: &Descriptor) -> String {
    let s = match d.read_directory() {
        Ok(s) => s,
        Err(e) => return format!("read-directory: err {}", e.name()),
    };
    let mut v = Vec::new();
    for _ in 0..1000 {
        match s.read_directory_entry() {
            Ok(Some(e)) => v.push(format!("{}:{:?}", e.name, e.type_)),
            Ok(None) => break,
            Err(e) => v.push(format!("<err {}>", e.name())),
        }
    }
    v.sort();
    v.join(" ")
}

const NOFOLLOW: PathFlags = PathFlags::empty();
const FOLLOW: PathFlags = PathFlags::SYMLINK_FOLLOW;

fn symlinks(root: &Descriptor) {
    // Links the harness made on the host (a program cannot create an absolute one).
    for p in ["abs", "root", "esc", "abs/", "dotdot"] {
        println!("readlink-at {p:?}: {}", show(root.readlink_at(p)));
    }
    for (f, p) in [(FOLLOW, "abs"), (NOFOLLOW, "abs/"), (NOFOLLOW, "esc/"), (FOLLOW, "root")] {
        println!("stat-at {f:?} {p:?}: {}", show(root.stat_at(f, p).map(|s| s.type_)));
        println!("open-at {f:?} {p:?}: {}", opened(root.open_at(f, p, OpenFlags::empty(), DescriptorFlags::READ)));
    }

    type Op = Box<dyn Fn(&Descriptor) -> String>;
    let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
    let mut ops: Vec<(String, Op)> = Vec::new();
    for p in ["dangling", "flink", "dlink", "dangling/", "flink/", "dlink/", "f.txt", "d/", "f.txt/", "none/"] {
        ops.push((format!("readlink-at {p:?}"), Box::new(move |d| show(d.readlink_at(p)))));
    }
    for f in [NOFOLLOW, FOLLOW] {
        for p in ["dangling", "dangling/", "flink", "flink/", "dlink", "dlink/", "dirdangle/", "f.txt/", "d/", "none/", "d//"] {
            ops.push((format!("stat-at {f:?} {p:?}"), Box::new(move |d| show(d.stat_at(f, p).map(|s| s.type_)))));
            ops.push((format!("metadata-hash-at {f:?} {p:?}"), Box::new(move |d| show(d.metadata_hash_at(f, p).map(|_| ())))));
        }
        for (o, p) in [
            (OpenFlags::CREATE, "dangling"),
            (OpenFlags::CREATE | OpenFlags::EXCLUSIVE, "dangling"),
            (OpenFlags::CREATE | OpenFlags::EXCLUSIVE, "flink"),
            (OpenFlags::CREATE | OpenFlags::EXCLUSIVE, "dlink"),
            (OpenFlags::CREATE, "dangling/"),
            (OpenFlags::CREATE | OpenFlags::EXCLUSIVE, "dangling/"),
            (OpenFlags::empty(), "dangling/"),
            (OpenFlags::DIRECTORY, "dangling/"),
            (OpenFlags::DIRECTORY, "dirdangle/"),
            (OpenFlags::empty(), "flink"),
            (OpenFlags::empty(), "flink/"),
            (OpenFlags::empty(), "dlink"),
            (OpenFlags::empty(), "dlink/"),
            (OpenFlags::DIRECTORY, "dlink/"),
            (OpenFlags::TRUNCATE, "flink"),
            (OpenFlags::CREATE, "flink/"),
            (OpenFlags::CREATE, "dlink/"),
            (OpenFlags::CREATE | OpenFlags::EXCLUSIVE, "dlink/"),
            (OpenFlags::TRUNCATE, "dlink/"),
            (OpenFlags::empty(), "f.txt/"),
            (OpenFlags::CREATE, "f.txt/"),
            (OpenFlags::CREATE, "none/"),
            (OpenFlags::CREATE | OpenFlags::EXCLUSIVE, "none/"),
            (OpenFlags::empty(), "d/"),
            (OpenFlags::CREATE, "d/"),
        ] {
            let fl = if o.is_empty() || o == OpenFlags::DIRECTORY { DescriptorFlags::READ } else { rw };
            ops.push((format!("open-at {f:?} {o:?} {p:?}"), Box::new(move |d| opened(d.open_at(f, p, o, fl)))));
        }
        let t = NewTimestamp::Timestamp(wasip2::clocks::wall_clock::Datetime { seconds: 1_000_000_000, nanoseconds: 0 });
        for p in ["dangling/", "flink/", "dlink/", "f.txt/", "none/"] {
            ops.push((format!("set-times-at {f:?} {p:?}"), Box::new(move |d| show(d.set_times_at(f, p, t, t)))));
        }
        for (old, new) in [("flink", "hl"), ("flink/", "hl"), ("f.txt", "dangling/"), ("dangling/", "hl"), ("dlink/", "hl"), ("f.txt", "flink/"), ("f.txt", "dlink/"), ("f.txt/", "hl"), ("f.txt", "none/"), ("d", "hl")] {
            ops.push((format!("link-at {f:?} {old:?} {new:?}"), Box::new(move |d| show(d.link_at(f, old, d, new)))));
        }
    }
    for p in ["dangling", "dangling/", "dirdangle/", "flink/", "dlink/", "none/", "f.txt/", "none//"] {
        ops.push((format!("create-directory-at {p:?}"), Box::new(move |d| show(d.create_directory_at(p)))));
    }
    for p in ["dangling/", "flink/", "dlink/", "dlink", "f.txt/", "none/", "d/"] {
        ops.push((format!("unlink-file-at {p:?}"), Box::new(move |d| show(d.unlink_file_at(p)))));
        ops.push((format!("remove-directory-at {p:?}"), Box::new(move |d| show(d.remove_directory_at(p)))));
    }
    for (old, new) in [("dangling/", "x"), ("flink/", "x"), ("dlink/", "x"), ("f.txt", "dangling/"), ("d", "dirdangle/"), ("f.txt", "flink/"), ("d", "dlink/"), ("dangling/", "dlink/"), ("f.txt/", "x"), ("f.txt", "x/"), ("d/", "x"), ("d", "x/"), ("d/", "x/")] {
        ops.push((format!("rename-at {old:?} {new:?}"), Box::new(move |d| show(d.rename_at(old, d, new)))));
    }
    for (old, new) in [("f.txt", "dangling/"), ("f.txt", "dirdangle/"), ("f.txt", "flink/"), ("f.txt", "dlink/"), ("f.txt", "none/"), ("d", "x/")] {
        ops.push((format!("symlink-at {old:?} {new:?}"), Box::new(move |d| show(d.symlink_at(old, new)))));
    }

    for (i, (what, op)) in ops.iter().enumerate() {
        let name = format!("p{i}");
        root.create_directory_at(&name).unwrap();
        let d = root.open_at(NOFOLLOW, &name, OpenFlags::DIRECTORY, DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY).unwrap();
        let f = d.open_at(NOFOLLOW, "f.txt", OpenFlags::CREATE, DescriptorFlags::WRITE).unwrap();
        f.write(b"F", 0).unwrap();
        drop(f);
        d.create_directory_at("d").unwrap();
        d.symlink_at("missing", "dangling").unwrap();
        d.symlink_at("nodir", "dirdangle").unwrap();
        d.symlink_at("f.txt", "flink").unwrap();
        d.symlink_at("d", "dlink").unwrap();
        let r = op(&d);
        println!("{name} {what}: {r} | {}", listing(&d));
    }
}

fn readdir(root: &Descriptor) {
    let d = root.open_at(NOFOLLOW, "names", OpenFlags::DIRECTORY, DescriptorFlags::READ).unwrap();
    let s = d.read_directory().unwrap();
    let (mut names, mut errors, mut calls, mut ended) = (Vec::new(), Vec::new(), 0, false);
    while calls < 20 {
        calls += 1;
        match s.read_directory_entry() {
            Ok(Some(e)) => names.push(format!("{}:{:?}", e.name, e.type_)),
            Ok(None) => {
                ended = true;
                break;
            }
            Err(e) => errors.push(e.name().to_string()),
        }
    }
    names.sort();
    println!("names/: entries {names:?} errors {errors:?} ended {ended} after {calls} calls");
    println!("again after the end: {}", show(s.read_directory_entry().map(|e| e.map(|e| e.name))));
    drop(s);
    // The valid names can still be opened; the directory itself stays usable.
    println!("open names/a.txt: {}", opened(d.open_at(NOFOLLOW, "a.txt", OpenFlags::empty(), DescriptorFlags::READ)));
    println!("stat names: {}", show(root.stat_at(NOFOLLOW, "names").map(|s| s.type_)));
}

fn main() {
    let dirs = get_directories();
    let root = &dirs.iter().find(|(_, n)| n == "/sandbox").expect("/sandbox preopened").0;
    match std::env::args().nth(1).as_deref() {
        Some("symlinks") => symlinks(root),
        Some("readdir") => readdir(root),
        other => panic!("unknown mode {other:?}"),
    }
}
