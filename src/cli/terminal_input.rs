//! `wasi:cli/terminal-input`: the `terminal-input` resource (no methods in WASI 0.2).

use crate::resource::{self, Resource};

/// A new `terminal-input` handle when the runtime reports `fd` as a character device.
pub fn for_fd(fd: u32) -> Option<u32> {
    match crate::p1::fdstat(fd) {
        Ok(s) if s.filetype == crate::p1::FILETYPE_CHARACTER_DEVICE => Some(resource::push(Resource::TerminalInput)),
        _ => None,
    }
}

/// `[resource-drop]terminal-input`.
pub fn drop_terminal_input(this: u32) {
    resource::remove_kind(this, Resource::TerminalInput);
}
