//! `wasi:sockets`. The portable build serves the `network` resource and answers socket
//! creation and name lookup as a native host without network access does (`access-denied`,
//! `permanent-resolver-failure`); no socket can exist, so socket methods are `no-instance`.
//! The WAMR build (feature `wamr`) serves everything over WAMR's socket extension.
pub mod instance_network;
pub mod ip_name_lookup;
pub mod network;
pub mod tcp_create_socket;
pub mod udp_create_socket;
#[cfg(feature = "wamr")]
pub mod tcp;
#[cfg(feature = "wamr")]
pub mod udp;
