//! Translation between actix-web's header types (`http` 0.2) and the core: the request
//! view, the response sink, and the policy's values converted once per worker.

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use cors_core::{
    HeaderRef, HeaderSink, Policy, PolicyValue, RequestHeader, RequestView, ResponseHeader, Vary,
};

// The names `http` 0.2 has no constant for, from the core's tables.
static REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static(RequestHeader::RequestPrivateNetwork.as_str());
static ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static(ResponseHeader::AllowPrivateNetwork.as_str());

/// An actix request as the core sees it: method and headers, values borrowed.
pub(crate) struct ActixRequest<'a> {
    pub(crate) method: &'a Method,
    pub(crate) headers: &'a HeaderMap,
}

impl RequestView for ActixRequest<'_> {
    type Value = HeaderValue;

    fn method(&self) -> &[u8] {
        self.method.as_str().as_bytes()
    }

    fn header(&self, h: RequestHeader) -> impl Iterator<Item = &HeaderValue> {
        // Prebuilt names: a `&str` key would be parsed (and may allocate) on every lookup.
        let name = match h {
            RequestHeader::Origin => &header::ORIGIN,
            RequestHeader::RequestMethod => &header::ACCESS_CONTROL_REQUEST_METHOD,
            RequestHeader::RequestHeaders => &header::ACCESS_CONTROL_REQUEST_HEADERS,
            RequestHeader::RequestPrivateNetwork => &REQUEST_PRIVATE_NETWORK,
        };
        self.headers.get_all(name)
    }
}

/// The actix name of an owned response header.
fn response_name(h: ResponseHeader) -> HeaderName {
    match h {
        ResponseHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        ResponseHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        ResponseHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
        ResponseHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
        ResponseHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
        ResponseHeader::AllowPrivateNetwork => ALLOW_PRIVATE_NETWORK.clone(),
        ResponseHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        ResponseHeader::DenialReason => HeaderName::from_static("cors-denial-reason"),
    }
}

/// An actix response's headers, as the core applies a decision to them.
pub(crate) struct Sink<'m> {
    pub(crate) map: &'m mut HeaderMap,
    pub(crate) compiled: &'m WorkerPolicy,
}

impl HeaderSink for Sink<'_> {
    type Value = HeaderValue;
    fn any_name(&self, mut pred: impl FnMut(&[u8]) -> bool) -> bool {
        self.map.keys().any(|k| pred(k.as_str().as_bytes()))
    }
    fn remove(&mut self, h: ResponseHeader) {
        self.map.remove(response_name(h));
    }
    fn append(&mut self, h: ResponseHeader, value: HeaderValue) {
        self.map.append(response_name(h), value);
    }
    fn values(&self, h: ResponseHeader) -> impl Iterator<Item = &[u8]> {
        self.map
            .get_all(response_name(h))
            .map(HeaderValue::as_bytes)
    }
    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.map.get_all(header::VARY).map(HeaderValue::as_bytes)
    }
    fn append_vary(&mut self, tokens: Vary) {
        if let Some(v) = self.compiled.vary.get(usize::from(tokens.bits())) {
            self.map.append(header::VARY, v.clone());
        }
    }
}

/// A policy with every value it can send already converted to an actix header value.
///
/// One per worker thread (actix-web builds the middleware once per worker): cloning its
/// values then only touches reference counts no other thread writes.
pub(crate) struct WorkerPolicy {
    pub(crate) policy: Policy,
    /// Indexed by `PolicyValue::id()`.
    values: Box<[Option<HeaderValue>]>,
    /// Every `Vary` token set, indexed by `Vary::bits()`.
    vary: [HeaderValue; 16],
}

impl WorkerPolicy {
    pub(crate) fn new(policy: Policy) -> WorkerPolicy {
        let values = policy
            .values()
            .iter()
            .map(|v| match v.as_bytes() {
                // Static values are cloned without touching a shared reference count.
                b"true" => Some(HeaderValue::from_static("true")),
                b"*" => Some(HeaderValue::from_static("*")),
                // Policy values are valid header values by construction; a failure would
                // drop the header rather than send a broken one.
                bytes => HeaderValue::from_bytes(bytes).ok(),
            })
            .collect();
        // Static text: built once here, cloned per request without validation or counts.
        let vary = std::array::from_fn(|bits| {
            let tokens = u8::try_from(bits).map_or(Vary::NONE, Vary::from_bits);
            HeaderValue::from_static(tokens.as_str())
        });
        WorkerPolicy {
            policy,
            values,
            vary,
        }
    }

    /// A decision's value as actix's.
    pub(crate) fn value(&self, v: HeaderRef<'_, HeaderValue>) -> Option<HeaderValue> {
        match v {
            HeaderRef::Policy(p) => self.policy_value(p),
            HeaderRef::Request(_, v) => Some(v.clone()),
        }
    }

    /// A policy value as actix's (converted when the worker started).
    pub(crate) fn policy_value(&self, v: &PolicyValue) -> Option<HeaderValue> {
        self.values.get(v.id())?.clone()
    }
}

/// The core's status code as actix's.
pub(crate) fn status(code: u16) -> StatusCode {
    // The core only answers 200, 204 and 403, all valid.
    StatusCode::from_u16(code).unwrap_or(StatusCode::FORBIDDEN)
}
