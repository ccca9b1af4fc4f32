//! The decision engine (docs/semantics.md) and the [`Decision`] value adapters apply.

use std::fmt;

use http::{HeaderValue, StatusCode};

use crate::compile::ValueId;
use crate::denial::{Denial, DenialKind};
use crate::policy::{Policy, PolicyValue};
use crate::request::{RequestHeader, RequestView, Scan};
use crate::response::ResponseHeader;
use crate::vary::Vary;

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
    vary: Vary,
    /// What each owned header carries, in `ResponseHeader::ALL` order (the send order).
    pub(crate) slots: [Slot; ResponseHeader::ALL.len()],
    denial: Option<Denial<'a>>,
    /// The policy's values, which `Slot::Policy` indexes: a byte per header instead of
    /// a pointer keeps the decision small, so building and moving it is cheap.
    values: &'a [PolicyValue],
    /// The echoed origin (`Slot::Origin`).
    pub(crate) origin: Option<&'a V>,
    /// The mirrored method (`Slot::Method`).
    pub(crate) method: Option<&'a V>,
    /// The mirrored `Access-Control-Request-Headers` lines (`Slot::Mirrored`), in order.
    pub(crate) mirrored: [Option<&'a V>; MAX_REQUEST_HEADER_LINES],
}

/// What one owned header of a decision carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Empty,
    /// The policy's value with this id.
    Policy(u8),
    /// The request's origin.
    Origin,
    /// The request's `Access-Control-Request-Method`.
    Method,
    /// The request's `Access-Control-Request-Headers` lines, one header line each.
    Mirrored,
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
    pub(crate) fn new(
        kind: RequestKind,
        action: Action,
        vary: Vary,
        values: &'a [PolicyValue],
    ) -> Self {
        Decision {
            kind,
            action,
            vary,
            slots: [Slot::Empty; ResponseHeader::ALL.len()],
            denial: None,
            values,
            origin: None,
            method: None,
            mirrored: [None; MAX_REQUEST_HEADER_LINES],
        }
    }

    /// Sets a header (`Access-Control-Allow-Headers` once per mirrored line, at most
    /// [`MAX_REQUEST_HEADER_LINES`] of them, bounded by the caller).
    pub(crate) fn set(&mut self, h: ResponseHeader, v: HeaderRef<'a, V>) {
        let slot = match v {
            HeaderRef::Policy(p) => match u8::try_from(p.id()) {
                Ok(id) => Slot::Policy(id),
                Err(_) => return,
            },
            HeaderRef::Request(RequestHeader::Origin, v) => {
                self.origin = Some(v);
                Slot::Origin
            }
            HeaderRef::Request(RequestHeader::RequestMethod, v) => {
                self.method = Some(v);
                Slot::Method
            }
            HeaderRef::Request(_, v) => {
                if let Some(free) = self.mirrored.iter_mut().find(|l| l.is_none()) {
                    *free = Some(v);
                }
                Slot::Mirrored
            }
        };
        if let Some(s) = self.slots.get_mut(h as usize) {
            *s = slot;
        }
    }

    /// Sets a precomputed value, when the setting has one.
    pub(crate) fn set_value(&mut self, h: ResponseHeader, id: Option<ValueId>) {
        if let (Some(id), Some(s)) = (id, self.slots.get_mut(h as usize)) {
            *s = Slot::Policy(id.byte());
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
        Lines {
            decision: self,
            slot: 0,
            mirrored: 0,
        }
    }

    /// The value of one header (its first line).
    #[inline]
    pub fn get(&self, h: ResponseHeader) -> Option<HeaderRef<'a, V>> {
        self.headers().find(|(name, _)| *name == h).map(|(_, v)| v)
    }
}

/// The header lines of a decision, in send order ([`Decision::headers`]).
struct Lines<'d, 'a, V: ?Sized> {
    decision: &'d Decision<'a, V>,
    /// The next slot (an index into `ResponseHeader::ALL`).
    slot: usize,
    /// The next mirrored line, while in the `Slot::Mirrored` slot.
    mirrored: usize,
}

