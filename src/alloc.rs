//! Allocation: the one entry point for memory handed to the program, and the adapter's
//! private heap for its own state.
//!
//! **Private heap.** The resource table, scratch regions and per-handle buffers (directory
//! listings, send buffers) live in a private heap ([`private`]: size classes over pages it
//! takes with `memory.grow` itself, like the program's own allocator), which can free. The
//! program's `cabi_realloc` cannot free (the canonical ABI has no free), so it is used only
//! for what the program owns.
//!
//! **Results.**
//! Lists and strings returned to the program live in the program's memory and are freed by
//! the program with its own allocator (wasi-libc calls `free()` when `len > 0`; wit-bindgen
//! Rust rebuilds a `Vec`/`String` and drops it). So they must come from the program's
//! `cabi_realloc` (wasi-libc and Rust std both define one), never from a private heap.
//!
//! Order for a result buffer of bytes ([`result_bytes`]):
//! 1. the caller-supplied buffer, when one is armed ([`wasip2_on_wasip1_arm_buffer`]) and
//!    the result fits: the adapter reads straight into it and the returned list points
//!    into it (the caller recognises it by address and must not free it);
//! 2. the spare block (an allocation an earlier call produced but did not hand out, e.g. a
//!    read that returned no bytes), grown with `cabi_realloc` if needed;
//! 3. a fresh `cabi_realloc(0, 0, align, size)`.
//!
//! Invariant: the spare block, if any, was obtained from `cabi_realloc` with alignment
//! `SPARE_ALIGN` and is owned by the adapter alone.
//!
//! Thread-locality: core wasm without the threads proposal has one thread; these statics are
//! per instance. (Under wasi-threads each thread would need its own armed buffer; the adapter
//! is not built for shared memory.)

use core::ptr;

#[cfg(target_family = "wasm")]
unsafe extern "C" {
    /// The program's allocator (canonical ABI realloc): `(old, old_size, align, new_size)`.
    fn cabi_realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8;
}

/// Host stand-in for the program's `cabi_realloc`, so the logic is unit-testable.
#[cfg(not(target_family = "wasm"))]
unsafe fn cabi_realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    extern crate std;
    use std::alloc::{Layout, alloc, realloc};
    unsafe {
        if old.is_null() {
            alloc(Layout::from_size_align(new_size, align).unwrap())
        } else {
            realloc(old, Layout::from_size_align(old_size, align).unwrap(), new_size)
        }
    }
}

/// The adapter's private heap: power-of-two size classes for small blocks, 4 KiB-granular
/// blocks for large ones, both carved from a bump region over pages this heap takes with
/// `memory.grow` itself (so its pages are never the program's allocator's).
///
/// - **Small** (≤ [`SMALL_MAX`] = 32 KiB): class `c` holds blocks of `8 << c` bytes; a freed
///   block goes on its class's free list (its first word links the next) and is the next one
///   handed out for that class. Memory per class is bounded by the most blocks of it ever live
///   at once.
/// - **Large** (> 32 KiB: the resource table's bigger chunks, TCP send buffers): rounded up to
///   [`LARGE_UNIT`] (a 64 KiB + 24 B send buffer takes 68 KiB, not 128). A freed one goes on
///   the large free list (or back into the bump region, when it ends where the region starts);
///   a request takes the first free block big enough, whole when it fits exactly, else the
///   block's tail (the rest stays listed). Blocks are not merged: a cycle that frees and
///   re-takes the same sizes reuses the same blocks and never grows memory.
/// - **Bump region** `[top, end)`: the rest of the last pages grown. When it is too small,
///   the heap grows memory 0: by just the missing pages when nothing else grew memory since
///   (`end` is memory's end, so the new pages extend the region), else by enough pages for the
///   request alone, starting a new region (the old region's rest stays unused).
///
/// Invariants: every block address and every size handed out or kept is a multiple of
/// [`ALIGN`] (8), which is thus the alignment of every block (callers ask for at most 8:
/// checked, trapping); a block is on at most one free list, and only while no caller holds it;
/// `top <= end`, both multiples of 8, and `[top, end)` belongs to no block. The whole state
/// starts as zeros (null lists, empty region): it sits in `.bss`.
pub mod private {
    use core::ptr::null_mut;

    const PAGE: usize = 64 * 1024;
    const ALIGN: usize = 8;
    /// The largest small block: blocks above it are large.
    pub const SMALL_MAX: usize = 32 * 1024;
    /// Classes `0..CLASSES`: `8 << c` bytes, 8 B … 32 KiB.
    const CLASSES: usize = 13;
    /// Large blocks' granularity.
    pub const LARGE_UNIT: usize = 4096;

