//! The facts of the [Fetch standard](https://fetch.spec.whatwg.org/) the engine is built on,
//! for tools that model the browser (`cors-explain`): tokens, method normalization, and the
//! request and response headers browsers treat specially. The engine uses these same
//! functions, so a tool and the engine cannot disagree on them.
//!
//! ```
//! use cors_core::fetch;
//!
//! assert_eq!(fetch::normalize_method(b"get"), b"GET");
//! assert_eq!(fetch::normalize_method(b"patch"), b"patch");
//! assert!(fetch::is_safelisted_method(b"POST"));
//! assert!(fetch::is_forbidden_request_header("cookie"));
//! assert!(fetch::is_safelisted_response_header("content-type"));
//! ```

pub use crate::token::{
    is_forbidden_method, is_forbidden_request_header, is_forbidden_response_header,
    is_safelisted_method, is_safelisted_response_header, is_token, normalize_method, trim_ows,
};
