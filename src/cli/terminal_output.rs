//! `wasi:cli/terminal-output`: the `terminal-output` resource (no methods in WASI 0.2).

use crate::resource::{self, Resource};

/// `[resource-drop]terminal-output`.
pub fn drop_terminal_output(this: u32) {
    resource::remove_kind(this, Resource::TerminalOutput);
}
