//! `wasi:sockets/instance-network`.

use crate::resource::{self, Resource};

/// `instance-network`: "Get a handle to the default network."
pub fn instance_network() -> u32 {
    resource::push(Resource::Network)
}