impl<'a, V: ?Sized> Iterator for Lines<'_, 'a, V> {
    type Item = (ResponseHeader, HeaderRef<'a, V>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let d = self.decision;
        loop {
            let (&h, &slot) = ResponseHeader::ALL
                .get(self.slot)
                .zip(d.slots.get(self.slot))?;
            let value = match slot {
                Slot::Empty => None,
                Slot::Policy(id) => d.values.get(usize::from(id)).map(HeaderRef::Policy),
                Slot::Origin => d
                    .origin
                    .map(|v| HeaderRef::Request(RequestHeader::Origin, v)),
                Slot::Method => d
                    .method
                    .map(|v| HeaderRef::Request(RequestHeader::RequestMethod, v)),
                Slot::Mirrored => {
                    let line = d.mirrored.get(self.mirrored).copied().flatten();
                    if line.is_some() {
                        self.mirrored += 1;
                        return line
                            .map(|v| (h, HeaderRef::Request(RequestHeader::RequestHeaders, v)));
                    }
                    None
                }
            };
            self.slot += 1;
            if let Some(v) = value {
                return Some((h, v));
            }
        }
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
                return Decision::new(
                    RequestKind::NotCors,
                    Action::Forward,
                    decision.vary,
                    decision.values,
                );
            }
        };
        let mut d = Decision::new(decision.kind, action, decision.vary, decision.values);
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
        if req.method() != b"OPTIONS" {
            // Only `Origin` matters: one lookup.
            let mut origins = req.header(RequestHeader::Origin);
            return match origins.next() {
                None => self.not_cors(),
                Some(origin) => self.actual(origin, origins.next().is_some()),
            };
        }
        // A possible preflight reads all four headers: one pass where the view can.
        let scan = req.scan();
        match (scan.origin.first, scan.request_method.first) {
            (None, _) => self.not_cors(),
            (Some(origin), None) => self.actual(origin, scan.origin.more),
            (Some(_), Some(_)) => self.preflight(req, &scan),
        }
    }

    /// Not a CORS request: `Vary: Origin`, or the constant headers.
    #[inline(always)]
    fn not_cors<'a, V: ?Sized>(&'a self) -> Decision<'a, V> {
        let (s, values) = (&self.inner.settings, &*self.inner.values);
        let mut d = Decision::new(
            RequestKind::NotCors,
            Action::Forward,
            s.origins.vary(),
            values,
        );
        if s.origins.is_any() {
            s.origins.render(&mut d, None);
            s.expose.render(&mut d);
        }
        d
    }

    /// An actual request: the origin's grant, or none.
    #[inline(always)]
    fn actual<'a, V: AsRef<[u8]> + ?Sized>(
        &'a self,
        origin: &'a V,
        multiple: bool,
    ) -> Decision<'a, V> {
        let (s, values) = (&self.inner.settings, &*self.inner.values);
        let mut d = Decision::new(
            RequestKind::Actual,
            Action::Forward,
            s.origins.vary(),
            values,
        );
        match s.origins.check(origin, multiple) {
            Ok(echo) => {
                s.origins.render(&mut d, echo);
                s.credentials.render(&mut d);
                s.expose.render(&mut d);
            }
            Err(denial) => d.denial = Some(denial),
        }
        d
    }

    /// A preflight: every setting checks its part of the request, in the order browsers
    /// would fail them; the first refusal denies, else each renders its header.
    #[inline(always)]
    fn preflight<'a, R: RequestView + ?Sized>(
        &'a self,
        req: &'a R,
        scan: &Scan<'a, R::Value>,
    ) -> Decision<'a, R::Value> {
        let (s, values) = (&self.inner.settings, &*self.inner.values);
        let vary = Vary::ORIGIN
            .union(Vary::REQUEST_METHOD)
            .union(Vary::REQUEST_HEADERS)
            .union(s.private_network.vary());
        // Present: `classify` only calls this with both.
        let (Some(origin), Some(method)) = (scan.origin.first, scan.request_method.first) else {
            return self.not_cors();
        };
        let mut d = Decision::new(RequestKind::Preflight, s.preflight.action(), vary, values);
        let checked = s.origins.check(origin, scan.origin.more).and_then(|echo| {
            s.methods.check(method.as_ref(), scan.request_method.more)?;
            s.headers
                .check_and_render(req, &scan.request_headers, &mut d)?;
            let private_network = s.private_network.check(&scan.private_network)?;
            Ok((echo, private_network))
        });
        match checked {
            Err(denial) => {
                let status = Action::Respond(StatusCode::FORBIDDEN);
                let mut d = Decision::new(RequestKind::Preflight, status, vary, values);
                d.denial = Some(denial);
                d
            }
            Ok((echo, private_network)) => {
                s.origins.render(&mut d, echo);
                s.credentials.render(&mut d);
                s.methods.render(&mut d, method);
                s.max_age.render(&mut d);
                s.private_network.render(&mut d, private_network);
                d
            }
        }
    }
}
