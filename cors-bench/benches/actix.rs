//! cors-actix against actix-cors (same policy) on the same actix-web app, with the bare app
//! as the baseline. Cases: an allowed actual request, a preflight with three requested
//! headers, a request without `Origin`, a disallowed origin. Apps are built with
//! `actix_web::test::init_service` and called in actix's current-thread runtime. After the
//! timings, heap allocations per request are printed for each contender and the overhead
//! over the bare app, then a second timing with the contenders interleaved (steadier on a
//! shared machine).
//!
//! `cargo bench -p cors-bench --bench actix -- --warm-up-time 1 --measurement-time 3`

use std::alloc::System;
use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::rt::SystemRunner;
use actix_web::{App, HttpResponse, test, web};
use cors_bench::{Case, INSTRUMENTED_SYSTEM, POLICY, StatsAlloc, allocations_per_call};
use criterion::Criterion;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn actix_cors() -> actix_cors::Cors {
    let x_request_id = HeaderName::from_static("x-request-id");
    actix_cors::Cors::default()
        .allowed_origin("https://app.example.com")
        .allowed_origin("https://admin.example.com")
        .allowed_methods(["GET", "POST", "PUT", "DELETE"])
        .allowed_headers([CONTENT_TYPE, AUTHORIZATION, x_request_id.clone()])
        .expose_headers([x_request_id])
        .supports_credentials()
        .max_age(600)
}

fn cors_actix() -> cors_actix::Cors {
    cors_actix::Cors::new(cors_actix::Policy::from_toml_str(POLICY).expect("valid policy"))
}

/// The framework's form of each shared request.
trait FrameworkRequest {
    fn request(self) -> actix_http::Request;
}

impl FrameworkRequest for Case {
    fn request(self) -> actix_http::Request {
        // Static values: a real server's request header values are slices of its read
        // buffer, cloned by reference count; `TestRequest` would copy `&str` values into
        // fresh buffers whose first clone allocates, which no server request does.
        let mut req = test::TestRequest::get().uri("/anything/x");
        if self.is_preflight() {
            req = req.method(Method::OPTIONS);
        }
        for (name, value) in self.headers() {
            req = req.insert_header((
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            ));
        }
        req.to_request()
    }
}

/// Looks at a response (the sanity checks) or ignores it (the measurements).
type Inspect<'a> = &'a mut dyn FnMut(StatusCode, &HeaderMap);

