//! The request path's normal form (docs/semantics.md, "Normal form"): when a policy is chosen by path, a path
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
    normal_path(target).is_some()
}

/// Bytes the normal-form check stops at; every other byte only lengthens its segment.
// Evaluated at compile time: an index out of bounds would not compile.
#[allow(clippy::indexing_slicing)]
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'?' as usize] = true;
    t[b'#' as usize] = true;
    t[b'/' as usize] = true;
    t[b'%' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The path of a raw request target (query and fragment dropped) when the target is in
/// normal form ([`is_normal_form_path`]). One pass, per request when a config has routes:
/// ordinary bytes cost a table lookup; a segment is checked for being `.` or `..` only
/// when it is short enough to be one.
#[inline]
pub(crate) fn normal_path(target: &[u8]) -> Option<&[u8]> {
    if target.first() != Some(&b'/') {
        return None;
    }
    let mut seg_start = 1;
    let mut i = 1;
    let end = loop {
        let Some(&b) = target.get(i) else {
            break target.len();
        };
        // A `u8` index into 256 entries: the check compiles away.
        if !SPECIAL.get(usize::from(b)).copied().unwrap_or(true) {
            i += 1;
            continue;
        }
        match b {
            b'?' | b'#' => break i,
            b'%' => {
                // `hi << 4 | lo`: the digits' bits do not overlap.
                let c = target
                    .get(i + 1)
                    .and_then(|&h| hex(h))
                    .zip(target.get(i + 2).and_then(|&l| hex(l)))
                    .map(|(hi, lo)| hi << 4 | lo)?;
                if c.is_ascii_alphanumeric()
                    || matches!(c, b'-' | b'.' | b'_' | b'~' | b'/' | b'\\')
                {
                    return None;
                }
                i += 3;
            }
            b'/' => {
                // No empty segment before a '/', and no dot segment.
                let segment = target.get(seg_start..i)?;
                if segment.is_empty() || is_dot_segment(segment) {
                    return None;
                }
                i += 1;
                seg_start = i;
            }
            // `\`
            _ => return None,
        }
    };
    // The last segment may be empty (a trailing '/'), never a dot segment.
    let last = target.get(seg_start..end)?;
    if is_dot_segment(last) {
        return None;
    }
    target.get(..end)
}

/// Whether a raw segment is `.` or `..`. An encoded dot (`%2e`) never gets here: the
/// escape check refuses every encoded unreserved character first.
#[inline]
fn is_dot_segment(segment: &[u8]) -> bool {
    segment == b"." || segment == b".."
}

/// The value of a hex digit.
#[inline]
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::is_normal_form_path as normal;

    /// A plain split-and-decode statement of the rule, for comparison.
    fn reference(target: &[u8]) -> bool {
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
            if !reference_segment(segment) {
                return false;
            }
        }
        true
    }

    /// One segment: no backslash, valid escapes that encode no unreserved character, `/` or
    /// `\`, and not `.` or `..` once decoded.
    fn reference_segment(segment: &[u8]) -> bool {
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
                if c.is_ascii_alphanumeric()
                    || matches!(c, b'-' | b'.' | b'_' | b'~' | b'/' | b'\\')
                {
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

    /// The one-pass check agrees with the plain statement on every short path over the
    /// characters that matter.
    #[test]
    fn agrees_with_the_reference() {
        let alphabet: &[&[u8]] = &[
            b"/", b".", b"a", b"%2e", b"%2E", b"%61", b"%2f", b"%5C", b"%20", b"%", b"%4", b"\\",
            b"?", b"#", b";", b"%zz",
        ];
        let mut paths: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            let next: Vec<Vec<u8>> = paths
                .iter()
                .flat_map(|p| {
                    alphabet.iter().map(move |a| {
                        let mut q = p.clone();
                        q.extend_from_slice(a);
                        q
                    })
                })
                .collect();
            for p in &next {
                assert_eq!(normal(p), reference(p), "{}", p.escape_ascii());
            }
            paths = next;
        }
    }

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
