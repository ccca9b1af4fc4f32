//! The browser's side of CORS, for explaining decisions: whether a request needs a
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
//! use cors_core::explain::{CredentialsMode, FetchRequest, Mode, Outcome, simulate};
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

use std::fmt;

use http::{HeaderMap, HeaderValue, Method, Request, StatusCode};

use crate::decision::{Action, RequestKind};
use crate::denial::DenialKind;
use crate::origin::{OriginSet, Pattern, parse_pattern};
use crate::policy::{AllowHeaders, Methods, Origins, Policy};
use crate::request::{RequestHeader, RequestView};
use crate::response::{ResponseHeader, Vary};
use crate::token;

// ---------------------------------------------------------------------------------------
// The request a script makes.
// ---------------------------------------------------------------------------------------

/// The `credentials` option of `fetch()` (`withCredentials` for XMLHttpRequest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CredentialsMode {
    /// `"omit"`: never send cookies or HTTP auth.
    Omit,
    /// `"same-origin"` (the default): credentials only for same-origin requests, so none
    /// cross-origin.
    #[default]
    SameOrigin,
    /// `"include"`: send cookies and HTTP auth cross-origin too; the response must then
    /// name the origin and carry `Access-Control-Allow-Credentials: true`.
    Include,
}

impl CredentialsMode {
    /// The option's value as a script writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            CredentialsMode::Omit => "omit",
            CredentialsMode::SameOrigin => "same-origin",
            CredentialsMode::Include => "include",
        }
    }

    /// Whether this is `"include"`.
    pub const fn is_include(self) -> bool {
        matches!(self, CredentialsMode::Include)
    }
}