    /// A free large block's header (in the block's first bytes).
    struct FreeLarge {
        next: *mut FreeLarge,
        bytes: usize,
    }

    struct Heap {
        /// Per class, the first free block (each one's first word: the next).
        small: [*mut u8; CLASSES],
        large: *mut FreeLarge,
        top: *mut u8,
        end: *mut u8,
        /// Pages taken with `memory.grow`.
        grown: u32,
    }

    crate::instance_cell!(heap: Heap = Heap { small: [null_mut(); CLASSES], large: null_mut(), top: null_mut(), end: null_mut(), grown: 0 });

    /// The block size a request of `size` bytes takes, and its class (`CLASSES` for large).
    #[inline(always)]
    fn fit(size: usize) -> (usize, usize) {
        if size <= SMALL_MAX {
            // ceil(log2(max(size, 8))) - 3: sizes 0..=8 are class 0, 9..=16 class 1, …
            let c = (usize::BITS - (size.max(ALIGN) - 1).leading_zeros()) as usize - 3;
            (ALIGN << c, c)
        } else {
            match size.checked_next_multiple_of(LARGE_UNIT) {
                Some(bytes) => (bytes, CLASSES),
                None => out_of_memory(),
            }
        }
    }

    #[cold]
    fn out_of_memory() -> ! {
        crate::trap::trap(b"out of memory (adapter heap)")
    }

    /// Pages the private heap has taken from `memory.grow`.
    pub fn pages() -> u32 {
        heap().grown
    }

