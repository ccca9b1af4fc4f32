//! The middleware inside actix-web apps: what reaches handlers, and which responses carry
//! the policy's headers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, Responder, test, web};
use cors_actix::{Cors, Policy};

const ORIGIN: &str = "https://app.example.com";

fn policy() -> Policy {
    Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "POST", "PUT"]
        allow_headers = ["content-type", "x-custom"]
        expose_headers = ["x-request-id"]
        allow_credentials = true
        "#,
    )
    .unwrap()
}

/// Counts handler calls, so tests can tell whether a request reached one.
#[derive(Clone, Default)]
struct Spy(Arc<AtomicUsize>);

impl Spy {
    fn calls(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

async fn spy_handler(spy: web::Data<Spy>) -> impl Responder {
    spy.0.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok()
        .insert_header(("x-handler", "reached"))
        .body("ok")
}

fn preflight(path: &str, method: &str) -> test::TestRequest {
    test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri(path)
        .insert_header(("origin", ORIGIN))
        .insert_header(("access-control-request-method", method))
}

fn get(path: &str) -> test::TestRequest {
    test::TestRequest::get()
        .uri(path)
        .insert_header(("origin", ORIGIN))
}

fn header<B>(res: &ServiceResponse<B>, name: &str) -> Vec<String> {
    res.headers()
        .get_all(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn assert_cors<B>(res: &ServiceResponse<B>) {
    assert_eq!(header(res, "access-control-allow-origin"), [ORIGIN]);
    assert_eq!(header(res, "access-control-allow-credentials"), ["true"]);
    assert_eq!(
        header(res, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert_eq!(header(res, "vary"), ["Origin"]);
}

fn app(
    spy: Spy,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(spy))
        .wrap(Cors::new(policy()))
        // A resource (not `App::route`, which moves the method guard to the resource) so
        // other methods get actix-web's 405.
        .service(web::resource("/get-only").route(web::get().to(spy_handler)))
        .route("/any", web::route().to(spy_handler))
        .route(
            "/json",
            web::post().to(|body: web::Json<u32>| async move { body.to_string() }),
        )
        .route(
            "/own-acao",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .insert_header(("access-control-allow-origin", "https://handler.invalid"))
                    .insert_header(("access-control-allow-methods", "DELETE"))
                    .finish()
            }),
        )
        .route(
            "/vary",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .insert_header(("vary", "Accept-Encoding"))
                    .finish()
            }),
        )
        .route(
            "/fail",
            web::get().to(|| async {
                Err::<HttpResponse, _>(actix_web::error::ErrorInternalServerError("boom"))
            }),
        )
}

#[actix_web::test]
async fn preflight_is_answered_without_the_handler() {
    let spy = Spy::default();
    let app = test::init_service(app(spy.clone())).await;
    for path in ["/any", "/get-only", "/nowhere"] {
        let res = test::call_service(&app, preflight(path, "PUT").to_request()).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(header(&res, "access-control-allow-origin"), [ORIGIN]);
        assert_eq!(
            header(&res, "access-control-allow-methods"),
            ["GET, POST, PUT"]
        );
        assert_eq!(
            header(&res, "vary"),
            ["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
        );
        assert!(header(&res, "x-handler").is_empty());
        assert!(test::read_body(res).await.is_empty());
    }
    // Denied: 403, no Access-Control-* headers.
    let res = test::call_service(&app, preflight("/any", "DELETE").to_request()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(header(&res, "access-control-allow-origin").is_empty());
    assert_eq!(spy.calls(), 0);
}

#[actix_web::test]
async fn options_without_request_method_reaches_the_handler() {
    let spy = Spy::default();
    let app = test::init_service(app(spy.clone())).await;
    let req = test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/any")
        .insert_header(("origin", ORIGIN))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "x-handler"), ["reached"]);
    assert_cors(&res);
    assert_eq!(spy.calls(), 1);
}

#[actix_web::test]
async fn framework_responses_carry_the_headers() {
    let spy = Spy::default();
    let app = test::init_service(app(spy.clone())).await;

    // Unknown route: actix-web's 404.
    let res = test::call_service(&app, get("/nowhere").to_request()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_cors(&res);

    // Known route, wrong method: 405.
    let req = get("/get-only").method(Method::DELETE).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_cors(&res);

    // Extractor error: 400.
    let req = get("/json")
        .method(Method::POST)
        .insert_header(("content-type", "application/json"))
        .set_payload("not json")
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_cors(&res);

    // Payload too large: 413.
    let req = get("/json")
        .method(Method::POST)
        .insert_header(("content-type", "application/json"))
        .set_payload(vec![b'1'; 3 << 20])
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_cors(&res);

    // A handler's error: 500.
    let res = test::call_service(&app, get("/fail").to_request()).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_cors(&res);
}

#[actix_web::test]
async fn errors_of_inner_middleware_carry_the_headers() {
    // An inner middleware failing with `Err` (as authentication middleware do): the
    // response actix-web renders from the error still gets the headers.
    let app = test::init_service(
        App::new()
            .wrap(from_fn(
                |_req: ServiceRequest,
                 _next: actix_web::middleware::Next<actix_web::body::BoxBody>| async {
                    Err::<ServiceResponse, _>(actix_web::error::ErrorUnauthorized("no token"))
                },
            ))
            .wrap(Cors::new(policy()))
            .route("/", web::get().to(HttpResponse::Ok)),
    )
    .await;
    let err = test::try_call_service(&app, get("/").to_request())
        .await
        .expect_err("the inner middleware fails");
    let res = err.error_response();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some(ORIGIN)
    );
    assert_eq!(
        res.headers().get("vary").map(|v| v.to_str().unwrap()),
        Some("Origin")
    );
    // Rendering twice gives the same response.
    assert_eq!(
        err.error_response()
            .headers()
            .get("access-control-allow-credentials")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );

    // Preflights never reach the failing middleware.
    let res = test::call_service(&app, preflight("/", "PUT").to_request()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn handler_headers_are_replaced_and_vary_merged() {
    let spy = Spy::default();
    let app = test::init_service(app(spy.clone())).await;

    let res = test::call_service(&app, get("/own-acao").to_request()).await;
    assert_cors(&res);
    assert!(header(&res, "access-control-allow-methods").is_empty());

    let req = get("/own-acao")
        .insert_header(("origin", "https://evil.example.net"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert!(header(&res, "access-control-allow-origin").is_empty());

    let res = test::call_service(&app, get("/vary").to_request()).await;
    assert_eq!(header(&res, "vary"), ["Accept-Encoding", "Origin"]);

    // Not CORS: only Vary.
    let req = test::TestRequest::get().uri("/vary").to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(header(&res, "vary"), ["Accept-Encoding", "Origin"]);
    assert!(header(&res, "access-control-allow-origin").is_empty());
}

#[actix_web::test]
async fn scopes_have_their_own_policies() {
    let public = Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();
    let spy = Spy::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(spy.clone()))
            .service(
                web::scope("/public")
                    .wrap(Cors::new(public))
                    .route("/feed", web::get().to(spy_handler)),
            )
            .service(
                web::scope("/api")
                    .wrap(Cors::new(policy()))
                    .route("/me", web::get().to(spy_handler)),
            )
            .route("/plain", web::get().to(spy_handler)),
    )
    .await;

    let res = test::call_service(&app, get("/public/feed").to_request()).await;
    assert_eq!(header(&res, "access-control-allow-origin"), ["*"]);
    assert!(header(&res, "vary").is_empty());

    let res = test::call_service(&app, get("/api/me").to_request()).await;
    assert_cors(&res);

    // A preflight under a scope, to a path without any route there.
    let res = test::call_service(&app, preflight("/api/nowhere", "PUT").to_request()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&res, "access-control-allow-origin"), [ORIGIN]);

    // Outside every scope: untouched.
    let res = test::call_service(&app, get("/plain").to_request()).await;
    assert!(header(&res, "access-control-allow-origin").is_empty());
    assert!(header(&res, "vary").is_empty());
    assert_eq!(spy.calls(), 3);
}

#[actix_web::test]
async fn echoed_values_are_byte_for_byte() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = "*"
        allow_headers = "*"
        allow_credentials = true
        "#,
    )
    .unwrap();
    let app = test::init_service(
        App::new()
            .wrap(Cors::new(policy))
            .route("/", web::get().to(HttpResponse::Ok)),
    )
    .await;
    let req = test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/")
        .insert_header(("origin", "HTTPS://App.Example.com:443"))
        .insert_header(("access-control-request-method", "PATCH"))
        .append_header(("access-control-request-headers", "X-One"))
        .append_header(("access-control-request-headers", "x-two, x-three"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&res, "access-control-allow-origin"),
        ["HTTPS://App.Example.com:443"]
    );
    assert_eq!(header(&res, "access-control-allow-methods"), ["PATCH"]);
    assert_eq!(
        header(&res, "access-control-allow-headers"),
        ["X-One", "x-two, x-three"]
    );
}

