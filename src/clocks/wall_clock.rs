//! `wasi:clocks/wall-clock` on WASIp1 `CLOCK_REALTIME`.

use crate::abi::RetPtr;
use crate::p1;
use crate::trap::trap;

/// `datetime`: `record { seconds: u64, nanoseconds: u32 }`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datetime {
    pub seconds: u64,
    pub nanoseconds: u32,
}

impl Datetime {
    pub fn from_ns(ns: u64) -> Datetime {
        Datetime { seconds: ns / 1_000_000_000, nanoseconds: (ns % 1_000_000_000) as u32 }
    }
}

/// `now`: "Read the current value of the clock. This clock is not monotonic, therefore
/// calling this function repeatedly will not necessarily produce a sequence of non-decreasing
/// values. The returned timestamps represent the number of seconds since
/// 1970-01-01T00:00:00Z, also known as POSIX's Seconds Since the Epoch, also known as Unix
/// Time. The nanoseconds field of the output is always less than 1000000000."
pub fn now(ret: RetPtr<Datetime>) {
    match p1::clock_now(p1::CLOCK_REALTIME) {
        Ok(t) => ret.write(Datetime::from_ns(t)),
        Err(_) => trap(b"clock_time_get(REALTIME) failed"),
    }
}

/// `resolution`: "Query the resolution of the clock. The nanoseconds field of the output is
/// always less than 1000000000."
pub fn resolution(ret: RetPtr<Datetime>) {
    match p1::clock_res(p1::CLOCK_REALTIME) {
        Ok(t) => ret.write(Datetime::from_ns(t)),
        Err(_) => trap(b"clock_res_get(REALTIME) failed"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn split_ns() {
        let d = super::Datetime::from_ns(3_999_999_999);
        assert_eq!((d.seconds, d.nanoseconds), (3, 999_999_999));
    }
}
