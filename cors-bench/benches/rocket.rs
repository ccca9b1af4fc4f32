//! Placeholder until the adapter exists.
fn main() {}
