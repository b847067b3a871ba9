//! `wasi:io/streams` on WASIp1 file descriptors.
//!
//! Streams on stdio and files are unbuffered: a `write` is completed with `fd_write` (short
//! writes are finished) before it returns, so `flush` has nothing to do and nothing can be
//! lost at exit. Reads go straight from `fd_read` into the result list (or the caller's armed
//! buffer, see `alloc`).
//!
//! TCP streams (`Mode::Socket`, WAMR build) are over a non-blocking host socket, so that no
//! non-blocking operation blocks, as natively: `read` answers an empty list when nothing has
//! arrived; `write` hands the host what it takes now and keeps the rest (at most one
//! `check-write` permit) in the stream's send buffer, which later calls drain (`check-write`
//! answers 0 and the pollable waits for the socket to become writable while bytes wait there;
//! `blocking-flush` and the blocking writes wait for it with `poll_oneoff`; dropping the
//! stream waits for it too, as wasmtime's does). This is wasmtime's native TCP stream, with
//! the adapter's buffer in place of its background write task.
//!
//! Rules from the WIT enforced here:
//! - `write` of more bytes than the last `check-write` permitted traps;
//! - `blocking-write-and-flush` and `blocking-write-zeroes-and-flush` of more than 4096 bytes
//!   trap;
//! - the end of input is `closed`, never an empty success; after `closed` or
//!   `last-operation-failed`, every later operation reports `closed`;
//! - a stream with a live pollable cannot be dropped (the resource table traps).

use crate::abi::{List, RetPtr, WResult};
use crate::alloc;
use crate::io::error;
use crate::io::poll::{self, Wait};
use crate::p1;
use crate::resource::{self, Resource};
use crate::trap::trap;

/// What `check-write` permits at once. Writes are completed synchronously, so any size would
/// work; 64 KiB is what wasmtime's native WASIp2 stdio permits, so that a `write(2)` larger
/// than that is short in exactly the same way as on a native host (wasi-libc writes only
/// what `check-write` permits and returns the count).
pub const WRITE_PERMIT: u32 = 1 << 16;

/// The most one `read` returns: 64 KiB, as wasmtime's native WASIp2 host (so a `read(2)` of
/// more is short exactly as there), and it bounds the allocation a huge `len` would request.
pub const MAX_READ: u64 = 1 << 16;

/// `blocking-write-and-flush` / `blocking-write-zeroes-and-flush` limit from the WIT.
const BLOCKING_LIMIT: usize = 4096;

/// `stream-error`: `variant { last-operation-failed(error), closed }`.
#[repr(C, u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamError {
    LastOperationFailed(u32) = 0,
    Closed = 1,
}

/// Where a stream reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// At the fd's own position (stdio): `fd_read` / `fd_write`.
    Stream,
    /// At the stream's own offset in a file: `fd_pread` / `fd_pwrite`.
    At,
    /// At the end of the file, whatever its size when each write happens.
    Append,
    /// A connected TCP socket made non-blocking (WAMR build): `fd_read` / `fd_write`, EAGAIN
    /// being "nothing now".
    Socket,
    /// A file stream of a descriptor not opened for its direction (a read stream of a file
    /// opened write-only, a write or append stream of one opened read-only). Natively such a
    /// stream is created, and its first read, skip or write (also of nothing) fails with
    /// EBADF, which closes it; the runtime's fd may allow what the open mode forbids (WASIp1
    /// rights are not open modes), so the adapter does not ask it.
    Refused,
}

impl Mode {
    /// Whether this is a socket stream: only the WAMR build makes them (`sockets/tcp.rs`), so
    /// in the portable build this is `false` and the socket paths are not linked at all.
    #[inline(always)]
    pub fn is_socket(self) -> bool {
        cfg!(feature = "wamr") && self == Mode::Socket
    }
}

/// An `input-stream` over a WASIp1 fd: stdin, or a file at its own offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputStream {
    pub offset: u64,
    pub fd: u32,
    pub mode: Mode,
    pub closed: bool,
}

/// An `output-stream` over a WASIp1 fd: stdout, stderr, or a file (at an offset, appending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputStream {
    /// Where the next write goes in a file (`Mode::At`). For `Mode::Socket`, the address of
    /// the stream's [`SendBuf`] (0 until one is needed): a socket has no offset, and a field
    /// of its own would make every table slot larger.
    pub offset: u64,
    pub fd: u32,
    /// Bytes the last `check-write` permitted and not yet written.
    pub budget: u32,
    pub mode: Mode,
    pub closed: bool,
}

/// A socket stream's send buffer: `data[start..end]` waits for the host socket `fd`. It never
/// holds more than one `check-write` permit: `check-write` grants one only when it is empty,
/// and the calls that write without a permit empty it first. A failed drain is kept in
/// `error` and reported by the next operation.
///
/// While bytes wait, the buffer is on the list of [`PENDING`] buffers, which every wait of the
/// adapter keeps handing to the host ([`poll_pushing`]): natively a background task writes
/// them, so a program that waits for something else (the reply to what it sent) must not
/// wait forever for bytes the adapter holds.
pub struct SendBuf {
    start: u32,
    end: u32,
    error: u16,
    fd: u32,
    /// The next buffer on the pending list (when `listed`).
    next: *mut SendBuf,
    listed: bool,
    data: [u8; WRITE_PERMIT as usize],
}

/// Head of the list of send buffers with bytes waiting (see [`SendBuf`]): a `StateValue`,
/// read and written whole, so the calls below that update it while a caller is between its
/// reads (`push_pending` inside `poll_pushing`) cannot alias a reference to it.
#[derive(Clone, Copy)]
struct Pending {
    head: *mut SendBuf,
    len: u32,
}
crate::instance_value!(pending_list: Pending = Pending { head: core::ptr::null_mut(), len: 0 });

