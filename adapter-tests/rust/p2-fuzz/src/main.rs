//! The differential fuzzer's guest: `p2-fuzz STEPS SEED...`.
//!
//! For each seed, in a directory of its own (`/sandbox/s<SEED>`), it makes STEPS calls chosen
//! by a pseudo-random generator seeded with SEED — valid and invalid calls over wasi:filesystem
//! (open/read/write/stat/readdir/rename/unlink/mkdir/symlink/link/set-size/…), wasi:io streams
//! on files (read, skip, check-write/write, flush, write-zeroes, splice, subscribe), wasi:io
//! poll (stream pollables and monotonic-clock pollables of zero, short and long durations) and
//! wasi:clocks — and prints one line per step: `<seed>#<step> <call> <arguments> -> <result>`.
//! "Invalid" means bad arguments (paths, offsets, lengths, flags, the wrong kind of
//! descriptor), never a dead handle: every run must end normally.
//!
//! The transcript holds only what a conforming host must answer identically. Where WASIp2
//! leaves timing open (a native host's file streams work in background tasks), the calls are
//! composed so that the answer is determined, and what stays open is not printed (see
//! docs/design.md, "Fuzzing", for each such rule):
//! - a non-blocking `read`/`skip`/`splice` on an input stream comes after its pollable is
//!   ready, and asks for 4096 bytes: what a native host's ready file stream holds (it reads
//!   4096 bytes in the background when its pollable is waited on), so nothing is left buffered
//!   there to go stale;
//! - a non-blocking write step is `check-write` (after the stream's pollable is ready), `write`,
//!   `blocking-flush`, printing the first error (a native host writes in the background and
//!   reports a failure at the flush, the adapter at the write);
//! - `poll` prints, per pollable, whether it was ready only for pollables whose readiness is
//!   determined: one-hour clocks (never ready) and file output streams (always ready). File
//!   input streams (a native host reads in the background), 1 ms clocks, and zero or past
//!   deadlines (a native host makes them ready only after yielding once, so another ready
//!   pollable wins) print `?`;
//! - clocks print facts (monotonic time never decreases, a 1 ms wait lasts at least 1 ms),
//!   never times.
use wasip2::clocks::{monotonic_clock, wall_clock};
use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::*;
use wasip2::io::poll::{self, Pollable};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};

// splitmix64 (`Rng`): small, and the same sequence on every runtime.
include!("../../../../fuzz/splitmix64.rs");

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Names every step draws from (so steps meet each other's files).
const NAMES: &[&str] = &["a", "b", "c", "d", "d/x", "d/y", "e", "e/f", "e/f/g", "d/x/z", "b/c"];
/// Paths a host must refuse or resolve specially.
const ODD_PATHS: &[&str] = &[
    "", ".", "..", "../a", "/a", "/etc", "a\0b", "a/", "d/", "nope/x", "d/../a", "./a", "a/..", "d/./x", "d/..", "LONG",
];
/// Symlink targets.
const TARGETS: &[&str] = &["a", "b", "d", "d/x", "../a", "nope", ".", "..", "e/f/g", "../../x", "/etc", "/"];


/// Live resources of one kind, each with the number it was created under.
struct Pool<T>(Vec<(u32, T)>);

impl<T> Pool<T> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn remove(&mut self, i: usize) {
        self.0.remove(i);
    }
    fn id(&self, i: usize) -> u32 {
        self.0[i].0
    }
}

impl<T> std::ops::Index<usize> for Pool<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.0[i].1
    }
}

struct Fuzz {
    rng: Rng,
    root: Descriptor,
    dirs: Pool<Descriptor>,
    files: Pool<Descriptor>,
    ins: Pool<InputStream>,
    outs: Pool<OutputStream>,
    /// Numbers the resources in the transcript by creation, so a line names the same one on
    /// every runtime and in a reproduction.
    created: u32,
    /// Classes of calls not made (`P2_FUZZ_AVOID`, comma-separated): differences between
    /// runtimes already known and listed in docs/design.md ("Fuzzing"), kept out of the fixed
    /// budget until they are fixed.
    avoid: Vec<String>,
    last_mono: u64,
}

