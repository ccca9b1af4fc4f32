//! cors-warp against bare warp and warp's own `warp::cors()` filter (same policy). The
//! bare stack is warp's filter-to-service conversion (what `warp::serve` runs per request)
//! over a route answering `ok`; contenders: `cors_warp::service` (the tree-wide form
//! `cors_warp::serve` runs), `cors_warp::wrap` (the per-filter form), `warp::cors()`.
//! Heap allocations per request are printed after the timings.
//!
//! `cargo bench -p cors-bench --bench warp -- --warm-up-time 1 --measurement-time 3`

use std::alloc::System;
use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use cors_bench::{Case, INSTRUMENTED_SYSTEM, POLICY, StatsAlloc, allocations_per_call};
use criterion::Criterion;
use http::{HeaderValue, Method, Request, Uri};
use tower::Service;
use warp::Filter;
use warp::reply::Response;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn policy() -> cors_warp::Policy {
    cors_warp::Policy::from_toml_str(POLICY).expect("valid policy")
}

fn routes()
-> impl Filter<Extract = (&'static str,), Error = warp::Rejection> + Clone + Send + Sync + 'static {
    warp::path("anything").and(warp::path::tail()).map(|_| "ok")
}

/// The framework's form of each shared request.
trait FrameworkRequest {
    fn request(self) -> Request<String>;
}

impl FrameworkRequest for Case {
    fn request(self) -> Request<String> {
        let mut b = Request::builder().uri(Uri::from_static("/anything/x"));
        if self.is_preflight() {
            b = b.method(Method::OPTIONS);
        }
        for (name, value) in self.headers() {
            b = b.header(*name, HeaderValue::from_static(value));
        }
        b.body(String::new()).expect("valid request")
    }
}

fn call<S>(svc: &mut S, req: Request<String>) -> Response
where
    S: Service<Request<String>, Response = Response, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    match svc.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        Poll::Ready(Err(e)) => match e {},
        Poll::Pending => unreachable!("warp services are always ready"),
    }
    match pin!(svc.call(req)).poll(&mut cx) {
        Poll::Ready(Ok(resp)) => resp,
        Poll::Ready(Err(e)) => match e {},
        Poll::Pending => unreachable!("the benchmarked filters never wait"),
    }
}

type Run = Box<dyn FnMut(Request<String>) -> Response>;

fn contenders() -> Vec<(&'static str, Run)> {
    let mut bare = warp::service(routes());
    let mut service = cors_warp::service(routes(), policy());
    let mut wrapped = warp::service(cors_warp::wrap(routes(), policy()));
    let warp_cors = warp::cors()
        .allow_origins(["https://app.example.com", "https://admin.example.com"])
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers(["content-type", "authorization", "x-request-id"])
        .expose_headers(["x-request-id"])
        .allow_credentials(true)
        .max_age(600);
    let mut theirs = warp::service(routes().with(warp_cors));
    vec![
        ("warp/bare", Box::new(move |r| call(&mut bare, r))),
        (
            "warp/cors-warp-serve",
            Box::new(move |r| call(&mut service, r)),
        ),
        (
            "warp/cors-warp-wrap",
            Box::new(move |r| call(&mut wrapped, r)),
        ),
        ("warp/warp-cors", Box::new(move |r| call(&mut theirs, r))),
    ]
}

fn sanity(runs: &mut [(&'static str, Run)]) {
    for (name, run) in runs.iter_mut() {
        if name.ends_with("bare") {
            continue;
        }
        let pre = run(Case::Preflight.request());
        assert!(pre.status().is_success(), "{name}: {}", pre.status());
        assert_eq!(
            pre.headers()["access-control-allow-origin"],
            "https://app.example.com",
            "{name}"
        );
        let actual = run(Case::Actual.request());
        assert_eq!(
            actual.headers()["access-control-allow-origin"],
            "https://app.example.com",
            "{name}"
        );
    }
}

fn bench(c: &mut Criterion, runs: &mut [(&'static str, Run)]) {
    for case in Case::ALL {
        let mut group = c.benchmark_group(format!("warp/req={}", case.name()));
        for (name, run) in runs.iter_mut() {
            group.bench_function(*name, |b| {
                b.iter_batched(
                    || case.request(),
                    |req| black_box(run(req)),
                    criterion::BatchSize::SmallInput,
                )
            });
        }
        group.finish();
    }
}

fn allocations(runs: &mut [(&'static str, Run)]) {
    println!("\nheap allocations per request (request construction excluded)");
    println!(
        "{:<24} {:<22} {:>8} {:>12}",
        "contender", "case", "allocs", "over bare"
    );
    for case in Case::ALL {
        let mut bare = 0.0;
        for (name, run) in runs.iter_mut() {
            let mut reqs: Vec<Request<String>> = (0..1000).map(|_| case.request()).collect();
            let n = reqs.len() as u64;
            let mut responses = Vec::with_capacity(reqs.len());
            let per = allocations_per_call(GLOBAL, n, || {
                if let Some(r) = reqs.pop() {
                    responses.push(run(r));
                }
            });
            drop(responses);
            if name.ends_with("bare") {
                bare = per;
            }
            println!(
                "{:<24} {:<22} {:>8.2} {:>12.2}",
                name,
                case.name(),
                per,
                per - bare
            );
        }
    }
}

fn main() {
    let mut runs = contenders();
    sanity(&mut runs);
    if let Some((name, case, n)) = cors_bench::instructions_args() {
        cors_bench::run_instructions(&mut runs, &name, case, n, |run, case| {
            drop(std::hint::black_box(run(case.request())));
        });
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &mut runs);
    c.final_summary();
    allocations(&mut runs);
    cors_bench::interleaved(&mut runs, Case::request);
}
