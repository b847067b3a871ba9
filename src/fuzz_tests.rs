//! Host-side fuzz targets, run as property tests by `cargo test` (and under Miri in CI).
//!
//! Each target takes its input from an [`arbitrary::Unstructured`] byte string and checks the
//! adapter's code against a reference written independently here (std, or a model). A test
//! replays the target's committed corpus (`fuzz/corpus/<target>.hex`: one input per line, in
//! hex; `#` starts a comment — inputs that once mattered, and edge cases written by hand), then
//! a generated random budget from a fixed seed (so a failure reproduces; the failing input is
//! printed in the corpus's format, to be added there). Under Miri the budget is small.
//!
//! Targets: the canonical ABI's list/string bounds and alignment check (`abi::range_error`), the
//! UTF-8 validation and lossy conversion (`abi::is_utf8`, `abi::utf8_lossy_parts`), the checked
//! scratch size arithmetic (`scratch::size_of_n`), and the resource table (`resource`) against a
//! model of its rules (typed handles, LIFO reuse, children, holders, orphans).

extern crate std;

use arbitrary::Unstructured;
use std::collections::BTreeMap;
use std::string::{String, ToString};
use std::vec::Vec;
use std::format;

/// Random inputs per target after the corpus (fewer under Miri, which interprets slowly).
const RANDOM_INPUTS: usize = if cfg!(miri) { 24 } else { 4000 };

// splitmix64 (`Rng`), for the generated inputs.
include!("../fuzz/splitmix64.rs");

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The inputs of a corpus file.
fn corpus(text: &str) -> Vec<Vec<u8>> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            assert!(l.len() % 2 == 0, "odd number of hex digits in corpus line {l:?}");
            (0..l.len()).step_by(2).map(|i| u8::from_str_radix(&l[i..i + 2], 16).expect("corpus line is hex")).collect()
        })
        .collect()
}

/// Runs `target` on every corpus input, then on `RANDOM_INPUTS` generated ones (seeded with
/// `seed`, lengths up to `max_len`). A failing input is reported in hex.
pub(crate) fn fuzz(name: &str, corpus_text: &str, seed: u64, max_len: usize, target: impl Fn(&mut Unstructured)) {
    let corpus = corpus(corpus_text);
    assert!(!corpus.is_empty(), "fuzz/corpus/{name}.hex is empty");
    let mut rng = Rng(seed);
    let generated = (0..RANDOM_INPUTS).map(|_| {
        let len = (rng.next() % (max_len as u64 + 1)) as usize;
        (0..len).map(|_| rng.next() as u8).collect::<Vec<u8>>()
    });
    for (i, input) in corpus.into_iter().chain(generated).enumerate() {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(&mut Unstructured::new(&input))));
        if let Err(e) = r {
            let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
            panic!("fuzz target {name} failed on input {i}: {}\n  input (add it to fuzz/corpus/{name}.hex): {}", msg.unwrap_or_default(), hex(&input));
        }
    }
}

/// The message of the trap `f` raises, or `None` when it returns.
fn trap_of<R>(f: impl FnOnce() -> R) -> Option<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .err()
        .map(|e| e.downcast_ref::<String>().cloned().unwrap_or_else(|| "<not a trap>".to_string()))
}

/// What `f` returns, or `None` when it traps.
fn returned<R>(f: impl FnOnce() -> R) -> Option<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

// ---- canonical ABI: list and string bounds ----

#[test]
fn fuzz_abi_range() {
    use crate::abi::{Elem, range_error};
    fuzz("abi_range", include_str!("../fuzz/corpus/abi_range.hex"), 1, 32, |u| {
        let string = u.arbitrary::<bool>().unwrap_or(false);
        // Element layouts of the WIT's lists: sizes 1..=64, alignments 1, 2, 4, 8.
        let align = 1u32 << u.int_in_range(0..=3u32).unwrap_or(0);
        let size = if string { 1 } else { align * u.int_in_range(1..=8u32).unwrap_or(1) };
        let e = if string { Elem::STRING } else { Elem::list(size, align) };
        let (align, size) = if string { (1, 1) } else { (align, size) };
        let addr: u32 = u.arbitrary().unwrap_or(0);
        let len: u32 = u.arbitrary().unwrap_or(0);
        // Memories of 0..=65536 pages (4 GiB: the whole 32-bit space).
        let memory = u.int_in_range(0..=65536u64).unwrap_or(1) * 65536;
        let got = range_error(addr, len, e, memory);
        // The canonical ABI's checks, in 128 bits.
        let want = if addr % align != 0 {
            Some(if string { "string pointer is not aligned" } else { "list pointer is not aligned" })
        } else if addr as u128 + len as u128 * size as u128 > memory as u128 {
            Some(if string { "string pointer/length out of bounds of memory" } else { "list pointer/length out of bounds of memory" })
        } else {
            None
        };
        assert_eq!(got.map(|m| std::str::from_utf8(m).unwrap()), want, "addr {addr:#x} len {len} size {size} align {align} memory {memory:#x}");
    });
}