fn fnv(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in b {
        h = (h ^ c as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn bytes_summary(b: &[u8]) -> String {
    format!("{} bytes {:016x}", b.len(), fnv(b))
}

fn stream_err(e: StreamError) -> String {
    match e {
        StreamError::LastOperationFailed(err) => format!("failed({})", filesystem_error_code(&err).wit()),
        StreamError::Closed => "closed".into(),
    }
}

fn stat_summary(s: &DescriptorStat) -> String {
    // Directories' sizes and link counts depend on the host file system; times on the clock.
    if s.type_ == DescriptorType::Directory {
        format!("{:?}", s.type_)
    } else {
        format!(
            "{:?} size {} links {} times {} {} {}",
            s.type_,
            s.size,
            s.link_count,
            s.data_access_timestamp.is_some(),
            s.data_modification_timestamp.is_some(),
            s.status_change_timestamp.is_some()
        )
    }
}

/// An `error-code` by its WIT name.
trait Named {
    fn wit(&self) -> &'static str;
}
impl Named for ErrorCode {
    fn wit(&self) -> &'static str {
        self.name()
    }
}
impl Named for &ErrorCode {
    fn wit(&self) -> &'static str {
        self.name()
    }
}
impl Named for Option<ErrorCode> {
    fn wit(&self) -> &'static str {
        self.as_ref().map_or("none", |e| e.name())
    }
}

fn res<T, E: Named>(r: Result<T, E>, ok: impl FnOnce(T) -> String) -> String {
    match r {
        Ok(v) => format!("ok {}", ok(v)),
        Err(e) => format!("err {}", e.wit()),
    }
}

impl Fuzz {
    fn avoids(&self, class: &str) -> bool {
        self.avoid.iter().any(|c| c == class)
    }

    fn path(&mut self) -> String {
        let p = if self.rng.chance(85) {
            self.rng.pick(NAMES).to_string()
        } else {
            match self.rng.pick(ODD_PATHS) {
                "LONG" => "n".repeat(300),
                p => p.to_string(),
            }
        };
        if self.avoids("trailing-slash") && p.len() > 1 && p.ends_with('/') {
            return p.trim_end_matches('/').to_string();
        }
        p
    }

    /// The two paths of `rename-at` / `link-at`: without NUL bytes when `nul-order` is avoided,
    /// without `.`/`..` as the last component when `link-dot` is (for both calls, so that the
    /// random sequence does not depend on the call).
    fn two_paths(&self, p: String, q: String) -> (String, String) {
        let (mut p, mut q) = (p, q);
        if self.avoids("nul-order") {
            (p, q) = (p.replace('\0', ""), q.replace('\0', ""));
        }
        if self.avoids("link-dot") {
            let dot = |s: &str| s == "." || s == ".." || s.ends_with("/..") || s.ends_with("/.");
            if dot(&p) {
                p = "a".into();
            }
            if dot(&q) {
                q = "b".into();
            }
        }
        (p, q)
    }

    /// A directory to resolve a path from: mostly the seed's root; sometimes a file (the
    /// call must fail with `not-directory`).
    fn base(&mut self) -> (&Descriptor, &'static str) {
        // (Which file or directory is not printed: the result says enough, and the choice
        // stays reproducible from the seed.)
        let r = self.rng.below(100);
        if r < 8 && !self.files.is_empty() {
            let i = self.rng.below(self.files.len());
            (&self.files[i], "a file")
        } else if r < 35 && !self.dirs.is_empty() {
            let i = self.rng.below(self.dirs.len());
            (&self.dirs[i], "a dir")
        } else {
            (&self.root, "root")
        }
    }

