//! What the browser does with a response: the CORS check and the preflight check.

use std::fmt;

use cors_core::ResponseHeader;
use cors_core::fetch;
use http::HeaderMap;

use crate::request::*;

/// Which response the browser rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Before anything is sent: Local Network Access, not CORS.
    Permission,
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
            Stage::Permission => write!(f, "the browser never sends the request: {}", self.reason),
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
    /// Local Network Access: a non-secure public page asked for a local target, which
    /// Chromium rejects without asking for the permission (named here).
    LocalNetworkAccessInsecure(&'static str),
}

/// Why a listed `"*"` did not help: the fetch sent credentials.
const STAR_IGNORED: &str = "; \"*\" does not count because your fetch used credentials 'include'";

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
                    f.write_str(STAR_IGNORED)?;
                }
                Ok(())
            }
            BlockReason::HeaderNotAllowed { name, star_ignored } => {
                write!(
                    f,
                    "request header {name} is not in Access-Control-Allow-Headers"
                )?;
                if *star_ignored {
                    f.write_str(STAR_IGNORED)?;
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
            BlockReason::LocalNetworkAccessInsecure(permission) => write!(
                f,
                "Local Network Access: the page is not a secure context, so Chrome rejects \
                 requests to the local network without asking for the \"{permission}\" \
                 permission; this is the permission, not CORS: no response header and no \
                 policy setting fixes it; serve the page over https"
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

pub(crate) const CHROMIUM_MAX_AGE: u64 = 7200;

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
pub(crate) fn list_items(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b',')
        .map(|item| item.trim_ascii())
        .filter(|item| !item.is_empty())
}

/// Fetch's "get" of a header: every line joined with `", "`, or `None` when absent.
pub(crate) fn get_combined(headers: &HeaderMap, name: &str) -> Option<String> {
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
pub(crate) fn cors_check(
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
pub(crate) fn header_list(
    headers: &HeaderMap,
    h: ResponseHeader,
) -> Result<Vec<String>, BlockReason> {
    let mut out = Vec::new();
    for line in headers.get_all(h.as_str()) {
        for item in list_items(line.as_bytes()) {
            if !fetch::is_token(item) {
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
pub(crate) const fn header_title(h: ResponseHeader) -> &'static str {
    match h {
        ResponseHeader::AllowOrigin => "Access-Control-Allow-Origin",
        ResponseHeader::AllowCredentials => "Access-Control-Allow-Credentials",
        ResponseHeader::AllowMethods => "Access-Control-Allow-Methods",
        ResponseHeader::AllowHeaders => "Access-Control-Allow-Headers",
        ResponseHeader::MaxAge => "Access-Control-Max-Age",
        ResponseHeader::AllowPrivateNetwork => "Access-Control-Allow-Private-Network",
        ResponseHeader::ExposeHeaders => "Access-Control-Expose-Headers",
        ResponseHeader::DenialReason => "CORS-Denial-Reason",
    }
}
