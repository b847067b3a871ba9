//! `wasi:cli/stdin`: the program's stdin, WASIp1 fd 0.

/// `get-stdin`: a new handle to the stdin input stream.
pub fn get_stdin() -> u32 {
    crate::io::streams::new_input(0)
}
