//! wasi-libc's `poll(2)` served in one step, for the linker's `--wrap=poll` (see
//! `crates/ld/src/zerocopy.rs`: only when `poll` and everything listed in its `POLL_PARTS`
//! are the known builds of wasi-libc 161b319).
//!
//! The original (`poll` and its `poll_impl`) zeroes every `revents`, looks each fd up in the
//! descriptor table, gets its streams from the entry's vtable (`get_read_stream`,
//! `get_write_stream`), subscribes a pollable for each stream the first time (kept in the
//! entry), creates a timer with `monotonic-clock.subscribe-duration`, calls `wasi:io/poll.poll`
//! (whose list of ready indices the adapter allocates with the program's `malloc`), sets
//! `revents` from it, frees the list and drops the timer. For a timeout of 0 — the hot case:
//! a program checking what is ready — the registration is done here with the same calls in
//! the same order (the libc's own table lookup and vtable functions, the adapter's
//! `subscribe`), and then what the adapter's `poll` does for those pollables and a timer due
//! at once, in one round: the streams that are ready without asking the runtime are ready, and
//! the others' fds are asked about in one `poll_oneoff` with a clock of 0 — without the timer
//! or the list.
//!
//! Served: a timeout of 0, and every fd of the array negative or a descriptor without its own
//! poll functions (`poll_register`, `poll_finish`: sockets have them) whose events are
//! `POLLRDNORM`, `POLLWRNORM` and `POLLPRI` (ignored, as by the original), whose streams are
//! stdio's or closed, or file output streams — [`ready_without_asking`]. Anything else runs the
//! original unchanged ([`serve`] returns `None`): another timeout; an array of no or more than
//! [`MAX_FDS`] fds, or one outside memory or misaligned; only `POLLPRI` asked for (ENOSYS); a
//! fd not in the table (EBADF); a socket; another event (EOPNOTSUPP); a descriptor without the
//! stream function an event needs (EOPNOTSUPP); an open file input stream (whose wait looks at
//! the file's size, see `InputStream::pollable_fd`).
//!
//! When the original runs after the fds were registered here (a later fd, or a stream, is one
//! of those cases), it registers them again and finds what this left: the vtable functions
//! create a descriptor's stream once and return it from then on, and a pollable is subscribed
//! only when the entry has none, so its calls and its results are those it would have made
//! alone. A stream function that fails (stdin asked for `POLLOUT`, a directory for `POLLIN`)
//! has set `errno` itself; the original returns -1 right then, and so does this.
//!
//! Nothing of the adapter's own `wait` is called (or changed): a program that does not call
//! `poll` links the same code as before.

// (`LibcStreamOp`: wasi-libc's `wasi_read_t` / `wasi_write_t`, which the vtable's stream
// functions fill; the original reads its stream and `pollable`.)
use crate::io::streams::{self, InputStream, LibcStreamOp, Mode, OutputStream};
use crate::p1;
use crate::resource;
use core::mem::MaybeUninit;

/// wasi-libc's `POLLRDNORM` (`POLLIN`), `POLLWRNORM` (`POLLOUT`), `POLLPRI`.
const POLLRDNORM: u16 = 0x1;
const POLLWRNORM: u16 = 0x2;
const POLLPRI: u16 = 0x200;

/// The most fds a call served here may have (two pollables each, on the stack); more run the
/// original.
pub const MAX_FDS: usize = 16;

/// `struct pollfd` (wasm32): `{ int fd; short events; short revents; }`.
#[repr(C)]
pub struct PollFd {
    pub fd: i32,
    pub events: u16,
    pub revents: u16,
}

/// wasi-libc's `descriptor_table_entry_t`: `{ void *data; descriptor_vtable_t *vtable; }`.
#[repr(C)]
pub struct Entry {
    pub data: *mut u8,
    pub vtable: *const u32,
}

/// Word offsets in `descriptor_vtable_t` (function pointers, i.e. table indices, 0 for none)
/// of the functions the original reads: `get_read_stream` at byte 4, `get_write_stream` at 8,
/// `poll_register` at 88, `poll_finish` at 92 (the recognised `poll_impl`'s loads).
const GET_READ_STREAM: usize = 1;
const GET_WRITE_STREAM: usize = 2;
/// `get_file` at byte 20 (present only in `file_vtable`: files and directories).
const GET_FILE: usize = 5;