    /// A descriptor for a file operation: mostly a file; sometimes a directory.
    fn target(&mut self) -> (&Descriptor, String) {
        let r = self.rng.below(100);
        if r < 85 && !self.files.is_empty() {
            let i = self.rng.below(self.files.len());
            (&self.files[i], format!("f{}", self.files.id(i)))
        } else if r < 95 && !self.dirs.is_empty() {
            let i = self.rng.below(self.dirs.len());
            (&self.dirs[i], format!("d{}", self.dirs.id(i)))
        } else {
            (&self.root, "root".into())
        }
    }

    fn data(&mut self) -> Vec<u8> {
        let n = self.rng.pick(&[0usize, 1, 5, 17, 64]);
        (0..n).map(|_| b'a' + self.rng.below(26) as u8).collect()
    }

    /// Offsets below 1024 mostly; sometimes past the end, or huge.
    fn offset(&mut self) -> u64 {
        if self.rng.chance(85) {
            self.rng.below(1024) as u64
        } else {
            self.rng.pick(&[5000, i64::MAX as u64, u64::MAX - 3, u64::MAX])
        }
    }

    fn step(&mut self) -> String {
        // Keep the number of live resources small.
        if self.files.len() > 8 {
            self.files.remove(0);
        }
        if self.dirs.len() > 4 {
            self.dirs.remove(0);
        }
        if self.ins.len() > 6 {
            self.ins.remove(0);
        }
        if self.outs.len() > 6 {
            self.outs.remove(0);
        }
        match self.rng.below(100) {
            0..=11 => self.open_at(),
            12..=16 => self.read(),
            17..=21 => self.write(),
            22..=24 => {
                let (d, what) = self.target();
                format!("stat {what} -> {}", res(d.stat(), |s| stat_summary(&s)))
            }
            25..=28 => {
                let follow = self.rng.chance(50);
                let p = self.path();
                let (b, what) = self.base();
                let flags = if follow { PathFlags::SYMLINK_FOLLOW } else { PathFlags::empty() };
                format!("stat-at {what} {p:?} follow {follow} -> {}", res(b.stat_at(flags, &p), |s| stat_summary(&s)))
            }
            29..=32 => self.readdir(),
            33..=35 => {
                let (p, q) = (self.path(), self.path());
                let (p, q) = self.two_paths(p, q);
                let other = self.rng.chance(20) && !self.dirs.is_empty();
                let to = if other { self.dirs[self.rng.below(self.dirs.len())].clone_ref() } else { None };
                let (b, what) = self.base();
                let r = match &to {
                    Some(t) => b.rename_at(&p, t, &q),
                    None => b.rename_at(&p, b, &q),
                };
                format!("rename-at {what} {p:?} -> {q:?} (other dir {other}) -> {}", res(r, |_| String::new()))
            }
            36..=38 => {
                let p = self.path();
                let (b, what) = self.base();
                format!("unlink-file-at {what} {p:?} -> {}", res(b.unlink_file_at(&p), |_| String::new()))
            }
            39..=42 => {
                let p = self.path();
                let (b, what) = self.base();
                format!("create-directory-at {what} {p:?} -> {}", res(b.create_directory_at(&p), |_| String::new()))
            }
            43..=45 => {
                let p = self.path();
                let (b, what) = self.base();
                format!("remove-directory-at {what} {p:?} -> {}", res(b.remove_directory_at(&p), |_| String::new()))
            }
            46..=47 => {
                let mut t = self.rng.pick(TARGETS);
                if self.avoids("symlink-dot") && (t == "." || t == "..") {
                    t = "a";
                }
                let p = self.path();
                let (b, what) = self.base();
                format!("symlink-at {what} {t:?} {p:?} -> {}", res(b.symlink_at(t, &p), |_| String::new()))
            }
            48..=49 => {
                let p = self.path();
                let (b, what) = self.base();
                format!("readlink-at {what} {p:?} -> {}", res(b.readlink_at(&p), |s| format!("{s:?}")))
            }
            50 => {
                let (p, q) = (self.path(), self.path());
                let (p, q) = self.two_paths(p, q);
                let follow = self.rng.chance(30);
                let flags = if follow { PathFlags::SYMLINK_FOLLOW } else { PathFlags::empty() };
                let (b, what) = self.base();
                format!("link-at {what} {p:?} -> {q:?} follow {follow} -> {}", res(b.link_at(flags, &p, b, &q), |_| String::new()))
            }
            51..=52 => {
                let size = if self.rng.chance(85) { self.rng.pick(&[0u64, 1, 100, 2048]) } else { self.rng.pick(&[i64::MAX as u64 + 1, u64::MAX]) };
                let (d, what) = self.target();
                format!("set-size {what} {size} -> {}", res(d.set_size(size), |_| String::new()))
            }
            53..=54 => {
                let (d, what) = self.target();
                format!("get-flags/type {what} -> {:?} {:?}", d.get_flags(), d.get_type())
            }
            55..=56 => {
                let k = self.rng.below(3);
                let (d, what) = self.target();
                let r = match k {
                    0 => d.sync(),
                    1 => d.sync_data(),
                    _ => d.advise(3, 10, Advice::WillNeed),
                };
                format!("sync/sync-data/advise({k}) {what} -> {}", res(r, |_| String::new()))
            }
            57 => {
                let secs = self.rng.pick(&[0u64, 1_000_000_000, 1_700_000_000]);
                let ns = self.rng.pick(&[0u32, 42, 999_999_999, 1_500_000_000]);
                // The epoch itself (0 ns) reads back as "no timestamp" through WASIp1, whose
                // filestat cannot say "none" otherwise (docs/design.md, "Fuzzing").
                let ns = if secs == 0 && ns == 0 { 1 } else { ns };
                let t = NewTimestamp::Timestamp(wall_clock::Datetime { seconds: secs, nanoseconds: ns });
                let (d, what) = self.target();
                let r = d.set_times(NewTimestamp::NoChange, t);
                let after = d.stat().ok().and_then(|s| s.data_modification_timestamp).map(|t| (t.seconds, t.nanoseconds));
                format!("set-times {what} mtime {secs}.{ns} -> {} then mtime {after:?}", res(r, |_| String::new()))
            }
            58..=59 => {
                let (p, follow) = (self.path(), self.rng.chance(50));
                let flags = if follow { PathFlags::SYMLINK_FOLLOW } else { PathFlags::empty() };
                let (a, wa) = self.target();
                let ha = a.metadata_hash().map(|h| (h.lower, h.upper));
                let (b, wb) = self.base();
                let hb = b.metadata_hash_at(flags, &p).map(|h| (h.lower, h.upper));
                let same = match (&ha, &hb) {
                    (Ok(x), Ok(y)) => format!("{}", x == y),
                    _ => format!("{} {}", ha.err().wit(), hb.err().wit()),
                };
                format!("metadata-hash {wa} vs hash-at {wb} {p:?} follow {follow} -> same {same}")
            }
            60 => {
                let (a, wa) = self.target();
                let a = a.clone_ref();
                let (b, wb) = self.target();
                format!("is-same-object {wa} {wb} -> {}", a.as_ref().map(|a| a.is_same_object(b)).unwrap_or(true))
            }
            61..=63 => {
                let off = self.offset().min(if self.rng.chance(90) { 1023 } else { u64::MAX });
                let (d, what) = self.target();
                let r = d.read_via_stream(off);
                self.made_stream(format!("read-via-stream {what} {off}"), 'i', r, |me| &mut me.ins)
            }
            64..=66 => {
                let off = self.rng.below(1024) as u64;
                let (d, what) = self.target();
                let r = d.write_via_stream(off);
                self.made_stream(format!("write-via-stream {what} {off}"), 'o', r, |me| &mut me.outs)
            }
            67..=68 => {
                let (d, what) = self.target();
                let r = d.append_via_stream();
                self.made_stream(format!("append-via-stream {what}"), 'o', r, |me| &mut me.outs)
            }
            69..=79 => self.input(),
            80..=90 => self.output(),
            91..=94 => self.poll(),
            95..=96 => self.clocks(),
            _ => self.drop_one(),
        }
    }