    /// Grows, shrinks or (when `old` is null) allocates a block of the private heap: a new
    /// block of `new_size` bytes aligned to `align` (at most 8), holding the first
    /// `min(old_size, new_size)` bytes of `old`, which is freed. Traps when memory is exhausted.
    /// A zero size gets a block of its own like any other (class 0). Growing is
    /// allocate-copy-free: blocks here grow rarely (scratch regions, by doubling).
    pub fn realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
        if align > ALIGN {
            crate::trap::trap(b"internal error (adapter heap alignment above 8)");
        }
        let p = heap().alloc(new_size);
        if !old.is_null() {
            // SAFETY: `old` came from this heap with `old_size` (callers' invariant); `p` is a
            // distinct block of at least `new_size` bytes.
            unsafe { core::ptr::copy_nonoverlapping(old, p, old_size.min(new_size)) };
            free(old, old_size, align);
        }
        p
    }

    /// Returns a block to the private heap.
    pub fn free(p: *mut u8, size: usize, _align: usize) {
        if !p.is_null() {
            heap().free(p, size)
        }
    }

    impl Heap {
        fn alloc(&mut self, size: usize) -> *mut u8 {
            let (bytes, c) = fit(size);
            if c < CLASSES {
                let head = self.small[c];
                if !head.is_null() {
                    // SAFETY: a free block of class `c` (≥ 8 bytes, 8-aligned): its first
                    // word is the next free block.
                    self.small[c] = unsafe { head.cast::<*mut u8>().read() };
                    return head;
                }
            } else {
                // First fit among the free large blocks.
                let mut link: *mut *mut FreeLarge = &raw mut self.large;
                // SAFETY: `link` is the list head or a listed block's `next`; listed blocks
                // are free, 8-aligned, and at least `LARGE_UNIT` bytes (their headers fit).
                unsafe {
                    while !(*link).is_null() {
                        let b = *link;
                        if (*b).bytes == bytes {
                            *link = (*b).next;
                            return b.cast();
                        }
                        if (*b).bytes > bytes {
                            // The tail; the head stays listed, `bytes` smaller (still a
                            // multiple of `LARGE_UNIT`, so at least one unit).
                            (*b).bytes -= bytes;
                            return b.cast::<u8>().add((*b).bytes);
                        }
                        link = &raw mut (*b).next;
                    }
                }
            }
            self.bump(bytes)
        }

        /// `bytes` (a multiple of 8) from the bump region, grown when it is too small.
        fn bump(&mut self, bytes: usize) -> *mut u8 {
            let room = self.end as usize - self.top as usize;
            if room < bytes {
                // Memory 0 holds the adapter's statics, so it is never empty and its end is
                // never null: an empty region (`end` null) is never taken as contiguous.
                let contiguous = self.end == memory::end();
                let want = if contiguous { bytes - room } else { bytes };
                let pages = want.div_ceil(PAGE);
                let base = memory::grow(pages);
                if base.is_null() {
                    out_of_memory();
                }
                // Contiguous: `base == end` (one thread: nothing grew memory since the check),
                // and the region keeps its `top`; else a new region starts at `base`.
                if !contiguous {
                    self.top = base;
                }
                // SAFETY: the `pages` just grown start at `base`.
                self.end = unsafe { base.add(pages * PAGE) };
                self.grown += pages as u32;
            }
            let p = self.top;
            // SAFETY: `bytes <= end - top` now.
            self.top = unsafe { p.add(bytes) };
            p
        }

        fn free(&mut self, p: *mut u8, size: usize) {
            let (bytes, c) = fit(size);
            if c < CLASSES {
                // SAFETY: `p` is a block of class `c` the caller gives up (8-aligned, ≥ 8 B).
                unsafe { p.cast::<*mut u8>().write(self.small[c]) };
                self.small[c] = p;
            } else if p.wrapping_add(bytes) == self.top {
                self.top = p;
            } else {
                let b = p.cast::<FreeLarge>();
                // SAFETY: as above, a large block (≥ 32 KiB: the header fits).
                unsafe { b.write(FreeLarge { next: self.large, bytes }) };
                self.large = b;
            }
        }
    }

    /// Memory 0, grown page by page.
    #[cfg(target_family = "wasm")]
    mod memory {
        use super::PAGE;
        /// Where memory 0 ends now.
        #[inline(always)]
        pub fn end() -> *mut u8 {
            (core::arch::wasm32::memory_size(0) * PAGE) as *mut u8
        }
        /// Grows memory 0 by `pages`: where they start, or null when it cannot grow.
        #[inline(always)]
        pub fn grow(pages: usize) -> *mut u8 {
            match core::arch::wasm32::memory_grow(0, pages) {
                usize::MAX => core::ptr::null_mut(),
                prev => (prev * PAGE) as *mut u8,
            }
        }
    }

    /// Host unit tests: an emulated memory 0, one zeroed arena per thread (of `CAP` pages,
    /// allocated at the first grow), of which the first `size` pages are "grown";
    /// [`other_grow`] stands for the program's allocator growing memory in between.
    #[cfg(not(target_family = "wasm"))]
    pub(super) mod memory {
        extern crate std;
        use super::PAGE;
        use std::cell::Cell;
        const CAP: usize = 64;
        std::thread_local! {
            static ARENA: Cell<*mut u8> = const { Cell::new(core::ptr::null_mut()) };
            static SIZE: Cell<usize> = const { Cell::new(0) };
        }
        fn arena() -> *mut u8 {
            ARENA.with(|a| {
                if a.get().is_null() {
                    let layout = std::alloc::Layout::from_size_align(CAP * PAGE, PAGE).unwrap();
                    // SAFETY: a non-zero size. Never freed (tests leak it).
                    a.set(unsafe { std::alloc::alloc_zeroed(layout) });
                }
                a.get()
            })
        }
        pub fn end() -> *mut u8 {
            arena().wrapping_add(SIZE.with(|s| s.get()) * PAGE)
        }
        pub fn grow(pages: usize) -> *mut u8 {
            let prev = SIZE.with(|s| s.get());
            if prev + pages > CAP {
                return core::ptr::null_mut();
            }
            SIZE.with(|s| s.set(prev + pages));
            arena().wrapping_add(prev * PAGE)
        }
        /// The program's allocator growing memory by `pages`.
        #[cfg(test)]
        pub fn other_grow(pages: usize) {
            assert!(!grow(pages).is_null());
        }
        /// Pages of memory 0.
        #[cfg(test)]
        pub fn size() -> usize {
            SIZE.with(|s| s.get())
        }
    }

    #[cfg(test)]
    mod tests {
        extern crate std;
        use super::*;
        use std::vec::Vec;

        // Each test runs on a thread of its own: its own heap and emulated memory.

        #[test]
        fn small_blocks_are_reused_per_class() {
            let a = realloc(null_mut(), 0, 8, 24); // class 32 B
            let b = realloc(null_mut(), 0, 8, 32);
            assert_eq!(b as usize - a as usize, 32, "consecutive from the bump region");
            free(a, 24, 8);
            // Any size of the same class takes the freed block, others do not.
            let c = realloc(null_mut(), 0, 8, 64);
            assert_ne!(c, a);
            let d = realloc(null_mut(), 0, 4, 17);
            assert_eq!(d, a);
            free(b, 32, 8);
            free(d, 17, 4);
            // LIFO per class.
            assert_eq!(realloc(null_mut(), 0, 8, 30), d);
            assert_eq!(realloc(null_mut(), 0, 8, 30), b);
            // The 8 KiB + header directory buffer: class 16 KiB, reused whole.
            let dir = realloc(null_mut(), 0, 8, 8192 + 40);
            free(dir, 8192 + 40, 8);
            assert_eq!(realloc(null_mut(), 0, 8, 16 * 1024), dir);
            // Zero sizes: a block of class 0 each, distinct, reused like any other.
            let z1 = realloc(null_mut(), 0, 1, 0);
            let z2 = realloc(null_mut(), 0, 1, 0);
            assert!(!z1.is_null() && z1 != z2);
            free(z1, 0, 1);
            assert_eq!(realloc(null_mut(), 0, 8, 8), z1);
        }

        #[test]
        fn blocks_are_aligned_and_writable() {
            let mut live = Vec::new();
            for (i, size) in [0usize, 1, 3, 7, 8, 9, 15, 33, 100, 4095, 32 * 1024, 32 * 1024 + 1, 70_000, 1 << 17].into_iter().enumerate() {
                for align in [1usize, 2, 4, 8] {
                    let p = realloc(null_mut(), 0, align, size);
                    assert_eq!(p as usize % 8, 0, "size {size}");
                    // SAFETY: `size` bytes of a fresh block.
                    unsafe { core::ptr::write_bytes(p, i as u8, size) };
                    live.push((p, size, i as u8));
                }
            }
            for &(p, size, v) in &live {
                // SAFETY: as written above; blocks do not overlap.
                assert!(unsafe { core::slice::from_raw_parts(p, size) }.iter().all(|&b| b == v));
            }
            let r = std::panic::catch_unwind(|| realloc(null_mut(), 0, 16, 8));
            assert!(r.is_err(), "alignment above 8 traps");
        }

        #[test]
        fn realloc_copies_the_smaller_size_and_frees_the_old_block() {
            let p = realloc(null_mut(), 0, 8, 16);
            // SAFETY: 16 bytes of `p`.
            unsafe { core::ptr::copy_nonoverlapping(b"0123456789abcdef".as_ptr(), p, 16) };
            let q = realloc(p, 16, 8, 100);
            assert_ne!(q, p);
            // SAFETY: 16 bytes copied into `q`.
            assert_eq!(unsafe { core::slice::from_raw_parts(q, 16) }, b"0123456789abcdef");
            assert_eq!(realloc(null_mut(), 0, 8, 16), p, "the old block is free");
            let r = realloc(q, 100, 8, 5);
            // SAFETY: 5 bytes copied into `r`.
            assert_eq!(unsafe { core::slice::from_raw_parts(r, 5) }, b"01234");
            // Large to large (a scratch region doubling past 32 KiB).
            let big = realloc(null_mut(), 0, 8, 32 * 1024);
            // SAFETY: the last byte of `big`.
            unsafe { big.add(32 * 1024 - 1).write(42) };
            let bigger = realloc(big, 32 * 1024, 8, 64 * 1024);
            // SAFETY: copied.
            assert_eq!(unsafe { bigger.add(32 * 1024 - 1).read() }, 42);
            assert_eq!(realloc(null_mut(), 0, 8, 20_000), big);
        }

        #[test]
        fn large_blocks_take_whole_units_and_are_reused() {
            const SEND: usize = 64 * 1024 + 24;
            const TAKES: usize = 68 * 1024;
            let a = realloc(null_mut(), 0, 8, SEND);
            let b = realloc(null_mut(), 0, 8, SEND);
            assert_eq!(b as usize - a as usize, TAKES, "64 KiB + 24 B takes 68 KiB, not 128");
            // 2 × 68 KiB from pages grown contiguously: 3 pages, not 4.
            assert_eq!(pages(), 3);
            let d = realloc(null_mut(), 0, 8, 136 * 1024);
            let c = realloc(null_mut(), 0, 8, 40 * 1024);
            free(a, SEND, 8);
            assert_eq!(realloc(null_mut(), 0, 8, SEND), a, "a freed one is reused");
            // A smaller request takes a freed block's tail; the rest stays free.
            free(d, 136 * 1024, 8);
            let t = realloc(null_mut(), 0, 8, 33 * 1024);
            assert_eq!(t as usize, d as usize + 100 * 1024);
            let u = realloc(null_mut(), 0, 8, 65 * 1024 - 5);
            assert_eq!(u as usize, d as usize + 32 * 1024);
            // An exact fit is unlisted whole (the list: `a`, then `d`'s remaining 32 KiB).
            free(a, SEND, 8);
            assert_eq!(realloc(null_mut(), 0, 8, 65 * 1024), a);
            // The block ending at the bump region goes back to it.
            free(c, 40 * 1024, 8);
            assert_eq!(realloc(null_mut(), 0, 8, 8), c);
            // The resource table's chunks (768 B · 2^k): the large ones exact.
            let pages_before = pages();
            let chunk = realloc(null_mut(), 0, 8, 768 << 6);
            // SAFETY: the chunk's last byte.
            unsafe { chunk.add((768 << 6) - 1).write(1) };
            assert_eq!(pages(), pages_before + 1);
        }

        #[test]
        fn no_growth_across_cycles() {
            let cycle = || {
                let table = realloc(null_mut(), 0, 8, 768);
                let send = realloc(null_mut(), 0, 8, 64 * 1024 + 24);
                let dir = realloc(null_mut(), 0, 8, 8192 + 40);
                let mut scratch = null_mut();
                let mut cap = 0;
                for n in [8usize, 64, 1024, 64 * 1024] {
                    scratch = realloc(scratch, cap, 8, n);
                    cap = n;
                }
                let names = realloc(null_mut(), 0, 2, 6 * 34);
                free(names, 6 * 34, 2);
                free(scratch, cap, 8);
                free(dir, 8192 + 40, 8);
                free(send, 64 * 1024 + 24, 8);
                free(table, 768, 8);
            };
            cycle();
            let pages_after_one = pages();
            for _ in 0..200 {
                cycle();
            }
            assert_eq!(pages(), pages_after_one);
            assert_eq!(memory::size(), pages_after_one as usize);
        }

        #[test]
        fn pages_stay_distinct_from_the_programs() {
            let a = realloc(null_mut(), 0, 8, 60 * 1024);
            assert_eq!((pages(), memory::size()), (1, 1));
            // The program's allocator grows memory: the heap's next pages start after them.
            memory::other_grow(2);
            let b = realloc(null_mut(), 0, 8, 64 * 1024 + 24);
            // Memory: page 0 the heap's (`a`), pages 1-2 the program's, 3-4 the heap's (`b`).
            assert_eq!(b as usize, memory::end() as usize - 2 * 64 * 1024, "a new region at memory's end");
            assert!(a as usize + 60 * 1024 <= memory::end() as usize - 4 * 64 * 1024);
            assert_eq!((pages(), memory::size()), (3, 5));
            // Out of memory traps (the emulated memory holds 64 pages).
            let r = std::panic::catch_unwind(|| realloc(null_mut(), 0, 8, 64 * 64 * 1024));
            let msg = r.unwrap_err().downcast::<std::string::String>().unwrap();
            assert!(msg.contains("out of memory (adapter heap)"), "{msg}");
        }
    }
}

