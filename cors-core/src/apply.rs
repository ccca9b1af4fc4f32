//! How a decision becomes response headers, once for every server: the headers the engine
//! owns are removed, the decision's are appended in order, `Vary` is merged. An adapter
//! only implements [`HeaderSink`] for its header type and converts values.

use http::{HeaderMap, HeaderValue};

use crate::decision::{
    Action, Decision, HeaderRef, MAX_DECISION_HEADERS, RequestKind, Slot, SlotKind,
};
use crate::denial::DenialKind;
use crate::policy::{Policy, PolicyValue};
use crate::report::{self, Report, ReportOutcome};
use crate::request::{RequestHeader, RequestView};
use crate::response::{ResponseHeader, is_owned_header};
use crate::vary::Vary;

/// A server's response headers, as the core applies a decision to them. Implement it for
/// your framework's header type; the core decides what to remove, append and merge.
///
/// ```
/// use cors_core::{HeaderSink, ResponseHeader, Vary};
///
/// /// Response headers as a list of lines.
/// struct Lines(Vec<(String, String)>);
///
/// impl HeaderSink for Lines {
///     type Value = String;
///     fn any_name(&self, mut pred: impl FnMut(&[u8]) -> bool) -> bool {
///         self.0.iter().any(|(n, _)| pred(n.as_bytes()))
///     }
///     fn remove(&mut self, h: ResponseHeader) {
///         self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(h.as_str()));
///     }
///     fn append(&mut self, h: ResponseHeader, value: String) {
///         self.0.push((h.as_str().to_owned(), value));
///     }
///     fn values(&self, h: ResponseHeader) -> impl Iterator<Item = &[u8]> {
///         self.0.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(h.as_str())).map(|(_, v)| v.as_bytes())
///     }
///     fn vary(&self) -> impl Iterator<Item = &[u8]> {
///         self.0.iter().filter(|(n, _)| n.eq_ignore_ascii_case("vary")).map(|(_, v)| v.as_bytes())
///     }
///     fn append_vary(&mut self, tokens: Vary) {
///         self.0.push(("vary".to_owned(), tokens.as_str().to_owned()));
///     }
/// }
///
/// let policy = cors_core::Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
/// let request = http::Request::get("/").header("origin", "https://a.example").body(())?;
/// let mut response = Lines(vec![
///     ("Access-Control-Allow-Origin".into(), "https://handler.invalid".into()),
///     ("Vary".into(), "Accept-Encoding".into()),
/// ]);
/// let decision = policy.decide(&request);
/// decision.apply_to(&mut response, |v| String::from_utf8(v.as_bytes().to_vec()).ok());
/// assert_eq!(response.0, [
///     ("Vary".into(), "Accept-Encoding".into()),
///     ("access-control-allow-origin".into(), "https://a.example".into()),
///     ("vary".into(), "Origin".into()),
/// ]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait HeaderSink {
    /// The server's header value type.
    type Value;
    /// Whether any header the response has now has a name (in any case) for which `pred`
    /// holds.
    fn any_name(&self, pred: impl FnMut(&[u8]) -> bool) -> bool;
    /// Removes every line of an owned header.
    fn remove(&mut self, header: ResponseHeader);
    /// Appends one line of an owned header.
    fn append(&mut self, header: ResponseHeader, value: Self::Value);
    /// The values of an owned header's lines (read in report-only mode, where the
    /// handler's own headers are judged, not replaced).
    fn values(&self, header: ResponseHeader) -> impl Iterator<Item = &[u8]>;
    /// The values of the response's `Vary` lines.
    fn vary(&self) -> impl Iterator<Item = &[u8]>;
    /// Appends one `Vary` line with these tokens (never empty).
    fn append_vary(&mut self, tokens: Vary);
}