    /// The line of a call that makes a stream: its result, then the stream's name (`i`/`o` and
    /// its creation number, taken whether or not it was made); a made stream joins `pool`.
    fn made_stream<S>(&mut self, call: String, kind: char, r: Result<S, ErrorCode>, pool: impl FnOnce(&mut Self) -> &mut Pool<S>) -> String {
        let line = format!("{call} -> {} {kind}{}", res(r.as_ref().map(|_| ()), |_| String::new()), self.created);
        if let Ok(s) = r {
            let n = self.created;
            pool(self).0.push((n, s));
        }
        self.created += 1;
        line
    }

    fn open_at(&mut self) -> String {
        let p = self.path();
        let mut pf = PathFlags::empty();
        if self.rng.chance(50) {
            pf |= PathFlags::SYMLINK_FOLLOW;
        }
        let mut of = OpenFlags::empty();
        for (f, pct) in [(OpenFlags::CREATE, 55), (OpenFlags::DIRECTORY, 20), (OpenFlags::EXCLUSIVE, 15), (OpenFlags::TRUNCATE, 10)] {
            if self.rng.chance(pct) {
                of |= f;
            }
        }
        let mut df = DescriptorFlags::empty();
        for (f, pct) in [
            (DescriptorFlags::READ, 70),
            (DescriptorFlags::WRITE, 50),
            (DescriptorFlags::MUTATE_DIRECTORY, 10),
            (DescriptorFlags::FILE_INTEGRITY_SYNC, 3),
        ] {
            if self.rng.chance(pct) {
                df |= f;
            }
        }
        let (b, what) = self.base();
        let r = b.open_at(pf, &p, of, df);
        let line = format!(
            "open-at {what} {p:?} {pf:?} {of:?} {df:?} -> {}",
            res(r.as_ref(), |d| format!("{:?} {:?}", d.get_type(), d.get_flags()))
        );
        let id = self.created;
        self.created += 1;
        match r {
            Ok(d) if d.get_type() == Ok(DescriptorType::Directory) => {
                self.dirs.0.push((id, d));
                format!("{line} d{id}")
            }
            Ok(d) => {
                self.files.0.push((id, d));
                format!("{line} f{id}")
            }
            Err(_) => line,
        }
    }