impl fmt::Display for CredentialsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cross-origin request as a script makes it: `fetch(url, { method, headers,
/// credentials })` from a page of `origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    /// The page's origin, sent as `Origin`.
    pub origin: String,
    /// The method, as the script wrote it (Fetch normalizes `get` to `GET` etc.).
    pub method: String,
    /// Headers the script set, in order: name and value.
    pub headers: Vec<(String, String)>,
    /// The credentials mode.
    pub credentials: CredentialsMode,
    /// Whether the target is in a more private address space than the page (a public
    /// site calling `localhost` or a LAN address): Private Network Access applies.
    pub private_network: bool,
}

impl FetchRequest {
    /// A request from `origin` with `method`, no headers, default credentials.
    pub fn new(origin: impl Into<String>, method: impl Into<String>) -> Self {
        FetchRequest {
            origin: origin.into(),
            method: method.into(),
            headers: Vec::new(),
            credentials: CredentialsMode::default(),
            private_network: false,
        }
    }

    /// Adds a header the script sets.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the credentials mode.
    #[must_use]
    pub fn credentials(mut self, mode: CredentialsMode) -> Self {
        self.credentials = mode;
        self
    }

    /// Marks the request as a private network request.
    #[must_use]
    pub fn private_network(mut self, yes: bool) -> Self {
        self.private_network = yes;
        self
    }

    /// The method after Fetch normalization (`delete get head options post put` in any
    /// case become upper-case; other methods keep their case).
    pub fn normalized_method(&self) -> String {
        String::from_utf8_lossy(token::normalize_method(self.method.as_bytes())).into_owned()
    }

    /// Checks what `fetch()` itself checks before sending anything.
    ///
    /// # Errors
    ///
    /// The [`FetchError`] that makes `fetch()` throw a `TypeError` (or that makes the request
    /// impossible to write).
    pub fn validate(&self) -> Result<(), FetchError> {
        if !token::is_token(self.method.as_bytes()) {
            return Err(FetchError::InvalidMethod(self.method.clone()));
        }
        if token::is_forbidden_method(self.method.as_bytes()) {
            return Err(FetchError::ForbiddenMethod(self.method.clone()));
        }
        if HeaderValue::from_str(&self.origin).is_err() || self.origin.is_empty() {
            return Err(FetchError::InvalidOrigin(self.origin.clone()));
        }
        for (name, value) in &self.headers {
            if !token::is_token(name.as_bytes()) {
                return Err(FetchError::InvalidHeaderName(name.clone()));
            }
            if HeaderValue::from_str(normalize_value(value)).is_err() {
                return Err(FetchError::InvalidHeaderValue(name.clone()));
            }
        }
        Ok(())
    }

    /// Headers the script set that the browser silently drops: forbidden request headers
    /// (`cookie`, `origin`, `sec-*`, ...), which only the browser sets.
    pub fn ignored_headers(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, v)| is_forbidden_request_header(n, v))
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The headers the browser really sends for the script: every header but forbidden ones.
    fn author_headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .filter(|(n, v)| !is_forbidden_request_header(n, v))
            .map(|(n, v)| (n.as_str(), normalize_value(v)))
    }

    /// Every reason this request needs a preflight; empty when it is a simple request.
    pub fn preflight_reasons(&self) -> Vec<PreflightReason> {
        let mut reasons = Vec::new();
        let method = self.normalized_method();
        if !token::is_safelisted_method(method.as_bytes()) {
            reasons.push(PreflightReason::Method(method));
        }
        let mut potentially_unsafe = Vec::new();
        let mut total = 0usize;
        for (name, value) in self.author_headers() {
            match check_safelisted_header(name, value.as_bytes()) {
                Ok(()) => {
                    potentially_unsafe.push(name.to_ascii_lowercase());
                    total += value.len();
                }
                Err(why) => reasons.push(PreflightReason::Header {
                    name: name.to_ascii_lowercase(),
                    why,
                }),
            }
        }
        if total > SAFELISTED_TOTAL_MAX {
            potentially_unsafe.sort();
            potentially_unsafe.dedup();
            for name in potentially_unsafe {
                reasons.push(PreflightReason::Header {
                    name,
                    why: UnsafeHeader::TotalTooLong(total),
                });
            }
        }
        if self.private_network {
            reasons.push(PreflightReason::PrivateNetwork);
        }
        reasons
    }

    /// Whether the browser sends a preflight before this request.
    pub fn needs_preflight(&self) -> bool {
        !self.preflight_reasons().is_empty()
    }

    /// Fetch's "CORS-unsafe request-header names": lower-case, sorted, without duplicates.
    /// These go into `Access-Control-Request-Headers`.
    pub fn unsafe_header_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .preflight_reasons()
            .into_iter()
            .filter_map(|r| match r {
                PreflightReason::Header { name, .. } => Some(name),
                _ => None,
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Every header name the script set (forbidden ones excepted), lower-case, sorted and
    /// deduplicated: what an explicit preflight lists.
    fn all_header_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .author_headers()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The preflight the browser sends, listing `names` in `Access-Control-Request-Headers`.
    fn preflight_request(&self, path: &str, names: &[String]) -> Result<Request<()>, FetchError> {
        self.validate()?;
        let mut b = Request::builder()
            .method(Method::OPTIONS)
            .uri(path_or_root(path))
            .header(RequestHeader::Origin.header_name(), &self.origin)
            .header(
                RequestHeader::RequestMethod.header_name(),
                self.normalized_method(),
            );
        if !names.is_empty() {
            b = b.header(RequestHeader::RequestHeaders.header_name(), names.join(","));
        }
        if self.private_network {
            b = b.header(RequestHeader::RequestPrivateNetwork.header_name(), "true");
        }
        b.body(())
            .map_err(|e| FetchError::InvalidPath(format!("{path}: {e}")))
    }

    /// The actual request the browser sends: method, `Origin`, and the script's headers.
    fn actual_request(&self, path: &str) -> Result<Request<()>, FetchError> {
        self.validate()?;
        let method = Method::from_bytes(self.normalized_method().as_bytes())
            .map_err(|_| FetchError::InvalidMethod(self.method.clone()))?;
        let mut b = Request::builder()
            .method(method)
            .uri(path_or_root(path))
            .header(RequestHeader::Origin.header_name(), &self.origin);
        for (name, value) in self.author_headers() {
            b = b.header(name, value);
        }
        b.body(())
            .map_err(|e| FetchError::InvalidPath(format!("{path}: {e}")))
    }

    /// Runs the browser's checks on a preflight response (status and headers) for this
    /// request, whose preflight listed the CORS-unsafe header names.
    ///
    /// # Errors
    ///
    /// Why the browser fails the preflight.
    pub fn check_preflight_response(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Result<Accepted, Blocked> {
        self.check_preflight_for(status, headers, &self.unsafe_header_names())
    }

    fn check_preflight_for(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        names: &[String],
    ) -> Result<Accepted, Blocked> {
        let fail = |reason| Blocked {
            stage: Stage::Preflight,
            reason,
        };
        cors_check(&self.origin, self.credentials, headers).map_err(fail)?;
        if !status.is_success() {
            return Err(fail(BlockReason::PreflightStatus(status.as_u16())));
        }
        let methods = header_list(headers, ResponseHeader::AllowMethods).map_err(fail)?;
        let allowed_headers = header_list(headers, ResponseHeader::AllowHeaders).map_err(fail)?;

        // Private Network Access: the preflight must be granted explicitly.
        if self.private_network {
            let pna = get_combined(headers, ResponseHeader::AllowPrivateNetwork.as_str());
            if pna.as_deref() != Some("true") {
                return Err(fail(BlockReason::PrivateNetworkNotAllowed(pna)));
            }
        }

        let include = self.credentials.is_include();
        let method = self.normalized_method();
        let star = |list: &[String]| list.iter().any(|m| m == "*");
        if !token::is_safelisted_method(method.as_bytes())
            && !methods.contains(&method)
            && (include || !star(&methods))
        {
            return Err(fail(BlockReason::MethodNotAllowed {
                method,
                star_ignored: include && star(&methods),
            }));
        }
        let listed = |n: &str| allowed_headers.iter().any(|h| h.eq_ignore_ascii_case(n));
        if names.iter().any(|n| n == "authorization") && !listed("authorization") {
            return Err(fail(BlockReason::AuthorizationNotCovered));
        }
        for name in names {
            if !listed(name) && (include || !star(&allowed_headers)) {
                return Err(fail(BlockReason::HeaderNotAllowed {
                    name: name.clone(),
                    star_ignored: include && star(&allowed_headers),
                }));
            }
        }
        let max_age = get_combined(headers, ResponseHeader::MaxAge.as_str())
            .and_then(|v| v.trim().parse::<u64>().ok());
        Ok(Accepted::Preflight { max_age })
    }

    /// Runs the browser's CORS check on the actual response's headers.
    ///
    /// # Errors
    ///
    /// Why the browser blocks the response (the script gets a `TypeError`).
    pub fn check_response(&self, headers: &HeaderMap) -> Result<Accepted, Blocked> {
        cors_check(&self.origin, self.credentials, headers).map_err(|reason| Blocked {
            stage: Stage::Response,
            reason,
        })?;
        // The exposed list: a malformed one exposes nothing extra, it does not block.
        let list = header_list(headers, ResponseHeader::ExposeHeaders).unwrap_or_default();
        let all = !self.credentials.is_include() && list.iter().any(|h| h == "*");
        let mut names: Vec<String> = list
            .into_iter()
            .filter(|h| h != "*")
            .map(|h| h.to_ascii_lowercase())
            .filter(|h| {
                !token::is_safelisted_response_header(h) && !token::is_forbidden_response_header(h)
            })
            .collect();
        names.sort();
        names.dedup();
        Ok(Accepted::Response(Exposure { all, names }))
    }
}

fn path_or_root(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

/// Fetch normalizes header values: leading and trailing HTTP whitespace is removed.
fn normalize_value(v: &str) -> &str {
    v.trim_matches([' ', '\t', '\n', '\r'])
}

/// Why `fetch()` refuses a request before sending anything.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// The method is not an HTTP token.
    InvalidMethod(String),
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod(String),
    /// A header name is not an HTTP token.
    InvalidHeaderName(String),
    /// A header value has a byte no header value can have (NUL, CR, LF), or a non-ASCII
    /// character.
    InvalidHeaderValue(String),
    /// The origin cannot be sent as a header value.
    InvalidOrigin(String),
    /// The request path is not a valid request target.
    InvalidPath(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::InvalidMethod(m) => write!(
                f,
                "fetch() throws a TypeError: {m:?} is not a valid method (an HTTP token)"
            ),
            FetchError::ForbiddenMethod(m) => write!(
                f,
                "fetch() throws a TypeError: method {m} is forbidden (CONNECT, TRACE and TRACK \
                 can never be sent)"
            ),
            FetchError::InvalidHeaderName(n) => write!(
                f,
                "fetch() throws a TypeError: {n:?} is not a valid header name (an HTTP token)"
            ),
            FetchError::InvalidHeaderValue(n) => write!(
                f,
                "the value of header {n} has a character that cannot be sent (NUL, CR, LF, \
                 or a non-ASCII character)"
            ),
            FetchError::InvalidOrigin(o) => {
                write!(f, "{o:?} cannot be sent as an Origin header value")
            }
            FetchError::InvalidPath(p) => write!(f, "invalid request path {p}"),
        }
    }
}

impl std::error::Error for FetchError {}

// ---------------------------------------------------------------------------------------
// Safelisted request headers and forbidden request headers.
// ---------------------------------------------------------------------------------------

/// The most bytes one CORS-safelisted header value may have.
pub const SAFELISTED_VALUE_MAX: usize = 128;
/// The most bytes all CORS-safelisted header values of one request may have together.
pub const SAFELISTED_TOTAL_MAX: usize = 1024;

/// Why a request needs a preflight.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PreflightReason {
    /// The method (normalized) is not `GET`, `HEAD` or `POST`.
    Method(String),
    /// A header the script set is not CORS-safelisted.
    Header {
        /// The lower-case header name.
        name: String,
        /// Why it is not safelisted.
        why: UnsafeHeader,
    },
    /// The target is on a more private network: Private Network Access always preflights.
    PrivateNetwork,
}

impl fmt::Display for PreflightReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightReason::Method(m) => write!(
                f,
                "method {m} is not CORS-safelisted (only GET, HEAD and POST are)"
            ),
            PreflightReason::Header { name, why } => write!(f, "header {name} {why}"),
            PreflightReason::PrivateNetwork => f.write_str(
                "the target is on a more private network than the page, so Private Network \
                 Access requires a preflight",
            ),
        }
    }
}

/// Why a request header is not CORS-safelisted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsafeHeader {
    /// Only `accept`, `accept-language`, `content-language`, `content-type` and `range`
    /// can be safelisted.
    Name,
    /// The value is longer than [`SAFELISTED_VALUE_MAX`] bytes.
    ValueTooLong(usize),
    /// The value has a byte the header's safelisted values cannot have.
    UnsafeByte(u8),
    /// `content-type` whose MIME type is not one of the three form types.
    ContentType(String),
    /// `content-type` that is not a MIME type.
    ContentTypeInvalid,
    /// `range` that is not a single `bytes=start-[end]` range.
    Range,
    /// The safelisted header values together are longer than [`SAFELISTED_TOTAL_MAX`].
    TotalTooLong(usize),
}

impl fmt::Display for UnsafeHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafeHeader::Name => f.write_str(
                "is not CORS-safelisted (only accept, accept-language, content-language, \
                 content-type and range can be)",
            ),
            UnsafeHeader::ValueTooLong(n) => write!(
                f,
                "has a {n}-byte value; safelisted values are at most {SAFELISTED_VALUE_MAX} bytes"
            ),
            UnsafeHeader::UnsafeByte(b) => write!(
                f,
                "has the byte '{}', which its safelisted values cannot contain",
                [*b].escape_ascii()
            ),
            UnsafeHeader::ContentType(essence) => write!(
                f,
                "is {essence}; only application/x-www-form-urlencoded, multipart/form-data and \
                 text/plain are CORS-safelisted"
            ),
            UnsafeHeader::ContentTypeInvalid => f.write_str("is not a valid MIME type"),
            UnsafeHeader::Range => f.write_str(
                "is not a single \"bytes=START-\" or \"bytes=START-END\" range, the only \
                 safelisted form",
            ),
            UnsafeHeader::TotalTooLong(n) => write!(
                f,
                "counts toward {n} bytes of safelisted header values, over the \
                 {SAFELISTED_TOTAL_MAX}-byte limit"
            ),
        }
    }
}

/// Whether `name: value` is a CORS-safelisted request-header (Fetch), ignoring the
/// 1024-byte total of a whole request.
pub fn is_safelisted_request_header(name: &str, value: &[u8]) -> bool {
    check_safelisted_header(name, value).is_ok()
}

/// Fetch's "CORS-safelisted request-header" algorithm, with the reason when not.
///
/// # Errors
///
/// Why the header is not safelisted.
pub fn check_safelisted_header(name: &str, value: &[u8]) -> Result<(), UnsafeHeader> {
    let name = name.to_ascii_lowercase();
    let known = matches!(
        name.as_str(),
        "accept" | "accept-language" | "content-language" | "content-type" | "range"
    );
    if !known {
        return Err(UnsafeHeader::Name);
    }
    if value.len() > SAFELISTED_VALUE_MAX {
        return Err(UnsafeHeader::ValueTooLong(value.len()));
    }
    let first_unsafe = || value.iter().copied().find(|&b| is_cors_unsafe_byte(b));
    match name.as_str() {
        "accept" => match first_unsafe() {
            Some(b) => Err(UnsafeHeader::UnsafeByte(b)),
            None => Ok(()),
        },
        "accept-language" | "content-language" => {
            match value.iter().copied().find(|&b| !is_language_byte(b)) {
                Some(b) => Err(UnsafeHeader::UnsafeByte(b)),
                None => Ok(()),
            }
        }
        "content-type" => {
            if let Some(b) = first_unsafe() {
                return Err(UnsafeHeader::UnsafeByte(b));
            }
            let essence = mime_essence(value).ok_or(UnsafeHeader::ContentTypeInvalid)?;
            match essence.as_str() {
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain" => {
                    Ok(())
                }
                _ => Err(UnsafeHeader::ContentType(essence)),
            }
        }
        _ => {
            if is_safelisted_range(value) {
                Ok(())
            } else {
                Err(UnsafeHeader::Range)
            }
        }
    }
}

/// Fetch's "CORS-unsafe request-header byte".
const fn is_cors_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t')
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7f
        )
}

const fn is_language_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b' ' | b'*' | b',' | b'-' | b'.'
        | b';' | b'=')
}

/// The lower-case `type/subtype` of a MIME type, or `None` when it does not parse.
fn mime_essence(value: &[u8]) -> Option<String> {
    let v = trim_http_ws(value);
    let slash = v.iter().position(|&b| b == b'/')?;
    let kind = v.get(..slash)?;
    let rest = v.get(slash + 1..)?;
    let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    let subtype = trim_http_ws(rest.get(..end)?);
    if !token::is_token(kind) || !token::is_token(subtype) {
        return None;
    }
    let mut essence = String::from_utf8_lossy(kind).to_ascii_lowercase();
    essence.push('/');
    essence.push_str(&String::from_utf8_lossy(subtype).to_ascii_lowercase());
    Some(essence)
}

fn trim_http_ws(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\n' | b'\r', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\n' | b'\r'] = s {
        s = rest;
    }
    s
}

/// Fetch's "parse a single range header value" without whitespace, plus the safelist's
/// rule that the start must be given.
fn is_safelisted_range(value: &[u8]) -> bool {
    let Some(rest) = value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case(b"bytes="))
        .and_then(|_| value.get(6..))
    else {
        return false;
    };
    let start_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (start, rest) = rest.split_at(start_len);
    let Some((b'-', end)) = rest.split_first() else {
        return false;
    };
    if start.is_empty() || !end.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Both given: start must not exceed end; compare as numbers of any length.
    if !end.is_empty() {
        let strip = |d: &[u8]| -> Vec<u8> {
            let zeros = d.iter().take_while(|&&b| b == b'0').count();
            d.get(zeros..).unwrap_or_default().to_vec()
        };
        let (s, e) = (strip(start), strip(end));
        if (s.len(), &s) > (e.len(), &e) {
            return false;
        }
    }
    true
}

/// Whether browsers drop this header when a script sets it (Fetch "forbidden request-header"),
/// including the method-override headers naming a forbidden method.
pub fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    if token::is_forbidden_request_header(&name) {
        return true;
    }
    matches!(
        name.as_str(),
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) && value
        .split(',')
        .any(|m| token::is_forbidden_method(m.trim().as_bytes()))
}

// ---------------------------------------------------------------------------------------
// What the browser does with a response.
// ---------------------------------------------------------------------------------------

/// Which response the browser rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The preflight response: the actual request is never sent.
    Preflight,
    /// The actual response: the request reached the server, the script gets a `TypeError`.
    Response,
}

/// The browser rejects a response: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// The preflight or the actual response.
    pub stage: Stage,
    /// Why.
    pub reason: BlockReason,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stage {
            Stage::Preflight => write!(
                f,
                "the browser fails the preflight and never sends the request: {}",
                self.reason
            ),
            Stage::Response => write!(f, "the browser blocks the response: {}", self.reason),
        }
    }
}

impl std::error::Error for Blocked {}

/// Why a browser rejects a CORS response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockReason {
    /// No `Access-Control-Allow-Origin` header.
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin: *` on a request with credentials `include`.
    WildcardWithCredentials,
    /// `Access-Control-Allow-Origin` is some other value than the request's origin (two
    /// header lines combine into `"a, b"`, which never matches).
    OriginMismatch {
        /// The header's (combined) value.
        allowed: String,
        /// The request's origin.
        origin: String,
    },
    /// Credentials `include` but `Access-Control-Allow-Credentials` is not exactly `true`.
    CredentialsNotAllowed(Option<String>),
    /// The preflight status is not 2xx.
    PreflightStatus(u16),
    /// `Access-Control-Allow-Methods` or `-Headers` is not a comma list of tokens.
    InvalidList {
        /// The header.
        header: &'static str,
        /// Its (combined) value.
        value: String,
    },
    /// The method is not in `Access-Control-Allow-Methods` (compared case-sensitively).
    MethodNotAllowed {
        /// The normalized method.
        method: String,
        /// The list had `*`, which does not count with credentials `include`.
        star_ignored: bool,
    },
    /// A CORS-unsafe header is not in `Access-Control-Allow-Headers`.
    HeaderNotAllowed {
        /// The lower-case header name.
        name: String,
        /// The list had `*`, which does not count with credentials `include`.
        star_ignored: bool,
    },
    /// `authorization` was requested and not listed by name (`*` never covers it).
    AuthorizationNotCovered,
    /// Private network access was requested and `Access-Control-Allow-Private-Network` is
    /// not `true`.
    PrivateNetworkNotAllowed(Option<String>),
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockReason::MissingAllowOrigin => {
                f.write_str("the response has no Access-Control-Allow-Origin header")
            }
            BlockReason::WildcardWithCredentials => f.write_str(
                "your fetch used credentials 'include' but the response has \
                 Access-Control-Allow-Origin: *, which browsers refuse with credentials",
            ),
            BlockReason::OriginMismatch { allowed, origin } if allowed.contains(',') => write!(
                f,
                "Access-Control-Allow-Origin has several values (\"{allowed}\"); it must be \
                 exactly your origin \"{origin}\""
            ),
            BlockReason::OriginMismatch { allowed, origin } => write!(
                f,
                "Access-Control-Allow-Origin is \"{allowed}\", not your origin \"{origin}\""
            ),
            BlockReason::CredentialsNotAllowed(None) => f.write_str(
                "your fetch used credentials 'include' but the response has no \
                 Access-Control-Allow-Credentials: true",
            ),
            BlockReason::CredentialsNotAllowed(Some(v)) => write!(
                f,
                "your fetch used credentials 'include' but Access-Control-Allow-Credentials \
                 is \"{v}\", not exactly \"true\""
            ),
            BlockReason::PreflightStatus(s) => write!(
                f,
                "the preflight response has status {s}; it must be 2xx (200 or 204)"
            ),
            BlockReason::InvalidList { header, value } => write!(
                f,
                "{header} \"{value}\" is not a comma-separated list of tokens"
            ),
            BlockReason::MethodNotAllowed {
                method,
                star_ignored,
            } => {
                write!(
                    f,
                    "method {method} is not in Access-Control-Allow-Methods (compared \
                     case-sensitively)"
                )?;
                if *star_ignored {
                    f.write_str(
                        "; \"*\" does not count because your fetch used credentials 'include'",
                    )?;
                }
                Ok(())
            }
            BlockReason::HeaderNotAllowed { name, star_ignored } => {
                write!(
                    f,
                    "request header {name} is not in Access-Control-Allow-Headers"
                )?;
                if *star_ignored {
                    f.write_str(
                        "; \"*\" does not count because your fetch used credentials 'include'",
                    )?;
                }
                Ok(())
            }
            BlockReason::AuthorizationNotCovered => f.write_str(
                "request header authorization is not listed in Access-Control-Allow-Headers \
                 (\"*\" never covers authorization)",
            ),
            BlockReason::PrivateNetworkNotAllowed(None) => f.write_str(
                "the preflight asked for private network access but the response has no \
                 Access-Control-Allow-Private-Network: true",
            ),
            BlockReason::PrivateNetworkNotAllowed(Some(v)) => write!(
                f,
                "the preflight asked for private network access but \
                 Access-Control-Allow-Private-Network is \"{v}\", not \"true\""
            ),
        }
    }
}

