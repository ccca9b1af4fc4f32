//! Deciding a request allocates nothing: counted through a global allocator.
//!
//! This binary holds a single test so no other test thread allocates while it counts.

use std::alloc::System;

use cors_core::{Policy, RequestBytes};
use http::Request;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations(f: impl FnOnce()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    let c = region.change();
    c.allocations + c.reallocations
}

#[test]
fn deciding_allocates_nothing() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com", "https://*.example.org", "http://localhost:*"]
        allow_methods = ["GET", "PUT", "DELETE"]
        allow_headers = ["content-type", "x-a", "x-b", "authorization"]
        expose_headers = ["x-request-id"]
        allow_credentials = true
        max_age = 600
        "#,
    )
    .unwrap();
    let mirror = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = "*"
        allow_headers = "*"
        allow_credentials = true
        "#,
    )
    .unwrap();
    let constant = Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();

    let allowed = Request::get("/")
        .header("origin", "https://APP.example.com:443")
        .body(())
        .unwrap();
    let denied = Request::get("/")
        .header("origin", "https://evil.test")
        .body(())
        .unwrap();
    let preflight = Request::options("/")
        .header("origin", "https://a.b.example.org")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "Content-Type, x-a,x-b")
        .body(())
        .unwrap();
    let mirrored = Request::options("/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PATCH")
        .header("access-control-request-headers", "x-a, x-c")
        .header("access-control-request-headers", "x-b")
        .body(())
        .unwrap();
    let mirrored_one_line = Request::options("/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PATCH")
        .header("access-control-request-headers", "x-a, x-c")
        .body(())
        .unwrap();
    let no_origin = Request::get("/").body(()).unwrap();
    let bytes = RequestBytes {
        method: b"OPTIONS",
        origin: "http://localhost:3000".into(),
        request_method: "DELETE".into(),
        request_headers: "x-a, authorization".into(),
        ..RequestBytes::default()
    };

    let unobserved = cors_core::PolicySource::from(policy.clone());
    let observed = cors_core::PolicySource::from(policy.clone())
        .observed(|o: &cors_core::Observation<'_>| assert!(o.route.is_none()));
    let counted = cors_core::PolicySource::from(policy.clone()).observed(cors_core::Counters);
    let cases: [(&str, &dyn Fn()); 13] = [
        // The observer hook: one test when none is installed; observers get borrowed data.
        ("no observer", &|| {
            let p = unobserved.get();
            let d = p.decide_at(&allowed, b"/");
            unobserved.observe(&d);
        }),
        ("an observer", &|| {
            let p = observed.get();
            let d = p.decide_at(&denied, b"/");
            observed.observe(&d);
        }),
        // `metrics` without a recorder installed: counting is a no-op, and allocates nothing.
        ("counters", &|| {
            let p = counted.get();
            let d = p.decide_at(&allowed, b"/");
            counted.observe(&d);
        }),
        ("allowed actual", &|| {
            let d = policy.decide(&allowed);
            assert!(d.is_allowed());
            drop(d.to_response_headers());
        }),
        ("denied actual", &|| {
            let d = policy.decide(&denied);
            assert!(!d.is_allowed());
            assert!(d.denial().is_some());
        }),
        ("preflight, three headers", &|| {
            let d = policy.decide(&preflight);
            assert!(d.is_allowed(), "{d:?}");
            drop(d.to_response_headers());
        }),
        ("no origin", &|| {
            let d = policy.decide(&no_origin);
            assert!(d.is_allowed());
        }),
        ("byte-level preflight", &|| {
            let d = policy.decide(&bytes);
            assert!(d.is_allowed(), "{d:?}");
            assert!(d.headers().count() >= 4);
        }),
        ("mirrored preflight, two lines", &|| {
            let d = mirror.decide(&mirrored);
            assert!(d.is_allowed(), "{d:?}");
            assert_eq!(d.headers().count(), 5);
        }),
        // The owned form keeps one mirrored line inline (browsers send one); further lines
        // of a forwarded preflight go to the heap.
        ("mirrored preflight, owned", &|| {
            let d = mirror.decide(&mirrored_one_line);
            assert!(d.is_allowed(), "{d:?}");
            assert_eq!(d.headers().count(), 4);
            drop(d.to_response_headers());
        }),
        ("constant policy", &|| {
            let d = constant.decide(&allowed);
            drop(d.to_response_headers());
        }),
        ("denied preflight", &|| {
            let d = constant.decide(&bytes);
            assert!(!d.is_allowed());
        }),
        ("denial display into a fixed buffer", &|| {
            use std::io::Write;
            let d = policy.decide(&denied);
            let mut buf = [0u8; 256];
            let mut w = &mut buf[..];
            write!(w, "{}", d.denial().unwrap()).unwrap();
        }),
    ];
    // Warm up once: lazily initialised statics (tracing's callsite registry) may allocate
    // on first use, never per request.
    for (_, f) in &cases {
        f();
    }
    for (name, f) in &cases {
        assert_eq!(allocations(f), 0, "{name} allocated");
    }
}