/// Grows (or first allocates, when `old` is null) a block with the program's allocator.
/// Traps when the allocator fails: a canonical ABI host would trap the same way.
pub fn realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    debug_assert!(new_size > 0);
    // SAFETY: the program's allocator, with the canonical ABI's arguments.
    let p = crate::state::calling_program(|| unsafe { cabi_realloc(old, old_size, align, new_size) });
    if p.is_null() {
        crate::trap::trap(b"cabi_realloc failed: out of memory");
    }
    p
}

/// Allocates `size` bytes aligned to `align` for a value the program will own. A zero size
/// allocates nothing and yields an aligned dangling pointer (the program frees only when
/// `len > 0`).
pub fn alloc(size: usize, align: usize) -> *mut u8 {
    if size == 0 {
        return align as *mut u8;
    }
    realloc(ptr::null_mut(), 0, align, size)
}

// State of the caller-supplied buffer and of the spare block: plain values, read and written
// whole (`StateValue`s: no references, so no borrow flag on the read path).
crate::instance_value!(armed: *mut u8 = ptr::null_mut());
crate::instance_value!(armed_len: usize = 0);
// Whether the last `result_bytes` request was served from the caller's buffer.
crate::instance_value!(last_used_caller: bool = false);
// Total bytes of result data placed in caller buffers (for the zero-copy proof).
crate::instance_value!(caller_bytes: u64 = 0);
crate::instance_value!(spare: *mut u8 = ptr::null_mut());
crate::instance_value!(spare_len: usize = 0);
// The size the program's allocator gave the block the last `result_bytes` returned (0 for the
// caller's buffer or nothing): `finish_result_bytes` hands the program exactly `n` bytes of it.
crate::instance_value!(block_len: usize = 0);
// Total bytes of result data handed out in blocks from the program's allocator (which the
// program then copies out of, or keeps): 0 for a run whose every read was zero-copy.
crate::instance_value!(allocated_bytes: u64 = 0);
// Transparent zero-copy (the linker's `--wrap` of wasi-libc's read functions, see
// [`libc_read`]): whether the buffer was armed by such a wrapper, and the list pointer the
// armed buffer was handed out as during that call (null when none), whose free the wrapped
// `wasip2_list_u8_free` skips.
crate::instance_value!(libc_armed: bool = false);
crate::instance_value!(libc_placed: *mut u8 = ptr::null_mut());

