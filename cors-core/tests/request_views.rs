//! Every request view gives the engine the same request: `http::Request`, its `Parts`,
//! `(&Method, &HeaderMap)`, `RequestBytes`, and a view that only implements `method` and
//! `header` (the trait's own `scan`). Decisions and scans must agree for each.

use cors_core::{Decision, HeaderLines, Policy, RequestBytes, RequestHeader, RequestView};
use http::{HeaderName, HeaderValue, Request};

/// A request as a method and header lines, in order.
struct Case {
    method: &'static str,
    lines: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        method: "GET",
        lines: &[("origin", "https://app.test"), ("accept", "*/*")],
    },
    Case {
        method: "GET",
        lines: &[("accept", "*/*")],
    },
    Case {
        method: "GET",
        lines: &[("origin", "https://evil.test")],
    },
    Case {
        method: "OPTIONS",
        lines: &[
            ("origin", "https://app.test"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "x-a, content-type"),
            ("access-control-request-private-network", "true"),
        ],
    },
    Case {
        method: "OPTIONS",
        lines: &[
            ("access-control-request-headers", "x-a"),
            ("origin", "https://app.test"),
            ("access-control-request-headers", "x-b"),
            ("access-control-request-method", "PUT"),
        ],
    },
    Case {
        method: "OPTIONS",
        lines: &[
            ("origin", "https://app.test"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-method", "DELETE"),
        ],
    },
    Case {
        method: "OPTIONS",
        lines: &[
            ("origin", "https://app.test"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-private-network", "true"),
            ("access-control-request-private-network", "true"),
        ],
    },
    Case {
        method: "GET",
        lines: &[
            ("origin", "https://app.test"),
            ("origin", "https://app.test"),
        ],
    },
    Case {
        method: "OPTIONS",
        lines: &[("origin", "https://app.test")],
    },
];

fn policy() -> Policy {
    Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.test"]
        allow_methods = ["GET", "PUT"]
        allow_headers = ["x-a", "x-b", "content-type"]
        expose_headers = ["x-total"]
        allow_private_network = true
        "#,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn request(case: &Case) -> Request<()> {
    let mut builder = Request::builder().method(case.method).uri("/x");
    for (name, value) in case.lines {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap_or_else(|e| panic!("{e}"))
}

/// Only `method` and `header`: the trait's default `scan` does the rest.
struct Minimal<'a>(&'a Request<()>);

impl RequestView for Minimal<'_> {
    type Value = HeaderValue;
    fn method(&self) -> &[u8] {
        self.0.method().as_str().as_bytes()
    }
    fn header(&self, header: RequestHeader) -> impl Iterator<Item = &HeaderValue> {
        self.0.headers().get_all(header.header_name()).iter()
    }
}

/// What a server sees of a decision: kind, action, denial, and every header's bytes.
fn summary<V: AsRef<[u8]> + ?Sized>(d: &Decision<'_, V>) -> String {
    let headers: Vec<String> = d
        .headers()
        .map(|(h, v)| format!("{}: {}", h.as_str(), String::from_utf8_lossy(v.as_bytes())))
        .collect();
    format!(
        "{:?} {:?} {:?} {:?} {headers:?}",
        d.kind(),
        d.action(),
        d.denial(),
        d.vary()
    )
}

/// A scan as text: each header's first line and whether more follow.
fn scan_text<V: AsRef<[u8]> + ?Sized>(view: &impl RequestView<Value = V>) -> String {
    let s = view.scan();
    let f = |found: cors_core::Found<'_, V>| {
        format!(
            "{:?}/{}",
            found
                .first
                .map(|v| String::from_utf8_lossy(v.as_ref()).into_owned()),
            found.more
        )
    };
    format!(
        "{} {} {} {}",
        f(s.origin),
        f(s.request_method),
        f(s.request_headers),
        f(s.private_network)
    )
}

