//! `cors_decide` called from C against the Rust decision for the same cases, measured
//! the same way on both sides: N calls per round, several rounds, the fastest round kept.
//!
//! ```text
//! cargo bench -p cors-ffi --bench decide
//! ```
//!
//! Time is CPU time of the measuring thread (`CLOCK_THREAD_CPUTIME_ID` on both sides).
//! Three columns per case: the Rust API (`Policy::decide` on `RequestBytes`, every header
//! slice read), the C ABI called from Rust, and the C ABI called from a C program
//! (benches/c/bench.c, built with `cc -O2` against the release static library). The ratio
//! is C over Rust; the target is at most 1.3.
//!
//! Wall-clock time on a shared two-core machine is noisy, so each side is also measured in
//! instructions with valgrind's callgrind (when installed): the Rust loop and the C loop
//! run as child processes for N1 and N2 calls, and (Ir(N2) - Ir(N1)) / (N2 - N1) is the
//! cost of one call, setup cancelled out. Without `--bench` (e.g. `cargo test --benches`),
//! it runs a few iterations as a smoke test.

use std::hint::black_box;
use std::os::raw::{c_int, c_long};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr;

use cors_core::{HeaderLines, Policy, RequestBytes};
use cors_ffi::{
    cors_decide, cors_decision, cors_lines, cors_policy, cors_policy_free, cors_policy_from_toml,
    cors_request, cors_result, cors_str,
};

/// Kept identical to benches/c/bench.c.
const POLICY: &str = r#"
allow_origins = ["https://app.example.com", "https://*.example.org"]
allow_methods = ["GET", "PUT", "DELETE"]
allow_headers = ["content-type", "x-token"]
expose_headers = ["x-request-id"]
allow_credentials = true
max_age = 600
"#;

struct Case {
    name: &'static str,
    method: &'static str,
    origin: Option<&'static str>,
    request_method: Option<&'static str>,
    request_headers: Option<&'static str>,
}

const CASES: [Case; 5] = [
    Case {
        name: "preflight-allowed",
        method: "OPTIONS",
        origin: Some("https://a.example.org"),
        request_method: Some("PUT"),
        request_headers: Some("content-type, x-token"),
    },
    Case {
        name: "preflight-denied",
        method: "OPTIONS",
        origin: Some("https://a.example.org"),
        request_method: Some("PATCH"),
        request_headers: Some("content-type, x-token"),
    },
    Case {
        name: "actual-allowed",
        method: "GET",
        origin: Some("https://a.example.org"),
        request_method: None,
        request_headers: None,
    },
    Case {
        name: "actual-denied",
        method: "GET",
        origin: Some("https://evil.example"),
        request_method: None,
        request_headers: None,
    },
    Case {
        name: "not-cors",
        method: "GET",
        origin: None,
        request_method: None,
        request_headers: None,
    },
];

#[repr(C)]
struct Timespec {
    tv_sec: c_long,
    tv_nsec: c_long,
}

unsafe extern "C" {
    fn clock_gettime(clock: c_int, ts: *mut Timespec) -> c_int;
}

/// Linux's CLOCK_THREAD_CPUTIME_ID.
const CLOCK_THREAD_CPUTIME_ID: c_int = 3;

/// This thread's CPU time in ns, the clock bench.c reads too: time the thread spends
/// descheduled while other work runs on the machine does not count.
fn cpu_ns() -> f64 {
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a live out-pointer.
    let r = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(r, 0, "clock_gettime");
    ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64
}

/// The fastest of `rounds` rounds of `iters` calls, in ns of CPU time per call.
fn time(iters: u64, rounds: u32, mut f: impl FnMut() -> usize) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let start = cpu_ns();
        for _ in 0..iters {
            black_box(f());
        }
        best = best.min((cpu_ns() - start) / iters as f64);
    }
    best
}

