//! Bounded load runs with wrk (Debian package) for the servers' load tests: statuses,
//! grants and socket errors counted by a Lua script, one summary per run.

use std::path::Path;
use std::process::Command;

/// Counts statuses and the granted origin per response, and prints one summary line.
/// `wrk.method` comes from the environment (`CORS_LOAD_METHOD`).
const SCRIPT: &str = r#"
wrk.method = os.getenv("CORS_LOAD_METHOD") or "GET"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  expected = tonumber(args[1]); origin = args[2]
  good = 0; bad = 0; ungranted = 0
end
function response(status, headers, body)
  if status == expected then good = good + 1 else bad = bad + 1 end
  local granted = false
  for name, value in pairs(headers) do
    if string.lower(name) == "access-control-allow-origin" and value == origin then granted = true end
  end
  if not granted then ungranted = ungranted + 1 end
end
function done(summary, latency, requests)
  local g, b, u = 0, 0, 0
  for _, t in ipairs(threads) do g = g + t:get("good"); b = b + t:get("bad"); u = u + t:get("ungranted") end
  local e = summary.errors
  io.write(string.format("cors-load good=%d bad=%d ungranted=%d socket_errors=%d\n",
    g, b, u, e.connect + e.read + e.write + e.timeout))
end
"#;

/// What one wrk run saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Responses with the expected status.
    pub good: u64,
    /// Responses with another status.
    pub bad: u64,
    /// Responses without `Access-Control-Allow-Origin: ORIGIN`.
    pub ungranted: u64,
    /// Connect, read, write and timeout errors.
    pub socket_errors: u64,
}

/// One wrk run.
#[derive(Debug, Clone)]
pub struct Load<'a> {
    /// The URL.
    pub url: &'a str,
    /// The method.
    pub method: &'a str,
    /// Request header lines (`Name: value`).
    pub headers: &'a [&'a str],
    /// The status every response must have.
    pub expected: u16,
    /// The origin every response must grant.
    pub origin: &'a str,
    /// Seconds.
    pub seconds: u32,
    /// Connections (one wrk thread).
    pub connections: u32,
}

/// Runs wrk once; the Lua script is written into `dir`.
///
/// # Errors
///
/// wrk is missing, failed or printed no summary.
pub fn run(dir: &Path, load: &Load<'_>) -> Result<Run, String> {
    let wrk = crate::find_tool("wrk")?;
    let script = dir.join("cors-load.lua");
    std::fs::write(&script, SCRIPT).map_err(|e| format!("{}: {e}", script.display()))?;
    let mut cmd = Command::new(&wrk);
    cmd.args([
        "-t1".to_owned(),
        format!("-c{}", load.connections.max(1)),
        format!("-d{}s", load.seconds.max(1)),
    ])
    .arg("-s")
    .arg(&script);
    for h in load.headers {
        cmd.args(["-H", h]);
    }
    cmd.env("CORS_LOAD_METHOD", load.method);
    cmd.arg(load.url)
        .arg("--")
        .arg(load.expected.to_string())
        .arg(load.origin);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", wrk.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("cors-load "))
        .ok_or_else(|| format!("no summary from wrk:\n{text}"))?;
    let field = |name: &str| -> Result<u64, String> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} missing in {line}"))
    };
    Ok(Run {
        good: field("good")?,
        bad: field("bad")?,
        ungranted: field("ungranted")?,
        socket_errors: field("socket_errors")?,
    })
}

/// Four runs against one serving process, alternating an allowed preflight (expected
/// 204) and an allowed GET (expected 200), with the process's resident memory read at
/// the start, after the first two runs and at the end.
#[derive(Debug, Clone)]
pub struct Halves {
    /// The four runs, in order.
    pub runs: Vec<Run>,
    /// RSS in KiB before the first run.
    pub rss_start: u64,
    /// RSS in KiB after the first half.
    pub rss_half: u64,
    /// RSS in KiB after the second half.
    pub rss_end: u64,
}

/// Runs [`Halves`] against `url`, with requests from `origin`, `seconds` per run on four
/// connections, reading the RSS of `pid`; the Lua script is written into `dir`.
///
/// # Errors
///
/// A run failed or the process's RSS could not be read.
pub fn halves(
    dir: &Path,
    url: &str,
    origin: &str,
    pid: u32,
    seconds: u32,
) -> Result<Halves, String> {
    let origin_line = format!("Origin: {origin}");
    let preflight_headers = [
        origin_line.as_str(),
        "Access-Control-Request-Method: PUT",
        "Access-Control-Request-Headers: content-type",
    ];
    let actual_headers = [origin_line.as_str()];
    let one = |method, headers: &[&str], expected| {
        run(
            dir,
            &Load {
                url,
                method,
                headers,
                expected,
                origin,
                seconds,
                connections: 4,
            },
        )
    };
    let rss = || crate::rss_kib(pid).ok_or_else(|| format!("no VmRSS for process {pid}"));
    let rss_start = rss()?;
    let mut runs = vec![
        one("OPTIONS", &preflight_headers, 204)?,
        one("GET", &actual_headers, 200)?,
    ];
    let rss_half = rss()?;
    runs.push(one("OPTIONS", &preflight_headers, 204)?);
    runs.push(one("GET", &actual_headers, 200)?);
    let rss_end = rss()?;
    Ok(Halves {
        runs,
        rss_start,
        rss_half,
        rss_end,
    })
}

impl Halves {
    /// Every run answered, each response with the expected status and the grant, no
    /// socket error, and the RSS at the end at most `slack_kib` above half time. Returns
    /// a one-line summary (requests and the three RSS readings) for the test's log.
    ///
    /// # Errors
    ///
    /// What failed, with the figures.
    pub fn check(&self, slack_kib: u64) -> Result<String, String> {
        for (i, r) in self.runs.iter().enumerate() {
            if r.good == 0 {
                return Err(format!("run {i}: no responses"));
            }
            if (r.bad, r.ungranted, r.socket_errors) != (0, 0, 0) {
                return Err(format!(
                    "run {i}: {} unexpected statuses, {} missing grants, {} socket errors \
                     ({} good)",
                    r.bad, r.ungranted, r.socket_errors, r.good
                ));
            }
        }
        let Halves {
            rss_start: start,
            rss_half: half,
            rss_end: end,
            ..
        } = *self;
        if end > half + slack_kib {
            return Err(format!(
                "RSS grew from {half} KiB to {end} KiB over the second half (slack {slack_kib} KiB)"
            ));
        }
        let total: u64 = self.runs.iter().map(|r| r.good).sum();
        Ok(format!(
            "{total} requests; RSS {start} KiB at start, {half} KiB at half time, {end} KiB at \
             the end"
        ))
    }
}
