//! Dynamic origins: origins not in `allow_origins` that the server's code may allow, where
//! the policy sets `dynamic_origins = true` (docs/semantics.md, "Dynamic origins").
//!
//! The escape hatch for origins known only at run time. It leaves the project's promise
//! (the file says what every server does): `cors check` cannot see what a predicate
//! allows, and servers without one (C ABI, nginx) allow only the listed origins. Listing
//! the origins and reloading the file when they change ([`PolicyHandle`]) keeps the
//! promise; prefer it.
//!
//! [`PolicyHandle`]: crate::PolicyHandle

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::{Decision, Policy, RequestHeader, RequestKind, RequestView};

/// The answer of an async origin predicate.
pub type OriginVerdict = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

type SyncFn = dyn Fn(&str) -> bool + Send + Sync + 'static;
type AsyncFn = dyn Fn(String) -> OriginVerdict + Send + Sync + 'static;

/// Code that decides origins not in `allow_origins`, asked only where the policy sets
/// `dynamic_origins = true` and only after the listed origins missed. It receives the
/// request's origin as sent (a well-formed origin, e.g. `https://tenant-7.example.net`)
/// and answers whether it may read responses; the grant is then the listed origins'
/// (echoed origin, credentials, exposed headers).
///
/// ```
/// use cors_core::{OriginPredicate, Policy, PolicySource};
///
/// let policy = Policy::from_toml_str(r#"
///     allow_origins = ["https://app.example.com"]
///     dynamic_origins = true
/// "#)?;
/// let tenants = ["https://tenant-1.example.net"];
/// let source = PolicySource::from(policy)
///     .origin_predicate(OriginPredicate::new(move |origin| tenants.contains(&origin)));
/// # drop(source);
/// # Ok::<(), cors_core::LoadError>(())
/// ```
#[derive(Clone)]
pub struct OriginPredicate(Kind);

#[derive(Clone)]
enum Kind {
    Sync(Arc<SyncFn>),
    Async(Arc<AsyncFn>),
}

impl OriginPredicate {
    /// A predicate answered at once, on the request's thread: keep it cheap (a set
    /// lookup, not I/O).
    pub fn new(f: impl Fn(&str) -> bool + Send + Sync + 'static) -> OriginPredicate {
        OriginPredicate(Kind::Sync(Arc::new(f)))
    }

    /// A predicate answered by a future (a database or a service); the request waits for
    /// it, so give it a timeout and answer `false` on errors. Adapters that cannot wait
    /// (see each adapter's documentation) refuse it when built.
    pub fn new_async<F, Fut>(f: F) -> OriginPredicate
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        OriginPredicate(Kind::Async(Arc::new(move |origin| Box::pin(f(origin)))))
    }

    /// Whether the predicate answers by a future.
    pub fn is_async(&self) -> bool {
        matches!(self.0, Kind::Async(_))
    }
}

impl fmt::Debug for OriginPredicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Kind::Sync(_) => "OriginPredicate(sync)",
            Kind::Async(_) => "OriginPredicate(async)",
        })
    }
}

/// The origin predicate's answer about a decision's
/// [`pending_origin`](Decision::pending_origin), from
/// [`PolicySource::ask_origin`](crate::PolicySource::ask_origin).
pub enum Answer<'a, V: ?Sized> {
    /// No predicate, or it refused the origin: the decision stands.
    Refused,
    /// The predicate allowed the origin: this decision replaces the denial.
    Allowed(Decision<'a, V>),
    /// An async predicate must answer first (boxed: it is rare, and the adapter's future
    /// stays small).
    Ask(Box<AskOrigin>),
}

impl<V: AsRef<[u8]> + ?Sized> fmt::Debug for Answer<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Refused => f.write_str("Refused"),
            Answer::Allowed(d) => f.debug_tuple("Allowed").field(d).finish(),
            Answer::Ask(a) => f.debug_tuple("Ask").field(a).finish(),
        }
    }
}

