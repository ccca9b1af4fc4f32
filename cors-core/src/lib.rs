//! One CORS policy for every server: the config schema, its validation, and a decision
//! engine correct to the [Fetch standard](https://fetch.spec.whatwg.org/#http-cors-protocol).
//!
//! A [`Config`] is plain data, read from TOML, JSON or YAML. [`Policy::compile`] validates
//! it (every error at once, each naming its field and the fix) into an immutable
//! [`Policy`] whose response header values are all computed up front. For each request,
//! [`Policy::decide`] returns a [`Decision`]: pass to the handler or answer now, the headers
//! to set, the `Vary` tokens to merge, and for denials the reason. Deciding never
//! allocates and never panics. Framework adapters (`cors-axum`, `cors-actix`,
//! `cors-rocket`, `cors-warp`) and the C ABI (`cors-ffi`) only apply decisions.
//!
//! ```
//! use cors_core::{Action, Policy};
//! use http::{HeaderMap, Request};
//!
//! let policy = Policy::from_toml_str(r#"
//!     allow_origins  = ["https://app.example.com", "https://*.example.com"]
//!     allow_methods  = ["GET", "POST", "DELETE"]
//!     allow_headers  = ["content-type", "authorization"]
//!     expose_headers = ["x-request-id"]
//!     allow_credentials = true
//! "#)?;
//!
//! let request = Request::get("/api").header("origin", "https://a.example.com").body(())?;
//! let decision = policy.decide(&request);
//! assert_eq!(decision.action(), Action::Forward);
//!
//! // ... run the handler, then:
//! let mut response_headers = HeaderMap::new();
//! decision.apply(&mut response_headers);
//! assert_eq!(response_headers["access-control-allow-origin"], "https://a.example.com");
//! assert_eq!(response_headers["access-control-allow-credentials"], "true");
//! assert_eq!(response_headers["vary"], "Origin");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Security
//!
//! Configs that browsers would reject or that widen access by accident are errors: `"*"`
//! origins with credentials, wildcards over public suffixes (`https://*.co.uk`), origins
//! with paths, unknown keys. `allow_headers = "*"` never covers `authorization`.
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod apply;
mod builder;
mod compile;
mod config;
mod decision;
mod denial;
mod dynamic;
mod error;
pub mod fetch;
pub mod locate;
mod observe;
mod origin;
mod path;
mod policy;
mod public_suffix;
mod reload;
mod report;
mod request;
mod response;
mod route;
mod server_limits;
mod setting;
mod token;
mod vary;

pub use apply::{Detached, DetachedValue, HeaderSink, ResponseHeaders};
pub use builder::{ConfigValue, PolicyBuilder, RouteBuilder};
pub use config::{AnyOr, Config, MAX_CONFIG_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH, Mode, Route};
pub use decision::{
    Action, Decision, HeaderRef, MAX_DECISION_HEADERS, MAX_REQUEST_HEADER_LINES, RequestKind,
};
pub use denial::{Denial, DenialKind};
pub use dynamic::{Answer, AskOrigin, OriginPredicate, OriginVerdict};
pub use error::{
    ConfigError, ConfigErrors, ConfigWarning, ErrorKind, Field, FieldPath, Finding, FindingKind,
    Format, LoadError, WarningKind, quoted,
};
pub use observe::{Counters, DECISIONS_METRIC, Observation, Observer, Observers, Outcome};
pub use origin::MAX_ORIGIN_LEN;
pub use path::is_normal_form_path;
pub use policy::{Compiled, Policy, PolicyValue};
pub use reload::{PolicyHandle, PolicySource};
pub use report::{ReportOutcome, Unreadable};
pub use request::{Found, HeaderLines, RequestBytes, RequestHeader, RequestView, Scan};
pub use response::{ResponseHeader, is_owned_header};
pub use route::MAX_ROUTES;
pub use server_limits::MethodLimit;
pub use token::{MAX_EMPTY_ELEMENTS, MAX_REQUESTED_HEADERS};
pub use vary::Vary;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
