//! Report-only mode: decisions change nothing, and each is set against the handler's
//! response as a browser's CORS check would read it.

use cors_core::{Action, Policy, ReportOutcome, Unreadable};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode};

fn policy(extra: &str) -> Policy {
    Policy::from_toml_str(&format!(
        "allow_origins = [\"https://app.example.com\"]\n\
         allow_methods = [\"GET\", \"PUT\"]\n\
         allow_headers = [\"x-token\"]\n\
         mode = \"report-only\"\n{extra}"
    ))
    .unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (n, v) in pairs {
        h.append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

fn actual(origin: &str) -> Request<()> {
    Request::get("/x")
        .header("origin", origin)
        .body(())
        .unwrap()
}

fn preflight(origin: &str, method: &str, requested: Option<&str>) -> Request<()> {
    let mut b = Request::builder()
        .method(Method::OPTIONS)
        .uri("/x")
        .header("origin", origin)
        .header("access-control-request-method", method);
    if let Some(r) = requested {
        b = b.header("access-control-request-headers", r);
    }
    b.body(()).unwrap()
}

#[test]
fn nothing_is_applied() {
    let p = policy("");
    let req = preflight("https://evil.example", "DELETE", None);
    let d = p.decide(&req);
    assert!(d.is_report_only());
    assert_eq!(d.action(), Action::Forward);
    assert_eq!(d.decided_action(), Action::Respond(StatusCode::FORBIDDEN));
    let mut response = headers(&[
        ("access-control-allow-origin", "https://handler.invalid"),
        ("vary", "Accept-Encoding"),
    ]);
    let before = response.clone();
    d.apply(&mut response);
    assert_eq!(response, before);
    let mut owned = p
        .decide(&actual("https://app.example.com"))
        .to_response_headers();
    owned.set_status(200);
    owned.apply(&p, &mut response);
    assert_eq!(response, before);
}

fn outcome(p: &Policy, req: &Request<()>, status: u16, h: &[(&str, &str)]) -> ReportOutcome {
    p.decide_at(req, req.uri().path().as_bytes())
        .report_against(&headers(h), Some(status))
        .expect("a CORS request is reported")
}

#[test]
fn actual_requests_against_the_handler() {
    let p = policy("");
    let app = actual("https://app.example.com");
    // Agree: the handler grants what the policy would.
    let o = outcome(
        &p,
        &app,
        200,
        &[("access-control-allow-origin", "https://app.example.com")],
    );
    assert!(o.policy_allows && o.handler.is_ok() && !o.disagrees());
    // `*` is readable without credentials.
    let o = outcome(&p, &app, 200, &[("access-control-allow-origin", "*")]);
    assert!(!o.disagrees());
    // The policy would allow, the handler grants nothing.
    let o = outcome(&p, &app, 200, &[]);
    assert_eq!(o.handler, Err(Unreadable::NoAllowOrigin));
    assert!(o.disagrees());
    let o = outcome(
        &p,
        &app,
        200,
        &[("access-control-allow-origin", "https://other.example")],
    );
    assert_eq!(o.handler, Err(Unreadable::OriginMismatch));
    let o = outcome(
        &p,
        &app,
        200,
        &[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-origin", "*"),
        ],
    );
    assert_eq!(o.handler, Err(Unreadable::SeveralAllowOrigins));
    // The policy would deny, the handler's grant lets the browser read it.
    let legacy = actual("https://legacy.example");
    let o = outcome(
        &p,
        &legacy,
        200,
        &[("access-control-allow-origin", "https://legacy.example")],
    );
    assert!(!o.policy_allows && o.handler.is_ok() && o.disagrees());
    // Not CORS: nothing to report.
    let plain = Request::get("/x").body(()).unwrap();
    assert!(
        p.decide(&plain)
            .report_against(&HeaderMap::new(), Some(200))
            .is_none()
    );
}

#[test]
fn credentials_need_the_exact_origin_and_acac() {
    let p = policy("allow_credentials = true");
    let app = actual("https://app.example.com");
    let o = outcome(&p, &app, 200, &[("access-control-allow-origin", "*")]);
    assert_eq!(o.handler, Err(Unreadable::NoCredentials));
    let o = outcome(
        &p,
        &app,
        200,
        &[("access-control-allow-origin", "https://app.example.com")],
    );
    assert_eq!(o.handler, Err(Unreadable::NoCredentials));
    let o = outcome(
        &p,
        &app,
        200,
        &[
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-credentials", "true"),
        ],
    );
    assert_eq!(o.handler, Ok(()));
}

#[test]
fn preflights_against_the_handler() {
    let p = policy("");
    let ok = [
        ("access-control-allow-origin", "https://app.example.com"),
        ("access-control-allow-methods", "GET, PUT"),
        ("access-control-allow-headers", "X-Token"),
    ];
    let put = preflight("https://app.example.com", "PUT", Some("x-token"));
    assert_eq!(outcome(&p, &put, 204, &ok).handler, Ok(()));
    assert_eq!(
        outcome(&p, &put, 404, &ok).handler,
        Err(Unreadable::PreflightStatus(404))
    );
    let o = outcome(&p, &put, 200, &ok[..2]);
    assert_eq!(o.handler, Err(Unreadable::HeaderNotAllowed));
    let o = outcome(&p, &put, 200, &[ok[0], ok[2]]);
    assert_eq!(o.handler, Err(Unreadable::MethodNotAllowed));
    // Listing other methods does not list this one.
    let other_methods = [
        ("access-control-allow-origin", "https://app.example.com"),
        ("access-control-allow-methods", "GET, DELETE"),
        ("access-control-allow-headers", "x-token"),
    ];
    assert_eq!(
        outcome(&p, &put, 200, &other_methods).handler,
        Err(Unreadable::MethodNotAllowed)
    );
    // Under credentials `*` is no method at all.
    let pc = policy("allow_credentials = true");
    let star_methods = [
        ("access-control-allow-origin", "https://app.example.com"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "x-token"),
    ];
    assert_eq!(
        outcome(&pc, &put, 200, &star_methods).handler,
        Err(Unreadable::MethodNotAllowed)
    );
    // `*` covers methods and headers (but authorization) without credentials; safelisted
    // methods need no listing.
    let star = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "*"),
    ];
    assert_eq!(outcome(&p, &put, 200, &star).handler, Ok(()));
    let auth = preflight("https://app.example.com", "GET", Some("authorization"));
    assert_eq!(
        outcome(&p, &auth, 200, &star).handler,
        Err(Unreadable::HeaderNotAllowed)
    );
    let get = preflight("https://app.example.com", "GET", None);
    assert_eq!(
        outcome(&p, &get, 200, &[("access-control-allow-origin", "*")]).handler,
        Ok(())
    );
}

