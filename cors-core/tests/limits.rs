//! Every bound of the engine at its edge: the value at the limit is treated as any other,
//! one past it is refused with its own denial or error.

use cors_core::{
    DenialKind, HeaderLines, MAX_EMPTY_ELEMENTS, MAX_REQUEST_HEADER_LINES, Policy, RequestBytes,
};

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap_or_else(|e| panic!("{e}"))
}

/// The denial of a preflight from the allowed origin, `None` when allowed.
fn preflight(policy: &Policy, method: &[u8], headers: HeaderLines<'_>) -> Option<DenialKind> {
    let request = RequestBytes {
        method: b"OPTIONS",
        origin: "https://app.test".into(),
        request_method: HeaderLines::One(method),
        request_headers: headers,
        ..RequestBytes::default()
    };
    policy.decide(&request).denial().map(|d| d.kind())
}

#[test]
fn empty_request_header_elements_are_counted_over_all_lines() {
    let p = policy("allow_origins = [\"https://app.test\"]\nallow_headers = [\"x-a\"]");
    let at = format!("x-a{}", ",".repeat(MAX_EMPTY_ELEMENTS));
    let over = format!("x-a{}", ",".repeat(MAX_EMPTY_ELEMENTS + 1));
    assert_eq!(preflight(&p, b"POST", at.as_str().into()), None);
    assert_eq!(
        preflight(&p, b"POST", over.as_str().into()),
        Some(DenialKind::TooManyHeaders)
    );
    // Split over two lines, the same count is the same answer.
    let half = ",".repeat(MAX_EMPTY_ELEMENTS / 2);
    let first = format!("x-a{half}");
    let second = format!("x-a{half}");
    let lines: [&[u8]; 2] = [first.as_bytes(), second.as_bytes()];
    assert_eq!(preflight(&p, b"POST", HeaderLines::Many(&lines)), None);
    let second = format!("x-a{half},");
    let lines: [&[u8]; 2] = [first.as_bytes(), second.as_bytes()];
    assert_eq!(
        preflight(&p, b"POST", HeaderLines::Many(&lines)),
        Some(DenialKind::TooManyHeaders)
    );
}

#[test]
fn mirrored_request_header_lines_are_bounded() {
    // `"*"` with credentials echoes each requested line: at most this many.
    let p = policy(
        "allow_origins = [\"https://app.test\"]\nallow_headers = \"*\"\nallow_credentials = true",
    );
    let lines: Vec<&[u8]> = vec![b"x-a"; MAX_REQUEST_HEADER_LINES + 1];
    let at = &lines[..MAX_REQUEST_HEADER_LINES];
    let request = RequestBytes {
        method: b"OPTIONS",
        origin: "https://app.test".into(),
        request_method: "POST".into(),
        request_headers: HeaderLines::Many(at),
        ..RequestBytes::default()
    };
    let decision = p.decide(&request);
    assert!(decision.is_allowed(), "{decision:?}");
    let echoed = decision
        .headers()
        .filter(|(h, _)| *h == cors_core::ResponseHeader::AllowHeaders)
        .count();
    assert_eq!(echoed, MAX_REQUEST_HEADER_LINES);
    assert_eq!(
        preflight(&p, b"POST", HeaderLines::Many(&lines)),
        Some(DenialKind::TooManyHeaderLines)
    );
}

#[test]
fn overlong_methods_are_refused_unscanned() {
    let p = policy("allow_origins = [\"https://app.test\"]");
    let at = vec![b'A'; 128];
    let over = vec![b'A'; 129];
    assert_eq!(
        preflight(&p, &at, HeaderLines::Absent),
        Some(DenialKind::MethodNotAllowed)
    );
    assert_eq!(
        preflight(&p, &over, HeaderLines::Absent),
        Some(DenialKind::MethodInvalid)
    );
}

#[test]
fn max_age_limits() {
    let compile = |age: u64| {
        let toml = format!("allow_origins = [\"https://app.test\"]\nmax_age = {age}");
        Policy::compile(&cors_core::Config::from_toml_str(&toml).unwrap_or_else(|e| panic!("{e}")))
    };
    let warnings = |age: u64| -> Vec<&'static str> {
        compile(age)
            .unwrap_or_else(|e| panic!("{e}"))
            .warnings
            .iter()
            .map(|w| w.code())
            .collect()
    };
    assert!(warnings(86_400).is_empty());
    assert_eq!(warnings(86_401), ["W401"]);
    assert_eq!(warnings(u64::from(u32::MAX)), ["W401"]);
    let errors = compile(u64::from(u32::MAX) + 1)
        .err()
        .unwrap_or_else(|| panic!("too large"));
    assert_eq!(errors.len(), 1);
}

#[test]
fn the_normalized_config_keeps_the_preflight_status() {
    let p = policy("allow_origins = [\"https://app.test\"]");
    assert_eq!(p.config().preflight_status, 204);
    let p = policy("allow_origins = [\"https://app.test\"]\npreflight_status = 200");
    assert_eq!(p.config().preflight_status, 200);
}
