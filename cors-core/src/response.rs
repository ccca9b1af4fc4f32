//! The response side: the headers the engine owns, and `Vary` merging.

use http::{HeaderMap, HeaderName, HeaderValue};

/// Built at compile time, so using it never re-validates the name.
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// A response header the engine owns: values a handler or upstream set for these are
/// replaced by the policy's (or removed), so a response never grants what the policy denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseHeader {
    /// `Access-Control-Allow-Origin`
    AllowOrigin = 0,
    /// `Access-Control-Allow-Credentials`
    AllowCredentials = 1,
    /// `Access-Control-Allow-Methods`
    AllowMethods = 2,
    /// `Access-Control-Allow-Headers`
    AllowHeaders = 3,
    /// `Access-Control-Max-Age`
    MaxAge = 4,
    /// `Access-Control-Allow-Private-Network`
    AllowPrivateNetwork = 5,
    /// `Access-Control-Expose-Headers`
    ExposeHeaders = 6,
}

impl ResponseHeader {
    /// Every owned header, in the order a decision lists them.
    pub const ALL: [ResponseHeader; 7] = [
        ResponseHeader::AllowOrigin,
        ResponseHeader::AllowCredentials,
        ResponseHeader::AllowMethods,
        ResponseHeader::AllowHeaders,
        ResponseHeader::MaxAge,
        ResponseHeader::AllowPrivateNetwork,
        ResponseHeader::ExposeHeaders,
    ];

    /// The lower-case header name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResponseHeader::AllowOrigin => "access-control-allow-origin",
            ResponseHeader::AllowCredentials => "access-control-allow-credentials",
            ResponseHeader::AllowMethods => "access-control-allow-methods",
            ResponseHeader::AllowHeaders => "access-control-allow-headers",
            ResponseHeader::MaxAge => "access-control-max-age",
            ResponseHeader::AllowPrivateNetwork => "access-control-allow-private-network",
            ResponseHeader::ExposeHeaders => "access-control-expose-headers",
        }
    }

    /// The header name as an `http` type.
    pub const fn header_name(self) -> HeaderName {
        use http::header;
        match self {
            ResponseHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
            ResponseHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            ResponseHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
            ResponseHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
            ResponseHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
            ResponseHeader::AllowPrivateNetwork => ALLOW_PRIVATE_NETWORK,
            ResponseHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        }
    }

    /// The owned header with this name (any case), if it is one.
    pub fn from_name(name: &[u8]) -> Option<ResponseHeader> {
        // Every owned name starts with "access-control-"; most names fail on length or
        // the first byte.
        if name.len() < 22
            || !name
                .get(..15)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"access-control-"))
        {
            return None;
        }
        ResponseHeader::ALL
            .into_iter()
            .find(|h| name.eq_ignore_ascii_case(h.as_str().as_bytes()))
    }
}

/// Whether the engine owns a response header name (any case): servers should drop such
/// headers set by handlers or upstreams before applying a decision.
pub fn is_owned_header(name: &[u8]) -> bool {
    ResponseHeader::from_name(name).is_some()
}

/// Every subset of the `Vary` tokens, joined, indexed by bit set: as text, and as header
/// values built at compile time.
macro_rules! vary_values {
    ($($s:expr),* $(,)?) => {
        const JOINED: [&str; 16] = [$($s),*];
        const VALUES: [HeaderValue; 16] = [$(HeaderValue::from_static($s)),*];
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

    #[test]
    fn owned_names() {
        assert!(is_owned_header(b"Access-Control-Allow-Origin"));
        assert!(is_owned_header(b"access-control-expose-headers"));
        assert!(is_owned_header(b"access-control-allow-private-network"));
        assert!(!is_owned_header(b"access-control-request-method"));
        assert!(!is_owned_header(b"vary"));
    }
}
