//! Canonical ABI encoding, written once and used by every interface.
//!
//! The generated entry points (`build.rs`, from `wit/`) hand each implementation its core
//! parameters through [`FromCore`] and take its core result through [`IntoCore`]; a return
//! pointer arrives as a [`RetPtr<T>`] whose `T` is a `#[repr(C)]` type with the canonical ABI
//! layout of the WIT result. The generated call names `T` (derived from the WIT, with the
//! hand-written records and variants listed in `src/wit-types.txt`, whose field offsets,
//! case tags and payload offsets are checked at compile time), and [`ret_area`] checks that
//! `T` has exactly the size and alignment the WIT gives, so a mistyped return area does not
//! build.
//!
//! Layout rules used here (canonical ABI, wasm32):
//! - `result<T, E>`, `option<T>` and variants are a `u8` discriminant followed by the payload
//!   at the payload's alignment: exactly Rust's `#[repr(C, u8)]` enum layout ([`WResult`],
//!   [`WOption`], and the variant types of each interface).
//! - `list<T>` and `string` are `(ptr: u32, len: u32)` ([`List`]).
//! - records are `#[repr(C)]` structs, tuples too ([`Tuple2`]).
//! - enums with fewer than 256 cases are a `u8`; flags with up to 8 bits a `u8`, up to 16 a
//!   `u16`, up to 32 a `u32` (the `bitflags` types of each interface are `#[repr(transparent)]`).

use core::marker::PhantomData;

/// Converts a core wasm parameter into the implementation's parameter type.
pub trait FromCore<C>: Sized {
    fn from_core(c: C) -> Self;
}

/// Converts the implementation's return value into the core wasm result.
pub trait IntoCore<C> {
    fn into_core(self) -> C;
}

macro_rules! same_width {
    ($core:ty => $($t:ty),*) => {$(
        impl FromCore<$core> for $t {
            #[inline(always)]
            fn from_core(c: $core) -> $t { c as $t }
        }
        impl IntoCore<$core> for $t {
            #[inline(always)]
            fn into_core(self) -> $core { self as $core }
        }
    )*};
}
same_width!(i32 => i32, u32, usize);
same_width!(i64 => i64, u64);

impl FromCore<i32> for u8 {
    /// A `u8` parameter arrives as an i32 whose upper bits the canonical ABI ignores.
    #[inline(always)]
    fn from_core(c: i32) -> u8 {
        c as u8
    }
}

impl FromCore<i32> for u16 {
    #[inline(always)]
    fn from_core(c: i32) -> u16 {
        c as u16
    }
}

impl FromCore<i32> for bool {
    /// Canonical ABI: any non-zero value lifts to `true`.
    #[inline(always)]
    fn from_core(c: i32) -> bool {
        c != 0
    }
}

impl IntoCore<i32> for bool {
    #[inline(always)]
    fn into_core(self) -> i32 {
        self as i32
    }
}

impl<T> FromCore<i32> for *const T {
    #[inline(always)]
    fn from_core(c: i32) -> *const T {
        c as usize as *const T
    }
}

impl<T> FromCore<i32> for *mut T {
    #[inline(always)]
    fn from_core(c: i32) -> *mut T {
        c as usize as *mut T
    }
}

/// A typed return area in the caller's memory.
pub struct RetPtr<T>(*mut T);

impl<T> RetPtr<T> {
    /// Stores the result. The area must be aligned for `T` and lie inside linear memory, else
    /// this traps, as a canonical ABI host traps when it lowers the result (`ret_area` checks
    /// at compile time that `T`'s layout is the WIT's). Like wasmtime, the check comes when the
    /// result is stored, after the call has done its work.
    #[inline(always)]
    pub fn write(self, v: T) {
        check_ret_area(self.0 as usize, core::mem::size_of::<T>(), core::mem::align_of::<T>());
        // SAFETY: aligned, and inside linear memory (checked above), which the caller passed
        // for the result.
        unsafe { self.0.write(v) }
    }
}