const SPARE_ALIGN: usize = 1;

/// A buffer for up to `size` bytes of a `list<u8>` result, per the order in the module doc.
/// The caller-supplied buffer is consumed (disarmed) by every request, used or not, so that
/// its effect is limited to the one call it was armed for. Whether it was used is
/// `last_used_caller` until the next request (read by [`finish_result_bytes`]; a flag rather
/// than a second return value, so the hot read paths need no stack frame).
pub fn result_bytes(size: usize) -> *mut u8 {
    let (buf, buf_len) = (armed().get(), armed_len().get());
    armed().set(ptr::null_mut());
    armed_len().set(0);
    last_used_caller().set(false);
    block_len().set(0);
    if size == 0 {
        return SPARE_ALIGN as *mut u8;
    }
    if !buf.is_null() && size <= buf_len {
        last_used_caller().set(true);
        return buf;
    }
    let (p, len) = (spare().get(), spare_len().get());
    spare().set(ptr::null_mut());
    spare_len().set(0);
    let (p, len) = match (p.is_null(), len >= size) {
        (true, _) => (realloc(ptr::null_mut(), 0, SPARE_ALIGN, size), size),
        (false, true) => (p, len),
        (false, false) => (realloc(p, len, SPARE_ALIGN, size), size),
    };
    block_len().set(len);
    p
}

