//! Property tests: for arbitrary configs and arbitrary request bytes, the engine never
//! panics and its output keeps the invariants browsers rely on.

use cors_core::{
    Action, AnyOr, Config, HeaderLines, Policy, RequestBytes, RequestKind, ResponseHeader, Vary,
};
use http::{HeaderValue, Request};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://api.example.net",
    "https://*.example.com",
    "http://localhost:*",
    "http://127.0.0.1:8080",
    "https://Example.ORG:443",
    "http://[::1]:3000",
    "null",
    "chrome-extension://abcdefghijklmnop",
    "https://xn--bcher-kva.example",
];

/// Entries that make a config invalid (alone or mixed), to exercise refusal too.
const BAD_ORIGINS: &[&str] = &["*", "https://bad.example/", "example.com"];

const REQUEST_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://a.example.com",
    "https://a.b.example.com",
    "https://example.com",
    "http://localhost",
    "http://localhost:3000",
    "https://localhost:3000",
    "http://127.0.0.1:8080",
    "https://example.org",
    "HTTPS://EXAMPLE.ORG:443",
    "http://[::1]:3000",
    "http://[0:0::1]:3000",
    "null",
    "chrome-extension://abcdefghijklmnop",
    "https://evil.test",
    "https://app.example.com.evil.test",
    "",
    "https://app.example.com/",
    "https://app.example.com:0443",
    "*",
];

const METHODS: &[&str] = &[
    "GET", "get", "POST", "PUT", "put", "PATCH", "patch", "DELETE", "OPTIONS", "QUERY",
];

/// Requested methods also include forbidden, empty and invalid ones.
const REQUEST_METHODS: &[&str] = &[
    "GET", "get", "POST", "PUT", "put", "PATCH", "patch", "DELETE", "OPTIONS", "QUERY", "TRACE",
    "trace", "CONNECT", "", "G ET", "*",
];

const HEADERS: &[&str] = &[
    "content-type",
    "Content-Type",
    "authorization",
    "x-a",
    "X-B",
    "cookie",
    "x-request-id",
];

const REQUEST_HEADERS: &[&str] = &[
    "content-type",
    "Content-Type",
    "authorization",
    "x-a",
    "X-B",
    "x-c",
    "x-request-id",
    "bad header",
    "*",
];

fn any_or(
    pool: &'static [&'static str],
    bad: &'static [&'static str],
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = AnyOr<String>> {
    let entry = prop_oneof![
        20 => prop::sample::select(pool),
        1 => prop::sample::select(bad),
    ];
    prop_oneof![
        1 => Just(AnyOr::Any),
        6 => prop::collection::vec(entry, len)
            .prop_map(|v| AnyOr::List(v.into_iter().map(String::from).collect())),
    ]
}

prop_compose! {
    fn config()(
        allow_origins in any_or(ORIGINS, BAD_ORIGINS, 1..8),
        allow_methods in any_or(METHODS, &["*", "TRACE", "G ET"], 0..4),
        allow_headers in any_or(HEADERS, &["*", "bad header"], 0..5),
        expose_headers in any_or(HEADERS, &["*"], 0..3),
        allow_credentials in any::<bool>(),
        max_age in prop::option::of(0u64..100_000),
        allow_private_network in any::<bool>(),
        preflight_status in prop::sample::select(&[200u16, 204][..]),
        preflight_continue in any::<bool>(),
    ) -> Config {
        Config {
            allow_origins, allow_methods, allow_headers, expose_headers, allow_credentials,
            max_age, allow_private_network, preflight_status, preflight_continue,
        }
    }
}

/// Header bytes: mostly realistic values, sometimes arbitrary bytes.
fn value(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(pool).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ]
}

/// Zero, one (most often) or two lines.
fn lines(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop_oneof![
        1 => Just(Vec::new()),
        6 => value(pool).prop_map(|v| vec![v]),
        1 => prop::collection::vec(value(pool), 2..3),
    ]
}

fn header_list_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(REQUEST_HEADERS), 0..5)
            .prop_map(|v| v.join(" ,").into_bytes()),
        1 => Just(b",".to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ]
}