/// The browser accepts a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// The preflight passed; the browser sends the actual request.
    Preflight {
        /// `Access-Control-Max-Age`, when sent and valid.
        max_age: Option<u64>,
    },
    /// The script can read the response.
    Response(Exposure),
}

impl fmt::Display for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Accepted::Preflight { max_age } => {
                f.write_str("the browser accepts the preflight and sends the request")?;
                match max_age {
                    None => f.write_str(
                        "; without Access-Control-Max-Age it caches the answer for 5 seconds",
                    ),
                    Some(0) => f.write_str("; it does not cache the answer (max age 0)"),
                    Some(s) if *s > CHROMIUM_MAX_AGE => write!(
                        f,
                        "; it caches the answer for {s} seconds (Chromium caps this at \
                         {CHROMIUM_MAX_AGE}, Firefox at 86400)"
                    ),
                    Some(s) => write!(f, "; it caches the answer for {s} seconds"),
                }
            }
            Accepted::Response(exposure) => write!(
                f,
                "the browser lets the script read the response: {exposure}"
            ),
        }
    }
}

const CHROMIUM_MAX_AGE: u64 = 7200;

/// The response headers a script can read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exposure {
    /// `Access-Control-Expose-Headers: *` without credentials: every header but
    /// `set-cookie`.
    pub all: bool,
    /// Further exposed header names, lower-case, sorted (safelisted ones left out).
    pub names: Vec<String>,
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.all {
            return f.write_str("the body and every response header but set-cookie");
        }
        f.write_str(
            "the body and the safelisted response headers (cache-control, content-language, \
             content-length, content-type, expires, last-modified, pragma)",
        )?;
        if !self.names.is_empty() {
            write!(f, " plus {}", self.names.join(", "))?;
        }
        Ok(())
    }
}

