//! A tower [`Layer`](tower_layer::Layer) and [`Service`](tower_service::Service) applying a
//! [`cors-core`](cors_core) policy: axum routers, hyper services, tonic, any tower stack
//! on `http` 1.x.
//!
//! The adapter makes no CORS decision of its own. For each request it asks the core
//! ([`Policy::decide`]) and acts on the answer:
//!
//! - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is
//!   answered at once, `204`/`200` when allowed and `403` when denied, with an empty body;
//!   the inner service is not called (unless the policy sets `preflight_continue`);
//! - every other request reaches the inner service, and the decision's headers are applied
//!   to its response, whatever the status: errors, the router's own 404 and 405 included.
//!   Handler-set `Access-Control-Allow-*`/`Expose-Headers` values are replaced and `Vary`
//!   is merged, as the core specifies.
//!
//! Supported: tower 0.5 (`tower-service` 0.3, `tower-layer` 0.3), `http` 1, axum 0.8.
//! Bodies are never buffered or boxed; a preflight answer uses the response body type's
//! `Default` (axum's `Body`, `http_body_util::Empty`/`Full`, `String` ...; for a body type
//! without one, such as hyper's `Incoming` from a proxy client, map the inner service's
//! body first). The per-request path allocates nothing.
//!
//! # Example
//!
//! ```
//! use axum::{Router, body::Body, routing::get};
//! use cors_axum::{CorsLayer, Policy};
//! use http::{Request, StatusCode};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let policy = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com", "https://*.example.com"]
//!     allow_methods = ["GET", "POST", "DELETE"]
//!     allow_headers = ["content-type"]
//!     allow_credentials = true
//!     max_age = 600
//! "#)?;
//! // `layer` wraps every route and the fallback, so preflights to paths without an
//! // OPTIONS handler (or without any route) are answered too.
//! let app = Router::new()
//!     .route("/api/items", get(|| async { "items" }))
//!     .layer(CorsLayer::new(policy));
//!
//! let preflight = Request::options("/api/items")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "DELETE")
//!     .body(Body::empty())?;
//! let response = app.oneshot(preflight).await?;
//! assert_eq!(response.status(), StatusCode::NO_CONTENT);
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//! assert_eq!(response.headers()["access-control-allow-methods"], "DELETE, GET, POST");
//! # Ok(())
//! # }
//! ```
//!
//! Serving it is plain axum: `axum::serve(listener, app).await`. The layer can also come
//! from a config file: `CorsLayer::from_path("cors.toml")?` returns the core's
//! [`LoadError`](cors_core::LoadError), whose `Display` names the file, field and fix.
//!
//! # Any tower stack
//!
//! ```
//! use std::convert::Infallible;
//! use cors_axum::{CorsLayer, Policy};
//! use http::{Request, Response};
//! use tower::{ServiceBuilder, service_fn};
//!
//! let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
//! let service = ServiceBuilder::new()
//!     .layer(CorsLayer::new(policy))
//!     .service(service_fn(|_req: Request<String>| async {
//!         Ok::<_, Infallible>(Response::new(String::from("hello")))
//!     }));
//! # let _ = service;
//! # Ok::<(), cors_core::LoadError>(())
//! ```
//!
//! # Per-route policies
//!
//! Give each sub-router its own layer, then nest or merge them. Do not put a second
//! `CorsLayer` around the combined router: the outermost layer answers preflights first,
//! and its headers replace the inner ones.
//!
//! ```
//! use axum::{Router, routing::get};
//! use cors_axum::{CorsLayer, Policy};
//!
//! let api = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     allow_methods = ["GET", "PUT", "DELETE"]
//!     allow_credentials = true
//! "#)?;
//! let public = Policy::from_toml_str(r#"allow_origins = "*""#)?;
//!
//! let app: Router = Router::new()
//!     .nest("/api", Router::new()
//!         .route("/items", get(|| async { "items" }))
//!         .layer(CorsLayer::new(api)))
//!     .merge(Router::new()
//!         .route("/feed", get(|| async { "feed" }))
//!         .layer(CorsLayer::new(public)));
//! # let _ = app;
//! # Ok::<(), cors_core::LoadError>(())
//! ```
//!
//! `Router::route_layer` wraps only the handlers of matched routes and methods: with it, a
//! preflight to a route without an `OPTIONS` handler gets axum's 405 and an unknown path
//! gets a 404 without CORS headers. Use `route_layer` only for routes that accept every
//! method (`axum::routing::any`); otherwise use `layer`.
//!
//! # Incorrect usage
//!
//! The CORS layer must be outside any layer that can refuse a request, such as
//! authentication or rate limiting. Browsers send preflights without credentials, so an
//! auth layer outside the CORS layer answers them `401`, and the browser then blocks the
//! real request; its `401`/`429` responses would also lack CORS headers, so scripts could
//! not read them. In axum, the layer added last is the outermost:
//!
//! ```text
//! // Wrong: auth runs first and rejects the preflight.
//! Router::new().route(..).layer(CorsLayer::new(policy)).layer(auth)
//! // Right: CORS runs first.
//! Router::new().route(..).layer(auth).layer(CorsLayer::new(policy))
//! ```
//!
//! With `tower::ServiceBuilder` the first layer listed is the outermost, so list
//! `CorsLayer` before auth.
//!
//! # Security
//!
//! Decisions, header values, `Vary` and the replacement of handler-set CORS headers all
//! come from [`cors_core`]; see its documentation and the
//! [Fetch standard](https://fetch.spec.whatwg.org/#http-cors-protocol). Denial reasons are
//! logged by the core at debug level (`tracing` target `cors`) and never sent to clients.
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod future;
mod layer;
mod service;

/// The core, for what this crate does not re-export.
pub use cors_core;
pub use cors_core::{
    AnyOr, Config, ConfigErrors, Counters, LoadError, Mode, OriginPredicate, Policy, PolicyBuilder,
    PolicyHandle, PolicySource, Route, RouteBuilder,
};
pub use future::ResponseFuture;
/// The `http` crate this adapter's types come from.
pub use http;
pub use layer::CorsLayer;
pub use service::Cors;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
