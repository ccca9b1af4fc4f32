//! The decision engine (docs/semantics.md) and the [`Decision`] value adapters apply.

use std::fmt;

use http::{HeaderValue, StatusCode};

use crate::compile::ValueId;
use crate::denial::Denial;
use crate::policy::{Policy, PolicyValue};
use crate::report::Report;
use crate::request::{RequestHeader, RequestView, Scan};
use crate::response::ResponseHeader;
use crate::route::CompiledRoute;
use crate::setting::Settings;
use crate::vary::Vary;

/// The policy that decides a request: the top level's or a route's settings, and its mode.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    settings: &'a Settings,
    route: Option<&'a CompiledRoute>,
    report_only: bool,
    /// The origin predicate allowed the request's origin (counts where `dynamic_origins`).
    grant_origin: bool,
}

/// One event per decision (tests count them), and each denial with its reason at `info`
/// on target `cors` (filter it as any `tracing` target: `cors=warn` silences it).
#[inline(always)]
fn log<V: ?Sized>(d: &Decision<'_, V>, target: Option<&[u8]>) {
    tracing::trace!(
        target: "cors::decision",
        kind = ?d.kind,
        allowed = d.denial.is_none(),
    );
    if let Some(denial) = &d.denial {
        log_denial(d.kind, denial, d.route(), d.report_only, target);
    }
}

/// A raw request target in a log line: escaped, at most 200 bytes shown.
struct Target<'a>(&'a [u8]);

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.0.get(..200).unwrap_or(self.0);
        write!(f, "{}", shown.escape_ascii())?;
        if shown.len() < self.0.len() {
            f.write_str("…")?;
        }
        Ok(())
    }
}

/// The denial's log line, out of line: with it inlined the decision could not be built
/// in place, and every decision paid for a copy.
#[inline(never)]
fn log_denial(
    kind: RequestKind,
    denial: &Denial<'_>,
    route: Option<&str>,
    report_only: bool,
    target: Option<&[u8]>,
) {
    // The request target, when the server gave it, escaped and bounded when written (only
    // if the event is enabled: nothing is formatted otherwise).
    let target = target.map(|t| tracing::field::display(Target(t)));
    // A report-only decision's denial is reported beside the handler's response
    // (`cors::report`); here it is only detail.
    if report_only {
        tracing::debug!(
            target: "cors",
            kind = ?kind,
            reason = denial.kind().as_str(),
            route,
            target,
            report_only,
            "CORS request would be denied: {denial}"
        );
        return;
    }
    tracing::info!(
        target: "cors",
        kind = ?kind,
        reason = denial.kind().as_str(),
        route,
        target,
        "CORS request denied: {denial}"
    );
}

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
    /// The policy's values, which a policy slot indexes: two bytes per header instead of
    /// a pointer, and a thin pointer to the values, keep the decision small, so building
    /// and moving it is cheap.
    #[allow(clippy::borrowed_box)]
    values: &'a Box<[PolicyValue]>,
    /// The echoed origin (`Slot::Origin`).
    pub(crate) origin: Option<&'a V>,
    /// The mirrored method (`Slot::Method`).
    pub(crate) method: Option<&'a V>,
    /// The mirrored `Access-Control-Request-Headers` lines (`Slot::Mirrored`), in order.
    /// A report-only decision keeps the request's first line here, for the report.
    pub(crate) mirrored: [Option<&'a V>; MAX_REQUEST_HEADER_LINES],
    /// The route that decided, or `None` for the top level.
    route: Option<&'a CompiledRoute>,
    /// Whether the policy that decided is report-only.
    report_only: bool,
    /// Whether the policy that decided allows credentials (for a report-only report).
    pub(crate) credentials: bool,
    /// Whether a denial carries `CORS-Denial-Reason` (`debug_denial_header`).
    debug_denial: bool,
    /// Whether the policy that decided asks the origin predicate (`dynamic_origins`).
    dynamic_origins: bool,
}

/// What one owned header of a decision carries, in two bytes (a decision is moved by
/// value, and its size decides whether that is a few moves or a `memcpy` call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot(u16);