/// The elements of a comma-separated header line, trimmed of optional whitespace, empty
/// elements skipped.
fn list_items(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b',')
        .map(|item| item.trim_ascii())
        .filter(|item| !item.is_empty())
}

/// Fetch's "get" of a header: every line joined with `", "`, or `None` when absent.
fn get_combined(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut lines = headers.get_all(name).iter().peekable();
    lines.peek()?;
    Some(
        lines
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Fetch's CORS check.
fn cors_check(
    origin: &str,
    credentials: CredentialsMode,
    headers: &HeaderMap,
) -> Result<(), BlockReason> {
    let allowed = get_combined(headers, ResponseHeader::AllowOrigin.as_str())
        .ok_or(BlockReason::MissingAllowOrigin)?;
    let include = credentials.is_include();
    if allowed == "*" {
        return if include {
            Err(BlockReason::WildcardWithCredentials)
        } else {
            Ok(())
        };
    }
    if allowed != origin {
        return Err(BlockReason::OriginMismatch {
            allowed,
            origin: origin.to_owned(),
        });
    }
    if !include {
        return Ok(());
    }
    match get_combined(headers, ResponseHeader::AllowCredentials.as_str()) {
        Some(v) if v == "true" => Ok(()),
        other => Err(BlockReason::CredentialsNotAllowed(other)),
    }
}

/// Fetch's "extract header list values" for a comma list of tokens; absent is empty.
fn header_list(headers: &HeaderMap, h: ResponseHeader) -> Result<Vec<String>, BlockReason> {
    let mut out = Vec::new();
    for line in headers.get_all(h.as_str()) {
        for item in list_items(line.as_bytes()) {
            if !token::is_token(item) {
                return Err(BlockReason::InvalidList {
                    header: header_title(h),
                    value: get_combined(headers, h.as_str()).unwrap_or_default(),
                });
            }
            out.push(String::from_utf8_lossy(item).into_owned());
        }
    }
    Ok(out)
}

/// The header's name in the capitalization documentation uses.
const fn header_title(h: ResponseHeader) -> &'static str {
    match h {
        ResponseHeader::AllowOrigin => "Access-Control-Allow-Origin",
        ResponseHeader::AllowCredentials => "Access-Control-Allow-Credentials",
        ResponseHeader::AllowMethods => "Access-Control-Allow-Methods",
        ResponseHeader::AllowHeaders => "Access-Control-Allow-Headers",
        ResponseHeader::MaxAge => "Access-Control-Max-Age",
        ResponseHeader::AllowPrivateNetwork => "Access-Control-Allow-Private-Network",
        ResponseHeader::ExposeHeaders => "Access-Control-Expose-Headers",
    }
}

// ---------------------------------------------------------------------------------------
// Which rule of the policy allowed a request.
// ---------------------------------------------------------------------------------------

/// A rule of the policy that allowed part of a request, for explaining allowed decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grant {
    /// `allow_origins = "*"` without credentials: every origin, no `Vary: Origin`.
    AnyOrigin,
    /// The origin matched this (normalized) `allow_origins` entry.
    OriginListed {
        /// The request's origin.
        origin: String,
        /// The entry it matched.
        entry: String,
    },
    /// `GET`, `HEAD` and `POST` are always allowed.
    SafelistedMethod(String),
    /// The method is in `allow_methods`.
    MethodListed(String),
    /// `allow_methods = "*"`.
    AnyMethod(String),
    /// The requested header is in `allow_headers`.
    HeaderListed(String),
    /// `allow_headers = "*"` covers the requested header.
    AnyHeader(String),
    /// `allow_headers = ["*", "authorization"]` covers `authorization`.
    AuthorizationListed,
    /// `allow_private_network = true`.
    PrivateNetwork,
    /// `allow_credentials = true`: `Access-Control-Allow-Credentials: true` is sent.
    Credentials,
    /// `allow_credentials = false`: no `Access-Control-Allow-Credentials`.
    NoCredentials,
    /// `preflight_continue = true`: the preflight also reaches the handler.
    PreflightContinue,
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::AnyOrigin => f.write_str(
                "allow_origins = \"*\" allows every origin (a constant policy: \
                 Access-Control-Allow-Origin: *)",
            ),
            Grant::OriginListed { origin, entry } if origin == entry => {
                write!(f, "origin {origin} is listed in allow_origins")
            }
            Grant::OriginListed { origin, entry } => {
                write!(f, "origin {origin} matches allow_origins entry \"{entry}\"")
            }
            Grant::SafelistedMethod(m) => {
                write!(f, "method {m} is CORS-safelisted, so always allowed")
            }
            Grant::MethodListed(m) => write!(f, "method {m} is in allow_methods"),
            Grant::AnyMethod(m) => write!(f, "allow_methods = \"*\" allows method {m}"),
            Grant::HeaderListed(h) => write!(f, "request header {h} is in allow_headers"),
            Grant::AnyHeader(h) => write!(f, "allow_headers = \"*\" covers request header {h}"),
            Grant::AuthorizationListed => f.write_str(
                "allow_headers = [\"*\", \"authorization\"] allows request header authorization",
            ),
            Grant::PrivateNetwork => {
                f.write_str("allow_private_network = true allows private network access")
            }
            Grant::Credentials => f.write_str(
                "allow_credentials = true, so Access-Control-Allow-Credentials: true is sent",
            ),
            Grant::NoCredentials => f.write_str(
                "allow_credentials = false, so no Access-Control-Allow-Credentials is sent",
            ),
            Grant::PreflightContinue => f.write_str(
                "preflight_continue = true, so the handler also receives the preflight and its \
                 status stands",
            ),
        }
    }
}

