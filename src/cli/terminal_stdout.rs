//! `wasi:cli/terminal-stdout`.

use crate::abi::{RetPtr, WOption};

/// `get-terminal-stdout`: "If stdout is connected to a terminal, return a `terminal-output`
/// resource allowing further interaction with that terminal, otherwise return `none`."
///
/// A terminal is reported only when the runtime says fd 1 is a character device (WAMR
/// reports file type 0 for stdio even on a terminal, so there the answer is `none`).
pub fn get_terminal_stdout(ret: RetPtr<WOption<u32>>) {
    super::terminal(1, true, ret);
}
