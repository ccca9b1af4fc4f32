//! The decision engine (docs/semantics.md) and the [`Decision`] value adapters apply.

use std::fmt;

use http::{HeaderValue, StatusCode};

use crate::denial::{Denial, DenialKind};
use crate::origin::Mismatch;
use crate::policy::{AllowHeaders, Methods, Origins, Policy, PolicyValue};
use crate::request::{RequestHeader, RequestView};
use crate::response::{ResponseHeader, Vary};
use crate::token::{self, MAX_REQUESTED_HEADERS};

/// The most `Access-Control-Request-Headers` lines (with names) a preflight may have when
/// the policy mirrors them (`allow_headers = "*"` with credentials): each is echoed as its
/// own `Access-Control-Allow-Headers` line, and a decision holds a fixed number. Browsers
/// send one line; other policies join any number of lines.
pub const MAX_REQUEST_HEADER_LINES: usize = 8;

/// How the engine classified a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// No `Origin` header: not a CORS request.
    NotCors,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    Preflight,
    /// Any other request with `Origin`.
    Actual,
}

/// What the server does with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Pass the request to the handler, then apply the decision's headers to its response
    /// (whatever its status).
    Forward,
    /// Answer now: this status, an empty body, the decision's headers; the handler is not
    /// reached. An allowed preflight gets the policy's `preflight_status`, a denied one 403.
    Respond(StatusCode),
}

/// A header value in a decision: precomputed by the policy, or one of the request's own
/// values echoed back.
pub enum HeaderRef<'a, V: ?Sized> {
    /// A value computed when the policy was built.
    Policy(&'a PolicyValue),
    /// A request header line echoed byte for byte (the origin, a method or header list
    /// mirrored under `"*"` with credentials).
    Request(RequestHeader, &'a V),
}

impl<V: ?Sized> Clone for HeaderRef<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: ?Sized> Copy for HeaderRef<'_, V> {}

impl<V: AsRef<[u8]> + ?Sized> HeaderRef<'_, V> {
    /// The value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            HeaderRef::Policy(v) => v.as_bytes(),
            HeaderRef::Request(_, v) => v.as_ref(),
        }
    }
}

impl<V: AsRef<[u8]> + ?Sized> fmt::Debug for HeaderRef<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_bytes().escape_ascii().to_string())
    }
}

impl HeaderRef<'_, HeaderValue> {
    /// The value as an `http` header value (a reference-count clone, no allocation).
    pub fn to_header_value(&self) -> HeaderValue {
        match self {
            HeaderRef::Policy(v) => v.header_value().clone(),
            HeaderRef::Request(_, v) => (*v).clone(),
        }
    }
}

/// The most headers one decision sets (every owned header, `Access-Control-Allow-Headers`
/// on up to [`MAX_REQUEST_HEADER_LINES`] lines).
pub const MAX_DECISION_HEADERS: usize = ResponseHeader::ALL.len() + MAX_REQUEST_HEADER_LINES - 1;

