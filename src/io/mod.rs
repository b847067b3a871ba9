//! `wasi:io`: error, poll, streams (and wasi-libc's `poll` served in one step).
pub mod error;
pub mod libc_poll;
pub mod poll;
pub mod streams;
