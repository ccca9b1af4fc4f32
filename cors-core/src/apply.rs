//! How a decision becomes response headers, once for every server: the headers the engine
//! owns are removed, the decision's are appended in order, `Vary` is merged. An adapter
//! only implements [`HeaderSink`] for its header type and converts values.

use http::{HeaderMap, HeaderValue};

use crate::decision::{Action, Decision, HeaderRef, MAX_DECISION_HEADERS, RequestKind, Slot};
use crate::denial::DenialKind;
use crate::policy::{Policy, PolicyValue};
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
    pub fn apply_to<S: HeaderSink>(
        &self,
        sink: &mut S,
        mut value: impl FnMut(HeaderRef<'a, V>) -> Option<S::Value>,
    ) {
        apply(
            sink,
            self.headers().map(|(h, v)| (h, value(v))),
            self.vary(),
        );
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
            kind: self.kind(),
            action: self.action(),
            denial: self.denial().map(|d| d.kind()),
            vary: self.vary(),
            lines: [None; MAX_DECISION_HEADERS],
        };
        for ((h, v), slot) in self.headers().zip(out.lines.iter_mut()) {
            let source = match v {
                HeaderRef::Policy(p) => u8::try_from(p.id()).ok().map(Source::Policy),
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

impl Decision<'_, HeaderValue> {
    /// Applies the decision to an `http` header map (see [`apply_to`](Self::apply_to)).
    pub fn apply(&self, headers: &mut HeaderMap) {
        self.apply_to(headers, |v| Some(v.to_header_value()));
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

impl<T> ResponseHeaders<T> {
    /// Removes every owned header, sets these, merges `Vary`. `policy` is the policy that
    /// decided; its values are converted by `policy_value`. The request's values are moved
    /// into the sink, not cloned: applying the same `ResponseHeaders` again sets only
    /// policy values and missing `Vary` tokens.
    pub fn apply_to<'p, S: HeaderSink<Value = T>>(
        &mut self,
        policy: &'p Policy,
        sink: &mut S,
        policy_value: impl FnMut(&'p PolicyValue) -> Option<T>,
    ) {
        let lines = OwnedLines {
            slots: self.slots,
            slot: 0,
            in_mirrored: false,
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
            let (&h, &slot) = ResponseHeader::ALL
                .get(self.slot)
                .zip(self.slots.get(self.slot))?;
            if self.in_mirrored {
                if let Some(v) = self.mirrored.next() {
                    return Some((h, Some(v)));
                }
                self.in_mirrored = false;
                self.slot += 1;
                continue;
            }
            let value = match slot {
                Slot::Empty => {
                    self.slot += 1;
                    continue;
                }
                Slot::Mirrored => {
                    self.in_mirrored = true;
                    continue;
                }
                Slot::Policy(id) => self
                    .values
                    .get(usize::from(id))
                    .and_then(&mut self.policy_value),
                Slot::Origin => self.origin.take(),
                Slot::Method => self.method.take(),
            };
            self.slot += 1;
            return Some((h, value));
        }
    }
}

impl ResponseHeaders {
    /// [`apply_to`](Self::apply_to) an `http` header map.
    pub fn apply(&mut self, policy: &Policy, headers: &mut HeaderMap) {
        self.apply_to(policy, headers, |v| Some(v.header_value().clone()));
    }
}

/// Where a detached value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// `Policy::values()[id]`.
    Policy(u8),
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

    /// What the server does.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Why the request was denied, if it was.
    pub fn denial(&self) -> Option<DenialKind> {
        self.denial
    }

    /// Applies the decision as [`Decision::apply_to`] does, each value converted by
    /// `value` from `policy` (the policy that decided) or the request.
    pub fn apply_to<'p, S: HeaderSink>(
        &self,
        policy: &'p Policy,
        sink: &mut S,
        mut value: impl FnMut(DetachedValue<'p>) -> Option<S::Value>,
    ) {
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