/// The rules of `policy` that allow `req`, in the order the engine checks them; empty when
/// the engine denies it or it is not a CORS request.
pub fn grants<R: RequestView + ?Sized>(policy: &Policy, req: &R) -> Vec<Grant> {
    let decision = policy.decide(req);
    if !decision.is_allowed() || decision.kind() == RequestKind::NotCors {
        return Vec::new();
    }
    let inner = &*policy.inner;
    let mut out = Vec::new();
    let origin = req
        .header(RequestHeader::Origin)
        .next()
        .map(|o| String::from_utf8_lossy(o.as_ref()).into_owned())
        .unwrap_or_default();
    match &inner.origins {
        Origins::Any => out.push(Grant::AnyOrigin),
        Origins::Set(_) => {
            // The exact entry when there is one, else the first pattern that matches.
            let entry = match &inner.config.allow_origins {
                crate::AnyOr::List(entries) => {
                    let matching: Vec<(bool, &String)> = entries
                        .iter()
                        .filter_map(|e| match parse_pattern(e) {
                            Ok(Some(p))
                                if OriginSet::new(std::slice::from_ref(&p))
                                    .check(origin.as_bytes())
                                    .is_ok() =>
                            {
                                Some((matches!(p, Pattern::Exact(_) | Pattern::Null), e))
                            }
                            _ => None,
                        })
                        .collect();
                    matching
                        .iter()
                        .find(|(exact, _)| *exact)
                        .or(matching.first())
                        .map(|(_, e)| *e)
                }
                crate::AnyOr::Any => None,
            };
            out.push(Grant::OriginListed {
                entry: entry.cloned().unwrap_or_else(|| origin.clone()),
                origin,
            });
        }
    }
    if decision.kind() == RequestKind::Preflight {
        let method = req
            .header(RequestHeader::RequestMethod)
            .next()
            .map(|m| token::normalize_method(token::trim_ows(m.as_ref())))
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .unwrap_or_default();
        out.push(if token::is_safelisted_method(method.as_bytes()) {
            Grant::SafelistedMethod(method)
        } else {
            match inner.methods {
                Methods::Any => Grant::AnyMethod(method),
                Methods::List(_) => Grant::MethodListed(method),
            }
        });
        for line in req.header(RequestHeader::RequestHeaders) {
            for name in list_items(line.as_ref()) {
                let name = String::from_utf8_lossy(name).to_ascii_lowercase();
                out.push(match inner.headers {
                    AllowHeaders::Any { .. } if name == "authorization" => {
                        Grant::AuthorizationListed
                    }
                    AllowHeaders::Any { .. } => Grant::AnyHeader(name),
                    AllowHeaders::List(_) => Grant::HeaderListed(name),
                });
            }
        }
        if decision.get(ResponseHeader::AllowPrivateNetwork).is_some() {
            out.push(Grant::PrivateNetwork);
        }
    }
    if !policy.is_constant() {
        out.push(if inner.credentials {
            Grant::Credentials
        } else {
            Grant::NoCredentials
        });
    }
    if decision.kind() == RequestKind::Preflight && inner.preflight_continue {
        out.push(Grant::PreflightContinue);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Simulating a whole exchange: browser, engine, browser.
// ---------------------------------------------------------------------------------------

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// What a browser does: a preflight only when Fetch requires one, then the actual
    /// request if the preflight passed.
    #[default]
    Browser,
    /// Only a preflight, listing every header the request sets (as if a preflight were
    /// required).
    PreflightOnly,
}

/// The engine's denial of a request, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineDenial {
    /// The kind.
    pub kind: DenialKind,
    /// The reason in plain words (the [`Denial`](crate::Denial) `Display`).
    pub message: String,
}

impl fmt::Display for EngineDenial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One request the browser sends, what the engine answers, and what the browser then does.
#[derive(Debug)]
pub struct Exchange {
    /// The request the browser sends.
    pub request: Request<()>,
    /// How the engine classifies it.
    pub kind: RequestKind,
    /// What the server does.
    pub action: Action,
    /// The status the browser sees: the engine's for [`Action::Respond`], otherwise the
    /// handler's, assumed to be `200 OK`.
    pub status: StatusCode,
    /// The response headers the engine sets (`Vary` included), in order.
    pub headers: HeaderMap,
    /// Why the engine denied it, if it did.
    pub denial: Option<EngineDenial>,
    /// The rules that allowed it, if allowed.
    pub grants: Vec<Grant>,
    /// What the browser does with the response.
    pub browser: Result<Accepted, Blocked>,
}

/// A whole simulated fetch.
#[derive(Debug)]
pub struct Simulation {
    /// Why a preflight is needed (empty for a simple request).
    pub preflight_reasons: Vec<PreflightReason>,
    /// Headers the script set that the browser drops (forbidden request headers).
    pub ignored_headers: Vec<String>,
    /// The preflight, when one is sent.
    pub preflight: Option<Exchange>,
    /// The actual request, when it is sent (not after a failed preflight, not in
    /// [`Mode::PreflightOnly`]).
    pub actual: Option<Exchange>,
}

/// The end result of a simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The script can read the response (or, for [`Mode::PreflightOnly`], the preflight
    /// passed).
    Allowed,
    /// The browser blocks it.
    Blocked(Blocked),
}

/// The policy's part in a blocked outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause<'a> {
    /// The engine denied a request.
    Denied {
        /// Which request.
        stage: Stage,
        /// Why.
        denial: &'a EngineDenial,
    },
    /// The fetch used credentials `include` and `allow_credentials` is false.
    CredentialsNotAllowed,
}

impl fmt::Display for Cause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Denied {
                stage: Stage::Preflight,
                denial,
            } => write!(f, "the policy denies the preflight: {denial}"),
            Cause::Denied {
                stage: Stage::Response,
                denial,
            } => write!(f, "the policy grants the request nothing: {denial}"),
            Cause::CredentialsNotAllowed => f.write_str(
                "your fetch used credentials 'include' but allow_credentials is false; set \
                 allow_credentials = true (with listed origins) if the page must send cookies, \
                 or fetch without credentials",
            ),
        }
    }
}

