//! Placeholder: the actix example server is built by the adapters issue.
fn main() {}
