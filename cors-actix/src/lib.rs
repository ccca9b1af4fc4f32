//! [actix-web](https://actix.rs) 4 middleware that applies a [`cors_core`] policy.
//!
//! All CORS decisions come from `cors-core` (the same engine every adapter of this project
//! uses); this crate only translates actix-web's request and response types. Wrap an
//! [`App`](actix_web::App) so that the middleware sees every request before routing:
//! preflights are then answered even for paths that have no `OPTIONS` route, and every
//! response (the handler's, actix-web's own 404 and 405, extractor errors, errors from
//! inner middleware) carries the policy's headers.
//!
//! ```
//! use actix_web::{App, HttpResponse, dev::ServiceResponse, test, web};
//! use cors_actix::{Cors, Policy};
//!
//! fn header<'r, B>(res: &'r ServiceResponse<B>, name: &str) -> Option<&'r str> {
//!     res.headers().get(name).and_then(|v| v.to_str().ok())
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let policy = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     allow_methods = ["GET", "POST", "DELETE"]
//!     allow_headers = ["content-type"]
//! "#)?;
//! let app = test::init_service(
//!     App::new()
//!         .wrap(Cors::new(policy))
//!         .route("/api", web::get().to(HttpResponse::Ok)),
//! )
//! .await;
//!
//! // A preflight: answered by the middleware, the handler is not reached.
//! let req = test::TestRequest::default()
//!     .method(actix_web::http::Method::OPTIONS)
//!     .uri("/api")
//!     .insert_header(("origin", "https://app.example.com"))
//!     .insert_header(("access-control-request-method", "DELETE"))
//!     .to_request();
//! let res = test::call_service(&app, req).await;
//! assert_eq!(res.status(), 204);
//! assert_eq!(header(&res, "access-control-allow-methods"), Some("DELETE, GET, POST"));
//!
//! // An actual request: the handler's response, with the headers.
//! let req = test::TestRequest::get()
//!     .uri("/api")
//!     .insert_header(("origin", "https://app.example.com"))
//!     .to_request();
//! let res = test::call_service(&app, req).await;
//! assert_eq!(header(&res, "access-control-allow-origin"), Some("https://app.example.com"));
//! assert_eq!(header(&res, "vary"), Some("Origin"));
//! # Ok::<(), cors_core::LoadError>(())
//! # }).unwrap();
//! ```
//!
//! # Per-scope policies
//!
//! [`Cors`] also wraps a [`Scope`](actix_web::Scope) or a
//! [`Resource`](actix_web::Resource); each scope then applies its own policy, and paths
//! outside every wrapped scope get no CORS headers at all:
//!
//! ```
//! use actix_web::{App, HttpResponse, web};
//! use cors_actix::{Cors, Policy};
//!
//! let public = Policy::from_toml_str(r#"allow_origins = "*""#)?;
//! let private = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     allow_credentials = true
//! "#)?;
//! let app = App::new()
//!     .service(
//!         web::scope("/public")
//!             .wrap(Cors::new(public))
//!             .route("/feed", web::get().to(HttpResponse::Ok)),
//!     )
//!     .service(
//!         web::scope("/api")
//!             .wrap(Cors::new(private))
//!             .route("/me", web::get().to(HttpResponse::Ok)),
//!     );
//! # drop(app);
//! # Ok::<(), cors_core::LoadError>(())
//! ```
//!
//! A preflight to a path under a wrapped scope is answered by that scope's policy, even
//! when no route there takes `OPTIONS`. A preflight to a path outside every wrapped scope
//! gets actix-web's own answer (usually 404): wrap the `App` to cover every path.
//!
//! # Incorrect usage
//!
//! In actix-web the **last** `.wrap` runs **first**. Put `Cors` last, so that it sees
//! requests before authentication and other middleware:
//!
//! ```
//! # use actix_web::{App, middleware::{Logger, DefaultHeaders}};
//! # use cors_actix::{Cors, Policy};
//! # let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
//! let app = App::new()
//!     .wrap(DefaultHeaders::new()) // stands in for an authentication middleware
//!     .wrap(Cors::new(policy));    // runs first: answers preflights before auth
//! # drop(app);
//! # Ok::<(), cors_core::LoadError>(())
//! ```
//!
//! With the order reversed, an authentication middleware sees preflights first; browsers
//! never send credentials on a preflight, so it answers 401 and every cross-origin call
//! that needs a preflight fails. Responses an outer middleware builds itself get no CORS
//! headers either.
//!
//! # Version
//!
//! actix-web 4 (header types from `http` 0.2, translated at the edge).
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod headers;
mod service;

