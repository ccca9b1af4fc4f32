//! The C ABI of the project: the same CORS engine as `cors-core`, for C servers and nginx.
//!
//! The C declarations are in `include/cors.h`, generated from this crate by cbindgen
//! (`cargo run -p cors-ffi --example gen-header`; a test fails when the committed header is
//! stale). `docs/c-api.md` is the guide: building, linking, lifetimes, threads, errors.
//!
//! # Conventions (every function follows them)
//!
//! - Fallible functions return a [`cors_result`]; outputs are written only on success,
//!   except that the functions writing a message into a caller buffer write a truncated
//!   message and return [`cors_result::BufferTooSmall`] when it does not fit.
//! - A byte buffer is always followed by its length. Strings are [`cors_str`]:
//!   `{const uint8_t *ptr; size_t len}`, not NUL-terminated. `(NULL, 0)` is the empty
//!   string; `(NULL, len > 0)` is refused with [`cors_result::NullPointer`].
//! - Config text and paths must be UTF-8 ([`cors_result::InvalidUtf8`] otherwise). Request
//!   header values are bytes as received: HTTP allows non-UTF-8 bytes there, and the engine
//!   treats them exactly as the Rust adapters do.
//! - Every output slice has a documented lifetime: static, the policy's, the request's, or
//!   the error object's. Output slices are never NULL (empty ones point to a static `""`).
//! - Handles record their ownership: `const cors_policy *` is reference-counted and
//!   immutable, shareable across threads, released with [`cors_policy_free`];
//!   `cors_error *` is owned by the caller and released with [`cors_error_free`]. Both free
//!   functions accept NULL.
//! - No panic crosses the boundary: each function catches it and returns
//!   [`cors_result::Panic`] (or its documented neutral value).
//! - Deciding a request ([`cors_decide`]) allocates nothing.
//!
//! # Example (Rust calling the C ABI; the C version is in `docs/c-api.md`)
//!
//! ```
//! use cors_ffi::*;
//! use std::ptr;
//!
//! let text = br#"allow_origins = ["https://app.example.com"]"#;
//! let mut policy = ptr::null();
//! // SAFETY: valid buffers and out-pointers.
//! let r = unsafe { cors_policy_from_toml(text.as_ptr(), text.len(), &mut policy, ptr::null_mut()) };
//! assert_eq!(r, cors_result::Ok);
//!
//! let origin = [cors_str::from_static("https://app.example.com")];
//! let request = cors_request {
//!     method: cors_str::from_static("GET"),
//!     origin: cors_lines { lines: origin.as_ptr(), count: 1 },
//!     ..cors_request::EMPTY
//! };
//! let mut decision = cors_decision::EMPTY;
//! // SAFETY: the policy is live, the request and decision are valid.
//! let r = unsafe { cors_decide(policy, &request, &mut decision) };
//! assert_eq!(r, cors_result::Ok);
//! assert_eq!(decision.action, cors_action::Forward);
//! assert_eq!(decision.header_count, 1);
//! // SAFETY: the policy was returned by cors_policy_from_toml and is freed once.
//! unsafe { cors_policy_free(policy) };
//! ```
#![allow(non_camel_case_types)]

mod decision;
mod error;
mod guard;
mod handle;
mod helpers;
mod info;
mod policy;
mod result;
mod slice;

pub use decision::{
    CORS_MAX_HEADERS, CORS_MAX_REQUEST_HEADER_LINES, cors_action, cors_decide, cors_decision,
    cors_decision_reason, cors_header, cors_request, cors_request_kind, cors_value_source,
};
pub use error::{cors_error, cors_error_free, cors_error_message, cors_error_result};
pub use handle::{
    cors_handle, cors_handle_current, cors_handle_free, cors_handle_new, cors_handle_store,
};
pub use helpers::{
    CORS_VARY_ORIGIN, CORS_VARY_REQUEST_HEADERS, CORS_VARY_REQUEST_METHOD,
    CORS_VARY_REQUEST_PRIVATE_NETWORK, cors_is_owned_header, cors_vary_merge,
};
pub use info::{cors_result_description, cors_version};
pub use policy::{
    cors_policy, cors_policy_clone, cors_policy_free, cors_policy_from_json, cors_policy_from_path,
    cors_policy_from_toml, cors_policy_warning, cors_policy_warning_count,
};
pub use result::cors_result;
pub use slice::{cors_lines, cors_str};
