//! Reusable scratch memory for calls whose working set depends on their input (the
//! subscriptions of a `poll` over n pollables, its ready flags, the raw environment block).
//!
//! Each region grows in the adapter's private heap to the largest size ever needed and is kept
//! for reuse, so its memory is bounded by the largest call.
//! Invariant: a region is used by one call at a time, and the regions are distinct, so the
//! slices handed out never alias each other.

use crate::alloc;
use crate::p1::{Event, Subscription};

#[derive(Clone, Copy)]
struct Region {
    ptr: *mut u8,
    cap: usize,
}

impl Region {
    const fn new() -> Region {
        Region { ptr: core::ptr::null_mut(), cap: 0 }
    }

    /// At least `bytes` bytes aligned to 8 from the region kept in `cell` (written back only
    /// when it grows). Their contents are what the previous user left, or zeros: a region is
    /// zero-filled whole when it grows, so every byte of it is always initialised, and the
    /// callers that need zeros clear what they take (only [`flags`]: the hot paths do not
    /// pay for clearing what they overwrite).
    fn take(cell: &crate::state::StateValue<Region>, bytes: usize) -> *mut u8 {
        let bytes = bytes.max(8);
        let mut r = cell.get();
        if bytes > r.cap {
            let Some(new_cap) = bytes.checked_next_power_of_two() else { too_large() };
            r.ptr = alloc::private::realloc(r.ptr, r.cap, 8, new_cap);
            r.cap = new_cap;
            // SAFETY: `ptr` has `cap` bytes.
            unsafe { core::ptr::write_bytes(r.ptr, 0, new_cap) };
            cell.set(r);
        }
        r.ptr
    }
}

/// Traps: a size computed from a guest-supplied count does not fit the address space.
#[cold]
fn too_large() -> ! {
    crate::trap::trap(b"scratch size overflows the address space")
}

/// `n * size (+ extra)`, trapping instead of wrapping.
#[inline(always)]
pub fn size_of_n(n: usize, size: usize, extra: usize) -> usize {
    match n.checked_mul(size).and_then(|b| b.checked_add(extra)) {
        Some(b) => b,
        None => too_large(),
    }
}

// One value per region (`StateValue`s, read and written whole).
crate::instance_value!(poll_region: Region = Region::new());
crate::instance_value!(flags_region: Region = Region::new());
crate::instance_value!(strings_region: Region = Region::new());
crate::instance_value!(datagram_region: Region = Region::new());
crate::instance_value!(slots_region: Region = Region::new());

/// Room for `n` values of a small `Copy` type (at most 8-aligned), uninitialised: the caller
/// writes each slot before reading it.
pub fn slots<T: Copy>(n: usize) -> *mut T {
    const { assert!(core::mem::align_of::<T>() <= 8) };
    Region::take(slots_region(), size_of_n(n, core::mem::size_of::<T>(), 0)) as *mut T
}

/// `n` bytes to receive one datagram into (initialised, not cleared).
pub fn datagram(n: usize) -> &'static mut [u8] {
    let p = Region::take(datagram_region(), n);
    // SAFETY: the region has `n` initialised bytes.
    unsafe { core::slice::from_raw_parts_mut(p, n) }
}

/// `n` subscriptions and `n` events for one `poll_oneoff` (initialised, not cleared: the
/// caller writes the subscriptions it passes and reads only the events the runtime wrote).
pub fn poll_arrays(n: usize) -> (&'static mut [Subscription], &'static mut [Event]) {
    let subs_bytes = size_of_n(n, core::mem::size_of::<Subscription>(), 0);
    let p = Region::take(poll_region(), size_of_n(n, core::mem::size_of::<Event>(), subs_bytes));
    // SAFETY: the region holds both arrays back to back; both types are 8-aligned, 48 and 32
    // bytes, plain integers (valid for any initialised bytes).
    unsafe {
        (
            core::slice::from_raw_parts_mut(p as *mut Subscription, n),
            core::slice::from_raw_parts_mut(p.add(subs_bytes) as *mut Event, n),
        )
    }
}

/// `n` flags, all false.
pub fn flags(n: usize) -> &'static mut [bool] {
    let p = Region::take(flags_region(), n);
    // SAFETY: the region has `n` bytes; zeroed, they are `n` valid `false`s.
    unsafe { core::ptr::write_bytes(p, 0, n) };
    unsafe { core::slice::from_raw_parts_mut(p as *mut bool, n) }
}

/// `bytes` bytes for strings the runtime fills (arguments, environment): the pointer array
/// (`count` entries) first, then the string bytes.
pub fn strings(count: usize, bytes: usize) -> (*mut *mut u8, *mut u8) {
    let ptrs = size_of_n(count, core::mem::size_of::<usize>(), 0);
    let p = Region::take(strings_region(), size_of_n(1, ptrs, bytes));
    // SAFETY: the region has room for both parts.
    (p as *mut *mut u8, unsafe { p.add(ptrs) })
}

#[cfg(test)]
mod tests {
    extern crate std;

    fn trap_message(f: impl FnOnce() + std::panic::UnwindSafe) -> std::string::String {
        let e = std::panic::catch_unwind(f).expect_err("expected a trap");
        e.downcast_ref::<std::string::String>().cloned().unwrap_or_default()
    }

    /// Sizes from huge counts trap with the adapter's message instead of wrapping (or
    /// panicking on overflow in a debug build).
    #[test]
    fn huge_counts_trap() {
        let m = "scratch size overflows the address space";
        assert_eq!(trap_message(|| { let _ = super::poll_arrays(usize::MAX / 40); }), m);
        assert_eq!(trap_message(|| { let _ = super::slots::<u64>(usize::MAX / 4); }), m);
        assert_eq!(trap_message(|| { let _ = super::strings(usize::MAX / 8, 16); }), m);
        assert_eq!(trap_message(|| { let _ = super::strings(1, usize::MAX - 2); }), m);
        // Just past the largest power of two.
        assert_eq!(trap_message(|| { let _ = super::flags((usize::MAX >> 1) + 2); }), m);
        let (subs, events) = super::poll_arrays(3);
        assert_eq!((subs.len(), events.len()), (3, 3));
    }
}