/// After the request that returned `p`, of which `n` bytes hold the result: the list's
/// pointer. From the caller's buffer: `p`, counted for the zero-copy counter. From the
/// program's allocator: the block is the program's once handed out, and the program frees it
/// with the list's length (Rust rebuilds a `Vec` of `n` bytes; its allocator may rely on the
/// size), so it is made exactly `n` bytes long (`cabi_realloc`, which may move it); a block
/// with no result (`n == 0`) is kept as the spare instead.
pub fn finish_result_bytes(p: *mut u8, n: usize) -> *mut u8 {
    let len = block_len().get();
    block_len().set(0);
    if last_used_caller().get() {
        placed_in_caller(n);
        if n > 0 && libc_armed().get() {
            libc_placed().set(p);
        }
        p
    } else if n == 0 {
        if len > 0 {
            // Every request takes the spare first, so none exists here and nothing is lost.
            debug_assert!(spare().get().is_null());
            spare().set(p);
            spare_len().set(len);
        }
        p
    } else {
        allocated_bytes().set(allocated_bytes().get() + n as u64);
        if n < len { realloc(p, len, SPARE_ALIGN, n) } else { p }
    }
}

/// Counts `n` bytes a read placed straight into the program's buffer (the zero-copy counter,
/// for reads served without a list: `libc_read` in `io/streams.rs`).
#[inline(always)]
pub fn placed_in_caller(n: usize) {
    caller_bytes().set(caller_bytes().get() + n as u64);
}

/// Arms the caller-supplied buffer for the next list-returning call (`input-stream.read`,
/// `blocking-read`, `get-random-bytes`, …). One-shot: the next such call disarms it whether
/// or not its result fitted. Alignment: any (byte lists). `ptr` must stay valid until the
/// result has been consumed.
#[cfg_attr(target_family = "wasm", unsafe(export_name = "wasip2_on_wasip1_arm_buffer"))]
pub extern "C" fn wasip2_on_wasip1_arm_buffer(ptr: *mut u8, len: usize) {
    armed().set(if len == 0 { ptr::null_mut() } else { ptr });
    armed_len().set(len);
}

/// 1 if the last list-returning call placed its result in the caller-supplied buffer.
#[cfg_attr(target_family = "wasm", unsafe(export_name = "wasip2_on_wasip1_buffer_used"))]
pub extern "C" fn wasip2_on_wasip1_buffer_used() -> i32 {
    last_used_caller().get() as i32
}

/// Total bytes of list results the adapter handed out in blocks from the program's allocator
/// (each one a copy the program makes, or a block it keeps); with every read zero-copy, 0.
#[cfg_attr(target_family = "wasm", unsafe(export_name = "wasip2_on_wasip1_allocated_bytes"))]
pub extern "C" fn wasip2_on_wasip1_allocated_bytes() -> u64 {
    allocated_bytes().get()
}

/// Transparent zero-copy reads for unmodified programs.
///
/// When the linker recognises wasi-libc's read functions (their code is one of the known
/// builds, see `crates/ld/src/zerocopy.rs`), it links with `wasm-ld --wrap=F` for each, so
/// the program's calls of `F` reach `__wrap_F` here, which arms the caller's own buffer
/// ([`around`]) and calls the original (`__real_F`). The known builds all do the same with
/// the buffer: one `input-stream.read`/`blocking-read` or `descriptor.read` of at most its
/// length, then `memcpy(buffer, list.ptr, list.len)` and `wasip2_list_u8_free(&list)`. With
/// the buffer armed, the read lands in it, so `list.ptr == buffer`: the copy has identical
/// source and destination (wasm's `memory.copy` is a `memmove`, so it leaves the bytes as
/// they are), and the wrapped `wasip2_list_u8_free` ([`skip_free`]) does not free it.
///
/// Invariants: the buffer is armed only for the duration of the wrapped call and disarmed
/// after it whatever happened; `libc_placed` is non-null only between a read that placed
/// bytes in the armed buffer and the end of that wrapped call, and equals that buffer; only
/// a list pointing there is not freed (any other list is freed by the original).
pub mod libc_read {
    use super::*;

