//! `__wrap___wasilibc_nocwd_fstatat`, in an object of its own that the linker adds only to a
//! link that wraps wasi-libc's `__wasilibc_nocwd_fstatat` (the end of `stat`, `lstat` and
//! `fstatat`, after the libc found the preopen: see `crates/ld/src/zerocopy.rs`): like
//! `__wrap_fstat` (`libc_fstat.rs` here) it passes the libc's `descriptor_table_get_ref` and
//! the original to the adapter's `wasip2_on_wasip1_libc_fstatat`
//! (`src/filesystem/libc_stat.rs`), which the adapter archive must not name.
#![no_std]

unsafe extern "C" {
    fn descriptor_table_get_ref(fd: i32) -> *mut u8;
    fn __real___wasilibc_nocwd_fstatat(fd: i32, path: *const u8, buf: *mut u8, flag: i32) -> i32;
    fn wasip2_on_wasip1_libc_fstatat(
        fd: i32,
        path: *const u8,
        buf: *mut u8,
        flag: i32,
        get_ref: unsafe extern "C" fn(i32) -> *mut u8,
        real: unsafe extern "C" fn(i32, *const u8, *mut u8, i32) -> i32,
    ) -> i32;
}

/// wasi-libc's `__wasilibc_nocwd_fstatat(dirfd, path, buf, flag)`, wrapped.
///
/// # Safety
/// Called by the libc as its `__wasilibc_nocwd_fstatat`, the build the linker recognised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap___wasilibc_nocwd_fstatat(fd: i32, path: *const u8, buf: *mut u8, flag: i32) -> i32 {
    // SAFETY: the adapter's entry point, with the caller's arguments, the known libc's lookup
    // and the original.
    unsafe { wasip2_on_wasip1_libc_fstatat(fd, path, buf, flag, descriptor_table_get_ref, __real___wasilibc_nocwd_fstatat) }
}
