//! Reusable scratch memory for calls whose working set depends on their input (the
//! subscriptions of a `poll` over n pollables, its ready flags, the raw environment block).
//!
//! Each region grows in the adapter's private heap to the largest size ever needed and is kept
//! for reuse, so its memory is bounded by the largest call.
//! Invariant: a region is used by one call at a time, and the regions are distinct, so the
//! slices handed out never alias each other.

use crate::alloc;
use crate::p1::{Event, Subscription};

struct Region {
    ptr: *mut u8,
    cap: usize,
}

impl Region {
    const fn new() -> Region {
        Region { ptr: core::ptr::null_mut(), cap: 0 }
    }

    /// At least `bytes` bytes aligned to 8, zero-filled.
    fn get(&mut self, bytes: usize) -> *mut u8 {
        let bytes = bytes.max(8);
        if bytes > self.cap {
            let new_cap = bytes.next_power_of_two();
            self.ptr = alloc::private::realloc(self.ptr, self.cap, 8, new_cap);
            self.cap = new_cap;
        }
        // SAFETY: `ptr` has `cap >= bytes` bytes.
        unsafe { core::ptr::write_bytes(self.ptr, 0, bytes) };
        self.ptr
    }
}

struct Regions {
    poll: Region,
    flags: Region,
    strings: Region,
    datagram: Region,
    slots: Region,
}

crate::instance_state!(regions: Regions = Regions {
    poll: Region::new(),
    flags: Region::new(),
    strings: Region::new(),
    datagram: Region::new(),
    slots: Region::new(),
});

/// Room for `n` values of a small `Copy` type (at most 8-aligned), uninitialised: the caller
/// writes each slot before reading it.
pub fn slots<T: Copy>(n: usize) -> *mut T {
    const { assert!(core::mem::align_of::<T>() <= 8) };
    regions().slots.get(n * core::mem::size_of::<T>()) as *mut T
}

/// `n` bytes to receive one datagram into.
pub fn datagram(n: usize) -> &'static mut [u8] {
    let p = regions().datagram.get(n);
    // SAFETY: the region has `n` zeroed bytes.
    unsafe { core::slice::from_raw_parts_mut(p, n) }
}

/// `n` subscriptions and `n` events for one `poll_oneoff`.
pub fn poll_arrays(n: usize) -> (&'static mut [Subscription], &'static mut [Event]) {
    let subs_bytes = n * core::mem::size_of::<Subscription>();
    let p = regions().poll.get(subs_bytes + n * core::mem::size_of::<Event>());
    // SAFETY: the region holds both arrays back to back; both types are 8-aligned, 48 and 32
    // bytes, and valid when zeroed.
    unsafe {
        (
            core::slice::from_raw_parts_mut(p as *mut Subscription, n),
            core::slice::from_raw_parts_mut(p.add(subs_bytes) as *mut Event, n),
        )
    }
}

/// `n` flags, all false.
pub fn flags(n: usize) -> &'static mut [bool] {
    let p = regions().flags.get(n);
    // SAFETY: `n` zeroed bytes are `n` valid `false`s.
    unsafe { core::slice::from_raw_parts_mut(p as *mut bool, n) }
}

/// `bytes` bytes for strings the runtime fills (arguments, environment): the pointer array
/// (`count` entries) first, then the string bytes.
pub fn strings(count: usize, bytes: usize) -> (*mut *mut u8, *mut u8) {
    let ptrs = count * core::mem::size_of::<usize>();
    let p = regions().strings.get(ptrs + bytes);
    // SAFETY: the region has room for both parts.
    (p as *mut *mut u8, unsafe { p.add(ptrs) })
}
