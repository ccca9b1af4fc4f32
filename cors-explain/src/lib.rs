//! The browser's side of CORS, for explaining decisions (`cors explain`): whether a request needs a
//! preflight, and whether a browser accepts a given response. Used by `cors explain`.
//!
//! Everything here follows the [Fetch standard](https://fetch.spec.whatwg.org/): the
//! [CORS-safelisted request-headers](https://fetch.spec.whatwg.org/#cors-safelisted-request-header),
//! the [CORS check](https://fetch.spec.whatwg.org/#concept-cors-check) and the
//! [CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch), plus
//! [Private Network Access](https://wicg.github.io/private-network-access/) preflights.
//! Reasons are typed values whose `Display` says in plain words what happens and why.
//!
//! This is a diagnostic tool, not the request path: it allocates freely.
//!
//! ```
//! use cors_core::Policy;
//! use cors_explain::{CredentialsMode, FetchRequest, Mode, Outcome, simulate};
//!
//! let policy = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     allow_methods = ["GET", "PUT"]
//!     allow_headers = ["content-type"]
//! "#)?;
//! let fetch = FetchRequest::new("https://app.example.com", "PUT")
//!     .header("content-type", "application/json")
//!     .credentials(CredentialsMode::Include);
//! assert!(fetch.needs_preflight());
//!
//! let sim = simulate(&policy, &fetch, "/items", Mode::Browser)?;
//! // The preflight passes, but the actual response lacks Access-Control-Allow-Credentials.
//! assert!(sim.preflight.as_ref().is_some_and(|p| p.browser.is_err()));
//! assert!(matches!(sim.outcome(), Outcome::Blocked(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The engine (`cors-core`) decides; this crate models the browser around it. Servers do not
//! compile it: it is the CLI's.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod browser;
mod compare;
mod grants;
mod headers;
mod hints;
mod lna;
mod probe;
mod request;
mod simulate;
mod verify;

pub use browser::{Accepted, BlockReason, Blocked, Exposure, Stage};
pub use compare::{Difference, compare};
pub use grants::{Grant, grants};
pub use headers::{
    PreflightReason, UnsafeHeader, check_safelisted_header, is_forbidden_request_header,
    is_safelisted_request_header,
};
pub use lna::{Chromium, LocalNetworkAccess, TargetSpace, is_secure_context, url_space};
pub use probe::{Probe, ProbeError, Probed, probe};
pub use request::{CredentialsMode, FetchError, FetchRequest};
pub use simulate::{Cause, EngineDenial, Exchange, Mode, Outcome, Simulation, simulate};
pub use verify::{Check, Checked, Verification, checks, verify};

#[cfg(test)]
mod tests;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