/// A header's lines in the form that fits their number.
fn form<'a>(lines: &'a [&'a [u8]]) -> HeaderLines<'a> {
    match lines {
        [] => HeaderLines::Absent,
        [one] => HeaderLines::from(*one),
        many => HeaderLines::from(many),
    }
}

#[test]
fn every_view_gives_the_same_decision_and_scan() {
    let policy = policy();
    for case in CASES {
        let req = request(case);
        let expected = summary(&policy.decide(&req));
        let expected_scan = scan_text(&req);

        let (parts, ()) = request(case).into_parts();
        assert_eq!(
            summary(&policy.decide(&parts)),
            expected,
            "parts {}",
            case.method
        );
        assert_eq!(scan_text(&parts), expected_scan);

        let pair = (req.method(), req.headers());
        assert_eq!(summary(&policy.decide(&pair)), expected);
        assert_eq!(scan_text(&pair), expected_scan);

        let minimal = Minimal(&req);
        assert_eq!(summary(&policy.decide(&minimal)), expected);
        assert_eq!(scan_text(&minimal), expected_scan);

        // Raw bytes, with each header's lines in the form that fits their number.
        let lines = |h: RequestHeader| -> Vec<&'static [u8]> {
            case.lines
                .iter()
                .filter(|(n, _)| *n == h.as_str())
                .map(|(_, v)| v.as_bytes())
                .collect()
        };
        let all: Vec<Vec<&'static [u8]>> = RequestHeader::ALL.iter().map(|h| lines(*h)).collect();
        let bytes = RequestBytes {
            method: case.method.as_bytes(),
            origin: form(&all[0]),
            request_method: form(&all[1]),
            request_headers: form(&all[2]),
            private_network: form(&all[3]),
        };
        assert_eq!(summary(&policy.decide(&bytes)), expected, "{bytes:?}");
        assert_eq!(scan_text(&bytes), expected_scan);
    }
}

#[test]
fn scans_see_first_lines_and_repeats() {
    let req = request(&CASES[4]);
    assert_eq!(
        scan_text(&req),
        "Some(\"https://app.test\")/false Some(\"PUT\")/false Some(\"x-a\")/true None/false"
    );
    let req = request(&CASES[6]);
    assert_eq!(
        scan_text(&req),
        "Some(\"https://app.test\")/false Some(\"PUT\")/false None/false Some(\"true\")/true"
    );
    let req = request(&CASES[1]);
    assert_eq!(
        scan_text(&req),
        "None/false None/false None/false None/false"
    );
    // A found line can be copied and kept.
    let scan = req.scan();
    let kept = scan.origin;
    #[allow(clippy::clone_on_copy)] // `Clone` itself is under test
    let cloned = kept.clone();
    assert_eq!((cloned.first, cloned.more), (None, false));
    let req = request(&CASES[0]);
    let scan = req.scan();
    #[allow(clippy::clone_on_copy)]
    let cloned = scan.origin.clone();
    assert_eq!(
        cloned.first.map(|v| v.as_bytes()),
        Some(&b"https://app.test"[..])
    );
}

#[test]
fn header_names_and_line_forms() {
    for h in RequestHeader::ALL {
        assert_eq!(h.header_name().as_str(), h.as_str());
        assert_eq!(h.header_name(), HeaderName::from_static(h.as_str()));
    }
    let names: Vec<&str> = RequestHeader::ALL.iter().map(|h| h.as_str()).collect();
    assert_eq!(
        names,
        [
            "origin",
            "access-control-request-method",
            "access-control-request-headers",
            "access-control-request-private-network"
        ]
    );
    assert_eq!(HeaderLines::from("a").as_slice(), [&b"a"[..]]);
    assert_eq!(HeaderLines::from(&b"a"[..]).as_slice(), [&b"a"[..]]);
    assert_eq!(HeaderLines::from(Some("a")), HeaderLines::One(b"a"));
    assert_eq!(HeaderLines::from(None::<&str>), HeaderLines::Absent);
    let many: &[&[u8]] = &[b"a", b"b"];
    assert_eq!(HeaderLines::from(many).as_slice(), many);
    assert!(HeaderLines::Absent.as_slice().is_empty());
    assert!(HeaderLines::Many(&[]).as_slice().is_empty());
}
