//! `wasi:cli`: environment, exit, stdio, terminals.
pub mod environment;
pub mod exit;
pub mod stderr;
pub mod stdin;
pub mod stdout;
pub mod terminal_input;
pub mod terminal_output;
pub mod terminal_stderr;
pub mod terminal_stdin;
pub mod terminal_stdout;