/// A [`Slot`] decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotKind {
    Empty,
    /// The policy's value with this id.
    Policy(u16),
    /// The request's origin.
    Origin,
    /// The request's `Access-Control-Request-Method`.
    Method,
    /// The request's `Access-Control-Request-Headers` lines, one header line each.
    Mirrored,
}

impl Slot {
    pub(crate) const EMPTY: Slot = Slot(0);
    const ORIGIN: Slot = Slot(1);
    const METHOD: Slot = Slot(2);
    const MIRRORED: Slot = Slot(3);
    const FIRST_ID: u16 = 4;

    /// The slot of policy value `id`; `None` beyond the ids a slot can hold (the compiler
    /// never makes that many values).
    fn policy(id: u16) -> Option<Slot> {
        id.checked_add(Slot::FIRST_ID).map(Slot)
    }

    #[inline(always)]
    pub(crate) fn kind(self) -> SlotKind {
        match self.0 {
            0 => SlotKind::Empty,
            1 => SlotKind::Origin,
            2 => SlotKind::Method,
            3 => SlotKind::Mirrored,
            n => SlotKind::Policy(n - Slot::FIRST_ID),
        }
    }
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
    // A thin pointer to the values: see the field.
    #[allow(clippy::borrowed_box)]
    #[inline(always)]
    pub(crate) fn new(
        kind: RequestKind,
        action: Action,
        vary: Vary,
        values: &'a Box<[PolicyValue]>,
        scope: Scope<'a>,
    ) -> Self {
        Decision {
            kind,
            action,
            vary,
            slots: [Slot::EMPTY; ResponseHeader::ALL.len()],
            denial: None,
            values,
            origin: None,
            method: None,
            mirrored: [None; MAX_REQUEST_HEADER_LINES],
            route: scope.route,
            report_only: scope.report_only,
            credentials: scope.report_only && scope.settings.credentials.allowed(),
            debug_denial: scope.settings.debug_denial,
            dynamic_origins: scope.settings.dynamic_origins && !scope.grant_origin,
        }
    }

    /// Sets a header (`Access-Control-Allow-Headers` once per mirrored line, at most
    /// [`MAX_REQUEST_HEADER_LINES`] of them, bounded by the caller).
    pub(crate) fn set(&mut self, h: ResponseHeader, v: HeaderRef<'a, V>) {
        let slot = match v {
            HeaderRef::Policy(p) => match u16::try_from(p.id()).ok().and_then(Slot::policy) {
                Some(slot) => slot,
                None => return,
            },
            HeaderRef::Request(RequestHeader::Origin, v) => {
                self.origin = Some(v);
                Slot::ORIGIN
            }
            HeaderRef::Request(RequestHeader::RequestMethod, v) => {
                self.method = Some(v);
                Slot::METHOD
            }
            HeaderRef::Request(_, v) => {
                if let Some(free) = self.mirrored.iter_mut().find(|l| l.is_none()) {
                    *free = Some(v);
                }
                Slot::MIRRORED
            }
        };
        if let Some(s) = self.slots.get_mut(h as usize) {
            *s = slot;
        }
    }

    /// Sets a precomputed value, when the setting has one.
    pub(crate) fn set_value(&mut self, h: ResponseHeader, id: Option<ValueId>) {
        if let (Some(slot), Some(s)) = (
            id.and_then(|id| Slot::policy(id.index())),
            self.slots.get_mut(h as usize),
        ) {
            *s = slot;
        }
    }

    /// How the request was classified.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// What the server does: for a report-only decision always [`Action::Forward`] (see
    /// [`decided_action`](Self::decided_action)).
    pub fn action(&self) -> Action {
        if self.report_only {
            Action::Forward
        } else {
            self.action
        }
    }

    /// What the policy decided, which a report-only decision reports but does not do.
    pub fn decided_action(&self) -> Action {
        self.action
    }