/// [`RetPtr::write`]'s checks, shared by every entry point (out of line: one copy, not one
/// per return type): traps unless `size` bytes at `p` are aligned to `align` and inside
/// linear memory.
#[inline(never)]
fn check_ret_area(p: usize, size: usize, align: usize) {
    let p = p as u64;
    if p & (align as u64 - 1) != 0 {
        crate::trap::trap(b"return area pointer is not aligned");
    }
    if !in_memory(p, size as u64) {
        crate::trap::trap(b"return area out of bounds of memory");
    }
}

/// Bytes of linear memory (memory 0). On the host (unit tests) every address counts as inside.
#[inline(always)]
fn memory_len() -> u64 {
    #[cfg(target_family = "wasm")]
    {
        core::arch::wasm32::memory_size(0) as u64 * 65536
    }
    #[cfg(not(target_family = "wasm"))]
    {
        u64::MAX
    }
}

/// Whether `len` bytes at `addr` lie inside linear memory (`addr`, `len` < 2^32 each on wasm,
/// so the sum cannot wrap).
#[inline(always)]
fn in_memory(addr: u64, len: u64) -> bool {
    addr.saturating_add(len) <= memory_len()
}

/// The element layout of a `string` or `list` parameter (the generated shims pass it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elem {
    size: u32,
    align: u32,
    string: bool,
}

impl Elem {
    /// `string`: UTF-8 bytes.
    pub const STRING: Elem = Elem { size: 1, align: 1, string: true };
    /// `list<T>` with `T` of this size and alignment.
    pub const fn list(size: u32, align: u32) -> Elem {
        Elem { size, align, string: false }
    }
}

/// Why a `(ptr, len)` cannot be lifted, if it cannot (canonical ABI `load_list_from_range`
/// and `load_string_from_range`): the pointer is misaligned for the elements, or the
/// elements do not lie inside memory (the byte size is computed in 64 bits: `len` × size
/// cannot wrap).
pub(crate) fn range_error(addr: u32, len: u32, e: Elem, memory: u64) -> Option<&'static [u8]> {
    if addr & (e.align - 1) != 0 {
        return Some(if e.string { b"string pointer is not aligned" } else { b"list pointer is not aligned" });
    }
    if (addr as u64).saturating_add(len as u64 * e.size as u64) > memory {
        return Some(if e.string {
            b"string pointer/length out of bounds of memory"
        } else {
            b"list pointer/length out of bounds of memory"
        });
    }
    None
}

/// Lifts a `string` or `list` parameter as the canonical ABI does before a call: traps when
/// the pointer is misaligned, the elements are not inside memory, or a string is not UTF-8.
/// After it, [`bytes`] and [`slice`] on the same `(ptr, len)` are sound.
#[inline(always)]
pub fn lift(ptr: i32, len: i32, e: Elem) {
    if e.string {
        lift_string(ptr, len)
    } else if e.size == 1 && e.align == 1 {
        // `list<u8>` (the hot `write` paths): only the bounds, inline.
        if !in_memory(ptr as u32 as u64, len as u32 as u64) {
            list_out_of_bounds();
        }
    } else {
        lift_list(ptr, len, e.size, e.align)
    }
}

#[cold]
#[inline(never)]
fn list_out_of_bounds() -> ! {
    crate::trap::trap(b"list pointer/length out of bounds of memory")
}

/// [`lift`] of a `string` (out of line: one copy for every entry point).
#[inline(never)]
fn lift_string(ptr: i32, len: i32) {
    let (addr, n) = (ptr as u32, len as u32);
    if let Some(msg) = range_error(addr, n, Elem::STRING, memory_len()) {
        crate::trap::trap(msg);
    }
    // SAFETY: `n` bytes at `addr` are inside memory (checked above).
    if !is_utf8(unsafe { bytes(addr as usize as *const u8, n as usize) }) {
        crate::trap::trap(b"string is not valid UTF-8");
    }
}

