//! Property tests: for arbitrary configs and arbitrary request bytes, the engine never
//! panics and its output keeps the invariants browsers rely on.

use cors_core::{
    Action, AnyOr, Config, DenialKind, HeaderLines, Policy, RequestBytes, RequestKind,
    ResponseHeader, Route, Vary, is_normal_form_path,
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
        let mut c = Config::default();
        c.allow_origins = allow_origins;
        c.allow_methods = allow_methods;
        c.allow_headers = allow_headers;
        c.expose_headers = expose_headers;
        c.allow_credentials = allow_credentials;
        c.max_age = max_age;
        c.allow_private_network = allow_private_network;
        c.preflight_status = preflight_status;
        c.preflight_continue = preflight_continue;
        c
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

/// A generated request's lines as slices, to view as the engine reads them.
struct Lines<'r> {
    method: &'r [u8],
    all: [Vec<&'r [u8]>; 4],
}

impl<'r> Lines<'r> {
    fn of(req: &'r Req) -> Self {
        Lines {
            method: &req.method,
            all: [
                slices(&req.origin),
                slices(&req.request_method),
                slices(&req.request_headers),
                slices(&req.private_network),
            ],
        }
    }

    fn view(&self) -> RequestBytes<'_> {
        let [o, m, h, p] = &self.all;
        RequestBytes {
            method: self.method,
            origin: HeaderLines::Many(o),
            request_method: HeaderLines::Many(m),
            request_headers: HeaderLines::Many(h),
            private_network: HeaderLines::Many(p),
        }
    }
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
        let lines = Lines::of(&req);
        let view = lines.view();
        let [o, m, _, _] = &lines.all;
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
        let mut config = Config::default();
        config.allow_origins = AnyOr::List(vec![pattern]);
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

/// Route paths, nested and side by side.
const ROUTE_PATHS: &[&str] = &[
    "/",
    "/api",
    "/api/v1",
    "/admin",
    "/public",
    "/a;b",
    "/api/v1/x",
];

/// Request targets: in normal form (under, beside and between the routes) and not.
const TARGETS: &[&str] = &[
    "/",
    "/api",
    "/api/",
    "/api/v1/items?x=1",
    "/apix",
    "/api/v10",
    "/admin/x",
    "/a;b/c",
    "/a",
    "/public/feed#f",
    "/api/v1/x/y",
    "/other",
    "//admin/x",
    "/%61dmin/x",
    "/public/../admin/x",
    "/public%2F..%2Fadmin",
    "/api/./v1",
    "/api\\v1",
    "/api//v1",
    "*",
    "",
];

prop_compose! {
    fn route()(
        path in prop::sample::select(ROUTE_PATHS),
        over in config(),
        mask in any::<u16>(),
    ) -> Route {
        let on = |bit: u16| mask & (1 << bit) != 0;
        let mut r = Route::new(path);
        r.allow_origins = on(0).then(|| over.allow_origins.clone());
        r.allow_methods = on(1).then(|| over.allow_methods.clone());
        r.allow_headers = on(2).then(|| over.allow_headers.clone());
        r.expose_headers = on(3).then(|| over.expose_headers.clone());
        r.allow_credentials = on(4).then_some(over.allow_credentials);
        r.max_age = on(5).then_some(over.max_age);
        r.allow_private_network = on(6).then_some(over.allow_private_network);
        r.preflight_status = on(7).then_some(over.preflight_status);
        r.preflight_continue = on(8).then_some(over.preflight_continue);
        r
    }
}

/// The route a reference linear scan picks for `path`: the longest prefix by whole
/// segments.
fn reference_route<'r>(routes: &'r [Route], path: &str) -> Option<&'r Route> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    routes
        .iter()
        .filter(|r| {
            r.path == "/"
                || path
                    .strip_prefix(r.path.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|r| r.path.len())
}

/// A decision as comparable data: kind, action, denial kind, headers, `Vary`.
type Summary = (
    RequestKind,
    Action,
    Option<DenialKind>,
    Vec<(ResponseHeader, Vec<u8>)>,
    Vary,
);

fn summary<V: AsRef<[u8]> + ?Sized>(d: &cors_core::Decision<'_, V>) -> Summary {
    (
        d.kind(),
        d.action(),
        d.denial().map(|x| x.kind()),
        d.headers()
            .map(|(h, v)| (h, v.as_bytes().to_vec()))
            .collect(),
        d.vary(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// A config with routes decides, for every path in normal form, exactly as the single
    /// policy of the route the path falls into; for any other path it grants nothing.
    #[test]
    fn routes_decide_as_their_single_policy(
        top in config(),
        routes in prop::collection::vec(route(), 1..5),
        req in request(),
        target in prop::sample::select(TARGETS),
    ) {
        let mut routes = routes;
        let mut seen = std::collections::HashSet::new();
        routes.retain(|r| seen.insert(r.path.clone()));
        let mut config = top.clone();
        config.routes = routes.clone();
        let Ok(compiled) = Policy::compile(&config) else {
            return Ok(());
        };
        let policy = compiled.policy;
        let lines = Lines::of(&req);
        let view = lines.view();
        let d = policy.decide_at(&view, target.as_bytes());
        if is_normal_form_path(target.as_bytes()) {
            let route = reference_route(&routes, target);
            let single = match route {
                Some(r) => r.resolve(&top),
                None => top.clone(),
            };
            let single = Policy::compile(&single).expect("a route of a valid config is valid").policy;
            let expected = single.decide(&view);
            prop_assert_eq!(summary(&d), summary(&expected));
            // Routes report their normalized path; "/" stays "/".
            let expected_path = route.map(|r| r.path.as_str());
            prop_assert_eq!(d.route(), expected_path);
        } else {
            prop_assert!(d.headers().all(|(h, _)| !h.as_str().starts_with("access-control-")));
            if d.kind() != RequestKind::NotCors {
                prop_assert_eq!(d.denial().map(|x| x.kind()), Some(DenialKind::PathNotNormal));
            }
            if d.kind() == RequestKind::Preflight {
                prop_assert_eq!(d.action(), Action::Respond(http::StatusCode::FORBIDDEN));
            }
        }
    }
}
