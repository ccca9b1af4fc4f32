//! A bounded load test: wrk (Debian package) for 20 s in total against the module,
//! alternating preflights and actual requests (5 s each, twice), one worker process.
//! Every response must have the expected status and grant the origin, without socket
//! errors, and the worker's memory must not grow from the first half to the second.

mod support;

use cors_nginx::wrk::halves;
use support::{APP, POLICY_APP, Server, q};

/// Seconds per wrk run; four runs make the 20 s.
const RUN_SECONDS: u32 = 5;

/// Allowed worker RSS growth from the end of the first half to the end of the second.
/// nginx's per-request memory lives in pools freed with each request, and the module
/// allocates nothing else per request, so a leak of even a few bytes per request would
/// show as megabytes over the ~100k requests of a half; 256 KiB absorbs page-level noise
/// (allocator arenas, kernel accounting) only.
const RSS_SLACK_KIB: u64 = 256;

#[test]
fn twenty_seconds_of_wrk_without_errors_or_growth() {
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
    let url = format!("http://{}/anything/load", s.addr());
    let pids = s.nginx.worker_pids();
    assert_eq!(pids.len(), 1, "one worker: {pids:?}");
    let worker = pids[0];
    let load = halves(s.dir(), &url, APP, worker, RUN_SECONDS).unwrap_or_else(|e| panic!("{e}"));
    let summary = load.check(RSS_SLACK_KIB).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.nginx.worker_pids(), vec![worker], "the worker survived");
    eprintln!("load: {summary} (worker)");
}
