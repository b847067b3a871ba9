//! `wasi:io/streams` on WASIp1 file descriptors.
//!
//! Streams here are unbuffered: a `write` is completed with `fd_write` (short writes are
//! finished) before it returns, so `flush` has nothing to do and nothing can be lost at
//! exit. Reads go straight from `fd_read` into the result list (or the caller's armed buffer,
//! see `alloc`).
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
    pub offset: u64,
    pub fd: u32,
    /// Bytes the last `check-write` permitted and not yet written.
    pub budget: u32,
    pub mode: Mode,
    pub closed: bool,
}

impl InputStream {
    /// The fd to subscribe to, or `None` when the stream is ready without asking (closed, or
    /// a file: files are always ready).
    pub fn pollable_fd(&self) -> Option<u32> {
        if self.closed || self.mode != Mode::Stream { None } else { Some(self.fd) }
    }

    /// One read into `buf` at the stream's position.
    fn read_raw(&mut self, buf: &mut [u8]) -> Result<usize, u16> {
        if self.mode == Mode::Stream {
            return p1::read(self.fd, buf);
        }
        let n = p1::pread(self.fd, buf, self.offset).map_err(fd_errno)?;
        self.offset += n as u64;
        Ok(n)
    }

    /// One read into `buf` that got something: the end of input is `closed`, a failure
    /// `last-operation-failed`, and both close the stream (every later operation reports
    /// `closed`).
    #[inline(always)]
    fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
        match self.read_raw(buf) {
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

    /// Whether a read would not block now.
    fn ready_now(&self) -> bool {
        self.mode != Mode::Stream || readable_now(self.fd)
    }
}

impl OutputStream {
    pub fn pollable_fd(&self) -> Option<u32> {
        if self.closed || self.mode != Mode::Stream { None } else { Some(self.fd) }
    }

    /// Writes all of `bytes` at the stream's position.
    fn write_raw(&mut self, bytes: &[u8]) -> Result<(), u16> {
        match self.mode {
            Mode::Stream => p1::write_all(self.fd, bytes),
            Mode::At => {
                p1::pwrite_all(self.fd, bytes, self.offset).map_err(fd_errno)?;
                self.offset += bytes.len() as u64;
                Ok(())
            }
            Mode::Append => {
                let end = p1::filestat(self.fd).map_err(fd_errno)?.size;
                p1::pwrite_all(self.fd, bytes, end).map_err(fd_errno)
            }
        }
    }
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
    let subs = [
        p1::Subscription {
            userdata: 0,
            tag: p1::EVENTTYPE_FD_READ,
            u: p1::SubscriptionClock { id: fd, ..Default::default() },
        },
        p1::Subscription {
            userdata: 1,
            tag: p1::EVENTTYPE_CLOCK,
            u: p1::SubscriptionClock { id: p1::CLOCK_MONOTONIC, ..Default::default() },
        },
    ];
    let mut ev = [p1::Event::default(); 2];
    match p1::poll(&subs, &mut ev) {
        Ok(n) => ev[..n.min(2)].iter().any(|e| e.userdata == 0),
        // The runtime cannot poll this fd: let the read find out.
        Err(_) => true,
    }
}

fn read(this: u32, len: u64, blocking: bool) -> Result<List<u8>, StreamError> {
    let s = resource::get::<InputStream>(this);
    if s.closed {
        return Err(StreamError::Closed);
    }
    if len == 0 || (!blocking && !s.ready_now()) {
        return Ok(List::empty());
    }
    let want = len.min(MAX_READ) as usize;
    let buf = alloc::result_bytes(want);
    // SAFETY: `result_bytes` returned `want` writable bytes.
    let r = s.read_some(unsafe { core::slice::from_raw_parts_mut(buf, want) });
    alloc::finish_result_bytes(buf, want, *r.as_ref().unwrap_or(&0));
    r.map(|n| List::new(buf, n))
}

/// Reads and discards up to `len` bytes.
fn skip(this: u32, len: u64, blocking: bool) -> Result<u64, StreamError> {
    let s = resource::get::<InputStream>(this);
    if s.closed {
        return Err(StreamError::Closed);
    }
    if len == 0 || (!blocking && !s.ready_now()) {
        return Ok(0);
    }
    if s.mode == Mode::At {
        // A file: skipping is moving the offset, up to the end of the file.
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
    let want = (len as usize).min(buf.len());
    s.read_some(&mut buf[..want]).map(|n| n as u64)
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
    let s = resource::get::<OutputStream>(this);
    ret.write(if s.closed {
        WResult::Err(StreamError::Closed)
    } else {
        s.budget = WRITE_PERMIT;
        WResult::Ok(WRITE_PERMIT as u64)
    });
}

/// The open stream `this`, after taking `total` bytes from its `check-write` permit when
/// `permit_needed` (writing more than permitted traps, as the WIT requires).
#[inline(always)]
fn permitted(this: u32, total: u64, permit_needed: bool) -> Result<&'static mut OutputStream, StreamError> {
    let s = resource::get::<OutputStream>(this);
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
    let s = permitted(this, bytes.len() as u64, permit_needed)?;
    if bytes.is_empty() {
        return Ok(());
    }
    s.write_raw(bytes).map_err(|e| s.fail(e))
}

/// Writes `len` zero bytes under the `check-write` permit.
fn write_zeroes(this: u32, len: u64, permit_needed: bool) -> Result<(), StreamError> {
    let s = permitted(this, len, permit_needed)?;
    // On the stack: a static would cost its size in every module's data section.
    let zero = [0u8; 1024];
    let mut left = len;
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
    ret.write(write(this, unsafe { crate::abi::bytes(ptr, len) }, false).into());
}

fn flush(this: u32) -> Result<(), StreamError> {
    if resource::get::<OutputStream>(this).closed { Err(StreamError::Closed) } else { Ok(()) }
}

/// `[method]output-stream.flush`: "Request to flush buffered output. This function never
/// blocks." Writes are never buffered by the adapter, so there is nothing to flush.
pub fn output_stream_flush(this: u32, ret: RetPtr<WResult<(), StreamError>>) {
    ret.write(flush(this).into());
}

/// `[method]output-stream.blocking-flush`: "Request to flush buffered output, and block until
/// flush completes and stream is ready for writing again."
pub fn output_stream_blocking_flush(this: u32, ret: RetPtr<WResult<(), StreamError>>) {
    ret.write(flush(this).into());
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
    ret.write(write_zeroes(this, len, false).into());
}

/// Moves up to `len` bytes from `src` to `this`.
fn splice(this: u32, src: u32, len: u64, blocking: bool) -> Result<u64, StreamError> {
    if resource::get::<OutputStream>(this).closed {
        return Err(StreamError::Closed);
    }
    let s = resource::get::<InputStream>(src);
    if s.closed {
        return Err(StreamError::Closed);
    }
    if len == 0 || (!blocking && !s.ready_now()) {
        return Ok(0);
    }
    let mut buf = [0u8; 4096];
    let want = (len as usize).min(buf.len());
    let n = s.read_some(&mut buf[..want])?;
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

/// `[resource-drop]output-stream`.
pub fn drop_output_stream(this: u32) {
    resource::remove::<OutputStream>(this);
}
