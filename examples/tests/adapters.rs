//! The cross-adapter suite: the whole conformance table over real HTTP against each example
//! server, and the server contract's handling of an invalid config.
//!
//! Another server (the C server, nginx) joins by giving its command line to
//! `cors_conformance::run_server_suite`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Runs the whole table against one example server binary.
fn conformance(name: &str, bin: &str) {
    let summary = cors_conformance::run_server_suite(name, |config: &Path| {
        let mut c = Command::new(bin);
        c.arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"]);
        c
    })
    .unwrap_or_else(|failures| panic!("{failures}"));
    assert!(summary.cases > 0, "{name}: the table has no case");
}

/// A config with two errors in different fields: the server must exit non-zero and
/// report both, naming the fields, before listening.
fn rejects_invalid_config(name: &str, bin: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let config = dir.join(format!("invalid-{name}.toml"));
    std::fs::write(
        &config,
        "allow_origins = [\"https://app.example.com/path\"]\npreflight_status = 302\n",
    )
    .unwrap();
    let mut child = Command::new(bin)
        .arg("--config")
        .arg(&config)
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{name}: cannot start {bin}: {e}"));
    // A server that starts anyway would never exit: bound the wait, then fail.
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{name}: still running with an invalid config; stdout:\n{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "{name}: exited successfully with an invalid config; stderr:\n{stderr}"
    );
    for field in ["allow_origins", "preflight_status"] {
        assert!(
            stderr.contains(field),
            "{name}: stderr does not name {field}:\n{stderr}"
        );
    }
    assert!(
        stderr.contains(&*config.to_string_lossy()),
        "{name}: stderr does not name the file:\n{stderr}"
    );
    assert!(
        !stdout.contains("listening on"),
        "{name}: announced despite the invalid config"
    );
}

macro_rules! adapter {
    ($suite:ident, $invalid:ident, $name:literal, $bin:expr) => {
        #[test]
        fn $suite() {
            conformance($name, $bin);
        }

        #[test]
        fn $invalid() {
            rejects_invalid_config($name, $bin);
        }
    };
}

adapter!(
    axum_passes_the_table,
    axum_rejects_invalid_config,
    "axum",
    env!("CARGO_BIN_EXE_axum")
);
adapter!(
    warp_passes_the_table,
    warp_rejects_invalid_config,
    "warp",
    env!("CARGO_BIN_EXE_warp")
);
adapter!(
    actix_passes_the_table,
    actix_rejects_invalid_config,
    "actix",
    env!("CARGO_BIN_EXE_actix")
);
adapter!(
    rocket_passes_the_table,
    rocket_rejects_invalid_config,
    "rocket",
    env!("CARGO_BIN_EXE_rocket")
);
