//! The cross-adapter suite: the whole conformance table over real HTTP against each example
//! server, the same table's configs written as JSON and YAML, and the invalid-config table
//! (each refused before listening, naming every field and the file).
//!
//! Another server (the C server, nginx) joins by giving its command line to
//! `cors_conformance::run_server_suite` and `run_invalid_suite`.

use std::path::Path;
use std::process::Command;

use cors_conformance::{run_invalid_suite, run_other_formats, run_server_suite};

fn command(bin: &str) -> impl Fn(&Path) -> Command + '_ {
    move |config: &Path| {
        let mut c = Command::new(bin);
        c.arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"]);
        c
    }
}

/// Runs the whole table against one example server binary.
fn conformance(name: &str, bin: &str) {
    let summary = run_server_suite(name, command(bin)).unwrap_or_else(|f| panic!("{f}"));
    assert!(summary.cases > 0, "{name}: the table has no case");
}

/// The same servers read JSON and YAML: a few table files with their configs in each.
fn formats(name: &str, bin: &str) {
    run_other_formats(
        name,
        &["credentials", "headers-any-credentials", "methods"],
        command(bin),
    )
    .unwrap_or_else(|f| panic!("{f}"));
}

/// Every config of the invalid table: refused, naming each field and the file.
fn invalid(name: &str, bin: &str) {
    let n = run_invalid_suite(name, command(bin)).unwrap_or_else(|f| panic!("{f}"));
    assert!(n >= 20, "{name}: {n} invalid configs");
}

macro_rules! adapter {
    ($module:ident, $name:literal, $bin:expr) => {
        mod $module {
            #[test]
            fn passes_the_table() {
                super::conformance($name, $bin);
            }

            #[test]
            fn reads_json_and_yaml() {
                super::formats($name, $bin);
            }

            #[test]
            fn refuses_invalid_configs() {
                super::invalid($name, $bin);
            }
        }
    };
}

adapter!(axum, "axum", env!("CARGO_BIN_EXE_axum"));
adapter!(warp, "warp", env!("CARGO_BIN_EXE_warp"));
adapter!(actix, "actix", env!("CARGO_BIN_EXE_actix"));
adapter!(rocket, "rocket", env!("CARGO_BIN_EXE_rocket"));