// ---- UTF-8 ----

#[test]
fn fuzz_utf8() {
    use crate::abi::{is_utf8, string_lossy, utf8_lossy_parts};
    fuzz("utf8", include_str!("../fuzz/corpus/utf8.hex"), 2, 48, |u| {
        // Bias towards the bytes around UTF-8's class boundaries.
        const EDGES: [u8; 20] = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
        let mut b = Vec::new();
        while !u.is_empty() {
            let x: u8 = u.arbitrary().unwrap_or(0);
            b.push(if x & 1 == 0 { EDGES[(x as usize >> 1) % EDGES.len()] } else { u.arbitrary::<u8>().unwrap_or(x) });
        }
        assert_eq!(is_utf8(&b), std::str::from_utf8(&b).is_ok(), "is_utf8 {b:x?}");
        let mut lossy = Vec::new();
        utf8_lossy_parts(&b, &mut |p| lossy.extend_from_slice(p));
        let want = String::from_utf8_lossy(&b);
        assert_eq!(lossy, want.as_bytes(), "lossy {b:x?}");
        // The owned string has the lossy length (its address is a 32-bit truncation on the
        // host: not read here). Not under Miri: the block comes from the program's allocator,
        // which lives as long as the instance (a leak by design).
        if !cfg!(miri) {
            assert_eq!(string_lossy(&b).len as usize, want.len());
        }
    });
}

// ---- scratch sizes ----

#[test]
fn fuzz_scratch_sizes() {
    use crate::scratch::size_of_n;
    fuzz("scratch_sizes", include_str!("../fuzz/corpus/scratch_sizes.hex"), 3, 24, |u| {
        let pick = |u: &mut Unstructured| -> usize {
            // Small values, values near a power of two, or anything.
            match u.int_in_range(0..=2u8).unwrap_or(0) {
                0 => u.int_in_range(0..=64usize).unwrap_or(0),
                1 => {
                    let k = u.int_in_range(0..=usize::BITS - 1).unwrap_or(0);
                    (1usize << k).wrapping_add(u.int_in_range(0..=2usize).unwrap_or(0)).wrapping_sub(1)
                }
                _ => u.arbitrary().unwrap_or(0),
            }
        };
        let (n, size, extra) = (pick(u), pick(u), pick(u));
        let want = n.checked_mul(size).and_then(|b| b.checked_add(extra));
        match want {
            Some(b) => assert_eq!(size_of_n(n, size, extra), b),
            None => assert_eq!(trap_of(|| size_of_n(n, size, extra)).as_deref(), Some("scratch size overflows the address space")),
        }
    });
}

// ---- the resource table, against a model ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Error,
    Pollable,
    Network,
}

#[derive(Debug, Clone)]
struct Entry {
    ty: Ty,
    /// Tag, to check that a handle names the resource it was given for.
    tag: u16,
    parent: u32,
    holds_parent: bool,
    children: u32,
    holds: u32,
    /// Removed by the program, kept for its holders.
    orphan: bool,
}

/// The table's documented rules (src/resource.rs), written out independently.
#[derive(Default)]
struct Model {
    /// Slot index + 1 → entry; absent: free.
    used: BTreeMap<u32, Entry>,
    /// Freed slots, reused last-in first-out.
    free: Vec<u32>,
    len: u32,
}

impl Model {
    fn live(&self, h: u32) -> Option<&Entry> {
        self.used.get(&h).filter(|e| !e.orphan)
    }
    fn insert(&mut self, e: Entry) -> u32 {
        let h = match self.free.pop() {
            Some(h) => h,
            None => {
                self.len += 1;
                self.len
            }
        };
        self.used.insert(h, e);
        h
    }
    fn free_slot(&mut self, h: u32) {
        self.used.remove(&h);
        self.free.push(h);
    }
    /// Removal that the model says succeeds (the caller checked `live` and `children`).
    fn remove(&mut self, h: u32) {
        let e = self.used.get_mut(&h).unwrap();
        if e.holds != 0 {
            e.orphan = true;
            return;
        }
        let (mut h, mut parent, mut holds_parent) = (h, e.parent, e.holds_parent);
        // Freeing an entry detaches it from its parent; the last holder of an orphan takes the
        // orphan with it, which detaches the orphan from its own parent in turn.
        loop {
            self.free_slot(h);
            if parent == 0 {
                return;
            }
            let p = self.used.get_mut(&parent).unwrap();
            if !holds_parent {
                p.children -= 1;
                return;
            }
            p.holds -= 1;
            if p.holds != 0 || !p.orphan {
                return;
            }
            (h, parent, holds_parent) = (parent, p.parent, p.holds_parent);
        }
    }
}