impl SendBuf {
    /// Hands waiting bytes to the host while it takes them. `Ok(true)` when none wait.
    fn drain(&mut self) -> Result<bool, u16> {
        if self.error != 0 {
            return Err(self.error);
        }
        while self.start < self.end {
            match p1::write_once(self.fd, &self.data[self.start as usize..self.end as usize]) {
                Ok(0) | Err(p1::EAGAIN) => return Ok(false),
                Ok(n) => self.start += n as u32,
                Err(e) => {
                    self.error = e;
                    self.unlist();
                    return Err(e);
                }
            }
        }
        (self.start, self.end) = (0, 0);
        self.unlist();
        Ok(true)
    }

    fn list(&mut self) {
        if !self.listed {
            let p = pending_list().get();
            self.next = p.head;
            pending_list().set(Pending { head: self, len: p.len + 1 });
            self.listed = true;
        }
    }

    fn unlist(&mut self) {
        if !self.listed {
            return;
        }
        let mut p = pending_list().get();
        let me: *mut SendBuf = self;
        let mut at: *mut *mut SendBuf = &mut p.head;
        // SAFETY: the list links live buffers only (a buffer unlists itself before it is freed).
        unsafe {
            while !(*at).is_null() {
                if *at == me {
                    *at = self.next;
                    p.len -= 1;
                    break;
                }
                at = &mut (**at).next;
            }
        }
        pending_list().set(p);
        self.listed = false;
    }
}

/// `poll_oneoff` for `subs` (the adapter's every wait goes through here), while handing the
/// host the socket send buffers it can take: they are drained first, and those still waiting
/// are subscribed for writing too; when one of them becomes writable it is drained, and the
/// events returned are those of `subs` only (possibly none: callers wait again).
pub fn poll_pushing(subs: &[p1::Subscription], events: &mut [p1::Event]) -> Result<usize, u16> {
    // (Only the WAMR build has socket streams, so send buffers.)
    if !cfg!(feature = "wamr") || pending_list().get().head.is_null() {
        return p1::poll(subs, events);
    }
    push_pending();
    // (Read after draining, which unlists the buffers it empties.)
    let p = pending_list().get();
    let k = p.len as usize;
    if k == 0 {
        return p1::poll(subs, events);
    }
    let n = subs.len();
    let (ssize, esize) = (
        crate::scratch::size_of_n(n + k, core::mem::size_of::<p1::Subscription>(), 0),
        crate::scratch::size_of_n(n + k, core::mem::size_of::<p1::Event>(), 0),
    );
    let all = alloc::private::realloc(core::ptr::null_mut(), 0, 8, ssize) as *mut p1::Subscription;
    let evs = alloc::private::realloc(core::ptr::null_mut(), 0, 8, esize) as *mut p1::Event;
    // SAFETY: fresh blocks for `n + k` subscriptions and events.
    let (all_s, all_e) = unsafe { (core::slice::from_raw_parts_mut(all, n + k), core::slice::from_raw_parts_mut(evs, n + k)) };
    all_s[..n].copy_from_slice(subs);
    let mut b = p.head;
    for (j, sub) in all_s[n..].iter_mut().enumerate() {
        // SAFETY: `k` live buffers are on the list.
        let fd = unsafe { (*b).fd };
        *sub = p1::Subscription {
            userdata: PUSH_USERDATA - j as u64,
            tag: p1::EVENTTYPE_FD_WRITE,
            u: p1::SubscriptionClock { id: fd, ..Default::default() },
        };
        b = unsafe { (*b).next };
    }
    all_e.fill(p1::Event::default());
    let r = p1::poll(all_s, all_e).map(|got| {
        let mut out = 0;
        let mut pushed = false;
        for e in &all_e[..got.min(n + k)] {
            if e.ty == p1::EVENTTYPE_FD_WRITE && e.userdata <= PUSH_USERDATA && e.userdata > PUSH_USERDATA - k as u64 {
                pushed = true;
            } else if out < events.len() {
                events[out] = *e;
                out += 1;
            }
        }
        if pushed {
            push_pending();
        }
        out
    });
    alloc::private::free(all as *mut u8, ssize, 8);
    alloc::private::free(evs as *mut u8, esize, 8);
    r
}

/// Hands the host what every socket send buffer holds, as far as it takes it now.
fn push_pending() {
    let mut b = pending_list().get().head;
    while !b.is_null() {
        // SAFETY: a live buffer on the list; `next` is read before draining unlists it.
        let next = unsafe { (*b).next };
        let _ = unsafe { (*b).drain() };
        b = next;
    }
}

/// `userdata` of the subscriptions [`poll_pushing`] adds (counting down; the adapter's own
/// are indexes and `u64::MAX`).
const PUSH_USERDATA: u64 = u64::MAX - 1;

impl InputStream {
    /// The fd to subscribe to, or `None` when the stream is ready without asking (closed, or
    /// a file: files are always ready). Called when a wait on the stream's pollable begins.
    ///
    /// Natively a wait on a file stream reads ahead (4096 bytes, in the background), and a
    /// read-ahead at the end of the file ends the stream: the next read or skip is `closed`
    /// even if the file has grown since. So here a wait on a file stream at or past the end
    /// closes it (one `filestat`; a read-ahead that would fail, past 2^63, is left to the
    /// next read, which fails the same way).
    pub fn pollable_fd(&mut self) -> Option<u32> {
        if self.mode == Mode::At && !self.closed && self.offset <= i64::MAX as u64 - 4096 {
            if let Ok(st) = p1::filestat(self.fd) {
                self.closed = self.offset >= st.size;
            }
        }
        if self.closed || !matches!(self.mode, Mode::Stream | Mode::Socket) { None } else { Some(self.fd) }
    }

