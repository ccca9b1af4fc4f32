//! Decision cost per request kind and config shape: `cfg=…/req=…`.
//!
//! Run: `cargo bench -p cors-core --bench decision`.

use std::hint::black_box;

use cors_core::{AnyOr, Config, Policy};
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;

fn policy(origins: Vec<String>) -> Policy {
    Policy::new(&Config {
        allow_origins: AnyOr::List(origins),
        allow_methods: AnyOr::from(["GET", "POST", "PUT", "DELETE"]),
        allow_headers: AnyOr::from(["content-type", "authorization", "x-request-id"]),
        expose_headers: AnyOr::from(["x-request-id"]),
        allow_credentials: true,
        max_age: Some(600),
        ..Config::default()
    })
    .expect("benchmark policy is valid")
}

fn bench(c: &mut Criterion) {
    let configs: [(&str, Policy, &str); 3] = [
        (
            "3-exact",
            policy(vec![
                "https://a.example.com".into(),
                "https://app.example.com".into(),
                "https://c.example.com".into(),
            ]),
            "https://app.example.com",
        ),
        (
            "10000-exact",
            policy(
                (0..10_000)
                    .map(|i| format!("https://app{i}.example.com"))
                    .collect(),
            ),
            "https://app5000.example.com",
        ),
        (
            "50-wildcards",
            policy(
                (0..50)
                    .map(|i| format!("https://*.tenant{i}.example.com"))
                    .collect(),
            ),
            "https://app.tenant25.example.com",
        ),
    ];
    let mut group = c.benchmark_group("decide");
    for (cfg, policy, allowed) in &configs {
        let requests = [
            ("no-origin", Request::get("/").body(()).unwrap()),
            (
                "allowed-actual",
                Request::get("/")
                    .header("origin", *allowed)
                    .body(())
                    .unwrap(),
            ),
            (
                "denied-actual",
                Request::get("/")
                    .header("origin", "https://evil.test")
                    .body(())
                    .unwrap(),
            ),
            (
                "preflight-3-headers",
                Request::options("/")
                    .header("origin", *allowed)
                    .header("access-control-request-method", "PUT")
                    .header(
                        "access-control-request-headers",
                        "authorization,content-type,x-request-id",
                    )
                    .body(())
                    .unwrap(),
            ),
        ];
        for (req_name, req) in &requests {
            assert!(policy.decide(req).is_allowed() || *req_name == "denied-actual");
            group.bench_function(format!("cfg={cfg}/req={req_name}"), |b| {
                b.iter(|| policy.decide(black_box(req)).kind())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
