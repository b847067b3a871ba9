//! `wasi:clocks`: monotonic and wall clocks.
pub mod monotonic_clock;
pub mod wall_clock;
