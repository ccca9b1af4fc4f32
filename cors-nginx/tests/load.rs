//! A bounded load test: wrk (Debian package) for 20 s in total against the module,
//! alternating preflights and actual requests (5 s each, twice), one worker process.
//! Every response must have the expected status and grant the origin, without socket
//! errors, and the worker's memory must not grow from the first half to the second.

mod support;

use std::path::Path;
use std::process::Command;

use cors_nginx::{find_tool, rss_kib};
use support::{APP, POLICY_APP, Server, q};

/// Seconds per wrk run; four runs make the 20 s.
const RUN_SECONDS: u32 = 5;

/// Allowed worker RSS growth from the end of the first half to the end of the second.
/// nginx's per-request memory lives in pools freed with each request, and the module
/// allocates nothing else per request, so a leak of even a few bytes per request would
/// show as megabytes over the ~100k requests of a half; 256 KiB absorbs page-level noise
/// (allocator arenas, kernel accounting) only.
const RSS_SLACK_KIB: u64 = 256;

/// Counts statuses and the granted origin per response, and prints one summary line.
const SCRIPT: &str = r#"
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

struct Run {
    good: u64,
    bad: u64,
    ungranted: u64,
    socket_errors: u64,
}

fn wrk(wrk: &Path, script: &Path, url: &str, headers: &[&str], method: &str, expected: u16) -> Run {
    let mut cmd = Command::new(wrk);
    cmd.args(["-t1", "-c4", &format!("-d{RUN_SECONDS}s")])
        .arg("-s")
        .arg(script);
    for h in headers {
        cmd.args(["-H", h]);
    }
    // wrk takes the method from the script's wrk.method; pass it through the environment.
    cmd.env("CORS_LOAD_METHOD", method);
    cmd.arg(url).arg("--").arg(expected.to_string()).arg(APP);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run wrk: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("cors-load "))
        .unwrap_or_else(|| panic!("no summary from wrk:\n{text}"));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in {line}"))
    };
    Run {
        good: field("good"),
        bad: field("bad"),
        ungranted: field("ungranted"),
        socket_errors: field("socket_errors"),
    }
}

#[test]
fn twenty_seconds_of_wrk_without_errors_or_growth() {
    let wrk_bin = find_tool("wrk").unwrap_or_else(|e| panic!("{e}"));
    let s = Server::start("load", &[("app.toml", POLICY_APP)], |dir, port| {
        format!(
            "server {{\n\
               listen 127.0.0.1:{port};\n\
               cors_policy {};\n\
               location / {{ return 200 ok; }}\n\
             }}\n",
            q(&dir.join("app.toml"))
        )
    });
    let script = s.dir().join("count.lua");
    let method_line = "wrk.method = os.getenv(\"CORS_LOAD_METHOD\") or \"GET\"\n";
    std::fs::write(&script, format!("{method_line}{SCRIPT}")).unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{}/anything/load", s.addr());
    let origin = format!("Origin: {APP}");
    let preflight = |expected| {
        wrk(
            &wrk_bin,
            &script,
            &url,
            &[
                &origin,
                "Access-Control-Request-Method: PUT",
                "Access-Control-Request-Headers: content-type",
            ],
            "OPTIONS",
            expected,
        )
    };
    let actual = |expected| wrk(&wrk_bin, &script, &url, &[&origin], "GET", expected);

    let workers = s.nginx.worker_pids();
    assert_eq!(workers.len(), 1, "one worker: {workers:?}");
    let worker = workers[0];
    let rss = || rss_kib(worker).unwrap_or_else(|| panic!("no VmRSS for worker {worker}"));
    let start = rss();

    let mut runs = vec![preflight(204), actual(200)];
    let half = rss();
    runs.push(preflight(204));
    runs.push(actual(200));
    let end = rss();

    for (i, r) in runs.iter().enumerate() {
        assert!(r.good > 0, "run {i}: no responses");
        assert_eq!(
            (r.bad, r.ungranted, r.socket_errors),
            (0, 0, 0),
            "run {i}: unexpected statuses, missing grants or socket errors ({} good)",
            r.good
        );
    }
    assert_eq!(s.nginx.worker_pids(), vec![worker], "the worker survived");
    let total: u64 = runs.iter().map(|r| r.good).sum();
    eprintln!(
        "load: {total} requests; worker RSS {start} KiB at start, {half} KiB at half time, \
         {end} KiB at the end"
    );
    assert!(
        end <= half + RSS_SLACK_KIB,
        "worker RSS grew from {half} KiB to {end} KiB over the second half \
         (slack {RSS_SLACK_KIB} KiB)"
    );
}
