//! `wasi:cli/terminal-stdin`.

use crate::abi::{RetPtr, WOption};

/// `get-terminal-stdin`: "If stdin is connected to a terminal, return a `terminal-input`
/// resource allowing further interaction with that terminal, otherwise return `none`."
///
/// A terminal is reported only when the runtime says fd 0 is a character device (WAMR
/// reports file type 0 for stdio even on a terminal, so there the answer is `none`).
pub fn get_terminal_stdin(ret: RetPtr<WOption<u32>>) {
    super::terminal(0, false, ret);
}
