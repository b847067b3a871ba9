//! Transparent zero-copy reads: which of wasi-libc's read functions the link interposes on.
//!
//! wasi-libc's WASI 0.2 `read` gets its bytes as a list the adapter allocates with the
//! program's `cabi_realloc`, copies them into the caller's buffer and frees the list. When the
//! program's libc is one of the known builds, the linker links again with
//! `wasm-ld --wrap=F` for its read functions and `wasip2_list_u8_free`: the adapter's
//! `__wrap_F` arms the caller's buffer around the original (`__real_F`), the read lands in
//! that buffer, and the wrapped free leaves it alone (see `libc_read` in the adapter's
//! `src/alloc.rs`). That is safe only for code known to use the buffer exactly so — one
//! read of at most its length, `memcpy(buffer, list.ptr, list.len)`, `wasip2_list_u8_free` —
//! so each function is recognised by a fingerprint of its code in the linked module
//! ([`fingerprint`]): anything else (another libc version, an LTO build, a program's own
//! `read`) keeps today's path, and `--verbose` says why.
//!
//! The same interposition serves wasi-libc's `__wasilibc_write` in one step (`check-write`,
//! `write` and `blocking-flush` in one adapter call, `libc_write` in `src/io/streams.rs`),
//! when it is the known build: the adapter reads its `wasi_write_t`, whose layout the
//! fingerprint pins. So are `poll`, `fstat`, `readdir` and `__wasilibc_nocwd_fstatat` (the
//! end of `stat`, `lstat` and `fstatat`) (`src/io/libc_poll.rs`, `src/filesystem/libc_stat.rs`,
//! `src/filesystem/libc_dirent.rs`), each only when every function its wrapper relies on (its
//! parts, [`PARTS`]) is the known build too.
//!
//! Rust 1.95's wasm32-wasip2 libc (an earlier wasi-libc, built as position-independent code)
//! has the very `fstat` and `readdir` of wasi-libc 161b319, a `__wasilibc_nocwd_fstatat` that
//! differs only in being position-independent, and other builds of some of their parts, doing
//! the same for everything the wrappers rely on. A top-level function is wrapped when every
//! part of one libc's list in [`PARTS`] is that libc's known build.

use crate::rewrite::Info;
use anyhow::Result;
use std::collections::BTreeMap;
use wasmparser::{Operator, Parser, Payload};

/// What a recognised function is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A read into a caller buffer (the wrapped functions' arguments: see the adapter).
    Read,
    /// `wasip2_list_u8_free`.
    Free,
    /// `__wasilibc_write`: served in one step by the adapter (`libc_write` in
    /// `src/io/streams.rs`), not a zero-copy matter but the same interposition.
    Write,
    /// `poll`: served in one step by the adapter (`src/io/libc_poll.rs`), wrapped only when
    /// every one of [`POLL_PARTS`] is a known build too.
    Poll,
    /// `fstat`: served in one step by the adapter for files and directories
    /// (`src/filesystem/libc_stat.rs`), wrapped only when every one of its [`PARTS`] is a
    /// known build too.
    Fstat,
    /// `readdir`: served in one step by the adapter for the entries after `.` and `..`
    /// (`src/filesystem/libc_dirent.rs`), wrapped only when every one of its [`PARTS`]
    /// is a known build too.
    Readdir,
    /// `__wasilibc_nocwd_fstatat`, the end of `stat`, `lstat` and `fstatat`: served in one step
    /// by the adapter for ASCII paths not ending in `/` (`src/filesystem/libc_stat.rs`),
    /// wrapped only when every one of its [`PARTS`] is a known build too.
    Fstatat,
    /// Not wrapped: a function a one-step wrapper (`__wrap_poll`, `__wrap_fstat`) calls, or
    /// whose work it does in the original's place, pinned so that it is the one the adapter
    /// was written against. A part one build inlines into its caller is pinned by the caller's
    /// fingerprint (its code, calls by name) and is not in that libc's list.
    Part,
}

impl Role {
    /// A function served in one step, wrapped only when its parts ([`PARTS`]) are known too.
    pub fn is_one_step(self) -> bool {
        matches!(self, Role::Poll | Role::Fstat | Role::Readdir | Role::Fstatat)
    }
}

/// A known build of a wasi-libc function.
pub struct Known {
    pub symbol: &'static str,
    pub fingerprint: u64,
    pub role: Role,
    /// Where this build comes from.
    pub libc: &'static str,
}

