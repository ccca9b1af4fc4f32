//! CORS-safelisted request headers and forbidden request headers (Fetch).

use std::fmt;

use cors_core::fetch;

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
pub(crate) const fn is_cors_unsafe_byte(b: u8) -> bool {
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

pub(crate) const fn is_language_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b' ' | b'*' | b',' | b'-' | b'.'
        | b';' | b'=')
}

/// The lower-case `type/subtype` of a MIME type, or `None` when it does not parse.
pub(crate) fn mime_essence(value: &[u8]) -> Option<String> {
    let v = trim_http_ws(value);
    let slash = v.iter().position(|&b| b == b'/')?;
    let kind = v.get(..slash)?;
    let rest = v.get(slash + 1..)?;
    let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    let subtype = trim_http_ws(rest.get(..end)?);
    if !fetch::is_token(kind) || !fetch::is_token(subtype) {
        return None;
    }
    let mut essence = String::from_utf8_lossy(kind).to_ascii_lowercase();
    essence.push('/');
    essence.push_str(&String::from_utf8_lossy(subtype).to_ascii_lowercase());
    Some(essence)
}

pub(crate) fn trim_http_ws(mut s: &[u8]) -> &[u8] {
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
pub(crate) fn is_safelisted_range(value: &[u8]) -> bool {
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
    if fetch::is_forbidden_request_header(&name) {
        return true;
    }
    matches!(
        name.as_str(),
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) && value
        .split(',')
        .any(|m| fetch::is_forbidden_method(m.trim().as_bytes()))
}