/// [`lift`] of a `list` whose elements are `size` bytes aligned to `align` (out of line).
#[inline(never)]
fn lift_list(ptr: i32, len: i32, size: u32, align: u32) {
    if let Some(msg) = range_error(ptr as u32, len as u32, Elem::list(size, align), memory_len()) {
        crate::trap::trap(msg);
    }
}

/// Lifts a `list` parameter whose elements hold strings or lists at the byte offsets `inner`
/// (`list<outgoing-datagram>`): the list, then every string or list inside each element.
#[inline(never)]
pub fn lift_nested(ptr: i32, len: i32, e: Elem, inner: &[(u32, Elem)]) {
    lift(ptr, len, e);
    for i in 0..len as u32 {
        let elem = ptr as u32 as usize + i as usize * e.size as usize;
        for (off, k) in inner {
            // SAFETY: the element is inside memory (lifted above); `(ptr, len)` at an offset
            // the WIT gives is two aligned u32s inside it.
            let (p, n) = unsafe {
                let f = (elem + *off as usize) as *const u32;
                (*f, *f.add(1))
            };
            lift(p as i32, n as i32, *k);
        }
    }
}

/// Builds the typed return area of an import whose WIT result is `SIZE` bytes aligned to
/// `ALIGN` (both computed from the WIT by `build.rs`). Fails to compile when `T` disagrees.
#[inline(always)]
pub fn ret_area<const SIZE: usize, const ALIGN: usize, T>(p: i32) -> RetPtr<T> {
    const {
        assert!(core::mem::size_of::<T>() == SIZE, "return area size differs from the WIT");
        assert!(core::mem::align_of::<T>() == ALIGN, "return area alignment differs from the WIT");
    }
    RetPtr(p as usize as *mut T)
}

/// Writes `err(<case>)` of a `result<_, error-code>` into a return area: the body of every
/// import marked `unsupported` in `src/coverage.txt` (generated; offsets come from the WIT).
#[inline(never)]
pub fn write_unsupported(p: *mut u8, payload_offset: usize, case: u32) {
    // SAFETY: `p` is the import's return area, at least `payload_offset + 1` bytes.
    unsafe {
        p.write(1);
        p.add(payload_offset).write(case as u8);
    }
}

/// `result<T, E>`.
#[repr(C, u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WResult<T, E> {
    Ok(T) = 0,
    Err(E) = 1,
}

impl<T, E> From<Result<T, E>> for WResult<T, E> {
    #[inline(always)]
    fn from(r: Result<T, E>) -> Self {
        match r {
            Ok(v) => WResult::Ok(v),
            Err(e) => WResult::Err(e),
        }
    }
}

/// `option<T>`.
#[repr(C, u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WOption<T> {
    None = 0,
    Some(T) = 1,
}

impl<T> From<Option<T>> for WOption<T> {
    #[inline(always)]
    fn from(o: Option<T>) -> Self {
        match o {
            None => WOption::None,
            Some(v) => WOption::Some(v),
        }
    }
}

/// `list<T>` (and `string` as `List<u8>` holding UTF-8): address and length in elements.
/// Both are stored as `u32`, the wasm32 width, so the layout is the same in host unit tests.
#[repr(C)]
#[derive(Debug, PartialEq, Eq)]
pub struct List<T> {
    pub addr: u32,
    pub len: u32,
    _t: PhantomData<*mut T>,
}

impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for List<T> {}

impl<T> List<T> {
    pub fn new(ptr: *mut T, len: usize) -> Self {
        List { addr: ptr as usize as u32, len: len as u32, _t: PhantomData }
    }
    pub fn ptr(&self) -> *mut T {
        self.addr as usize as *mut T
    }
    /// The empty list: a dangling, aligned, non-null pointer (nothing to free: callers free
    /// only when `len > 0`).
    pub fn empty() -> Self {
        List::new(core::ptr::NonNull::<T>::dangling().as_ptr(), 0)
    }
}