impl Simulation {
    /// The policy's part when the browser blocks: which request the engine denied and
    /// why, or a setting the fetch needs; `None` when allowed or when nothing in the policy
    /// explains it.
    pub fn cause(&self) -> Option<Cause<'_>> {
        let Outcome::Blocked(blocked) = self.outcome() else {
            return None;
        };
        for (stage, ex) in [
            (Stage::Preflight, &self.preflight),
            (Stage::Response, &self.actual),
        ] {
            if let Some(denial) = ex.as_ref().and_then(|ex| ex.denial.as_ref()) {
                return Some(Cause::Denied { stage, denial });
            }
        }
        let no_credentials = [&self.preflight, &self.actual]
            .into_iter()
            .flatten()
            .any(|ex| ex.grants.contains(&Grant::NoCredentials));
        (matches!(blocked.reason, BlockReason::CredentialsNotAllowed(_)) && no_credentials)
            .then_some(Cause::CredentialsNotAllowed)
    }

    /// Whether the script gets the response.
    pub fn outcome(&self) -> Outcome {
        for ex in [&self.preflight, &self.actual].into_iter().flatten() {
            if let Err(b) = &ex.browser {
                return Outcome::Blocked(b.clone());
            }
        }
        Outcome::Allowed
    }
}

/// Simulates `fetch` against `policy`: the requests the browser sends to `path`, the
/// engine's answers (from [`Policy::decide`]), and the browser's checks of them.
///
/// # Errors
///
/// [`FetchError`] when `fetch()` would refuse the request before sending it.
pub fn simulate(
    policy: &Policy,
    fetch: &FetchRequest,
    path: &str,
    mode: Mode,
) -> Result<Simulation, FetchError> {
    fetch.validate()?;
    let preflight_reasons = fetch.preflight_reasons();
    let ignored_headers = fetch
        .ignored_headers()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let names = match mode {
        Mode::Browser => fetch.unsafe_header_names(),
        Mode::PreflightOnly => fetch.all_header_names(),
    };
    let preflight = if mode == Mode::PreflightOnly || !preflight_reasons.is_empty() {
        Some(exchange(
            policy,
            fetch.preflight_request(path, &names)?,
            fetch,
        ))
    } else {
        None
    };
    let preflight_ok = preflight.as_ref().is_none_or(|p| p.browser.is_ok());
    let actual = if mode == Mode::Browser && preflight_ok {
        Some(exchange(policy, fetch.actual_request(path)?, fetch))
    } else {
        None
    };
    Ok(Simulation {
        preflight_reasons,
        ignored_headers,
        preflight,
        actual,
    })
}

fn exchange(policy: &Policy, request: Request<()>, fetch: &FetchRequest) -> Exchange {
    let decision = policy.decide(&request);
    let mut headers = HeaderMap::new();
    decision.apply(&mut headers);
    let kind = decision.kind();
    let action = decision.action();
    let denial = decision.denial().map(|d| EngineDenial {
        kind: d.kind(),
        message: d.to_string(),
    });
    let status = match action {
        Action::Respond(s) => s,
        Action::Forward => StatusCode::OK,
    };
    let grants = grants(policy, &request);
    let mut ex = Exchange {
        request,
        kind,
        action,
        status,
        headers,
        denial,
        grants,
        browser: Ok(Accepted::Preflight { max_age: None }),
    };
    ex.browser = ex.browser_check(fetch, status, &ex.headers);
    ex
}

