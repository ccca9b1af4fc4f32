//! A bounded load test: wrk (Debian package) for 20 s in total against Apache with the
//! module, alternating preflights (answered by the module) and actual requests (a static
//! file), 5 s each, twice, against one child process. Every response must have the
//! expected status and grant the origin, without socket errors, and the child's memory
//! must not grow from the first half to the second.

mod support;

use cors_nginx::rss_kib;
use cors_nginx::wrk::{Load, Run, run};
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
    let origin = format!("Origin: {APP}");
    let wrk = |method, headers: &[&str], expected| -> Run {
        let load = Load {
            url: &url,
            method,
            headers,
            expected,
            origin: APP,
            seconds: RUN_SECONDS,
            connections: 4,
        };
        run(s.dir(), &load).unwrap_or_else(|e| panic!("{e}"))
    };
    let preflight = |expected| {
        wrk(
            "OPTIONS",
            &[
                &origin,
                "Access-Control-Request-Method: PUT",
                "Access-Control-Request-Headers: content-type",
            ],
            expected,
        )
    };
    let actual = |expected| wrk("GET", &[&origin], expected);

    let children = s.apache.worker_pids();
    assert_eq!(children.len(), 1, "one child: {children:?}");
    let child = children[0];
    let rss = || rss_kib(child).unwrap_or_else(|| panic!("no VmRSS for child {child}"));
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
    assert_eq!(s.apache.worker_pids(), vec![child], "the child survived");
    let total: u64 = runs.iter().map(|r| r.good).sum();
    eprintln!(
        "load: {total} requests; child RSS {start} KiB at start, {half} KiB at half time, \
         {end} KiB at the end"
    );
    assert!(
        end <= half + RSS_SLACK_KIB,
        "child RSS grew from {half} KiB to {end} KiB over the second half \
         (slack {RSS_SLACK_KIB} KiB)"
    );
}
