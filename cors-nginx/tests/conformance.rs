//! The project's shared suites over real HTTP against nginx with the module, like the Rust
//! adapters and the C server: `nginx-contract` serves the example-server contract (the
//! contract in examples/README.md) with nginx. Report-only logging is tested in
//! `behaviour.rs`, on nginx's own error log.

mod support;

cors_nginx::contract_suites! {
    server: "nginx",
    bin: env!("CARGO_BIN_EXE_nginx-contract"),
    scratch: "contract",
    module: support::module(),
}
