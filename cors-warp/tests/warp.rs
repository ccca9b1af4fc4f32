//! The tree-wide service and server, and the per-filter wrapper.

use std::net::SocketAddr;

use cors_warp::{Policy, RemoteAddr};
use http::{HeaderMap, Request, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;
use warp::Filter;

const APP: &str = "https://app.example.com";

fn policy() -> Policy {
    Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com", "https://*.example.com"]
        allow_methods = ["GET", "PUT", "DELETE"]
        allow_headers = ["content-type", "x-token"]
        expose_headers = ["x-request-id"]
        allow_credentials = true
        "#,
    )
    .unwrap()
}

/// GET-only routes, so warp itself would answer 405/404 to anything else.
fn routes() -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
    use warp::Reply;
    let ok = warp::path!("ok")
        .and(warp::get())
        .map(|| warp::reply::with_header("ok", "x-handler", "reached").into_response());
    let vary = warp::path!("vary")
        .map(|| warp::reply::with_header("ok", "vary", "Accept-Encoding").into_response());
    let own = warp::path!("own-acao").map(|| {
        warp::reply::with_header(
            "ok",
            "access-control-allow-origin",
            "https://handler.invalid",
        )
        .into_response()
    });
    let needs_header = warp::path!("token")
        .and(warp::header::<String>("x-token"))
        .map(|t: String| t.into_response());
    let options = warp::path!("opt")
        .and(warp::options())
        .map(|| warp::reply::with_header("options", "x-handler", "reached").into_response());
    ok.or(vary)
        .unify()
        .or(own)
        .unify()
        .or(needs_header)
        .unify()
        .or(options)
        .unify()
}

fn preflight(path: &str, origin: &str, method: &str) -> Request<String> {
    Request::options(path)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .body(String::new())
        .unwrap()
}

fn request(method: &str, path: &str, origin: &str) -> Request<String> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("origin", origin)
        .body(String::new())
        .unwrap()
}

fn no_cors_headers(h: &HeaderMap) -> bool {
    h.keys().all(|k| !k.as_str().starts_with("access-control-"))
}

fn vary_tokens(h: &HeaderMap) -> Vec<String> {
    let mut t: Vec<String> = h
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    t.sort();
    t
}

#[tokio::test]
async fn service_answers_preflights_before_routing() {
    let svc = cors_warp::service(routes(), policy());
    // GET-only route: warp alone answers 405; unknown path: 404.
    for path in ["/ok", "/nowhere"] {
        let resp = svc
            .clone()
            .oneshot(preflight(path, APP, "DELETE"))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(resp.headers()["access-control-allow-origin"], APP);
        assert_eq!(
            resp.headers()["access-control-allow-methods"],
            "DELETE, GET, PUT"
        );
        assert!(resp.headers().get("x-handler").is_none());
    }
    let resp = svc
        .oneshot(preflight("/ok", "https://evil.test", "GET"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(no_cors_headers(resp.headers()));
}

#[tokio::test]
async fn service_covers_rejections_warp_renders() {
    let svc = cors_warp::service(routes(), policy());
    for (req, status) in [
        (request("GET", "/nowhere", APP), StatusCode::NOT_FOUND),
        (request("POST", "/ok", APP), StatusCode::METHOD_NOT_ALLOWED),
        (request("GET", "/token", APP), StatusCode::BAD_REQUEST),
    ] {
        let resp = svc.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), status);
        assert_eq!(
            resp.headers()["access-control-allow-origin"],
            APP,
            "{status}"
        );
        assert_eq!(
            resp.headers()["access-control-expose-headers"],
            "x-request-id"
        );
        assert_eq!(vary_tokens(resp.headers()), ["origin"]);
    }
}

#[tokio::test]
async fn service_replaces_handler_headers_and_merges_vary() {
    let svc = cors_warp::service(routes(), policy());
    let resp = svc
        .clone()
        .oneshot(request("GET", "/own-acao", "https://a.example.com"))
        .await
        .unwrap();
    let acao: Vec<_> = resp
        .headers()
        .get_all("access-control-allow-origin")
        .iter()
        .collect();
    assert_eq!(acao, ["https://a.example.com"]);

    let resp = svc
        .clone()
        .oneshot(request("GET", "/own-acao", "https://evil.test"))
        .await
        .unwrap();
    assert!(no_cors_headers(resp.headers()));

    let resp = svc.oneshot(request("GET", "/vary", APP)).await.unwrap();
    assert_eq!(vary_tokens(resp.headers()), ["accept-encoding", "origin"]);
}

#[tokio::test]
async fn service_passes_non_preflight_options_to_the_handler() {
    let svc = cors_warp::service(routes(), policy());
    let resp = svc.oneshot(request("OPTIONS", "/opt", APP)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["x-handler"], "reached");
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
}

#[tokio::test]
async fn wrap_answers_preflights_and_decorates_replies() {
    let routes = cors_warp::wrap(routes(), policy());
    let resp = warp::test::request()
        .method("OPTIONS")
        .path("/ok")
        .header("origin", APP)
        .header("access-control-request-method", "PUT")
        .reply(&routes)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(resp.headers().get("x-handler").is_none());

    let resp = warp::test::request()
        .path("/ok")
        .header("origin", APP)
        .reply(&routes)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
    assert_eq!(resp.headers()["x-handler"], "reached");
}

