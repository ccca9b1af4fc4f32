//! The layer over tower services and axum routers, driven with `ServiceExt::oneshot`.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use axum::routing::{any, get};
use cors_axum::{CorsLayer, Policy};
use http_body_util::BodyExt;
use tower::{ServiceBuilder, ServiceExt, service_fn};

const APP: &str = "https://app.example.com";

fn policy() -> Policy {
    Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com", "https://*.example.com"]
        allow_methods = ["GET", "PUT", "DELETE"]
        allow_headers = ["content-type", "x-token"]
        expose_headers = ["x-request-id"]
        allow_credentials = true
        max_age = 600
        "#,
    )
    .unwrap()
}

/// A tower service that counts its calls and answers 200 `inner`.
fn spy() -> (
    Arc<AtomicUsize>,
    impl tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone,
) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let svc = service_fn(move |_req: Request<Body>| {
        seen.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, Infallible>(Response::new(Body::from("inner"))) }
    });
    (calls, svc)
}

fn preflight(path: &str, origin: &str, method: &str) -> Request<Body> {
    Request::options(path)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .body(Body::empty())
        .unwrap()
}

fn get_from(path: &str, origin: &str) -> Request<Body> {
    Request::get(path)
        .header("origin", origin)
        .body(Body::empty())
        .unwrap()
}