/// wasi-libc 161b319's `descriptor_table_get_ref`: the entry of an fd, or null with `errno`
/// set (EBADF). The wrappers that need it get it from their shim object
/// (`crates/ld/shim/`), since the adapter archive must not name it.
pub type GetRef = unsafe extern "C" fn(i32) -> *mut Entry;

/// The `filesystem` descriptor behind `fd` in wasi-libc's table, as its
/// `fd_to_file_handle` finds it (the entry's `get_file`); `None` when `fd` has no entry or
/// its entry is not a file or directory (the original then fails with the errno libc set).
///
/// # Safety
/// `get_ref` is the lookup of the linked libc, the known build (its entries and vtables
/// have the layouts declared here).
#[inline(always)]
pub unsafe fn file_handle(get_ref: GetRef, fd: i32) -> Option<u32> {
    // SAFETY: per the contract: an entry or null; a vtable is a static `descriptor_vtable_t`,
    // whose `get_file` (a table index, 0 for none) is `int (*)(void *, uint32_t *)`.
    unsafe {
        let entry = get_ref(fd);
        if entry.is_null() {
            return None;
        }
        let at = *(*entry).vtable.add(GET_FILE);
        if at == 0 {
            return None;
        }
        let f: unsafe extern "C" fn(*mut u8, *mut u32) -> i32 = core::mem::transmute(at as usize);
        let mut handle = 0u32;
        (f((*entry).data, &mut handle) == 0).then_some(handle)
    }
}
const POLL_REGISTER: usize = 22;
const POLL_FINISH: usize = 23;

/// One pollable the original would pass to `poll`: the stream it was subscribed from (its
/// parent), the index of its `pollfd`, and the event it stands for (`POLLRDNORM`: an input
/// stream; `POLLWRNORM`: an output stream).
///
/// The pollable itself is not looked up: the entry's pollable of a stream is made only by
/// subscribing that stream (here, by the original, or by libc's own reads and writes that
/// wait), and dropped with it (`file_close_streams`, `stdio_free`), so it waits for exactly
/// that stream.
#[derive(Clone, Copy)]
struct Reg {
    stream: u32,
    index: u16,
    events: u16,
}

/// What the libc provides: its descriptor table lookup (`descriptor_table_get_ref`, known
/// build) and the calls through an entry's vtable.
pub trait Libc {
    /// The entry of `fd`, or null (with `errno` set).
    fn entry(&mut self, fd: i32) -> *mut Entry;
    /// The vtable function at word `slot` of `entry`, if any.
    fn has(&mut self, entry: *mut Entry, slot: usize) -> bool;
    /// `get_read_stream(entry->data, read)`: < 0 on failure, `errno` set.
    fn read_stream(&mut self, entry: *mut Entry, read: *mut LibcStreamOp) -> i32;
    /// `get_write_stream(entry->data, write)`: < 0 on failure, `errno` set.
    fn write_stream(&mut self, entry: *mut Entry, write: *mut LibcStreamOp) -> i32;
    /// `subscribe` of an input stream (the binding the original calls).
    fn subscribe_input(&mut self, stream: u32) -> u32 {
        streams::input_stream_subscribe(stream)
    }
    /// `subscribe` of an output stream.
    fn subscribe_output(&mut self, stream: u32) -> u32 {
        streams::output_stream_subscribe(stream)
    }
}

/// What a wait on a pollable of the stream `stream` (an input stream when `input`) asks,
/// when that is known without looking further: `Some(None)` ready without asking the
/// runtime, `Some(Some(fd))` the fd to ask about; `None` when only `pollable_fd` can say (an
/// open file input stream, whose wait compares the offset with the file's size; a socket
/// stream, whose wait drains its send buffer). Exactly `InputStream::pollable_fd` /
/// `OutputStream::pollable_fd` where it answers (a unit test compares them), without their
/// side effects (there are none in these cases).
#[inline(always)]
fn ready_without_asking(stream: u32, input: bool) -> Option<Option<u32>> {
    let (closed, mode, fd) = if input {
        let s = resource::get::<InputStream>(stream);
        (s.closed, s.mode, s.fd)
    } else {
        let s = resource::get::<OutputStream>(stream);
        (s.closed, s.mode, s.fd)
    };
    match mode {
        _ if closed => Some(None),
        Mode::Stream => Some(Some(fd)),
        Mode::Socket => None,
        Mode::At if input => None,
        Mode::At | Mode::Append | Mode::Refused => Some(None),
    }
}