#[actix_web::test]
async fn from_path_reports_the_core_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "allow_origins = [\"https://a.example.com/path\"]\n").unwrap();
    let err = Cors::from_path(&path).unwrap_err().to_string();
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("allow_origins"), "{err}");
}

#[actix_web::test]
async fn continued_preflights_reach_the_handler_with_mirrored_headers() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = "*"
        allow_headers = "*"
        allow_credentials = true
        max_age = 60
        preflight_continue = true
        "#,
    )
    .unwrap();
    let spy = Spy::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(spy.clone()))
            .wrap(Cors::new(policy))
            .route("/any", web::route().to(spy_handler)),
    )
    .await;
    let req = preflight("/any", "PATCH")
        .append_header(("access-control-request-headers", "X-One"))
        .append_header(("access-control-request-headers", "x-two, x-three"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "x-handler"), ["reached"]);
    assert_eq!(header(&res, "access-control-allow-origin"), [ORIGIN]);
    assert_eq!(header(&res, "access-control-allow-credentials"), ["true"]);
    assert_eq!(header(&res, "access-control-allow-methods"), ["PATCH"]);
    assert_eq!(
        header(&res, "access-control-allow-headers"),
        ["X-One", "x-two, x-three"]
    );
    assert_eq!(header(&res, "access-control-max-age"), ["60"]);
    assert_eq!(spy.calls(), 1);

    // Denied preflights are still answered without the handler.
    let req = preflight("/any", "TRACE").to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(spy.calls(), 1);
}

