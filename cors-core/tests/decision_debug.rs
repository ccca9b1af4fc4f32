//! `Debug` for a decision is what operators see in logs and `dbg!`: it must name the
//! action, the denial and every header with its value.

use cors_core::Policy;
use http::Request;

fn policy() -> Policy {
    Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_headers = ["x-a"]
        "#,
    )
    .unwrap()
}

#[test]
fn debug_shows_headers_and_values() {
    let policy = policy();
    let req = Request::get("/")
        .header("origin", "https://app.example.com")
        .body(())
        .unwrap();
    let shown = format!("{:?}", policy.decide(&req));
    assert!(shown.starts_with("Decision {"), "{shown}");
    assert!(shown.contains("access-control-allow-origin"), "{shown}");
    assert!(shown.contains("\"https://app.example.com\""), "{shown}");
    assert!(shown.contains("Origin"), "{shown}");
}

#[test]
fn debug_shows_the_denial() {
    let policy = policy();
    let req = Request::options("/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-b")
        .body(())
        .unwrap();
    let shown = format!("{:?}", policy.decide(&req));
    assert!(
        shown.contains(r#"denial: Some(HeaderNotAllowed("x-b"))"#),
        "{shown}"
    );
    assert!(shown.contains("headers: []"), "{shown}");
}

#[test]
fn debug_of_a_denial_is_capped_escaped_text() {
    use cors_core::{Denial, DenialKind};
    assert_eq!(format!("{:?}", Denial::MultipleOrigins), "MultipleOrigins");
    let hostile = Denial::from_parts(DenialKind::OriginMalformed, b"a\"\n\xff");
    assert_eq!(format!("{hostile:?}"), r#"OriginMalformed("a\"\n\xff")"#);
    let long = [b'x'; 300];
    let shown = format!(
        "{:?}",
        Denial::from_parts(DenialKind::HeaderNotAllowed, &long)
    );
    assert!(shown.ends_with("… (300 bytes)\")"), "{shown}");
    assert!(shown.len() < 140, "{shown}");
}

/// `debug_denial_header` on one route only: that route's denials name their reason, the
/// top level's do not.
#[test]
fn denial_reason_header_on_one_route() {
    let policy = cors_core::Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        [[routes]]
        path = "/dev"
        debug_denial_header = true
        "#,
    )
    .unwrap();
    let reason = |path: &str| {
        let req = http::Request::get(path)
            .header("origin", "https://evil.example")
            .body(())
            .unwrap();
        let mut headers = http::HeaderMap::new();
        policy.decide_at(&req, path.as_bytes()).apply(&mut headers);
        headers
            .get("cors-denial-reason")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(reason("/dev/x").as_deref(), Some("origin-not-allowed"));
    assert_eq!(reason("/other"), None);
}
