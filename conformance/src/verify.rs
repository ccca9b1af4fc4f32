//! `cors verify`'s request set against a real server: every answer must be the policy's.

use std::path::{Path, PathBuf};
use std::process::Command;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::http::send_request;
use crate::server::Server;

/// The bundled example policy (`examples/cors.toml`): origins, a wildcard, credentials,
/// methods and headers, and a public route.
pub fn example_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/cors.toml")
}

/// Starts the server `cmd` builds for `config` and runs the whole request set `cors
/// verify` derives from it; `Ok` with the number of requests when every answer is the
/// policy's.
///
/// # Errors
///
/// The server did not start, a request failed, or answers differ (each one named).
pub fn run_verify_suite(
    name: &str,
    config: &Path,
    cmd: impl Fn(&Path) -> Command,
) -> Result<usize, String> {
    let policy = cors_core::Policy::from_path(config).map_err(|e| e.to_string())?;
    let server = Server::start(cmd(config))?;
    let addr = server.addr();
    let report = cors_explain::verify(&policy, |req| {
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let headers: Vec<(&str, &str)> = req
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap_or("")))
            .collect();
        let res = send_request(addr, req.method().as_str(), path, &headers)
            .map_err(|e| format!("[{name}] {} {path}: {e}", req.method()))?;
        let mut map = HeaderMap::new();
        for (n, v) in &res.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_bytes(v),
            ) {
                map.append(n, v);
            }
        }
        let status = StatusCode::from_u16(res.status)
            .map_err(|e| format!("[{name}] {path}: status {}: {e}", res.status))?;
        Ok::<_, String>((status, map))
    })?;
    let failures: Vec<String> = report
        .results
        .iter()
        .filter(|r| !r.differences.is_empty())
        .map(|r| {
            let lines: Vec<String> = r.differences.iter().map(|d| format!("    - {d}")).collect();
            format!("  {}\n{}", r.check, lines.join("\n"))
        })
        .collect();
    if failures.is_empty() {
        Ok(report.results.len())
    } else {
        Err(format!(
            "[{name}] cors verify: {} of {} answers differ from the policy:\n{}\n--- server stderr ---\n{}",
            failures.len(),
            report.results.len(),
            failures.join("\n"),
            server.stderr()
        ))
    }
}
