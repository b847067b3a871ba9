//! `wasi:cli/terminal-output`: the `terminal-output` resource (no methods in WASI 0.2).

use crate::resource::{self, Resource};

/// A new `terminal-output` handle when the runtime reports `fd` as a character device.
pub fn for_fd(fd: u32) -> Option<u32> {
    match crate::p1::fdstat(fd) {
        Ok(s) if s.filetype == crate::p1::FILETYPE_CHARACTER_DEVICE => Some(resource::push(Resource::TerminalOutput)),
        _ => None,
    }
}

/// `[resource-drop]terminal-output`.
pub fn drop_terminal_output(this: u32) {
    resource::remove_kind(this, Resource::TerminalOutput);
}
