//! `wasi:cli/stderr`: the program's stderr, WASIp1 fd 2.

/// `get-stderr`: a new handle to the stderr output stream.
pub fn get_stderr() -> u32 {
    super::stdio_output(2)
}