/// Subscribes the pollable `*pollable` of stream `stream` when it has none (0), as the
/// original's `__wasilibc_poll_add_*_stream` do.
///
/// # Safety
/// `pollable` points to libc's `poll_own_pollable_t` of that stream (its entry's own field).
unsafe fn lazily(pollable: *mut u32, stream: u32, subscribe: impl FnOnce(u32) -> u32) {
    // SAFETY: per the contract.
    unsafe {
        if *pollable == 0 {
            *pollable = subscribe(stream);
        }
    }
}

/// What asking a descriptor for one of its streams came to.
enum Got {
    /// The stream, its pollable subscribed (now or before).
    Stream(u32),
    /// The descriptor has no such stream function: the original must run (EOPNOTSUPP).
    NoFunction,
    /// The stream function failed and set `errno`: the original returns -1 right then.
    Failed,
}

/// The read stream (`input`) or the write stream of `entry`, from its vtable, its pollable
/// subscribed when it has none: the original's `get_read_stream` / `get_write_stream` and
/// `__wasilibc_poll_add_*_stream`, in its order.
///
/// # Safety
/// `entry` is a live entry of `libc`'s table, and `libc` is as for [`serve`].
#[inline(always)]
unsafe fn stream_of(libc: &mut impl Libc, entry: *mut Entry, input: bool) -> Got {
    if !libc.has(entry, if input { GET_READ_STREAM } else { GET_WRITE_STREAM }) {
        return Got::NoFunction;
    }
    let mut r = MaybeUninit::<LibcStreamOp>::uninit();
    let got = if input { libc.read_stream(entry, r.as_mut_ptr()) } else { libc.write_stream(entry, r.as_mut_ptr()) };
    if got < 0 {
        return Got::Failed;
    }
    // SAFETY: a successful stream function filled `stream` and `pollable` (the original reads
    // them so), `pollable` pointing into the descriptor's data.
    unsafe {
        let (stream, pollable) = ((*r.as_ptr()).stream, (*r.as_ptr()).pollable);
        lazily(pollable, stream, |s| if input { libc.subscribe_input(s) } else { libc.subscribe_output(s) });
        Got::Stream(stream)
    }
}

#[cold]
#[inline(never)]
fn overrun() -> ! {
    crate::trap::trap(b"libc poll: more pollables than its arrays hold (adapter bug)")
}

/// Writes `v` at `a[i]`; traps past the end (the callers' bounds make that impossible).
#[inline(always)]
fn put<T>(a: &mut [MaybeUninit<T>], i: usize, v: T) {
    match a.get_mut(i) {
        Some(slot) => {
            slot.write(v);
        }
        None => overrun(),
    }
}

/// `poll(fds, nfds, timeout)` served in one step: `Some(result)` (-1 with `errno` set by the
/// libc function that failed), or `None` when the original must run (see the module doc).
///
/// # Safety
/// `fds..fds + nfds` is checked to be inside memory here; `libc` must be wasi-libc's, whose
/// entries, vtables and stream records have the layouts declared above.
pub unsafe fn serve(libc: &mut impl Libc, fds: *mut PollFd, nfds: usize, timeout: i32, memory: u64) -> Option<i32> {
    if timeout != 0 {
        return None;
    }
    // One fd (the common case) gets its own copy, with arrays of its size and loops the
    // compiler can unroll.
    // SAFETY: per this function's contract.
    unsafe {
        match nfds {
            1 => serve_up_to::<1, 2, 3>(libc, fds, nfds, memory),
            _ => serve_up_to::<MAX_FDS, { 2 * MAX_FDS }, { 2 * MAX_FDS + 1 }>(libc, fds, nfds, memory),
        }
    }
}