/// The known builds (fingerprints printed by `wasip2-on-wasip1-ld --verbose`).
pub const KNOWN: &[Known] = &[
    Known { symbol: "__wasilibc_read", fingerprint: 0x2a38_deb3_b077_c947, role: Role::Read, libc: DEBIAN_2026 },
    Known { symbol: "pread", fingerprint: 0x8b01_114b_607a_350f, role: Role::Read, libc: DEBIAN_2026 },
    Known { symbol: "read", fingerprint: 0xdced_f822_7e5f_df6f, role: Role::Read, libc: RUST_195 },
    Known { symbol: "__wasilibc_write", fingerprint: 0x0000_6e17_a447_ce35, role: Role::Write, libc: DEBIAN_2026 },
    Known { symbol: "poll", fingerprint: 0x0c51_d950_d41b_3ce9, role: Role::Poll, libc: DEBIAN_2026 },
    Known { symbol: "poll_impl", fingerprint: 0x00f0_23ab_7386_3d85, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "descriptor_table_get_ref", fingerprint: 0x57e6_334a_aba6_6314, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "streams_method_input_stream_subscribe", fingerprint: 0x3b3a_bb59_12c2_c7f4, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "streams_method_output_stream_subscribe", fingerprint: 0x9c48_25db_cf8c_21d3, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "poll_borrow_pollable", fingerprint: 0xe503_dbeb_be53_1460, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "monotonic_clock_subscribe_duration", fingerprint: 0xaa27_af8d_9c27_3092, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "poll_poll", fingerprint: 0xbc75_e9f1_e74a_d84c, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "wasip2_list_u32_free", fingerprint: 0xa893_8726_71cc_7da1, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "poll_pollable_drop_own", fingerprint: 0x181b_cecc_f952_722b, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "fstat", fingerprint: 0xd2a9_a0c7_b23c_54a9, role: Role::Fstat, libc: DEBIAN_2026 },
    Known { symbol: "file_get_file", fingerprint: 0x8364_e8fb_55a1_44fa, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_borrow_descriptor", fingerprint: 0xe503_dbeb_be53_1460, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "file_fstat", fingerprint: 0x9d57_0d84_48f1_0b5f, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_method_descriptor_metadata_hash", fingerprint: 0x116a_1eb0_3107_f975, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_method_descriptor_stat", fingerprint: 0x6dc8_c8c1_39dc_e1cd, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_descriptor_stat_free", fingerprint: 0x65ea_292d_9959_3ce7, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "readdir", fingerprint: 0x4682_d740_6d7e_29ca, role: Role::Readdir, libc: DEBIAN_2026 },
    Known { symbol: "readdir_next", fingerprint: 0x86dc_551d_d48b_4e2b, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_method_directory_entry_stream_read_directory_entry", fingerprint: 0xbe26_c46d_1bbe_5f10, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_method_descriptor_metadata_hash_at", fingerprint: 0xa6df_9c42_31e9_c198, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_directory_entry_free", fingerprint: 0x2044_caab_03ab_1a75, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_borrow_directory_entry_stream", fingerprint: 0xe503_dbeb_be53_1460, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "__wasilibc_nocwd_fstatat", fingerprint: 0x88f0_6313_caf8_0002, role: Role::Fstatat, libc: DEBIAN_2026 },
    Known { symbol: "wasi_string_from_c", fingerprint: 0x4bbf_9892_aea7_3ed3, role: Role::Part, libc: DEBIAN_2026 },
    Known { symbol: "filesystem_method_descriptor_stat_at", fingerprint: 0x71d7_033f_be5b_b965, role: Role::Part, libc: DEBIAN_2026 },
    // Rust 1.95's: the same `fstat` and `readdir` as 161b319's; its `readdir_next`,
    // `descriptor_table_get_ref` and `file_fstat` are PIC builds of the same code (data reached
    // through `__memory_base`, `errno` through its GOT global), with these differences the
    // wrappers never reach: `readdir_next` frees the entry's name with `wasip2_string_free`
    // (the same work as `filesystem_directory_entry_free`), leaks it when growing the dirent
    // fails, and inlines `translate_error`; `file_fstat` calls no `filesystem_descriptor_stat_free`
    // (which frees nothing).
    Known { symbol: "fstat", fingerprint: 0xd2a9_a0c7_b23c_54a9, role: Role::Fstat, libc: RUST_195 },
    Known { symbol: "readdir", fingerprint: 0x4682_d740_6d7e_29ca, role: Role::Readdir, libc: RUST_195 },
    Known { symbol: "descriptor_table_get_ref", fingerprint: 0xf879_808b_ba4e_70d4, role: Role::Part, libc: RUST_195 },
    Known { symbol: "file_get_file", fingerprint: 0x8364_e8fb_55a1_44fa, role: Role::Part, libc: RUST_195 },
    Known { symbol: "filesystem_borrow_descriptor", fingerprint: 0xe503_dbeb_be53_1460, role: Role::Part, libc: RUST_195 },
    Known { symbol: "file_fstat", fingerprint: 0x77fa_1168_7b61_5a7c, role: Role::Part, libc: RUST_195 },
    Known { symbol: "filesystem_method_descriptor_metadata_hash", fingerprint: 0x116a_1eb0_3107_f975, role: Role::Part, libc: RUST_195 },
    Known { symbol: "filesystem_method_descriptor_stat", fingerprint: 0x6dc8_c8c1_39dc_e1cd, role: Role::Part, libc: RUST_195 },
    Known { symbol: "readdir_next", fingerprint: 0x0c4a_8815_bf3b_9ea8, role: Role::Part, libc: RUST_195 },
    Known { symbol: "filesystem_method_directory_entry_stream_read_directory_entry", fingerprint: 0xbe26_c46d_1bbe_5f10, role: Role::Part, libc: RUST_195 },
    Known { symbol: "filesystem_method_descriptor_metadata_hash_at", fingerprint: 0xa6df_9c42_31e9_c198, role: Role::Part, libc: RUST_195 },
    Known { symbol: "wasip2_string_free", fingerprint: 0xd0fc_b6da_93d4_0af1, role: Role::Part, libc: RUST_195 },
    Known { symbol: "__wasilibc_nocwd_fstatat", fingerprint: 0xd6d1_818f_848d_3659, role: Role::Fstatat, libc: RUST_195 },
    Known { symbol: "wasip2_string_from_c", fingerprint: 0x0928_be98_e266_865b, role: Role::Part, libc: RUST_195 },
    Known { symbol: "filesystem_method_descriptor_stat_at", fingerprint: 0x71d7_033f_be5b_b965, role: Role::Part, libc: RUST_195 },
    Known { symbol: "filesystem_borrow_directory_entry_stream", fingerprint: 0xe503_dbeb_be53_1460, role: Role::Part, libc: RUST_195 },
    // The same code in both.
    Known { symbol: "wasip2_list_u8_free", fingerprint: 0xa893_8726_71cc_7da1, role: Role::Free, libc: "wasi-libc (Debian 0.0~git20260423 and Rust 1.95's)" },
];

