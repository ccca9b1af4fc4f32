//! Decision cost per request kind and config shape (`cfg=…/req=…`), and on hostile input
//! (`hostile=…`).
//!
//! Run: `cargo bench -p cors-core --bench decision` (criterion, wall-clock), or
//! `-- --instructions NAME N` to decide scenario `NAME` `N` times for callgrind (what
//! `scripts/bench-instructions.sh` does); `-- --list` prints the names.

use std::hint::black_box;

use cors_core::{AnyOr, Config, Policy};
use criterion::Criterion;
use http::Request;

fn policy(origins: Vec<String>) -> Policy {
    Policy::builder()
        .allow_origins(origins)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization", "x-request-id"])
        .expose_headers(["x-request-id"])
        .allow_credentials(true)
        .max_age(std::time::Duration::from_secs(600))
        .build()
        .expect("benchmark policy is valid")
}

/// A named policy and request, and whether the policy allows it.
struct Scenario {
    name: String,
    policy: Policy,
    request: Request<()>,
    allowed: bool,
    /// Decided by path (`decide_at`), as a server with routes does.
    by_path: bool,
}

impl Scenario {
    /// Decides: `route=…` scenarios by the request's raw path, as a server does
    /// (`decide_at`), the others with `decide`.
    fn decide(&self) -> cors_core::Decision<'_, http::HeaderValue> {
        let request = black_box(&self.request);
        if self.by_path {
            self.policy
                .decide_at(request, request.uri().path().as_bytes())
        } else {
            self.policy.decide(request)
        }
    }
}

/// A policy with `n` routes beside `/api/v1` (which allows the request's origin), over a
/// top level that does not: `route=…` scenarios measure the route lookup.
fn routed(n: usize) -> Policy {
    let mut text = String::from("allow_origins = [\"https://top.example.com\"]\n");
    if n > 0 {
        text.push_str(
            "[[routes]]\npath = \"/api/v1\"\nallow_origins = [\"https://app.example.com\"]\n",
        );
    }
    for i in 1..n {
        text.push_str(&format!("[[routes]]\npath = \"/r{i}/s{i}\"\n"));
    }
    if n == 0 {
        text = String::from("allow_origins = [\"https://app.example.com\"]\n");
    }
    Policy::from_toml_str(&text).expect("benchmark policy is valid")
}

type Build = Box<dyn Fn() -> Policy>;

/// Builds the `Access-Control-Request-Headers` lines of a hostile request.
type Lines = Box<dyn Fn() -> Vec<String>>;

