//! Placeholder: the rocket example server is built by the adapters issue.
fn main() {}
