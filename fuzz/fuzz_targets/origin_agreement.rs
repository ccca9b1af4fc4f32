//! The origin parser against the `url` crate (the WHATWG URL standard's implementation),
//! on arbitrary text: wherever both accept a value, they must agree. A configured origin
//! normalizes to `url`'s origin serialization; a request `Origin` that `url` reads as an
//! origin is granted by a policy listing that serialization, or refused as malformed
//! (the engine is stricter by design), never granted as something else.
#![no_main]

use cors_core::{AnyOr, Config, DenialKind, Policy};
use libfuzzer_sys::fuzz_target;

/// `url`'s serialization of the origin of `s`, when `s` is an origin it accepts.
fn url_origin(s: &str) -> Option<String> {
    let u = url::Url::parse(s).ok()?;
    if u.path() != "/" || u.query().is_some() || u.fragment().is_some() {
        return None;
    }
    let origin = u.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

fuzz_target!(|s: &str| {
    if s.len() > 300 {
        return;
    }
    let theirs = url_origin(s);
    let mut config = Config::default();
    config.allow_origins = AnyOr::List(vec![s.to_owned()]);
    if let (Ok(compiled), Some(theirs)) = (Policy::compile(&config), theirs.as_deref()) {
        let AnyOr::List(ours) = &compiled.policy.config().allow_origins else {
            panic!("a listed origin stays a list");
        };
        // `*` patterns are ours alone; only exact origins can be compared.
        if !s.contains('*') {
            assert_eq!(ours.first().map(String::as_str), Some(theirs), "{s:?}");
        }
    }
    let Some(theirs) = theirs else {
        return;
    };
    let mut config = Config::default();
    config.allow_origins = AnyOr::List(vec![theirs.clone()]);
    let Ok(compiled) = Policy::compile(&config) else {
        return;
    };
    let Ok(request) = http::Request::get("/").header("origin", s).body(()) else {
        return;
    };
    let decision = compiled.policy.decide(&request);
    let malformed = decision
        .denial()
        .is_some_and(|d| d.kind() == DenialKind::OriginMalformed);
    assert!(
        malformed || decision.is_allowed(),
        "{s:?} (url: {theirs}): {decision:?}"
    );
});