/// wasi-libc 161b319, as Debian's `wasi-libc 0.0~git20260423.161b319-2` ships it (the default
/// sysroot of `scripts/setup.sh`): `read`, `readv`, stdio and TCP `recv`/`recvfrom` all go
/// through `__wasilibc_read`; `preadv` through `pread`.
const DEBIAN_2026: &str = "wasi-libc 161b319 (Debian 0.0~git20260423)";
/// The wasi-libc Rust 1.95 ships for wasm32-wasip2 (`self-contained/libc.a`), under std's
/// `File::read` and `Stdin::read`: `read` reads itself.
const RUST_195: &str = "Rust 1.95's wasm32-wasip2 wasi-libc";

/// The functions the adapter can wrap (it defines `__wrap_<symbol>` for each).
pub const CANDIDATES: [&str; 9] =
    ["__wasilibc_read", "read", "pread", "wasip2_list_u8_free", "__wasilibc_write", "poll", "fstat", "readdir", "__wasilibc_nocwd_fstatat"];

/// What `__wrap_poll` relies on besides `poll` itself (the original's calls, in its order):
/// `poll_impl` (static in poll.c: its registration loop, the timer, the revents), the
/// descriptor table lookup the adapter calls, and the bindings whose work the adapter does in
/// their place (subscribing a stream, borrowing a pollable, the timer, `wasi:io/poll.poll`,
/// freeing its list, dropping the timer).
pub const POLL_PARTS: &[&str] = &[
    "poll_impl",
    "descriptor_table_get_ref",
    "streams_method_input_stream_subscribe",
    "streams_method_output_stream_subscribe",
    "poll_borrow_pollable",
    "monotonic_clock_subscribe_duration",
    "poll_poll",
    "wasip2_list_u32_free",
    "poll_pollable_drop_own",
];