    /// One read into `buf` at the stream's position.
    fn read_raw(&mut self, buf: &mut [u8]) -> Result<usize, u16> {
        if matches!(self.mode, Mode::Stream | Mode::Socket) {
            return p1::read(self.fd, buf);
        }
        if self.mode == Mode::Refused {
            return Err(refused(self.offset));
        }
        let n = p1::pread(self.fd, buf, self.offset).map_err(fd_errno)?;
        self.offset += n as u64;
        Ok(n)
    }

    /// One read into `buf` that got something: the end of input is `closed`, a failure
    /// `last-operation-failed`, and both close the stream (every later operation reports
    /// `closed`). On a socket, nothing having arrived is `Ok(0)`, or, when `blocking`, a wait
    /// for input.
    #[inline(always)]
    fn read_some(&mut self, buf: &mut [u8], blocking: bool) -> Result<usize, StreamError> {
        let r = loop {
            match self.read_raw(buf) {
                Err(p1::EAGAIN) if self.mode.is_socket() => {
                    // Nothing has arrived: a moment to hand the host what socket streams
                    // hold (a program polling reads need not poll its writes).
                    push_pending();
                    if !blocking {
                        return Ok(0);
                    }
                    fd_ready(self.fd, false, true);
                }
                r => break r,
            }
        };
        match r {
            Ok(0) => {
                self.closed = true;
                Err(StreamError::Closed)
            }
            Ok(n) => Ok(n),
            Err(e) => {
                self.closed = true;
                Err(failed(e))
            }
        }
    }

    /// Whether a read would not block now (a socket's read never blocks).
    fn ready_now(&self) -> bool {
        self.mode != Mode::Stream || readable_now(self.fd)
    }
}

impl OutputStream {
    /// The fd to wait on for writing, or `None` when the stream is ready without asking. A
    /// socket stream is ready when its send buffer is empty (or failed): it is drained first.
    pub fn pollable_fd(&mut self) -> Option<u32> {
        match self.mode {
            _ if self.closed => None,
            Mode::Stream => Some(self.fd),
            Mode::Socket if cfg!(feature = "wamr") => match self.drain() {
                Ok(false) => Some(self.fd),
                _ => None,
            },
            _ => None,
        }
    }

    /// A socket stream's send buffer, or null (none yet, or not a socket).
    fn pending(&self) -> *mut SendBuf {
        if self.mode.is_socket() { self.offset as usize as *mut SendBuf } else { core::ptr::null_mut() }
    }

    /// Socket: hands waiting bytes to the host while it takes them. `Ok(true)` when none wait.
    fn drain(&mut self) -> Result<bool, u16> {
        // SAFETY: `pending` is null or this stream's own buffer.
        match unsafe { self.pending().as_mut() } {
            None => Ok(true),
            Some(b) => b.drain(),
        }
    }

    /// Socket: writes what the host takes now and keeps the rest, after what already waits.
    fn socket_write(&mut self, bytes: &[u8]) -> Result<(), u16> {
        let mut rest = bytes;
        if self.drain()? {
            while !rest.is_empty() {
                match p1::write_once(self.fd, rest) {
                    Ok(0) | Err(p1::EAGAIN) => break,
                    Ok(n) => rest = &rest[n.min(rest.len())..],
                    Err(e) => return Err(e),
                }
            }
        }
        if rest.is_empty() {
            return Ok(());
        }
        if self.pending().is_null() {
            let size = core::mem::size_of::<SendBuf>();
            let p = alloc::private::realloc(core::ptr::null_mut(), 0, 8, size) as *mut SendBuf;
            self.offset = p as usize as u64;
            // SAFETY: a fresh block of `size` bytes.
            unsafe {
                p.write(SendBuf {
                    start: 0,
                    end: 0,
                    error: 0,
                    fd: self.fd,
                    next: core::ptr::null_mut(),
                    listed: false,
                    data: [0; WRITE_PERMIT as usize],
                })
            };
        }
        // SAFETY: this stream's own buffer.
        let b = unsafe { &mut *self.pending() };
        let (start, end) = (b.start as usize, b.end as usize);
        b.data.copy_within(start..end, 0);
        let end = end - start;
        if end + rest.len() > b.data.len() {
            trap(b"output-stream: socket send buffer overflow (adapter bug)");
        }
        b.data[end..end + rest.len()].copy_from_slice(rest);
        (b.start, b.end) = (0, (end + rest.len()) as u32);
        b.list();
        Ok(())
    }

    /// Socket `shutdown(send)`: what the stream has accepted is handed to the host first
    /// (waiting for it, if need be), then the stream is `closed`.
    pub fn shut_down(&mut self) {
        if !self.closed {
            let _ = self.socket_blocking_flush();
            self.closed = true;
        }
    }

    /// Socket: waits until every waiting byte has been taken by the host.
    fn socket_blocking_flush(&mut self) -> Result<(), u16> {
        while !self.drain()? {
            fd_ready(self.fd, true, true);
        }
        Ok(())
    }

