//! `wasi:cli/terminal-input`: the `terminal-input` resource (no methods in WASI 0.2).

use crate::resource::{self, Resource};

/// `[resource-drop]terminal-input`.
pub fn drop_terminal_input(this: u32) {
    resource::remove_kind(this, Resource::TerminalInput);
}