    fn read(&mut self) -> String {
        let len = self.rng.pick(&[0u64, 1, 16, 100, 4096, 1 << 20, u64::MAX]);
        let off = if self.rng.chance(80) { self.rng.below(4096) as u64 } else { self.offset() };
        let (d, what) = self.target();
        format!("read {what} {len} at {off} -> {}", res(d.read(len, off), |(b, end)| format!("{} end {end}", bytes_summary(&b))))
    }

    fn write(&mut self) -> String {
        let data = self.data();
        let off = self.offset();
        let (d, what) = self.target();
        format!("write {what} {} at {off} -> {}", bytes_summary(&data), res(d.write(&data, off), |n| n.to_string()))
    }

    fn readdir(&mut self) -> String {
        let (d, what) = self.target();
        let what = what.clone();
        let r = d.read_directory().map(|s| {
            let mut names = Vec::new();
            let mut end = String::new();
            loop {
                match s.read_directory_entry() {
                    Ok(Some(e)) => names.push(format!("{}:{:?}", e.name, e.type_)),
                    Ok(None) => break,
                    Err(e) => {
                        end = format!(" then {e:?}");
                        break;
                    }
                }
            }
            names.sort();
            format!("{names:?}{end}")
        });
        format!("read-directory {what} -> {}", res(r, |s| s))
    }

