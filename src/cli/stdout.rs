//! `wasi:cli/stdout`: the program's stdout, WASIp1 fd 1.

/// `get-stdout`: a new handle to the stdout output stream.
pub fn get_stdout() -> u32 {
    super::stdio_output(1)
}
