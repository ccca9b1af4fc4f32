//! Dynamic origins: the origin predicate is asked only where `dynamic_origins` is set,
//! only for unlisted well-formed origins, and its "yes" grants what a listed origin gets.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use cors_core::{
    Action, Answer, AskOrigin, Decision, DenialKind, Policy, PolicySource, RequestKind,
};
use http::{HeaderMap, Request, StatusCode};

const POLICY: &str = r#"
    allow_origins = ["https://app.example.com"]
    allow_methods = ["GET", "PUT"]
    allow_headers = ["x-a"]
    expose_headers = ["x-id"]
    allow_credentials = true
    max_age = 60
    dynamic_origins = true

    [[routes]]
    path = "/static"
    dynamic_origins = false
"#;

fn policy() -> Policy {
    Policy::from_toml_str(POLICY).unwrap()
}

/// A sync predicate allowing `tenant-*.example.net`, counting its calls.
fn counting() -> (PolicySource, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let source = PolicySource::from(policy()).allow_origin_fn(move |origin| {
        seen.fetch_add(1, Ordering::SeqCst);
        origin.starts_with("https://tenant-") && origin.ends_with(".example.net")
    });
    (source, calls)
}

fn get(path: &str, origin: &[u8]) -> Request<()> {
    Request::get(path)
        .header("origin", origin)
        .body(())
        .unwrap()
}

fn preflight(path: &str, origin: &str) -> Request<()> {
    Request::options(path)
        .header("origin", origin)
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "x-a")
        .body(())
        .unwrap()
}

/// What an adapter does: decide, then ask the predicate about a pending origin.
fn decide<'a>(
    source: &PolicySource,
    policy: &'a Policy,
    req: &'a Request<()>,
    target: &'a [u8],
) -> Result<Decision<'a, http::HeaderValue>, Box<AskOrigin>> {
    let decision = policy.decide_at(req, target);
    if decision.pending_origin().is_none() {
        return Ok(decision);
    }
    match source.ask_origin(policy, req, target, &decision) {
        Answer::Refused => Ok(decision),
        Answer::Allowed(allowed) => Ok(allowed),
        Answer::Ask(ask) => Err(ask),
    }
}

fn ready<'a>(
    d: Result<Decision<'a, http::HeaderValue>, Box<AskOrigin>>,
) -> Decision<'a, http::HeaderValue> {
    d.unwrap_or_else(|a| panic!("a sync predicate never asks: {a:?}"))
}

#[test]
fn a_yes_grants_what_a_listed_origin_gets() {
    let (source, calls) = counting();
    let policy = source.current();
    let req = get("/api", b"https://tenant-7.example.net");
    let d = ready(decide(&source, &policy, &req, b"/api"));
    assert!(d.is_allowed(), "{d:?}");
    let mut h = HeaderMap::new();
    d.apply(&mut h);
    assert_eq!(
        h["access-control-allow-origin"],
        "https://tenant-7.example.net"
    );
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-expose-headers"], "x-id");
    assert_eq!(h["vary"], "Origin");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let req = preflight("/api", "https://tenant-7.example.net");
    let d = ready(decide(&source, &policy, &req, b"/api"));
    assert_eq!(d.action(), Action::Respond(StatusCode::NO_CONTENT));
    let mut h = HeaderMap::new();
    d.apply(&mut h);
    assert_eq!(h["access-control-allow-methods"], "GET, PUT");
    assert_eq!(h["access-control-max-age"], "60");
    // The preflight's other checks still apply after a yes.
    let req = Request::options("/api")
        .header("origin", "https://tenant-7.example.net")
        .header("access-control-request-method", "DELETE")
        .body(())
        .unwrap();
    let d = ready(decide(&source, &policy, &req, b"/api"));
    assert_eq!(
        d.denial().map(|d| d.kind()),
        Some(DenialKind::MethodNotAllowed)
    );
}

