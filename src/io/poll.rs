//! `wasi:io/poll`: pollables and `poll`, on WASIp1 `poll_oneoff`.
//!
//! The two runtimes' `poll_oneoff` (wasmtime's and WAMR's) differ; the adapter only ever uses
//! their common ground:
//! - never zero subscriptions (WAMR blocks forever);
//! - at most one clock subscription per call, relative and MONOTONIC; when fds are present its
//!   timeout is rounded *up* to whole milliseconds (WAMR truncates to ms, which would wake
//!   early); every clock pollable is re-checked against `monotonic-clock.now` afterwards, so
//!   several timers, absolute deadlines and early wake-ups are all handled here;
//! - `nbytes` of events is ignored (WAMR leaves it undefined);
//! - only stream fds that can be polled are subscribed (stdio, later sockets); files and
//!   closed streams are always ready without asking the runtime.

use crate::abi::{List, RetPtr};
use crate::io::streams::{InputStream, OutputStream};
use crate::p1;
use crate::resource;
use crate::scratch;
use crate::trap::trap;

/// What a pollable waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Always ready.
    Always,
    /// The monotonic clock reaching this instant (ns).
    Clock(u64),
    /// The input stream with this handle (the pollable's parent) having data or ending.
    Input(u32),
    /// The output stream with this handle (the pollable's parent) accepting writes.
    Output(u32),
    /// A WASIp1 fd having input (a datagram socket; its stream is the pollable's parent).
    FdRead(u32),
    /// The TCP socket with this handle (the parent): ready when listening with a connection
    /// waiting, or connecting and the connect has completed; else at once.
    #[cfg(feature = "wamr")]
    Tcp(u32),
}

/// A `pollable` resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pollable {
    pub wait: Wait,
}

/// A pollable reduced to what to ask the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Ready,
    Deadline(u64),
    Fd { fd: u32, write: bool },
}

fn target(handle: u32) -> Target {
    match resource::get::<Pollable>(handle).wait {
        Wait::Always => Target::Ready,
        Wait::Clock(t) => Target::Deadline(t),
        // The parent stream outlives its pollables (the table enforces it).
        Wait::Input(s) => {
            let mut s = resource::get::<InputStream>(s);
            match s.pollable_fd() {
                Some(fd) => Target::Fd { fd, write: false },
                None => Target::Ready,
            }
        }
        Wait::Output(s) => {
            let mut s = resource::get::<OutputStream>(s);
            match s.pollable_fd() {
                Some(fd) => Target::Fd { fd, write: true },
                None => Target::Ready,
            }
        }
        Wait::FdRead(fd) => Target::Fd { fd, write: false },
        #[cfg(feature = "wamr")]
        Wait::Tcp(h) => match crate::sockets::tcp::pollable_fd(h) {
            Some((fd, write)) => Target::Fd { fd, write },
            None => Target::Ready,
        },
    }
}

/// A new pollable; `parent` is the stream it watches (0 for clocks).
pub fn new(wait: Wait, parent: u32) -> u32 {
    let r = resource::Resource::Pollable(Pollable { wait });
    if parent == 0 { resource::push(r) } else { resource::push_child(r, parent) }
}

/// Rounds a relative timeout up to whole milliseconds (WAMR truncates sub-ms parts).
pub fn round_up_ms(ns: u64) -> u64 {
    // (Not `saturating_mul`, which brings a 128-bit multiply into every program.)
    let q = ns.div_ceil(1_000_000);
    if q > u64::MAX / 1_000_000 { u64::MAX } else { q * 1_000_000 }
}