#[test]
fn per_route_report_only_beside_enforced_routes() {
    let p = Policy::from_toml_str(
        "allow_origins = [\"https://app.example.com\"]\n\
         [[routes]]\npath = \"/shadow\"\nmode = \"report-only\"\n",
    )
    .unwrap();
    let req = actual("https://evil.example");
    let enforced = p.decide_at(&req, b"/x");
    assert!(!enforced.is_report_only());
    let shadow = p.decide_at(&req, b"/shadow/x");
    assert!(shadow.is_report_only());
    assert_eq!(shadow.route(), Some("/shadow"));
    // A path not in normal form is denied: not every policy is report-only.
    let odd = p.decide_at(&req, b"//shadow/x");
    assert!(!odd.is_report_only());
    // When every policy is report-only, it is reported instead.
    let all = Policy::from_toml_str(
        "allow_origins = [\"https://app.example.com\"]\nmode = \"report-only\"\n\
         [[routes]]\npath = \"/a\"\n",
    )
    .unwrap();
    let odd = all.decide_at(&req, b"//a/x");
    assert!(odd.is_report_only());
    assert_eq!(odd.action(), Action::Forward);
}

#[test]
fn reasons_read_as_sentences() {
    assert_eq!(
        Unreadable::PreflightStatus(404).to_string(),
        "the preflight answer's status 404 is not in 200-299"
    );
    assert_eq!(
        Unreadable::NoAllowOrigin.to_string(),
        "it has no Access-Control-Allow-Origin"
    );
    assert_eq!(
        Unreadable::MethodNotAllowed.description(),
        "its Access-Control-Allow-Methods lacks the requested method"
    );
    for u in [
        Unreadable::PreflightStatus(500),
        Unreadable::NoAllowOrigin,
        Unreadable::SeveralAllowOrigins,
        Unreadable::OriginMismatch,
        Unreadable::NoCredentials,
        Unreadable::MethodNotAllowed,
        Unreadable::HeaderNotAllowed,
    ] {
        assert!(
            u.description().starts_with("it")
                || u.description().starts_with("the")
                || u.description().starts_with("credentials"),
            "{u:?}"
        );
        assert!(u.to_string().len() >= u.description().len() - 10, "{u:?}");
    }
}