/// [`serve`] (timeout 0) for up to `N` fds, with room for `R = 2N` pollables of fds and
/// `S = R + 1` subscriptions (theirs and a clock's).
///
/// # Safety
/// As for [`serve`].
#[inline(always)]
unsafe fn serve_up_to<const N: usize, const R: usize, const S: usize>(
    libc: &mut impl Libc,
    fds: *mut PollFd,
    nfds: usize,
    memory: u64,
) -> Option<i32> {
    const { assert!(R == 2 * N && S == R + 1 && N <= MAX_FDS && S <= 64) };
    if nfds == 0 || nfds > N {
        return None;
    }
    // (From here on `nfds <= N`, which the loops below restate for the compiler.)
    let nfds = nfds.min(N);
    // The array as the original would read it: misaligned or outside memory, the original
    // runs (and traps where it reads outside memory, as natively).
    if crate::abi::range_error(fds as usize as u32, nfds as u32, crate::abi::Elem::list(8, 4), memory).is_some() {
        return None;
    }
    // SAFETY (every access to `fds[i]` below): `i < nfds`, and the array is inside memory and
    // aligned (checked above). The original reads and writes it in place, as here; nothing
    // else does while this runs (the libc functions called here do not touch it).
    let at = |i: usize| unsafe { fds.add(i) };
    // `validate_something_not_pollpri`: only POLLPRI asked for (by every fd that asks for
    // anything) is ENOSYS; one fd asking for more settles it.
    let (mut pri_only, mut other) = (false, false);
    for i in 0..nfds {
        let p = unsafe { &*at(i) };
        if p.fd >= 0 && p.events != 0 {
            if p.events & !POLLPRI != 0 {
                other = true;
                break;
            }
            pri_only = true;
        }
    }
    if pri_only && !other {
        return None;
    }
    // The registration, in the original's order. The original zeroes every `revents` first;
    // here each is zeroed when its fd comes (the registration reads none), and where it stops
    // early the original runs (which zeroes them all) or the rest are zeroed (`failed`).
    // `regs[..n]` are written: at most two per fd, so `n <= 2 * nfds <= R` (`put` traps
    // rather than overrun, which cannot happen).
    let mut regs = [const { MaybeUninit::<Reg>::uninit() }; R];
    let mut n = 0;
    let failed = |from: usize| {
        for i in from..nfds {
            unsafe { (*at(i)).revents = 0 };
        }
        Some(-1)
    };
    for i in 0..nfds {
        let p = at(i);
        let (fd, events) = unsafe {
            (*p).revents = 0;
            ((*p).fd, (*p).events)
        };
        if fd < 0 {
            continue;
        }
        let e = libc.entry(fd);
        if e.is_null() || libc.has(e, POLL_REGISTER) || libc.has(e, POLL_FINISH) {
            return None;
        }
        let events = events & !POLLPRI;
        if events & !(POLLRDNORM | POLLWRNORM) != 0 {
            return None;
        }
        // Its read stream, then its write stream, as the original asks for them; `add`
        // registers one, or says what the call returns when it stops there.
        let mut add = |got: Got, want: u16| match got {
            Got::Stream(stream) => {
                // (`i < MAX_FDS` fits a u16.)
                put(&mut regs, n, Reg { stream, index: i as u16, events: want });
                n += 1;
                None
            }
            Got::NoFunction => Some(None),
            Got::Failed => Some(failed(i + 1)),
        };
        // SAFETY (both): `e` is a live entry of `libc`'s table (looked up above).
        if events & POLLRDNORM != 0
            && let Some(r) = add(unsafe { stream_of(libc, e, true) }, POLLRDNORM)
        {
            return r;
        }
        if events & POLLWRNORM != 0
            && let Some(r) = add(unsafe { stream_of(libc, e, false) }, POLLWRNORM)
        {
            return r;
        }
    }
    // SAFETY: `regs[..n]` were written (`n <= regs.len()`: `put` checked).
    let regs = unsafe { core::slice::from_raw_parts(regs.as_ptr() as *const Reg, n) };
    // After the fds' pollables the original makes its timer (`subscribe-duration(0)`: a
    // deadline of the last clock reading, no clock read), then the adapter's `poll` waits for
    // them all: it looks each pollable up in order; the timer is due, so it asks the runtime
    // about the fds without waiting (a clock of 0), if there are any, and returns; the others
    // are ready. The same here: ready pollables are bit k for pollable k (`S <= 64`); the fds'
    // subscriptions have userdata k, the clock's `u64::MAX`, as in `poll::wait`.
    let mut subs = [const { MaybeUninit::<p1::Subscription>::uninit() }; S];
    let (mut k, mut bits) = (0, 0u64);
    for (j, r) in regs.iter().enumerate() {
        match ready_without_asking(r.stream, r.events == POLLRDNORM)? {
            Some(fd) => {
                let tag = if r.events == POLLWRNORM { p1::EVENTTYPE_FD_WRITE } else { p1::EVENTTYPE_FD_READ };
                put(&mut subs, k, p1::Subscription { userdata: j as u64, tag, u: p1::SubscriptionClock { id: fd, ..Default::default() } });
                k += 1;
            }
            None => bits |= 1 << j,
        }
    }
    if k > 0 {
        let clock = p1::SubscriptionClock { id: p1::CLOCK_MONOTONIC, timeout: 0, precision: 0, flags: 0 };
        put(&mut subs, k, p1::Subscription { userdata: u64::MAX, tag: p1::EVENTTYPE_CLOCK, u: clock });
        let q = k + 1;
        let mut events = [const { MaybeUninit::<p1::Event>::uninit() }; S];
        if q > events.len() {
            overrun();
        }
        // SAFETY: `q` subscriptions were written; `q` events are zeroed here (plain integers,
        // valid at zero), which the array has room for (checked).
        let (subs, events) = unsafe {
            core::ptr::write_bytes(events.as_mut_ptr(), 0, q);
            (
                core::slice::from_raw_parts(subs.as_ptr() as *const p1::Subscription, q),
                core::slice::from_raw_parts_mut(events.as_mut_ptr() as *mut p1::Event, q),
            )
        };
        match streams::poll_pushing(subs, events) {
            Ok(got) => {
                for e in &events[..got.min(q)] {
                    if e.ty != p1::EVENTTYPE_CLOCK && (e.userdata as usize) < n {
                        bits |= 1 << e.userdata;
                    }
                }
            }
            // A failed poll makes every fd ready (the next operation on each reports the
            // error), as in `poll::wait`.
            Err(_) => {
                for s in &subs[..k] {
                    bits |= 1 << s.userdata;
                }
            }
        }
    }
    // `__wasilibc_poll_ready` for each ready pollable of an fd, in index order: an fd counts
    // once, when its first event is set.
    let mut count = 0;
    while bits != 0 {
        let j = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        if let Some(r) = regs.get(j) {
            let p = unsafe { &mut *at(r.index as usize) };
            count += (p.revents == 0) as i32;
            p.revents |= r.events;
        }
    }
    Some(count)
}

