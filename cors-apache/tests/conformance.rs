//! The project's shared suites over real HTTP against Apache with the module, like the Rust
//! adapters and the C server: `apache-contract` serves the example-server contract (the
//! contract in examples/README.md) with Apache in front of a plain upstream.

mod support;

cors_nginx::contract_suites! {
    server: "apache",
    bin: env!("CARGO_BIN_EXE_apache-contract"),
    scratch: "apache-contract",
    module: support::module(),
    report_only_logs: true,
}
