//! `wasip2-on-wasip1`: project tool. Subcommands:
//! - `coverage`: prints the README's coverage table (Markdown), generated from the WIT table.
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("coverage") => {
            print!("{}", wasip2_on_wasip1_ld::coverage::markdown());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: wasip2-on-wasip1 coverage");
            ExitCode::from(2)
        }
    }
}
