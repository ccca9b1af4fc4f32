//! HTTP tokens, methods and header-name lists.

use std::cmp::Ordering;

/// RFC 9110 `tchar`.
const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_'
        | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// Whether `s` is a non-empty HTTP token.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Trims HTTP optional whitespace (SP, HTAB).
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Fetch's "normalize" list: these methods are matched case-insensitively and upper-cased.
const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Fetch-normalizes a method: one of the six normalized methods in any case becomes its
/// upper-case form; every other method stays as it is (methods are case-sensitive).
pub(crate) fn normalize_method(m: &[u8]) -> &[u8] {
    for n in NORMALIZED {
        if m.eq_ignore_ascii_case(n.as_bytes()) {
            return n.as_bytes();
        }
    }
    m
}

/// `CONNECT`, `TRACE`, `TRACK` in any case: forbidden methods.
pub(crate) fn is_forbidden_method(m: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|f| m.eq_ignore_ascii_case(f))
}

/// CORS-safelisted methods (after normalization).
pub(crate) fn is_safelisted_method(m: &[u8]) -> bool {
    matches!(m, b"GET" | b"HEAD" | b"POST")
}

/// Compares two header names ignoring ASCII case, as their lower-case forms would compare.
pub(crate) fn cmp_ignore_case(a: &[u8], b: &[u8]) -> Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

/// Request headers browsers never let scripts set (Fetch "forbidden request-header").
pub(crate) fn is_forbidden_request_header(name: &str) -> bool {
    const FORBIDDEN: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    FORBIDDEN.contains(&name) || name.starts_with("proxy-") || name.starts_with("sec-")
}

/// Response headers browsers never expose (Fetch "forbidden response-header name").
pub(crate) fn is_forbidden_response_header(name: &str) -> bool {
    matches!(name, "set-cookie" | "set-cookie2")
}

/// CORS-safelisted response headers: always exposed.
pub(crate) fn is_safelisted_response_header(name: &str) -> bool {
    matches!(
        name,
        "cache-control"
            | "content-language"
            | "content-length"
            | "content-type"
            | "expires"
            | "last-modified"
            | "pragma"
    )
}

/// The most header names one preflight may request.
pub const MAX_REQUESTED_HEADERS: usize = 256;

/// Iterates the names of one `Access-Control-Request-Headers` line: comma-separated,
/// optional whitespace trimmed, empty elements skipped.
pub(crate) fn names(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b',')
        .map(trim_ows)
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_normalization() {
        assert_eq!(normalize_method(b"get"), b"GET");
        assert_eq!(normalize_method(b"Patch"), b"Patch");
        assert!(is_forbidden_method(b"trace"));
        assert!(is_safelisted_method(normalize_method(b"post")));
    }

    #[test]
    fn header_list_parsing() {
        let v: Vec<&[u8]> = names(b" a ,,\tB,  ,c").collect();
        assert_eq!(v, [&b"a"[..], b"B", b"c"]);
        assert_eq!(names(b",").count(), 0);
        assert_eq!(cmp_ignore_case(b"X-A", b"x-a"), Ordering::Equal);
    }
}
