//! A [`cors-core`](cors_core) policy for [warp](https://docs.rs/warp) 0.4 servers.
//!
//! The adapter makes no CORS decision of its own: the core decides each request, the
//! adapter answers preflights and applies the decision's headers. Two ways in:
//!
//! - [`serve`] (or [`service`]) wraps the whole filter tree. Preflights are answered
//!   before routing, so a preflight to a path without an `OPTIONS` route gets the policy's
//!   answer rather than warp's 404 or 405, and every response carries the decision's
//!   headers, **including the responses warp renders from rejections** (unknown path 404,
//!   405, 400, 413 ...). Use this for a tree-wide policy.
//! - [`wrap`] wraps one filter: for per-filter policies. It answers preflights that reach
//!   it and applies headers to that filter's replies, but rejections leaving it are
//!   rendered by warp after every filter has run, where no filter can reach them (recover
//!   them inside the wrapped filter to give them headers).
//!
//! Why two: warp 0.4 turns a rejection into a response only after the filter tree has
//! finished, with a conversion filters cannot call, and its `Wrap` trait cannot be
//! implemented outside warp. Covering warp's own 404/405 therefore takes a wrapper
//! around warp's filter-to-service conversion, which is what [`serve`] is.
//!
//! Supported: warp 0.4 (hyper 1, `http` 1), tokio.
//!
//! # Example
//!
//! ```no_run
//! use warp::Filter;
//!
//! #[tokio::main]
//! async fn main() {
//!     let policy = cors_warp::Policy::from_path("cors.toml").unwrap_or_else(|e| {
//!         eprintln!("{e}"); // names the file, each invalid field and the fix
//!         std::process::exit(1)
//!     });
//!     let routes = warp::path!("api" / "items").and(warp::get()).map(|| "items");
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//!     cors_warp::serve(routes, policy).run(listener).await;
//! }
//! ```
//!
//! # Per-filter policies
//!
//! ```
//! use cors_warp::Policy;
//! use warp::Filter;
//!
//! let api_policy = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     allow_methods = ["GET", "PUT", "DELETE"]
//!     allow_credentials = true
//! "#)?;
//! let public_policy = Policy::from_toml_str(r#"allow_origins = "*""#)?;
//!
//! let api = warp::path!("items").map(|| "items");
//! let feed = warp::path!("feed").map(|| "feed");
//! // Each prefix is matched outside its wrapper: a preflight to /public/... never meets
//! // the API policy.
//! let routes = warp::path("api")
//!     .and(cors_warp::wrap(api, api_policy))
//!     .or(warp::path("public").and(cors_warp::wrap(feed, public_policy)));
//! # let _ = routes;
//! # Ok::<(), cors_core::LoadError>(())
//! ```
//!
//! Do not also wrap such a tree in [`serve`] with another policy: the outer policy answers
//! preflights first, and its headers replace the inner ones.
//!
//! # Incorrect usage
//!
//! The policy must be outside anything that can refuse a request, such as an
//! authentication filter. Browsers send preflights without credentials: with
//! `auth.and(cors_warp::wrap(routes, policy))` the auth filter rejects the preflight
//! (warp answers 401 or 500) and the browser blocks the real request; its rejections also
//! lack CORS headers, so scripts cannot read them. Write
//! `cors_warp::wrap(auth.and(routes), policy)`, or serve the tree with [`serve`].
//!
//! # Security
//!
//! Decisions, header values, `Vary` and the replacement of handler-set CORS headers all
//! come from [`cors_core`]; see its documentation and the
//! [Fetch standard](https://fetch.spec.whatwg.org/#http-cors-protocol). Denial reasons are
//! logged by the core at debug level (`tracing` target `cors`), never sent to clients.
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod filter;
mod server;
mod service;

/// The core, for what this crate does not re-export.
pub use cors_core;
pub use cors_core::{
    AnyOr, Config, ConfigErrors, Counters, LoadError, Mode, OriginPredicate, Policy, PolicyBuilder,
    PolicyHandle, PolicySource, Route, RouteBuilder,
};
pub use filter::wrap;
#[cfg(feature = "tls")]
pub use server::TlsListener;
pub use server::{Listener, RemoteAddr, Server, remote, serve};
pub use service::service;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