    /// An input-stream call on a random live stream.
    fn input(&mut self) -> String {
        if self.ins.is_empty() {
            return "input: none".into();
        }
        let i = self.rng.below(self.ins.len());
        let k = self.rng.below(5);
        let avoid_zero = self.avoids("blocking-zero");
        let s = &self.ins[i];
        let i = self.ins.id(i);
        match k {
            0 | 1 => {
                let len = self.rng.pick(&[0u64, 1, 3, 64, 4096, 1 << 20]);
                let len = if len == 0 && avoid_zero { 1 } else { len };
                format!("i{i} blocking-read {len} -> {}", s.blocking_read(len).map_or_else(stream_err, |b| bytes_summary(&b)))
            }
            2 => {
                let len = 4096;
                s.subscribe().block();
                format!("i{i} ready, read {len} -> {}", s.read(len).map_or_else(stream_err, |b| bytes_summary(&b)))
            }
            3 => {
                let len = 4096;
                s.subscribe().block();
                format!("i{i} ready, skip {len} -> {}", s.skip(len).map_or_else(stream_err, |n| n.to_string()))
            }
            _ => {
                let len = self.rng.pick(&[0u64, 1, 10, 4096]);
                let len = if len == 0 && avoid_zero { 1 } else { len };
                format!("i{i} blocking-skip {len} -> {}", s.blocking_skip(len).map_or_else(stream_err, |n| n.to_string()))
            }
        }
    }

    /// An output-stream call on a random live stream.
    fn output(&mut self) -> String {
        if self.outs.is_empty() {
            return "output: none".into();
        }
        let i = self.rng.below(self.outs.len());
        let k = self.rng.below(8);
        let data = self.data();
        let n = data.len() as u64;
        let o = &self.outs[i];
        let i = self.outs.id(i);
        let done = |r: Result<String, StreamError>| r.unwrap_or_else(stream_err);
        match k {
            0 | 1 => {
                // check-write (once ready), write, blocking-flush: the first error.
                o.subscribe().block();
                let r = o.check_write().and_then(|p| {
                    o.write(&data[..(n.min(p) as usize)])?;
                    o.blocking_flush()?;
                    Ok(format!("permit {p}"))
                });
                format!("o{i} check-write, write {}, blocking-flush -> {}", bytes_summary(&data), done(r))
            }
            2 => format!("o{i} blocking-write-and-flush {} -> {}", bytes_summary(&data), done(o.blocking_write_and_flush(&data).map(|()| "ok".into()))),
            3 => {
                o.subscribe().block();
                let r = o.check_write().and_then(|p| {
                    o.write_zeroes(n.min(p))?;
                    o.blocking_flush()?;
                    Ok(format!("permit {p}"))
                });
                format!("o{i} check-write, write-zeroes {n}, blocking-flush -> {}", done(r))
            }
            4 => format!("o{i} blocking-write-zeroes-and-flush {n} -> {}", done(o.blocking_write_zeroes_and_flush(n).map(|()| "ok".into()))),
            5 => {
                // splice from a random input stream: blocking, or after both are ready (then
                // 4096 bytes, what a native host's ready input stream holds).
                if self.ins.is_empty() {
                    return format!("o{i} splice: no input stream");
                }
                let j = self.rng.below(self.ins.len());
                let blocking = self.rng.chance(50);
                let src = &self.ins[j];
                let j = self.ins.id(j);
                let (len, r) = if blocking {
                    let len = self.rng.pick(&[1u64, 17, 64, 4096]);
                    (len, o.blocking_splice(src, len))
                } else {
                    // check-write before waiting on the input: natively that wait reads 4096
                    // bytes ahead, which a splice into a closed output (refused before it
                    // reads) would leave buffered, to be read later stale.
                    o.subscribe().block();
                    match o.check_write() {
                        Err(e) => (4096, Err(e)),
                        Ok(_) => {
                            src.subscribe().block();
                            (4096, o.splice(src, 4096))
                        }
                    }
                };
                let r = r.and_then(|n| o.blocking_flush().map(|()| n.to_string()));
                format!("o{i} splice from i{j} blocking {blocking} {len}, blocking-flush -> {}", done(r))
            }
            6 => format!("o{i} flush -> {}", done(o.flush().map(|()| "ok".into()))),
            _ => format!("o{i} blocking-flush -> {}", done(o.blocking_flush().map(|()| "ok".into()))),
        }
    }

