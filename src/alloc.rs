//! Allocation: the one entry point for memory handed to the program, and the adapter's
//! private heap for its own state.
//!
//! **Private heap.** The resource table, scratch regions and per-handle buffers (directory
//! listings) live in a private `dlmalloc` heap that grows with `memory.grow` like the
//! program's own allocator, and can free. The program's `cabi_realloc` cannot free (the
//! canonical ABI has no free), so it is used only for what the program owns.
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

/// The adapter's private heap.
pub mod private {
    /// dlmalloc's system allocator: whole 64 KiB pages from `memory.grow`, never returned
    /// (core wasm cannot shrink memory), counted so the heap's footprint can be measured
    /// ([`super::wasip2_on_wasip1_heap_pages`]).
    pub struct Pages {
        grown: core::cell::Cell<u32>,
    }

    const PAGE: usize = 64 * 1024;

    // SAFETY: follows the `Allocator` contract: fresh, zeroed, page-aligned regions of at
    // least `size` bytes, or null; nothing is remapped or released.
    unsafe impl dlmalloc::Allocator for Pages {
        fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
            let pages = size.div_ceil(PAGE);
            #[cfg(target_family = "wasm")]
            let base = match core::arch::wasm32::memory_grow(0, pages) {
                usize::MAX => core::ptr::null_mut(),
                prev => (prev * PAGE) as *mut u8,
            };
            // Host unit tests: zeroed, page-aligned blocks from std (never freed).
            #[cfg(not(target_family = "wasm"))]
            // SAFETY: a non-zero size.
            let base = unsafe {
                extern crate std;
                std::alloc::alloc_zeroed(std::alloc::Layout::from_size_align(pages * PAGE, PAGE).unwrap())
            };
            if base.is_null() {
                return (base, 0, 0);
            }
            self.grown.set(self.grown.get() + pages as u32);
            (base, pages * PAGE, 0)
        }
        fn remap(&self, _: *mut u8, _: usize, _: usize, _: bool) -> *mut u8 {
            core::ptr::null_mut()
        }
        fn free_part(&self, _: *mut u8, _: usize, _: usize) -> bool {
            false
        }
        fn free(&self, _: *mut u8, _: usize) -> bool {
            false
        }
        fn can_release_part(&self, _: u32) -> bool {
            false
        }
        fn allocates_zeros(&self) -> bool {
            true
        }
        fn page_size(&self) -> usize {
            PAGE
        }
    }

    crate::instance_cell!(heap: dlmalloc::Dlmalloc<Pages> = dlmalloc::Dlmalloc::new_with_allocator(Pages { grown: core::cell::Cell::new(0) }));

    /// Pages the private heap has taken from `memory.grow`.
    pub fn pages() -> u32 {
        heap().allocator().grown.get()
    }

    /// Grows, shrinks or (when `old` is null) allocates a block of the private heap; traps when
    /// memory is exhausted.
    pub fn realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
        debug_assert!(new_size > 0);
        // SAFETY: a fresh block.
        let mut heap = heap();
        let p = unsafe { heap.malloc(new_size, align) };
        if p.is_null() {
            crate::trap::trap(b"out of memory (adapter heap)");
        }
        // Growing is allocate-copy-free rather than dlmalloc's in-place `realloc`: blocks
        // here grow rarely (by doubling), and `realloc`'s code would be linked into every
        // program (size: `docs/performance.md`).
        if !old.is_null() {
            // SAFETY: `old` came from this heap with `old_size`/`align` (callers' invariant);
            // `p` is a distinct block of `new_size` bytes.
            unsafe {
                core::ptr::copy_nonoverlapping(old, p, old_size.min(new_size));
                heap.free(old, old_size, align);
            }
        }
        p
    }

    /// Returns a block to the private heap.
    pub fn free(p: *mut u8, size: usize, align: usize) {
        if !p.is_null() {
            // SAFETY: `p` came from this heap with `size`/`align` (callers' invariant).
            unsafe { heap().free(p, size, align) }
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
