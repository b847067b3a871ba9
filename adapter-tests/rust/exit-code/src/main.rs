//! `exit-code N`: prints a line, then ends with `wasi:cli/exit.exit-with-code(N)` (WASI 0.2.12,
//! through the `wasip2` crate). The status must be N on every host, not just 0 or 1.
fn main() {
    let n: u8 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    println!("exit-with-code({n})");
    use std::io::Write;
    std::io::stdout().flush().unwrap();
    wasip2::cli::exit::exit_with_code(n);
}
