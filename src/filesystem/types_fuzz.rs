//! Host fuzz targets of the filesystem's pure path and directory-listing code (a child module
//! of `types`, so it reaches its private items; driven by `fuzz_tests::fuzz`, with the corpus
//! in `fuzz/corpus/`). Each checks the code against rules written out independently here.

extern crate std;

use super::*;
use crate::fuzz_tests::fuzz;
use arbitrary::Unstructured;
use std::vec::Vec;

/// Path bytes biased to what matters to the path rules: `/`, `.`, NUL, short names.
fn path_bytes(u: &mut Unstructured) -> Vec<u8> {
    let n = u.int_in_range(0..=12u8).unwrap_or(0);
    (0..n)
        .map(|_| match u.int_in_range(0..=7u8).unwrap_or(0) {
            0..=2 => b'/',
            3 | 4 => b'.',
            5 => 0,
            6 => b'a',
            _ => u.arbitrary().unwrap_or(b'b'),
        })
        .collect()
}

/// `path` refuses exactly the paths holding a NUL; `slash_stem` gives the path without its
/// trailing `/`s exactly when it has some and its last component is a name (not empty, `.`
/// or `..`); and `slash_link_rule` never lets a path `LINK/` create, remove, rename or link
/// anything through the link, whatever the link leads to.
#[test]
fn fuzz_paths() {
    fuzz("paths", include_str!("../../fuzz/corpus/paths.hex"), 7, 64, |u| {
        while !u.is_empty() {
            let p = path_bytes(u);
            assert_eq!(path(p.as_ptr(), p.len()).is_err(), p.contains(&0), "path {p:?}");
            let trimmed = p.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
            let last = p[..trimmed].split(|&b| b == b'/').next_back().unwrap_or(&[]);
            let want = (trimmed < p.len() && !last.is_empty() && last != b"." && last != b"..").then(|| &p[..trimmed]);
            assert_eq!(slash_stem(&p), want, "slash_stem {p:?}");
            let how = *u
                .choose(&[
                    Use::StatLink,
                    Use::Reach,
                    Use::OpenCreate,
                    Use::Readlink,
                    Use::LinkFrom,
                    Use::NewEntry,
                    Use::CreateDirectory,
                    Use::Unlink,
                    Use::RemoveDirectory,
                    Use::Rename,
                ])
                .unwrap_or(&Use::Reach);
            let target = *u.choose(&[Target::Missing, Target::NotDirectory, Target::Directory]).unwrap_or(&Target::Missing);
            let r = slash_link_rule(how, || Ok(target));
            let changes_tree = !matches!(how, Use::StatLink | Use::Reach | Use::Readlink);
            if changes_tree {
                assert!(r.is_err(), "{how:?} through a link to {target:?} must not act: {r:?}");
            }
            if target != Target::Directory && how != Use::StatLink {
                assert!(r.is_err(), "{how:?} through a link to {target:?} must fail: {r:?}");
            }
        }
    });
}

/// What a listing buffer should yield, entry by entry: `Some(Ok(..))` an entry (type and name
/// length), `Some(Err)` an error in its place, then `None` at the end (or the error for a
/// record cut short, which repeats).
#[derive(Debug, PartialEq)]
enum Want {
    Entry(DescriptorType, u32),
    Error(ErrorCode),
    End,
}

/// `DirState::next` over a buffer of WASIp1 `dirent` records (the last buffer of a listing):
/// every complete record is one entry, `.` and `..` are skipped, a name that is not UTF-8 is
/// `illegal-byte-sequence` in its place and the listing goes on, a record cut short by the
/// end of the buffer is `name-too-long`, and the cookie follows each record's `next`.
/// The entry a complete record names.
fn entry(name: &[u8], ty: u8) -> Want {
    if core::str::from_utf8(name).is_ok() {
        Want::Entry(descriptor_type(ty), name.len() as u32)
    } else {
        Want::Error(ErrorCode::IllegalByteSequence)
    }
}

#[test]
fn fuzz_directory_entries() {
    fuzz("directory_entries", include_str!("../../fuzz/corpus/directory_entries.hex"), 8, 400, |u| {
        let mut st = std::boxed::Box::new(DirState { fd: 0, cookie: 0, pos: 0, len: 0, last: true, buf: [0; DIRBUF] });
        let mut want = Vec::new();
        let mut cookies = Vec::new();
        let mut at = 0usize;
        while !u.is_empty() && at + DIRENT <= DIRBUF {
            let name: Vec<u8> = match u.int_in_range(0..=5u8).unwrap_or(0) {
                0 => b".".to_vec(),
                1 => b"..".to_vec(),
                _ => {
                    let n = u.int_in_range(0..=9u8).unwrap_or(1);
                    (0..n).map(|_| if u.ratio(1, 6).unwrap_or(false) { u.arbitrary().unwrap_or(0xff) } else { b'n' }).collect()
                }
            };
            let ty: u8 = u.int_in_range(0..=8).unwrap_or(4);
            let next: u64 = u.arbitrary().unwrap_or(0);
            // Sometimes a length that overruns the buffer (a record cut short, or a lying host).
            let namlen = if u.ratio(1, 12).unwrap_or(false) { u.arbitrary::<u32>().unwrap_or(u32::MAX) } else { name.len() as u32 };
            st.buf[at..at + DIRENT].copy_from_slice(&p1::Dirent { next, ino: 0, namlen, ty }.bytes());
            at += DIRENT;
            let room = DIRBUF - at;
            let copy = name.len().min(room);
            st.buf[at..at + copy].copy_from_slice(&name[..copy]);
            if namlen as usize != name.len() || name.len() > room {
                // The buffer ends after the name's bytes that fit: a record whose length is
                // within them is complete (what follows is less than a header: the end);
                // one whose length runs past them is cut short.
                at += copy;
                st.len = at;
                if namlen as usize <= copy {
                    let start = at - copy;
                    let name = st.buf[start..start + namlen as usize].to_vec();
                    cookies.push(next);
                    if name != b"." && name != b".." {
                        want.push(entry(&name, ty));
                    }
                    want.push(Want::End);
                } else {
                    want.push(Want::Error(ErrorCode::NameTooLong));
                }
                break;
            }
            at += name.len();
            st.len = at;
            cookies.push(next);
            if name != b"." && name != b".." {
                want.push(entry(&name, ty));
            }
        }
        if !matches!(want.last(), Some(Want::End | Want::Error(ErrorCode::NameTooLong))) {
            want.push(Want::End);
        }
        let mut got = Vec::new();
        for _ in 0..want.len() {
            got.push(match st.next() {
                Ok(Some((ty, name))) => Want::Entry(ty, name.len),
                Ok(None) => Want::End,
                Err(e) => Want::Error(e),
            });
        }
        assert_eq!(got, want, "listing of {} bytes", st.len);
        if want.last() == Some(&Want::End) {
            assert_eq!(st.cookie, cookies.last().copied().unwrap_or(0), "the cookie is the last record's next");
            assert_eq!(st.next().ok().map(|e| e.is_none()), Some(true), "the end stays the end");
        } else {
            assert_eq!(st.next().err(), Some(ErrorCode::NameTooLong), "a cut record stays an error");
        }
    });
}
