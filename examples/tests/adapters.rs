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

            #[test]
            fn reloads_on_sighup_under_load() {
                let summary = cors_conformance::run_reload_suite($name, super::command($bin))
                    .unwrap_or_else(|f| panic!("{f}"));
                eprintln!("{summary}");
            }

            #[test]
            fn counts_decisions_at_metrics() {
                cors_conformance::run_metrics_suite($name, super::command($bin))
                    .unwrap_or_else(|f| panic!("{f}"));
            }

            #[test]
            fn chromium_reads_what_the_policy_intends() {
                let n = cors_conformance::run_browser_suite($name, super::command($bin))
                    .unwrap_or_else(|f| panic!("{f}"));
                assert!(n >= 15, "{n} cases");
            }

            #[test]
            fn cors_verify_finds_no_drift() {
                let config = cors_conformance::example_policy();
                let n = cors_conformance::run_verify_suite($name, &config, super::command($bin))
                    .unwrap_or_else(|f| panic!("{f}"));
                assert!(n > 20, "{n} requests");
            }

            #[test]
            fn logs_report_only_disagreements() {
                cors_conformance::run_report_only_logs($name, super::command($bin))
                    .unwrap_or_else(|f| panic!("{f}"));
            }
        }
    };
}

adapter!(axum, "axum", env!("CARGO_BIN_EXE_axum"));
adapter!(warp, "warp", env!("CARGO_BIN_EXE_warp"));
adapter!(actix, "actix", env!("CARGO_BIN_EXE_actix"));
adapter!(rocket, "rocket", env!("CARGO_BIN_EXE_rocket"));

/// The README's main job: an example server on the bundled `examples/cors.toml`, whose
/// public route answers any origin with `*` while the rest of the app keeps the top-level
/// policy.
#[test]
fn main_job_serves_the_bundled_policy_and_its_route() {
    use cors_conformance::{Server, get};

    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("cors.toml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_axum"));
    cmd.arg("--config")
        .arg(&config)
        .args(["--listen", "127.0.0.1:0"]);
    let server = Server::start(cmd).unwrap_or_else(|e| panic!("{e}"));
    let get = |path: &str, origin: &str| {
        get(server.addr(), path, origin).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let header = |r: &cors_conformance::Response, name: &str| r.header(name);
    let public = get("/anything/public/feed", "https://any.example");
    assert_eq!(
        header(&public, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(header(&public, "access-control-allow-credentials"), None);
    let app = get("/anything/items", "https://app.example.com");
    assert_eq!(
        header(&app, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    assert_eq!(
        header(&app, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let other = get("/anything/items", "https://any.example");
    assert_eq!(header(&other, "access-control-allow-origin"), None);
}

/// The `cors verify` command itself (through `cors_cli::run`, as the binary runs it)
/// against the axum example server on the bundled policy: exit status 0.
#[test]
fn cors_verify_command_passes_on_the_main_job() {
    use cors_conformance::Server;

    let config = cors_conformance::example_policy();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_axum"));
    cmd.arg("--config")
        .arg(&config)
        .args(["--listen", "127.0.0.1:0"]);
    let server = Server::start(cmd).unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{}", server.addr());
    let code = cors_cli::run([
        "cors",
        "verify",
        "--config",
        config.to_str().unwrap_or_default(),
        "--url",
        &url,
    ]);
    assert_eq!(
        code,
        0,
        "cors verify found drift; stderr:\n{}",
        server.stderr()
    );
}