/// A `string` or `list<u8>` parameter passed by the caller: `(ptr, len)` in two core params.
/// Borrowed for the duration of the call.
///
/// # Safety
/// `ptr` must point to `len` readable bytes for the call (the canonical ABI guarantees it for
/// a parameter).
pub unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 { &[] } else { unsafe { core::slice::from_raw_parts(ptr, len) } }
}

/// A `list<T>` parameter (e.g. `list<borrow<pollable>>` as `list<u32>`).
///
/// # Safety
/// `ptr` must point to `len` valid, aligned `T`s for the call.
pub unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> &'a [T] {
    if len == 0 { &[] } else { unsafe { core::slice::from_raw_parts(ptr, len) } }
}

/// An owned `list<u8>` for the program — or a `string`, when the parts are UTF-8: the
/// concatenation of `parts`, copied into one allocation from the program's allocator (freed
/// by the program).
pub fn owned(parts: &[&[u8]]) -> List<u8> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let p = crate::alloc::alloc(len, 1);
    let mut off = 0;
    for part in parts {
        // SAFETY: `p` has room for `len` bytes, the sum of the parts.
        unsafe { core::ptr::copy_nonoverlapping(part.as_ptr(), p.add(off), part.len()) };
        off += part.len();
    }
    List::new(p, len)
}

/// Flag of [`utf8_sequence`]'s result: the bytes are a maximal invalid subpart.
const INVALID: usize = 1 << 31;

/// The UTF-8 sequence at the start of `b` (non-empty): `len` when it is a valid sequence of
/// `len` bytes, else `k | INVALID` when its first `k` bytes (k ≥ 1) are a maximal invalid
/// subpart — what `String::from_utf8_lossy` replaces with one U+FFFD (Unicode's
/// "substitution of maximal subparts"). The ranges are those of the Unicode standard's
/// table of well-formed byte sequences. (A small loop rather than `core::str::from_utf8`,
/// whose fast paths would be linked into every program.)
fn utf8_sequence(b: &[u8]) -> usize {
    let Some(&c) = b.first() else { return INVALID | 1 };
    // Length, and the range the second byte must fall in.
    let (len, lo, hi) = match c {
        0x00..=0x7f => return 1,
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0..=0xef => (3, if c == 0xe0 { 0xa0 } else { 0x80 }, if c == 0xed { 0x9f } else { 0xbf }),
        0xf0..=0xf4 => (4, if c == 0xf0 { 0x90 } else { 0x80 }, if c == 0xf4 { 0x8f } else { 0xbf }),
        _ => return INVALID | 1,
    };
    let (mut lo, mut hi) = (lo, hi);
    for i in 1..len {
        match b.get(i) {
            Some(&c) if lo <= c && c <= hi => {}
            _ => return INVALID | i,
        }
        (lo, hi) = (0x80, 0xbf);
    }
    len
}

/// The lossy UTF-8 form of `bytes` (each maximal invalid subpart replaced by U+FFFD), written
/// to `out` unless it is null; returns its length. One loop serves both passes of
/// [`string_lossy`] (counting, then copying the valid runs and the replacements).
///
/// # Safety
/// `out` is null or has room for the returned length (the count of a first, null pass).
unsafe fn lossy_into(bytes: &[u8], out: *mut u8) -> usize {
    const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();
    let (b, len) = (bytes.as_ptr(), bytes.len());
    // Invariant: start <= i <= len (raw reads, no slice checks).
    let (mut i, mut n, mut start) = (0, 0, 0);
    while i < len {
        // ASCII inline; other sequences checked by `utf8_sequence`.
        // SAFETY: i < len.
        if unsafe { *b.add(i) } < 0x80 {
            i += 1;
            continue;
        }
        // SAFETY: i < len: the rest of `bytes`.
        let r = utf8_sequence(unsafe { core::slice::from_raw_parts(b.add(i), len - i) });
        if r & INVALID == 0 {
            i += r;
            continue;
        }
        // SAFETY: the caller's room, of which these are the next parts; `start..i` is inside
        // `bytes`.
        unsafe {
            n = put(out, n, b.add(start), i - start);
            n = put(out, n, REPLACEMENT.as_ptr(), REPLACEMENT.len());
        }
        i += r & !INVALID;
        start = i;
    }
    // SAFETY: as above (`utf8_sequence` never counts past the end, so i == len here).
    unsafe { put(out, n, b.add(start), len - start) }
}