/// A request waiting for an async origin predicate: owns what deciding it needs (the
/// policy and a copy of the four CORS request headers), so the request itself can move on
/// into the handler meanwhile.
///
/// Poll [`verdict`](Self::verdict), then [`decide`](Self::decide) with the answer.
pub struct AskOrigin {
    verdict: OriginVerdict,
    policy: Policy,
    method: Method,
    headers: HeaderMap,
    target: Box<[u8]>,
    kind: RequestKind,
    forward_if_allowed: bool,
}

impl AskOrigin {
    fn new<R: RequestView + ?Sized>(
        verdict: OriginVerdict,
        policy: &Policy,
        req: &R,
        raw_target: &[u8],
        pending: &Decision<'_, R::Value>,
    ) -> AskOrigin {
        // Every value came from a request header, so only the method can fail to convert;
        // such a method is not `OPTIONS`, and `GET` classifies the same.
        let method = Method::from_bytes(req.method()).unwrap_or(Method::GET);
        let mut headers = HeaderMap::new();
        for h in RequestHeader::ALL {
            for line in req.header(h) {
                if let Ok(v) = HeaderValue::from_bytes(line.as_ref()) {
                    headers.append(HeaderName::from_static(h.as_str()), v);
                }
            }
        }
        let mut ask = AskOrigin {
            verdict,
            policy: policy.clone(),
            method,
            headers,
            target: raw_target.into(),
            kind: pending.kind(),
            forward_if_allowed: false,
        };
        ask.forward_if_allowed = ask.decide(true).action() == crate::Action::Forward;
        ask
    }

    /// Polls the predicate's answer.
    pub fn poll_verdict(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        self.verdict.as_mut().poll(cx)
    }

    /// The predicate's answer.
    pub async fn verdict(&mut self) -> bool {
        std::future::poll_fn(|cx| self.poll_verdict(cx)).await
    }

    /// The decision once the predicate answered `allowed` (logged as decisions are).
    pub fn decide(&self, allowed: bool) -> Decision<'_, HeaderValue> {
        if allowed {
            self.policy.decide_origin_allowed(self, &self.target)
        } else {
            self.policy.decide_at(self, &self.target)
        }
    }

    /// The policy that decides (held by reference count).
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The request target the decision was made for.
    pub fn target(&self) -> &[u8] {
        &self.target
    }

    /// The request's kind (a preflight or an actual request).
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Whether the request goes on to the handler if the predicate allows the origin:
    /// every actual request, and a preflight with `preflight_continue`. A server that
    /// cannot keep the request while the predicate answers starts the handler now and,
    /// when the answer is a denied preflight, drops the handler's response.
    pub fn forwards_if_allowed(&self) -> bool {
        self.forward_if_allowed
    }
}

impl RequestView for AskOrigin {
    type Value = HeaderValue;

    fn method(&self) -> &[u8] {
        self.method.as_str().as_bytes()
    }

    fn header(&self, header: RequestHeader) -> impl Iterator<Item = &HeaderValue> {
        self.headers.get_all(header.as_str()).iter()
    }
}

impl fmt::Debug for AskOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AskOrigin")
            .field("kind", &self.kind)
            .field("origin", &self.headers.get("origin"))
            .finish_non_exhaustive()
    }
}

/// Asks `predicate` about the pending origin of `decision` (made by `policy` for `req`).
#[inline(never)]
pub(crate) fn ask<'a, R: RequestView + ?Sized>(
    predicate: Option<&OriginPredicate>,
    policy: &'a Policy,
    req: &'a R,
    raw_target: &'a [u8],
    decision: &Decision<'a, R::Value>,
) -> Answer<'a, R::Value> {
    let (Some(predicate), Some(origin)) = (predicate, decision.pending_origin()) else {
        return Answer::Refused;
    };
    match &predicate.0 {
        Kind::Sync(f) if f(origin) => {
            Answer::Allowed(policy.decide_origin_allowed(req, raw_target))
        }
        Kind::Sync(_) => Answer::Refused,
        Kind::Async(f) => {
            let verdict = f(origin.to_owned());
            Answer::Ask(Box::new(AskOrigin::new(
                verdict, policy, req, raw_target, decision,
            )))
        }
    }
}
