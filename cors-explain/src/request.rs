//! Fetch's request rules: the request a script makes, whether it needs a preflight.

use std::fmt;

use cors_core::fetch;
use cors_core::{RequestHeader, ResponseHeader};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode};

use crate::browser::*;
use crate::headers::*;
use crate::lna::*;

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
    /// Where the target is when it is more private than the page (a public site calling
    /// `localhost` or a LAN address): Local Network Access (or, before Chrome 142,
    /// Private Network Access) applies. `None`: as public as the page.
    pub target_space: Option<TargetSpace>,
    /// Whether the script runs in an iframe (Local Network Access needs delegation).
    pub iframe: bool,
    /// The Chromium modelled.
    pub chromium: Chromium,
}

impl FetchRequest {
    /// A request from `origin` with `method`, no headers, default credentials.
    pub fn new(origin: impl Into<String>, method: impl Into<String>) -> Self {
        FetchRequest {
            origin: origin.into(),
            method: method.into(),
            headers: Vec::new(),
            credentials: CredentialsMode::default(),
            target_space: None,
            iframe: false,
            chromium: Chromium::default(),
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

    /// Marks the target as on the user's local network (`yes`), or as public.
    #[must_use]
    pub fn private_network(mut self, yes: bool) -> Self {
        self.target_space = yes.then_some(TargetSpace::Local);
        self
    }

    /// Sets where the target is, when more private than the page.
    #[must_use]
    pub fn target_space(mut self, space: Option<TargetSpace>) -> Self {
        self.target_space = space;
        self
    }

    /// Marks the script as running in an iframe.
    #[must_use]
    pub fn iframe(mut self, yes: bool) -> Self {
        self.iframe = yes;
        self
    }

    /// Sets the Chromium modelled.
    #[must_use]
    pub fn chromium(mut self, chromium: Chromium) -> Self {
        self.chromium = chromium;
        self
    }

    /// What Local Network Access asks of this request (Chrome 142 and later, a target
    /// more private than the page).
    pub fn local_network_access(&self) -> Option<LocalNetworkAccess> {
        let target = self.target_space?;
        (self.chromium == Chromium::Current).then(|| LocalNetworkAccess {
            target,
            secure_context: is_secure_context(&self.origin),
            iframe: self.iframe,
        })
    }

    /// Whether the browser sends a Private Network Access preflight (Chrome before 142).
    pub fn private_network_preflight(&self) -> bool {
        self.target_space.is_some() && self.chromium == Chromium::Before142
    }

    /// The method after Fetch normalization (`delete get head options post put` in any
    /// case become upper-case; other methods keep their case).
    pub fn normalized_method(&self) -> String {
        String::from_utf8_lossy(fetch::normalize_method(self.method.as_bytes())).into_owned()
    }

    /// Checks what `fetch()` itself checks before sending anything.
    ///
    /// # Errors
    ///
    /// The [`FetchError`] that makes `fetch()` throw a `TypeError` (or that makes the request
    /// impossible to write).
    pub fn validate(&self) -> Result<(), FetchError> {
        if !fetch::is_token(self.method.as_bytes()) {
            return Err(FetchError::InvalidMethod(self.method.clone()));
        }
        if fetch::is_forbidden_method(self.method.as_bytes()) {
            return Err(FetchError::ForbiddenMethod(self.method.clone()));
        }
        if HeaderValue::from_str(&self.origin).is_err() || self.origin.is_empty() {
            return Err(FetchError::InvalidOrigin(self.origin.clone()));
        }
        for (name, value) in &self.headers {
            if !fetch::is_token(name.as_bytes()) {
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
    pub(crate) fn author_headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .filter(|(n, v)| !is_forbidden_request_header(n, v))
            .map(|(n, v)| (n.as_str(), normalize_value(v)))
    }

    /// Every reason this request needs a preflight; empty when it is a simple request.
    pub fn preflight_reasons(&self) -> Vec<PreflightReason> {
        let mut reasons = Vec::new();
        let method = self.normalized_method();
        if !fetch::is_safelisted_method(method.as_bytes()) {
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
        if self.private_network_preflight() {
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
    pub(crate) fn all_header_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .author_headers()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The preflight the browser sends, listing `names` in `Access-Control-Request-Headers`.
    pub(crate) fn preflight_request(
        &self,
        path: &str,
        names: &[String],
    ) -> Result<Request<()>, FetchError> {
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
        if self.private_network_preflight() {
            b = b.header(RequestHeader::RequestPrivateNetwork.header_name(), "true");
        }
        b.body(())
            .map_err(|e| FetchError::InvalidPath(format!("{path}: {e}")))
    }

    /// The actual request the browser sends: method, `Origin`, and the script's headers.
    pub(crate) fn actual_request(&self, path: &str) -> Result<Request<()>, FetchError> {
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

    pub(crate) fn check_preflight_for(
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
        if self.private_network_preflight() {
            let pna = get_combined(headers, ResponseHeader::AllowPrivateNetwork.as_str());
            if pna.as_deref() != Some("true") {
                return Err(fail(BlockReason::PrivateNetworkNotAllowed(pna)));
            }
        }

        let include = self.credentials.is_include();
        let method = self.normalized_method();
        let star = |list: &[String]| list.iter().any(|m| m == "*");
        if !fetch::is_safelisted_method(method.as_bytes())
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
                !fetch::is_safelisted_response_header(h) && !fetch::is_forbidden_response_header(h)
            })
            .collect();
        names.sort();
        names.dedup();
        Ok(Accepted::Response(Exposure { all, names }))
    }
}

pub(crate) fn path_or_root(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

/// Fetch normalizes header values: leading and trailing HTTP whitespace is removed.
pub(crate) fn normalize_value(v: &str) -> &str {
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