    /// Writes all of `bytes` at the stream's position.
    fn write_raw(&mut self, bytes: &[u8]) -> Result<(), u16> {
        match self.mode {
            Mode::Stream => p1::write_all(self.fd, bytes),
            Mode::Socket if cfg!(feature = "wamr") => self.socket_write(bytes),
            // (Never made by the portable build.)
            Mode::Socket => Err(p1::EBADF),
            Mode::At => {
                p1::pwrite_all(self.fd, bytes, self.offset).map_err(fd_errno)?;
                self.offset += bytes.len() as u64;
                Ok(())
            }
            Mode::Append => {
                let end = p1::filestat(self.fd).map_err(fd_errno)?.size;
                p1::pwrite_all(self.fd, bytes, end).map_err(fd_errno)
            }
            Mode::Refused => Err(refused(self.offset)),
        }
    }
}

/// Why the OS refuses a read or write at `offset` of a `Mode::Refused` stream: `pread` and
/// `pwrite` refuse an offset past 2^63 (EINVAL) before looking at the open mode (EBADF).
fn refused(offset: u64) -> u16 {
    if offset > i64::MAX as u64 { p1::EINVAL } else { p1::EBADF }
}

/// An fd operation refused for lack of WASIp1 rights (WAMR: ENOTCAPABLE) is, on a native
/// host, an operation the open mode does not allow: EBADF.
pub fn fd_errno(e: u16) -> u16 {
    if e == p1::ENOTCAPABLE { p1::EBADF } else { e }
}

/// New input stream handle over stdio `fd`.
pub fn new_input(fd: u32) -> u32 {
    resource::push(Resource::InputStream(InputStream { offset: 0, fd, mode: Mode::Stream, closed: false }))
}

/// New output stream handle over stdio `fd`.
pub fn new_output(fd: u32) -> u32 {
    resource::push(Resource::OutputStream(OutputStream { offset: 0, fd, budget: 0, mode: Mode::Stream, closed: false }))
}

/// New input stream over `fd`, which belongs to resource `owner` (a descriptor's file read from
/// `offset` with `Mode::At`, or a connected socket with `Mode::Stream`). The stream holds its
/// owner: the fd stays open while the stream lives.
pub fn new_held_input(fd: u32, offset: u64, mode: Mode, owner: u32) -> u32 {
    resource::push_holder(Resource::InputStream(InputStream { offset, fd, mode, closed: false }), owner)
}

/// New output stream over `fd`, which belongs to resource `owner` (see [`new_held_input`]).
pub fn new_held_output(fd: u32, offset: u64, mode: Mode, owner: u32) -> u32 {
    resource::push_holder(Resource::OutputStream(OutputStream { offset, fd, budget: 0, mode, closed: false }), owner)
}

/// Maps a WASIp1 failure to a `stream-error`: a broken pipe is the reader going away
/// (`closed`); anything else is `last-operation-failed` with an `error` resource.
fn failed(errno: u16) -> StreamError {
    if errno == p1::EPIPE { StreamError::Closed } else { StreamError::LastOperationFailed(error::new(errno)) }
}

/// Whether `fd` has input now (never blocks).
pub fn readable_now(fd: u32) -> bool {
    fd_ready(fd, false, false)
}

/// Whether `fd` is ready for reading (or `write`-ing) now; with `block`, waits until it is
/// (or the runtime's poll gives up: callers loop). An fd in an error state is ready (the
/// next operation reports the error).
pub fn fd_ready(fd: u32, write: bool, block: bool) -> bool {
    let subs = [
        p1::Subscription {
            userdata: 0,
            tag: if write { p1::EVENTTYPE_FD_WRITE } else { p1::EVENTTYPE_FD_READ },
            u: p1::SubscriptionClock { id: fd, ..Default::default() },
        },
        p1::Subscription {
            userdata: 1,
            tag: p1::EVENTTYPE_CLOCK,
            u: p1::SubscriptionClock { id: p1::CLOCK_MONOTONIC, ..Default::default() },
        },
    ];
    let mut ev = [p1::Event::default(); 2];
    let n = if block { 1 } else { 2 };
    match poll_pushing(&subs[..n], &mut ev[..n]) {
        Ok(got) => ev[..got.min(n)].iter().any(|e| e.userdata == 0),
        // The runtime cannot poll this fd: let the read find out.
        Err(_) => true,
    }
}

/// The input stream `this` when a read, skip or splice of `len` bytes has something to do:
/// `closed` once the stream has ended; `None` when `len` is 0 or, not blocking, no data is
/// ready (the call moves nothing).
#[inline(always)]
fn readable(this: u32, len: u64, blocking: bool) -> Result<Option<resource::Ref<InputStream>>, StreamError> {
    let s = resource::get::<InputStream>(this);
    if let Some(error) = take_stashed(this) {
        // A failure of [`libc_read`]'s read, reported by the read the original makes.
        return Err(error);
    }
    if s.closed {
        return Err(StreamError::Closed);
    }
    Ok(if len == 0 || (!blocking && !s.ready_now()) { None } else { Some(s) })
}

fn read(this: u32, len: u64, blocking: bool) -> Result<List<u8>, StreamError> {
    let Some(mut s) = readable(this, len, blocking)? else { return Ok(List::empty()) };
    let want = len.min(MAX_READ) as usize;
    let buf = alloc::result_bytes(want);
    // SAFETY: `result_bytes` returned `want` writable bytes.
    let r = s.read_some(unsafe { core::slice::from_raw_parts_mut(buf, want) }, blocking);
    let buf = alloc::finish_result_bytes(buf, *r.as_ref().unwrap_or(&0));
    r.map(|n| List::new(buf, n))
}

