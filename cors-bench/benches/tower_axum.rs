//! cors-axum against tower-http's `CorsLayer` (same policy), over the same bare stacks: a
//! tower `service_fn` and an axum `Router` cloned per request, as axum does, with the layer
//! added by `Router::layer` (per route) and around the whole router. Cases: an
//! allowed actual request, a preflight with three requested headers, a request without
//! `Origin`, a disallowed origin. After the timings, heap allocations per request are
//! printed for each contender and the overhead over the bare stack.
//!
//! `cargo bench -p cors-bench --bench tower_axum -- --warm-up-time 1 --measurement-time 3`

use std::alloc::System;
use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::any;
use cors_bench::{Case, INSTRUMENTED_SYSTEM, POLICY, StatsAlloc, allocations_per_call};
use criterion::Criterion;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, Method, Request, Response, Uri};
use tower::{Layer, Service, service_fn};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn tower_http_layer() -> tower_http::cors::CorsLayer {
    let x_request_id = HeaderName::from_static("x-request-id");
    tower_http::cors::CorsLayer::new()
        .allow_origin([
            HeaderValue::from_static("https://app.example.com"),
            HeaderValue::from_static("https://admin.example.com"),
        ])
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([CONTENT_TYPE, AUTHORIZATION, x_request_id.clone()])
        .expose_headers([x_request_id])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
}

fn cors_axum_layer() -> cors_axum::CorsLayer {
    cors_axum::CorsLayer::new(cors_axum::Policy::from_toml_str(POLICY).expect("valid policy"))
}

/// The framework's form of each shared request.
trait FrameworkRequest {
    fn request(self) -> Request<Body>;
}

impl FrameworkRequest for Case {
    fn request(self) -> Request<Body> {
        let mut b = Request::builder().uri(Uri::from_static("/anything/x"));
        if self.is_preflight() {
            b = b.method(Method::OPTIONS);
        }
        for (name, value) in self.headers() {
            b = b.header(*name, HeaderValue::from_static(value));
        }
        b.body(Body::empty()).expect("valid request")
    }
}

/// Polls a future that completes without waiting (every stack here does).
fn now<F: Future>(f: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(f).poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => unreachable!("the benchmarked stacks never wait"),
    }
}

fn call<S>(svc: &mut S, req: Request<Body>) -> S::Response
where
    S: Service<Request<Body>>,
    S::Error: std::fmt::Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    match svc.poll_ready(&mut cx) {
        Poll::Ready(r) => r.expect("ready"),
        Poll::Pending => unreachable!("the benchmarked stacks are always ready"),
    }
    now(svc.call(req)).expect("no error")
}

/// The bare tower stack: a handler answering 200 `ok` with a content type, as any real
/// response has.
fn handler_fn() -> impl Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone
{
    service_fn(|_req: Request<Body>| async {
        let mut resp = Response::new(Body::from("ok"));
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        Ok::<_, Infallible>(resp)
    })
}

fn router() -> Router {
    Router::new().route("/anything/{*rest}", any(|| async { "ok" }))
}

/// One contender on one stack: a closure answering one request.
type Run = Box<dyn FnMut(Request<Body>) -> Response<Body>>;

fn contenders() -> Vec<(&'static str, Run)> {
    let mut bare = handler_fn();
    let mut ours = cors_axum_layer().layer(handler_fn());
    let mut theirs = tower_http_layer().layer(handler_fn());
    let bare_router = router();
    let our_router = router().layer(cors_axum_layer());
    let their_router = router().layer(tower_http_layer());
    let our_outside = cors_axum_layer().layer(router());
    // The same layer with an observer counting every decision (what a metrics hook costs).
    let observed = AtomicU64::new(0);
    let observed: &'static AtomicU64 = Box::leak(Box::new(observed));
    let mut ours_observed = cors_axum::CorsLayer::new(
        cors_core::PolicySource::from(cors_axum_layer().policy()).observed(
            move |_: &cors_core::Observation<'_>| {
                observed.fetch_add(1, Ordering::Relaxed);
            },
        ),
    )
    .layer(handler_fn());
    let their_outside = tower_http_layer().layer(router());
    vec![
        ("service_fn/bare", Box::new(move |r| call(&mut bare, r))),
        (
            "service_fn/cors-axum",
            Box::new(move |r| call(&mut ours, r)),
        ),
        (
            "service_fn/tower-http",
            Box::new(move |r| call(&mut theirs, r)),
        ),
        (
            "service_fn/cors-axum-observed",
            Box::new(move |r| call(&mut ours_observed, r)),
        ),
        // Cloned per request, as axum clones its routes' services.
        (
            "router/bare",
            Box::new(move |r| call(&mut bare_router.clone(), r)),
        ),
        (
            "router/cors-axum",
            Box::new(move |r| call(&mut our_router.clone(), r)),
        ),
        (
            "router/tower-http",
            Box::new(move |r| call(&mut their_router.clone(), r)),
        ),
        // The layer around the whole router (`ServiceBuilder`/`Layer::layer`), cloned per
        // request: axum's per-route layering adds boxing of its own.
        (
            "router-outside/cors-axum",
            Box::new(move |r| call(&mut our_outside.clone(), r)),
        ),
        (
            "router-outside/tower-http",
            Box::new(move |r| call(&mut their_outside.clone(), r)),
        ),
    ]
}

fn sanity(runs: &mut [(&'static str, Run)]) {
    for (name, run) in runs.iter_mut() {
        let pre = run(Case::Preflight.request());
        if name.ends_with("bare") {
            continue;
        }
        // tower-http answers 200, the policy 204.
        assert!(pre.status().is_success(), "{name}: {}", pre.status());
        assert_eq!(
            pre.headers()["access-control-allow-origin"],
            "https://app.example.com",
            "{name}"
        );
        let actual = run(Case::Actual.request());
        assert_eq!(
            actual.headers()["access-control-allow-credentials"],
            "true",
            "{name}"
        );
        let denied = run(Case::Disallowed.request());
        assert!(
            denied
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
    }
}

fn bench(c: &mut Criterion, runs: &mut [(&'static str, Run)]) {
    for case in Case::ALL {
        let mut group = c.benchmark_group(format!("tower/req={}", case.name()));
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
        let mut bare = [0.0; 2];
        for (name, run) in runs.iter_mut() {
            // Requests are built outside the counted region.
            let mut reqs: Vec<Request<Body>> = (0..1000).map(|_| case.request()).collect();
            let n = reqs.len() as u64;
            let mut responses = Vec::with_capacity(reqs.len());
            let per = allocations_per_call(GLOBAL, n, || {
                if let Some(r) = reqs.pop() {
                    responses.push(run(r));
                }
            });
            drop(responses);
            let stack = usize::from(name.starts_with("router"));
            if name.ends_with("bare") {
                bare[stack] = per;
            }
            println!(
                "{:<24} {:<22} {:>8.2} {:>12.2}",
                name,
                case.name(),
                per,
                per - bare[stack]
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