/// Each request is decided exactly once: answered preflights (allowed and denied),
/// forwarded requests of every kind, a handler error, actix-web's own 404 and 405.
#[actix_web::test]
async fn each_request_is_decided_once() {
    let counter = cors_conformance::DecisionCounter::install();
    let app = test::init_service(app(Spy::default())).await;
    let requests = [
        preflight("/any", "PUT"),
        preflight("/any", "PATCH"),
        preflight("/nowhere", "PUT"),
        get("/any"),
        get("/fail"),
        get("/nowhere"),
        test::TestRequest::post()
            .uri("/get-only")
            .insert_header(("origin", ORIGIN)),
        test::TestRequest::get()
            .uri("/any")
            .insert_header(("origin", "https://evil.example")),
        test::TestRequest::get().uri("/any"),
        test::TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/any")
            .insert_header(("origin", ORIGIN)),
    ];
    for (i, req) in requests.into_iter().enumerate() {
        let _ = test::call_service(&app, req.to_request()).await;
        assert_eq!(counter.take(), 1, "request #{i}");
    }
}

const TENANT: &str = "https://tenant-1.example.net";

fn dynamic() -> Policy {
    Policy::builder()
        .allow_origins([ORIGIN])
        .allow_methods(["GET", "PUT"])
        .allow_credentials(true)
        .dynamic_origins(true)
        .build()
        .unwrap()
}

fn from(origin: &str, req: test::TestRequest) -> test::TestRequest {
    req.insert_header(("origin", origin))
}

#[actix_web::test]
async fn origin_predicates_sync_and_async() {
    let sync = Cors::new(dynamic()).allow_origin_fn(|o| o == TENANT);
    let answer = Cors::new(dynamic()).allow_origin_async(|o: String| async move {
        actix_web::rt::task::yield_now().await;
        o == TENANT
    });
    for cors in [sync, answer] {
        let spy = Spy::default();
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(spy.clone()))
                .wrap(cors)
                .default_service(web::to(spy_handler)),
        )
        .await;
        let res = test::call_service(&app, from(TENANT, preflight("/x", "PUT")).to_request()).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(header(&res, "access-control-allow-origin"), [TENANT]);
        let res = test::call_service(
            &app,
            from("https://evil.example", preflight("/x", "PUT")).to_request(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(header(&res, "access-control-allow-origin").is_empty());
        assert_eq!(spy.calls(), 0);
        let res = test::call_service(
            &app,
            from(TENANT, test::TestRequest::get().uri("/x")).to_request(),
        )
        .await;
        assert_eq!(header(&res, "access-control-allow-origin"), [TENANT]);
        assert_eq!(header(&res, "access-control-allow-credentials"), ["true"]);
        assert_eq!(header(&res, "x-handler"), ["reached"]);
        let res = test::call_service(
            &app,
            from("https://evil.example", test::TestRequest::get().uri("/x")).to_request(),
        )
        .await;
        assert!(header(&res, "access-control-allow-origin").is_empty());
        assert_eq!(header(&res, "vary"), ["Origin"]);
        assert_eq!(spy.calls(), 2);
        // Listed origins are decided without the predicate.
        let res = test::call_service(&app, get("/x").to_request()).await;
        assert_eq!(header(&res, "access-control-allow-origin"), [ORIGIN]);
    }
}
