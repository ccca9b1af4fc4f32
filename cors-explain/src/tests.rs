//! Unit tests of the browser model.

use cors_core::{DenialKind, Policy, RequestKind};
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::browser::*;
use crate::compare::*;
use crate::grants::*;
use crate::headers::*;
use crate::request::*;
use crate::simulate::*;

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap()
}

const APP: &str = "https://app.example.com";

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in pairs {
        map.append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    map
}

#[test]
fn safelisted_headers() {
    assert!(is_safelisted_request_header("Accept", b"application/json"));
    assert!(is_safelisted_request_header(
        "accept-language",
        b"en-US,en;q=0.9"
    ));
    assert!(!is_safelisted_request_header("accept-language", b"en:US"));
    assert!(is_safelisted_request_header(
        "content-type",
        b"text/plain; charset=utf-8"
    ));
    assert!(is_safelisted_request_header(
        "Content-Type",
        b"Multipart/Form-Data; boundary=x"
    ));
    assert_eq!(
        check_safelisted_header("content-type", b"application/json"),
        Err(UnsafeHeader::ContentType("application/json".into()))
    );
    assert_eq!(
        check_safelisted_header("content-type", b"text/plain; a=\"b\""),
        Err(UnsafeHeader::UnsafeByte(b'"'))
    );
    assert_eq!(
        check_safelisted_header("content-type", b"nonsense"),
        Err(UnsafeHeader::ContentTypeInvalid)
    );
    assert_eq!(
        check_safelisted_header("x-api-key", b"1"),
        Err(UnsafeHeader::Name)
    );
    let long = vec![b'a'; 129];
    assert_eq!(
        check_safelisted_header("accept", &long),
        Err(UnsafeHeader::ValueTooLong(129))
    );
    assert!(is_safelisted_request_header("accept", &long[..128]));
}

#[test]
fn range_header() {
    assert!(is_safelisted_request_header("range", b"bytes=0-"));
    assert!(is_safelisted_request_header("range", b"bytes=10-20"));
    assert!(is_safelisted_request_header("range", b"BYTES=5-5"));
    assert!(!is_safelisted_request_header("range", b"bytes=-500"));
    assert!(!is_safelisted_request_header("range", b"bytes=20-10"));
    assert!(!is_safelisted_request_header("range", b"bytes=0-1,5-6"));
    assert!(!is_safelisted_request_header("range", b"bytes= 0-1"));
    assert!(!is_safelisted_request_header("range", b"items=0-1"));
    assert!(is_safelisted_request_header(
        "range",
        b"bytes=00000000000000000000000001-99999999999999999999999999"
    ));
}

#[test]
fn preflight_needed() {
    let simple = FetchRequest::new(APP, "post").header("content-type", "text/plain");
    assert!(!simple.needs_preflight());
    assert_eq!(simple.normalized_method(), "POST");

    let put = FetchRequest::new(APP, "PUT");
    assert_eq!(
        put.preflight_reasons(),
        [PreflightReason::Method("PUT".into())]
    );
    // `patch` is not normalized: methods are case-sensitive.
    assert_eq!(FetchRequest::new(APP, "patch").normalized_method(), "patch");

    let json = FetchRequest::new(APP, "GET")
        .header("X-Api-Key", "1")
        .header("content-type", "application/json")
        .header("cookie", "a=b");
    assert_eq!(json.unsafe_header_names(), ["content-type", "x-api-key"]);
    assert_eq!(json.ignored_headers(), ["cookie"]);

    // Chrome before 142 preflights a private network request; current Chrome asks the
    // user instead (Local Network Access) and sends no preflight for it.
    let pna = FetchRequest::new(APP, "GET")
        .private_network(true)
        .chromium(crate::Chromium::Before142);
    assert_eq!(pna.preflight_reasons(), [PreflightReason::PrivateNetwork]);
    let lna = FetchRequest::new(APP, "GET").private_network(true);
    assert!(lna.preflight_reasons().is_empty());
    assert!(lna.local_network_access().is_some());
    assert!(pna.local_network_access().is_none());
}