/// The one apply routine every server goes through.
fn apply<S: HeaderSink>(
    sink: &mut S,
    lines: impl Iterator<Item = (ResponseHeader, Option<S::Value>)>,
    vary: Vary,
) {
    // One pass over the names; the removals run only when a handler or upstream set one.
    if sink.any_name(is_owned_header) {
        for h in ResponseHeader::ALL {
            sink.remove(h);
        }
    }
    for (h, v) in lines {
        if let Some(v) = v {
            sink.append(h, v);
        }
    }
    if let Some(missing) = vary.missing_from(sink.vary()) {
        sink.append_vary(missing);
    }
}

impl<'a, V: ?Sized> Decision<'a, V> {
    /// Applies the decision to a response: removes every owned header a handler or
    /// upstream set, appends the decision's (each converted by `value`; `None` drops it),
    /// and merges `Vary`.
    ///
    /// A report-only decision ([`is_report_only`](Self::is_report_only)) changes nothing:
    /// it is reported against the response's own headers (docs/semantics.md,
    /// "Report-only mode").
    pub fn apply_to<S: HeaderSink>(
        &self,
        sink: &mut S,
        mut value: impl FnMut(HeaderRef<'a, V>) -> Option<S::Value>,
    ) where
        V: AsRef<[u8]>,
    {
        if self.is_report_only() {
            report::report(&self.report(None), sink);
            return;
        }
        apply(
            sink,
            self.headers().map(|(h, v)| (h, value(v))),
            self.vary(),
        );
    }

    /// What the report of a report-only decision needs once the decision is gone.
    fn owned_report(&self) -> Option<OwnedReport> {
        self.is_report_only().then(|| OwnedReport {
            kind: self.kind(),
            denial: self.denial().map(|d| d.kind()),
            route: self.route_index(),
            credentials: self.credentials,
            status: None,
        })
    }

    /// The headers owned, to apply after the request has moved into the handler
    /// ([`ResponseHeaders::apply_to`]): which policy value each header carries (by id), and
    /// the request's echoed values converted by `request_value` (usually a clone). Small:
    /// it travels in a server's response future.
    pub fn to_response_headers_with<T>(
        &self,
        mut request_value: impl FnMut(&'a V) -> Option<T>,
    ) -> ResponseHeaders<T> {
        ResponseHeaders {
            // Boxed: a report-only decision's data costs its allocation, and every other
            // decision carries one pointer through the response future.
            report: self.owned_report().map(|r| {
                Box::new(ResponseReport {
                    report: r,
                    request: None,
                })
            }),
            debug: self
                .denial_reason_value()
                .and_then(|v| u16::try_from(v.id()).ok()),
            vary: self.vary(),
            slots: self.slots,
            origin: self.origin.and_then(&mut request_value),
            method: self.method.and_then(&mut request_value),
            // Only a forwarded preflight that mirrors requested headers has any, and
            // browsers send one line: more than one is stored on the heap.
            mirrored: self
                .mirrored
                .first()
                .copied()
                .flatten()
                .and_then(&mut request_value),
            mirrored_more: self
                .mirrored
                .iter()
                .skip(1)
                .map_while(|l| *l)
                .filter_map(&mut request_value)
                .collect(),
        }
    }

    /// The decision without its borrows, to apply later to the same request (a server
    /// whose request outlives the handler and stays reachable, as Rocket's does): policy
    /// values by id, request values by line. `req` must be the request the decision was
    /// made from.
    pub fn detach<R>(&self, req: &R) -> Detached
    where
        R: RequestView<Value = V> + ?Sized,
        V: AsRef<[u8]>,
    {
        let mut out = Detached {
            report: self.owned_report(),
            kind: self.kind(),
            action: self.action(),
            denial: self.denial().map(|d| d.kind()),
            vary: self.vary(),
            lines: [None; MAX_DECISION_HEADERS],
        };
        for ((h, v), slot) in self.headers().zip(out.lines.iter_mut()) {
            let source = match v {
                HeaderRef::Policy(p) => u16::try_from(p.id()).ok().map(Source::Policy),
                HeaderRef::Request(name, value) => req
                    .header(name)
                    .position(|line| std::ptr::eq(line, value))
                    .and_then(|i| u8::try_from(i).ok())
                    .map(|i| Source::Request(name, i)),
            };
            *slot = source.map(|s| (h, s));
        }
        out
    }
}

impl<V: AsRef<[u8]> + ?Sized> Decision<'_, V> {
    /// Sets the decision against the handler's response (`status` when known) as report-only
    /// mode does, logs it (docs/semantics.md, "Report-only mode") and returns the outcome;
    /// `None` for a request that is not CORS. [`apply_to`](Self::apply_to) calls it for a
    /// report-only decision; a server that applies decisions itself (the C ABI) calls it
    /// after its handler ran.
    pub fn report_against<S: HeaderSink>(
        &self,
        response: &S,
        status: Option<u16>,
    ) -> Option<ReportOutcome> {
        report::report(&self.report(status), response)
    }
}

impl Decision<'_, HeaderValue> {
    /// Applies the decision to an `http` header map (see [`apply_to`](Self::apply_to)).
    pub fn apply(&self, headers: &mut HeaderMap) {
        self.apply_to(headers, |v| Some(v.to_header_value()));
    }