impl Exchange {
    /// What the browser does when a server answers this exchange's request of `fetch`
    /// with `status` and `headers` (the engine's answer, or a real server's).
    ///
    /// # Errors
    ///
    /// Why the browser rejects that answer.
    pub fn browser_check(
        &self,
        fetch: &FetchRequest,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Result<Accepted, Blocked> {
        match self.kind {
            RequestKind::Preflight => {
                let names: Vec<String> = self
                    .request
                    .headers()
                    .get_all(RequestHeader::RequestHeaders.header_name())
                    .iter()
                    .flat_map(|v| list_items(v.as_bytes()))
                    .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
                    .collect();
                fetch.check_preflight_for(status, headers, &names)
            }
            RequestKind::Actual | RequestKind::NotCors => fetch.check_response(headers),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Comparing a real server's answer with the policy's.
// ---------------------------------------------------------------------------------------

/// One way a server's response differs from what the policy sends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Difference {
    /// A different status (compared only when the policy answers the request itself).
    Status {
        /// The policy's.
        expected: u16,
        /// The server's.
        got: u16,
    },
    /// The server did not send a header the policy sends.
    Missing {
        /// The header.
        header: &'static str,
        /// The policy's value.
        expected: String,
    },
    /// The server sent a header the policy does not send.
    Unexpected {
        /// The header.
        header: &'static str,
        /// The server's value.
        got: String,
    },
    /// Both sent the header, with different values.
    Value {
        /// The header.
        header: &'static str,
        /// The policy's value.
        expected: String,
        /// The server's value.
        got: String,
    },
    /// The server's `Vary` lacks tokens the policy adds.
    VaryMissing {
        /// The missing tokens, in canonical order.
        tokens: Vec<&'static str>,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Status { expected, got } => {
                write!(
                    f,
                    "the server answered {got}; the policy answers {expected}"
                )
            }
            Difference::Missing { header, expected } => write!(
                f,
                "the server sent no {header}; the policy sends \"{expected}\""
            ),
            Difference::Unexpected { header, got } => write!(
                f,
                "the server sent {header}: \"{got}\"; the policy sends none"
            ),
            Difference::Value {
                header,
                expected,
                got,
            } => write!(
                f,
                "the server sent {header}: \"{got}\"; the policy sends \"{expected}\""
            ),
            Difference::VaryMissing { tokens } => write!(
                f,
                "the server's Vary lacks {}, so caches may serve one origin's answer to another",
                tokens.join(", ")
            ),
        }
    }
}

/// Compares a server's response to `exchange`'s request with the policy's answer in
/// `exchange`: status (only when the policy answers itself), every CORS response header
/// (lists compared as sets), and the `Vary` tokens.
pub fn compare(exchange: &Exchange, status: StatusCode, headers: &HeaderMap) -> Vec<Difference> {
    let mut out = Vec::new();
    if let Action::Respond(expected) = exchange.action
        && expected != status
    {
        out.push(Difference::Status {
            expected: expected.as_u16(),
            got: status.as_u16(),
        });
    }
    for h in ResponseHeader::ALL {
        let expected = get_combined(&exchange.headers, h.as_str());
        let got = get_combined(headers, h.as_str());
        let header = header_title(h);
        match (expected, got) {
            (None, None) => {}
            (Some(expected), None) => out.push(Difference::Missing { header, expected }),
            (None, Some(got)) => out.push(Difference::Unexpected { header, got }),
            (Some(expected), Some(got)) => {
                if !same_value(h, &expected, &got) {
                    out.push(Difference::Value {
                        header,
                        expected,
                        got,
                    });
                }
            }
        }
    }
    let vary: Vec<&[u8]> = headers
        .get_all(http::header::VARY)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let expected_vary = exchange
        .headers
        .get_all(http::header::VARY)
        .iter()
        .flat_map(|v| list_items(v.as_bytes()))
        .fold(Vary::NONE, |acc, t| {
            acc.union(
                [
                    Vary::ORIGIN,
                    Vary::REQUEST_METHOD,
                    Vary::REQUEST_HEADERS,
                    Vary::REQUEST_PRIVATE_NETWORK,
                ]
                .into_iter()
                .find(|v| v.as_str().as_bytes().eq_ignore_ascii_case(t))
                .unwrap_or(Vary::NONE),
            )
        });
    let star = vary.iter().flat_map(|l| list_items(l)).any(|t| t == b"*");
    if !star {
        let tokens: Vec<&'static str> = expected_vary
            .tokens()
            .filter(|token| {
                !vary
                    .iter()
                    .flat_map(|l| list_items(l))
                    .any(|t| t.eq_ignore_ascii_case(token.as_bytes()))
            })
            .collect();
        if !tokens.is_empty() {
            out.push(Difference::VaryMissing { tokens });
        }
    }
    out
}

/// Whether two values of `h` mean the same to a browser.
fn same_value(h: ResponseHeader, expected: &str, got: &str) -> bool {
    let set = |v: &str, fold: bool| {
        let mut items: Vec<String> = v
            .split(',')
            .map(|s| s.trim_matches([' ', '\t']))
            .filter(|s| !s.is_empty())
            .map(|s| {
                if fold {
                    s.to_ascii_lowercase()
                } else {
                    s.to_owned()
                }
            })
            .collect();
        items.sort();
        items.dedup();
        items
    };
    match h {
        ResponseHeader::AllowMethods => set(expected, false) == set(got, false),
        ResponseHeader::AllowHeaders | ResponseHeader::ExposeHeaders => {
            set(expected, true) == set(got, true)
        }
        _ => expected == got.trim_matches([' ', '\t']),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(toml: &str) -> Policy {
        Policy::from_toml_str(toml).unwrap()
    }

    const APP: &str = "https://app.example.com";

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (n, v) in pairs {
            map.append(
                http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    #[test]
    fn safelisted_headers() {
        assert!(is_safelisted_request_header("Accept", b"application/json"));
        assert!(is_safelisted_request_header(
            "accept-language",
            b"en-US,en;q=0.9"
        ));
        assert!(!is_safelisted_request_header("accept-language", b"en:US"));
        assert!(is_safelisted_request_header(
            "content-type",
            b"text/plain; charset=utf-8"
        ));
        assert!(is_safelisted_request_header(
            "Content-Type",
            b"Multipart/Form-Data; boundary=x"
        ));
        assert_eq!(
            check_safelisted_header("content-type", b"application/json"),
            Err(UnsafeHeader::ContentType("application/json".into()))
        );
        assert_eq!(
            check_safelisted_header("content-type", b"text/plain; a=\"b\""),
            Err(UnsafeHeader::UnsafeByte(b'"'))
        );
        assert_eq!(
            check_safelisted_header("content-type", b"nonsense"),
            Err(UnsafeHeader::ContentTypeInvalid)
        );
        assert_eq!(
            check_safelisted_header("x-api-key", b"1"),
            Err(UnsafeHeader::Name)
        );
        let long = vec![b'a'; 129];
        assert_eq!(
            check_safelisted_header("accept", &long),
            Err(UnsafeHeader::ValueTooLong(129))
        );
        assert!(is_safelisted_request_header("accept", &long[..128]));
    }

    #[test]
    fn range_header() {
        assert!(is_safelisted_request_header("range", b"bytes=0-"));
        assert!(is_safelisted_request_header("range", b"bytes=10-20"));
        assert!(is_safelisted_request_header("range", b"BYTES=5-5"));
        assert!(!is_safelisted_request_header("range", b"bytes=-500"));
        assert!(!is_safelisted_request_header("range", b"bytes=20-10"));
        assert!(!is_safelisted_request_header("range", b"bytes=0-1,5-6"));
        assert!(!is_safelisted_request_header("range", b"bytes= 0-1"));
        assert!(!is_safelisted_request_header("range", b"items=0-1"));
        assert!(is_safelisted_request_header(
            "range",
            b"bytes=00000000000000000000000001-99999999999999999999999999"
        ));
    }

    #[test]
    fn preflight_needed() {
        let simple = FetchRequest::new(APP, "post").header("content-type", "text/plain");
        assert!(!simple.needs_preflight());
        assert_eq!(simple.normalized_method(), "POST");

        let put = FetchRequest::new(APP, "PUT");
        assert_eq!(
            put.preflight_reasons(),
            [PreflightReason::Method("PUT".into())]
        );
        // `patch` is not normalized: methods are case-sensitive.
        assert_eq!(FetchRequest::new(APP, "patch").normalized_method(), "patch");

        let json = FetchRequest::new(APP, "GET")
            .header("X-Api-Key", "1")
            .header("content-type", "application/json")
            .header("cookie", "a=b");
        assert_eq!(json.unsafe_header_names(), ["content-type", "x-api-key"]);
        assert_eq!(json.ignored_headers(), ["cookie"]);

        let pna = FetchRequest::new(APP, "GET").private_network(true);
        assert_eq!(pna.preflight_reasons(), [PreflightReason::PrivateNetwork]);
    }

    #[test]
    fn total_safelisted_size() {
        let v = "a".repeat(120);
        let mut r = FetchRequest::new(APP, "GET");
        for _ in 0..8 {
            r = r.header("accept", v.clone());
        }
        assert!(!r.needs_preflight(), "960 bytes is within the limit");
        let r = r.header("accept-language", "en".repeat(40));
        assert_eq!(r.unsafe_header_names(), ["accept", "accept-language"]);
        assert!(matches!(
            r.preflight_reasons().first(),
            Some(PreflightReason::Header {
                why: UnsafeHeader::TotalTooLong(1040),
                ..
            })
        ));
    }

    #[test]
    fn forbidden_headers_and_methods() {
        assert!(is_forbidden_request_header("Sec-Fetch-Mode", "cors"));
        assert!(is_forbidden_request_header(
            "X-HTTP-Method-Override",
            "trace"
        ));
        assert!(!is_forbidden_request_header(
            "X-HTTP-Method-Override",
            "PUT"
        ));
        assert_eq!(
            FetchRequest::new(APP, "TRACE").validate(),
            Err(FetchError::ForbiddenMethod("TRACE".into()))
        );
        assert!(matches!(
            FetchRequest::new(APP, "GET")
                .header("bad name", "x")
                .validate(),
            Err(FetchError::InvalidHeaderName(_))
        ));
        assert!(matches!(
            FetchRequest::new("", "GET").validate(),
            Err(FetchError::InvalidOrigin(_))
        ));
    }

    #[test]
    fn cors_check_rules() {
        let anon = FetchRequest::new(APP, "GET");
        let cred = anon.clone().credentials(CredentialsMode::Include);
        let star = headers(&[("access-control-allow-origin", "*")]);
        assert!(anon.check_response(&star).is_ok());
        assert_eq!(
            cred.check_response(&star).unwrap_err().reason,
            BlockReason::WildcardWithCredentials
        );
        let echo = headers(&[("access-control-allow-origin", APP)]);
        assert!(anon.check_response(&echo).is_ok());
        let err = cred.check_response(&echo).unwrap_err();
        assert_eq!(err.reason, BlockReason::CredentialsNotAllowed(None));
        assert_eq!(
            err.to_string(),
            "the browser blocks the response: your fetch used credentials 'include' but the \
             response has no Access-Control-Allow-Credentials: true"
        );
        let upper = headers(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "TRUE"),
        ]);
        assert_eq!(
            cred.check_response(&upper).unwrap_err().reason,
            BlockReason::CredentialsNotAllowed(Some("TRUE".into()))
        );
        let two = headers(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-origin", APP),
        ]);
        assert!(matches!(
            anon.check_response(&two).unwrap_err().reason,
            BlockReason::OriginMismatch { .. }
        ));
        // Origins are compared byte for byte.
        let other_case = headers(&[("access-control-allow-origin", "https://APP.example.com")]);
        assert!(anon.check_response(&other_case).is_err());
        assert_eq!(
            anon.check_response(&HeaderMap::new()).unwrap_err().reason,
            BlockReason::MissingAllowOrigin
        );
    }

    #[test]
    fn exposure() {
        let anon = FetchRequest::new(APP, "GET");
        let h = headers(&[
            ("access-control-allow-origin", APP),
            (
                "access-control-expose-headers",
                "X-Request-Id, content-type, set-cookie",
            ),
        ]);
        assert_eq!(
            anon.check_response(&h).unwrap(),
            Accepted::Response(Exposure {
                all: false,
                names: vec!["x-request-id".into()]
            })
        );
        let star = headers(&[
            ("access-control-allow-origin", "*"),
            ("access-control-expose-headers", "*"),
        ]);
        assert!(matches!(
            anon.check_response(&star),
            Ok(Accepted::Response(Exposure { all: true, .. }))
        ));
    }

    #[test]
    fn preflight_checks() {
        let req = FetchRequest::new(APP, "PUT")
            .header("content-type", "application/json")
            .header("authorization", "Bearer x");
        let ok = StatusCode::NO_CONTENT;
        let good = headers(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "*"),
            ("access-control-allow-headers", "*, Authorization"),
        ]);
        assert_eq!(
            req.check_preflight_response(ok, &good),
            Ok(Accepted::Preflight { max_age: None })
        );
        let no_auth = headers(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "*"),
            ("access-control-allow-headers", "*"),
        ]);
        assert_eq!(
            req.check_preflight_response(ok, &no_auth)
                .unwrap_err()
                .reason,
            BlockReason::AuthorizationNotCovered
        );
        assert_eq!(
            req.check_preflight_response(StatusCode::FORBIDDEN, &good)
                .unwrap_err()
                .reason,
            BlockReason::PreflightStatus(403)
        );
        let lower = headers(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "put"),
        ]);
        // `put` normalizes to PUT in the request but the response list is case-sensitive.
        assert!(matches!(
            req.check_preflight_response(ok, &lower).unwrap_err().reason,
            BlockReason::MethodNotAllowed { .. }
        ));

        let cred = FetchRequest::new(APP, "DELETE")
            .header("x-a", "1")
            .credentials(CredentialsMode::Include);
        let stars = headers(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "*"),
            ("access-control-allow-headers", "*"),
        ]);
        assert_eq!(
            cred.check_preflight_response(ok, &stars)
                .unwrap_err()
                .reason,
            BlockReason::MethodNotAllowed {
                method: "DELETE".into(),
                star_ignored: true
            }
        );
        let listed = headers(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "DELETE"),
            ("access-control-allow-headers", "*"),
        ]);
        assert_eq!(
            cred.check_preflight_response(ok, &listed)
                .unwrap_err()
                .reason,
            BlockReason::HeaderNotAllowed {
                name: "x-a".into(),
                star_ignored: true
            }
        );
        let bad_list = headers(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "PUT, a b"),
        ]);
        assert!(matches!(
            req.check_preflight_response(ok, &bad_list)
                .unwrap_err()
                .reason,
            BlockReason::InvalidList { .. }
        ));
    }

    #[test]
    fn private_network_preflight() {
        let req = FetchRequest::new(APP, "GET").private_network(true);
        let without = headers(&[("access-control-allow-origin", APP)]);
        assert_eq!(
            req.check_preflight_response(StatusCode::NO_CONTENT, &without)
                .unwrap_err()
                .reason,
            BlockReason::PrivateNetworkNotAllowed(None)
        );
        let with = headers(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-private-network", "true"),
        ]);
        assert!(
            req.check_preflight_response(StatusCode::NO_CONTENT, &with)
                .is_ok()
        );
    }

    #[test]
    fn simulate_simple_and_preflighted() {
        let p = policy(
            r#"
            allow_origins = ["https://*.example.com"]
            allow_methods = ["GET", "PUT"]
            allow_headers = ["content-type"]
            expose_headers = ["x-request-id"]
            allow_credentials = true
            max_age = 600
            "#,
        );
        let simple = FetchRequest::new(APP, "GET").credentials(CredentialsMode::Include);
        let sim = simulate(&p, &simple, "/a", Mode::Browser).unwrap();
        assert!(sim.preflight.is_none());
        let actual = sim.actual.as_ref().unwrap();
        assert_eq!(actual.kind, RequestKind::Actual);
        assert_eq!(
            actual.grants.first(),
            Some(&Grant::OriginListed {
                origin: APP.into(),
                entry: "https://*.example.com".into()
            })
        );
        assert_eq!(sim.outcome(), Outcome::Allowed);

        let put = FetchRequest::new(APP, "PUT")
            .header("content-type", "application/json")
            .credentials(CredentialsMode::Include);
        let sim = simulate(&p, &put, "/a", Mode::Browser).unwrap();
        let pre = sim.preflight.as_ref().unwrap();
        assert_eq!(pre.status, StatusCode::NO_CONTENT);
        assert_eq!(
            pre.request.headers()["access-control-request-headers"],
            "content-type"
        );
        assert_eq!(pre.browser, Ok(Accepted::Preflight { max_age: Some(600) }));
        assert!(pre.grants.contains(&Grant::MethodListed("PUT".into())));
        assert!(sim.actual.is_some());
        assert_eq!(sim.outcome(), Outcome::Allowed);
    }

    #[test]
    fn simulate_denied_preflight_stops() {
        let p = policy(r#"allow_origins = ["https://app.example.com"]"#);
        let del = FetchRequest::new(APP, "DELETE");
        let sim = simulate(&p, &del, "/", Mode::Browser).unwrap();
        let pre = sim.preflight.as_ref().unwrap();
        assert_eq!(pre.status, StatusCode::FORBIDDEN);
        assert_eq!(
            pre.denial.as_ref().map(|d| d.kind),
            Some(DenialKind::MethodNotAllowed)
        );
        assert!(pre.grants.is_empty());
        assert!(sim.actual.is_none());
        assert!(matches!(
            sim.cause(),
            Some(Cause::Denied {
                stage: Stage::Preflight,
                ..
            })
        ));
        assert!(matches!(
            sim.outcome(),
            Outcome::Blocked(Blocked {
                stage: Stage::Preflight,
                reason: BlockReason::MissingAllowOrigin
            })
        ));
    }

    #[test]
    fn simulate_credentials_not_allowed() {
        let p = policy(r#"allow_origins = ["https://app.example.com"]"#);
        let get = FetchRequest::new(APP, "GET").credentials(CredentialsMode::Include);
        let sim = simulate(&p, &get, "/", Mode::Browser).unwrap();
        assert!(
            sim.actual
                .as_ref()
                .unwrap()
                .grants
                .contains(&Grant::NoCredentials)
        );
        assert_eq!(
            sim.outcome(),
            Outcome::Blocked(Blocked {
                stage: Stage::Response,
                reason: BlockReason::CredentialsNotAllowed(None)
            })
        );

        assert_eq!(sim.cause(), Some(Cause::CredentialsNotAllowed));
    }

    #[test]
    fn simulate_preflight_only_lists_every_header() {
        let p = policy(
            r#"
            allow_origins = "*"
            allow_headers = ["accept"]
            "#,
        );
        let r = FetchRequest::new(APP, "GET").header("accept", "x");
        let sim = simulate(&p, &r, "/", Mode::PreflightOnly).unwrap();
        assert!(sim.actual.is_none());
        let pre = sim.preflight.as_ref().unwrap();
        assert_eq!(
            pre.request.headers()["access-control-request-headers"],
            "accept"
        );
        assert_eq!(pre.grants.first(), Some(&Grant::AnyOrigin));
        assert!(pre.browser.is_ok());
    }

    #[test]
    fn compare_reports_differences() {
        let p = policy(
            r#"
            allow_origins = ["https://app.example.com"]
            allow_methods = ["GET", "PUT"]
            "#,
        );
        let sim = simulate(&p, &FetchRequest::new(APP, "PUT"), "/", Mode::Browser).unwrap();
        let pre = sim.preflight.as_ref().unwrap();
        assert!(compare(pre, pre.status, &pre.headers).is_empty());
        let server = headers(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "PUT,GET"),
            ("access-control-max-age", "5"),
            ("vary", "origin"),
        ]);
        let diffs = compare(pre, StatusCode::OK, &server);
        assert_eq!(
            diffs,
            [
                Difference::Status {
                    expected: 204,
                    got: 200
                },
                Difference::Value {
                    header: "Access-Control-Allow-Origin",
                    expected: APP.into(),
                    got: "*".into()
                },
                Difference::Unexpected {
                    header: "Access-Control-Max-Age",
                    got: "5".into()
                },
                Difference::VaryMissing {
                    tokens: vec![
                        "Access-Control-Request-Method",
                        "Access-Control-Request-Headers"
                    ]
                },
            ]
        );
    }
}