#[cfg(target_family = "wasm")]
mod wrap {
    use super::*;

    unsafe extern "C" {
        fn __real_poll(fds: *mut PollFd, nfds: usize, timeout: i32) -> i32;
        // The adapter's own entry points of `subscribe` (what the original's bindings call):
        // called as the original calls them, so that what they inline stays as it is.
        fn __wasm_import_streams_method_input_stream_subscribe(stream: u32) -> u32;
        fn __wasm_import_streams_method_output_stream_subscribe(stream: u32) -> u32;
    }

    /// wasi-libc 161b319 itself: its table lookup and its vtables.
    struct WasiLibc(GetRef);

    /// The vtable function at word `slot` of `entry`'s vtable (0: none).
    ///
    /// # Safety
    /// `entry` is a live entry of wasi-libc's descriptor table.
    unsafe fn slot(entry: *mut Entry, slot: usize) -> u32 {
        // SAFETY: per the contract; a vtable is a static `descriptor_vtable_t` of libc.
        unsafe { *(*entry).vtable.add(slot) }
    }

    type StreamFn<T> = unsafe extern "C" fn(*mut u8, *mut T) -> i32;

    /// Calls the stream function at word `at` of `entry`'s vtable with its data and `out`.
    ///
    /// # Safety
    /// `entry` is live and its vtable has a function of type `int (*)(void *, T *)` there
    /// (checked non-null by the caller).
    unsafe fn call<T>(entry: *mut Entry, at: usize, out: *mut T) -> i32 {
        // SAFETY: on wasm32 a function pointer is its index in the table, which the vtable
        // holds (non-zero: checked by the caller); the type is the vtable's.
        unsafe {
            let f: StreamFn<T> = core::mem::transmute(slot(entry, at) as usize);
            f((*entry).data, out)
        }
    }

