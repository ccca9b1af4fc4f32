//! Comparing a response with a case's expectation (rules: `tests/conformance/README.md`).

use crate::table::{Expect, Expected};

/// A response as received: status, header lines in order (lower-case names, repeats kept),
/// body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header lines in the order received; names lower-case.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body (decoded from chunked transfer-encoding).
    pub body: Vec<u8>,
}

impl Response {
    /// Every line of header `name` (any case), in order, as text (lossy).
    pub fn header_lines(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    /// Whether any header name starts with `prefix` (any case).
    pub fn has_header_prefix(&self, prefix: &str) -> bool {
        let prefix = prefix.to_ascii_lowercase();
        self.headers.iter().any(|(n, _)| n.starts_with(&prefix))
    }

    /// The `Vary` tokens, trimmed and lower-cased, in order.
    pub fn vary_tokens(&self) -> Vec<String> {
        self.header_lines("vary")
            .iter()
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// A header's lines joined with `", "`; `None` when absent.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for (_, v) in self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            let v = String::from_utf8_lossy(v);
            match &mut out {
                Some(s) => {
                    s.push_str(", ");
                    s.push_str(&v);
                }
                None => out = Some(v.into_owned()),
            }
        }
        out
    }
}

/// The elements of a comma list: split, trimmed of spaces and tabs, empty ones dropped.
fn elements(joined: &str) -> Vec<&str> {
    joined
        .split(',')
        .map(|e| e.trim_matches([' ', '\t']))
        .filter(|e| !e.is_empty())
        .collect()
}

/// Compares an expected set with a joined header value; `None` when equal.
fn set_difference(name: &str, expected: &[String], got: &str) -> Option<String> {
    let case_sensitive = name == "access-control-allow-methods";
    let same = |a: &str, b: &str| {
        if case_sensitive {
            a == b
        } else {
            a.eq_ignore_ascii_case(b)
        }
    };
    let got_elems = elements(got);
    let missing: Vec<&str> = expected
        .iter()
        .map(String::as_str)
        .filter(|e| !got_elems.iter().any(|g| same(e, g)))
        .collect();
    let extra: Vec<&str> = got_elems
        .iter()
        .copied()
        .filter(|g| !expected.iter().any(|e| same(e, g)))
        .collect();
    // A repeated element is a difference too (e.g. `Vary: Origin, Origin`).
    let mut repeated: Vec<&str> = Vec::new();
    for (i, g) in got_elems.iter().enumerate() {
        let earlier = got_elems.get(..i).unwrap_or_default();
        if earlier.iter().any(|p| same(p, g)) && !repeated.iter().any(|r| same(r, g)) {
            repeated.push(g);
        }
    }
    if missing.is_empty() && extra.is_empty() && repeated.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        parts.push(format!("extra {}", extra.join(", ")));
    }
    if !repeated.is_empty() {
        parts.push(format!("repeated {}", repeated.join(", ")));
    }
    Some(format!(
        "header {name}: expected the set [{}], got {got:?} ({})",
        expected.join(", "),
        parts.join("; ")
    ))
}

fn show_body(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// Compares a response with an expectation; returns each difference as a sentence
/// (expected vs got), empty when the response conforms.
pub fn check(expect: &Expect, resp: &Response) -> Vec<String> {
    let mut diffs = Vec::new();
    if resp.status != expect.status {
        diffs.push(format!(
            "status: expected {}, got {}",
            expect.status, resp.status
        ));
    }
    if let Some(want) = expect.handler {
        let reached = resp
            .header("x-handler")
            .is_some_and(|v| v.split(',').any(|e| e.trim() == "reached"));
        if reached != want {
            diffs.push(if want {
                "handler: expected it to be reached (x-handler: reached), but it was not".to_owned()
            } else {
                "handler: expected it not to be reached, but the response has x-handler: reached"
                    .to_owned()
            });
        }
    }
    for (name, want) in &expect.headers {
        let got = resp.header(name);
        match (want, got) {
            (Expected::Exact(w), None) => {
                diffs.push(format!("header {name}: expected {w:?}, got none"));
            }
            (Expected::Set(w), None) => diffs.push(format!(
                "header {name}: expected the set [{}], got none",
                w.join(", ")
            )),
            (Expected::Exact(w), Some(g)) => {
                if *w != g {
                    diffs.push(format!("header {name}: expected {w:?}, got {g:?}"));
                }
            }
            (Expected::Set(w), Some(g)) => diffs.extend(set_difference(name, w, &g)),
        }
    }
    for pattern in &expect.absent {
        let matches = |n: &str| match pattern.strip_suffix('*') {
            Some(prefix) => n
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix)),
            None => n.eq_ignore_ascii_case(pattern),
        };
        let mut names: Vec<&str> = Vec::new();
        for (n, _) in &resp.headers {
            if matches(n) && !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
        for n in names {
            let value = resp.header(n).unwrap_or_default();
            diffs.push(format!(
                "header {n}: expected absent ({pattern}), got {value:?}"
            ));
        }
    }
    if let Some(want) = &expect.body
        && want.as_bytes() != resp.body.as_slice()
    {
        diffs.push(format!(
            "body: expected {want:?}, got {}",
            show_body(&resp.body)
        ));
    }
    diffs
}