#[test]
fn a_no_leaves_the_denial() {
    let (source, calls) = counting();
    let policy = source.current();
    let req = get("/api", b"https://evil.example");
    let d = ready(decide(&source, &policy, &req, b"/api"));
    assert_eq!(
        d.denial().map(|d| d.kind()),
        Some(DenialKind::OriginNotAllowed)
    );
    assert_eq!(d.pending_origin(), Some("https://evil.example"));
    let mut h = HeaderMap::new();
    d.apply(&mut h);
    assert!(h.get("access-control-allow-origin").is_none());
    let req = preflight("/api", "https://evil.example");
    let d = ready(decide(&source, &policy, &req, b"/api"));
    assert_eq!(d.action(), Action::Respond(StatusCode::FORBIDDEN));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn asked_only_where_and_when_the_policy_says() {
    let (source, calls) = counting();
    let policy = source.current();
    // Listed: never asked.
    let req = get("/api", b"https://app.example.com");
    assert!(ready(decide(&source, &policy, &req, b"/api")).is_allowed());
    // Malformed, or two origins: denied before any question.
    for origin in [
        &b"https://tenant-1.example.net/"[..],
        b"tenant-1",
        b"https://tenant-\xff",
    ] {
        let req = get("/api", origin);
        let d = ready(decide(&source, &policy, &req, b"/api"));
        assert!(!d.is_allowed());
        assert_eq!(d.pending_origin(), None);
    }
    let req = Request::get("/api")
        .header("origin", "https://tenant-1.example.net")
        .header("origin", "https://tenant-2.example.net")
        .body(())
        .unwrap();
    assert!(!ready(decide(&source, &policy, &req, b"/api")).is_allowed());
    // A route that turns it off, and a path not in normal form.
    let req = get("/static/x", b"https://tenant-1.example.net");
    let d = ready(decide(&source, &policy, &req, b"/static/x"));
    assert_eq!(d.route(), Some("/static"));
    assert!(!d.is_allowed());
    assert_eq!(d.pending_origin(), None);
    let req = get("/a/../static", b"https://tenant-1.example.net");
    let d = ready(decide(&source, &policy, &req, b"/a/../static"));
    assert_eq!(
        d.denial().map(|d| d.kind()),
        Some(DenialKind::PathNotNormal)
    );
    // Not CORS.
    let req = Request::get("/api").body(()).unwrap();
    let d = ready(decide(&source, &policy, &req, b"/api"));
    assert_eq!(d.kind(), RequestKind::NotCors);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn without_a_predicate_only_the_listed_origins() {
    let source = PolicySource::from(policy());
    let policy = source.current();
    let req = get("/api", b"https://tenant-1.example.net");
    let d = ready(decide(&source, &policy, &req, b"/api"));
    assert!(!d.is_allowed());
    assert_eq!(d.pending_origin(), Some("https://tenant-1.example.net"));
    assert!(matches!(
        source.ask_origin(&policy, &req, b"/api", &d),
        Answer::Refused
    ));
}

#[test]
fn an_async_predicate_is_asked_through_the_adapter() {
    let source = PolicySource::from(policy()).allow_origin_async(|origin: String| async move {
        origin == "https://tenant-1.example.net"
    });
    assert!(source.predicate().is_some_and(|p| p.is_async()));
    let policy = source.current();
    let mut cx = Context::from_waker(Waker::noop());
    for (origin, allowed) in [
        ("https://tenant-1.example.net", true),
        ("https://tenant-2.example.net", false),
    ] {
        let req = preflight("/api", origin);
        let Err(mut ask) = decide(&source, &policy, &req, b"/api") else {
            panic!("an unlisted origin asks");
        };
        assert_eq!(ask.kind(), RequestKind::Preflight);
        assert!(!ask.forwards_if_allowed());
        assert_eq!(ask.poll_verdict(&mut cx), Poll::Ready(allowed));
        let d = ask.decide(allowed);
        assert_eq!(d.is_allowed(), allowed);
        let mut h = HeaderMap::new();
        d.apply(&mut h);
        assert_eq!(
            h.get("access-control-allow-origin").is_some(),
            allowed,
            "{h:?}"
        );
        // The copy keeps every line of the CORS request headers.
        if allowed {
            assert_eq!(h["access-control-allow-headers"], "x-a");
        }
    }
    let req = get("/api", b"https://tenant-1.example.net");
    let Err(ask) = decide(&source, &policy, &req, b"/api") else {
        panic!("an unlisted origin asks");
    };
    assert!(ask.forwards_if_allowed());
    assert_eq!(ask.kind(), RequestKind::Actual);
    assert!(format!("{ask:?}").contains("tenant-1"));
}

#[test]
fn a_predicate_on_a_policy_without_dynamic_origins_is_never_asked() {
    let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#).unwrap();
    assert!(!policy.has_dynamic_origins());
    let source = PolicySource::from(policy.clone()).allow_origin_fn(|_| true);
    let req = get("/api", b"https://tenant-1.example.net");
    assert!(!ready(decide(&source, &policy, &req, b"/api")).is_allowed());
}

#[test]
fn predicates_and_answers_describe_themselves() {
    let sync = cors_core::OriginPredicate::new(|_| true);
    let asynchronous = cors_core::OriginPredicate::new_async(|_| async { true });
    assert!(!sync.is_async());
    assert!(asynchronous.is_async());
    assert_eq!(format!("{sync:?}"), "OriginPredicate(sync)");
    assert_eq!(format!("{asynchronous:?}"), "OriginPredicate(async)");
    let refused: Answer<'_, http::HeaderValue> = Answer::Refused;
    assert_eq!(format!("{refused:?}"), "Refused");

    // The awaited verdict, the request target kept for the log, and the Debug of each
    // answer kind.
    let source = PolicySource::from(policy())
        .allow_origin_async(|origin: String| async move { origin.ends_with(".example.net") });
    let policy = source.current();
    let req = get("/api?x=1", b"https://tenant-1.example.net");
    let decision = policy.decide_at(&req, b"/api?x=1");
    let answer = source.ask_origin(&policy, &req, b"/api?x=1", &decision);
    assert!(
        format!("{answer:?}").starts_with("Ask(AskOrigin"),
        "{answer:?}"
    );
    let Answer::Ask(mut ask) = answer else {
        panic!("an async predicate asks");
    };
    assert_eq!(ask.target(), b"/api?x=1");
    assert_eq!(ask.policy(), &policy);
    let mut cx = Context::from_waker(Waker::noop());
    let mut verdict = std::pin::pin!(ask.verdict());
    assert_eq!(verdict.as_mut().poll(&mut cx), Poll::Ready(true));
    let other = get("/api", b"https://tenant.example.org");
    let other_decision = policy.decide_at(&other, b"/api");
    let Answer::Ask(mut refused) = source.ask_origin(&policy, &other, b"/api", &other_decision)
    else {
        panic!("an async predicate asks");
    };
    let mut verdict = std::pin::pin!(refused.verdict());
    assert_eq!(verdict.as_mut().poll(&mut cx), Poll::Ready(false));

    let sync_source = PolicySource::from(policy.clone()).allow_origin_fn(|o| o.ends_with(".net"));
    let allowed = sync_source.ask_origin(&policy, &req, b"/api?x=1", &decision);
    assert!(
        format!("{allowed:?}").starts_with("Allowed(Decision"),
        "{allowed:?}"
    );
}
