//! `wasi:cli/stdout`: the program's stdout, WASIp1 fd 1.

/// `get-stdout`: a new handle to the stdout output stream.
pub fn get_stdout() -> u32 {
    crate::io::streams::new_output(1)
}