/// Every scenario; `only` builds just the one of that name (so an instruction count does
/// not include compiling the other policies).
fn scenarios(only: Option<&str>) -> Vec<Scenario> {
    let configs: [(&str, Build, &str); 3] = [
        (
            "3-exact",
            Box::new(|| {
                policy(vec![
                    "https://a.example.com".into(),
                    "https://app.example.com".into(),
                    "https://c.example.com".into(),
                ])
            }),
            "https://app.example.com",
        ),
        (
            "10000-exact",
            Box::new(|| {
                policy(
                    (0..10_000)
                        .map(|i| format!("https://app{i}.example.com"))
                        .collect(),
                )
            }),
            "https://app5000.example.com",
        ),
        (
            "50-wildcards",
            Box::new(|| {
                policy(
                    (0..50)
                        .map(|i| format!("https://*.tenant{i}.example.com"))
                        .collect(),
                )
            }),
            "https://app.tenant25.example.com",
        ),
    ];
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    let mut out = Vec::new();
    for (cfg, build, allowed) in configs {
        let names = [
            "no-origin",
            "allowed-actual",
            "denied-actual",
            "preflight-3-headers",
        ]
        .map(|req| format!("cfg={cfg}/req={req}"));
        if !names.iter().any(|n| wanted(n)) {
            continue;
        }
        let policy = build();
        let requests = [
            ("no-origin", Request::get("/").body(()).unwrap(), true),
            (
                "allowed-actual",
                Request::get("/")
                    .header("origin", allowed)
                    .body(())
                    .unwrap(),
                true,
            ),
            (
                "denied-actual",
                Request::get("/")
                    .header("origin", "https://evil.test")
                    .body(())
                    .unwrap(),
                false,
            ),
            (
                "preflight-3-headers",
                Request::options("/")
                    .header("origin", allowed)
                    .header("access-control-request-method", "PUT")
                    .header(
                        "access-control-request-headers",
                        "authorization,content-type,x-request-id",
                    )
                    .body(())
                    .unwrap(),
                true,
            ),
        ];
        for (req, request, allowed) in requests {
            if !wanted(&format!("cfg={cfg}/req={req}")) {
                continue;
            }
            out.push(Scenario {
                name: format!("cfg={cfg}/req={req}"),
                policy: policy.clone(),
                request,
                allowed,
                by_path: false,
            });
        }
    }
    // The route lookup: none, one, and the most a config may have.
    for (label, n) in [("0", 0), ("1", 1), ("4096", 4096)] {
        let name = format!("routes={label}/req=allowed-actual");
        if wanted(&name) {
            out.push(Scenario {
                name,
                policy: routed(n),
                request: Request::get("/api/v1/items/42?page=2")
                    .header("origin", "https://app.example.com")
                    .body(())
                    .unwrap(),
                allowed: true,
                by_path: true,
            });
        }
    }
    // Hostile preflights: work must stay linear in the bytes read and allocation-free.
    // Each comes in two sizes, so a script can check the cost per byte stays flat.
    let base = policy(vec!["https://app.example.com".into()]);
    let preflight = |headers: Vec<String>| {
        let mut b = Request::options("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT");
        for h in headers {
            b = b.header("access-control-request-headers", h);
        }
        b.body(()).unwrap()
    };
    for (scale, label) in [(1, "1x"), (2, "2x")] {
        let mib = 1 << 20;
        let hostile: [(&str, bool, Lines); 3] = [
            (
                "acrh-1MiB-name",
                false,
                Box::new(move || vec!["x".repeat(scale * mib)]),
            ),
            (
                "commas-100k",
                false,
                Box::new(move || vec![",".repeat(scale * 100_000)]),
            ),
            (
                "lines-10k",
                false,
                Box::new(move || vec!["content-type".to_owned(); scale * 10_000]),
            ),
        ];
        for (what, allowed, headers) in hostile {
            let name = format!("hostile={what}/size={label}");
            if wanted(&name) {
                out.push(Scenario {
                    name,
                    policy: base.clone(),
                    request: preflight(headers()),
                    allowed,
                    by_path: false,
                });
            }
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--instructions")
        .and_then(|at| args.get(at + 1))
        .map(String::as_str);
    let scenarios = scenarios(only);
    // Every scenario decides as expected before its numbers count.
    for s in &scenarios {
        let allowed = s.decide().is_allowed();
        assert_eq!(allowed, s.allowed, "{}", s.name);
    }
    if args.iter().any(|a| a == "--list") {
        for s in &scenarios {
            println!("{}", s.name);
        }
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--instructions") {
        let usage = "usage: --instructions NAME N";
        let name = args.get(at + 1).expect(usage);
        let n: u64 = args.get(at + 2).and_then(|n| n.parse().ok()).expect(usage);
        let s = scenarios
            .iter()
            .find(|s| s.name == *name)
            .unwrap_or_else(|| panic!("unknown scenario {name:?}; see --list"));
        // The branch outside the loop: each loop measures one entry point alone.
        if s.by_path {
            for _ in 0..n {
                let request = black_box(&s.request);
                black_box(
                    s.policy
                        .decide_at(request, request.uri().path().as_bytes())
                        .kind(),
                );
            }
        } else {
            for _ in 0..n {
                black_box(s.policy.decide(black_box(&s.request)).kind());
            }
        }
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    // Compiling large generated configs (one origin per tenant): linear, well under a
    // second for 100,000 entries.
    let mut compile = c.benchmark_group("compile");
    compile.sample_size(10);
    for (name, pattern) in [
        ("100000-exact", "https://app{i}.example.com"),
        ("100000-wildcards", "https://*.t{i}.example.com"),
    ] {
        let mut config = Config::default();
        config.allow_origins = AnyOr::List(
            (0..100_000)
                .map(|i| pattern.replace("{i}", &i.to_string()))
                .collect(),
        );
        compile.bench_function(name, |b| b.iter(|| Policy::compile(black_box(&config))));
    }
    compile.finish();
    let mut group = c.benchmark_group("decide");
    for s in scenarios
        .iter()
        .filter(|s| s.name.starts_with("cfg=") || s.name.starts_with("routes="))
    {
        group.bench_function(&s.name, |b| b.iter(|| s.decide().kind()));
    }
    group.finish();
    c.final_summary();
}
