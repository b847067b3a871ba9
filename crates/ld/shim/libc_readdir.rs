//! `__wrap_readdir`, in an object of its own that the linker adds only to a link that wraps
//! wasi-libc's `readdir` (see `crates/ld/src/zerocopy.rs`): like `__wrap_poll`
//! (`libc_poll.rs` here) it names the libc's `descriptor_table_get_ref`, which the adapter
//! archive must not name. The adapter's `wasip2_on_wasip1_libc_readdir`
//! (`src/filesystem/libc_dirent.rs`) does the work.
#![no_std]

unsafe extern "C" {
    fn descriptor_table_get_ref(fd: i32) -> *mut u8;
    fn wasip2_on_wasip1_libc_readdir(dir: *mut u8, get_ref: unsafe extern "C" fn(i32) -> *mut u8) -> *mut u8;
}

/// wasi-libc's `readdir(dir)`, wrapped.
///
/// # Safety
/// Called by the program as its `readdir`, with the libc the linker recognised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap_readdir(dir: *mut u8) -> *mut u8 {
    // SAFETY: the adapter's entry point, with the caller's argument and the known libc's lookup.
    unsafe { wasip2_on_wasip1_libc_readdir(dir, descriptor_table_get_ref) }
}