/// Reads and discards up to `len` bytes.
fn skip(this: u32, len: u64, blocking: bool) -> Result<u64, StreamError> {
    let Some(mut s) = readable(this, len, blocking)? else { return Ok(0) };
    if s.mode == Mode::At {
        // A file: skipping is moving the offset, up to the end of the file. Natively it is a
        // read of up to 64 KiB, which the OS refuses (EINVAL) when it would end past 2^63 - 1,
        // whatever the file's size: so here too, and the stream is closed as after any failure.
        if s.offset.saturating_add(len.min(MAX_READ)) > i64::MAX as u64 {
            s.closed = true;
            return Err(failed(p1::EINVAL));
        }
        let size = p1::filestat(s.fd).map_err(|e| failed(fd_errno(e)))?.size;
        if s.offset >= size {
            s.closed = true;
            return Err(StreamError::Closed);
        }
        let n = len.min(size - s.offset);
        s.offset += n;
        return Ok(n);
    }
    let mut buf = [0u8; 4096];
    let want = len.min(buf.len() as u64) as usize;
    s.read_some(&mut buf[..want], blocking).map(|n| n as u64)
}

/// `[method]input-stream.read`: "Perform a non-blocking read from the stream. … This function
/// returns a list of bytes containing the read data, when successful. The returned list will
/// contain up to `len` bytes; it may return fewer than requested, but not more. The list is
/// empty when no bytes are available for reading at this time. … An empty list is returned if
/// `len` is 0. When the source of a `read` is closed, `closed` is returned."
pub fn input_stream_read(this: u32, len: u64, ret: RetPtr<WResult<List<u8>, StreamError>>) {
    ret.write(read(this, len, false).into());
}

/// `[method]input-stream.blocking-read`: "Read bytes from a stream, after blocking until at
/// least one byte can be read. Except for blocking, behavior is identical to `read`."
pub fn input_stream_blocking_read(this: u32, len: u64, ret: RetPtr<WResult<List<u8>, StreamError>>) {
    ret.write(read(this, len, true).into());
}

/// `[method]input-stream.skip`: "Skip bytes from a stream. Returns number of bytes skipped.
/// Behaves identical to `read`, except instead of returning a list of bytes, returns the
/// number of bytes consumed from the stream."
pub fn input_stream_skip(this: u32, len: u64, ret: RetPtr<WResult<u64, StreamError>>) {
    ret.write(skip(this, len, false).into());
}

/// `[method]input-stream.blocking-skip`: "Skip bytes from a stream, after blocking until at
/// least one byte can be skipped. Except for blocking behavior, identical to `skip`."
pub fn input_stream_blocking_skip(this: u32, len: u64, ret: RetPtr<WResult<u64, StreamError>>) {
    ret.write(skip(this, len, true).into());
}

/// `[method]input-stream.subscribe`: "Create a `pollable` which will resolve once either the
/// specified stream has bytes available to read or the other end of the stream has been
/// closed. The created `pollable` is a child resource of the `input-stream`."
pub fn input_stream_subscribe(this: u32) -> u32 {
    resource::get::<InputStream>(this);
    poll::new(Wait::Input(this), this)
}

/// `[resource-drop]input-stream`. (A file stream's descriptor keeps the fd.)
pub fn drop_input_stream(this: u32) {
    resource::remove::<InputStream>(this);
}

/// `[method]output-stream.check-write`: "Check readiness for writing. This function never
/// blocks. Returns the number of bytes permitted for the next call to `write`, or an error.
/// Calling `write` with more bytes than this function has permitted will trap. When this
/// function returns 0 bytes, the `subscribe` pollable will become ready when this function
/// will report at least 1 byte, or an error."
pub fn output_stream_check_write(this: u32, ret: RetPtr<WResult<u64, StreamError>>) {
    let mut s = resource::get::<OutputStream>(this);
    if let Some(error) = take_stashed(this) {
        // A failure of [`libc_write`]'s write, reported where the program's own write would
        // have reported it (see there).
        ret.write(WResult::Err(error));
        return;
    }
    ret.write(if s.closed {
        WResult::Err(StreamError::Closed)
    } else {
        // A socket grants a permit only when its send buffer is empty (natively: when no
        // background write is pending).
        match s.drain() {
            Err(e) => WResult::Err(s.fail(e)),
            Ok(false) => {
                s.budget = 0;
                WResult::Ok(0)
            }
            Ok(true) => {
                s.budget = WRITE_PERMIT;
                WResult::Ok(WRITE_PERMIT as u64)
            }
        }
    });
}

/// The open stream `this`, after taking `total` bytes from its `check-write` permit when
/// `permit_needed` (writing more than permitted traps, as the WIT requires).
#[inline(always)]
fn permitted(this: u32, total: u64, permit_needed: bool) -> Result<resource::Ref<OutputStream>, StreamError> {
    let mut s = resource::get::<OutputStream>(this);
    if permit_needed {
        if total > s.budget as u64 {
            trap(b"output-stream.write: more bytes than check-write permitted");
        }
        s.budget -= total as u32;
    }
    if s.closed { Err(StreamError::Closed) } else { Ok(s) }
}

impl OutputStream {
    /// A failed write closes the stream.
    fn fail(&mut self, errno: u16) -> StreamError {
        self.closed = true;
        failed(errno)
    }
}

/// Writes `bytes` under the `check-write` permit (the hot path of every `write(2)`).
fn write(this: u32, bytes: &[u8], permit_needed: bool) -> Result<(), StreamError> {
    let mut s = permitted(this, bytes.len() as u64, permit_needed)?;
    if bytes.is_empty() && s.mode != Mode::Refused {
        return Ok(());
    }
    if s.mode.is_socket() {
        // A write uses up a socket's permit, as natively (the next needs a `check-write`).
        s.budget = 0;
    }
    s.write_raw(bytes).map_err(|e| s.fail(e))
}