    /// The headers the policy decided, to apply even when the decision is report-only (for
    /// tools that show what a policy would send, as `cors explain` does).
    pub fn to_response_headers_enforced(&self) -> ResponseHeaders {
        let mut h = self.to_response_headers();
        h.report = None;
        h
    }

    /// An owned copy of the headers to apply later, e.g. after the request has been moved
    /// into the handler (see [`to_response_headers_with`](Self::to_response_headers_with));
    /// cloning the echoed values does not allocate.
    pub fn to_response_headers(&self) -> ResponseHeaders {
        self.to_response_headers_with(|v| Some(v.clone()))
    }
}

impl HeaderSink for HeaderMap {
    type Value = HeaderValue;
    fn any_name(&self, mut pred: impl FnMut(&[u8]) -> bool) -> bool {
        self.keys().any(|k| pred(k.as_str().as_bytes()))
    }
    fn remove(&mut self, header: ResponseHeader) {
        HeaderMap::remove(self, header.header_name());
    }
    fn append(&mut self, header: ResponseHeader, value: HeaderValue) {
        HeaderMap::append(self, header.header_name(), value);
    }
    fn values(&self, header: ResponseHeader) -> impl Iterator<Item = &[u8]> {
        self.get_all(header.header_name())
            .iter()
            .map(HeaderValue::as_bytes)
    }
    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all(http::header::VARY)
            .iter()
            .map(HeaderValue::as_bytes)
    }
    fn append_vary(&mut self, tokens: Vary) {
        HeaderMap::append(self, http::header::VARY, tokens.header_value());
    }
}

/// The headers of a [`Decision`], owned, with the request's echoed values of the server's
/// type `T` (`http`'s by default), and the policy's values by id. Apply them to the
/// handler's response with [`apply_to`](Self::apply_to), giving the policy that decided.
#[derive(Debug, Clone)]
pub struct ResponseHeaders<T = HeaderValue> {
    /// For a report-only decision, what its report needs beside the request values.
    report: Option<Box<ResponseReport>>,
    /// `CORS-Denial-Reason`'s value id (`debug_denial_header`).
    debug: Option<u16>,
    vary: Vary,
    slots: [Slot; ResponseHeader::ALL.len()],
    origin: Option<T>,
    method: Option<T>,
    /// The first mirrored `Access-Control-Request-Headers` line.
    mirrored: Option<T>,
    /// Further mirrored lines (empty and unallocated but for a forwarded preflight with
    /// several lines, which browsers never send).
    mirrored_more: Vec<T>,
}

/// A request's method and raw target, owned.
type RequestLine = (Box<[u8]>, Box<[u8]>);

/// A report-only decision's report data in [`ResponseHeaders`].
#[derive(Debug, Clone)]
struct ResponseReport {
    report: OwnedReport,
    /// `METHOD target`, for the log line.
    request: Option<RequestLine>,
}

impl ResponseReport {
    #[cold]
    fn set_request(&mut self, method: &[u8], target: &[u8]) {
        self.request = Some((method.into(), target.into()));
    }
}

