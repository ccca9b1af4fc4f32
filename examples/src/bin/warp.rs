//! Placeholder: the warp example server is built by the adapters issue.
fn main() {}
