//! [Rocket](https://rocket.rs) 0.5 fairing that applies a [`cors_core`] policy.
//!
//! All CORS decisions come from `cors-core` (the same engine every adapter of this project
//! uses); this crate only translates Rocket's request and response types. Attach
//! [`Cors`] and it:
//!
//! - mounts one `OPTIONS /<_..>` route of the highest priority that answers preflights
//!   itself (so they never reach a handler, and paths without an `OPTIONS` route get the
//!   policy's answer instead of a 404), and forwards every other `OPTIONS` request to the
//!   application's routes;
//! - sets the policy's headers on every response in its `on_response` hook: handler
//!   responses, Rocket's own 404 and other catchers, and the 500 Rocket sends when a
//!   handler panics. Handler-set `Access-Control-Allow-*` headers are replaced and `Vary`
//!   is merged.
//!
//! ```
//! use cors_rocket::{Cors, Policy};
//! use rocket::local::blocking::Client;
//! use rocket::http::{Header, Method, Status};
//!
//! #[rocket::get("/api")]
//! fn api() -> &'static str { "ok" }
//!
//! let policy = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     allow_methods = ["GET", "POST", "DELETE"]
//! "#)?;
//! let rocket = rocket::build()
//!     .attach(Cors::new(policy))
//!     .mount("/", rocket::routes![api]);
//! let client = Client::tracked(rocket)?;
//!
//! // A preflight: answered by the fairing, although no route takes OPTIONS.
//! let res = client
//!     .req(Method::Options, "/api")
//!     .header(Header::new("Origin", "https://app.example.com"))
//!     .header(Header::new("Access-Control-Request-Method", "DELETE"))
//!     .dispatch();
//! assert_eq!(res.status(), Status::NoContent);
//! assert_eq!(
//!     res.headers().get_one("access-control-allow-methods"),
//!     Some("DELETE, GET, POST")
//! );
//!
//! // An actual request: the handler's response, with the headers.
//! let res = client
//!     .get("/api")
//!     .header(Header::new("Origin", "https://app.example.com"))
//!     .dispatch();
//! assert_eq!(
//!     res.headers().get_one("access-control-allow-origin"),
//!     Some("https://app.example.com")
//! );
//! assert_eq!(res.headers().get_one("vary"), Some("Origin"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Per-mount policies
//!
//! Rocket has no middleware per mount point, so the fairing selects a policy by path:
//! [`Cors::scope`] gives the paths under a base (whole segments: `/api` covers `/api` and
//! `/api/x`, not `/apix`) their own policy; the longest matching base wins, and paths no
//! scope covers get no CORS handling at all. Use the same bases as your `mount` calls.
//! With several scopes, a path not in normal form gets no grant (see below).
//!
//! ```
//! use cors_rocket::{Cors, Policy};
//!
//! let public = Policy::from_toml_str(r#"allow_origins = "*""#)?;
//! let private = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     allow_credentials = true
//! "#)?;
//! let cors = Cors::scoped().scope("/public", public).scope("/api", private);
//! let rocket = rocket::build().attach(cors);
//! # drop(rocket);
//! # Ok::<(), cors_core::LoadError>(())
//! ```
//!
//! # Incorrect usage
//!
//! - The fairing must be attached: mounting routes with `OPTIONS` handlers for preflights
//!   yourself bypasses the policy. One `Cors` per Rocket: it is a singleton fairing, and a
//!   second one attached replaces the first.
//! - Authentication belongs in request guards, which run per route: the fairing's
//!   preflight route has none, so preflights are answered before any guard. A guard-like
//!   check in another fairing's `on_request` that rewrites requests runs *before*
//!   routing and can turn preflights into 401s or send them elsewhere; a fairing's
//!   `on_response` attached *after* this one can overwrite its headers.
//! - Rocket only knows the methods of [`rocket::http::Method`]; it answers requests with
//!   other methods with 400 before any fairing runs, so those responses carry no CORS
//!   headers. Rocket also drops request header lines that are not UTF-8 before fairings
//!   see them: a second such `Origin` line does not make the request "multiple origins",
//!   and such an `Origin`, `Access-Control-Request-Method` or
//!   `Access-Control-Request-Headers` counts as absent. The README lists what each loses.
//! - With several scopes, a path not in normal form (`//api/x`, `/%61pi/x`,
//!   `/a/../api/x`) is granted nothing ([`cors_core::Policy::decide_at`]): Rocket routes
//!   on decoded segments, scopes are chosen by the raw path.
//!
//! # Version
//!
//! Rocket 0.5.
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod apply;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rocket::data::Data;
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{Method, Status};
use rocket::route::{self, Handler, Route};
use rocket::{Build, Request, Response, Rocket};