#[tokio::test]
async fn wrap_lets_rejections_through_so_other_filters_can_match() {
    let public = Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();
    let api = warp::path("api").and(cors_warp::wrap(routes(), policy()));
    let feed =
        warp::path("public").and(cors_warp::wrap(warp::path!("feed").map(|| "feed"), public));
    let all = api.or(feed);

    let resp = warp::test::request()
        .path("/public/feed")
        .header("origin", "https://other.test")
        .reply(&all)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");

    let resp = warp::test::request()
        .method("OPTIONS")
        .path("/api/ok")
        .header("origin", "https://other.test")
        .header("access-control-request-method", "GET")
        .reply(&all)
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let resp = warp::test::request()
        .method("OPTIONS")
        .path("/public/feed")
        .header("origin", "https://other.test")
        .header("access-control-request-method", "GET")
        .reply(&all)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn wrap_chains_with_wrap_fn() {
    let p = policy();
    let routes = routes().with(warp::wrap_fn(move |f| cors_warp::wrap(f, p.clone())));
    let resp = warp::test::request()
        .path("/vary")
        .header("origin", APP)
        .reply(&routes)
        .await;
    assert_eq!(resp.headers()["access-control-allow-origin"], APP);
    assert_eq!(vary_tokens(resp.headers()), ["accept-encoding", "origin"]);
}

async fn raw(addr: SocketAddr, request: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn server_serves_over_tcp_with_remote_addr() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = warp::path!("peer")
        .and(warp::ext::get::<RemoteAddr>())
        .map(|RemoteAddr(a): RemoteAddr| a.ip().to_string());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cors_warp::serve(peer, policy()).run_until(listener, async {
        let _ = stopped.await;
    }));

    let resp = raw(
        addr,
        "GET /peer HTTP/1.1\r\nhost: x\r\norigin: https://app.example.com\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(
        resp.contains("access-control-allow-origin: https://app.example.com"),
        "{resp}"
    );
    assert!(resp.ends_with("127.0.0.1"), "{resp}");

    let resp = raw(
        addr,
        "GET /nowhere HTTP/1.1\r\nhost: x\r\norigin: https://app.example.com\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 404"), "{resp}");
    assert!(
        resp.contains("access-control-allow-origin: https://app.example.com"),
        "{resp}"
    );

    stop.send(()).unwrap();
    server.await.unwrap();
}

/// Each request is decided exactly once, through `service` and through `wrap`.
#[tokio::test]
async fn each_request_is_decided_once() {
    let counter = cors_conformance::DecisionCounter::install();
    let requests = || {
        [
            preflight("/ok", APP, "PUT"),
            preflight("/ok", APP, "PATCH"),
            preflight("/nowhere", APP, "PUT"),
            request("GET", "/ok", APP),
            request("GET", "/nowhere", APP),
            request("POST", "/ok", APP),
            request("GET", "/ok", "https://evil.test"),
        ]
    };
    let svc = cors_warp::service(routes(), policy());
    for (i, req) in requests().into_iter().enumerate() {
        let _ = svc.clone().oneshot(req).await.unwrap();
        assert_eq!(counter.take(), 1, "service, request #{i}");
    }
    let wrapped = cors_warp::wrap(routes(), policy());
    for (i, req) in requests().into_iter().enumerate() {
        let mut test = warp::test::request()
            .method(req.method().as_str())
            .path(&req.uri().to_string());
        for (name, value) in req.headers() {
            test = test.header(name.as_str(), value.to_str().unwrap());
        }
        let _ = test.reply(&wrapped).await;
        // `wrap` rejects what its filter does not match, so warp may try the request
        // against nothing else here: still one decision.
        assert_eq!(counter.take(), 1, "wrap, request #{i}");
    }
}

#[tokio::test]
async fn origin_predicates_through_wrap_and_service() {
    use cors_warp::PolicySource;
    const TENANT: &str = "https://tenant-1.example.net";
    let dynamic = || {
        Policy::builder()
            .allow_origins([APP])
            .allow_methods(["GET", "PUT"])
            .dynamic_origins(true)
            .build()
            .unwrap()
    };
    let sync = PolicySource::from(dynamic()).allow_origin_fn(|o| o == TENANT);
    let answer = PolicySource::from(dynamic()).allow_origin_async(|o: String| async move {
        tokio::task::yield_now().await;
        o == TENANT
    });
    for source in [sync, answer] {
        let routes = cors_warp::wrap(warp::path!("ok").map(|| "ok"), source.clone());
        let service = cors_warp::service::<_, String>(warp::path!("ok").map(|| "ok"), source);
        for (origin, allowed) in [(TENANT, true), ("https://evil.example", false)] {
            let res = warp::test::request()
                .method("OPTIONS")
                .path("/ok")
                .header("origin", origin)
                .header("access-control-request-method", "PUT")
                .reply(&routes)
                .await;
            let want = if allowed { 204 } else { 403 };
            assert_eq!(res.status(), want, "{origin}");
            let res = warp::test::request()
                .path("/ok")
                .header("origin", origin)
                .reply(&routes)
                .await;
            assert_eq!(res.status(), 200);
            assert_eq!(
                res.headers().get("access-control-allow-origin").is_some(),
                allowed,
                "{origin}"
            );
            let req = Request::get("/ok")
                .header("origin", origin)
                .body(String::new())
                .unwrap();
            let res = service.clone().oneshot(req).await.unwrap();
            assert_eq!(
                res.headers().get("access-control-allow-origin").is_some(),
                allowed,
                "{origin}"
            );
        }
    }
}
