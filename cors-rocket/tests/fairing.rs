//! The fairing inside Rocket apps: what reaches handlers, and which responses carry the
//! policy's headers.

use std::sync::atomic::{AtomicUsize, Ordering};

use cors_rocket::{Cors, Policy};
use rocket::http::{Header, Method, Status};
use rocket::local::blocking::{Client, LocalRequest, LocalResponse};
use rocket::{Build, Rocket, State};

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
#[derive(Default)]
struct Spy(AtomicUsize);

impl Spy {
    fn hit(&self) -> &'static str {
        self.0.fetch_add(1, Ordering::SeqCst);
        "ok"
    }
}

#[rocket::get("/get-only")]
fn get_only(spy: &State<Spy>) -> &'static str {
    spy.hit()
}

#[rocket::options("/with-options")]
fn with_options(spy: &State<Spy>) -> &'static str {
    spy.hit()
}

#[rocket::get("/panic")]
fn panics() -> &'static str {
    panic!("handler panic (expected by the test)")
}

#[rocket::post("/upload", data = "<body>")]
fn upload(body: String) -> String {
    body
}

#[derive(rocket::Responder)]
#[response(status = 200)]
struct WithHeaders {
    body: &'static str,
    acao: Header<'static>,
    acam: Header<'static>,
    vary: Header<'static>,
}

#[rocket::get("/own-headers")]
fn own_headers() -> WithHeaders {
    WithHeaders {
        body: "ok",
        acao: Header::new("Access-Control-Allow-Origin", "https://handler.invalid"),
        acam: Header::new("access-control-allow-methods", "DELETE"),
        vary: Header::new("Vary", "Accept-Encoding"),
    }
}

fn app(cors: Cors) -> Rocket<Build> {
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("limits.string", 16));
    rocket::custom(figment)
        .attach(cors)
        .manage(Spy::default())
        .mount(
            "/",
            rocket::routes![get_only, with_options, panics, upload, own_headers],
        )
}

fn client() -> Client {
    Client::untracked(app(Cors::new(policy()))).unwrap()
}

fn calls(client: &Client) -> usize {
    client
        .rocket()
        .state::<Spy>()
        .unwrap()
        .0
        .load(Ordering::SeqCst)
}

fn preflight<'c>(client: &'c Client, path: &'c str, method: &'static str) -> LocalRequest<'c> {
    client
        .req(Method::Options, path)
        .header(Header::new("Origin", ORIGIN))
        .header(Header::new("Access-Control-Request-Method", method))
}

fn get<'c>(client: &'c Client, path: &'c str) -> LocalRequest<'c> {
    client.get(path).header(Header::new("Origin", ORIGIN))
}

fn header(res: &LocalResponse<'_>, name: &str) -> Vec<String> {
    res.headers().get(name).map(str::to_owned).collect()
}

