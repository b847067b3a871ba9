//! `wasi:sockets/network`.

use crate::resource::{self, Resource};

/// `[resource-drop]network`.
pub fn drop_network(this: u32) {
    resource::remove_kind(this, Resource::Network);
}
