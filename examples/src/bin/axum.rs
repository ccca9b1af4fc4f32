//! Placeholder: the axum example server is built by the adapters issue.
fn main() {}