/// A failed read or write of [`libc_read`] / [`libc_write`], for the next `read` or
/// `check-write` of `handle` (0: none), which the original libc function makes at once.
#[derive(Clone, Copy)]
struct Stash {
    handle: u32,
    error: StreamError,
}
crate::instance_value!(stashed_failure: Stash = Stash { handle: 0, error: StreamError::Closed });

/// Keeps `error` for the next operation on `handle` (see [`Stash`]).
fn stash(handle: u32, error: StreamError) {
    stashed_failure().set(Stash { handle, error });
}

/// The failure kept for `handle`, if any (taken: reported once).
#[inline(always)]
fn take_stashed(handle: u32) -> Option<StreamError> {
    let st = stashed_failure().get();
    if st.handle != handle || handle == 0 {
        return None;
    }
    stash(0, StreamError::Closed);
    Some(st.error)
}

/// wasi-libc's `__wasilibc_write(write, buffer, length)` in one step, for the linker's
/// `--wrap=__wasilibc_write` (see `crates/ld/src/zerocopy.rs`): the known build calls
/// `check-write`, then `write` of `min(permit, length)` bytes, then (blocking) `blocking-flush`,
/// and returns the count. For a stdio or file stream that is open, those three calls always
/// do here: permit 64 KiB; write (all of it, synchronously); flush (nothing to do). So this
/// does the write directly and returns `Some(count)`, with the stream left as the three
/// calls leave it (its permit used by `count`); so does a socket stream written blocking
/// without a timeout (see below). `None` (nothing done): the original must run — nothing to
/// write, a closed stream, a socket written non-blocking or with a timeout (whose permits
/// depend on its send buffer), or a failed write: then the failure is stashed and the
/// original's `check-write` reports it (the error the `write` would have returned: the same
/// errno for libc, and the stream is closed as after a failed write).
pub fn libc_write(this: u32, ptr: *const u8, len: usize, blocking: bool, timeout: u64) -> Option<usize> {
    crate::state::enter();
    if len == 0 {
        return None;
    }
    let mut s = resource::get_inline::<OutputStream>(this);
    if s.closed || (s.mode.is_socket() && !(blocking && timeout == 0)) {
        return None;
    }
    let n = len.min(WRITE_PERMIT as usize);
    // The list `write` would lift.
    crate::abi::lift(ptr as i32, n as i32, crate::abi::Elem::list(1, 1));
    s.budget = WRITE_PERMIT - n as u32;
    // SAFETY: lifted above.
    let bytes = unsafe { crate::abi::bytes(ptr, n) };
    if s.mode.is_socket() {
        // Blocking, no timeout: the original's `check-write` waits (on the stream's pollable)
        // until the send buffer is empty and grants a permit, the write hands the host what
        // it takes and keeps the rest, and `blocking-flush` waits until the host has it all
        // — here the same three steps, without the calls. A write uses up a socket's permit.
        s.budget = 0;
        let r = s.socket_blocking_flush().and_then(|()| s.socket_write(bytes)).and_then(|()| s.socket_blocking_flush());
        return match r {
            Ok(()) => Some(n),
            Err(e) => {
                stash(this, s.fail(e));
                None
            }
        };
    }
    // A file at the stream's offset (the common case) without `write_raw`'s dispatch: one
    // `fd_pwrite` inline, `pwrite_all` for what a short write left (or after EAGAIN).
    let r = if s.mode == Mode::At {
        let (fd, at) = (s.fd, s.offset);
        match p1::pwrite_once(fd, bytes, at) {
            Ok(w) if w == n => Ok(()),
            Ok(w) if w != 0 && w < n => p1::pwrite_all(fd, &bytes[w..], at + w as u64),
            Err(e) if e != p1::EAGAIN => Err(e),
            _ => p1::pwrite_all(fd, bytes, at),
        }
        .map(|()| s.offset += n as u64)
        .map_err(fd_errno)
    } else {
        s.write_raw(bytes)
    };
    match r {
        Ok(()) => Some(n),
        Err(e) => {
            stash(this, s.fail(e));
            None
        }
    }
}

/// wasi-libc's `__wasilibc_read(read, buffer, length)` in one step, for the linker's
/// `--wrap=__wasilibc_read` (see `crates/ld/src/zerocopy.rs`): the known build calls
/// `input-stream.read` of `length` bytes, copies the list into `buffer` and frees it; when
/// that read is empty and `blocking`, it waits on the stream's pollable and reads again. For
/// a file stream (always ready) and for a stdio or socket stream read blocking without a
/// timeout (the wait then the read: a blocking `fd_read`; on a socket `read_some`'s wait for
/// input, which also hands the host what socket streams hold) this reads straight into `buffer` and
/// returns `Some(count)`: 0 at the end of input, which closes the stream as the original's
/// read does (and for which it too returns 0), or on a stream already closed. `None` (nothing
/// done): the original must run — nothing to read, a socket, a non-blocking stdio read, or a
/// failed read (a refused stream's, say): then the failure is stashed and reported by the
/// original's read (the same errno for libc, the stream closed as after any failure).
pub fn libc_read(this: u32, ptr: *mut u8, len: usize, blocking: bool, timeout: u64) -> Option<usize> {
    crate::state::enter();
    if len == 0 {
        return None;
    }
    let mut s = resource::get_inline::<InputStream>(this);
    if s.closed {
        return Some(0);
    }
    match s.mode {
        // (A refused stream's read fails at once, as the original's does.)
        Mode::At | Mode::Refused => {}
        Mode::Stream | Mode::Socket if blocking && timeout == 0 => {}
        _ => return None,
    }
    let n = len.min(MAX_READ as usize);
    // The bytes the list would have been copied into.
    crate::abi::lift(ptr as i32, n as i32, crate::abi::Elem::list(1, 1));
    // SAFETY: `n` bytes at `ptr` are inside memory (lifted above), the program's buffer.
    let buf = unsafe { core::slice::from_raw_parts_mut(ptr, n) };
    if s.mode == Mode::At {
        // A file (the common case): `read_some` on a file stream, inline (no result record
        // in memory, no dispatch).
        return match p1::pread(s.fd, buf, s.offset) {
            Ok(0) => {
                s.closed = true;
                Some(0)
            }
            Ok(got) => {
                s.offset += got as u64;
                alloc::placed_in_caller(got);
                Some(got)
            }
            Err(e) => {
                s.closed = true;
                stash(this, failed(fd_errno(e)));
                None
            }
        };
    }
    match s.read_some(buf, blocking) {
        // (A blocking read gets something or the end: never here.)
        Ok(0) => None,
        Ok(got) => {
            alloc::placed_in_caller(got);
            Some(got)
        }
        Err(StreamError::Closed) => Some(0),
        Err(error) => {
            stash(this, error);
            None
        }
    }
}