/// What a one-step wrapper of a file descriptor's function relies on to find its descriptor:
/// the descriptor table lookup it calls, `file_vtable`'s `get_file` (static in file.c) it
/// calls through the vtable, and the binding that calls (`filesystem_borrow_descriptor`, the
/// handle itself).
pub const FILE_LOOKUP: &[&str] = &["descriptor_table_get_ref", "file_get_file", "filesystem_borrow_descriptor"];

/// What `__wrap_fstat` does in the original's place for a file or directory: `file_fstat`
/// (static in file.c: the two calls and `to_public_stat`, inlined) and the two bindings it
/// calls (which read the result records the adapter writes).
pub const FSTAT_CALLS: &[&str] = &["file_fstat", "filesystem_method_descriptor_metadata_hash", "filesystem_method_descriptor_stat"];

/// What `__wrap___wasilibc_nocwd_fstatat` does in the original's place: the bindings of
/// `metadata-hash-at` and `stat-at`.
pub const FSTATAT_CALLS: &[&str] = &["filesystem_method_descriptor_metadata_hash_at", "filesystem_method_descriptor_stat_at"];

/// The free of a `descriptor-stat` record (which frees nothing), where the libc calls it.
pub const STAT_FREE: &[&str] = &["filesystem_descriptor_stat_free"];

/// What `__wrap_readdir` relies on besides `readdir` itself: `readdir_next` (static in
/// readdir.c: the `DIR` and `dirent` layouts, the order of the calls), the descriptor table
/// lookup and `file_vtable`'s `get_file` it calls, and the bindings whose work it does in their
/// place (the stream borrowed, `read-directory-entry`, `metadata-hash-at`); the entry's free
/// is each libc's own.
pub const READDIR_CALLS: &[&str] = &[
    "readdir_next",
    "descriptor_table_get_ref",
    "file_get_file",
    "filesystem_borrow_directory_entry_stream",
    "filesystem_method_directory_entry_stream_read_directory_entry",
    "filesystem_method_descriptor_metadata_hash_at",
];

/// Each libc's parts of each one-step function, `(function, libc, groups)`, tried in this
/// order: every name in the groups must be that libc's known build. Where the libcs differ:
/// Rust 1.95's `file_fstat` and `__wasilibc_nocwd_fstatat` call no `STAT_FREE`, its
/// `readdir_next` frees the entry's name with `wasip2_string_free` (no
/// `filesystem_directory_entry_free`), and its `wasi_string_from_c` (which takes the path as
/// it is when it is UTF-8; the adapter takes ASCII only) is named `wasip2_string_from_c`.
pub const PARTS: &[(&str, &str, &[&[&str]])] = &[
    ("poll", DEBIAN_2026, &[POLL_PARTS]),
    ("fstat", DEBIAN_2026, &[FILE_LOOKUP, FSTAT_CALLS, STAT_FREE]),
    ("readdir", DEBIAN_2026, &[READDIR_CALLS, &["filesystem_directory_entry_free"]]),
    ("__wasilibc_nocwd_fstatat", DEBIAN_2026, &[FILE_LOOKUP, &["wasi_string_from_c"], FSTATAT_CALLS, STAT_FREE]),
    ("fstat", RUST_195, &[FILE_LOOKUP, FSTAT_CALLS]),
    ("readdir", RUST_195, &[READDIR_CALLS, &["wasip2_string_free"]]),
    ("__wasilibc_nocwd_fstatat", RUST_195, &[FILE_LOOKUP, &["wasip2_string_from_c"], FSTATAT_CALLS]),
];

/// The outcome for one program: the symbols to wrap (empty: no zero-copy), and one line per
/// candidate found, for `--verbose`.
#[derive(Debug, Default)]
pub struct Decision {
    pub wrap: Vec<&'static str>,
    pub notes: Vec<String>,
}

/// FNV-1a, 64 bits.
struct Fnv(u64);
impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn eat(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so that concatenations cannot collide.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
}