#[test]
fn total_safelisted_size() {
    let v = "a".repeat(120);
    let mut r = FetchRequest::new(APP, "GET");
    for _ in 0..8 {
        r = r.header("accept", v.clone());
    }
    assert!(!r.needs_preflight(), "960 bytes is within the limit");
    let r = r.header("accept-language", "en".repeat(40));
    assert_eq!(r.unsafe_header_names(), ["accept", "accept-language"]);
    assert!(matches!(
        r.preflight_reasons().first(),
        Some(PreflightReason::Header {
            why: UnsafeHeader::TotalTooLong(1040),
            ..
        })
    ));
}

#[test]
fn forbidden_headers_and_methods() {
    assert!(is_forbidden_request_header("Sec-Fetch-Mode", "cors"));
    assert!(is_forbidden_request_header(
        "X-HTTP-Method-Override",
        "trace"
    ));
    assert!(!is_forbidden_request_header(
        "X-HTTP-Method-Override",
        "PUT"
    ));
    assert_eq!(
        FetchRequest::new(APP, "TRACE").validate(),
        Err(FetchError::ForbiddenMethod("TRACE".into()))
    );
    assert!(matches!(
        FetchRequest::new(APP, "GET")
            .header("bad name", "x")
            .validate(),
        Err(FetchError::InvalidHeaderName(_))
    ));
    assert!(matches!(
        FetchRequest::new("", "GET").validate(),
        Err(FetchError::InvalidOrigin(_))
    ));
}

#[test]
fn cors_check_rules() {
    let anon = FetchRequest::new(APP, "GET");
    let cred = anon.clone().credentials(CredentialsMode::Include);
    let star = headers(&[("access-control-allow-origin", "*")]);
    assert!(anon.check_response(&star).is_ok());
    assert_eq!(
        cred.check_response(&star).unwrap_err().reason,
        BlockReason::WildcardWithCredentials
    );
    let echo = headers(&[("access-control-allow-origin", APP)]);
    assert!(anon.check_response(&echo).is_ok());
    let err = cred.check_response(&echo).unwrap_err();
    assert_eq!(err.reason, BlockReason::CredentialsNotAllowed(None));
    assert_eq!(
        err.to_string(),
        "the browser blocks the response: your fetch used credentials 'include' but the \
         response has no Access-Control-Allow-Credentials: true"
    );
    let upper = headers(&[
        ("access-control-allow-origin", APP),
        ("access-control-allow-credentials", "TRUE"),
    ]);
    assert_eq!(
        cred.check_response(&upper).unwrap_err().reason,
        BlockReason::CredentialsNotAllowed(Some("TRUE".into()))
    );
    let two = headers(&[
        ("access-control-allow-origin", APP),
        ("access-control-allow-origin", APP),
    ]);
    assert!(matches!(
        anon.check_response(&two).unwrap_err().reason,
        BlockReason::OriginMismatch { .. }
    ));
    // Origins are compared byte for byte.
    let other_case = headers(&[("access-control-allow-origin", "https://APP.example.com")]);
    assert!(anon.check_response(&other_case).is_err());
    assert_eq!(
        anon.check_response(&HeaderMap::new()).unwrap_err().reason,
        BlockReason::MissingAllowOrigin
    );
}

#[test]
fn exposure() {
    let anon = FetchRequest::new(APP, "GET");
    let h = headers(&[
        ("access-control-allow-origin", APP),
        (
            "access-control-expose-headers",
            "X-Request-Id, content-type, set-cookie",
        ),
    ]);
    assert_eq!(
        anon.check_response(&h).unwrap(),
        Accepted::Response(Exposure {
            all: false,
            names: vec!["x-request-id".into()]
        })
    );
    let star = headers(&[
        ("access-control-allow-origin", "*"),
        ("access-control-expose-headers", "*"),
    ]);
    assert!(matches!(
        anon.check_response(&star),
        Ok(Accepted::Response(Exposure { all: true, .. }))
    ));
}

