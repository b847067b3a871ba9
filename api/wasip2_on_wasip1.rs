//! Rust declarations of the wasip2-on-wasip1 caller-supplied buffer API (the contract is in
//! `wasip2_on_wasip1.h` beside this file). Include with
//! `include!("path/to/api/wasip2_on_wasip1.rs");` in a program linked with
//! `wasip2-on-wasip1-ld`.
//!
//! A `Vec<u8>` that wasi/wit-bindgen bindings build around a list placed in your buffer does
//! not own its memory: wrap it in `core::mem::ManuallyDrop` (or `mem::forget` it).

#[allow(dead_code)]
unsafe extern "C" {
    /// Arms `ptr[..len]` for the next list-returning call (one-shot).
    pub fn wasip2_on_wasip1_arm_buffer(ptr: *mut u8, len: usize);
    /// 1 if the last list-returning call placed its result in the armed buffer.
    pub fn wasip2_on_wasip1_buffer_used() -> i32;
    /// Bytes placed directly into caller buffers since the start.
    pub fn wasip2_on_wasip1_caller_bytes() -> u64;
    /// Bytes of list results handed out in blocks from the program's allocator instead.
    pub fn wasip2_on_wasip1_allocated_bytes() -> u64;
    /// 64 KiB pages the adapter's private heap has taken with `memory.grow`.
    pub fn wasip2_on_wasip1_heap_pages() -> u32;
}