/// The fingerprint of each defined function named in `wanted`: a hash of its type, its
/// locals and its code, where what the link relocates is replaced by what it stands for —
/// a call's (or `ref.func`'s) target by the callee's name, an `i32.const` (data and table
/// addresses) and global and table indices by nothing — so that the same libc object gives
/// the same fingerprint in every program, and any other code a different one.
pub fn fingerprint(wasm: &[u8], info: &Info, wanted: &[&str]) -> Result<BTreeMap<String, u64>> {
    let want: BTreeMap<u32, &str> =
        info.names.iter().filter(|(_, n)| wanted.contains(&n.as_str())).map(|(i, n)| (*i, n.as_str())).collect();
    let mut out = BTreeMap::new();
    if want.is_empty() {
        return Ok(out);
    }
    let imported = info.func_imports.len() as u32;
    let mut index = imported;
    for payload in Parser::new(0).parse_all(wasm) {
        let Payload::CodeSectionEntry(body) = payload? else { continue };
        let me = index;
        index += 1;
        let Some(name) = want.get(&me) else { continue };
        let mut h = Fnv::new();
        let ty = &info.func_types[me as usize];
        h.eat(format!("{:?}->{:?}", ty.params(), ty.results()).as_bytes());
        for l in body.get_locals_reader()? {
            let (n, t) = l?;
            h.eat(format!("{n}x{t:?}").as_bytes());
        }
        let mut ops = body.get_operators_reader()?;
        while !ops.eof() {
            let start = ops.original_position() as usize;
            let op = ops.read()?;
            let end = ops.original_position() as usize;
            let callee = |f: u32| info.names.get(&f).cloned().unwrap_or_else(|| format!("#{f}?"));
            match op {
                Operator::Call { function_index } => h.eat(format!("call {}", callee(function_index)).as_bytes()),
                Operator::ReturnCall { function_index } => h.eat(format!("return_call {}", callee(function_index)).as_bytes()),
                Operator::RefFunc { function_index } => h.eat(format!("ref.func {}", callee(function_index)).as_bytes()),
                Operator::I32Const { .. } => h.eat(b"i32.const"),
                Operator::GlobalGet { .. } => h.eat(b"global.get"),
                Operator::GlobalSet { .. } => h.eat(b"global.set"),
                Operator::CallIndirect { .. } => h.eat(b"call_indirect"),
                // A load or store at an absolute address (clang folds `&global` into the
                // offset): wasm-ld places data at 1024 or above, while the field offsets of
                // the structures these functions use are far smaller.
                _ if memarg(&op).is_some_and(|o| o >= 1024) => h.eat(b"absolute memory access"),
                Operator::ReturnCallIndirect { .. } => h.eat(b"return_call_indirect"),
                _ => h.eat(&wasm[start..end]),
            }
        }
        out.insert(name.to_string(), h.0);
    }
    Ok(out)
}

/// Which candidates of the linked module `wasm` (linked without wrapping) to wrap: the
/// recognised read functions, and only when `wasip2_list_u8_free` is recognised too; the
/// recognised `__wasilibc_write`; `poll`, `fstat`, `readdir` and `__wasilibc_nocwd_fstatat` when they and every one of
/// their parts in one libc ([`PARTS`]) are.
pub fn decide(wasm: &[u8], info: &Info) -> Result<Decision> {
    let found = fingerprint(wasm, info, &CANDIDATES)?;
    let mut d = Decision::default();
    let known = |sym: &str, fp: u64| KNOWN.iter().find(|k| k.symbol == sym && k.fingerprint == fp);
    let free = found.get("wasip2_list_u8_free").and_then(|fp| known("wasip2_list_u8_free", *fp));
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    for (sym, fp) in &found {
        match known(sym, *fp) {
            Some(k) if k.role == Role::Read => {
                reads.push(k.symbol);
                d.notes.push(format!("`{sym}` (fingerprint {fp:#018x}) is {}'s", k.libc));
            }
            Some(k) if k.role == Role::Write => {
                writes.push(k.symbol);
                d.notes.push(format!("`{sym}` (fingerprint {fp:#018x}) is {}'s: served in one step", k.libc));
            }
            Some(k) if k.role.is_one_step() => {
                let served = match k.role {
                    Role::Poll => "stdio and file streams",
                    Role::Readdir => "the entries after `.` and `..`",
                    Role::Fstatat => "ASCII paths not ending in `/`",
                    _ => "files and directories",
                };
                // Every libc whose build this is (one code can be two libcs'), in order; the
                // first whose parts are all its known builds is the one.
                let libcs: Vec<&str> =
                    KNOWN.iter().filter(|c| c.symbol == k.symbol && c.fingerprint == *fp && c.role == k.role).map(|c| c.libc).collect();
                let mut whys = Vec::new();
                let mut chosen = None;
                for &libc in &libcs {
                    let list: Vec<&str> =
                        PARTS.iter().filter(|(of, l, _)| *of == k.symbol && *l == libc).flat_map(|p| p.2.iter().copied().flatten().copied()).collect();
                    let (ok, why) = parts(wasm, info, libc, sym, &list)?;
                    if ok {
                        chosen = Some(libc);
                        break;
                    }
                    whys.push(why);
                }
                match chosen {
                    Some(libc) => {
                        writes.push(k.symbol);
                        d.notes.push(format!("`{sym}` (fingerprint {fp:#018x}) is {libc}'s: served in one step for {served}"));
                    }
                    None => {
                        let whose = if libcs.len() == 1 {
                            format!("{}'s, but not everything it relies on is", libcs[0])
                        } else {
                            format!("the same code in {}, but not everything it relies on is one of theirs", libcs.join(" and "))
                        };
                        d.notes.push(format!("`{sym}` (fingerprint {fp:#018x}) is {whose}: not wrapped"));
                        for why in whys {
                            d.notes.extend(why);
                        }
                    }
                }
            }
            Some(k) => d.notes.push(format!("`{sym}` (fingerprint {fp:#018x}) is {}'s", k.libc)),
            None => d.notes.push(format!("`{sym}` (fingerprint {fp:#018x}) is not one of the known wasi-libc builds: not wrapped itself (what it calls may be)")),
        }
    }
    match (free, reads.is_empty()) {
        (Some(k), false) => {
            d.wrap = reads;
            d.wrap.push(k.symbol);
        }
        (None, false) => d.notes.push(
            "`wasip2_list_u8_free` is missing or not one of the known builds, so the list a read returns \
             could not be kept from being freed: reads copy as before"
                .to_string(),
        ),
        (_, true) => {}
    }
    d.wrap.extend(writes);
    Ok(d)
}

