//! `__wrap_fstat`, in an object of its own that the linker adds only to a link that wraps
//! wasi-libc's `fstat` (see `crates/ld/src/zerocopy.rs`): like `__wrap_poll` (`libc_poll.rs`
//! here) it names the libc's `descriptor_table_get_ref`, which the adapter archive must not
//! name, and `__real_fstat` (the original, which only a link with `--wrap=fstat` defines).
//! The adapter's `wasip2_on_wasip1_libc_fstat` (`src/filesystem/libc_stat.rs`) does the work
//! and gets both as function pointers.
#![no_std]

unsafe extern "C" {
    fn descriptor_table_get_ref(fd: i32) -> *mut u8;
    fn __real_fstat(fd: i32, buf: *mut u8) -> i32;
    fn wasip2_on_wasip1_libc_fstat(
        fd: i32,
        buf: *mut u8,
        get_ref: unsafe extern "C" fn(i32) -> *mut u8,
        real: unsafe extern "C" fn(i32, *mut u8) -> i32,
    ) -> i32;
}

/// wasi-libc's `fstat(fd, buf)`, wrapped.
///
/// # Safety
/// Called by the program as its `fstat`, with the libc the linker recognised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap_fstat(fd: i32, buf: *mut u8) -> i32 {
    // SAFETY: the adapter's entry point, with the caller's arguments, the known libc's lookup
    // and the original.
    unsafe { wasip2_on_wasip1_libc_fstat(fd, buf, descriptor_table_get_ref, __real_fstat) }
}
