//! `wasi:filesystem`: preopens and descriptors.
pub mod preopens;
pub mod types;
pub mod libc_dirent;
pub mod libc_stat;