fn assert_cors(res: &LocalResponse<'_>) {
    assert_eq!(header(res, "access-control-allow-origin"), [ORIGIN]);
    assert_eq!(header(res, "access-control-allow-credentials"), ["true"]);
    assert_eq!(
        header(res, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert_eq!(header(res, "vary"), ["Origin"]);
}

#[test]
fn preflight_is_answered_without_the_handler() {
    let client = client();
    for path in ["/with-options", "/get-only", "/nowhere"] {
        let res = preflight(&client, path, "PUT").dispatch();
        assert_eq!(res.status(), Status::NoContent, "{path}");
        assert_eq!(header(&res, "access-control-allow-origin"), [ORIGIN]);
        assert_eq!(
            header(&res, "access-control-allow-methods"),
            ["GET, POST, PUT"]
        );
        assert_eq!(
            header(&res, "vary"),
            ["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
        );
        assert_eq!(res.into_string().unwrap_or_default(), "");
    }
    let res = preflight(&client, "/with-options", "DELETE").dispatch();
    assert_eq!(res.status(), Status::Forbidden);
    assert!(header(&res, "access-control-allow-origin").is_empty());
    assert_eq!(calls(&client), 0);
}

#[test]
fn options_without_request_method_reaches_the_handler() {
    let client = client();
    let res = client
        .req(Method::Options, "/with-options")
        .header(Header::new("Origin", ORIGIN))
        .dispatch();
    assert_eq!(res.status(), Status::Ok);
    assert_cors(&res);
    assert_eq!(res.into_string().as_deref(), Some("ok"));
    assert_eq!(calls(&client), 1);

    // No OPTIONS route there: Rocket's 404, with the headers.
    let res = client
        .req(Method::Options, "/get-only")
        .header(Header::new("Origin", ORIGIN))
        .dispatch();
    assert_eq!(res.status(), Status::NotFound);
    assert_cors(&res);
}

#[test]
fn framework_responses_carry_the_headers() {
    let client = client();

    let res = get(&client, "/nowhere").dispatch();
    assert_eq!(res.status(), Status::NotFound);
    assert_cors(&res);

    // A panicking handler: Rocket's 500.
    let res = get(&client, "/panic").dispatch();
    assert_eq!(res.status(), Status::InternalServerError);
    assert_cors(&res);

    // A data guard over its limit (Rocket answers 400 for `String`).
    let res = client
        .post("/upload")
        .header(Header::new("Origin", ORIGIN))
        .body("this body is longer than sixteen bytes")
        .dispatch();
    assert_eq!(res.status(), Status::BadRequest);
    assert_cors(&res);

    // HEAD: the GET route, headers kept, body stripped.
    let res = client
        .head("/get-only")
        .header(Header::new("Origin", ORIGIN))
        .dispatch();
    assert_eq!(res.status(), Status::Ok);
    assert_cors(&res);
}

#[test]
fn handler_headers_are_replaced_and_vary_merged() {
    let client = client();
    let res = get(&client, "/own-headers").dispatch();
    assert_eq!(header(&res, "access-control-allow-origin"), [ORIGIN]);
    assert!(header(&res, "access-control-allow-methods").is_empty());
    assert_eq!(header(&res, "vary"), ["Accept-Encoding", "Origin"]);

    let res = client
        .get("/own-headers")
        .header(Header::new("Origin", "https://evil.example.net"))
        .dispatch();
    assert!(header(&res, "access-control-allow-origin").is_empty());
    assert_eq!(header(&res, "vary"), ["Accept-Encoding", "Origin"]);

    let res = client.get("/own-headers").dispatch();
    assert!(header(&res, "access-control-allow-origin").is_empty());
    assert_eq!(header(&res, "vary"), ["Accept-Encoding", "Origin"]);
}

#[test]
fn scopes_have_their_own_policies() {
    let public = Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();
    let cors = Cors::scoped()
        .scope("/public", public)
        .scope("/api/", policy());
    let client = Client::untracked(app(cors)).unwrap();

    let res = get(&client, "/public/feed").dispatch();
    assert_eq!(header(&res, "access-control-allow-origin"), ["*"]);
    assert!(header(&res, "vary").is_empty());

    let res = get(&client, "/api/me").dispatch();
    assert_cors(&res);

    let res = preflight(&client, "/api/nowhere", "PUT").dispatch();
    assert_eq!(res.status(), Status::NoContent);
    assert_eq!(header(&res, "access-control-allow-origin"), [ORIGIN]);

    // Outside every scope: no CORS handling, the application's own routes decide.
    let res = preflight(&client, "/with-options", "PUT").dispatch();
    assert_eq!(res.status(), Status::Ok);
    assert!(header(&res, "access-control-allow-origin").is_empty());
    let res = get(&client, "/apix").dispatch();
    assert_eq!(res.status(), Status::NotFound);
    assert!(header(&res, "vary").is_empty());
}

/// Rocket routes on decoded segments with empty ones dropped, while scopes are chosen by
/// the raw path: a path not in normal form gets no grant from any scope (docs/semantics.md, "Normal form").
#[test]
fn scopes_grant_nothing_to_paths_not_in_normal_form() {
    let public = Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();
    let cors = Cors::scoped().scope("/", public).scope("/api", policy());
    let client = Client::untracked(app(cors).mount("/api", rocket::routes![get_only])).unwrap();

    // In normal form: each scope's own policy.
    let res = get(&client, "/api/get-only").dispatch();
    assert_cors(&res);
    let res = get(&client, "/get-only").dispatch();
    assert_eq!(header(&res, "access-control-allow-origin"), ["*"]);

    for path in [
        "//api/get-only",
        "/api//get-only",
        "/%61pi/get-only",
        "/api/%67et-only",
        "/public/../api/get-only",
        "/public%2F..%2Fapi/get-only",
    ] {
        let before = calls(&client);
        let res = get(&client, path).dispatch();
        assert!(
            header(&res, "access-control-allow-origin").is_empty()
                && header(&res, "access-control-allow-credentials").is_empty(),
            "{path}: {:?} reached the handler: {}",
            res.headers(),
            calls(&client) > before
        );
        let res = preflight(&client, path, "PUT").dispatch();
        assert_eq!(res.status(), Status::Forbidden, "{path}");
        assert!(
            header(&res, "access-control-allow-origin").is_empty(),
            "{path}"
        );
    }
    // The decoded forms do reach the /api routes: the rule is what keeps them ungranted.
    let before = calls(&client);
    let _ = get(&client, "/%61pi/get-only").dispatch();
    assert_eq!(
        calls(&client),
        before + 1,
        "Rocket decodes %61 when routing"
    );
}

/// One policy for every path: the path plays no part, whatever its form.
#[test]
fn one_policy_ignores_the_path_form() {
    let client =
        Client::untracked(app(Cors::new(policy())).mount("/api", rocket::routes![get_only]))
            .unwrap();
    let res = get(&client, "//api/get-only").dispatch();
    assert_cors(&res);
}

#[test]
fn echoed_values_are_byte_for_byte() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = "*"
        allow_headers = "*"
        allow_credentials = true
        "#,
    )
    .unwrap();
    let client = Client::untracked(app(Cors::new(policy))).unwrap();
    let res = client
        .req(Method::Options, "/")
        .header(Header::new("Origin", "HTTPS://App.Example.com:443"))
        .header(Header::new("Access-Control-Request-Method", "PATCH"))
        .header(Header::new("Access-Control-Request-Headers", "X-One"))
        .header(Header::new(
            "Access-Control-Request-Headers",
            "x-two, x-three",
        ))
        .dispatch();
    assert_eq!(res.status(), Status::NoContent);
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

#[test]
fn a_second_fairing_replaces_the_first() {
    let other = Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();
    let rocket = app(Cors::new(policy())).attach(Cors::new(other));
    let client = Client::untracked(rocket).unwrap();
    let res = get(&client, "/get-only").dispatch();
    assert_eq!(header(&res, "access-control-allow-origin"), ["*"]);
}

#[test]
fn from_path_reports_the_core_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "allow_origins = [\"https://a.example.com/path\"]\n").unwrap();
    let err = Cors::from_path(&path).unwrap_err().to_string();
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("allow_origins"), "{err}");
}