fn request(case: &Case) -> RequestBytes<'static> {
    RequestBytes {
        method: case.method.as_bytes(),
        origin: case.origin.into(),
        request_method: case.request_method.into(),
        request_headers: case.request_headers.into(),
        private_network: HeaderLines::Absent,
    }
}

/// One Rust decision, reading what a server reads: every header slice and the Vary tokens.
fn rust_once(policy: &Policy, req: &RequestBytes<'_>) -> usize {
    let d = policy.decide(black_box(req));
    let mut total = d.vary().as_str().len();
    for (name, value) in d.headers() {
        total += name.as_str().len() + value.as_bytes().len();
    }
    total
}

fn rust_decide(policy: &Policy, case: &Case, iters: u64, rounds: u32) -> f64 {
    let req = request(case);
    time(iters, rounds, || rust_once(policy, &req))
}

fn ffi_from_rust(policy: *const cors_policy, case: &Case, iters: u64, rounds: u32) -> f64 {
    let one = |v: &Option<&'static str>| v.map(cors_str::from_static);
    let (origin, method, headers) = (
        one(&case.origin),
        one(&case.request_method),
        one(&case.request_headers),
    );
    let lines = |v: &Option<cors_str>| match v {
        Some(s) => cors_lines { lines: s, count: 1 },
        None => cors_lines::ABSENT,
    };
    let req = cors_request {
        method: cors_str::from_static(case.method),
        origin: lines(&origin),
        request_method: lines(&method),
        request_headers: lines(&headers),
        ..cors_request::EMPTY
    };
    time(iters, rounds, || {
        let mut d = cors_decision::EMPTY;
        // SAFETY: a live policy, a request whose buffers are static, a local decision.
        let r = unsafe { cors_decide(policy, black_box(&req), &mut d) };
        assert_eq!(r, cors_result::Ok);
        let mut total = d.vary as usize;
        for h in d.headers() {
            total += h.name.len + h.value.len;
        }
        total
    })
}

/// `target/<profile>` of this bench binary (`target/<profile>/deps/NAME`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("bench binary path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .to_path_buf()
}

/// Builds benches/c/bench.c against the static library of this profile.
fn build_c() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The library unit is built with every crate type into deps/ (only `cargo build`
    // copies it up a level).
    let lib = profile_dir().join("deps/libcors_ffi.a");
    if !lib.is_file() {
        return Err(format!("{} is missing", lib.display()));
    }
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cors-ffi-bench");
    let out = Command::new("cc")
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-O2",
        ])
        .arg("-I")
        .arg(root.join("../include"))
        .arg(root.join("benches/c/bench.c"))
        .arg("-o")
        .arg(&exe)
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm"])
        .output()
        .map_err(|e| format!("cannot run cc ({e}); run `bash scripts/setup-c.sh`"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(exe)
}

/// Runs the C program's timing mode; returns (case, ns) pairs.
fn c_program(exe: &Path, iters: u64, rounds: u32) -> Result<Vec<(String, f64)>, String> {
    let out = Command::new(exe)
        .args([iters.to_string(), rounds.to_string()])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let (name, ns) = l.split_once(' ').ok_or_else(|| format!("bad line {l:?}"))?;
            let ns = ns.parse().map_err(|e| format!("{l:?}: {e}"))?;
            Ok((name.to_owned(), ns))
        })
        .collect()
}

/// Instructions one call costs in `cmd_for(n)` (n calls), by callgrind; `None` when
/// valgrind is not there.
fn instructions(cmd_for: impl Fn(u64) -> Command) -> Option<f64> {
    const N1: u64 = 2_000;
    const N2: u64 = 22_000;
    let ir = |n| -> Option<f64> {
        let child = cmd_for(n);
        let out = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(child.get_program())
            .args(child.get_args())
            .output()
            .ok()?;
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err.lines().find(|l| l.contains("Collected :"))?;
        line.rsplit(' ').next()?.trim().parse().ok()
    };
    Some((ir(N2)? - ir(N1)?) / (N2 - N1) as f64)
}

