//! `wasi:cli`: environment, exit, stdio, terminals.
pub mod environment;
pub mod exit;
pub mod stderr;
pub mod stdin;
pub mod stdout;
pub mod terminal_input;
pub mod terminal_output;
pub mod terminal_stderr;
pub mod terminal_stdin;
pub mod terminal_stdout;

use crate::resource::{self, Resource};

/// A new handle of the terminal resource `kind` when the runtime reports `fd` as a
/// character device, else `none` (`get-terminal-stdin`, `-stdout`, `-stderr`).
pub fn terminal(fd: u32, kind: Resource) -> Option<u32> {
    match crate::p1::fdstat(fd) {
        Ok(s) if s.filetype == crate::p1::FILETYPE_CHARACTER_DEVICE => Some(resource::push(kind)),
        _ => None,
    }
}
