//! The response headers the engine owns.

use http::HeaderName;

/// Built at compile time, so using it never re-validates the name.
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// Built at compile time, like the one above.
const DENIAL_REASON: HeaderName = HeaderName::from_static("cors-denial-reason");

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
    /// `CORS-Denial-Reason`: the denial's name, sent only with the development option
    /// `debug_denial_header = true`. Not owned: a handler's is left alone.
    DenialReason = 7,
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
            ResponseHeader::DenialReason => "cors-denial-reason",
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
            ResponseHeader::DenialReason => DENIAL_REASON,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_names() {
        assert!(is_owned_header(b"Access-Control-Allow-Origin"));
        assert!(is_owned_header(b"access-control-expose-headers"));
        assert!(is_owned_header(b"access-control-allow-private-network"));
        assert!(!is_owned_header(b"access-control-request-method"));
        assert!(!is_owned_header(b"vary"));
        assert!(!is_owned_header(b"access-control-"));
        assert!(!is_owned_header(b"access-control-allow-x"));
        assert!(!is_owned_header(b"cors-denial-reason"));
        // Every owned name, in any case; the shortest (max-age, 22 bytes) included.
        for h in ResponseHeader::ALL {
            let upper = h.as_str().to_ascii_uppercase();
            assert_eq!(ResponseHeader::from_name(upper.as_bytes()), Some(h));
            assert_eq!(h.header_name().as_str(), h.as_str());
        }
        assert_eq!(
            ResponseHeader::DenialReason.header_name().as_str(),
            ResponseHeader::DenialReason.as_str()
        );
    }
}
