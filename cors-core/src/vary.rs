//! `Vary`: the request headers a response varies on, merged into the response's own
//! `Vary` (existing tokens kept, missing ones appended, `Vary: *` left alone).

use http::{HeaderMap, HeaderValue};

/// Every subset of the `Vary` tokens, joined, indexed by bit set: as text, and as header
/// values built at compile time.
macro_rules! vary_values {
    ($($s:expr),* $(,)?) => {
        const JOINED: [&str; 16] = [$($s),*];
        // A static, not a const: a const array would be built anew at every use.
        static VALUES: [HeaderValue; 16] = [$(HeaderValue::from_static($s)),*];
    };
}

vary_values!(
    "",
    "Origin",
    "Access-Control-Request-Method",
    "Origin, Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Origin, Access-Control-Request-Headers",
    "Access-Control-Request-Method, Access-Control-Request-Headers",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    "Access-Control-Request-Private-Network",
    "Origin, Access-Control-Request-Private-Network",
    "Access-Control-Request-Method, Access-Control-Request-Private-Network",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Private-Network",
    "Access-Control-Request-Headers, Access-Control-Request-Private-Network",
    "Origin, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
    "Access-Control-Request-Method, Access-Control-Request-Headers, \
     Access-Control-Request-Private-Network",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, \
     Access-Control-Request-Private-Network",
);

/// The request headers a response varies on, as a set of `Vary` tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Vary(u8);

impl Vary {
    /// No token.
    pub const NONE: Vary = Vary(0);
    /// `Origin`
    pub const ORIGIN: Vary = Vary(1);
    /// `Access-Control-Request-Method`
    pub const REQUEST_METHOD: Vary = Vary(2);
    /// `Access-Control-Request-Headers`
    pub const REQUEST_HEADERS: Vary = Vary(4);
    /// `Access-Control-Request-Private-Network`
    pub const REQUEST_PRIVATE_NETWORK: Vary = Vary(8);

    const TOKENS: [&'static str; 4] = [
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Access-Control-Request-Private-Network",
    ];

    /// The tokens as bits: 1 `Origin`, 2 `Access-Control-Request-Method`, 4
    /// `Access-Control-Request-Headers`, 8 `Access-Control-Request-Private-Network`.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The tokens of [`bits`](Self::bits); unknown bits are ignored.
    pub const fn from_bits(bits: u8) -> Vary {
        Vary(bits & 0xf)
    }

    /// Whether no token is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both sets.
    #[must_use]
    pub const fn union(self, other: Vary) -> Vary {
        Vary(self.0 | other.0)
    }

    /// Whether every token of `other` is in `self`.
    pub const fn contains(self, other: Vary) -> bool {
        self.0 & other.0 == other.0
    }

    /// The tokens, in canonical order.
    pub fn tokens(self) -> impl Iterator<Item = &'static str> {
        Vary::TOKENS
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, t)| t)
    }

    /// The tokens joined with `", "` (empty for no token).
    pub fn as_str(self) -> &'static str {
        JOINED
            .get(usize::from(self.0 & 0xf))
            .copied()
            .unwrap_or_default()
    }

    /// The tokens existing `Vary` lines lack, or `None` when nothing is to be added (every
    /// token present, a `Vary: *`, or no token in `self`). Existing tokens are compared
    /// ignoring case.
    pub fn missing_from<'v>(self, existing: impl IntoIterator<Item = &'v [u8]>) -> Option<Vary> {
        let mut missing = self.0;
        if missing == 0 {
            return None;
        }
        for line in existing {
            for token in crate::token::names(line) {
                if token == b"*" {
                    return None;
                }
                for (i, t) in Vary::TOKENS.iter().enumerate() {
                    if token.eq_ignore_ascii_case(t.as_bytes()) {
                        missing &= !(1 << i);
                    }
                }
            }
        }
        (missing != 0).then_some(Vary(missing))
    }

    /// Merges into existing `Vary` lines: the value of one line to append with the tokens
    /// they lack (see [`missing_from`](Self::missing_from)).
    pub fn merge<'v>(self, existing: impl IntoIterator<Item = &'v [u8]>) -> Option<&'static str> {
        self.missing_from(existing).map(Vary::as_str)
    }

    /// The tokens as an `http` header value, built when the program was compiled: using it
    /// validates nothing and allocates nothing.
    pub fn header_value(self) -> HeaderValue {
        match VALUES.get(usize::from(self.0 & 0xf)) {
            Some(v) => v.clone(),
            None => HeaderValue::from_static(""),
        }
    }

    /// Merges into the `Vary` lines of `headers` (see [`merge`](Self::merge)).
    pub fn merge_into(self, headers: &mut HeaderMap) {
        let missing = self.missing_from(
            headers
                .get_all(http::header::VARY)
                .iter()
                .map(HeaderValue::as_bytes),
        );
        if let Some(missing) = missing {
            headers.append(http::header::VARY, missing.header_value());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_name_each_token() {
        assert_eq!(Vary::ORIGIN.bits(), 1);
        assert_eq!(Vary::REQUEST_METHOD.bits(), 2);
        assert_eq!(Vary::REQUEST_HEADERS.bits(), 4);
        assert_eq!(Vary::from_bits(0xff).bits(), 0xf);
        assert_eq!(
            Vary::from_bits(Vary::ORIGIN.union(Vary::REQUEST_HEADERS).bits()).bits(),
            5
        );
    }

    #[test]
    fn set_operations() {
        assert!(Vary::NONE.is_empty());
        assert!(!Vary::ORIGIN.is_empty());
        assert_eq!(Vary::ORIGIN.union(Vary::ORIGIN), Vary::ORIGIN);
        let both = Vary::ORIGIN.union(Vary::REQUEST_METHOD);
        assert!(both.contains(Vary::ORIGIN));
        assert!(!Vary::ORIGIN.contains(both));
        assert!(!Vary::ORIGIN.contains(Vary::REQUEST_HEADERS));
    }

    #[test]
    fn merge_into_adds_only_the_missing_tokens() {
        let mut h = HeaderMap::new();
        h.append(
            http::header::VARY,
            HeaderValue::from_static("Accept-Encoding, origin"),
        );
        Vary::ORIGIN.union(Vary::REQUEST_METHOD).merge_into(&mut h);
        let lines: Vec<&str> = h
            .get_all(http::header::VARY)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(
            lines,
            ["Accept-Encoding, origin", "Access-Control-Request-Method"]
        );
        // Nothing missing: nothing added.
        Vary::ORIGIN.merge_into(&mut h);
        assert_eq!(h.get_all(http::header::VARY).iter().count(), 2);
    }

    #[test]
    fn joined_table_matches_tokens() {
        for bits in 0..16u8 {
            let v = Vary(bits);
            assert_eq!(v.as_str(), v.tokens().collect::<Vec<_>>().join(", "));
            assert_eq!(v.header_value(), v.as_str());
        }
    }

    #[test]
    fn merge_keeps_existing_and_adds_missing() {
        let v = Vary::ORIGIN.union(Vary::REQUEST_METHOD);
        assert_eq!(v.merge([&b"accept-encoding"[..]]), Some(v.as_str()));
        assert_eq!(
            v.merge([&b"origin"[..]]),
            Some("Access-Control-Request-Method")
        );
        assert_eq!(
            v.merge([&b"Origin"[..], b" access-control-request-method "]),
            None
        );
        assert_eq!(v.merge([&b"accept, *"[..]]), None);
    }
}
