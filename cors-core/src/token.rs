//! HTTP tokens, methods and header-name lists.

use std::cmp::Ordering;

/// Byte classes, one table lookup per byte on the hot path.
pub(crate) const TCHAR: u8 = 1;
/// ASCII upper-case letter.
pub(crate) const UPPER: u8 = 2;
/// A byte of a URL scheme after the first: letters, digits, `+`, `-`, `.`.
pub(crate) const SCHEME: u8 = 4;
/// A byte of a domain or IPv4 host: letters, digits, `-`, `_`, `.`.
pub(crate) const HOST: u8 = 8;

#[allow(clippy::indexing_slicing)] // const evaluation; `b < 256`
const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        let mut class = 0;
        if matches!(c,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_'
            | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
        {
            class |= TCHAR;
        }
        if c.is_ascii_uppercase() {
            class |= UPPER;
        }
        if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.') {
            class |= SCHEME;
        }
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.') {
            class |= HOST;
        }
        t[b] = class;
        b += 1;
    }
    t
}

static CLASSES: [u8; 256] = classes();

/// The class bits of a byte.
#[inline]
#[allow(clippy::indexing_slicing)] // 256 entries indexed by a byte: never out of bounds
pub(crate) fn class(b: u8) -> u8 {
    CLASSES[usize::from(b)]
}

/// Whether `s` is a non-empty HTTP token.
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| class(b) & TCHAR != 0)
}

/// Whether `name` (any case) is in a list of lower-case names sorted by [`search_order`]: `Ok(())`, or why
/// not. Browsers send lower-case names, so the raw bytes are searched first; a hit proves
/// the name valid (the list was validated), and only a miss costs a scan of the name.
pub(crate) fn find_name(sorted_lower: &[Box<[u8]>], name: &[u8]) -> Result<(), NameMiss> {
    // A short list is scanned (a length compare rejects most entries at once); a long one
    // is searched by its order.
    const SCAN: usize = 16;
    let search = |n: &[u8]| {
        if sorted_lower.len() <= SCAN {
            sorted_lower
                .iter()
                .any(|probe| probe.len() == n.len() && **probe == *n)
        } else {
            sorted_lower
                .binary_search_by(|probe| search_order(probe, n))
                .is_ok()
        }
    };
    if search(name) {
        return Ok(());
    }
    match token_case(name) {
        None => Err(NameMiss::Invalid),
        Some(false) => Err(NameMiss::NotListed),
        Some(true) if contains_upper(sorted_lower, name) => Ok(()),
        Some(true) => Err(NameMiss::NotListed),
    }
}

/// Why [`find_name`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameMiss {
    /// Not a token.
    Invalid,
    /// A token not in the list.
    NotListed,
}

fn contains_upper(sorted_lower: &[Box<[u8]>], name: &[u8]) -> bool {
    let mut buf = [0u8; 64];
    match buf.get_mut(..name.len()) {
        Some(lower) => {
            lower.copy_from_slice(name);
            lower.make_ascii_lowercase();
            let lower = &*lower;
            sorted_lower
                .binary_search_by(|probe| search_order(probe, lower))
                .is_ok()
        }
        None => sorted_lower
            .binary_search_by(|probe| {
                probe
                    .len()
                    .cmp(&name.len())
                    .then_with(|| cmp_ignore_case(probe, name))
            })
            .is_ok(),
    }
}

/// The order of a header-name search list: by length, then bytes. Most probes then differ
/// in length, an integer compare, and only names of equal length compare their bytes.
pub(crate) fn search_order(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Trims HTTP optional whitespace (SP, HTAB).
pub fn trim_ows(mut s: &[u8]) -> &[u8] {
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
pub fn normalize_method(m: &[u8]) -> &[u8] {
    for n in NORMALIZED {
        if m.eq_ignore_ascii_case(n.as_bytes()) {
            return n.as_bytes();
        }
    }
    m
}

/// `CONNECT`, `TRACE`, `TRACK` in any case: forbidden methods.
pub fn is_forbidden_method(m: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|f| m.eq_ignore_ascii_case(f))
}

/// CORS-safelisted methods (after normalization).
pub fn is_safelisted_method(m: &[u8]) -> bool {
    matches!(m, b"GET" | b"HEAD" | b"POST")
}

/// Compares two header names ignoring ASCII case, as their lower-case forms would compare.
pub(crate) fn cmp_ignore_case(a: &[u8], b: &[u8]) -> Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

/// Request headers browsers never let scripts set (Fetch "forbidden request-header").
pub fn is_forbidden_request_header(name: &str) -> bool {
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
pub fn is_forbidden_response_header(name: &str) -> bool {
    matches!(name, "set-cookie" | "set-cookie2")
}

/// CORS-safelisted response headers: always exposed.
pub fn is_safelisted_response_header(name: &str) -> bool {
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

/// Iterates the elements of a comma list (an `Access-Control-Request-Headers` or `Vary`
/// line): optional whitespace trimmed, empty elements skipped. Elements are not validated:
/// interior whitespace or other non-token bytes stay in them, for the caller to refuse.
pub(crate) fn names(line: &[u8]) -> Names<'_> {
    Names {
        rest: line,
        done: false,
        empty: 0,
    }
}

/// The most empty elements (`,,`) one request's `Access-Control-Request-Headers` may
/// have: they cost a scan like names do, so they are counted too (bounded work).
pub const MAX_EMPTY_ELEMENTS: usize = 256;

/// See [`names`].
pub(crate) struct Names<'a> {
    rest: &'a [u8],
    done: bool,
    /// Empty elements skipped so far.
    empty: usize,
}

impl Names<'_> {
    /// Empty elements skipped so far; iteration stops once more than
    /// [`MAX_EMPTY_ELEMENTS`] were.
    pub(crate) fn empty(&self) -> usize {
        self.empty
    }
}