/// wasi-libc's `wasi_read_t` and `wasi_write_t` (161b319): `{ off_t *offset; bool blocking;
/// uint64_t timeout; input- or output-stream handle; pollable *; }` on wasm32 — the layout the
/// recognised `__wasilibc_read` and `__wasilibc_write` read (their fingerprints cover the
/// field offsets).
#[repr(C)]
pub struct LibcStreamOp {
    pub offset: *mut i64,
    pub blocking: bool,
    pub timeout: u64,
    pub stream: u32,
    pub pollable: *mut u32,
}

impl LibcStreamOp {
    /// What the original returns after moving `n` bytes: `n`, once added to `*offset` when
    /// there is one (a file description's offset).
    ///
    /// # Safety
    /// `op` is libc's own record, whose `offset` is null or valid.
    #[inline(always)]
    pub unsafe fn advance(op: *mut LibcStreamOp, n: usize) -> isize {
        let off = unsafe { (*op).offset };
        if n > 0 && !off.is_null() {
            unsafe { *off += n as i64 };
        }
        n as isize
    }
}

#[cfg(target_family = "wasm")]
mod libc_wrap {
    use super::*;

    unsafe extern "C" {
        fn __real___wasilibc_write(write: *mut LibcStreamOp, buf: *const u8, len: usize) -> isize;
    }

    /// `__wasilibc_write` (see [`libc_write`]); like the original, adds the count to
    /// `*offset` when there is one.
    #[unsafe(export_name = "__wrap___wasilibc_write")]
    pub extern "C" fn wasilibc_write(w: *mut LibcStreamOp, buf: *const u8, len: usize) -> isize {
        // SAFETY: libc passes its own `wasi_write_t`.
        let (output, blocking, timeout) = unsafe { ((*w).stream, (*w).blocking, (*w).timeout) };
        match libc_write(output, buf, len, blocking, timeout) {
            // SAFETY: as above.
            Some(n) => unsafe { LibcStreamOp::advance(w, n) },
            // SAFETY: the original, with the caller's arguments.
            None => unsafe { __real___wasilibc_write(w, buf, len) },
        }
    }
}

/// The blocking writes: a socket's send buffer is emptied before and after.
fn blocking_write(this: u32, write: impl FnOnce(u32) -> Result<(), StreamError>) -> Result<(), StreamError> {
    let mut s = resource::get::<OutputStream>(this);
    if s.mode.is_socket() && !s.closed {
        s.socket_blocking_flush().map_err(|e| s.fail(e))?;
    }
    // `write` and `flush_blocking` get the stream again: this borrow ends first.
    drop(s);
    write(this)?;
    flush_blocking(this)
}

fn flush_blocking(this: u32) -> Result<(), StreamError> {
    let mut s = resource::get::<OutputStream>(this);
    if s.closed {
        return Err(StreamError::Closed);
    }
    if s.mode.is_socket() {
        s.socket_blocking_flush().map_err(|e| s.fail(e))?;
    }
    Ok(())
}

/// Writes `len` zero bytes under the `check-write` permit.
fn write_zeroes(this: u32, len: u64, permit_needed: bool) -> Result<(), StreamError> {
    let mut s = permitted(this, len, permit_needed)?;
    // On the stack: a static would cost its size in every module's data section.
    let zero = [0u8; 1024];
    let mut left = len;
    if s.mode.is_socket() && len > 0 {
        s.budget = 0;
    }
    if s.mode == Mode::Refused {
        let e = refused(s.offset);
        return Err(s.fail(e));
    }
    while left > 0 {
        let n = left.min(zero.len() as u64) as usize;
        s.write_raw(&zero[..n]).map_err(|e| s.fail(e))?;
        left -= n as u64;
    }
    Ok(())
}

/// `[method]output-stream.write`: "Perform a write. This function never blocks. … Returns
/// success when the write has completed or been buffered. … precondition: check-write
/// gave permit of Ok(n) and contents has a length of less than or equal to n. Otherwise,
/// this function will trap."
pub fn output_stream_write(this: u32, ptr: *const u8, len: usize, ret: RetPtr<WResult<(), StreamError>>) {
    // SAFETY: canonical ABI `list<u8>` parameter.
    ret.write(write(this, unsafe { crate::abi::bytes(ptr, len) }, true).into());
}

