//! The request path's normal form (docs/semantics.md, "Policies chosen by path"): when a policy is chosen by path, a path
//! that frameworks could route differently (`//admin`, `/%61dmin`, `/public/../admin`)
//! gets no grant, so it never reaches one handler under another path's policy.

/// Whether a raw request target (query and fragment ignored) is in normal form: it starts
/// with `/`; no `.` or `..` segment (also percent-encoded); no empty segment (`//`) but for
/// one trailing `/`; no percent-encoded unreserved character (`%61`); no `\`; no encoded
/// `/` or `\` (`%2F`, `%5C`); every `%` followed by two hex digits.
///
/// `..x`, `.x`, `%20` and `%25` are normal form; `;` has no special meaning.
///
/// ```
/// use cors_core::is_normal_form_path;
///
/// assert!(is_normal_form_path(b"/api/items?q=1"));
/// assert!(is_normal_form_path(b"/api/"));
/// assert!(!is_normal_form_path(b"//api/x"));
/// assert!(!is_normal_form_path(b"/%61pi/x"));
/// assert!(!is_normal_form_path(b"/public/../api/x"));
/// assert!(!is_normal_form_path(b"/public%2F..%2Fapi"));
/// ```
pub fn is_normal_form_path(target: &[u8]) -> bool {
    let end = target
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(target.len());
    let Some(path) = target.get(..end) else {
        return false;
    };
    let Some(rest) = path.strip_prefix(b"/") else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let mut iter = rest.split(|&b| b == b'/').peekable();
    while let Some(segment) = iter.next() {
        let last = iter.peek().is_none();
        if segment.is_empty() && !last {
            return false;
        }
        if !segment_is_normal(segment) {
            return false;
        }
    }
    true
}

/// One segment: no backslash, valid escapes that encode no unreserved character, `/` or
/// `\`, and not `.` or `..` once decoded.
fn segment_is_normal(segment: &[u8]) -> bool {
    let mut dots = 0usize;
    let mut len = 0usize;
    let mut i = 0;
    while let Some(&b) = segment.get(i) {
        let decoded = if b == b'%' {
            let hi = segment.get(i + 1).and_then(|&c| (c as char).to_digit(16));
            let lo = segment.get(i + 2).and_then(|&c| (c as char).to_digit(16));
            let (Some(hi), Some(lo)) = (hi, lo) else {
                return false;
            };
            i += 3;
            let c = (hi * 16 + lo) as u8;
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'/' | b'\\') {
                return false;
            }
            c
        } else {
            i += 1;
            if b == b'\\' {
                return false;
            }
            b
        };
        len += 1;
        if decoded == b'.' {
            dots += 1;
        }
    }
    !(len > 0 && dots == len && len <= 2)
}

#[cfg(test)]
mod tests {
    use super::is_normal_form_path as normal;

    #[test]
    fn normal_forms() {
        for p in [
            "/",
            "/admin",
            "/admin/",
            "/admin/x",
            "/admin;x",
            "/..x/.x",
            "/a%20b",
            "/a%25b",
            "/a?x=//..",
            "/a#frag/../",
            "/a%3Bb",
        ] {
            assert!(normal(p.as_bytes()), "{p}");
        }
        for p in [
            "",
            "admin",
            "*",
            "//admin/x",
            "/admin//x",
            "/admin//",
            "/.",
            "/./a",
            "/a/..",
            "/public/../admin/x",
            "/%2e/a",
            "/%2E%2e/a",
            "/.%2e/a",
            "/%61dmin/x",
            "/a%7Eb",
            "/a%2Fb",
            "/a%2fb",
            "/a%5Cb",
            "/a\\b",
            "/public%2F..%2Fadmin",
            "/a%",
            "/a%2",
            "/a%zz",
            "/%2e%2ex",
        ] {
            assert!(!normal(p.as_bytes()), "{p}");
        }
    }
}
