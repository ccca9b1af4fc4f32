//! Translation between actix-web's header types (`http` 0.2) and the core.

use std::rc::Rc;

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use cors_core::{Decision, HeaderRef, Policy, RequestHeader, RequestView, ResponseHeader, Vary};

static REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
static ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

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
    }
}

/// A policy with every value it can send already converted to an actix header value.
///
/// One per worker thread (actix-web builds the middleware once per worker): cloning its
/// values then only touches reference counts no other thread writes.
pub(crate) struct Compiled {
    pub(crate) policy: Policy,
    /// Indexed by `PolicyValue::id()`.
    values: Box<[Option<HeaderValue>]>,
}

impl Compiled {
    pub(crate) fn new(policy: Policy) -> Compiled {
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
        Compiled { policy, values }
    }

    fn value(&self, v: HeaderRef<'_, HeaderValue>) -> Option<HeaderValue> {
        match v {
            HeaderRef::Policy(p) => self.values.get(p.id())?.clone(),
            HeaderRef::Request(_, v) => Some(v.clone()),
        }
    }

    /// Removes the owned headers a handler set, sets the decision's, merges `Vary`.
    pub(crate) fn apply(&self, decision: &Decision<'_, HeaderValue>, map: &mut HeaderMap) {
        remove_owned(map);
        for (h, v) in decision.headers() {
            if let Some(v) = self.value(v) {
                map.append(response_name(h), v);
            }
        }
        merge_vary(decision.vary(), map);
    }

    /// An owned copy of a decision's headers, taken before the request moves into the
    /// inner service: policy values by index, echoed request values by reference count.
    /// Nothing is allocated unless the decision mirrors a requested method or header list
    /// (only preflights forwarded under `preflight_continue` do; answered preflights are
    /// applied directly).
    pub(crate) fn pending(self: &Rc<Self>, decision: &Decision<'_, HeaderValue>) -> Pending {
        let mut out = Pending {
            compiled: Rc::clone(self),
            lines: [(ResponseHeader::AllowOrigin, Src::Policy(0)); ResponseHeader::ALL.len()],
            len: 0,
            echo: None,
            more: Box::default(),
            vary: decision.vary(),
        };
        let mut more = Vec::new();
        // Direct slot lookups, in the decision's order.
        for h in ResponseHeader::ALL {
            let src = match decision.get(h) {
                None => continue,
                Some(HeaderRef::Policy(p)) => match u8::try_from(p.id()) {
                    Ok(id) => Src::Policy(id),
                    // A policy has a few dozen values; a larger id would drop the header
                    // rather than send a wrong one.
                    Err(_) => continue,
                },
                // Mirrored request header lists may span several lines.
                Some(HeaderRef::Request(..)) if h == ResponseHeader::AllowHeaders => {
                    for (_, line) in decision.headers().filter(|(x, _)| *x == h) {
                        if let HeaderRef::Request(_, v) = line {
                            more.push((h, v.clone()));
                        }
                    }
                    Src::More
                }
                Some(HeaderRef::Request(_, v)) if out.echo.is_none() => {
                    out.echo = Some(v.clone());
                    Src::Echo
                }
                Some(HeaderRef::Request(_, v)) => {
                    more.push((h, v.clone()));
                    Src::More
                }
            };
            out.push(h, src);
        }
        // An empty vector becomes an empty box without allocating.
        out.more = more.into_boxed_slice();
        out
    }
}

/// Where a pending header's value is.
#[derive(Clone, Copy)]
enum Src {
    /// `Compiled::values[i]`.
    Policy(u8),
    /// `Pending::echo`.
    Echo,
    /// Every entry of `Pending::more` for this header.
    More,
}

/// The headers a decision puts on a response, owned. Kept small: it lives in the
/// middleware's future for the whole inner call.
pub(crate) struct Pending {
    compiled: Rc<Compiled>,
    /// The headers to set, in order (`len` of them).
    lines: [(ResponseHeader, Src); ResponseHeader::ALL.len()],
    len: u8,
    /// The first echoed request value (usually the origin).
    echo: Option<HeaderValue>,
    /// Further echoed values (mirrored method and header lists), in order.
    more: Box<[(ResponseHeader, HeaderValue)]>,
    vary: Vary,
}

impl Pending {
    fn push(&mut self, h: ResponseHeader, src: Src) {
        if let Some(slot) = self.lines.get_mut(usize::from(self.len)) {
            *slot = (h, src);
            self.len += 1;
        }
    }

    /// Removes the owned headers a handler set, sets the decision's, merges `Vary`.
    pub(crate) fn apply(&self, map: &mut HeaderMap) {
        remove_owned(map);
        let lines = self.lines.get(..usize::from(self.len)).unwrap_or_default();
        for &(h, src) in lines {
            match src {
                Src::Policy(id) => {
                    if let Some(Some(v)) = self.compiled.values.get(usize::from(id)) {
                        map.append(response_name(h), v.clone());
                    }
                }
                Src::Echo => {
                    if let Some(v) = &self.echo {
                        map.append(response_name(h), v.clone());
                    }
                }
                Src::More => {
                    for (_, v) in self.more.iter().filter(|(x, _)| *x == h) {
                        map.append(response_name(h), v.clone());
                    }
                }
            }
        }
        merge_vary(self.vary, map);
    }
}

fn remove_owned(map: &mut HeaderMap) {
    // One pass over the names; removals only when a handler set an owned header.
    if map
        .keys()
        .any(|k| cors_core::is_owned_header(k.as_str().as_bytes()))
    {
        for h in ResponseHeader::ALL {
            map.remove(response_name(h));
        }
    }
}

fn merge_vary(vary: Vary, map: &mut HeaderMap) {
    if vary.is_empty() {
        return;
    }
    let add = vary.merge(map.get_all(header::VARY).map(HeaderValue::as_bytes));
    if let Some(add) = add {
        map.append(header::VARY, HeaderValue::from_static(add));
    }
}

/// The core's status code as actix's.
pub(crate) fn status(code: u16) -> StatusCode {
    // The core only answers 200, 204 and 403, all valid.
    StatusCode::from_u16(code).unwrap_or(StatusCode::FORBIDDEN)
}