impl<'a> Iterator for Names<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        while !self.done {
            let element = match find_comma(self.rest) {
                Some(comma) => {
                    let (element, rest) = self.rest.split_at(comma);
                    self.rest = rest.get(1..).unwrap_or_default();
                    element
                }
                None => {
                    self.done = true;
                    self.rest
                }
            };
            let element = trim_ows(element);
            if !element.is_empty() {
                return Some(element);
            }
            self.empty += 1;
            if self.empty > MAX_EMPTY_ELEMENTS {
                self.done = true;
            }
        }
        None
    }
}

/// The index of the first `,` in `s`, eight bytes a step (a requested-header list is read
/// on every preflight; this halves its cost against a byte loop).
fn find_comma(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const COMMAS: u64 = ONES * b',' as u64;
    let mut chunks = s.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ COMMAS;
        // A zero byte in `x` is a comma: the classic "has zero byte" test.
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b',')
        .map(|i| offset + i)
}

/// `Some(has_upper)` when `s` is a non-empty token, `None` otherwise.
pub(crate) fn token_case(s: &[u8]) -> Option<bool> {
    let (mut all, mut any) = (TCHAR, 0);
    for &b in s {
        let c = class(b);
        all &= c;
        any |= c;
    }
    (!s.is_empty() && all & TCHAR != 0).then_some(any & UPPER != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_request_headers_are_the_fetch_list_and_prefixes() {
        for name in [
            "cookie",
            "host",
            "proxy-authorization",
            "sec-fetch-mode",
            "via",
        ] {
            assert!(is_forbidden_request_header(name), "{name}");
        }
        for name in [
            "x-custom",
            "content-type",
            "authorization",
            "x-proxy-id",
            "x-sec",
        ] {
            assert!(!is_forbidden_request_header(name), "{name}");
        }
    }

    #[test]
    fn safelisted_response_headers_are_the_fetch_seven() {
        for name in ["cache-control", "content-type", "pragma", "expires"] {
            assert!(is_safelisted_response_header(name), "{name}");
        }
        for name in ["x-request-id", "etag", "set-cookie", "content-encoding"] {
            assert!(!is_safelisted_response_header(name), "{name}");
        }
    }

    #[test]
    fn comma_search_matches_a_byte_loop() {
        let samples: [&[u8]; 8] = [
            b"",
            b",",
            b"abc",
            b"abcdefgh",
            b"abcdefgh,",
            b"abcdefghijklmnop,q",
            b"a,b",
            b"\x80\xff,\x2c\x2d\x2b\xac,",
        ];
        for s in samples {
            for start in 0..s.len() {
                let t = &s[start..];
                assert_eq!(find_comma(t), t.iter().position(|&b| b == b','), "{t:?}");
            }
        }
        for len in 0..40 {
            for at in 0..len {
                let mut v = vec![b'x'; len];
                v[at] = b',';
                assert_eq!(find_comma(&v), Some(at));
            }
            assert_eq!(find_comma(&vec![b'x'; len]), None);
        }
    }

    #[test]
    fn method_normalization() {
        assert_eq!(normalize_method(b"get"), b"GET");
        assert_eq!(normalize_method(b"Patch"), b"Patch");
        assert!(is_forbidden_method(b"trace"));
        assert!(is_safelisted_method(normalize_method(b"post")));
    }

    #[test]
    fn header_list_parsing() {
        let v: Vec<&[u8]> = names(b" a ,,\tB,  ,c d,e\x01").collect();
        assert_eq!(v, [&b"a"[..], b"B", b"c d", b"e\x01"]);
        assert_eq!(token_case(b"B"), Some(true));
        assert_eq!(token_case(b"x-Custom"), Some(true));
        // Lower case must say so: a miss on it is final, with no second, lowered search.
        assert_eq!(token_case(b"x-custom"), Some(false));
        assert_eq!(token_case(b"abc"), Some(false));
        assert_eq!(token_case(b""), None);
        assert_eq!(token_case(b"c d"), None);
        assert_eq!(names(b",").count(), 0);
        assert_eq!(names(b"").count(), 0);
        assert_eq!(names(b" \t ").count(), 0);
        let mut list: Vec<Box<[u8]>> = vec![b"x-b".to_vec().into(), b"a".to_vec().into()];
        list.sort_by(|a, b| search_order(a, b));
        assert_eq!(find_name(&list, b"x-b"), Ok(()));
        assert_eq!(find_name(&list, b"X-B"), Ok(()));
        assert_eq!(find_name(&list, b"x-c"), Err(NameMiss::NotListed));
        assert_eq!(find_name(&list, b"x b"), Err(NameMiss::Invalid));
        assert_eq!(cmp_ignore_case(b"X-A", b"x-a"), Ordering::Equal);
    }
}