/// What to do with one request: the action, the headers to set, the `Vary` tokens to merge,
/// and for denials the reason.
///
/// `V` is the type of the request's header values ([`RequestView::Value`]); the decision
/// borrows the policy and the request.
#[must_use = "a decision does nothing until it is applied to the response"]
pub struct Decision<'a, V: ?Sized> {
    kind: RequestKind,
    action: Action,
    denial: Option<Denial<'a>>,
    vary: Vary,
    /// The headers in the order they are sent; the first `None` ends the list.
    headers: [Option<(ResponseHeader, HeaderRef<'a, V>)>; MAX_DECISION_HEADERS],
}

impl<V: AsRef<[u8]> + ?Sized> fmt::Debug for Decision<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision")
            .field("kind", &self.kind)
            .field("action", &self.action)
            .field("denial", &self.denial)
            .field("vary", &self.vary.as_str())
            .field(
                "headers",
                &self
                    .headers()
                    .map(|(h, v)| (h.as_str(), v))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl<'a, V: ?Sized> Decision<'a, V> {
    fn new(kind: RequestKind, action: Action, vary: Vary) -> Self {
        Decision {
            kind,
            action,
            denial: None,
            vary,
            headers: [None; MAX_DECISION_HEADERS],
        }
    }

    /// Appends a header; the engine sets each at most once (Allow-Headers once per
    /// mirrored line, bounded by the caller), so the array never overflows.
    fn set(&mut self, h: ResponseHeader, v: HeaderRef<'a, V>) {
        if let Some(slot) = self.headers.iter_mut().find(|s| s.is_none()) {
            *slot = Some((h, v));
        }
    }

    fn set_policy(&mut self, h: ResponseHeader, v: Option<&'a PolicyValue>) {
        if let Some(v) = v {
            self.set(h, HeaderRef::Policy(v));
        }
    }

    /// How the request was classified.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// What the server does.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Why the request was denied: for a preflight, the 403; for an actual request, why
    /// no CORS headers were granted. `None` when allowed or not CORS.
    pub fn denial(&self) -> Option<&Denial<'a>> {
        self.denial.as_ref()
    }

    /// Whether the request was allowed (or is not a CORS request).
    pub fn is_allowed(&self) -> bool {
        self.denial.is_none()
    }

    /// The `Vary` tokens to merge into the response.
    pub fn vary(&self) -> Vary {
        self.vary
    }

    /// The headers to set, in a fixed order; `Access-Control-Allow-Headers` may appear on
    /// several lines when it mirrors several request lines. Remove every owned header
    /// ([`is_owned_header`](crate::is_owned_header)) from the response first.
    #[inline]
    pub fn headers(&self) -> impl Iterator<Item = (ResponseHeader, HeaderRef<'a, V>)> + '_ {
        self.headers.iter().map_while(|h| *h)
    }

    /// The value of one header (its first line).
    #[inline]
    pub fn get(&self, h: ResponseHeader) -> Option<HeaderRef<'a, V>> {
        self.headers().find(|(name, _)| *name == h).map(|(_, v)| v)
    }
}

impl Policy {
    /// [`decide`](Self::decide) for a server that chose this policy by the request's path
    /// (`raw_target`, the request target as received): when the path is not in normal
    /// form ([`is_normal_form_path`](crate::is_normal_form_path)), frameworks may route it
    /// to a handler of another path, so the decision grants nothing: a preflight is denied
    /// (403), any other request gets no CORS header but `Vary`, and the denial says why.
    pub fn decide_at<'a, R>(&'a self, req: &'a R, raw_target: &'a [u8]) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        let decision = self.decide(req);
        if crate::path::is_normal_form_path(raw_target) {
            return decision;
        }
        let action = match decision.kind {
            RequestKind::Preflight => Action::Respond(StatusCode::FORBIDDEN),
            RequestKind::Actual => Action::Forward,
            // Not CORS, so nothing is denied; a constant policy's headers are still withheld.
            RequestKind::NotCors => {
                return Decision::new(RequestKind::NotCors, Action::Forward, decision.vary);
            }
        };
        let mut d = Decision::new(decision.kind, action, decision.vary);
        d.denial = Some(Denial::PathNotNormal(raw_target));
        tracing::debug!(
            target: "cors",
            kind = ?d.kind,
            reason = DenialKind::PathNotNormal.as_str(),
            "CORS request denied: {}",
            Denial::PathNotNormal(raw_target)
        );
        d
    }

    /// Decides what a request's response must carry (docs/semantics.md). Never fails and
    /// never allocates; denials are reported in the decision (and logged at debug level).
    ///
    /// ```
    /// use cors_core::{Action, Policy};
    /// use http::{Method, Request, StatusCode};
    ///
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     allow_methods = ["GET", "PUT"]
    /// "#)?;
    /// let preflight = Request::builder()
    ///     .method(Method::OPTIONS)
    ///     .header("origin", "https://app.example.com")
    ///     .header("access-control-request-method", "PUT")
    ///     .body(())?;
    /// let decision = policy.decide(&preflight);
    /// assert_eq!(decision.action(), Action::Respond(StatusCode::NO_CONTENT));
    ///
    /// let mut headers = http::HeaderMap::new();
    /// decision.apply(&mut headers);
    /// assert_eq!(headers["access-control-allow-origin"], "https://app.example.com");
    /// assert_eq!(headers["access-control-allow-methods"], "GET, PUT");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide<'a, R>(&'a self, req: &'a R) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        let decision = self.classify(req);
        // One event per decision (tests count them; observers may listen).
        tracing::trace!(
            target: "cors::decision",
            kind = ?decision.kind,
            allowed = decision.denial.is_none(),
        );
        if let Some(denial) = &decision.denial {
            tracing::debug!(
                target: "cors",
                kind = ?decision.kind,
                reason = denial.kind().as_str(),
                "CORS request denied: {denial}"
            );
        }
        decision
    }

    /// Classifies the request (docs/semantics.md, "How a request is classified") and decides it.
    #[inline(always)]
    fn classify<'a, R>(&'a self, req: &'a R) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        let mut origins = req.header(RequestHeader::Origin);
        let Some(origin) = origins.next() else {
            return self.not_cors();
        };
        let multiple = origins.next().is_some();
        let mut methods = match req.method() {
            b"OPTIONS" => Some(req.header(RequestHeader::RequestMethod)),
            _ => None,
        };
        let requested = methods
            .as_mut()
            .and_then(|m| m.next().map(|first| (first, m.next())));
        match requested {
            Some((method, more)) => self.preflight(req, origin, multiple, method, more.is_some()),
            None => self.actual(origin, multiple),
        }
    }

    #[inline(always)]
    fn not_cors<'a, V: ?Sized>(&'a self) -> Decision<'a, V> {
        let inner = &*self.inner;
        match inner.origins {
            Origins::Any => {
                let mut d = Decision::new(RequestKind::NotCors, Action::Forward, Vary::NONE);
                self.constant_headers(&mut d);
                d
            }
            Origins::Set(_) => Decision::new(RequestKind::NotCors, Action::Forward, Vary::ORIGIN),
        }
    }

    fn constant_headers<'a, V: ?Sized>(&'a self, d: &mut Decision<'a, V>) {
        let ids = &self.inner.ids;
        d.set_policy(ResponseHeader::AllowOrigin, self.value(ids.star));
        d.set_policy(
            ResponseHeader::ExposeHeaders,
            ids.expose.and_then(|i| self.value(i)),
        );
    }

    /// Checks the origin; `Ok(None)` for a constant policy (no echo).
    fn check_origin<'a, V: AsRef<[u8]> + ?Sized>(
        &self,
        origin: &'a V,
        multiple: bool,
    ) -> Result<Option<&'a V>, Denial<'a>> {
        match &self.inner.origins {
            Origins::Any => Ok(None),
            Origins::Set(_) if multiple => Err(Denial::MultipleOrigins),
            Origins::Set(set) => {
                let raw = origin.as_ref();
                match set.check(raw) {
                    Ok(()) => Ok(Some(origin)),
                    Err(Mismatch::Malformed) => Err(Denial::OriginMalformed(raw)),
                    Err(Mismatch::NotListed) => Err(Denial::OriginNotAllowed(raw)),
                }
            }
        }
    }

    #[inline(always)]
    fn actual<'a, V: AsRef<[u8]> + ?Sized>(
        &'a self,
        origin: &'a V,
        multiple: bool,
    ) -> Decision<'a, V> {
        let inner = &*self.inner;
        let vary = if self.is_constant() {
            Vary::NONE
        } else {
            Vary::ORIGIN
        };
        let mut d = Decision::new(RequestKind::Actual, Action::Forward, vary);
        match self.check_origin(origin, multiple) {
            Ok(None) => self.constant_headers(&mut d),
            Ok(Some(echo)) => {
                d.set(
                    ResponseHeader::AllowOrigin,
                    HeaderRef::Request(RequestHeader::Origin, echo),
                );
                if inner.credentials {
                    d.set_policy(
                        ResponseHeader::AllowCredentials,
                        self.value(inner.ids.true_),
                    );
                }
                d.set_policy(
                    ResponseHeader::ExposeHeaders,
                    inner.ids.expose.and_then(|i| self.value(i)),
                );
            }
            Err(denial) => d.denial = Some(denial),
        }
        d
    }

    #[inline(always)]
    fn preflight<'a, R: RequestView + ?Sized>(
        &'a self,
        req: &'a R,
        origin: &'a R::Value,
        multiple: bool,
        method_value: &'a R::Value,
        multiple_methods: bool,
    ) -> Decision<'a, R::Value> {
        let inner = &*self.inner;
        let mut vary = Vary::ORIGIN
            .union(Vary::REQUEST_METHOD)
            .union(Vary::REQUEST_HEADERS);
        if inner.private_network {
            vary = vary.union(Vary::REQUEST_PRIVATE_NETWORK);
        }
        let deny = |denial| {
            let mut d = Decision::new(
                RequestKind::Preflight,
                Action::Respond(StatusCode::FORBIDDEN),
                vary,
            );
            d.denial = Some(denial);
            d
        };
        let action = if inner.preflight_continue {
            Action::Forward
        } else {
            Action::Respond(inner.preflight_status)
        };
        let mut d = Decision::new(RequestKind::Preflight, action, vary);

        // Origin.
        let echo = match self.check_origin(origin, multiple) {
            Ok(echo) => echo,
            Err(denial) => return deny(denial),
        };

        // Method.
        if multiple_methods {
            return deny(Denial::MultipleMethods);
        }
        let raw_method = token::trim_ows(method_value.as_ref());
        if !token::is_token(raw_method) {
            return deny(Denial::MethodInvalid(raw_method));
        }
        if token::is_forbidden_method(raw_method) {
            return deny(Denial::MethodForbidden(raw_method));
        }
        let method = token::normalize_method(raw_method);
        let method_ok = token::is_safelisted_method(method)
            || match &inner.methods {
                Methods::Any => true,
                Methods::List(list) => list.iter().any(|m| **m == *method),
            };
        if !method_ok {
            return deny(Denial::MethodNotAllowed(raw_method));
        }

        // Headers.
        let mirror = inner.credentials && matches!(inner.headers, AllowHeaders::Any { .. });
        let mut count = 0usize;
        let mut mirrored: [Option<&'a R::Value>; MAX_REQUEST_HEADER_LINES] =
            [None; MAX_REQUEST_HEADER_LINES];
        let mut lines = 0usize;
        let mut authorization = false;
        for line in req.header(RequestHeader::RequestHeaders) {
            let mut line_has_names = false;
            for name in token::names(line.as_ref()) {
                count += 1;
                if count > MAX_REQUESTED_HEADERS {
                    return deny(Denial::TooManyHeaders);
                }
                line_has_names = true;
                match &inner.headers {
                    AllowHeaders::Any {
                        authorization: auth,
                    } => {
                        if token::token_case(name).is_none() {
                            return deny(Denial::HeaderInvalid(name));
                        }
                        if name.eq_ignore_ascii_case(b"authorization") {
                            if !auth {
                                return deny(Denial::AuthorizationNotCovered);
                            }
                            authorization = true;
                        }
                    }
                    AllowHeaders::List(list) => match token::find_name(list, name) {
                        Ok(()) => {}
                        Err(token::NameMiss::Invalid) => {
                            return deny(Denial::HeaderInvalid(name));
                        }
                        Err(token::NameMiss::NotListed) => {
                            return deny(Denial::HeaderNotAllowed(name));
                        }
                    },
                }
            }
            if line_has_names && mirror {
                match mirrored.get_mut(lines) {
                    Some(slot) => *slot = Some(line),
                    None => return deny(Denial::TooManyHeaderLines),
                }
                lines += 1;
            }
        }

        // Private network access.
        let mut pna = req.header(RequestHeader::RequestPrivateNetwork);
        let pna_requested = matches!(
            (pna.next(), pna.next()),
            (Some(v), None) if token::trim_ows(v.as_ref()) == b"true"
        );
        if pna_requested && !inner.private_network {
            return deny(Denial::PrivateNetworkNotAllowed);
        }

        // Allowed.
        let ids = &inner.ids;
        match echo {
            Some(o) => d.set(
                ResponseHeader::AllowOrigin,
                HeaderRef::Request(RequestHeader::Origin, o),
            ),
            None => d.set_policy(ResponseHeader::AllowOrigin, self.value(ids.star)),
        }
        if inner.credentials {
            d.set_policy(ResponseHeader::AllowCredentials, self.value(ids.true_));
        }
        match (&inner.methods, ids.methods) {
            (_, Some(id)) => d.set_policy(ResponseHeader::AllowMethods, self.value(id)),
            (Methods::Any, None) => d.set(
                ResponseHeader::AllowMethods,
                HeaderRef::Request(RequestHeader::RequestMethod, method_value),
            ),
            (Methods::List(_), None) => {}
        }
        for line in mirrored.into_iter().flatten() {
            d.set(
                ResponseHeader::AllowHeaders,
                HeaderRef::Request(RequestHeader::RequestHeaders, line),
            );
        }
        if count > 0 && !mirror {
            let id = if authorization {
                ids.headers_with_authorization
            } else {
                ids.headers
            };
            d.set_policy(ResponseHeader::AllowHeaders, id.and_then(|i| self.value(i)));
        }
        d.set_policy(
            ResponseHeader::MaxAge,
            ids.max_age.and_then(|i| self.value(i)),
        );
        if pna_requested {
            d.set_policy(ResponseHeader::AllowPrivateNetwork, self.value(ids.true_));
        }
        d
    }
}
