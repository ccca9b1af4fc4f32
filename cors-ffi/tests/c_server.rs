//! The C example server (examples/c-server, GNU libmicrohttpd + cors-ffi) built with its
//! Makefile and run against the whole conformance table over real HTTP, like the Rust
//! adapters.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{SETUP, require, scratch, staticlib, workspace};

/// Builds the server with its Makefile into `name`, with `cflags` when given.
fn build_server(name: &str, cflags: Option<&str>) -> PathBuf {
    require("make", &["--version"]);
    require("pkg-config", &["--version"]);
    require("pkg-config", &["--exists", "libmicrohttpd"]);
    let lib = staticlib();
    let exe = scratch("c-server").join(name);
    let mut make = Command::new("make");
    make.arg("-C")
        .arg(workspace().join("examples/c-server"))
        .arg("server")
        .arg(format!("LIB={}", lib.display()))
        .arg(format!("INCLUDE={}", support::include_dir().display()))
        .arg(format!("OUT={}", exe.display()))
        // Rebuild even when make thinks the binary is current: it is cheap, and the
        // library may have changed within the same second.
        .arg("-B");
    if let Some(flags) = cflags {
        make.arg(format!("CFLAGS={flags}"));
    }
    let out = make
        .output()
        .unwrap_or_else(|e| panic!("cannot run make: {e}; install it with `{SETUP}`"));
    assert!(
        out.status.success(),
        "building the C server against {} failed:\n{}\n{}",
        lib.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

fn run_table(label: &str, exe: &Path) {
    let summary = cors_conformance::run_server_suite(label, |config| {
        let mut cmd = Command::new(exe);
        cmd.arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"]);
        cmd
    })
    .unwrap_or_else(|failures| panic!("{failures}"));
    assert!(summary.cases > 0, "{summary:?}");
}

#[test]
fn c_server_passes_the_conformance_table() {
    let exe = build_server("cors-c-server", None);
    run_table("c-server", &exe);
}

fn command(exe: &Path) -> impl Fn(&Path) -> Command + '_ {
    move |config| {
        let mut cmd = Command::new(exe);
        cmd.arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"]);
        cmd
    }
}

/// Every config of the invalid table is refused, naming each field and the file; JSON
/// and YAML configs serve as TOML ones do.
#[test]
fn c_server_refuses_invalid_configs_and_reads_every_format() {
    let exe = build_server("cors-c-server-formats", None);
    let n = cors_conformance::run_invalid_suite("c-server", command(&exe))
        .unwrap_or_else(|failures| panic!("{failures}"));
    assert!(n >= 20, "{n} invalid configs");
    cors_conformance::run_other_formats("c-server", &["credentials", "methods"], command(&exe))
        .unwrap_or_else(|failures| panic!("{failures}"));
    // SIGHUP reloads the policy under load, consistently; a broken file changes nothing.
    let summary = cors_conformance::run_reload_suite("c-server", command(&exe))
        .unwrap_or_else(|failures| panic!("{failures}"));
    eprintln!("{summary}");
    // Report-only: the response is left alone and each disagreement is logged.
    cors_conformance::run_report_only_logs("c-server", command(&exe))
        .unwrap_or_else(|failures| panic!("{failures}"));
}

/// The same run with the server built under ASan and UBSan: a memory error in request
/// handling aborts the server, which fails the cases after it.
#[test]
fn c_server_passes_the_conformance_table_sanitized() {
    let exe = build_server(
        "cors-c-server-sanitized",
        Some(
            "-std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -g -fno-omit-frame-pointer \
             -fsanitize=address,undefined -fno-sanitize-recover=all",
        ),
    );
    support::assert_sanitizers_linked(&exe);
    run_table("c-server-sanitized", &exe);
}

/// `cors verify`'s request set for the bundled policy: every answer is the policy's.
#[test]
fn c_server_passes_cors_verify() {
    // Each test builds its own binary: `make -B` rewrites it while another test runs it.
    let exe = build_server("cors-c-server-verify", None);
    let config = cors_conformance::example_policy();
    let n = cors_conformance::run_verify_suite("c-server", &config, command(&exe))
        .unwrap_or_else(|f| panic!("{f}"));
    assert!(n > 20, "{n} requests");
}

/// Real Chromium against the C server: script reads what the policy intends.
#[test]
fn c_server_passes_the_browser_suite() {
    let exe = build_server("cors-c-server-browser", None);
    let n = cors_conformance::run_browser_suite("c-server", command(&exe))
        .unwrap_or_else(|f| panic!("{f}"));
    assert!(n >= 15, "{n} cases");
}
