//! The origin parser against the `url` crate (the WHATWG URL standard's Rust
//! implementation): on every origin both accept, they normalize it alike, for configured
//! origins and for request `Origin` values. The engine is stricter by design (no paths,
//! no IPv4 shorthand in configs); only the values both accept are compared.

use cors_core::{AnyOr, Config, Policy};
use http::Request;
use proptest::prelude::*;

/// Origin-like strings: special schemes in any case, domain, IPv4 (dotted and shorthand)
/// and IPv6 hosts, with and without (default, leading-zero) ports.
fn origin_like() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec!["http", "https", "HTTP", "Https", "ws", "wss"]);
    let label = "[a-zA-Z0-9]([a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?";
    let domain = prop::collection::vec(label, 1..4).prop_map(|l| l.join("."));
    let ipv4 = prop_oneof![
        (0u8..=255, 0u8..=255, 0u8..=255, 0u8..=255)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        (0u32..=u32::MAX).prop_map(|n| n.to_string()),
        (0u8..=255, 0u32..=0xff_ffff).prop_map(|(a, b)| format!("{a}.{b}")),
        Just("0x7f.0.0.1".to_owned()),
    ];
    let ipv6 = prop::sample::select(vec![
        "[::1]",
        "[0:0::1]",
        "[2001:DB8::1]",
        "[2001:db8:0:0:1:0:0:1]",
        "[::ffff:127.0.0.1]",
    ])
    .prop_map(str::to_owned);
    let host = prop_oneof![4 => domain, 2 => ipv4, 1 => ipv6];
    let port = prop_oneof![
        3 => Just(String::new()),
        1 => Just(":80".to_owned()),
        1 => Just(":443".to_owned()),
        2 => (1u32..70000).prop_map(|p| format!(":{p}")),
        1 => Just(":08080".to_owned()),
    ];
    (scheme, host, port).prop_map(|(s, h, p)| format!("{s}://{h}{p}"))
}

/// `url`'s serialization of the origin of `s`, when `s` is an origin it accepts (a special
/// scheme, nothing after the authority but the root path).
fn url_origin(s: &str) -> Option<String> {
    let u = url::Url::parse(s).ok()?;
    if u.path() != "/" || u.query().is_some() || u.fragment().is_some() {
        return None;
    }
    let origin = u.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// A configured origin both accept normalizes to `url`'s origin serialization.
    #[test]
    fn configured_origins_agree(s in origin_like()) {
        let mut config = Config::default();
        config.allow_origins = AnyOr::List(vec![s.clone()]);
        if let (Ok(compiled), Some(theirs)) = (Policy::compile(&config), url_origin(&s)) {
            let AnyOr::List(ours) = &compiled.policy.config().allow_origins else {
                panic!("a listed origin stays a list");
            };
            prop_assert_eq!(&ours[0], &theirs, "{}", s);
        }
    }

    /// A request `Origin` both accept is allowed by a policy listing `url`'s serialization.
    #[test]
    fn request_origins_agree(s in origin_like()) {
        let Some(theirs) = url_origin(&s) else {
            return Ok(());
        };
        let mut config = Config::default();
        config.allow_origins = AnyOr::List(vec![theirs.clone()]);
        // Configs refuse some forms `url` normalizes (IPv4 shorthand): nothing to compare.
        let Ok(compiled) = Policy::compile(&config) else {
            return Ok(());
        };
        let Ok(request) = Request::get("/").header("origin", s.as_str()).body(()) else {
            return Ok(());
        };
        let decision = compiled.policy.decide(&request);
        if decision.denial().is_some_and(|d| d.kind() == cors_core::DenialKind::OriginMalformed) {
            // Stricter than `url` (e.g. IPv4 shorthand in a request): refused, never
            // granted as another origin.
            return Ok(());
        }
        prop_assert!(decision.is_allowed(), "{} (url: {}): {:?}", s, theirs, decision);
    }
}