    /// The path of the route that decided (as [`Policy::config`] shows it), or `None` when
    /// the top-level policy did.
    pub fn route(&self) -> Option<&'a str> {
        self.route.map(|r| &*r.path)
    }

    /// The value of `CORS-Denial-Reason` (the denial's name) when the deciding policy has
    /// `debug_denial_header` on and the request was denied.
    pub(crate) fn denial_reason_value(&self) -> Option<&'a PolicyValue> {
        if !self.debug_denial || self.report_only {
            return None;
        }
        let kind = self.denial.as_ref()?.kind();
        let index = crate::denial::DenialKind::ALL
            .iter()
            .position(|k| *k == kind)?;
        self.values.get(index)
    }

    /// The deciding route's index in [`Policy::config`]'s routes.
    pub(crate) fn route_index(&self) -> Option<u32> {
        self.route.map(|r| r.index)
    }

    /// A report-only decision's report.
    pub(crate) fn report(&self, status: Option<u16>) -> Report<'_>
    where
        V: AsRef<[u8]>,
    {
        Report {
            kind: self.kind,
            denial: self.denial.as_ref().map(Denial::kind),
            route: self.route(),
            credentials: self.credentials,
            origin: self.origin.map(AsRef::as_ref),
            method: self.method.map(AsRef::as_ref),
            requested: self.mirrored.first().copied().flatten().map(AsRef::as_ref),
            status,
            request: None,
        }
    }

    /// Whether the policy that decided is report-only (`mode = "report-only"`): the
    /// server changes nothing and applying the decision only reports it
    /// (docs/semantics.md, "Report-only mode").
    pub fn is_report_only(&self) -> bool {
        self.report_only
    }

    /// The origin to ask the server's origin predicate about: set when the deciding
    /// policy has `dynamic_origins = true` and the request's well-formed origin is not in
    /// `allow_origins`. When the predicate allows it, the decision is
    /// [`Policy::decide_origin_allowed`]; otherwise this one stands.
    pub fn pending_origin(&self) -> Option<&'a str> {
        match self.denial {
            Some(Denial::OriginNotAllowed(raw)) if self.dynamic_origins => {
                std::str::from_utf8(raw).ok()
            }
            _ => None,
        }
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
            let Some((&h, &slot)) = ResponseHeader::ALL
                .get(self.slot)
                .zip(d.slots.get(self.slot))
            else {
                // After the owned headers: the development option's reason, once.
                if self.slot == ResponseHeader::ALL.len() {
                    self.slot += 1;
                    if let Some(v) = d.denial_reason_value() {
                        return Some((ResponseHeader::DenialReason, HeaderRef::Policy(v)));
                    }
                }
                return None;
            };
            let value = match slot.kind() {
                SlotKind::Empty => None,
                SlotKind::Policy(id) => d.values.get(usize::from(id)).map(HeaderRef::Policy),
                SlotKind::Origin => d
                    .origin
                    .map(|v| HeaderRef::Request(RequestHeader::Origin, v)),
                SlotKind::Method => d
                    .method
                    .map(|v| HeaderRef::Request(RequestHeader::RequestMethod, v)),
                SlotKind::Mirrored => {
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
    /// Decides a request the server received with the raw request target `raw_target`
    /// (as received: not decoded, query included or not). This is what servers call.
    ///
    /// Without routes it is [`decide`](Self::decide): the path plays no part. With routes
    /// (docs/semantics.md, "Routes"), the route whose prefix is the longest one covering
    /// the path decides (the top level when none does), and a path that is not in normal
    /// form ([`is_normal_form_path`](crate::is_normal_form_path)) gets no grant: a
    /// preflight is denied (403), any other request gets no CORS header but `Vary`.
    ///
    /// ```
    /// use cors_core::{Action, Policy};
    /// use http::{Request, StatusCode};
    ///
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///
    ///     [[routes]]
    ///     path = "/public"
    ///     allow_origins = "*"
    /// "#)?;
    /// let request = Request::get("/public/feed").header("origin", "https://any.example").body(())?;
    /// let decision = policy.decide_at(&request, b"/public/feed");
    /// assert_eq!(decision.route(), Some("/public"));
    /// assert!(decision.is_allowed());
    ///
    /// let decision = policy.decide_at(&request, b"/publicity");
    /// assert_eq!(decision.route(), None);
    /// assert!(!decision.is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    pub fn decide_at<'a, R>(&'a self, req: &'a R, raw_target: &'a [u8]) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        self.decide_granting(req, raw_target, false)
    }

    /// [`decide_at`](Self::decide_at) with the request's origin counted as listed where
    /// the policy sets `dynamic_origins` (elsewhere the two agree): the decision after the
    /// server's origin predicate allowed the origin of a decision whose
    /// [`pending_origin`](Decision::pending_origin) is set. Adapters reach it through
    /// [`PolicySource::ask_origin`](crate::PolicySource::ask_origin).
    pub fn decide_origin_allowed<'a, R>(
        &'a self,
        req: &'a R,
        raw_target: &'a [u8],
    ) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        self.decide_granting(req, raw_target, true)
    }

    /// [`decide_at`](Self::decide_at), the origin counted as listed when `grant_origin`
    /// (and the policy sets `dynamic_origins`). Inlined, so `decide_at`'s constant
    /// `false` costs nothing.
    #[inline(always)]
    fn decide_granting<'a, R>(
        &'a self,
        req: &'a R,
        raw_target: &'a [u8],
        grant_origin: bool,
    ) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        // Without routes the path plays no part: no call beyond `decide`.
        match self.inner.routes.as_deref() {
            None => {
                let scope = Scope {
                    grant_origin,
                    ..self.top()
                };
                let d = self.classify(scope, req);
                log(&d, Some(raw_target));
                d
            }
            Some(table) => self.decide_routed(table, req, raw_target, grant_origin),
        }
    }

    /// [`decide_at`](Self::decide_at) for a config with routes.
    #[inline(never)]
    fn decide_routed<'a, R>(
        &'a self,
        table: &'a crate::route::RouteTable,
        req: &'a R,
        raw_target: &'a [u8],
        grant_origin: bool,
    ) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        let path = crate::path::normal_path(raw_target);
        let scope = if path.is_none() {
            let scope = Scope {
                settings: &self.inner.settings,
                route: None,
                report_only: table.all_report_only,
                grant_origin,
            };
            let d = self.withhold(self.classify(scope, req), raw_target, scope);
            log(&d, Some(raw_target));
            return d;
        } else {
            match path.and_then(|p| table.find(p)) {
                Some(route) => Scope {
                    settings: &route.settings,
                    route: Some(route),
                    report_only: route.mode == crate::config::Mode::ReportOnly,
                    grant_origin,
                },
                None => Scope {
                    grant_origin,
                    ..self.top()
                },
            }
        };
        let d = self.classify(scope, req);
        log(&d, Some(raw_target));
        d
    }

    /// The top-level policy.
    #[inline(always)]
    fn top(&self) -> Scope<'_> {
        Scope {
            settings: &self.inner.settings,
            route: None,
            report_only: self.inner.mode == crate::config::Mode::ReportOnly,
            grant_origin: false,
        }
    }

    /// [`decide`](Self::decide) for a server that chose this policy by the request's path
    /// itself (an adapter's per-scope wiring): a path not in normal form could reach a
    /// handler of another scope, so it is granted nothing, as in [`decide_at`](Self::decide_at).
    pub fn decide_scoped<'a, R>(
        &'a self,
        req: &'a R,
        raw_target: &'a [u8],
    ) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        if crate::path::is_normal_form_path(raw_target) || self.inner.routes.is_some() {
            return self.decide_at(req, raw_target);
        }
        let scope = Scope {
            report_only: false,
            ..self.top()
        };
        let d = self.withhold(self.classify(scope, req), raw_target, scope);
        log(&d, Some(raw_target));
        d
    }

    /// The decision for a path not in normal form: nothing granted.
    fn withhold<'a, V: ?Sized>(
        &'a self,
        decision: Decision<'a, V>,
        raw_target: &'a [u8],
        scope: Scope<'a>,
    ) -> Decision<'a, V> {
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
                    scope,
                );
            }
        };
        let mut d = Decision::new(decision.kind, action, decision.vary, decision.values, scope);
        d.denial = Some(Denial::PathNotNormal(raw_target));
        if scope.report_only {
            // The request values the report reads, none of them sent.
            d.origin = decision.origin;
            d.method = decision.method;
            d.mirrored = decision.mirrored;
        }
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
        let d = self.classify(self.top(), req);
        log(&d, None);
        d
    }

    /// Classifies the request (docs/semantics.md, "How a request is classified") and decides it.
    #[inline(always)]
    fn classify<'a, R>(&'a self, s: Scope<'a>, req: &'a R) -> Decision<'a, R::Value>
    where
        R: RequestView + ?Sized,
    {
        if req.method() != b"OPTIONS" {
            // Only `Origin` matters: one lookup.
            let mut origins = req.header(RequestHeader::Origin);
            return match origins.next() {
                None => self.not_cors(s),
                Some(origin) => self.actual(s, origin, origins.next().is_some()),
            };
        }
        // A possible preflight reads all four headers: one pass where the view can.
        let scan = req.scan();
        match (scan.origin.first, scan.request_method.first) {
            (None, _) => self.not_cors(s),
            (Some(origin), None) => self.actual(s, origin, scan.origin.more),
            (Some(_), Some(_)) => self.preflight(s, req, &scan),
        }
    }

    /// Not a CORS request: `Vary: Origin`, or the constant headers.
    #[inline(always)]
    fn not_cors<'a, V: ?Sized>(&'a self, scope: Scope<'a>) -> Decision<'a, V> {
        let (s, values) = (scope.settings, &self.inner.values);
        let mut d = Decision::new(
            RequestKind::NotCors,
            Action::Forward,
            s.origins.vary(),
            values,
            scope,
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
        scope: Scope<'a>,
        origin: &'a V,
        multiple: bool,
    ) -> Decision<'a, V> {
        let (s, values) = (scope.settings, &self.inner.values);
        let mut d = Decision::new(
            RequestKind::Actual,
            Action::Forward,
            s.origins.vary(),
            values,
            scope,
        );
        if scope.report_only {
            d.origin = Some(origin);
        }
        match s
            .origins
            .check(origin, multiple, scope.grant_origin && s.dynamic_origins)
        {
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
        scope: Scope<'a>,
        req: &'a R,
        scan: &Scan<'a, R::Value>,
    ) -> Decision<'a, R::Value> {
        let (s, values) = (scope.settings, &self.inner.values);
        let vary = Vary::ORIGIN
            .union(Vary::REQUEST_METHOD)
            .union(Vary::REQUEST_HEADERS)
            .union(s.private_network.vary());
        // Present: `classify` only calls this with both.
        let (Some(origin), Some(method)) = (scan.origin.first, scan.request_method.first) else {
            return self.not_cors(scope);
        };
        let mut d = Decision::new(
            RequestKind::Preflight,
            s.preflight.action(),
            vary,
            values,
            scope,
        );
        let grant = scope.grant_origin && s.dynamic_origins;
        let checked = s
            .origins
            .check(origin, scan.origin.more, grant)
            .and_then(|echo| {
                s.methods.check(method.as_ref(), scan.request_method.more)?;
                s.headers
                    .check_and_render(req, &scan.request_headers, &mut d)?;
                let private_network = s.private_network.check(&scan.private_network)?;
                Ok((echo, private_network))
            });
        match checked {
            Err(denial) => {
                let status = Action::Respond(StatusCode::FORBIDDEN);
                let mut d = Decision::new(RequestKind::Preflight, status, vary, values, scope);
                d.denial = Some(denial);
                if scope.report_only {
                    d.origin = Some(origin);
                    d.method = Some(method);
                    d.mirrored[0] = scan.request_headers.first;
                }
                d
            }
            Ok((echo, private_network)) => {
                s.origins.render(&mut d, echo);
                s.credentials.render(&mut d);
                s.methods.render(&mut d, method);
                s.max_age.render(&mut d);
                s.private_network.render(&mut d, private_network);
                if scope.report_only {
                    d.origin = Some(origin);
                    d.method = Some(method);
                    d.mirrored = [None; MAX_REQUEST_HEADER_LINES];
                    d.mirrored[0] = scan.request_headers.first;
                }
                d
            }
        }
    }
}
