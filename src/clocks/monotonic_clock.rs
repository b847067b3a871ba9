//! `wasi:clocks/monotonic-clock` on WASIp1 `CLOCK_MONOTONIC`.

use crate::io::poll::{self, Wait};
use crate::p1;
use crate::trap::trap;

/// `now`: "Read the current value of the clock. The clock is monotonic, therefore calling
/// this function repeatedly will produce a sequence of non-decreasing values."
///
/// The reading lands directly in the instance's `last` reading (a static): no stack frame and
/// no copy, and inlined into the entry point, so `clock_gettime` costs one wasm call more than
/// in a WASIp1 build.
#[inline(always)]
pub fn now() -> u64 {
    // SAFETY: the only reference to the value while the call writes it (a `StateValue`
    // hands out none).
    if p1::clock_now_into(p1::CLOCK_MONOTONIC, unsafe { &mut *last().as_ptr() }).is_err() {
        trap(b"clock_time_get(MONOTONIC) failed");
    }
    last().get()
}

crate::instance_value!(last: u64 = 0);

/// The latest value `now` returned (0 before the first): a lower bound of the clock.
pub fn last_reading() -> u64 {
    last().get()
}

/// `resolution`: "Query the resolution of the clock. Returns the duration of time
/// corresponding to a clock tick."
pub fn resolution() -> u64 {
    match p1::clock_res(p1::CLOCK_MONOTONIC) {
        Ok(t) => t,
        Err(_) => trap(b"clock_res_get(MONOTONIC) failed"),
    }
}

/// `subscribe-instant`: "Create a `pollable` which will resolve once the specified instant
/// has occurred."
pub fn subscribe_instant(when: u64) -> u32 {
    poll::new(Wait::Clock(when), 0)
}

/// `subscribe-duration`: "Create a `pollable` that will resolve after the specified duration
/// has elapsed from the time this function is invoked."
///
/// A zero duration has elapsed at once: its deadline is the last clock reading, which is
/// already due, so no clock read is needed (wasi-libc's `poll(…, 0)` does this every call).
pub fn subscribe_duration(when: u64) -> u32 {
    let deadline = if when == 0 { last_reading() } else { now().saturating_add(when) };
    poll::new(Wait::Clock(deadline), 0)
}
