//! The project's whole conformance table over real HTTP against Apache with the module,
//! through the shared runner, like the Rust adapters and the C server: `apache-contract`
//! serves the example-server contract (the contract in examples/README.md) with Apache
//! in front of a plain upstream.

mod support;

use std::process::Command;

#[test]
fn apache_passes_the_conformance_table() {
    let module = support::module();
    cors_nginx::sweep_stale("apache-contract");
    let summary = cors_conformance::run_server_suite("apache", |config| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_apache-contract"));
        cmd.arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"])
            .arg("--module")
            .arg(&module);
        cmd
    });
    // The runner kills each server; Apache stops with it, its directory stays behind.
    cors_nginx::sweep_stale("apache-contract");
    let summary = summary.unwrap_or_else(|failures| panic!("{failures}"));
    assert!(summary.cases >= 150, "{summary:?}");
}

fn contract(module: &std::path::Path) -> impl Fn(&std::path::Path) -> Command + '_ {
    move |config| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_apache-contract"));
        cmd.arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"])
            .arg("--module")
            .arg(module);
        cmd
    }
}

/// Every config of the invalid table: Apache refuses to start, naming each field and the
/// file (as `apachectl configtest` does).
#[test]
fn apache_refuses_the_invalid_configs() {
    let module = support::module();
    cors_nginx::sweep_stale("apache-contract");
    let n = cors_conformance::run_invalid_suite("apache", contract(&module));
    cors_nginx::sweep_stale("apache-contract");
    let n = n.unwrap_or_else(|failures| panic!("{failures}"));
    assert!(n >= 20, "{n} invalid configs");
}

/// `cors_policy` reads JSON and YAML files as the Rust servers do.
#[test]
fn apache_reads_json_and_yaml() {
    let module = support::module();
    cors_nginx::sweep_stale("apache-contract");
    let result = cors_conformance::run_other_formats(
        "apache",
        &["credentials", "methods"],
        contract(&module),
    );
    cors_nginx::sweep_stale("apache-contract");
    result.unwrap_or_else(|failures| panic!("{failures}"));
}

/// Apache's native reload (`apachectl graceful`, run by `apache-contract` on SIGHUP) under a
/// bounded load: every response wholly of the old or the new policy, a broken policy file
/// refused by Apache's configuration test while the running policy stays.
#[test]
fn apache_reloads_under_load() {
    let module = support::module();
    cors_nginx::sweep_stale("apache-contract");
    let summary = cors_conformance::run_reload_suite("apache", contract(&module));
    cors_nginx::sweep_stale("apache-contract");
    eprintln!(
        "{}",
        summary.unwrap_or_else(|failures| panic!("{failures}"))
    );
}

/// Report-only lines (Apache's error log, at info level) for both kinds of disagreement.
#[test]
fn apache_logs_report_only_disagreements() {
    let module = support::module();
    cors_nginx::sweep_stale("apache-contract");
    let result = cors_conformance::run_report_only_logs("apache", contract(&module));
    cors_nginx::sweep_stale("apache-contract");
    result.unwrap_or_else(|failures| panic!("{failures}"));
}

/// `cors verify`'s request set for the bundled policy: every answer is the policy's.
#[test]
fn apache_passes_cors_verify() {
    let module = support::module();
    cors_nginx::sweep_stale("apache-contract");
    let config = cors_conformance::example_policy();
    let result = cors_conformance::run_verify_suite("apache", &config, contract(&module));
    cors_nginx::sweep_stale("apache-contract");
    let n = result.unwrap_or_else(|f| panic!("{f}"));
    assert!(n > 20, "{n} requests");
}

/// Real Chromium against Apache with the module: script reads what the policy intends.
#[test]
fn apache_passes_the_browser_suite() {
    let module = support::module();
    cors_nginx::sweep_stale("apache-contract");
    let result = cors_conformance::run_browser_suite("apache", contract(&module));
    cors_nginx::sweep_stale("apache-contract");
    let n = result.unwrap_or_else(|f| panic!("{f}"));
    assert!(n >= 15, "{n} cases");
}