fn resource_of(ty: Ty, tag: u16) -> crate::resource::Resource {
    use crate::io::{error::IoError, poll::{Pollable, Wait}};
    use crate::resource::Resource;
    match ty {
        Ty::Error => Resource::Error(IoError { errno: tag }),
        Ty::Pollable => Resource::Pollable(Pollable { wait: Wait::Clock(tag as u64) }),
        Ty::Network => Resource::Network,
    }
}

/// What the table says about handle `h` as type `ty`: `Some(tag)` when it names a live one.
fn table_get(h: u32, ty: Ty) -> Option<u16> {
    use crate::io::{error::IoError, poll::{Pollable, Wait}};
    use crate::resource;
    match ty {
        Ty::Error => resource::try_get::<IoError>(h).map(|e| e.errno),
        Ty::Pollable => resource::try_get::<Pollable>(h).map(|p| match p.wait {
            Wait::Clock(t) => t as u16,
            other => panic!("pollable {h} changed: {other:?}"),
        }),
        Ty::Network => trap_of(|| resource::check(h, resource::Resource::Network)).is_none().then_some(0),
    }
}

fn table_remove(h: u32, ty: Ty) {
    use crate::io::{error::IoError, poll::Pollable};
    use crate::resource::{self, Resource};
    match ty {
        Ty::Error => drop(resource::remove::<IoError>(h)),
        Ty::Pollable => drop(resource::remove::<Pollable>(h)),
        Ty::Network => resource::remove_kind(h, Resource::Network),
    }
}

#[test]
fn fuzz_resource_table() {
    use crate::resource;
    // One model for the whole run, as the table is one per thread: freed slots carry over from
    // one input to the next in both.
    let model = std::cell::RefCell::new(Model::default());
    fuzz("resource_table", include_str!("../fuzz/corpus/resource_table.hex"), 4, 160, |u| {
        assert_eq!(resource::live(), 0, "the table starts empty");
        let mut m = model.borrow_mut();
        let types = [Ty::Error, Ty::Pollable, Ty::Network];
        // A handle to act on: mostly one that was issued (live or not), sometimes 0 or far off.
        let handle = |u: &mut Unstructured, m: &Model| -> u32 {
            match u.int_in_range(0..=9u8).unwrap_or(0) {
                0 => 0,
                1 => u.arbitrary().unwrap_or(u32::MAX),
                _ => 1 + u.int_in_range(0..=m.len).unwrap_or(0),
            }
        };
        let mut tag = 0u16;
        while !u.is_empty() {
            let op = u.int_in_range(0..=6u8).unwrap_or(0);
            let ty = *u.choose(&types).unwrap_or(&Ty::Error);
            tag = tag.wrapping_add(1);
            match op {
                // push, push_child, push_holder
                0..=2 => {
                    let parent = if op == 0 { 0 } else { handle(u, &m) };
                    let r = resource_of(ty, tag);
                    let got = match op {
                        0 => Some(resource::push(r)),
                        1 => returned(|| resource::push_child(r, parent)),
                        _ => returned(|| resource::push_holder(r, parent)),
                    };
                    let entry = Entry { ty, tag, parent, holds_parent: op == 2, children: 0, holds: 0, orphan: false };
                    if op == 0 {
                        assert_eq!(got, Some(m.insert(entry)), "push");
                    } else if m.live(parent).is_none() {
                        assert_eq!(got, None, "push with dead parent {parent} must trap");
                    } else {
                        let p = m.used.get_mut(&parent).unwrap();
                        if op == 1 { p.children += 1 } else { p.holds += 1 }
                        assert_eq!(got, Some(m.insert(entry)), "push under {parent}");
                    }
                }
                // get / check
                3 | 4 => {
                    let h = handle(u, &m);
                    let want = m.live(h).filter(|e| e.ty == ty).map(|e| if ty == Ty::Network { 0 } else { e.tag });
                    assert_eq!(table_get(h, ty), want, "lookup of {h} as {ty:?}");
                    if want.is_none() && ty == Ty::Error {
                        let msg = trap_of(|| resource::get::<crate::io::error::IoError>(h));
                        assert_eq!(msg, Some(format!("handle {h} is invalid (expected a live error)")));
                    }
                }
                // remove
                _ => {
                    let h = handle(u, &m);
                    let ok = m.live(h).is_some_and(|e| e.ty == ty && e.children == 0);
                    let got = trap_of(|| table_remove(h, ty));
                    assert_eq!(got.is_none(), ok, "remove {h} as {ty:?}: {got:?}");
                    if ok {
                        m.remove(h);
                    }
                }
            }
            assert_eq!(resource::live(), m.used.len() as u32, "entries in use");
        }
        // Empty the table for the next input: children before parents; holders free orphans.
        while let Some((&h, e)) = m.used.iter().find(|(_, e)| !e.orphan && e.children == 0) {
            let ty = e.ty;
            table_remove(h, ty);
            m.remove(h);
            assert_eq!(resource::live(), m.used.len() as u32);
        }
        assert!(m.used.is_empty(), "entries left: {:?}", m.used);
        assert_eq!(resource::live(), 0);
    });
}
