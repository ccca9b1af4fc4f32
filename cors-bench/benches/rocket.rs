//! cors-rocket and rocket_cors (same policy, as fairings) against the bare Rocket app,
//! through Rocket's blocking local client. Cases: an allowed actual request, a preflight
//! with three requested headers, a request without `Origin`, a disallowed origin. After
//! the timings, heap allocations per request are printed for each contender and the
//! overhead over the bare app, then a second timing with the contenders interleaved
//! (steadier on a shared machine).
//!
//! `cargo bench -p cors-bench --bench rocket -- --warm-up-time 1 --measurement-time 3`

use std::alloc::System;
use std::hint::black_box;
use std::time::Instant;

use cors_bench::{Case, INSTRUMENTED_SYSTEM, POLICY, StatsAlloc, allocations_per_call};
use criterion::Criterion;
use rocket::http::{Header, Method};
use rocket::local::blocking::{Client, LocalRequest};
use rocket::{Build, Rocket};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn rocket_cors() -> rocket_cors::Cors {
    use rocket_cors::{AllowedHeaders, AllowedOrigins, CorsOptions};
    CorsOptions {
        allowed_origins: AllowedOrigins::some_exact(&[
            "https://app.example.com",
            "https://admin.example.com",
        ]),
        allowed_methods: [Method::Get, Method::Post, Method::Put, Method::Delete]
            .into_iter()
            .map(From::from)
            .collect(),
        allowed_headers: AllowedHeaders::some(&["content-type", "authorization", "x-request-id"]),
        allow_credentials: true,
        expose_headers: ["x-request-id".to_owned()].into(),
        max_age: Some(600),
        ..CorsOptions::default()
    }
    .to_cors()
    .expect("valid rocket_cors options")
}

fn cors_rocket() -> cors_rocket::Cors {
    cors_rocket::Cors::new(cors_rocket::Policy::from_toml_str(POLICY).expect("valid policy"))
}

#[rocket::get("/anything/<_..>")]
fn handler() -> &'static str {
    "ok"
}

fn app() -> Rocket<Build> {
    let figment = rocket::Config::figment().merge(("log_level", "off"));
    rocket::custom(figment).mount("/", rocket::routes![handler])
}

/// The framework's form of each shared request.
trait FrameworkRequest {
    fn request(self, client: &Client) -> LocalRequest<'_>;
}

impl FrameworkRequest for Case {
    fn request(self, client: &Client) -> LocalRequest<'_> {
        let mut req = client.get("/anything/x");
        for (name, value) in self.headers() {
            req = req.header(Header::new(*name, *value));
        }
        if self.is_preflight() {
            req.set_method(Method::Options);
        }
        req
    }
}

fn contenders() -> Vec<(&'static str, Client)> {
    let client = |r| Client::untracked(r).expect("valid rocket");
    vec![
        ("bare", client(app())),
        ("cors-rocket", client(app().attach(cors_rocket()))),
        ("rocket_cors", client(app().attach(rocket_cors()))),
    ]
}

fn sanity(clients: &[(&'static str, Client)]) {
    for (name, client) in clients.iter().filter(|(n, _)| *n != "bare") {
        let res = Case::Preflight.request(client).dispatch();
        assert_eq!(res.status().code / 100, 2, "{name}");
        assert_eq!(
            res.headers().get_one("access-control-allow-origin"),
            Some("https://app.example.com"),
            "{name}"
        );
        let res = Case::Actual.request(client).dispatch();
        assert_eq!(
            res.headers().get_one("access-control-allow-credentials"),
            Some("true"),
            "{name}"
        );
        let res = Case::Disallowed.request(client).dispatch();
        assert!(
            res.headers()
                .get_one("access-control-allow-origin")
                .is_none(),
            "{name}"
        );
    }
}

fn bench(c: &mut Criterion, clients: &[(&'static str, Client)]) {
    for case in Case::ALL {
        let mut group = c.benchmark_group(format!("rocket/req={}", case.name()));
        for (name, client) in clients {
            group.bench_function(*name, |b| {
                b.iter_batched(
                    || case.request(client),
                    |req| black_box(req.dispatch()),
                    criterion::BatchSize::SmallInput,
                )
            });
        }
        group.finish();
    }
}

fn allocations(clients: &[(&'static str, Client)]) {
    println!("\nheap allocations per request (request construction excluded)");
    println!(
        "{:<14} {:<22} {:>8} {:>12}",
        "contender", "case", "allocs", "over bare"
    );
    for case in Case::ALL {
        let mut bare = 0.0;
        for (name, client) in clients {
            let mut reqs: Vec<LocalRequest<'_>> = (0..500).map(|_| case.request(client)).collect();
            let n = reqs.len() as u64;
            let per = allocations_per_call(GLOBAL, n, || {
                if let Some(r) = reqs.pop() {
                    black_box(r.dispatch());
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
fn interleaved(clients: &[(&'static str, Client)]) {
    const ROUNDS: usize = 30;
    const PER_ROUND: usize = 200;
    println!("\ntime per request, interleaved (best of {ROUNDS} rounds of {PER_ROUND})");
    println!(
        "{:<14} {:<22} {:>10} {:>12}",
        "contender", "case", "ns", "over bare"
    );
    for case in Case::ALL {
        let mut best = vec![f64::MAX; clients.len()];
        for _ in 0..ROUNDS {
            for ((_, client), best) in clients.iter().zip(&mut best) {
                let mut reqs: Vec<LocalRequest<'_>> =
                    (0..PER_ROUND).map(|_| case.request(client)).collect();
                let start = Instant::now();
                while let Some(r) = reqs.pop() {
                    black_box(r.dispatch());
                }
                *best = best.min(start.elapsed().as_nanos() as f64 / PER_ROUND as f64);
            }
        }
        for ((name, _), ns) in clients.iter().zip(&best) {
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
    let mut clients = contenders();
    sanity(&clients);
    if let Some((name, case, n)) = cors_bench::instructions_args() {
        cors_bench::run_instructions(&mut clients, &name, case, n, |client, case| {
            drop(std::hint::black_box(case.request(client).dispatch()));
        });
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &clients);
    c.final_summary();
    allocations(&clients);
    interleaved(&clients);
}
