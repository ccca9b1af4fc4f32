//! The owned forms of a decision (`ResponseHeaders`, `Detached`), which servers keep when
//! the request moves into the handler: applied later, they must set exactly what the
//! decision itself sets, on a response the handler already filled.

use cors_core::{DenialKind, DetachedValue, Policy};
use http::{HeaderMap, HeaderValue, Request};

fn policy() -> Policy {
    Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "PUT"]
        allow_headers = "*"
        expose_headers = ["x-id"]
        allow_credentials = true
        max_age = 60
        "#,
    )
    .unwrap()
}

/// A preflight with two `Access-Control-Request-Headers` lines, which `"*"` mirrors one
/// line each (with credentials, where browsers ignore a literal `*`).
fn preflight() -> Request<()> {
    Request::options("/x")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "x-a, x-b")
        .header("access-control-request-headers", "x-c")
        .body(())
        .unwrap()
}

/// What the handler left: its own CORS header (to be replaced) and a `Vary` (to merge).
fn handler_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "access-control-allow-origin",
        HeaderValue::from_static("https://handler.invalid"),
    );
    h.insert("vary", HeaderValue::from_static("Accept-Encoding, Origin"));
    h.insert("x-other", HeaderValue::from_static("kept"));
    h
}

fn lines(h: &HeaderMap, name: &str) -> Vec<String> {
    h.get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[test]
fn owned_headers_apply_what_the_decision_applies() {
    let policy = policy();
    for req in [
        preflight(),
        Request::get("/x")
            .header("origin", "https://app.example.com")
            .body(())
            .unwrap(),
        Request::get("/x")
            .header("origin", "https://evil.example")
            .body(())
            .unwrap(),
    ] {
        let decision = policy.decide(&req);
        let mut direct = handler_headers();
        decision.apply(&mut direct);
        let mut owned = decision.to_response_headers();
        owned.set_status(200);
        let mut later = handler_headers();
        owned.apply(&policy, &mut later);
        assert_eq!(direct, later, "{req:?}");
        // The handler's own value is gone, its Vary kept, other headers untouched.
        assert!(
            !lines(&later, "access-control-allow-origin")
                .contains(&"https://handler.invalid".to_owned())
        );
        assert_eq!(lines(&later, "vary")[0], "Accept-Encoding, Origin");
        // A token the handler's Vary already has is not added again.
        if req.method() == http::Method::GET {
            assert_eq!(lines(&later, "vary"), ["Accept-Encoding, Origin"]);
        }
        assert_eq!(lines(&later, "x-other"), ["kept"]);
    }
    // The mirrored lines come back one per request line, in order.
    let req = preflight();
    let mut h = HeaderMap::new();
    policy
        .decide(&req)
        .to_response_headers()
        .apply(&policy, &mut h);
    assert_eq!(
        lines(&h, "access-control-allow-headers"),
        ["x-a, x-b", "x-c"]
    );
    assert_eq!(lines(&h, "access-control-max-age"), ["60"]);
    assert_eq!(
        lines(&h, "vary"),
        ["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
    );
}

#[test]
fn detached_decisions_apply_what_the_decision_applies() {
    let policy = policy();
    for req in [
        preflight(),
        Request::get("/x")
            .header("origin", "https://evil.example")
            .body(())
            .unwrap(),
    ] {
        let decision = policy.decide(&req);
        let detached = decision.detach(&req);
        assert_eq!(detached.kind(), decision.kind());
        assert_eq!(detached.action(), decision.action());
        assert_eq!(detached.denial(), decision.denial().map(|d| d.kind()));
        let mut direct = handler_headers();
        decision.apply(&mut direct);
        let mut later = handler_headers();
        detached.apply_to(&policy, &req, b"/x", 200, &mut later, |v| match v {
            DetachedValue::Policy(p) => Some(p.header_value().clone()),
            DetachedValue::Request { header, line } => req
                .headers()
                .get_all(header.as_str())
                .iter()
                .nth(line)
                .cloned(),
        });
        assert_eq!(direct, later, "{req:?}");
    }
    let denied = Request::get("/x")
        .header("origin", "https://evil.example")
        .body(())
        .unwrap();
    assert_eq!(
        policy.decide(&denied).detach(&denied).denial(),
        Some(DenialKind::OriginNotAllowed)
    );
}