use std::cell::RefCell;
use std::fmt;
use std::future::{Ready, ready};
use std::path::Path;
use std::rc::Rc;

use actix_web::Error;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};

/// The core, for what this crate does not re-export.
pub use cors_core;
pub use cors_core::{
    AnyOr, Config, ConfigErrors, Counters, LoadError, Mode, OriginPredicate, Policy, PolicyBuilder,
    PolicyHandle, PolicySource, Route, RouteBuilder,
};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
pub use service::{CorsFuture, CorsMiddleware};

use headers::WorkerPolicy;

/// The CORS middleware factory: pass it to `App::wrap`, `Scope::wrap` or `Resource::wrap`.
///
/// Cheap to clone (the compiled policy is shared), so the `HttpServer` factory closure can
/// clone it for every worker.
#[derive(Clone)]
pub struct Cors {
    source: PolicySource,
}

impl Cors {
    /// The middleware for a compiled policy, or for a
    /// [`PolicyHandle`](cors_core::PolicyHandle) whose policy at the start of each request
    /// decides it. Every header value the policy can send is converted to actix-web's type
    /// once per worker (and again per worker after a reload).
    pub fn new(policy: impl Into<PolicySource>) -> Cors {
        Cors {
            source: policy.into(),
        }
    }

    /// Loads and compiles a config file (TOML, JSON or YAML by extension).
    ///
    /// # Errors
    ///
    /// The core's [`LoadError`]: its `Display` names the file, every invalid field and
    /// the fix.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Cors, LoadError> {
        Policy::from_path(path).map(Cors::new)
    }

    /// Asks `f` about origins not in `allow_origins`, where the policy sets
    /// `dynamic_origins = true` (docs/semantics.md, "Dynamic origins"); actix-cors users
    /// know it as `allowed_origin_fn`. An escape hatch `cors check` cannot see; keep it a
    /// cheap lookup.
    ///
    /// ```
    /// use cors_actix::{Cors, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .dynamic_origins(true)
    ///     .build()?;
    /// let cors = Cors::new(policy).allow_origin_fn(|origin| origin.ends_with(".tenants.example.net"));
    /// # let _ = cors;
    /// # Ok::<(), cors_actix::ConfigErrors>(())
    /// ```
    pub fn allow_origin_fn(self, f: impl Fn(&str) -> bool + Send + Sync + 'static) -> Cors {
        self.origin_predicate(OriginPredicate::new(f))
    }

    /// Like [`allow_origin_fn`](Self::allow_origin_fn), answered by a future (a database
    /// lookup): a preflight waits for it, an actual request's handler runs meanwhile. Give
    /// it a timeout and answer `false` on errors.
    pub fn allow_origin_async<F, Fut>(self, f: F) -> Cors
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = bool> + Send + 'static,
    {
        self.origin_predicate(OriginPredicate::new_async(f))
    }

    /// Sets the origin predicate (see [`allow_origin_fn`](Self::allow_origin_fn)).
    pub fn origin_predicate(self, predicate: OriginPredicate) -> Cors {
        Cors {
            source: self.source.origin_predicate(predicate),
        }
    }

    /// The policy this middleware applies now.
    pub fn policy(&self) -> Policy {
        self.source.current()
    }
}

impl From<Policy> for Cors {
    fn from(policy: Policy) -> Cors {
        Cors::new(policy)
    }
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("policy", self.source.current().config())
            .finish()
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<CorsMiddleware<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service,
            compiled: RefCell::new(Rc::new(WorkerPolicy::new(self.source.current()))),
            source: self.source.clone(),
        }))
    }
}