/// What a report-only decision's report needs once the decision is gone.
#[derive(Debug, Clone, Copy)]
struct OwnedReport {
    kind: RequestKind,
    denial: Option<DenialKind>,
    route: Option<u32>,
    credentials: bool,
    status: Option<u16>,
}

impl<T: AsRef<[u8]>> ResponseHeaders<T> {
    /// The handler's response status, for the report of a report-only decision (a
    /// preflight answered outside 200-299 fails in browsers). Other decisions ignore it.
    pub fn set_status(&mut self, status: u16) {
        if let Some(r) = &mut self.report {
            r.report.status = Some(status);
        }
    }

    /// The request's method and raw target, for the log line of a report-only decision
    /// (asked for and copied only then).
    #[inline]
    pub fn set_request<'r>(&mut self, request: impl FnOnce() -> (&'r [u8], &'r [u8])) {
        if let Some(r) = &mut self.report {
            let (method, target) = request();
            r.set_request(method, target);
        }
    }

    /// Removes every owned header, sets these, merges `Vary`. `policy` is the policy that
    /// decided; its values are converted by `policy_value`. The request's values are moved
    /// into the sink, not cloned: applying the same `ResponseHeaders` again sets only
    /// policy values and missing `Vary` tokens.
    ///
    /// A report-only decision changes nothing; it is reported against the sink's headers.
    pub fn apply_to<'p, S: HeaderSink<Value = T>>(
        &mut self,
        policy: &'p Policy,
        sink: &mut S,
        policy_value: impl FnMut(&'p PolicyValue) -> Option<T>,
    ) {
        if let Some(data) = &self.report {
            let r = data.report;
            let report = Report {
                kind: r.kind,
                denial: r.denial,
                route: r.route.and_then(|i| policy.route_path(i)),
                credentials: r.credentials,
                origin: self.origin.as_ref().map(AsRef::as_ref),
                method: self.method.as_ref().map(AsRef::as_ref),
                requested: self.mirrored.as_ref().map(AsRef::as_ref),
                status: r.status,
                request: data.request.as_ref().map(|(m, t)| (&**m, &**t)),
            };
            report::report(&report, sink);
            return;
        }
        let lines = OwnedLines {
            slots: self.slots,
            slot: 0,
            in_mirrored: false,
            debug: self.debug,
            origin: &mut self.origin,
            method: &mut self.method,
            mirrored: self
                .mirrored
                .take()
                .into_iter()
                .chain(self.mirrored_more.drain(..)),
            values: policy.values(),
            policy_value,
        };
        apply(sink, lines, self.vary);
    }
}

/// The lines of a [`ResponseHeaders`] in send order, taking its request values.
struct OwnedLines<'r, 'p, T, F> {
    slots: [Slot; ResponseHeader::ALL.len()],
    slot: usize,
    in_mirrored: bool,
    /// `CORS-Denial-Reason`'s value id, sent after the owned headers.
    debug: Option<u16>,
    origin: &'r mut Option<T>,
    method: &'r mut Option<T>,
    mirrored: std::iter::Chain<std::option::IntoIter<T>, std::vec::Drain<'r, T>>,
    values: &'p [PolicyValue],
    policy_value: F,
}

impl<'p, T, F: FnMut(&'p PolicyValue) -> Option<T>> Iterator for OwnedLines<'_, 'p, T, F> {
    type Item = (ResponseHeader, Option<T>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some((&h, &slot)) = ResponseHeader::ALL
                .get(self.slot)
                .zip(self.slots.get(self.slot))
            else {
                let id = self.debug.take()?;
                let value = self
                    .values
                    .get(usize::from(id))
                    .and_then(&mut self.policy_value);
                return Some((ResponseHeader::DenialReason, value));
            };
            if self.in_mirrored {
                if let Some(v) = self.mirrored.next() {
                    return Some((h, Some(v)));
                }
                self.in_mirrored = false;
                self.slot += 1;
                continue;
            }
            let value = match slot.kind() {
                SlotKind::Empty => {
                    self.slot += 1;
                    continue;
                }
                SlotKind::Mirrored => {
                    self.in_mirrored = true;
                    continue;
                }
                SlotKind::Policy(id) => self
                    .values
                    .get(usize::from(id))
                    .and_then(&mut self.policy_value),
                SlotKind::Origin => self.origin.take(),
                SlotKind::Method => self.method.take(),
            };
            self.slot += 1;
            return Some((h, value));
        }
    }
}