    impl Libc for WasiLibc {
        fn entry(&mut self, fd: i32) -> *mut Entry {
            // SAFETY: the known build's lookup: an entry or null (errno set).
            unsafe { (self.0)(fd) }
        }
        fn has(&mut self, entry: *mut Entry, at: usize) -> bool {
            // SAFETY: `entry` came from `entry` above.
            unsafe { slot(entry, at) != 0 }
        }
        fn read_stream(&mut self, entry: *mut Entry, read: *mut LibcStreamOp) -> i32 {
            // SAFETY: `get_read_stream`, present (checked with `has`).
            unsafe { call(entry, GET_READ_STREAM, read) }
        }
        fn write_stream(&mut self, entry: *mut Entry, write: *mut LibcStreamOp) -> i32 {
            // SAFETY: `get_write_stream`, present (checked with `has`).
            unsafe { call(entry, GET_WRITE_STREAM, write) }
        }
        fn subscribe_input(&mut self, stream: u32) -> u32 {
            // SAFETY: the import's implementation, with the handle libc would pass.
            unsafe { __wasm_import_streams_method_input_stream_subscribe(stream) }
        }
        fn subscribe_output(&mut self, stream: u32) -> u32 {
            // SAFETY: as above.
            unsafe { __wasm_import_streams_method_output_stream_subscribe(stream) }
        }
    }

