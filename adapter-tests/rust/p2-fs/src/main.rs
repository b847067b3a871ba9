//! wasi:filesystem functions that neither wasi-libc nor Rust std call, through the `wasip2`
//! crate, plus bad inputs only reachable this way. Deterministic output.
use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::*;
use wasip2::io::streams::StreamError;

fn main() {
    let dirs = get_directories();
    let names: Vec<&String> = dirs.iter().map(|(_, n)| n).collect();
    println!("preopens: {names:?}");
    let root = &dirs.iter().find(|(_, n)| n == "/sandbox").expect("/sandbox preopened").0;
    println!("root type {:?} flags {:?}", root.get_type(), root.get_flags());

    let rw = DescriptorFlags::READ | DescriptorFlags::WRITE;
    let f = root.open_at(PathFlags::empty(), "f.txt", OpenFlags::CREATE, rw).unwrap();
    println!("file type {:?} flags {:?}", f.get_type(), f.get_flags());
    println!("write: {:?}", f.write(b"0123456789abcdef", 0));
    println!("write past end: {:?}", f.write(b"END", 20));
    println!("read 4 at 2: {:?}", f.read(4, 2));
    println!("read at end: {:?}", f.read(10, 23));
    println!("read 0: {:?}", f.read(0, 0));
    println!("read past i64::MAX: {:?}", f.read(5, u64::MAX - 3).map(|(v, e)| (v.len(), e)));
    println!("write past i64::MAX: {:?}", f.write(b"x", u64::MAX - 3));
    println!("advise: {:?} {:?}", f.advise(0, 10, Advice::Sequential), f.advise(0, 0, Advice::NoReuse));
    println!("advise on dir: {:?}", root.advise(0, 0, Advice::Normal));
    println!("sync-data, sync: {:?} {:?}", f.sync_data(), f.sync());
    println!("set-size on dir: {:?}", root.set_size(1));
    println!("read on dir: {:?}", root.read(1, 0).map(|(v, _)| v.len()));
    println!("read-directory on file: {:?}", f.read_directory().map(|_| ()));
    println!("stat-at on file: {:?}", f.stat_at(PathFlags::empty(), "x").map(|_| ()));

    // read-via-stream at an offset, write-via-stream, append-via-stream
    let s = f.read_via_stream(4).unwrap();
    println!("stream read at 4: {:?}", s.blocking_read(6).map(|v| String::from_utf8_lossy(&v).into_owned()));
    println!("stream read on: {:?}", s.blocking_read(100).map(|v| v.len()));
    println!("stream at end: {:?}", matches!(s.blocking_read(1), Err(StreamError::Closed)));
    drop(s);
    let w = f.write_via_stream(2).unwrap();
    w.blocking_write_and_flush(b"WW").unwrap();
    let a = f.append_via_stream().unwrap();
    a.blocking_write_and_flush(b"+app").unwrap();
    drop(w);
    drop(a);
    println!("after stream writes: {:?}", f.read(100, 0).map(|(v, e)| (String::from_utf8_lossy(&v).replace('\0', "."), e)));
    println!("read-via-stream on dir: {:?}", root.read_via_stream(0).map(|_| ()));
    println!("write-via-stream on dir: {:?}", root.write_via_stream(0).map(|_| ()));

    // streams outlive their descriptor
    let g = root.open_at(PathFlags::empty(), "f.txt", OpenFlags::empty(), DescriptorFlags::READ).unwrap();
    let gs = g.read_via_stream(0).unwrap();
    drop(g);
    println!("stream after its descriptor is dropped: {:?}", gs.blocking_read(4).map(|v| String::from_utf8_lossy(&v).into_owned()));
    drop(gs);

    // an error from a stream, through filesystem-error-code
    let ro = root.open_at(PathFlags::empty(), "f.txt", OpenFlags::empty(), DescriptorFlags::READ).unwrap();
    let ws = ro.write_via_stream(0).unwrap();
    match ws.blocking_write_and_flush(b"nope") {
        Err(StreamError::LastOperationFailed(e)) => {
            println!("write to read-only: last-operation-failed, code {:?}, debug string non-empty {}", filesystem_error_code(&e), !e.to_debug_string().is_empty());
        }
        other => println!("write to read-only: {other:?}"),
    }
    drop(ws);

    // identity
    let f2 = root.open_at(PathFlags::empty(), "f.txt", OpenFlags::empty(), DescriptorFlags::READ).unwrap();
    println!("is-same-object same file: {}, other: {}", f.is_same_object(&f2), f.is_same_object(root));
    let v = |h: MetadataHashValue| (h.lower, h.upper);
    let (h1, h2) = (v(f.metadata_hash().unwrap()), v(f2.metadata_hash().unwrap()));
    let h3 = v(root.metadata_hash_at(PathFlags::empty(), "f.txt").unwrap());
    let hr = v(root.metadata_hash().unwrap());
    println!("metadata-hash stable {} same via path {} distinct {}", h1 == h2, h1 == h3, h1 != hr);

    // stat, set-times variants
    let st = f.stat().unwrap();
    println!("stat: {:?} size {} links {} has times {} {} {}", st.type_, st.size, st.link_count,
        st.data_access_timestamp.is_some(), st.data_modification_timestamp.is_some(), st.status_change_timestamp.is_some());
    let t = |s| NewTimestamp::Timestamp(wasip2::clocks::wall_clock::Datetime { seconds: s, nanoseconds: 42 });
    println!("set-times: {:?}", f.set_times(t(1_000_000_000), t(1_100_000_000)));
    let st = f.stat().unwrap();
    println!("times {:?} {:?}", st.data_access_timestamp, st.data_modification_timestamp);
    println!("set-times no-change/timestamp: {:?}", f.set_times(NewTimestamp::NoChange, t(1_200_000_000)));
    let st = f.stat().unwrap();
    println!("times {:?} {:?}", st.data_access_timestamp, st.data_modification_timestamp);
    println!("set-times-at now: {:?}", root.set_times_at(PathFlags::empty(), "f.txt", NewTimestamp::Now, NewTimestamp::Now));
    let st = root.stat_at(PathFlags::empty(), "f.txt").unwrap();
    println!("after now: mtime after 2020 {}", st.data_modification_timestamp.unwrap().seconds > 1_577_836_800);
    println!("set-times bad nanoseconds: {:?}", f.set_times(NewTimestamp::Timestamp(wasip2::clocks::wall_clock::Datetime { seconds: 1, nanoseconds: 2_000_000_000 }), NewTimestamp::NoChange));

    // open-at flag handling
    println!("sync flags: {:?}", root.open_at(PathFlags::empty(), "f.txt", OpenFlags::empty(), DescriptorFlags::READ | DescriptorFlags::FILE_INTEGRITY_SYNC).map(|_| ()));
    println!("directory+create: {:?}", root.open_at(PathFlags::empty(), "nd", OpenFlags::DIRECTORY | OpenFlags::CREATE, DescriptorFlags::READ).map(|_| ()));
    println!("directory on file: {:?}", root.open_at(PathFlags::empty(), "f.txt", OpenFlags::DIRECTORY, DescriptorFlags::READ).map(|_| ()));
    println!("exclusive on existing: {:?}", root.open_at(PathFlags::empty(), "f.txt", OpenFlags::CREATE | OpenFlags::EXCLUSIVE, rw).map(|_| ()));
    println!("truncate: {:?}", root.open_at(PathFlags::empty(), "t.txt", OpenFlags::CREATE | OpenFlags::TRUNCATE, DescriptorFlags::WRITE).map(|d| d.get_flags()));
    println!("dir for write: {:?}", root.open_at(PathFlags::empty(), ".", OpenFlags::empty(), DescriptorFlags::WRITE).map(|_| ()));
    root.create_directory_at("sub").unwrap();
    let sub = root.open_at(PathFlags::empty(), "sub", OpenFlags::DIRECTORY, DescriptorFlags::READ).unwrap();
    println!("sub flags {:?}; create inside: {:?}", sub.get_flags(), sub.open_at(PathFlags::empty(), "in.txt", OpenFlags::CREATE, DescriptorFlags::WRITE).map(|_| ()));
    println!("link-at: {:?}", root.link_at(PathFlags::empty(), "f.txt", &sub, "linked"));
    println!("symlink-at, readlink-at: {:?} {:?}", sub.symlink_at("../f.txt", "sl"), sub.readlink_at("sl"));
    println!("symlink-at absolute: {:?}", sub.symlink_at("/etc", "abs"));
    println!("stat-at nofollow/follow: {:?} {:?}", sub.stat_at(PathFlags::empty(), "sl").map(|s| s.type_), sub.stat_at(PathFlags::SYMLINK_FOLLOW, "sl").map(|s| s.type_));
    println!("rename-at across descriptors: {:?}", sub.rename_at("linked", root, "moved"));
    println!("unlink-file-at dir: {:?}", root.unlink_file_at("sub"));
    println!("remove-directory-at non-empty: {:?}", root.remove_directory_at("sub"));

    // bad paths
    for p in ["", "a\0b", "/etc/passwd", "../outside", "sub/../../x", &"n".repeat(300)] {
        println!("open-at {:?}: {:?}", if p.len() > 20 { "<300 n>" } else { p }, root.open_at(PathFlags::empty(), p, OpenFlags::empty(), DescriptorFlags::READ).map(|_| ()));
    }
    println!("stat-at NUL: {:?}", root.stat_at(PathFlags::empty(), "f\0").map(|_| ()));

    // directory listing through the stream
    let ds = root.read_directory().unwrap();
    let mut entries = Vec::new();
    while let Some(e) = ds.read_directory_entry().unwrap() {
        entries.push((e.name, e.type_));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    println!("entries: {entries:?}");
    println!("entry stream after end: {:?}", ds.read_directory_entry().map(|e| e.is_none()));
}