#[test]
fn continued_preflights_reach_the_handler() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = "*"
        allow_headers = "*"
        allow_credentials = true
        preflight_continue = true
        "#,
    )
    .unwrap();
    let client = Client::untracked(app(Cors::new(policy))).unwrap();
    let res = preflight(&client, "/with-options", "PATCH")
        .header(Header::new("Access-Control-Request-Headers", "X-One"))
        .dispatch();
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(header(&res, "access-control-allow-origin"), [ORIGIN]);
    assert_eq!(header(&res, "access-control-allow-methods"), ["PATCH"]);
    assert_eq!(header(&res, "access-control-allow-headers"), ["X-One"]);
    assert_eq!(res.into_string().as_deref(), Some("ok"));
    assert_eq!(calls(&client), 1);

    let res = preflight(&client, "/with-options", "TRACE").dispatch();
    assert_eq!(res.status(), Status::Forbidden);
    assert_eq!(calls(&client), 1);
}

/// Each request is decided exactly once: preflights the fairing's route answers (allowed,
/// denied, continued), forwarded requests, catchers, and with several scopes.
#[test]
fn each_request_is_decided_once() {
    let counter = cors_conformance::DecisionCounter::install();
    let continued = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["PUT"]
        preflight_continue = true
        "#,
    )
    .unwrap();
    let clients = [
        Client::untracked(app(Cors::new(policy()))).unwrap(),
        Client::untracked(app(Cors::new(continued))).unwrap(),
        Client::untracked(app(Cors::scoped()
            .scope("/", policy())
            .scope("/api", policy())))
        .unwrap(),
    ];
    for (c, client) in clients.iter().enumerate() {
        let requests = [
            preflight(client, "/with-options", "PUT"),
            preflight(client, "/get-only", "PUT"),
            preflight(client, "/get-only", "PATCH"),
            preflight(client, "/nowhere", "PUT"),
            get(client, "/get-only"),
            get(client, "/nowhere"),
            get(client, "/panic"),
            client.get("/get-only"),
            client
                .req(Method::Options, "/with-options")
                .header(Header::new("Origin", ORIGIN)),
        ];
        for (i, req) in requests.into_iter().enumerate() {
            let _ = req.dispatch();
            assert_eq!(counter.take(), 1, "client #{c}, request #{i}");
        }
    }
}

const TENANT: &str = "https://tenant-1.example.net";

fn dynamic_client(source: cors_rocket::PolicySource) -> Client {
    let rocket = rocket::build()
        .manage(Spy::default())
        .mount("/", rocket::routes![get_only])
        .attach(Cors::new(source));
    Client::untracked(rocket).unwrap()
}

fn dynamic_policy() -> Policy {
    Policy::builder()
        .allow_origins([ORIGIN])
        .allow_methods(["GET", "PUT"])
        .dynamic_origins(true)
        .build()
        .unwrap()
}

#[test]
fn origin_predicates_sync_and_async() {
    use cors_rocket::PolicySource;
    let sync = PolicySource::from(dynamic_policy()).allow_origin_fn(|o| o == TENANT);
    let answer = PolicySource::from(dynamic_policy()).allow_origin_async(|o: String| async move {
        rocket::tokio::task::yield_now().await;
        o == TENANT
    });
    for source in [sync, answer] {
        let client = dynamic_client(source);
        for (origin, allowed) in [
            (TENANT, true),
            ("https://evil.example", false),
            (ORIGIN, true),
        ] {
            let res = client
                .req(Method::Options, "/get-only")
                .header(Header::new("origin", origin))
                .header(Header::new("access-control-request-method", "PUT"))
                .dispatch();
            let want = if allowed {
                Status::NoContent
            } else {
                Status::Forbidden
            };
            assert_eq!(res.status(), want, "{origin}");
            let res = client
                .get("/get-only")
                .header(Header::new("origin", origin))
                .dispatch();
            assert_eq!(res.status(), Status::Ok);
            let acao = res.headers().get_one("access-control-allow-origin");
            assert_eq!(acao, allowed.then_some(origin), "{origin}");
        }
    }
}