    /// Runs `f` (the original libc function) with `buf[..len]` armed for its read.
    #[inline(always)]
    pub fn around<R>(buf: *mut u8, len: usize, f: impl FnOnce() -> R) -> R {
        wasip2_on_wasip1_arm_buffer(buf, len);
        libc_armed().set(true);
        let r = f();
        armed().set(ptr::null_mut());
        armed_len().set(0);
        libc_armed().set(false);
        libc_placed().set(ptr::null_mut());
        r
    }

    /// Whether a `wasip2_list_u8_free` of the list `(ptr, len)` must be skipped: it is the
    /// caller's buffer the current wrapped read placed its bytes in (consumed: a second free
    /// of the same list is the original's business).
    #[inline(always)]
    pub fn skip_free(ptr: *mut u8, len: usize) -> bool {
        let placed = libc_placed().get();
        if len > 0 && !placed.is_null() && ptr == placed {
            libc_placed().set(ptr::null_mut());
            true
        } else {
            false
        }
    }

    /// wasi-libc's `wasip2_list_u8_t`.
    #[repr(C)]
    pub struct ListU8 {
        pub ptr: *mut u8,
        pub len: usize,
    }

    #[cfg(target_family = "wasm")]
    mod wrap {
        use super::*;
        use crate::io::streams::LibcStreamOp;

        unsafe extern "C" {
            fn __real___wasilibc_read(read: *mut LibcStreamOp, buf: *mut u8, len: usize) -> isize;
            fn __real_read(fd: i32, buf: *mut u8, len: usize) -> isize;
            fn __real_pread(fd: i32, buf: *mut u8, len: usize, offset: i64) -> isize;
            fn __real_wasip2_list_u8_free(list: *mut ListU8);
        }

        /// wasi-libc (2026): `__wasilibc_read(wasi_read_t *, void *buffer, size_t length)`,
        /// behind `read`, `readv`, stdio, `recv`/`recvfrom` on TCP: served in one step where
        /// that is the same (`libc_read` in `io/streams.rs`), else the original with the
        /// buffer armed. Like the original, adds the count to `*offset` when there is one.
        #[unsafe(export_name = "__wrap___wasilibc_read")]
        pub extern "C" fn wasilibc_read(read: *mut LibcStreamOp, buf: *mut u8, len: usize) -> isize {
            // SAFETY: libc passes its own `wasi_read_t`.
            let (input, blocking, timeout) = unsafe { ((*read).stream, (*read).blocking, (*read).timeout) };
            match crate::io::streams::libc_read(input, buf, len, blocking, timeout) {
                // SAFETY: as above.
                Some(n) => unsafe { LibcStreamOp::advance(read, n) },
                // SAFETY: the original, with the caller's arguments.
                None => around(buf, len, || unsafe { __real___wasilibc_read(read, buf, len) }),
            }
        }

        /// wasi-libc (Rust's self-contained build): `read(int, void *, size_t)`.
        #[unsafe(export_name = "__wrap_read")]
        pub extern "C" fn read(fd: i32, buf: *mut u8, len: usize) -> isize {
            // SAFETY: the original, with the caller's arguments.
            around(buf, len, || unsafe { __real_read(fd, buf, len) })
        }

        /// wasi-libc: `pread(int, void *, size_t, off_t)`, behind `preadv`.
        #[unsafe(export_name = "__wrap_pread")]
        pub extern "C" fn pread(fd: i32, buf: *mut u8, len: usize, offset: i64) -> isize {
            // SAFETY: the original, with the caller's arguments.
            around(buf, len, || unsafe { __real_pread(fd, buf, len, offset) })
        }

        /// wasi-libc: `wasip2_list_u8_free(wasip2_list_u8_t *)`.
        #[unsafe(export_name = "__wrap_wasip2_list_u8_free")]
        pub extern "C" fn list_u8_free(list: *mut ListU8) {
            // SAFETY: libc passes its own list record.
            let (ptr, len) = unsafe { ((*list).ptr, (*list).len) };
            if !skip_free(ptr, len) {
                // SAFETY: the original, with the caller's argument.
                unsafe { __real_wasip2_list_u8_free(list) }
            }
        }
    }
}