/// [`lossy_into`]'s output: the `k` bytes at `part` to `out + at` unless `out` is null;
/// returns `at + k`.
///
/// # Safety
/// `part` has `k` readable bytes; `out` is null or has room for `at + k` bytes.
#[inline(never)]
unsafe fn put(out: *mut u8, at: usize, part: *const u8, k: usize) -> usize {
    if !out.is_null() {
        // SAFETY: the caller's room.
        unsafe { core::ptr::copy_nonoverlapping(part, out.add(at), k) };
    }
    at + k
}

/// Calls `out` with the lossy UTF-8 form of `bytes`, made by the same code as
/// [`string_lossy`]'s (for the tests, which compare it with std's).
#[cfg(test)]
pub(crate) fn utf8_lossy_parts(bytes: &[u8], out: &mut dyn FnMut(&[u8])) {
    extern crate std;
    // SAFETY: a null `out` counts only; the buffer then has room for the counted length.
    let mut v = std::vec![0u8; unsafe { lossy_into(bytes, core::ptr::null_mut()) }];
    let n = unsafe { lossy_into(bytes, v.as_mut_ptr()) };
    assert_eq!(n, v.len());
    out(&v);
}

/// Whether `bytes` is valid UTF-8. (ASCII bytes are stepped over inline: names are mostly
/// ASCII, and this runs for every directory entry.)
pub fn is_utf8(bytes: &[u8]) -> bool {
    let (n, p) = (bytes.len(), bytes.as_ptr());
    let mut i = 0;
    while i < n {
        // Four ASCII bytes at a time: one unaligned 32-bit load (wasm loads need no
        // alignment), not four byte loads and a slice check.
        if n - i >= 4 {
            // SAFETY: `i + 4 <= n`, inside `bytes`.
            let w = unsafe { (p.add(i) as *const u32).read_unaligned() };
            if w & 0x8080_8080 == 0 {
                i += 4;
                continue;
            }
        } else if n >= 4 {
            // Fewer than four bytes left: the last four (overlapping bytes already checked,
            // `bytes[..i]` being valid) in one load; all ASCII ends it.
            // SAFETY: `n - 4 .. n` is inside `bytes`.
            let w = unsafe { (p.add(n - 4) as *const u32).read_unaligned() };
            if w & 0x8080_8080 == 0 {
                return true;
            }
        }
        // SAFETY: `i < n`.
        if unsafe { *p.add(i) } < 0x80 {
            i += 1;
            continue;
        }
        let r = utf8_sequence(&bytes[i..]);
        if r & INVALID != 0 {
            return false;
        }
        i += r;
    }
    true
}

/// Whether `bytes` is a plain name: ASCII without NUL and `/`, so valid UTF-8 that the path
/// rules pass unchanged as one component (`has_nul`'s word test, on the word and on the word
/// XOR `////`; any high bit ends it). Most directory entries are.
pub fn is_plain_name(bytes: &[u8]) -> bool {
    let (n, p) = (bytes.len(), bytes.as_ptr());
    let ok = |w: u32| {
        let zero_in = |w: u32| w.wrapping_sub(0x0101_0101) & !w & 0x8080_8080 != 0;
        w & 0x8080_8080 == 0 && !zero_in(w) && !zero_in(w ^ 0x2f2f_2f2f)
    };
    if n < 4 {
        return bytes.iter().all(|&b| b != 0 && b != b'/' && b < 0x80);
    }
    let mut i = 0;
    while n - i > 4 {
        // SAFETY: `i + 4 < n`, inside `bytes`.
        if !ok(unsafe { (p.add(i) as *const u32).read_unaligned() }) {
            return false;
        }
        i += 4;
    }
    // SAFETY: `n >= 4`: the last four bytes are inside `bytes`.
    ok(unsafe { (p.add(n - 4) as *const u32).read_unaligned() })
}