/// The child mode: `--rust-child CASE N` runs the Rust loop N times and exits.
fn rust_child(args: &[String]) -> bool {
    let Some(i) = args.iter().position(|a| a == "--rust-child") else {
        return false;
    };
    let case = args
        .get(i + 1)
        .and_then(|n| CASES.iter().find(|c| c.name == n));
    let n: u64 = args.get(i + 2).and_then(|n| n.parse().ok()).unwrap_or(0);
    let (Some(case), Ok(policy)) = (case, Policy::from_toml_str(POLICY)) else {
        std::process::exit(2);
    };
    let req = request(case);
    for _ in 0..n {
        black_box(rust_once(&policy, &req));
    }
    true
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if rust_child(&args) {
        return;
    }
    let bench = args.iter().any(|a| a == "--bench");
    // Other work on the machine slows some rounds; each side keeps its fastest round over
    // `passes` interleaved passes, so both see the same quiet moments.
    let (iters, rounds, passes) = if bench {
        (500_000, 3, 5)
    } else {
        (1_000, 1, 1)
    };
    let policy = Policy::from_toml_str(POLICY).expect("the bench policy loads");
    let mut handle = ptr::null();
    // SAFETY: a static buffer and a local out-pointer.
    let r = unsafe {
        cors_policy_from_toml(POLICY.as_ptr(), POLICY.len(), &mut handle, ptr::null_mut())
    };
    assert_eq!(r, cors_result::Ok);

    let c_exe = build_c().unwrap_or_else(|e| panic!("C bench: {e}"));
    let mut best = [[f64::MAX; 3]; CASES.len()];
    for _ in 0..passes {
        let c = c_program(&c_exe, iters, rounds).unwrap_or_else(|e| panic!("C bench: {e}"));
        for (i, case) in CASES.iter().enumerate() {
            let c_ns = c
                .iter()
                .find(|(n, _)| n == case.name)
                .map_or(f64::MAX, |(_, ns)| *ns);
            let row = [
                rust_decide(&policy, case, iters, rounds),
                ffi_from_rust(handle, case, iters, rounds),
                c_ns,
            ];
            for (b, v) in best[i].iter_mut().zip(row) {
                *b = b.min(v);
            }
        }
    }
    let me = std::env::current_exe().expect("bench binary path");
    println!(
        "{:<18} {:>8} {:>13} {:>8} {:>7} {:>9} {:>7} {:>7}",
        "case", "rust ns", "ffi(rust) ns", "C ns", "C/rust", "rust Ir", "C Ir", "C/rust"
    );
    let mut worst: f64 = 0.0;
    let mut worst_ir: f64 = 0.0;
    for (case, [rust, ffi, c_ns]) in CASES.iter().zip(best) {
        let ratio = c_ns / rust;
        worst = worst.max(ratio);
        let (rust_ir, c_ir) = if bench {
            (
                instructions(|n| {
                    let mut c = Command::new(&me);
                    c.args(["--rust-child", case.name, &n.to_string()]);
                    c
                }),
                instructions(|n| {
                    let mut c = Command::new(&c_exe);
                    c.args(["count", case.name, &n.to_string()]);
                    c
                }),
            )
        } else {
            (None, None)
        };
        let show = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"));
        let ir_ratio = match (rust_ir, c_ir) {
            (Some(r), Some(c)) => {
                worst_ir = worst_ir.max(c / r);
                format!("{:.2}", c / r)
            }
            _ => "-".to_owned(),
        };
        println!(
            "{:<18} {rust:>8.1} {ffi:>13.1} {c_ns:>8.1} {ratio:>7.2} {:>9} {:>7} {ir_ratio:>7}",
            case.name,
            show(rust_ir),
            show(c_ir)
        );
    }
    println!(
        "worst C/rust ratio: time {worst:.2}, instructions {worst_ir:.2} (target: at most 1.30)"
    );
    // SAFETY: the handle from cors_policy_from_toml, freed once.
    unsafe { cors_policy_free(handle) };
}
