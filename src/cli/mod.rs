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

use crate::abi::{RetPtr, WOption};
use crate::resource::{self, Resource};

/// Writes a new handle of a terminal resource (`terminal-output` when `output`, else
/// `terminal-input`) when the runtime reports `fd` as a character device, else `none`
/// (`get-terminal-stdin`, `-stdout`, `-stderr`: one out-of-line body for the three).
#[inline(never)]
pub fn terminal(fd: u32, output: bool, ret: RetPtr<WOption<u32>>) {
    let r = match crate::p1::fdstat(fd) {
        Ok(s) if s.filetype == crate::p1::FILETYPE_CHARACTER_DEVICE => {
            WOption::Some(resource::push(if output { Resource::TerminalOutput } else { Resource::TerminalInput }))
        }
        _ => WOption::None,
    };
    ret.write(r);
}

/// A new handle to the output stream of stdout or stderr (`fd` 1 or 2): one out-of-line body
/// for `get-stdout` and `get-stderr`.
#[inline(never)]
pub fn stdio_output(fd: u32) -> u32 {
    crate::io::streams::new_output(fd)
}