#[test]
fn preflight_checks() {
    let req = FetchRequest::new(APP, "PUT")
        .header("content-type", "application/json")
        .header("authorization", "Bearer x");
    let ok = StatusCode::NO_CONTENT;
    let good = headers(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "*, Authorization"),
    ]);
    assert_eq!(
        req.check_preflight_response(ok, &good),
        Ok(Accepted::Preflight { max_age: None })
    );
    let no_auth = headers(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "*"),
    ]);
    assert_eq!(
        req.check_preflight_response(ok, &no_auth)
            .unwrap_err()
            .reason,
        BlockReason::AuthorizationNotCovered
    );
    assert_eq!(
        req.check_preflight_response(StatusCode::FORBIDDEN, &good)
            .unwrap_err()
            .reason,
        BlockReason::PreflightStatus(403)
    );
    let lower = headers(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "put"),
    ]);
    // `put` normalizes to PUT in the request but the response list is case-sensitive.
    assert!(matches!(
        req.check_preflight_response(ok, &lower).unwrap_err().reason,
        BlockReason::MethodNotAllowed { .. }
    ));

    let cred = FetchRequest::new(APP, "DELETE")
        .header("x-a", "1")
        .credentials(CredentialsMode::Include);
    let stars = headers(&[
        ("access-control-allow-origin", APP),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "*"),
    ]);
    assert_eq!(
        cred.check_preflight_response(ok, &stars)
            .unwrap_err()
            .reason,
        BlockReason::MethodNotAllowed {
            method: "DELETE".into(),
            star_ignored: true
        }
    );
    let listed = headers(&[
        ("access-control-allow-origin", APP),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "DELETE"),
        ("access-control-allow-headers", "*"),
    ]);
    assert_eq!(
        cred.check_preflight_response(ok, &listed)
            .unwrap_err()
            .reason,
        BlockReason::HeaderNotAllowed {
            name: "x-a".into(),
            star_ignored: true
        }
    );
    let bad_list = headers(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "PUT, a b"),
    ]);
    assert!(matches!(
        req.check_preflight_response(ok, &bad_list)
            .unwrap_err()
            .reason,
        BlockReason::InvalidList { .. }
    ));
}

#[test]
fn private_network_preflight() {
    let req = FetchRequest::new(APP, "GET")
        .private_network(true)
        .chromium(crate::Chromium::Before142);
    let without = headers(&[("access-control-allow-origin", APP)]);
    assert_eq!(
        req.check_preflight_response(StatusCode::NO_CONTENT, &without)
            .unwrap_err()
            .reason,
        BlockReason::PrivateNetworkNotAllowed(None)
    );
    let with = headers(&[
        ("access-control-allow-origin", APP),
        ("access-control-allow-private-network", "true"),
    ]);
    assert!(
        req.check_preflight_response(StatusCode::NO_CONTENT, &with)
            .is_ok()
    );
}

#[test]
fn simulate_simple_and_preflighted() {
    let p = policy(
        r#"
        allow_origins = ["https://*.example.com"]
        allow_methods = ["GET", "PUT"]
        allow_headers = ["content-type"]
        expose_headers = ["x-request-id"]
        allow_credentials = true
        max_age = 600
        "#,
    );
    let simple = FetchRequest::new(APP, "GET").credentials(CredentialsMode::Include);
    let sim = simulate(&p, &simple, "/a", Mode::Browser).unwrap();
    assert!(sim.preflight.is_none());
    let actual = sim.actual.as_ref().unwrap();
    assert_eq!(actual.kind, RequestKind::Actual);
    assert_eq!(
        actual.grants.first(),
        Some(&Grant::OriginListed {
            origin: APP.into(),
            entry: "https://*.example.com".into()
        })
    );
    assert_eq!(sim.outcome(), Outcome::Allowed);

    let put = FetchRequest::new(APP, "PUT")
        .header("content-type", "application/json")
        .credentials(CredentialsMode::Include);
    let sim = simulate(&p, &put, "/a", Mode::Browser).unwrap();
    let pre = sim.preflight.as_ref().unwrap();
    assert_eq!(pre.status, StatusCode::NO_CONTENT);
    assert_eq!(
        pre.request.headers()["access-control-request-headers"],
        "content-type"
    );
    assert_eq!(pre.browser, Ok(Accepted::Preflight { max_age: Some(600) }));
    assert!(pre.grants.contains(&Grant::MethodListed("PUT".into())));
    assert!(sim.actual.is_some());
    assert_eq!(sim.outcome(), Outcome::Allowed);
}

