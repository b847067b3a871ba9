//! wasi-libc's `readdir`, served in one step.
//!
//! wasi-libc 161b319's WASI 0.2 `readdir` (cloudlibc `readdir.c`) makes, for each entry after
//! `.` and `..`: the libc's own descriptor lookup of the `DIR`'s fd (`fd_to_file_handle`),
//! `read-directory-entry` on its stream (the name allocated with the program's
//! `cabi_realloc`), grows its `dirent`, copies the name, asks `metadata-hash-at` of the name
//! for `d_ino` and frees the name (Rust 1.95's wasm32-wasip2 libc has the same `readdir`, its
//! parts other builds of the same code). When the linker recognises that build (its `readdir`
//! and what it relies on, fingerprinted: `crates/ld/src/zerocopy.rs`), it wraps `readdir`;
//! `__wrap_readdir` (an object of its own, `crates/ld/shim/libc_readdir.rs`, since it names
//! libc's `descriptor_table_get_ref`) calls [`readdir`] here, which does the same work with
//! one lookup of each handle, the name read in place and one `path_filestat_get` — or, for
//! anything but the plain case, calls the original, which does it all as before.
//!
//! The plain case: the stream exists, `.` and `..` have been returned (`offset >= 2`), no
//! `seekdir` skipping is pending, the fd is still the libc's file descriptor (its
//! `get_file`), the next entry is buffered whole with a UTF-8 name, the stat succeeds and the
//! `dirent` already has room for the name. Then the result is the original's: `d_ino` the
//! lower half of `metadata-hash-at`, `d_type` from the entry's type, the name, and the
//! offset counts the entry. In every other case nothing has been taken from the stream, so
//! the original sees it exactly as it would have.

use super::types::next_entry_hashed;
use crate::types::filesystem_types::DescriptorType;

/// wasi-libc 161b319's `struct _DIR` for WASI 0.2 (`dirent_impl.h`), on wasm32; the field
/// offsets are those of the recognised `readdir`'s loads and stores.
#[repr(C)]
pub struct Dir {
    pub fd: i32,
    /// `filesystem_own_directory_entry_stream_t`: 0 until the stream is opened.
    pub stream: u32,
    /// Entries still to pass over (`seekdir`).
    pub skip: usize,
    /// Entries returned so far, `.` and `..` included.
    pub offset: usize,
    /// The `struct dirent` returned (`d_ino` u64 at 0, `d_type` u8 at 8, `d_name` at 9).
    pub dirent: *mut u8,
    pub dirent_size: usize,
}

#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
const D_NAME: usize = 9;

/// `d_type` for a `descriptor-type` (wasi-libc's `dir_entry_type_to_d_type`, `<dirent.h>`).
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
fn d_type(ty: DescriptorType) -> u8 {
    match ty {
        DescriptorType::Unknown => 0,
        DescriptorType::BlockDevice => 1,
        DescriptorType::CharacterDevice => 2,
        DescriptorType::Directory => 3,
        DescriptorType::RegularFile => 4,
        DescriptorType::Fifo => 6,
        DescriptorType::SymbolicLink => 7,
        DescriptorType::Socket => 20,
    }
}

/// One entry into `dir`'s `dirent`, or `false` (nothing taken, nothing written).
///
/// # Safety
/// `dir` is a live `DIR` of the known libc whose fd's `get_file` gave `handle`.
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
unsafe fn serve(dir: &mut Dir, handle: u32) -> bool {
    let placed = next_entry_hashed(dir.stream, handle, |ty, name, ino| {
        // The original grows the `dirent` (with the program's `realloc`) when the name does
        // not fit; left to it.
        if dir.dirent.is_null() || D_NAME + name.len() + 1 > dir.dirent_size {
            return false;
        }
        // SAFETY: the libc's `dirent` block of `dirent_size` bytes (checked above), aligned
        // for its `ino_t` (malloc'd); the name is the stream buffer's, not in that block.
        unsafe {
            (dir.dirent as *mut u64).write(ino);
            dir.dirent.add(8).write(d_type(ty));
            core::ptr::copy_nonoverlapping(name.as_ptr(), dir.dirent.add(D_NAME), name.len());
            dir.dirent.add(D_NAME + name.len()).write(0);
        }
        true
    });
    if placed {
        dir.offset += 1;
    }
    placed
}

/// Whether `dir` is in the state where [`serve`] may answer (see the module's text).
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
fn plain(dir: &Dir) -> bool {
    dir.stream != 0 && dir.offset >= 2 && dir.skip == 0
}

#[cfg(target_family = "wasm")]
mod wrap {
    use super::*;
    use crate::io::libc_poll::GetRef;

    unsafe extern "C" {
        fn __real_readdir(dir: *mut Dir) -> *mut u8;
    }

    /// `readdir(dir)`, served or the original's. Called by `__wrap_readdir` (an object of
    /// its own: `crates/ld/shim/libc_readdir.rs`) with the libc's `descriptor_table_get_ref`.
    #[unsafe(export_name = "wasip2_on_wasip1_libc_readdir")]
    pub extern "C" fn readdir(dir: *mut Dir, get_ref: GetRef) -> *mut u8 {
        crate::state::enter();
        // SAFETY: the program's `DIR` (the original dereferences it just so); the libc is the
        // known build, whose lookup and `get_file` are called as the original calls them.
        unsafe {
            let d = &mut *dir;
            if plain(d) {
                if let Some(handle) = crate::io::libc_poll::file_handle(get_ref, d.fd) {
                    if serve(d, handle) {
                        return d.dirent;
                    }
                }
            }
            __real_readdir(dir)
        }
    }
}
