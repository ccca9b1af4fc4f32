//! `cors verify`: sends a request set derived from the policy to a live server and reports
//! every answer that differs from the policy's.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use cors_core::{Config, Policy};
use serde::Serialize;

use crate::client::{Client, Target};
use crate::explain_cmd::Output;
use crate::style::Style;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// The verify command's inputs.
#[derive(Debug)]
pub struct Options {
    pub config: PathBuf,
    pub url: String,
    pub json: bool,
    pub timeout: Duration,
    pub cacert: Option<PathBuf>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    url: &'a str,
    requests: usize,
    differing: usize,
    results: Vec<JsonResult>,
}

#[derive(Serialize)]
struct JsonResult {
    check: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    status: u16,
    differences: Vec<String>,
}

fn error(message: impl std::fmt::Display) -> Output {
    Output {
        code: EXIT_ERROR,
        stdout: String::new(),
        stderr: format!("cors: error: {message}\n"),
    }
}

pub fn run(opts: &Options, style: Style) -> Output {
    let policy = match Config::from_path(&opts.config)
        .map_err(|e| e.to_string())
        .and_then(|c| Policy::compile(&c).map_err(|e| format!("{}: {e}", opts.config.display())))
    {
        Ok(c) => c.policy,
        Err(e) => return error(e),
    };
    let target = match Target::parse(&opts.url) {
        Ok(t) => t,
        Err(e) => return error(e),
    };
    let client = match Client::new(opts.timeout, opts.cacert.as_deref()) {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    // The request paths come from the policy; the URL gives scheme and authority (and a
    // path prefix a proxy may mount the server under).
    let prefix = target
        .path
        .split('?')
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_owned();
    let report = match cors_explain::verify(&policy, |req| {
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let mut mounted = req.clone();
        *mounted.uri_mut() = format!("{prefix}{path}")
            .parse()
            .unwrap_or_else(|_| req.uri().clone());
        client.send(&target, &mounted)
    }) {
        Ok(r) => r,
        Err(e) => return error(e),
    };
    let drifts = report.drifts();
    let code = if drifts == 0 { EXIT_OK } else { EXIT_FINDINGS };
    let stdout = if opts.json {
        let results = report
            .results
            .iter()
            .map(|r| {
                let req = &r.check.expected.request;
                JsonResult {
                    check: r.check.what.clone(),
                    method: req.method().to_string(),
                    path: req.uri().to_string(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                    status: r.status.as_u16(),
                    differences: r.differences.iter().map(ToString::to_string).collect(),
                }
            })
            .collect();
        let doc = JsonReport {
            url: &opts.url,
            requests: report.results.len(),
            differing: drifts,
            results,
        };
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
        s.push('\n');
        s
    } else {
        let mut out = String::new();
        for r in &report.results {
            if r.differences.is_empty() {
                let _ = writeln!(out, "{} {}", style.green("same   "), r.check);
            } else {
                let _ = writeln!(out, "{} {}", style.red("differs"), r.check);
                for d in &r.differences {
                    let _ = writeln!(out, "        - {d}");
                }
            }
        }
        let summary = format!(
            "{} requests to {}: {}",
            report.results.len(),
            opts.url,
            if drifts == 0 {
                "every answer is the policy's".to_owned()
            } else {
                format!("{drifts} differ from the policy")
            }
        );
        let _ = writeln!(
            out,
            "\n{} {summary}",
            if drifts == 0 {
                style.green("Result:")
            } else {
                style.red("Result:")
            }
        );
        out
    };
    Output {
        code,
        stdout,
        stderr: String::new(),
    }
}