fn all(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn vary_tokens(headers: &HeaderMap) -> Vec<String> {
    let mut tokens: Vec<String> = all(headers, "vary")
        .iter()
        .flat_map(|l| l.split(',').map(|t| t.trim().to_ascii_lowercase()))
        .filter(|t| !t.is_empty())
        .collect();
    tokens.sort();
    tokens
}

async fn body(resp: Response<Body>) -> String {
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The contract routes of the example servers, in miniature.
fn router() -> Router {
    Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/any", any(|| async { ([("x-handler", "reached")], "ok") }))
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .route(
            "/vary",
            get(|| async { ([("vary", "Accept-Encoding")], "ok") }),
        )
        .route(
            "/own-acao",
            get(|| async {
                (
                    [
                        ("access-control-allow-origin", "https://handler.invalid"),
                        ("access-control-allow-credentials", "true"),
                    ],
                    "ok",
                )
            }),
        )
}

#[tokio::test]
async fn allowed_preflight_is_answered_without_calling_inner() {
    let (calls, svc) = spy();
    let svc = CorsLayer::new(policy()).layer_on(svc);
    let resp = svc.oneshot(preflight("/x", APP, "PUT")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], APP);
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-allow-methods"], "DELETE, GET, PUT");
    assert_eq!(h["access-control-max-age"], "600");
    assert!(h.get("access-control-expose-headers").is_none());
    assert_eq!(
        vary_tokens(h),
        [
            "access-control-request-headers",
            "access-control-request-method",
            "origin"
        ]
    );
    assert_eq!(body(resp).await, "");
}

#[tokio::test]
async fn denied_preflight_is_403_without_cors_headers_or_inner() {
    let (calls, svc) = spy();
    let svc = CorsLayer::new(policy()).layer_on(svc);
    let resp = svc
        .clone()
        .oneshot(preflight("/x", "https://evil.test", "PUT"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(
        resp.headers()
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    );
    assert!(vary_tokens(resp.headers()).contains(&"origin".to_owned()));

    let resp = svc.oneshot(preflight("/x", APP, "PATCH")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn options_without_request_method_reaches_the_handler() {
    let (calls, svc) = spy();
    let svc = CorsLayer::new(policy()).layer_on(svc);
    let req = Request::options("/x")
        .header("origin", APP)
        .body(Body::empty())
        .unwrap();
    let resp = svc.oneshot(req).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
    assert_eq!(body(resp).await, "inner");
}

#[tokio::test]
async fn preflight_continue_reaches_the_handler_with_preflight_headers() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        preflight_continue = true
        "#,
    )
    .unwrap();
    let (calls, svc) = spy();
    let resp = CorsLayer::new(policy)
        .layer_on(svc)
        .oneshot(preflight("/x", APP, "GET"))
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
    assert!(resp.headers().contains_key("access-control-allow-methods"));
}

#[tokio::test]
async fn request_without_origin_gets_vary_origin_only() {
    let (calls, svc) = spy();
    let req = Request::get("/x").body(Body::empty()).unwrap();
    let resp = CorsLayer::new(policy())
        .layer_on(svc)
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(all(resp.headers(), "vary"), ["Origin"]);
    assert!(
        resp.headers()
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    );
}

#[tokio::test]
async fn inner_errors_pass_through() {
    let svc = service_fn(|_req: Request<Body>| async {
        Err::<Response<Body>, _>(std::io::Error::other("down"))
    });
    let err = CorsLayer::new(policy())
        .layer_on(svc)
        .oneshot(get_from("/x", APP))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "down");
}

#[tokio::test]
async fn router_preflight_to_route_without_options_handler_is_answered() {
    let app = router().layer(CorsLayer::new(policy()));
    // `/ok` has only a GET handler: without the layer axum would answer 405.
    let resp = app
        .clone()
        .oneshot(preflight("/ok", APP, "DELETE"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
    // No route at all: not axum's 404 either.
    let resp = app
        .oneshot(preflight("/nowhere", "https://a.b.example.com", "PUT"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://a.b.example.com"
    );
}

#[tokio::test]
async fn router_generated_404_and_405_and_handler_500_carry_headers() {
    let app = router().layer(CorsLayer::new(policy()));
    for (req, status) in [
        (get_from("/nowhere", APP), StatusCode::NOT_FOUND),
        (
            Request::post("/ok")
                .header("origin", APP)
                .body(Body::empty())
                .unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (get_from("/fail", APP), StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), status);
        let h = resp.headers();
        assert_eq!(all(h, "access-control-allow-origin"), [APP], "{status}");
        assert_eq!(h["access-control-allow-credentials"], "true");
        assert_eq!(h["access-control-expose-headers"], "x-request-id");
        assert_eq!(vary_tokens(h), ["origin"]);
    }
}

#[tokio::test]
async fn handler_set_cors_headers_are_replaced() {
    let app = router().layer(CorsLayer::new(policy()));
    let resp = app
        .clone()
        .oneshot(get_from("/own-acao", APP))
        .await
        .unwrap();
    assert_eq!(all(resp.headers(), "access-control-allow-origin"), [APP]);
    assert_eq!(
        all(resp.headers(), "access-control-allow-credentials"),
        ["true"]
    );

    // A disallowed origin gets none, not the handler's.
    let resp = app
        .oneshot(get_from("/own-acao", "https://evil.test"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    );
    assert_eq!(vary_tokens(resp.headers()), ["origin"]);
}

#[tokio::test]
async fn vary_is_merged_with_the_handlers() {
    let app = router().layer(CorsLayer::new(policy()));
    let resp = app.oneshot(get_from("/vary", APP)).await.unwrap();
    assert_eq!(vary_tokens(resp.headers()), ["accept-encoding", "origin"]);
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
}

#[tokio::test]
async fn per_route_policies_with_nested_routers() {
    let api = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "PUT"]
        allow_credentials = true
        "#,
    )
    .unwrap();
    let public = Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();
    let app: Router = Router::new()
        .nest(
            "/api",
            Router::new()
                .route("/items", get(|| async { "items" }))
                .layer(CorsLayer::new(api)),
        )
        .merge(
            Router::new()
                .route("/feed", get(|| async { "feed" }))
                .layer(CorsLayer::new(public)),
        );

    let resp = app
        .clone()
        .oneshot(preflight("/api/items", APP, "PUT"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
    assert_eq!(resp.headers()["access-control-allow-credentials"], "true");

    let resp = app
        .clone()
        .oneshot(preflight("/api/items", "https://other.test", "PUT"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let resp = app
        .clone()
        .oneshot(get_from("/feed", "https://other.test"))
        .await
        .unwrap();
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert!(resp.headers().get("vary").is_none());

    let resp = app
        .oneshot(preflight("/feed", "https://other.test", "POST"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn route_layer_covers_matched_routes_only() {
    let app = router().route_layer(CorsLayer::new(policy()));
    let resp = app
        .clone()
        .oneshot(preflight("/any", APP, "PUT"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(resp.headers().get("x-handler").is_none());

    let resp = app.clone().oneshot(get_from("/any", APP)).await.unwrap();
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);

    // As documented: unmatched paths never see a route layer.
    let resp = app.oneshot(get_from("/nowhere", APP)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn service_builder_and_router_as_inner_service() {
    // The whole router wrapped once, as a hyper or tower user would.
    let svc = ServiceBuilder::new()
        .layer(CorsLayer::new(policy()))
        .service(router());
    let resp = svc
        .clone()
        .oneshot(preflight("/nowhere", APP, "GET"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = svc.oneshot(get_from("/nowhere", APP)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
}

#[tokio::test]
async fn preflight_status_200_and_mirrored_header_lines() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_headers = "*"
        allow_credentials = true
        preflight_status = 200
        "#,
    )
    .unwrap();
    let req = Request::options("/x")
        .header("origin", APP)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-a, x-b")
        .header("access-control-request-headers", "x-c")
        .body(Body::empty())
        .unwrap();
    let resp = router()
        .layer(CorsLayer::new(policy))
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let names: Vec<String> = all(resp.headers(), "access-control-allow-headers")
        .iter()
        .flat_map(|l| l.split(',').map(|t| t.trim().to_owned()))
        .collect();
    assert_eq!(names, ["x-a", "x-b", "x-c"]);
}

/// Applies a layer to a service (spelled out so the tests read top-down).
trait LayerOn {
    fn layer_on<S>(&self, svc: S) -> cors_axum::Cors<S>;
}

impl LayerOn for CorsLayer {
    fn layer_on<S>(&self, svc: S) -> cors_axum::Cors<S> {
        tower::Layer::layer(self, svc)
    }
}

/// Each request is decided exactly once, whether answered or forwarded.
#[tokio::test]
async fn each_request_is_decided_once() {
    let counter = cors_conformance::DecisionCounter::install();
    let app = router().layer(CorsLayer::new(policy()));
    let requests = [
        preflight("/any", APP, "PUT"),
        preflight("/any", APP, "PATCH"),
        preflight("/any", "https://evil.example", "PUT"),
        get_from("/any", APP),
        get_from("/fail", APP),
        get_from("/nowhere", APP),
        get_from("/any", "https://evil.example"),
        Request::get("/any").body(Body::empty()).unwrap(),
    ];
    for (i, req) in requests.into_iter().enumerate() {
        let _ = app.clone().oneshot(req).await.unwrap();
        assert_eq!(counter.take(), 1, "request #{i}");
    }
}

/// A policy leaving unlisted origins to the predicate, and one tenant it allows.
fn dynamic(extra: &str) -> Policy {
    Policy::from_toml_str(&format!(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "PUT"]
        allow_credentials = true
        dynamic_origins = true
        {extra}
        "#
    ))
    .unwrap()
}

const TENANT: &str = "https://tenant-1.example.net";

#[tokio::test]
async fn sync_origin_predicate_allows_unlisted_origins() {
    let (calls, svc) = spy();
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = asked.clone();
    let cors = CorsLayer::new(dynamic("")).allow_origin_fn(move |origin| {
        seen.fetch_add(1, Ordering::SeqCst);
        origin == TENANT
    });
    let svc = ServiceBuilder::new().layer(cors).service(svc);
    let res = svc
        .clone()
        .oneshot(preflight("/x", TENANT, "PUT"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(res.headers()["access-control-allow-origin"], TENANT);
    let res = svc.clone().oneshot(get_from("/x", TENANT)).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], TENANT);
    assert_eq!(res.headers()["access-control-allow-credentials"], "true");
    let res = svc
        .clone()
        .oneshot(preflight("/x", "https://evil.example", "PUT"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Listed origins never reach the predicate.
    svc.clone().oneshot(get_from("/x", APP)).await.unwrap();
    assert_eq!(asked.load(Ordering::SeqCst), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn async_origin_predicate_answers_before_the_preflight() {
    let (calls, svc) = spy();
    let cors = CorsLayer::new(dynamic("")).allow_origin_async(|origin: String| async move {
        tokio::task::yield_now().await;
        origin == TENANT
    });
    let svc = ServiceBuilder::new().layer(cors).service(svc);
    let res = svc
        .clone()
        .oneshot(preflight("/x", TENANT, "PUT"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(res.headers()["access-control-allow-methods"], "GET, PUT");
    assert_eq!(
        res.headers()["vary"],
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    );
    let res = svc
        .clone()
        .oneshot(preflight("/x", "https://evil.example", "PUT"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "preflights never reach the handler"
    );
    // Actual requests: the handler runs either way; only a yes gets the grant.
    let res = svc.clone().oneshot(get_from("/x", TENANT)).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], TENANT);
    assert_eq!(res.into_body().collect().await.unwrap().to_bytes(), "inner");
    let res = svc
        .clone()
        .oneshot(get_from("/x", "https://evil.example"))
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_eq!(res.headers()["vary"], "Origin");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn async_predicate_with_preflight_continue_drops_a_refused_handler() {
    let (calls, svc) = spy();
    let cors = CorsLayer::new(dynamic("preflight_continue = true"))
        .allow_origin_async(|origin: String| async move { origin == TENANT });
    let svc = ServiceBuilder::new().layer(cors).service(svc);
    let res = svc
        .clone()
        .oneshot(preflight("/x", TENANT, "PUT"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["access-control-allow-origin"], TENANT);
    assert_eq!(res.into_body().collect().await.unwrap().to_bytes(), "inner");
    let res = svc
        .clone()
        .oneshot(preflight("/x", "https://evil.example", "PUT"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );
    // Started at once (the request cannot wait without a clone of the service); the
    // refused one's response was dropped for the 403.
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
