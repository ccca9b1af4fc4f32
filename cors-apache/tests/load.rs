//! A bounded load test: wrk (Debian package) for 20 s in total against Apache with the
//! module, alternating preflights (answered by the module) and actual requests (a static
//! file), 5 s each, twice, against one child process. Every response must have the
//! expected status and grant the origin, without socket errors, and the child's memory
//! must not grow from the first half to the second.

mod support;

use cors_nginx::wrk::halves;
use support::{APP, POLICY_APP, Server, q};

/// Seconds per wrk run; four runs make the 20 s.
const RUN_SECONDS: u32 = 5;

/// Allowed child RSS growth from the end of the first half to the end of the second.
/// Apache's per-request memory lives in pools recycled with each request and connection,
/// and the module allocates only from those pools, so a leak of a few bytes per request
/// would show as megabytes over a half's requests; 1 MiB absorbs the per-thread pools
/// and allocator arenas of the threads that first serve a request in the second half.
const RSS_SLACK_KIB: u64 = 1024;

#[test]
fn twenty_seconds_of_wrk_without_errors_or_growth() {
    let s = Server::start(
        "load",
        &[("app.toml", POLICY_APP), ("www/anything/load", "ok")],
        |dir, port, _| {
            format!(
                "Listen 127.0.0.1:{port}\n\
                 CorsPolicy {}\n\
                 DocumentRoot {}\n",
                q(&dir.join("app.toml")),
                q(&dir.join("www")),
            )
        },
    );
    let url = format!("http://{}/anything/load", s.addr());
    let pids = s.apache.worker_pids();
    assert_eq!(pids.len(), 1, "one child: {pids:?}");
    let child = pids[0];
    let load = halves(s.dir(), &url, APP, child, RUN_SECONDS).unwrap_or_else(|e| panic!("{e}"));
    let summary = load.check(RSS_SLACK_KIB).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.apache.worker_pids(), vec![child], "the child survived");
    eprintln!("load: {summary} (child)");
}
