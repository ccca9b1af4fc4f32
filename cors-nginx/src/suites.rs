//! The shared conformance suites as `#[test]` functions, for a server that a contract
//! binary runs in front of a module (nginx, Apache httpd).

/// Scratch directories of a contract binary, swept when a suite starts and when it ends:
/// the suite runner kills each server, so the server cannot remove its own.
pub struct Sweep(&'static str);

impl Sweep {
    /// Sweeps `label`'s stale directories now and again when dropped.
    pub fn new(label: &'static str) -> Sweep {
        crate::sweep_stale(label);
        Sweep(label)
    }
}

impl Drop for Sweep {
    fn drop(&mut self) {
        crate::sweep_stale(self.0);
    }
}

/// Defines one `#[test]` per shared suite (the conformance table, the invalid configs,
/// JSON and YAML, reload under load, `cors verify`, Chromium, and with
/// `report_only_logs: true` the report-only log lines) for a contract binary started as
/// `BIN --config FILE --listen 127.0.0.1:0 --module MODULE`.
///
/// The calling test crate depends on `cors-conformance`.
///
/// ```ignore
/// cors_nginx::contract_suites! {
///     server: "nginx",
///     bin: env!("CARGO_BIN_EXE_nginx-contract"),
///     scratch: "contract",
///     module: support::module(),
/// }
/// ```
#[macro_export]
macro_rules! contract_suites {
    (
        server: $name:literal,
        bin: $bin:expr,
        scratch: $scratch:literal,
        module: $module:expr
        $(, report_only_logs: $report:ident)? $(,)?
    ) => {
        /// The contract binary's command line for one config.
        fn contract(
            module: &::std::path::Path,
        ) -> impl Fn(&::std::path::Path) -> ::std::process::Command + '_ {
            move |config| {
                let mut cmd = ::std::process::Command::new($bin);
                cmd.arg("--config")
                    .arg(config)
                    .args(["--listen", "127.0.0.1:0"])
                    .arg("--module")
                    .arg(module);
                cmd
            }
        }

        /// The project's whole conformance table over real HTTP.
        #[test]
        fn passes_the_conformance_table() {
            let module = $module;
            let _sweep = $crate::Sweep::new($scratch);
            let summary = cors_conformance::run_server_suite($name, contract(&module))
                .unwrap_or_else(|failures| panic!("{failures}"));
            assert!(summary.cases >= 150, "{summary:?}");
        }

        /// Every config of the invalid table: the server refuses to start, naming each
        /// field and the file (as its configuration test does).
        #[test]
        fn refuses_the_invalid_configs() {
            let module = $module;
            let _sweep = $crate::Sweep::new($scratch);
            let n = cors_conformance::run_invalid_suite($name, contract(&module))
                .unwrap_or_else(|failures| panic!("{failures}"));
            assert!(n >= 20, "{n} invalid configs");
        }

        /// The module reads JSON and YAML policy files as the Rust servers do.
        #[test]
        fn reads_json_and_yaml() {
            let module = $module;
            let _sweep = $crate::Sweep::new($scratch);
            cors_conformance::run_other_formats(
                $name,
                &["credentials", "methods"],
                contract(&module),
            )
            .unwrap_or_else(|failures| panic!("{failures}"));
        }

        /// The server's native reload (the contract binary runs it on SIGHUP) under a
        /// bounded load: every response wholly of the old or the new policy, a broken
        /// policy refused while the running one stays.
        #[test]
        fn reloads_under_load() {
            let module = $module;
            let _sweep = $crate::Sweep::new($scratch);
            let summary = cors_conformance::run_reload_suite($name, contract(&module))
                .unwrap_or_else(|failures| panic!("{failures}"));
            eprintln!("{summary}");
        }

        /// `cors verify`'s request set for the bundled policy: every answer is the
        /// policy's.
        #[test]
        fn passes_cors_verify() {
            let module = $module;
            let _sweep = $crate::Sweep::new($scratch);
            let config = cors_conformance::example_policy();
            let n = cors_conformance::run_verify_suite($name, &config, contract(&module))
                .unwrap_or_else(|f| panic!("{f}"));
            assert!(n > 20, "{n} requests");
        }

        /// Real Chromium against the server: script reads what the policy intends.
        #[test]
        fn passes_the_browser_suite() {
            let module = $module;
            let _sweep = $crate::Sweep::new($scratch);
            let n = cors_conformance::run_browser_suite($name, contract(&module))
                .unwrap_or_else(|f| panic!("{f}"));
            assert!(n >= 15, "{n} cases");
        }

        $( $crate::contract_suites!(@report_only $report, $name, $scratch, $module); )?
    };
    (@report_only false, $name:literal, $scratch:literal, $module:expr) => {};
    (@report_only true, $name:literal, $scratch:literal, $module:expr) => {
        /// Report-only lines in the server's error log, for both kinds of disagreement.
        #[test]
        fn logs_report_only_disagreements() {
            let module = $module;
            let _sweep = $crate::Sweep::new($scratch);
            cors_conformance::run_report_only_logs($name, contract(&module))
                .unwrap_or_else(|failures| panic!("{failures}"));
        }
    };
}