/// 64 KiB pages the adapter's private heap has taken with `memory.grow` (its state beyond
/// the statics in the program's data section), for measuring the adapter's memory.
#[cfg_attr(target_family = "wasm", unsafe(export_name = "wasip2_on_wasip1_heap_pages"))]
pub extern "C" fn wasip2_on_wasip1_heap_pages() -> u32 {
    private::pages()
}

/// Total bytes the adapter has placed directly into caller-supplied buffers.
#[cfg_attr(target_family = "wasm", unsafe(export_name = "wasip2_on_wasip1_caller_bytes"))]
pub extern "C" fn wasip2_on_wasip1_caller_bytes() -> u64 {
    caller_bytes().get()
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    // These tests share the adapter's single state; run them in one test to keep order.
    #[test]
    fn caller_buffer_then_spare_then_allocator() {
        let mut buf = [0u8; 64];
        wasip2_on_wasip1_arm_buffer(buf.as_mut_ptr(), buf.len());
        let p = result_bytes(32);
        assert_eq!(p, buf.as_mut_ptr());
        assert_eq!(finish_result_bytes(p, 32), p);
        assert_eq!(wasip2_on_wasip1_buffer_used(), 1);
        assert_eq!(wasip2_on_wasip1_caller_bytes(), 32);

        // One-shot: the next request is not served from the buffer.
        let p2 = result_bytes(16);
        assert_ne!(p2, buf.as_mut_ptr());
        assert_eq!(wasip2_on_wasip1_buffer_used(), 0);
        // An empty result hands the block back as the spare …
        finish_result_bytes(p2, 0);
        // … which the next request reuses (whole: 16 bytes), grown when it is too small.
        let p3 = result_bytes(8);
        assert_eq!(p3, p2);
        finish_result_bytes(p3, 0);
        let p4 = result_bytes(4096);
        assert!(!p4.is_null());
        unsafe { p4.add(4095).write(7) };
        // A shorter result is handed out at exactly its length (the program frees it so).
        unsafe { p4.write(9) };
        let q = finish_result_bytes(p4, 100);
        assert_eq!(unsafe { q.read() }, 9);
        // SAFETY: the test owns the block now, as the program would, with its exact size.
        unsafe { std::alloc::dealloc(q, std::alloc::Layout::from_size_align(100, 1).unwrap()) };

        // Too small a caller buffer: falls back to the allocator and disarms.
        wasip2_on_wasip1_arm_buffer(buf.as_mut_ptr(), 8);
        let p5 = result_bytes(9);
        assert_ne!(p5, buf.as_mut_ptr());
        assert_eq!(wasip2_on_wasip1_buffer_used(), 0);
        assert_eq!(result_bytes(0) as usize, SPARE_ALIGN);
        assert_eq!(alloc(0, 4) as usize, 4);

        // Transparent zero-copy: inside a wrapped libc read the armed buffer takes the read
        // and only its free is skipped; outside, nothing is armed or skipped.
        let allocated = wasip2_on_wasip1_allocated_bytes();
        let placed = wasip2_on_wasip1_caller_bytes();
        let b = buf.as_mut_ptr();
        let r = libc_read::around(b, 64, || {
            let p = result_bytes(40);
            assert_eq!(p, b);
            assert_eq!(finish_result_bytes(p, 40), b);
            let other = 4usize as *mut u8;
            assert!(!libc_read::skip_free(other, 4), "another list is freed");
            assert!(!libc_read::skip_free(b, 0), "an empty list is never freed anyway");
            assert!(libc_read::skip_free(b, 40));
            assert!(!libc_read::skip_free(b, 40), "consumed by the first free");
            7
        });
        assert_eq!(r, 7);
        assert_eq!(wasip2_on_wasip1_caller_bytes() - placed, 40);
        assert_eq!(wasip2_on_wasip1_allocated_bytes(), allocated);
        // A read that did not fit: allocated (counted), and its free is not skipped.
        libc_read::around(b, 8, || {
            let p = result_bytes(16);
            assert_ne!(p, b);
            let q = finish_result_bytes(p, 16);
            assert!(!libc_read::skip_free(q, 16));
            // SAFETY: the test owns the block, as the program would.
            unsafe { std::alloc::dealloc(q, std::alloc::Layout::from_size_align(16, 1).unwrap()) };
        });
        assert_eq!(wasip2_on_wasip1_allocated_bytes() - allocated, 16);
        // Disarmed after the wrapped call: the next request does not use the buffer, and a
        // list at the buffer's address is not skipped.
        let p = result_bytes(8);
        assert_ne!(p, b);
        finish_result_bytes(p, 0);
        assert!(!libc_read::skip_free(b, 40));
    }
}