/// Whether `bytes` holds a NUL byte: four bytes per unaligned 32-bit load (a word has a zero
/// byte exactly when `(w - 0x01010101) & !w & 0x80808080` is non-zero), the last one to
/// three in one overlapping load, byte by byte only below four bytes. (A plain loop, not
/// `contains`, which brings `memchr` into every program using files.)
pub fn has_nul(bytes: &[u8]) -> bool {
    let (n, p) = (bytes.len(), bytes.as_ptr());
    let zero_in = |w: u32| w.wrapping_sub(0x0101_0101) & !w & 0x8080_8080 != 0;
    if n < 4 {
        #[allow(clippy::manual_contains)]
        return bytes.iter().any(|&b| b == 0);
    }
    let mut i = 0;
    while n - i > 4 {
        // SAFETY: `i + 4 < n`, inside `bytes`.
        if zero_in(unsafe { (p.add(i) as *const u32).read_unaligned() }) {
            return true;
        }
        i += 4;
    }
    // SAFETY: `n >= 4`: the last four bytes are inside `bytes`.
    zero_in(unsafe { (p.add(n - 4) as *const u32).read_unaligned() })
}

/// An owned `string` from bytes the runtime gave (arguments, environment, paths), which
/// WASIp1 does not promise are UTF-8. A `string` must be UTF-8 (bindings may rely on it
/// without checking), so each invalid sequence becomes U+FFFD, as a native host's
/// `String::from_utf8_lossy` does.
pub fn string_lossy(bytes: &[u8]) -> List<u8> {
    // Two passes of one loop (count, then copy), also for valid UTF-8: the strings are the
    // arguments, the environment and preopen names, converted once.
    // SAFETY: a null `out` only counts; the block then has room for the counted length.
    let len = unsafe { lossy_into(bytes, core::ptr::null_mut()) };
    let p = crate::alloc::alloc(len, 1);
    unsafe { lossy_into(bytes, p) };
    List::new(p, len)
}

/// `tuple<A, B>`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuple2<A, B>(pub A, pub B);

/// The discriminant byte of a `#[repr(C, u8)]` variant (for the generated layout checks).
///
/// # Safety
/// `T` must be a `#[repr(C, u8)]` enum, which starts with its `u8` tag.
pub const unsafe fn tag_of<T>(v: &T) -> u8 {
    // SAFETY: the caller's promise.
    unsafe { *(v as *const T as *const u8) }
}