    fn poll(&mut self) -> String {
        // 0: clock 0 ns, 1: clock 1 ms, 2: clock 1 h, 3: instant in the past, 4: output
        // stream, 5: input stream.
        let count = 1 + self.rng.below(4);
        let mut kinds: Vec<(usize, usize)> = (0..count)
            .map(|_| {
                let k = self.rng.below(6);
                match k {
                    4 if !self.outs.is_empty() => (4, self.rng.below(self.outs.len())),
                    5 if !self.ins.is_empty() => (5, self.rng.below(self.ins.len())),
                    4 | 5 => (0, 0),
                    k => (k, 0),
                }
            })
            .collect();
        if kinds.iter().all(|k| k.0 == 2) {
            kinds[0] = (0, 0);
        }
        let now = monotonic_clock::now();
        let ps: Vec<Pollable> = kinds
            .iter()
            .map(|&(k, i)| match k {
                0 => monotonic_clock::subscribe_duration(0),
                1 => monotonic_clock::subscribe_duration(1_000_000),
                2 => monotonic_clock::subscribe_duration(3_600_000_000_000),
                3 => monotonic_clock::subscribe_instant(now.saturating_sub(1)),
                4 => self.outs[i].subscribe(),
                _ => self.ins[i].subscribe(),
            })
            .collect();
        let refs: Vec<&Pollable> = ps.iter().collect();
        let ready = poll::poll(&refs);
        let valid = !ready.is_empty() && ready.iter().all(|&i| (i as usize) < ps.len());
        let shown: String = kinds
            .iter()
            .enumerate()
            .map(|(j, &(k, _))| match k {
                0 | 1 | 3 | 5 => '?',
                _ if ready.contains(&(j as u32)) => 'r',
                _ => '-',
            })
            .collect();
        let names: Vec<String> = kinds
            .iter()
            .map(|&(k, i)| match k {
                0 => "clock0".into(),
                1 => "clock1ms".into(),
                2 => "clock1h".into(),
                3 => "past".into(),
                4 => format!("o{i}"),
                _ => format!("i{i}"),
            })
            .collect();
        // Settle the input streams (a native host reads in the background) and drain what they
        // hold, so that nothing stays buffered in a native stream.
        let mut drained = Vec::new();
        for (j, &(k, i)) in kinds.iter().enumerate() {
            if k == 5 {
                ps[j].block();
            }
            let _ = i;
        }
        drop(refs);
        drop(ps);
        let mut seen = Vec::new();
        for &(k, i) in &kinds {
            if k == 5 && !seen.contains(&i) {
                seen.push(i);
                drained.push(format!("i{i} {}", self.ins[i].read(4096).map_or_else(stream_err, |b| bytes_summary(&b))));
            }
        }
        format!("poll {names:?} -> valid {valid} ready {shown} drained {drained:?}")
    }

