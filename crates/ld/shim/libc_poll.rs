//! `__wrap_poll`, in an object of its own that the linker adds only to a link that wraps
//! wasi-libc's `poll` (see `crates/ld/src/zerocopy.rs`): it names the libc's
//! `descriptor_table_get_ref`, which the adapter archive must not name — other libc builds
//! define that function with another signature (wasm-ld then warns on every link, and
//! `--fatal-warnings` fails it). The adapter's `wasip2_on_wasip1_libc_poll`
//! (`src/io/libc_poll.rs`) does the work and gets the lookup as a function pointer.
#![no_std]

unsafe extern "C" {
    fn descriptor_table_get_ref(fd: i32) -> *mut u8;
    fn wasip2_on_wasip1_libc_poll(fds: *mut u8, nfds: usize, timeout: i32, get_ref: unsafe extern "C" fn(i32) -> *mut u8) -> i32;
}

/// wasi-libc's `poll(fds, nfds, timeout)`, wrapped.
///
/// # Safety
/// Called by the program as its `poll`, with the libc the linker recognised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap_poll(fds: *mut u8, nfds: usize, timeout: i32) -> i32 {
    // SAFETY: the adapter's entry point, with the caller's arguments and the known libc's lookup.
    unsafe { wasip2_on_wasip1_libc_poll(fds, nfds, timeout, descriptor_table_get_ref) }
}
