//! `wasi:sockets`. In this build only the `network` resource exists; socket creation is
//! generated from the WIT to return `error-code.not-supported` (see `src/coverage.txt`).
pub mod instance_network;
pub mod network;