/// The byte offset of `field` inside `whole` (for the generated layout checks of variant
/// payloads, which `offset_of!` cannot name).
///
/// # Safety
/// `field` must be a part of `whole` (both pointers in one allocation).
pub const unsafe fn offset_in<F, T>(field: &F, whole: &T) -> usize {
    // SAFETY: the caller's promise.
    unsafe { (field as *const F as *const u8).offset_from(whole as *const T as *const u8) as usize }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn result_and_option_have_canonical_layout() {
        // result<u64, u8>: tag at 0, payload at 8, size 16.
        assert_eq!((size_of::<WResult<u64, u8>>(), align_of::<WResult<u64, u8>>()), (16, 8));
        // result<_, error-code>: 2 bytes.
        assert_eq!(size_of::<WResult<(), u8>>(), 2);
        // result<list<u8>, stream-error(8 bytes, align 4)>: 12 bytes, align 4.
        assert_eq!(size_of::<WResult<List<u8>, [u32; 2]>>(), 12);
        // option<string>: tag, then (ptr, len) at 4.
        assert_eq!(size_of::<WOption<List<u8>>>(), 12);
        assert_eq!(size_of::<Tuple2<u64, u64>>(), 16);
        assert_eq!(offset_of!(List<u8>, len), 4);
    }

    #[test]
    fn result_tags_and_payloads() {
        let mut area = [0u64; 2];
        let r = RetPtr(area.as_mut_ptr() as *mut WResult<u64, u8>);
        r.write(WResult::Err(21));
        let b = unsafe { core::slice::from_raw_parts(area.as_ptr() as *const u8, 16) };
        assert_eq!((b[0], b[8]), (1, 21));
        let r = RetPtr(area.as_mut_ptr() as *mut WResult<u64, u8>);
        r.write(WResult::Ok(0x0102_0304_0506_0708));
        // Only the tag byte and the payload are written values: bytes 1..8 are padding, which
        // the canonical ABI never reads (and reading them here would be reading uninit bytes).
        let tag = unsafe { *(area.as_ptr() as *const u8) };
        assert_eq!((tag, area[1]), (0, 0x0102_0304_0506_0708));
        assert_eq!(WResult::from(Ok::<u8, u8>(3)), WResult::Ok(3));
        assert_eq!(WOption::from(Some(3u8)), WOption::Some(3));
    }

    #[test]
    fn unsupported_error_is_err_with_case() {
        let mut area = [0xffu8; 16];
        write_unsupported(area.as_mut_ptr(), 8, 33);
        assert_eq!(area[0], 1);
        assert_eq!(area[8], 33);
    }

    #[test]
    fn strings_are_utf8() {
        // On the host, `List` keeps the low 32 bits of the address; only check lengths there.
        let l = owned(&[b"ab", b"", b"c"]);
        assert_eq!(l.len, 3);
        let l = string_lossy(b"a\xffb");
        assert_eq!(l.len, 2 + 3);
        assert_eq!(string_lossy(b"").len, 0);
    }

    /// The lossy conversion and the validity check agree with std on every sequence of up to
    /// three bytes, on four-byte sequences around each boundary, and on mixed strings.
    #[test]
    fn plain_name_is_ascii_without_nul_and_slash() {
        let naive = |v: &[u8]| v.iter().all(|&b| b != 0 && b != b'/' && b < 0x80);
        for n in 0..13 {
            let mut v = std::vec![b'a'; n];
            assert!(is_plain_name(&v), "{n}");
            for k in 0..n {
                for b in [0u8, b'/', 0x80, 0xff, 0x2e, 0x30, 0x01, 0x7f, 0xaf, 0x2f ^ 0x80] {
                    v[k] = b;
                    assert_eq!(is_plain_name(&v), naive(&v), "{n} {k} {b:#x}");
                }
                v[k] = b'a';
            }
        }
    }

    #[test]
    fn has_nul_agrees_with_contains() {
        for n in 0..12 {
            let mut v = std::vec![b'a'; n];
            assert!(!has_nul(&v), "{n}");
            for k in 0..n {
                v[k] = 0;
                assert!(has_nul(&v), "{n} {k}");
                v[k] = 0x80;
                assert!(!has_nul(&v), "{n} {k}: 0x80 is not 0");
                v[k] = 0x01;
                assert!(!has_nul(&v), "{n} {k}: 0x01 is not 0");
                v[k] = b'a';
            }
        }
    }

    #[test]
    fn utf8_agrees_with_std() {
        extern crate std;
        use std::string::String;
        use std::vec::Vec;
        let lossy = |b: &[u8]| {
            let mut v = Vec::new();
            utf8_lossy_parts(b, &mut |p| v.extend_from_slice(p));
            v
        };
        let check = |b: &[u8]| {
            assert_eq!(lossy(b), String::from_utf8_lossy(b).as_bytes(), "{b:x?}");
            assert_eq!(is_utf8(b), core::str::from_utf8(b).is_ok(), "{b:x?}");
        };
        check(b"");
        // The four-byte steps and the overlapping last four bytes: ASCII runs of every length
        // up to 9 with each byte class at every position.
        for len in 1..=9usize {
            for at in 0..len {
                for x in [0x41u8, 0x80, 0xc3, 0xe2, 0xf0, 0xff] {
                    let mut v: Vec<u8> = (0..len).map(|i| b'a' + i as u8).collect();
                    v[at] = x;
                    check(&v);
                    v.extend_from_slice("é".as_bytes());
                    check(&v);
                }
            }
        }
        // Every first and second byte (under Miri, which interprets this slowly, the boundary
        // bytes of each UTF-8 class instead).
        let all: Vec<u8> = if cfg!(miri) {
            [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff].to_vec()
        } else {
            (0..=255u8).collect()
        };
        for &a in &all {
            check(&[a]);
            for &b in &all {
                check(&[a, b]);
                for c in [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xff] {
                    check(&[a, b, c]);
                }
            }
        }
        for a in [0xf0u8, 0xf1, 0xf3, 0xf4, 0xf5] {
            for b in [0x7fu8, 0x80, 0x8f, 0x90, 0xbf, 0xc0] {
                for c in [0x7fu8, 0x80, 0xbf, 0xc0] {
                    for d in [0x41u8, 0x80, 0xbf, 0xc0] {
                        check(&[a, b, c, d]);
                        check(&[b'x', a, b, c, d, b'y']);
                    }
                }
            }
        }
        check("héllo wörld ✓ 😀".as_bytes());
        check(b"a\xffb\xe2\x82c\xf0\x9f\x98\xe2\x82\xac");
    }

    #[test]
    fn lifting_checks_alignment_and_bounds() {
        let mem = 65536u64;
        let u32s = Elem::list(4, 4);
        assert_eq!(range_error(8, 2, u32s, mem), None);
        assert_eq!(range_error(6, 1, u32s, mem), Some(&b"list pointer is not aligned"[..]));
        // The size of a list of 2^30 u32s wraps 32 bits: still out of bounds.
        assert_eq!(range_error(8, 0x4000_0000, u32s, mem), Some(&b"list pointer/length out of bounds of memory"[..]));
        assert_eq!(range_error(u32::MAX - 3, u32::MAX, u32s, u64::from(u32::MAX) + 1).is_some(), true);
        assert_eq!(range_error(65535, 1, Elem::STRING, mem), None);
        assert_eq!(range_error(65535, 2, Elem::STRING, mem), Some(&b"string pointer/length out of bounds of memory"[..]));
        // Past the end with no elements: the canonical ABI still traps.
        assert!(range_error(65537, 0, Elem::STRING, mem).is_some());
        assert_eq!(range_error(65536, 0, Elem::STRING, mem), None);
        assert_eq!(range_error(1, 3, Elem::list(1, 1), mem), None);
    }

    #[test]
    fn misaligned_return_area_traps() {
        extern crate std;
        let mut area = [0u64; 3];
        let p = (area.as_mut_ptr() as *mut u8).wrapping_add(4) as *mut WResult<u64, u8>;
        let e = std::panic::catch_unwind(|| RetPtr(p).write(WResult::Ok(1))).expect_err("traps");
        assert_eq!(e.downcast_ref::<std::string::String>().unwrap(), "return area pointer is not aligned");
        assert_eq!(area, [0; 3], "nothing written");
    }

    #[test]
    fn core_conversions() {
        assert!(bool::from_core(2));
        assert!(!bool::from_core(0));
        assert_eq!(u32::from_core(-1i32), u32::MAX);
        assert_eq!(u64::from_core(-1i64), u64::MAX);
        assert_eq!(u8::from_core(0x1ff), 0xff);
        assert_eq!(IntoCore::<i32>::into_core(u32::MAX), -1);
        assert_eq!(List::<u64>::empty().len, 0);
        assert!(List::<u64>::empty().addr != 0);
        assert_eq!(unsafe { bytes(core::ptr::null(), 0) }, &[] as &[u8]);
    }
}