/// Whether every one of `list` (the parts of `of` in `libc`, from [`PARTS`]) is in the module
/// and the build of `libc` (a libc whose `of` was recognised), with one note per part that is
/// not. An empty list (no parts known for that libc) is never enough.
fn parts(wasm: &[u8], info: &Info, libc: &str, of: &str, list: &[&str]) -> Result<(bool, Vec<String>)> {
    if list.is_empty() {
        return Ok((false, vec![format!("  the parts of `{of}` in {libc} are not known")]));
    }
    let found = fingerprint(wasm, info, list)?;
    let mut notes = Vec::new();
    for &part in list {
        // A call is hashed by its callee's name: two functions of one name would leave open
        // which one the original calls (`poll_impl` and `file_fstat` are statics).
        let named = info.names.values().filter(|n| n.as_str() == part).count();
        let why = match found.get(part) {
            _ if named > 1 => format!("more than one function is named `{part}`, which `{of}` relies on"),
            None => format!("`{part}`, which `{of}` relies on, is not in the program (or not under that name)"),
            Some(fp) if KNOWN.iter().any(|k| k.symbol == part && k.fingerprint == *fp && k.role == Role::Part && k.libc == libc) => continue,
            Some(fp) => format!("`{part}` (fingerprint {fp:#018x}), which `{of}` relies on, is not {libc}'s"),
        };
        notes.push(format!("  {why}"));
    }
    Ok((notes.is_empty(), notes))
}

/// The offset of a memory instruction's `memarg` (plain loads and stores).
fn memarg(op: &Operator) -> Option<u64> {
    use Operator::*;
    match op {
        I32Load { memarg } | I64Load { memarg } | F32Load { memarg } | F64Load { memarg } | I32Load8S { memarg } | I32Load8U { memarg }
        | I32Load16S { memarg } | I32Load16U { memarg } | I64Load8S { memarg } | I64Load8U { memarg } | I64Load16S { memarg }
        | I64Load16U { memarg } | I64Load32S { memarg } | I64Load32U { memarg } | I32Store { memarg } | I64Store { memarg }
        | F32Store { memarg } | F64Store { memarg } | I32Store8 { memarg } | I32Store16 { memarg } | I64Store8 { memarg }
        | I64Store16 { memarg } | I64Store32 { memarg } => Some(memarg.offset),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every one-step function of a libc has its parts list, and every part in it a known
    /// build of that libc (else the list could never match).
    #[test]
    fn every_parts_list_is_known_for_its_libc() {
        for k in KNOWN.iter().filter(|k| k.role.is_one_step()) {
            let lists: Vec<_> = PARTS.iter().filter(|(of, l, _)| *of == k.symbol && *l == k.libc).collect();
            assert_eq!(lists.len(), 1, "{} of {}", k.symbol, k.libc);
            for part in lists[0].2.iter().copied().flatten() {
                assert!(KNOWN.iter().any(|p| p.symbol == *part && p.role == Role::Part && p.libc == k.libc), "{part} of {}", k.libc);
            }
        }
    }
}