    /// `poll(fds, nfds, timeout)`: served ([`serve`]), or the original. Called by
    /// `__wrap_poll` (an object of its own the linker adds when it wraps `poll`:
    /// `crates/ld/shim/libc_poll.rs`) with the libc's `descriptor_table_get_ref`, which this
    /// archive does not name (another libc's has another signature).
    #[unsafe(export_name = "wasip2_on_wasip1_libc_poll")]
    pub extern "C" fn poll(fds: *mut PollFd, nfds: usize, timeout: i32, get_ref: GetRef) -> i32 {
        crate::state::enter();
        let memory = core::arch::wasm32::memory_size::<0>() as u64 * 65536;
        // SAFETY: the program's own arguments, checked in `serve`; the libc is the known build.
        match unsafe { serve(&mut WasiLibc(get_ref), fds, nfds, timeout, memory) } {
            Some(r) => r,
            // SAFETY: the original, with the caller's arguments.
            None => unsafe { __real_poll(fds, nfds, timeout) },
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::io::streams::{InputStream, Mode, OutputStream};
    use crate::resource::{self, Resource};
    use std::boxed::Box;
    use std::vec::Vec;

    /// A descriptor of the fake libc: its streams (`None`: the stream function fails) and the
    /// pollables it keeps for them, as wasi-libc's stdio and files do.
    struct Desc {
        input: Option<u32>,
        output: Option<u32>,
        input_pollable: u32,
        output_pollable: u32,
    }

    /// A fake wasi-libc: fd `i` is `entries[i]` when present; `calls` records the vtable calls.
    struct Fake {
        entries: Vec<Option<Box<Entry>>>,
        calls: Vec<(i32, &'static str)>,
    }

    /// A vtable slot's function (any non-zero table index).
    const SOME: u32 = 1;

    fn vtable(read: bool, write: bool, register: bool) -> &'static [u32; 24] {
        let mut v = [0u32; 24];
        v[GET_READ_STREAM] = read as u32 * SOME;
        v[GET_WRITE_STREAM] = write as u32 * SOME;
        v[POLL_REGISTER] = register as u32 * SOME;
        Box::leak(Box::new(v))
    }

    impl Fake {
        fn add(&mut self, fd: usize, d: Desc, vt: &'static [u32; 24]) {
            while self.entries.len() <= fd {
                self.entries.push(None);
            }
            let data = Box::leak(Box::new(d)) as *mut Desc as *mut u8;
            self.entries[fd] = Some(Box::new(Entry { data, vtable: vt.as_ptr() }));
        }
        fn desc(entry: *mut Entry) -> &'static mut Desc {
            unsafe { &mut *((*entry).data as *mut Desc) }
        }
        /// The read (`input`) or write stream function of `entry`: records the call, and fills
        /// `out` with the stream and the descriptor's pollable of it, or fails (-1) where the
        /// descriptor has no such stream.
        fn stream(&mut self, entry: *mut Entry, out: *mut LibcStreamOp, input: bool) -> i32 {
            self.calls.push((self.fd_of(entry), if input { "read" } else { "write" }));
            let d = Fake::desc(entry);
            let (stream, pollable) = if input { (d.input, &mut d.input_pollable) } else { (d.output, &mut d.output_pollable) };
            match stream {
                Some(stream) => {
                    unsafe { out.write(LibcStreamOp { offset: core::ptr::null_mut(), blocking: true, timeout: 0, stream, pollable }) };
                    0
                }
                None => -1,
            }
        }
        fn fd_of(&self, entry: *mut Entry) -> i32 {
            self.entries.iter().position(|e| e.as_ref().is_some_and(|b| core::ptr::eq(&**b, entry))).unwrap() as i32
        }
    }

    impl Libc for Fake {
        fn entry(&mut self, fd: i32) -> *mut Entry {
            match self.entries.get_mut(fd as usize) {
                Some(Some(e)) => &mut **e,
                _ => core::ptr::null_mut(),
            }
        }
        fn has(&mut self, entry: *mut Entry, slot: usize) -> bool {
            unsafe { *(*entry).vtable.add(slot) != 0 }
        }
        fn read_stream(&mut self, entry: *mut Entry, read: *mut LibcStreamOp) -> i32 {
            self.stream(entry, read, true)
        }
        fn write_stream(&mut self, entry: *mut Entry, write: *mut LibcStreamOp) -> i32 {
            self.stream(entry, write, false)
        }
    }

    /// Streams the adapter finds ready without asking the runtime: a closed input stream and
    /// a file output stream.
    fn ready_streams() -> (u32, u32) {
        let i = resource::push(Resource::InputStream(InputStream { offset: 0, fd: 9, mode: Mode::At, closed: true }));
        let o = resource::push(Resource::OutputStream(OutputStream { offset: 0, fd: 9, budget: 0, mode: Mode::At, closed: false }));
        (i, o)
    }

    fn fake() -> Fake {
        let (i, o) = ready_streams();
        let mut f = Fake { entries: Vec::new(), calls: Vec::new() };
        // 0: read only, its write stream function fails; 3: a file; 4: a socket; 5: no
        // stream functions (as a directory has none for the event asked).
        f.add(0, Desc { input: Some(i), output: None, input_pollable: 0, output_pollable: 0 }, vtable(true, true, false));
        f.add(3, Desc { input: Some(i), output: Some(o), input_pollable: 0, output_pollable: 0 }, vtable(true, true, false));
        f.add(4, Desc { input: Some(i), output: Some(o), input_pollable: 0, output_pollable: 0 }, vtable(true, true, true));
        f.add(5, Desc { input: None, output: None, input_pollable: 0, output_pollable: 0 }, vtable(false, false, false));
        f
    }

    fn pfd(fd: i32, events: u16) -> PollFd {
        PollFd { fd, events, revents: 0x5a5a }
    }

    fn serve_on(f: &mut Fake, fds: &mut [PollFd], timeout: i32) -> Option<i32> {
        unsafe { serve(f, fds.as_mut_ptr(), fds.len(), timeout, u64::MAX) }
    }

    fn revents(fds: &[PollFd]) -> Vec<u16> {
        fds.iter().map(|p| p.revents).collect()
    }

    #[test]
    fn ready_streams_are_served_without_the_runtime() {
        let mut f = fake();
        let mut fds = [pfd(3, POLLRDNORM | POLLWRNORM | POLLPRI), pfd(-1, POLLRDNORM), pfd(3, POLLWRNORM), pfd(3, 0)];
        assert_eq!(serve_on(&mut f, &mut fds, 0), Some(2));
        assert_eq!(revents(&fds), [3, 0, 2, 0]);
        assert_eq!(f.calls, [(3, "read"), (3, "write"), (3, "write")]);
        // The pollables were subscribed once, and are kept.
        let d = Fake::desc(f.entry(3));
        let (ip, op) = (d.input_pollable, d.output_pollable);
        assert!(ip != 0 && op != 0);
        assert_eq!(serve_on(&mut f, &mut fds, 0), Some(2));
        let d = Fake::desc(f.entry(3));
        assert_eq!((d.input_pollable, d.output_pollable), (ip, op));
    }

    #[test]
    fn what_the_original_must_do_is_left_to_it() {
        let mut f = fake();
        // (Each case: the fds, and why the original must run.)
        let cases: [(&mut [PollFd], &str); 7] = [
            (&mut [pfd(3, POLLPRI)], "only POLLPRI: ENOSYS"),
            (&mut [pfd(3, POLLPRI), pfd(-1, POLLWRNORM), pfd(9, 0)], "only POLLPRI where anything is asked"),
            (&mut [pfd(3, POLLWRNORM), pfd(7, POLLWRNORM)], "a fd not in the table: EBADF"),
            (&mut [pfd(7, 0)], "a fd not in the table without events"),
            (&mut [pfd(4, POLLRDNORM)], "a socket"),
            (&mut [pfd(3, 0x4)], "another event: EOPNOTSUPP"),
            (&mut [pfd(5, POLLWRNORM)], "no stream function: EOPNOTSUPP"),
        ];
        for (fds, what) in cases {
            assert_eq!(serve_on(&mut f, fds, 0), None, "{what}");
        }
        // POLLPRI alone leaves revents as they were: the original returns before zeroing.
        let mut fds = [pfd(3, POLLPRI)];
        serve_on(&mut f, &mut fds, 0);
        assert_eq!(revents(&fds), [0x5a5a]);
        // No fds, too many, misaligned.
        assert_eq!(unsafe { serve(&mut f, core::ptr::null_mut(), 0, 0, u64::MAX) }, None);
        let mut many: Vec<PollFd> = (0..MAX_FDS + 1).map(|_| pfd(3, POLLWRNORM)).collect();
        assert_eq!(serve_on(&mut f, &mut many, 0), None);
        let mut raw = [0u32; 8];
        let odd = unsafe { (raw.as_mut_ptr() as *mut u8).add(2) as *mut PollFd };
        assert_eq!(unsafe { serve(&mut f, odd, 1, 0, u64::MAX) }, None);
    }

    #[test]
    fn a_failing_stream_function_fails_the_call_with_every_revents_zeroed() {
        let mut f = fake();
        let mut fds = [pfd(3, POLLWRNORM), pfd(0, POLLRDNORM | POLLWRNORM), pfd(3, POLLRDNORM)];
        assert_eq!(serve_on(&mut f, &mut fds, 0), Some(-1));
        assert_eq!(revents(&fds), [0, 0, 0]);
        // In the original's order, stopping at the failure.
        assert_eq!(f.calls, [(3, "write"), (0, "read"), (0, "write")]);
    }

    #[test]
    fn streams_ready_without_asking_are_those_pollable_fd_says() {
        let modes = [Mode::Stream, Mode::At, Mode::Append, Mode::Socket, Mode::Refused];
        for mode in modes {
            for closed in [false, true] {
                let i = resource::push(Resource::InputStream(InputStream { offset: 0, fd: 7, mode, closed }));
                if let Some(r) = ready_without_asking(i, true) {
                    assert_eq!(r, resource::get::<InputStream>(i).pollable_fd(), "input {mode:?} closed {closed}");
                } else {
                    assert!(!closed && matches!(mode, Mode::At | Mode::Socket), "input {mode:?} closed {closed}");
                }
                let o = resource::push(Resource::OutputStream(OutputStream { offset: 0, fd: 7, budget: 0, mode, closed }));
                if let Some(r) = ready_without_asking(o, false) {
                    assert_eq!(r, resource::get::<OutputStream>(o).pollable_fd(), "output {mode:?} closed {closed}");
                } else {
                    assert!(!closed && mode == Mode::Socket, "output {mode:?} closed {closed}");
                }
            }
        }
    }

    #[test]
    fn other_timeouts_and_open_file_input_streams_run_the_original() {
        let mut f = fake();
        assert_eq!(serve_on(&mut f, &mut [pfd(3, POLLWRNORM)], 10), None);
        assert_eq!(serve_on(&mut f, &mut [pfd(3, POLLWRNORM)], -1), None);
        assert!(f.calls.is_empty(), "decided before anything is done");
        let open = resource::push(Resource::InputStream(InputStream { offset: 0, fd: 9, mode: Mode::At, closed: false }));
        f.add(6, Desc { input: Some(open), output: None, input_pollable: 0, output_pollable: 0 }, vtable(true, true, false));
        let mut fds = [pfd(3, POLLWRNORM), pfd(6, POLLRDNORM)];
        assert_eq!(serve_on(&mut f, &mut fds, 0), None);
        // Registered (the original finds the same and does the rest).
        assert_eq!(f.calls, [(3, "write"), (6, "read")]);
        assert!(Fake::desc(f.entry(6)).input_pollable != 0);
    }

    #[test]
    fn only_negative_fds_wait_for_nothing_with_a_timeout_of_zero() {
        let mut f = fake();
        let mut fds = [pfd(-1, POLLRDNORM), pfd(-3, 0)];
        assert_eq!(serve_on(&mut f, &mut fds, 0), Some(0));
        assert_eq!(revents(&fds), [0, 0]);
    }
}