/// Waits until at least one of `handles` is ready (or only checks, when `block` is false)
/// and sets `ready[i]` for each ready one. Returns how many are ready.
///
/// `ready` must come in all `false`. Flags are only ever set in the round that returns, so
/// no round needs to clear them.
fn wait(handles: &[u32], ready: &mut [bool], block: bool) -> usize {
    // What each pollable waits for cannot change while this call waits (streams and deadlines
    // stay as they are), so this pass runs once: it looks each target up, writes the fd
    // subscriptions (they are the same every round), and notes the deadlines' range.
    let n = handles.len();
    let slots = scratch::slots::<Target>(n);
    // (`n` < 2^30: the list was lifted, so `n + 1` cannot wrap.)
    let (subs, events) = scratch::poll_arrays(n + 1);
    let (mut nfds, mut earliest, mut latest, mut others) = (0, u64::MAX, 0, false);
    for (i, h) in handles.iter().enumerate() {
        let t = target(*h);
        match t {
            Target::Fd { fd, write } => {
                subs[nfds] = p1::Subscription {
                    userdata: i as u64,
                    tag: if write { p1::EVENTTYPE_FD_WRITE } else { p1::EVENTTYPE_FD_READ },
                    u: p1::SubscriptionClock { id: fd, ..Default::default() },
                };
                nfds += 1;
            }
            Target::Deadline(d) => {
                earliest = earliest.min(d);
                latest = latest.max(d);
                others = true;
            }
            Target::Ready => others = true,
        }
        // SAFETY: `slots` has room for `n` targets.
        unsafe { slots.add(i).write(t) };
    }
    // SAFETY: every slot was written above.
    let targets = unsafe { core::slice::from_raw_parts(slots, n) };
    loop {
        // Read the clock only when some deadline is not already known to have passed (the
        // clock is monotonic, so any deadline at or before the last reading has).
        let last = crate::clocks::monotonic_clock::last_reading();
        let now = if latest > last { crate::clocks::monotonic_clock::now() } else { last };
        let mut count = 0;
        if others {
            for (i, t) in targets.iter().enumerate() {
                if matches!(*t, Target::Ready) || matches!(*t, Target::Deadline(d) if d <= now) {
                    ready[i] = true;
                    count += 1;
                }
            }
        }
        if nfds > 0 {
            // Ask about the fds; wait no longer than the nearest deadline (none is due when
            // nothing is ready), and not at all when something is ready or the caller must
            // not block.
            let mut m = nfds;
            if count > 0 || !block {
                subs[m] = clock_subscription(0);
                m += 1;
            } else if earliest != u64::MAX {
                subs[m] = clock_subscription(round_up_ms(earliest - now));
                m += 1;
            }
            match crate::io::streams::poll_pushing(&subs[..m], &mut events[..m]) {
                Ok(got) => {
                    for e in &events[..got.min(m)] {
                        if e.ty != p1::EVENTTYPE_CLOCK && (e.userdata as usize) < ready.len() {
                            let i = e.userdata as usize;
                            count += !ready[i] as usize;
                            ready[i] = true;
                        }
                    }
                }
                // A failed poll (e.g. an fd the runtime cannot poll) makes every fd
                // pollable ready, so the next operation on it reports the error itself.
                Err(_) => {
                    for (i, t) in targets.iter().enumerate() {
                        if matches!(t, Target::Fd { .. }) && !ready[i] {
                            ready[i] = true;
                            count += 1;
                        }
                    }
                }
            }
        } else if count == 0 && block {
            // Only clocks, none due: one relative clock subscription sleeps until the nearest.
            let sub = [clock_subscription(earliest - now)];
            let mut ev = [p1::Event::default()];
            if crate::io::streams::poll_pushing(&sub, &mut ev).is_err() {
                trap(b"poll_oneoff failed for a clock subscription");
            }
        }
        if count > 0 || !block {
            return count;
        }
    }
}

fn clock_subscription(relative_ns: u64) -> p1::Subscription {
    p1::Subscription {
        userdata: u64::MAX,
        tag: p1::EVENTTYPE_CLOCK,
        u: p1::SubscriptionClock { id: p1::CLOCK_MONOTONIC, timeout: relative_ns, precision: 0, flags: 0 },
    }
}

/// `[resource-drop]pollable`.
pub fn drop_pollable(this: u32) {
    resource::remove::<Pollable>(this);
}

/// `[method]pollable.ready`: "Return the readiness of a pollable. This function never blocks.
/// Returns `true` when the pollable is ready, and `false` otherwise."
pub fn pollable_ready(this: u32) -> bool {
    let mut r = [false];
    wait(&[this], &mut r, false) > 0
}

/// `[method]pollable.block`: "`block` returns immediately if the pollable is ready, and
/// otherwise blocks until ready. This function is equivalent to calling `poll.poll` on a list
/// containing only this pollable."
pub fn pollable_block(this: u32) {
    let mut r = [false];
    wait(&[this], &mut r, true);
}

/// `poll`: "Poll for completion on a set of pollables. … The result `list<u32>` contains one
/// or more indices of handles in the argument list that is ready for I/O. This function
/// traps if either: the list is empty, or the list contains more elements than can be indexed
/// with a `u32` value."
pub fn poll(ptr: *const u32, len: usize, ret: RetPtr<List<u32>>) {
    if len == 0 {
        trap(b"poll: the list of pollables is empty");
    }
    // SAFETY: the caller passes a valid list<borrow<pollable>> (canonical ABI).
    let handles = unsafe { crate::abi::slice(ptr, len) };
    let ready = scratch::flags(len);
    let n = wait(handles, ready, true);
    let out = crate::alloc::alloc(scratch::size_of_n(n, 4, 0), 4) as *mut u32;
    let mut k = 0;
    for (i, r) in ready.iter().enumerate() {
        if *r {
            // SAFETY: `out` holds `n` u32s and exactly `n` flags are set.
            unsafe { out.add(k).write(i as u32) };
            k += 1;
        }
    }
    ret.write(List::new(out, n));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_never_wakes_early() {
        assert_eq!(round_up_ms(0), 0);
        assert_eq!(round_up_ms(1), 1_000_000);
        assert_eq!(round_up_ms(500_000), 1_000_000);
        assert_eq!(round_up_ms(1_000_000), 1_000_000);
        assert_eq!(round_up_ms(1_000_001), 2_000_000);
        assert_eq!(round_up_ms(u64::MAX), u64::MAX);
    }
}