#[derive(Debug, Clone)]
struct Req {
    method: Vec<u8>,
    origin: Vec<Vec<u8>>,
    request_method: Vec<Vec<u8>>,
    request_headers: Vec<Vec<u8>>,
    private_network: Vec<Vec<u8>>,
}

prop_compose! {
    fn request()(
        method in prop_oneof![
            3 => Just(b"OPTIONS".to_vec()),
            2 => value(METHODS),
        ],
        origin in lines(REQUEST_ORIGINS),
        request_method in lines(REQUEST_METHODS),
        request_headers in prop::collection::vec(header_list_line(), 0..3),
        private_network in lines(&["true", "false", "TRUE"]),
    ) -> Req {
        Req { method, origin, request_method, request_headers, private_network }
    }
}

fn slices(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

fn is_cors_header(h: ResponseHeader) -> bool {
    h.as_str().starts_with("access-control-")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn invariants_hold(config in config(), req in request()) {
        let Ok(compiled) = Policy::compile(&config) else {
            return Ok(());
        };
        let policy = compiled.policy;
        let (o, m, h, p) = (
            slices(&req.origin),
            slices(&req.request_method),
            slices(&req.request_headers),
            slices(&req.private_network),
        );
        let view = RequestBytes {
            method: &req.method,
            origin: HeaderLines::Many(&o),
            request_method: HeaderLines::Many(&m),
            request_headers: HeaderLines::Many(&h),
            private_network: HeaderLines::Many(&p),
        };
        let d = policy.decide(&view);
        let get = |h: ResponseHeader| d.get(h).map(|v| v.as_bytes().to_vec());
        let acao = get(ResponseHeader::AllowOrigin);

        // Classification.
        let expected_kind = if o.is_empty() {
            RequestKind::NotCors
        } else if req.method == b"OPTIONS" && !m.is_empty() {
            RequestKind::Preflight
        } else {
            RequestKind::Actual
        };
        prop_assert_eq!(d.kind(), expected_kind);

        // ACAO is "*" only for a constant (credential-less) policy; otherwise it is the
        // request's single origin, byte for byte, and only when allowed.
        if let Some(acao) = &acao {
            if acao == b"*" {
                prop_assert!(policy.is_constant());
                prop_assert!(!config.allow_credentials);
            } else {
                prop_assert!(!policy.is_constant());
                prop_assert_eq!(o.len(), 1);
                prop_assert_eq!(acao.as_slice(), o[0]);
                prop_assert!(d.is_allowed());
            }
        }
        if policy.is_constant() && d.kind() != RequestKind::Preflight {
            prop_assert_eq!(acao.as_deref(), Some(&b"*"[..]));
        }

        // Denials carry no Access-Control-* header; preflight denials are 403s.
        if !d.is_allowed() {
            prop_assert!(d.headers().all(|(h, _)| !is_cors_header(h)));
            if d.kind() == RequestKind::Preflight {
                prop_assert_eq!(d.action(), Action::Respond(http::StatusCode::FORBIDDEN));
            }
        }

        // Vary: Origin whenever the policy is not constant.
        if !policy.is_constant() {
            prop_assert!(d.vary().contains(Vary::ORIGIN));
        }
        if d.kind() == RequestKind::Preflight {
            prop_assert!(d.vary().contains(Vary::REQUEST_METHOD.union(Vary::REQUEST_HEADERS)));
        }

        // Credentials never with "*".
        if get(ResponseHeader::AllowCredentials).is_some() {
            prop_assert!(acao.as_deref() != Some(&b"*"[..]));
            // A mirrored method is "*" only when the request asked for a method named "*",
            // which browsers then compare literally.
            if get(ResponseHeader::AllowMethods).as_deref() == Some(&b"*"[..]) {
                prop_assert_eq!(m.first().map(|v| cors_trim(v)), Some(&b"*"[..]));
            }
            prop_assert!(get(ResponseHeader::ExposeHeaders).as_deref() != Some(&b"*"[..]));
        }

        // Every output value is a valid header value.
        for (_, v) in d.headers() {
            prop_assert!(HeaderValue::from_bytes(v.as_bytes()).is_ok(), "{:?}", v);
        }

        // An allowed preflight is answered with the policy's status unless it continues.
        if d.kind() == RequestKind::Preflight && d.is_allowed() {
            let expected = if config.preflight_continue {
                Action::Forward
            } else {
                Action::Respond(http::StatusCode::from_u16(config.preflight_status).unwrap())
            };
            prop_assert_eq!(d.action(), expected);
            prop_assert!(acao.is_some());
        }

        // The http entry point agrees with the byte-level one whenever the request is
        // representable as an http::Request.
        if let Some(http_req) = to_http(&req) {
            let d2 = policy.decide(&http_req);
            prop_assert_eq!(d2.kind(), d.kind());
            prop_assert_eq!(d2.action(), d.action());
            prop_assert_eq!(d2.vary(), d.vary());
            prop_assert_eq!(d2.denial().map(|x| x.kind()), d.denial().map(|x| x.kind()));
            let a: Vec<_> = d.headers().map(|(h, v)| (h, v.as_bytes().to_vec())).collect();
            let b: Vec<_> = d2.headers().map(|(h, v)| (h, v.as_bytes().to_vec())).collect();
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn normalized_config_recompiles_to_an_equal_policy(config in config()) {
        if let Ok(c) = Policy::compile(&config) {
            let again = Policy::compile(c.policy.config()).unwrap().policy;
            prop_assert_eq!(&again, &c.policy);
            prop_assert_eq!(again.config(), c.policy.config());
            let text = c.policy.config().to_toml_string();
            let reparsed = Config::from_toml_str(&text).unwrap();
            prop_assert_eq!(&reparsed, c.policy.config());
        }
    }

    #[test]
    fn arbitrary_origin_bytes_never_panic(
        pattern in "[a-z*:/.\\[\\]0-9@?#-]{0,40}",
        origin in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        let config = Config {
            allow_origins: AnyOr::List(vec![pattern]),
            ..Config::default()
        };
        if let Ok(c) = Policy::compile(&config) {
            let req = RequestBytes {
                method: b"GET",
                origin: HeaderLines::One(&origin),
                ..RequestBytes::default()
            };
            let _ = c.policy.decide(&req);
        }
    }
}

/// Guards against a generator that silently produces nothing but refused configs or
/// denied requests, which would make the invariants vacuous.
#[test]
fn generators_reach_allowed_decisions() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut compiled, mut allowed) = (0, 0);
    for _ in 0..2000 {
        let c = config().new_tree(&mut runner).unwrap().current();
        let r = request().new_tree(&mut runner).unwrap().current();
        let Ok(p) = Policy::compile(&c) else { continue };
        compiled += 1;
        let (o, m, h) = (
            slices(&r.origin),
            slices(&r.request_method),
            slices(&r.request_headers),
        );
        let view = RequestBytes {
            method: &r.method,
            origin: HeaderLines::Many(&o),
            request_method: HeaderLines::Many(&m),
            request_headers: HeaderLines::Many(&h),
            private_network: HeaderLines::Absent,
        };
        let d = p.policy.decide(&view);
        if d.is_allowed() && d.kind() != RequestKind::NotCors {
            allowed += 1;
        }
    }
    assert!(compiled > 1000, "only {compiled} of 2000 configs compiled");
    assert!(allowed > 100, "only {allowed} of 2000 requests allowed");
}

fn cors_trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t'))
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|c| !matches!(c, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    &v[start..end]
}

fn to_http(req: &Req) -> Option<Request<()>> {
    let method = http::Method::from_bytes(&req.method).ok()?;
    let mut b = Request::builder().method(method).uri("/");
    for (name, lines) in [
        ("origin", &req.origin),
        ("access-control-request-method", &req.request_method),
        ("access-control-request-headers", &req.request_headers),
        (
            "access-control-request-private-network",
            &req.private_network,
        ),
    ] {
        for l in lines {
            // http parsers trim surrounding whitespace; only compare values they keep as is.
            if l.first().is_some_and(|c| *c == b' ' || *c == b'\t')
                || l.last().is_some_and(|c| *c == b' ' || *c == b'\t')
            {
                return None;
            }
            b = b.header(name, HeaderValue::from_bytes(l).ok()?);
        }
    }
    b.body(()).ok()
}
