//! The project's conformance table and a runner over real HTTP.
//!
//! One table (`tests/conformance/*.toml`, format in its README) drives every
//! implementation: cors-core in process and each server over HTTP/1.1. This crate loads
//! and validates the table ([`load`]), compares responses with it ([`check`]), sends
//! requests byte for byte ([`send`]), and runs the whole table against a server command
//! ([`run_server_suite`]).
//!
//! ```no_run
//! use std::process::Command;
//!
//! let summary = cors_conformance::run_server_suite("axum", |config| {
//!     let mut cmd = Command::new("target/debug/axum");
//!     cmd.arg("--config").arg(config).args(["--listen", "127.0.0.1:0"]);
//!     cmd
//! })
//! .unwrap_or_else(|failures| panic!("{failures}"));
//! println!("{} files, {} cases", summary.files, summary.cases);
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod browser;
mod check;
mod count;
mod http;
mod invalid;
mod server;
mod table;
mod verify;

pub use browser::{browser_dir, run_browser_suite};
pub use check::{Response, assert_granted, assert_no_cors, check};
pub use count::{DECISION_TARGET, DecisionCounter};
pub use http::{get, request, send, send_request};
pub use invalid::{InvalidConfig, invalid_dir, load_invalid, missing_from, run_invalid_suite};
pub use server::{
    ConfigFormat, Server, Summary, run_metrics_suite, run_other_formats, run_reload_suite,
    run_report_only_logs, run_server_suite, run_server_suite_as,
};
pub use table::{Case, Expect, Expected, Limit, SERVERS, TableFile, load, table_dir};
pub use verify::{example_policy, run_verify_suite};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_table_loads() {
        let files = load(&table_dir()).unwrap_or_else(|e| panic!("{e}"));
        assert!(files.len() >= 10, "{} files", files.len());
        let cases: usize = files.iter().map(|f| f.cases.len()).sum();
        assert!(cases >= 150, "{cases} cases");
        // Sorted by file name, `.toml` included.
        let mut names: Vec<String> = files.iter().map(|f| format!("{}.toml", f.name)).collect();
        let sorted = {
            let mut s = names.clone();
            s.sort_unstable();
            s
        };
        assert_eq!(names, sorted);
        names.dedup();
        assert_eq!(names.len(), files.len());
        for f in &files {
            let text = f.config_toml();
            let back: toml::Table = toml::from_str(&text).unwrap();
            assert_eq!(back, f.config, "{}: config round-trips", f.name);
        }
    }
}
