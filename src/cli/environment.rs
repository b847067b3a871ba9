//! `wasi:cli/environment` on WASIp1 `args_*` and `environ_*`.

use crate::abi::{List, RetPtr, Tuple2, WOption};
use crate::p1;
use crate::scratch;
use crate::trap::trap;

/// The arguments or the environment as an owned `list<T>`: one `T` made by `f` from each
/// NUL-terminated string WASIp1 gives. The sizes are asked once, and the list is allocated
/// for exactly the strings fetched.
fn collect<T>(environment: bool, mut f: impl FnMut(&[u8]) -> T) -> List<T> {
    let (count, bytes) = match p1::sizes(environment) {
        Ok(s) => s,
        Err(_) => trap(b"args_sizes_get/environ_sizes_get failed"),
    };
    let (ptrs, buf) = scratch::strings(count, bytes);
    if p1::strings(environment, ptrs, buf).is_err() {
        trap(b"args_get/environ_get failed");
    }
    let size = scratch::size_of_n(count, core::mem::size_of::<T>(), 0);
    let out = crate::alloc::alloc(size, core::mem::align_of::<T>()) as *mut T;
    for i in 0..count {
        // SAFETY: the runtime filled `count` pointers to NUL-terminated strings inside `buf`
        // (`bytes` long in all), so each string and its NUL lie within `buf`.
        let s = unsafe { *ptrs.add(i) };
        let end = unsafe { buf.add(bytes) };
        let mut len = 0;
        while unsafe { s.add(len) } < end && unsafe { *s.add(len) } != 0 {
            len += 1;
        }
        // SAFETY: `out` has room for `count` values and `i < count`.
        unsafe { out.add(i).write(f(core::slice::from_raw_parts(s, len))) };
    }
    List::new(out, count)
}

/// `get-environment`: "Get the POSIX-style environment variables. Each environment variable
/// is provided as a pair of string variable names and string value."
///
/// WASIp1 gives `NAME=VALUE`; the name ends at the first `=`.
pub fn get_environment(ret: RetPtr<List<Tuple2<List<u8>, List<u8>>>>) {
    ret.write(collect(true, |kv| {
        let eq = kv.iter().position(|b| *b == b'=').unwrap_or(kv.len());
        let v = if eq < kv.len() { &kv[eq + 1..] } else { &[][..] };
        Tuple2(crate::abi::string_lossy(&kv[..eq]), crate::abi::string_lossy(v))
    }));
}

/// `get-arguments`: "Get the POSIX-style arguments to the program."
pub fn get_arguments(ret: RetPtr<List<List<u8>>>) {
    ret.write(collect(false, crate::abi::string_lossy));
}

/// `initial-cwd`: "Return a path that programs should use as their initial current working
/// directory, interpreting `.` as shorthand for this."
///
/// WASIp1 has no notion of a working directory, so there is none to report: `none`, which
/// is also what wasmtime's native WASIp2 host answers unless told otherwise.
pub fn initial_cwd(ret: RetPtr<WOption<List<u8>>>) {
    ret.write(WOption::None);
}