/// `[method]output-stream.blocking-write-and-flush`: "Perform a write of up to 4096 bytes,
/// and then flush the stream. Block until all of these operations are complete, or an error
/// occurs."
pub fn output_stream_blocking_write_and_flush(
    this: u32,
    ptr: *const u8,
    len: usize,
    ret: RetPtr<WResult<(), StreamError>>,
) {
    if len > BLOCKING_LIMIT {
        trap(b"output-stream.blocking-write-and-flush: more than 4096 bytes");
    }
    // SAFETY: canonical ABI `list<u8>` parameter.
    ret.write(blocking_write(this, |this| write(this, unsafe { crate::abi::bytes(ptr, len) }, false)).into());
}

fn flush(this: u32) -> Result<(), StreamError> {
    if resource::get::<OutputStream>(this).closed { Err(StreamError::Closed) } else { Ok(()) }
}

/// `[method]output-stream.flush`: "Request to flush buffered output. This function never
/// blocks." Writes to stdio and files are never buffered by the adapter; a socket's send
/// buffer is handed to the host as fast as it takes it anyway (as natively, where `flush` is
/// a no-op too), so there is nothing to do.
pub fn output_stream_flush(this: u32, ret: RetPtr<WResult<(), StreamError>>) {
    ret.write(flush(this).into());
}

/// `[method]output-stream.blocking-flush`: "Request to flush buffered output, and block until
/// flush completes and stream is ready for writing again."
pub fn output_stream_blocking_flush(this: u32, ret: RetPtr<WResult<(), StreamError>>) {
    ret.write(flush_blocking(this).into());
}

/// `[method]output-stream.subscribe`: "Create a `pollable` which will resolve once the
/// output-stream is ready for more writing, or an error has occurred. … The created
/// `pollable` is a child resource of the `output-stream`."
pub fn output_stream_subscribe(this: u32) -> u32 {
    resource::get::<OutputStream>(this);
    poll::new(Wait::Output(this), this)
}

/// `[method]output-stream.write-zeroes`: "Write zeroes to a stream. This should be used
/// precisely like `write` with the exact same preconditions (must use check-write first),
/// but instead of passing a list of bytes, you simply pass the number of zero-bytes that
/// should be written."
pub fn output_stream_write_zeroes(this: u32, len: u64, ret: RetPtr<WResult<(), StreamError>>) {
    ret.write(write_zeroes(this, len, true).into());
}

/// `[method]output-stream.blocking-write-zeroes-and-flush`: "Perform a write of up to 4096
/// zeroes, and then flush the stream. Block until all of these operations are complete, or
/// an error occurs."
pub fn output_stream_blocking_write_zeroes_and_flush(this: u32, len: u64, ret: RetPtr<WResult<(), StreamError>>) {
    if len > BLOCKING_LIMIT as u64 {
        trap(b"output-stream.blocking-write-zeroes-and-flush: more than 4096 bytes");
    }
    ret.write(blocking_write(this, |this| write_zeroes(this, len, false)).into());
}

/// Moves up to `len` bytes from `src` to `this`.
fn splice(this: u32, src: u32, len: u64, blocking: bool) -> Result<u64, StreamError> {
    let mut o = resource::get::<OutputStream>(this);
    if o.closed {
        return Err(StreamError::Closed);
    }
    if o.mode.is_socket() {
        // As `check-write` first: a socket takes nothing while its send buffer is not empty.
        if blocking {
            o.socket_blocking_flush().map_err(|e| o.fail(e))?;
        } else {
            match o.drain() {
                Err(e) => return Err(o.fail(e)),
                Ok(false) => return Ok(0),
                Ok(true) => {}
            }
        }
    }
    // `write` below gets the stream again: this borrow ends first.
    drop(o);
    let Some(mut s) = readable(src, len, blocking)? else { return Ok(0) };
    let mut buf = [0u8; 4096];
    let want = len.min(buf.len() as u64) as usize;
    let n = s.read_some(&mut buf[..want], blocking)?;
    write(this, &buf[..n], false).map(|()| n as u64)
}

/// `[method]output-stream.splice`: "Read from one stream and write to another. The behavior
/// of splice is equivalent to: 1. calling `check-write` on the `output-stream` 2. calling
/// `read` on the `input-stream` with the smaller of the `check-write` permitted length and
/// the `len` provided to `splice` 3. calling `write` on the `output-stream` with that read
/// data. … This function returns the number of bytes transferred; it may be less than `len`."
pub fn output_stream_splice(this: u32, src: u32, len: u64, ret: RetPtr<WResult<u64, StreamError>>) {
    ret.write(splice(this, src, len, false).into());
}

/// `[method]output-stream.blocking-splice`: "Read from one stream and write to another, with
/// blocking. This is similar to `splice`, except that it blocks until the `output-stream` is
/// ready for writing, and the `input-stream` is ready for reading, before performing the
/// `splice`."
pub fn output_stream_blocking_splice(this: u32, src: u32, len: u64, ret: RetPtr<WResult<u64, StreamError>>) {
    ret.write(splice(this, src, len, true).into());
}

/// `[resource-drop]output-stream`. A socket stream first waits until its send buffer has been
/// taken by the host (as natively: bytes `write` accepted are not lost).
pub fn drop_output_stream(this: u32) {
    let mut s = resource::remove::<OutputStream>(this);
    let b = s.pending();
    if !b.is_null() {
        let _ = s.socket_blocking_flush();
        // SAFETY: this stream's own buffer, freed once.
        unsafe { (*b).unlist() };
        alloc::private::free(b as *mut u8, core::mem::size_of::<SendBuf>(), 8);
    }
}
