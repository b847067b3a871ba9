//! `wasi:filesystem/preopens` on WASIp1 `fd_prestat_*`.

use crate::abi::{List, RetPtr, Tuple2};
use crate::p1;

/// First fd WASIp1 runtimes use for preopens; they are contiguous, and the first fd that
/// `fd_prestat_get` rejects ends the list.
const FIRST_PREOPEN: u32 = 3;

/// `get-directories`: "Return the set of preopened directories, and their paths."
///
/// Each call returns new `descriptor` handles for the same directories (dropping one never
/// closes the runtime's preopen).
pub fn get_directories(ret: RetPtr<List<Tuple2<u32, List<u8>>>>) {
    let mut count = 0u32;
    while matches!(p1::prestat(FIRST_PREOPEN + count), Ok(p) if p.tag == 0) {
        count += 1;
    }
    let out = crate::alloc::alloc(count as usize * 12, 4) as *mut Tuple2<u32, List<u8>>;
    for i in 0..count {
        let fd = FIRST_PREOPEN + i;
        let len = p1::prestat(fd).map(|p| p.name_len).unwrap_or(0);
        let name = crate::alloc::alloc(len, 1);
        // SAFETY: `name` has `len` bytes.
        let ok = p1::prestat_dir_name(fd, unsafe { core::slice::from_raw_parts_mut(name, len) }).is_ok();
        // WAMR and older runtimes may include a trailing NUL in the length.
        let mut n = if ok { len } else { 0 };
        while n > 0 && unsafe { *name.add(n - 1) } == 0 {
            n -= 1;
        }
        let d = super::types::new_descriptor(fd, true);
        // SAFETY: `out` holds `count` entries and the path bytes are checked to be UTF-8.
        let path = if crate::abi::is_utf8(unsafe { core::slice::from_raw_parts(name, n) }) {
            List::new(name, n)
        } else {
            crate::abi::string_lossy(unsafe { core::slice::from_raw_parts(name, n) })
        };
        unsafe { out.add(i as usize).write(Tuple2(d, path)) };
    }
    ret.write(List::new(out, count as usize));
}
