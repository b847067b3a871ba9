//! `wasi:io`: error, poll, streams.
pub mod error;
pub mod poll;
pub mod streams;
