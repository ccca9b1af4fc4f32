//! Arbitrary policy and request bytes: deciding never panics, the two entry points (raw
//! bytes and `http` types) agree, and denials carry no `Access-Control-*` header.
#![no_main]

use arbitrary::Arbitrary;
use cors_core::{AnyOr, Config, HeaderLines, Policy, RequestBytes};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    origins: Vec<&'a str>,
    any_origin: bool,
    methods: Option<Vec<&'a str>>,
    headers: Option<Vec<&'a str>>,
    credentials: bool,
    private_network: bool,
    method: &'a [u8],
    origin: Vec<&'a [u8]>,
    request_method: Vec<&'a [u8]>,
    request_headers: Vec<&'a [u8]>,
    pna: Vec<&'a [u8]>,
}

fn list(v: &Option<Vec<&str>>) -> AnyOr<String> {
    match v {
        None => AnyOr::Any,
        Some(v) => AnyOr::List(v.iter().map(|s| (*s).to_owned()).collect()),
    }
}

fuzz_target!(|input: Input<'_>| {
    let mut config = Config::default();
    config.allow_origins = if input.any_origin {
        AnyOr::Any
    } else {
        AnyOr::List(input.origins.iter().map(|s| (*s).to_owned()).collect())
    };
    config.allow_methods = list(&input.methods);
    config.allow_headers = list(&input.headers);
    config.allow_credentials = input.credentials;
    config.allow_private_network = input.private_network;
    let Ok(policy) = Policy::new(&config) else {
        return;
    };
    let request = RequestBytes {
        method: input.method,
        origin: HeaderLines::Many(&input.origin),
        request_method: HeaderLines::Many(&input.request_method),
        request_headers: HeaderLines::Many(&input.request_headers),
        private_network: HeaderLines::Many(&input.pna),
    };
    let d = policy.decide(&request);
    if !d.is_allowed() {
        assert!(d.headers().all(|(h, _)| !h.as_str().starts_with("access-control-")));
    }

    // The same request through http types, when it is representable there.
    let Ok(method) = http::Method::from_bytes(input.method) else {
        return;
    };
    let mut b = http::Request::builder().method(method);
    for (name, lines) in [
        ("origin", &input.origin),
        ("access-control-request-method", &input.request_method),
        ("access-control-request-headers", &input.request_headers),
        ("access-control-request-private-network", &input.pna),
    ] {
        for l in lines.iter() {
            let trimmed = l.first().is_some_and(|c| *c == b' ' || *c == b'\t')
                || l.last().is_some_and(|c| *c == b' ' || *c == b'\t');
            let Ok(v) = http::HeaderValue::from_bytes(l) else {
                return;
            };
            if trimmed {
                return;
            }
            b = b.header(name, v);
        }
    }
    let Ok(req) = b.body(()) else {
        return;
    };
    let d2 = policy.decide(&req);
    assert_eq!(d.kind(), d2.kind());
    assert_eq!(d.action(), d2.action());
    assert_eq!(d.vary(), d2.vary());
    let a: Vec<_> = d.headers().map(|(h, v)| (h, v.as_bytes().to_vec())).collect();
    let b: Vec<_> = d2.headers().map(|(h, v)| (h, v.as_bytes().to_vec())).collect();
    assert_eq!(a, b);
});