/// One contender: answers one request in the current-thread runtime.
type Run = Box<dyn FnMut(actix_http::Request, Inspect<'_>)>;

fn runner<S, B>(rt: &Rc<SystemRunner>, app: S) -> Run
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
        + 'static,
{
    let rt = Rc::clone(rt);
    Box::new(move |req, inspect| match rt.block_on(app.call(req)) {
        Ok(res) => inspect(res.status(), res.headers()),
        Err(err) => {
            let res = err.error_response();
            inspect(res.status(), res.headers());
        }
    })
}

async fn handler() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

fn contenders(rt: &Rc<SystemRunner>) -> Vec<(&'static str, Run)> {
    // The same routes for each; the middleware wraps the whole app.
    macro_rules! app {
        () => {
            App::new().route("/anything/{tail:.*}", web::route().to(handler))
        };
        ($mw:expr) => {
            app!().wrap($mw)
        };
    }
    let bare = rt.block_on(test::init_service(app!()));
    let ours = rt.block_on(test::init_service(app!(cors_actix())));
    let theirs = rt.block_on(test::init_service(app!(actix_cors())));
    vec![
        ("bare", runner(rt, bare)),
        ("cors-actix", runner(rt, ours)),
        ("actix-cors", runner(rt, theirs)),
    ]
}

fn sanity(runs: &mut [(&'static str, Run)]) {
    for (name, run) in runs.iter_mut().filter(|(n, _)| *n != "bare") {
        run(Case::Preflight.request(), &mut |status, headers| {
            assert_eq!(status.as_u16() / 100, 2, "{name}");
            assert_eq!(
                headers
                    .get("access-control-allow-origin")
                    .map(|v| v.as_bytes()),
                Some(&b"https://app.example.com"[..]),
                "{name}"
            );
        });
        run(Case::Actual.request(), &mut |status, headers| {
            assert_eq!(status, StatusCode::OK, "{name}");
            assert_eq!(
                headers
                    .get("access-control-allow-credentials")
                    .map(|v| v.as_bytes()),
                Some(&b"true"[..]),
                "{name}"
            );
        });
        run(Case::Disallowed.request(), &mut |_, headers| {
            assert!(
                headers.get("access-control-allow-origin").is_none(),
                "{name}"
            );
        });
    }
}

fn bench(c: &mut Criterion, runs: &mut [(&'static str, Run)]) {
    for case in Case::ALL {
        let mut group = c.benchmark_group(format!("actix/req={}", case.name()));
        for (name, run) in runs.iter_mut() {
            group.bench_function(*name, |b| {
                b.iter_batched(
                    || case.request(),
                    |req| {
                        run(req, &mut |status, headers| {
                            black_box((status, headers));
                        })
                    },
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
        "{:<14} {:<22} {:>8} {:>12}",
        "contender", "case", "allocs", "over bare"
    );
    for case in Case::ALL {
        let mut bare = 0.0;
        for (name, run) in runs.iter_mut() {
            // Requests are built outside the counted region; a warm-up call fills the
            // framework's pools first.
            run(case.request(), &mut |_, _| {});
            let mut reqs: Vec<actix_http::Request> = (0..1000).map(|_| case.request()).collect();
            let n = reqs.len() as u64;
            let per = allocations_per_call(GLOBAL, n, || {
                if let Some(r) = reqs.pop() {
                    run(r, &mut |status, headers| {
                        black_box((status, headers));
                    });
                }
            });
            if *name == "bare" {
                bare = per;
            }
            println!(
                "{:<14} {:<22} {:>8.2} {:>12.2}",
                name,
                case.name(),
                per,
                per - bare
            );
        }
    }
}

/// Time per request, contenders interleaved round by round, best round kept: on a shared
/// machine this is steadier than criterion's one-contender-at-a-time samples.
fn interleaved(runs: &mut [(&'static str, Run)]) {
    const ROUNDS: usize = 30;
    const PER_ROUND: usize = 500;
    println!("\ntime per request, interleaved (best of {ROUNDS} rounds of {PER_ROUND})");
    println!(
        "{:<14} {:<22} {:>10} {:>12}",
        "contender", "case", "ns", "over bare"
    );
    for case in Case::ALL {
        let mut best = vec![f64::MAX; runs.len()];
        for _ in 0..ROUNDS {
            for ((_, run), best) in runs.iter_mut().zip(&mut best) {
                let mut reqs: Vec<actix_http::Request> =
                    (0..PER_ROUND).map(|_| case.request()).collect();
                let start = Instant::now();
                while let Some(r) = reqs.pop() {
                    run(r, &mut |status, headers| {
                        black_box((status, headers));
                    });
                }
                *best = best.min(start.elapsed().as_nanos() as f64 / PER_ROUND as f64);
            }
        }
        for ((name, _), ns) in runs.iter().zip(&best) {
            println!(
                "{:<14} {:<22} {:>10.0} {:>12.0}",
                name,
                case.name(),
                ns,
                ns - best[0]
            );
        }
    }
}

fn main() {
    let rt = Rc::new(actix_web::rt::System::new());
    let mut runs = contenders(&rt);
    sanity(&mut runs);
    if let Some((name, case, n)) = cors_bench::instructions_args() {
        cors_bench::run_instructions(&mut runs, &name, case, n, |run, case| {
            run(case.request(), &mut |status, headers| {
                std::hint::black_box((status, headers));
            });
        });
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &mut runs);
    c.final_summary();
    allocations(&mut runs);
    interleaved(&mut runs);
}