/// The core, for what this crate does not re-export.
pub use cors_core;
pub use cors_core::{
    AnyOr, Config, ConfigErrors, Counters, LoadError, Mode, OriginPredicate, Policy, PolicyBuilder,
    PolicyHandle, PolicySource, RouteBuilder,
};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

use apply::Scopes;

/// The CORS fairing. Attach it with `rocket.attach(Cors::new(policy))`.
///
/// Cheap to clone (the compiled policies are shared).
#[derive(Clone)]
pub struct Cors {
    scopes: Arc<Scopes>,
}

impl Cors {
    /// A fairing applying `policy` to every path: a [`Policy`], or a [`PolicyHandle`]
    /// whose policy at the start of each request decides it.
    pub fn new(policy: impl Into<PolicySource>) -> Cors {
        Cors::scoped().scope("/", policy)
    }

    /// Loads and compiles a config file (TOML, JSON or YAML by extension) into a fairing
    /// for every path.
    ///
    /// # Errors
    ///
    /// The core's [`LoadError`]: its `Display` names the file, every invalid field and
    /// the fix.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Cors, LoadError> {
        Policy::from_path(path).map(Cors::new)
    }

    /// A fairing without any policy yet: add them per base with [`scope`](Self::scope).
    pub fn scoped() -> Cors {
        Cors {
            scopes: Arc::new(Scopes::new()),
        }
    }

    /// Applies `policy` to `base` and the paths under it (whole segments), replacing a
    /// policy given earlier for the same base. The longest matching base wins; `/` covers
    /// every path.
    #[must_use]
    pub fn scope(mut self, base: &str, policy: impl Into<PolicySource>) -> Cors {
        Arc::make_mut(&mut self.scopes).insert(base, policy.into());
        self
    }

    /// The bases and their policies, longest base first (`/` is shown as the empty base).
    pub fn policies(&self) -> impl Iterator<Item = (&str, Policy)> {
        self.scopes.iter()
    }
}

impl From<Policy> for Cors {
    fn from(policy: Policy) -> Cors {
        Cors::new(policy)
    }
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.policies().map(|(b, p)| (b, p.config().clone())))
            .finish()
    }
}

/// The policies, as managed state: a response borrows header values from it for as long
/// as Rocket keeps the response, without copying them.
struct State(Arc<Scopes>);

#[rocket::async_trait]
impl Fairing for Cors {
    fn info(&self) -> Info {
        let kind = Kind::Ignite | Kind::Response | Kind::Singleton;
        Info {
            name: "CORS (cors-core)",
            // An async origin predicate is awaited before routing; without one, requests
            // skip `on_request`.
            kind: if self.scopes.has_async_predicate() {
                kind | Kind::Request
            } else {
                kind
            },
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        self.scopes.ask_async(req).await;
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let mut route = Route::ranked(isize::MIN, Method::Options, "/<_..>", Preflight);
        route.name = Some("CORS preflight (cors-rocket)".into());
        Ok(rocket
            .manage(State(Arc::clone(&self.scopes)))
            .mount("/", vec![route]))
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if let Some(state) = req.rocket().state::<State>() {
            state.0.apply(req, res);
        }
    }
}

/// The route answering preflights before any application route; every other `OPTIONS`
/// request is forwarded.
#[derive(Clone, Copy)]
struct Preflight;

#[rocket::async_trait]
impl Handler for Preflight {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let status = req
            .rocket()
            .state::<State>()
            .and_then(|s| s.0.preflight_status(req));
        match status {
            // Headers and `Vary` are set by `on_response`, like on every response.
            Some(status) => route::Outcome::Success(Response::build().status(status).finalize()),
            None => route::Outcome::forward(data, Status::NotFound),
        }
    }
}