#[test]
fn simulate_denied_preflight_stops() {
    let p = policy(r#"allow_origins = ["https://app.example.com"]"#);
    let del = FetchRequest::new(APP, "DELETE");
    let sim = simulate(&p, &del, "/", Mode::Browser).unwrap();
    let pre = sim.preflight.as_ref().unwrap();
    assert_eq!(pre.status, StatusCode::FORBIDDEN);
    assert_eq!(
        pre.denial.as_ref().map(|d| d.kind),
        Some(DenialKind::MethodNotAllowed)
    );
    assert!(pre.grants.is_empty());
    assert!(sim.actual.is_none());
    assert!(matches!(
        sim.cause(),
        Some(Cause::Denied {
            stage: Stage::Preflight,
            ..
        })
    ));
    assert!(matches!(
        sim.outcome(),
        Outcome::Blocked(Blocked {
            stage: Stage::Preflight,
            reason: BlockReason::MissingAllowOrigin
        })
    ));
}

#[test]
fn simulate_credentials_not_allowed() {
    let p = policy(r#"allow_origins = ["https://app.example.com"]"#);
    let get = FetchRequest::new(APP, "GET").credentials(CredentialsMode::Include);
    let sim = simulate(&p, &get, "/", Mode::Browser).unwrap();
    assert!(
        sim.actual
            .as_ref()
            .unwrap()
            .grants
            .contains(&Grant::NoCredentials)
    );
    assert_eq!(
        sim.outcome(),
        Outcome::Blocked(Blocked {
            stage: Stage::Response,
            reason: BlockReason::CredentialsNotAllowed(None)
        })
    );

    assert_eq!(sim.cause(), Some(Cause::CredentialsNotAllowed));
}

#[test]
fn simulate_preflight_only_lists_every_header() {
    let p = policy(
        r#"
        allow_origins = "*"
        allow_headers = ["accept"]
        "#,
    );
    let r = FetchRequest::new(APP, "GET").header("accept", "x");
    let sim = simulate(&p, &r, "/", Mode::PreflightOnly).unwrap();
    assert!(sim.actual.is_none());
    let pre = sim.preflight.as_ref().unwrap();
    assert_eq!(
        pre.request.headers()["access-control-request-headers"],
        "accept"
    );
    assert_eq!(pre.grants.first(), Some(&Grant::AnyOrigin));
    assert!(pre.browser.is_ok());
}

#[test]
fn compare_reports_differences() {
    let p = policy(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "PUT"]
        "#,
    );
    let sim = simulate(&p, &FetchRequest::new(APP, "PUT"), "/", Mode::Browser).unwrap();
    let pre = sim.preflight.as_ref().unwrap();
    assert!(compare(pre, pre.status, &pre.headers).is_empty());
    let server = headers(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "PUT,GET"),
        ("access-control-max-age", "5"),
        ("vary", "origin"),
    ]);
    let diffs = compare(pre, StatusCode::OK, &server);
    assert_eq!(
        diffs,
        [
            Difference::Status {
                expected: 204,
                got: 200
            },
            Difference::Value {
                header: "Access-Control-Allow-Origin",
                expected: APP.into(),
                got: "*".into()
            },
            Difference::Unexpected {
                header: "Access-Control-Max-Age",
                got: "5".into()
            },
            Difference::VaryMissing {
                tokens: vec![
                    "Access-Control-Request-Method",
                    "Access-Control-Request-Headers"
                ]
            },
        ]
    );
}

#[test]
fn local_network_access_blocks_before_sending_from_insecure_pages() {
    let policy = policy(r#"allow_origins = ["http://site.example", "https://site.example"]"#);
    let insecure = FetchRequest::new("http://site.example", "GET")
        .target_space(Some(crate::TargetSpace::Loopback));
    let sim = simulate(&policy, &insecure, "/", Mode::Browser).unwrap();
    assert!(sim.preflight.is_none() && sim.actual.is_none());
    let Outcome::Blocked(b) = sim.outcome() else {
        panic!("an insecure page's local request is rejected");
    };
    assert_eq!(b.stage, Stage::Permission);
    assert_eq!(
        b.reason,
        BlockReason::LocalNetworkAccessInsecure("loopback-network")
    );
    assert!(b.to_string().contains("never sends the request"));
    let secure = FetchRequest::new("https://site.example", "GET")
        .target_space(Some(crate::TargetSpace::Loopback));
    let sim = simulate(&policy, &secure, "/", Mode::Browser).unwrap();
    assert_eq!(sim.outcome(), Outcome::Allowed);
    assert!(sim.local_network_access.is_some());
}