/// Asserts the response grants `origin` exactly once, with `Vary` naming Origin once
/// (`what` names the case in the failure).
#[track_caller]
pub fn assert_granted(resp: &Response, origin: &str, what: &str) {
    assert_eq!(
        resp.header_lines("access-control-allow-origin"),
        vec![origin],
        "{what}: exactly one Access-Control-Allow-Origin: {resp:#?}"
    );
    let origin_tokens = resp.vary_tokens().iter().filter(|t| *t == "origin").count();
    assert_eq!(
        origin_tokens, 1,
        "{what}: Vary names Origin once: {resp:#?}"
    );
}

/// Asserts the response carries no `Access-Control-*` header.
#[track_caller]
pub fn assert_no_cors(resp: &Response, what: &str) {
    assert!(
        !resp.has_header_prefix("access-control-"),
        "{what}: no Access-Control-* header expected: {resp:#?}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn expect(headers: &[(&str, Expected)], absent: &[&str]) -> Expect {
        Expect {
            status: 200,
            handler: None,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
            absent: absent.iter().map(|a| (*a).to_owned()).collect(),
            body: None,
        }
    }

    fn set(items: &[&str]) -> Expected {
        Expected::Set(items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn exact_joins_lines_so_duplicates_fail() {
        let e = expect(
            &[("access-control-allow-origin", Expected::Exact("a".into()))],
            &[],
        );
        assert!(check(&e, &resp(200, &[("access-control-allow-origin", "a")], "")).is_empty());
        let d = check(
            &e,
            &resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", "a"),
                    ("access-control-allow-origin", "a"),
                ],
                "",
            ),
        );
        assert_eq!(
            d,
            ["header access-control-allow-origin: expected \"a\", got \"a, a\""]
        );
        let d = check(&e, &resp(200, &[], ""));
        assert_eq!(
            d,
            ["header access-control-allow-origin: expected \"a\", got none"]
        );
    }

    #[test]
    fn sets_ignore_order_space_case_and_empty_elements() {
        let e = expect(&[("vary", set(&["Origin", "Accept-Encoding"]))], &[]);
        let ok = resp(
            200,
            &[("vary", "accept-encoding"), ("vary", " ,origin\t,")],
            "",
        );
        assert!(check(&e, &ok).is_empty());
        let extra = resp(200, &[("vary", "Accept-Encoding, Origin, Cookie")], "");
        assert!(check(&e, &extra)[0].contains("extra Cookie"));
        let missing = resp(200, &[("vary", "Origin")], "");
        assert!(check(&e, &missing)[0].contains("missing Accept-Encoding"));
        let repeated = resp(
            200,
            &[("vary", "Accept-Encoding, Origin"), ("vary", "origin")],
            "",
        );
        assert!(check(&e, &repeated)[0].contains("repeated origin"));
    }

    #[test]
    fn methods_compare_case_sensitively() {
        let e = expect(&[("access-control-allow-methods", set(&["PATCH"]))], &[]);
        assert!(
            check(
                &e,
                &resp(200, &[("access-control-allow-methods", "PATCH")], "")
            )
            .is_empty()
        );
        assert_eq!(
            check(
                &e,
                &resp(200, &[("access-control-allow-methods", "patch")], "")
            )
            .len(),
            1
        );
        let h = expect(&[("access-control-allow-headers", set(&["X-A"]))], &[]);
        assert!(
            check(
                &h,
                &resp(200, &[("access-control-allow-headers", "x-a")], "")
            )
            .is_empty()
        );
    }

    #[test]
    fn absent_prefix_status_handler_body() {
        let mut e = expect(&[], &["access-control-*", "vary"]);
        e.status = 403;
        e.handler = Some(false);
        e.body = Some(String::new());
        let good = resp(
            403,
            &[("content-length", "0"), ("access-control-x", "")],
            "",
        );
        assert_eq!(
            check(&e, &good).len(),
            1,
            "prefix matches any access-control-"
        );
        let bad = resp(
            200,
            &[
                ("x-handler", "reached"),
                ("Vary", "Origin"),
                ("access-control-allow-origin", "a"),
            ],
            "ok",
        );
        let d = check(&e, &bad);
        assert_eq!(d.len(), 5, "{d:#?}");
        assert!(d[0].starts_with("status: expected 403, got 200"));
        assert!(
            d.iter()
                .any(|l| l.starts_with("body: expected \"\", got \"ok\""))
        );
        let mut h = expect(&[], &[]);
        h.handler = Some(true);
        assert_eq!(check(&h, &resp(200, &[], "")).len(), 1);
        assert!(check(&h, &resp(200, &[("X-Handler", "reached")], "")).is_empty());
    }
}