    fn clocks(&mut self) -> String {
        match self.rng.below(4) {
            0 => {
                let t = monotonic_clock::now();
                let ok = t >= self.last_mono;
                self.last_mono = t;
                let r = monotonic_clock::resolution();
                format!("monotonic now non-decreasing {ok}, resolution in (0, 1 ms] {}", r > 0 && r <= 1_000_000)
            }
            1 => {
                let t = wall_clock::now();
                let r = wall_clock::resolution();
                format!(
                    "wall now after 2020 {} nanoseconds < 1e9 {}, resolution in (0, 1 s] {}",
                    t.seconds > 1_577_836_800,
                    t.nanoseconds < 1_000_000_000,
                    (r.seconds == 0 && r.nanoseconds > 0) || (r.seconds == 1 && r.nanoseconds == 0)
                )
            }
            2 => {
                let d = self.rng.pick(&[0u64, 1, 1_000_000]);
                let t0 = monotonic_clock::now();
                let p = monotonic_clock::subscribe_duration(d);
                p.block();
                let el = monotonic_clock::now().saturating_sub(t0);
                self.last_mono = self.last_mono.max(t0 + el);
                format!("subscribe-duration {d} block: lasted at least {d} ns {}, ready after {}", el >= d, p.ready())
            }
            _ => {
                let now = monotonic_clock::now();
                let past = monotonic_clock::subscribe_instant(now.saturating_sub(10));
                let far = monotonic_clock::subscribe_instant(now.saturating_add(3_600_000_000_000));
                let never = monotonic_clock::subscribe_instant(u64::MAX);
                // (A native host's past deadline is ready only after one yield: `past.ready()`
                // is not determined, `block` then `ready` is.)
                past.block();
                format!("subscribe-instant past blocks and is ready {}, in 1 h ready {}, at u64::MAX ready {}", past.ready(), far.ready(), never.ready())
            }
        }
    }

    fn drop_one(&mut self) -> String {
        /// Drops a random member of a non-empty `pool`, named `kind` and its creation number.
        fn drop_from<T>(rng: &mut Rng, pool: &mut Pool<T>, kind: char) -> String {
            let i = rng.below(pool.len());
            let id = pool.id(i);
            pool.remove(i);
            format!("drop {kind}{id}")
        }
        match self.rng.below(4) {
            0 if !self.files.is_empty() => drop_from(&mut self.rng, &mut self.files, 'f'),
            1 if !self.dirs.is_empty() => drop_from(&mut self.rng, &mut self.dirs, 'd'),
            2 if !self.ins.is_empty() => drop_from(&mut self.rng, &mut self.ins, 'i'),
            3 if !self.outs.is_empty() => drop_from(&mut self.rng, &mut self.outs, 'o'),
            k => format!("drop({k}): none"),
        }
    }
}

trait CloneRef {
    fn clone_ref(&self) -> Option<Descriptor>;
}

impl CloneRef for Descriptor {
    /// Another descriptor for the same directory (`open-at "."`), for a call that takes two.
    fn clone_ref(&self) -> Option<Descriptor> {
        self.open_at(PathFlags::empty(), ".", OpenFlags::DIRECTORY, DescriptorFlags::READ).ok()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let steps: u32 = args.get(1).and_then(|s| s.parse().ok()).expect("usage: p2-fuzz STEPS SEED...");
    let dirs = get_directories();
    let sandbox = &dirs.iter().find(|(_, n)| n == "/sandbox").expect("/sandbox preopened").0;
    let avoid: Vec<String> = std::env::var("P2_FUZZ_AVOID").unwrap_or_default().split(',').filter(|c| !c.is_empty()).map(String::from).collect();
    println!("avoiding {avoid:?}");
    for seed in &args[2..] {
        let seed: u64 = seed.parse().expect("a seed is a number");
        let name = format!("s{seed}");
        sandbox.create_directory_at(&name).expect("creating the seed's directory");
        let rw = DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY;
        let root = sandbox.open_at(PathFlags::empty(), &name, OpenFlags::DIRECTORY, rw).expect("opening the seed's directory");
        let mut f = Fuzz {
            rng: Rng(seed),
            root,
            dirs: Pool(Vec::new()),
            files: Pool(Vec::new()),
            ins: Pool(Vec::new()),
            outs: Pool(Vec::new()),
            created: 0,
            avoid: avoid.clone(),
            last_mono: 0,
        };
        for step in 0..steps {
            let line = f.step();
            println!("{seed}#{step} {line}");
        }
        // Streams go before their descriptors (either order is valid; this one is the common one).
        drop(f.ins);
        drop(f.outs);
        println!("{seed} done");
    }
}
