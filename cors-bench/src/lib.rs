//! Shared pieces of the adapter benchmarks: heap allocations per request, counted through
//! `stats_alloc`, reported beside each bench's timings.
//!
//! A bench target installs the counting allocator with
//! `#[global_allocator] static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;`
//! and passes `&GLOBAL` to [`allocations_per_call`].
#![warn(missing_docs)]

use std::alloc::System;

pub use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

/// Runs `f` `n` times and returns the average number of heap allocations (including
/// reallocations) per run.
pub fn allocations_per_call(
    alloc: &'static StatsAlloc<System>,
    n: u64,
    mut f: impl FnMut(),
) -> f64 {
    let region = stats_alloc::Region::new(alloc);
    for _ in 0..n {
        f();
    }
    let stats = region.change();
    (stats.allocations + stats.reallocations) as f64 / n as f64
}

/// The policy every contender of every bench implements.
pub const POLICY: &str = r#"
allow_origins = ["https://app.example.com", "https://admin.example.com"]
allow_methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "authorization", "x-request-id"]
expose_headers = ["x-request-id"]
allow_credentials = true
max_age = 600
"#;

/// The requests every bench measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `GET` from an allowed origin.
    Actual,
    /// A preflight from an allowed origin asking for `PUT` and three headers.
    Preflight,
    /// `GET` without `Origin`.
    NoOrigin,
    /// `GET` from an origin the policy does not list.
    Disallowed,
}

impl Case {
    /// Every case, in report order.
    pub const ALL: [Case; 4] = [
        Case::Actual,
        Case::Preflight,
        Case::NoOrigin,
        Case::Disallowed,
    ];

    /// The name in bench ids and tables.
    pub fn name(self) -> &'static str {
        match self {
            Case::Actual => "actual",
            Case::Preflight => "preflight-3-headers",
            Case::NoOrigin => "no-origin",
            Case::Disallowed => "disallowed-origin",
        }
    }

    /// Whether the request is a preflight (`OPTIONS`) rather than a `GET`.
    pub fn is_preflight(self) -> bool {
        self == Case::Preflight
    }

    /// The request's headers (lower-case names), in order.
    pub fn headers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Case::Actual => &[("origin", "https://app.example.com")],
            Case::Preflight => &[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "PUT"),
                (
                    "access-control-request-headers",
                    "content-type, authorization, x-request-id",
                ),
            ],
            Case::NoOrigin => &[],
            Case::Disallowed => &[("origin", "https://evil.example.net")],
        }
    }
}

/// One contender of a bench: answers one request.
pub type Contender<Req, Resp> = Box<dyn FnMut(Req) -> Resp>;

/// Medians over rounds that take turns between contenders, so a load change on a shared
/// machine hits every contender alike; printed beside criterion's sequential timings.
///
/// Each contender answers `BATCH` requests built by `request` per round; contenders whose
/// name starts with `router` are compared with the `router…bare` one, the others with the
/// first `…bare`.
pub fn interleaved<Req, Resp>(
    runs: &mut [(&'static str, Contender<Req, Resp>)],
    request: impl Fn(Case) -> Req,
) {
    const ROUNDS: usize = 41;
    const BATCH: usize = 2000;
    println!(
        "\ninterleaved medians ({ROUNDS} rounds of {BATCH} requests, request construction excluded)"
    );
    println!(
        "{:<26} {:<22} {:>10} {:>12}",
        "contender", "case", "ns/req", "over bare"
    );
    for case in Case::ALL {
        let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); runs.len()];
        for _ in 0..ROUNDS {
            for (i, (_, run)) in runs.iter_mut().enumerate() {
                let mut reqs: Vec<Req> = (0..BATCH).map(|_| request(case)).collect();
                let mut out = Vec::with_capacity(BATCH);
                let start = std::time::Instant::now();
                while let Some(r) = reqs.pop() {
                    out.push(run(r));
                }
                let ns = start.elapsed().as_nanos() as f64 / BATCH as f64;
                drop(out);
                samples[i].push(ns);
            }
        }
        let medians: Vec<f64> = samples
            .iter_mut()
            .map(|s| {
                s.sort_by(f64::total_cmp);
                s[s.len() / 2]
            })
            .collect();
        let mut bare = [0.0; 2];
        for ((name, _), m) in runs.iter().zip(&medians) {
            let stack = usize::from(name.starts_with("router"));
            if name.ends_with("bare") {
                bare[stack] = *m;
            }
            println!(
                "{:<26} {:<22} {:>10.0} {:>12.0}",
                name,
                case.name(),
                m,
                m - bare[stack]
            );
        }
    }
}

impl Case {
    /// The case named `name` (as [`Case::name`] prints it).
    pub fn from_name(name: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The instruction-count mode of a bench: `cargo bench --bench B -- --instructions
/// CONTENDER CASE N` answers `CASE` with `CONTENDER` `N` times and exits, so
/// `scripts/bench-instructions.sh` can run it under callgrind twice (two values of `N`) and
/// take the difference per request, setup excluded. `None` when not asked for.
///
/// # Panics
///
/// On malformed arguments (a benchmark, not a library: the message says what is wrong).
pub fn instructions_args() -> Option<(String, Case, u64)> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "--instructions")?;
    let usage = "usage: --instructions CONTENDER CASE N";
    let contender = args.get(at + 1).expect(usage).clone();
    let case = args.get(at + 2).expect(usage);
    let case = Case::from_name(case).unwrap_or_else(|| panic!("unknown case {case:?}; {usage}"));
    let n = args.get(at + 3).and_then(|n| n.parse().ok()).expect(usage);
    Some((contender, case, n))
}

/// Runs `n` requests of `case` through the contender named `name` (instruction mode).
///
/// # Panics
///
/// When no contender has that name.
pub fn run_instructions<C>(
    runs: &mut [(&'static str, C)],
    name: &str,
    case: Case,
    n: u64,
    mut answer: impl FnMut(&mut C, Case),
) {
    let names: Vec<&str> = runs.iter().map(|(n, _)| *n).collect();
    let (_, run) = runs
        .iter_mut()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("unknown contender {name:?}; one of {names:?}"));
    for _ in 0..n {
        answer(run, std::hint::black_box(case));
    }
}