impl ResponseHeaders {
    /// [`apply_to`](Self::apply_to) an `http` header map (see also
    /// [`set_status`](Self::set_status)).
    pub fn apply(&mut self, policy: &Policy, headers: &mut HeaderMap) {
        self.apply_to(policy, headers, |v| Some(v.header_value().clone()));
    }
}

/// Where a detached value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// `Policy::values()[id]`.
    Policy(u16),
    /// That request header's line (0-based).
    Request(RequestHeader, u8),
}

/// A value of a [`Detached`] decision, for the adapter to convert: a policy value, or a
/// line of the request the decision was made from, which the adapter reads from its own
/// request type (so the value can borrow from it for as long as the server keeps it).
#[derive(Debug, Clone, Copy)]
pub enum DetachedValue<'p> {
    /// A value computed when the policy was built.
    Policy(&'p PolicyValue),
    /// The request's line `line` (0-based) of `header`, echoed byte for byte.
    Request {
        /// The request header.
        header: RequestHeader,
        /// Its line, 0-based, in the order received.
        line: usize,
    },
}

/// A [`Decision`] without borrows ([`Decision::detach`]): `Copy`, `'static`, small. Apply
/// it with the policy it was made with; echoed values are read again from the request.
#[derive(Debug, Clone, Copy)]
pub struct Detached {
    report: Option<OwnedReport>,
    kind: RequestKind,
    action: Action,
    denial: Option<DenialKind>,
    vary: Vary,
    lines: [Option<(ResponseHeader, Source)>; MAX_DECISION_HEADERS],
}

impl Detached {
    /// How the request was classified.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// What the server does (always [`Action::Forward`] for a report-only decision).
    pub fn action(&self) -> Action {
        if self.report.is_some() {
            Action::Forward
        } else {
            self.action
        }
    }

    /// Why the request was denied, if it was.
    pub fn denial(&self) -> Option<DenialKind> {
        self.denial
    }

    /// Applies the decision as [`Decision::apply_to`] does, each value converted by
    /// `value` from `policy` (the policy that decided) or `req` (the request it was made
    /// from). `target` (the raw request target) and `status` (the response's) are for a
    /// report-only decision's report.
    pub fn apply_to<'p, S: HeaderSink, R: RequestView + ?Sized>(
        &self,
        policy: &'p Policy,
        req: &R,
        target: &[u8],
        status: u16,
        sink: &mut S,
        mut value: impl FnMut(DetachedValue<'p>) -> Option<S::Value>,
    ) {
        if let Some(r) = self.report {
            let first = |h| req.header(h).next().map(AsRef::as_ref);
            let report = Report {
                kind: r.kind,
                denial: r.denial,
                route: r.route.and_then(|i| policy.route_path(i)),
                credentials: r.credentials,
                origin: first(RequestHeader::Origin),
                method: first(RequestHeader::RequestMethod),
                requested: first(RequestHeader::RequestHeaders),
                status: Some(status),
                request: Some((req.method(), target)),
            };
            report::report(&report, sink);
            return;
        }
        let lines = self.lines.iter().map_while(|l| *l).map(|(h, source)| {
            let v = match source {
                Source::Policy(id) => policy
                    .values()
                    .get(usize::from(id))
                    .map(DetachedValue::Policy),
                Source::Request(header, line) => Some(DetachedValue::Request {
                    header,
                    line: usize::from(line),
                }),
            };
            (h, v.and_then(&mut value))
        });
        apply(sink, lines, self.vary);
    }
}
