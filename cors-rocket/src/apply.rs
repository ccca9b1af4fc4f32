//! Translation between Rocket's request and response types and the core.

use std::borrow::Cow;

use std::sync::Arc;

use arc_swap::ArcSwap;
use cors_core::{
    Action, Answer, Detached, DetachedValue, HeaderSink, OriginPredicate, Policy, PolicyHandle,
    PolicySource, RequestHeader, RequestView, ResponseHeader, Vary,
};
use rocket::http::{Method, Status};
use rocket::response::Body;
use rocket::{Request, Response};

/// A Rocket request as the core sees it. Rocket keeps header values as UTF-8 text (it
/// drops non-UTF-8 values before any fairing runs), so values are `str`.
struct RocketRequest<'a, 'r>(&'a Request<'r>);

impl RequestView for RocketRequest<'_, '_> {
    type Value = str;

    fn method(&self) -> &[u8] {
        self.0.method().as_str().as_bytes()
    }

    fn header(&self, h: RequestHeader) -> impl Iterator<Item = &str> {
        self.0.headers().get(h.as_str())
    }
}

/// A policy with its header values as text, indexed by `PolicyValue::id()`.
#[derive(Clone)]
pub(crate) struct ScopePolicy {
    pub(crate) policy: Policy,
    values: Box<[Option<Box<str>>]>,
}

impl ScopePolicy {
    pub(crate) fn new(policy: Policy) -> ScopePolicy {
        let values = policy
            .values()
            .iter()
            // Policy values are visible ASCII by construction; a failure would drop the
            // header rather than send a broken one.
            .map(|v| std::str::from_utf8(v.as_bytes()).ok().map(Box::from))
            .collect();
        ScopePolicy { policy, values }
    }
}

/// One scope's policy: fixed, or a handle's with the converted values of the policy it
/// last saw.
#[derive(Clone)]
enum Scope {
    Fixed(ScopePolicy),
    Reloadable {
        handle: PolicyHandle,
        cache: Arc<ArcSwap<ScopePolicy>>,
    },
}

impl Scope {
    fn new(source: &PolicySource) -> Scope {
        match source.handle() {
            None => Scope::Fixed(ScopePolicy::new(source.current())),
            Some(handle) => Scope::Reloadable {
                cache: Arc::new(ArcSwap::from_pointee(ScopePolicy::new(handle.current()))),
                handle: handle.clone(),
            },
        }
    }

    /// The policy in force now (for listing).
    fn policy(&self) -> Policy {
        match self {
            Scope::Fixed(c) => c.policy.clone(),
            Scope::Reloadable { handle, .. } => handle.current(),
        }
    }

    /// The converted policy for a request starting now: the fixed one, borrowed for as
    /// long as the fairing lives, or the handle's current one kept in the request's local
    /// cache (converted again once after each reload), so a response borrows from it for
    /// as long as Rocket keeps the response.
    fn for_request<'r>(&'r self, req: &'r Request<'_>) -> &'r ScopePolicy {
        match self {
            Scope::Fixed(c) => c,
            Scope::Reloadable { handle, cache } => {
                &req.local_cache(|| {
                    let policy = handle.current();
                    let cached = cache.load_full();
                    let current = if cached.policy.same(&policy) {
                        cached
                    } else {
                        let fresh = Arc::new(ScopePolicy::new(policy));
                        cache.store(Arc::clone(&fresh));
                        fresh
                    };
                    Current(current)
                })
                .0
            }
        }
    }
}

/// A reloadable scope's policy, kept for one request.
struct Current(Arc<ScopePolicy>);

/// The policies of a fairing, each for the paths under its base.
#[derive(Clone)]
pub(crate) struct Scopes {
    /// Longest base first, so the most specific scope wins.
    scopes: Vec<(String, Scope, PolicySource)>,
}

impl Scopes {
    pub(crate) fn new() -> Scopes {
        Scopes { scopes: Vec::new() }
    }

    /// Adds (or replaces) the policy for `base` and the paths under it.
    pub(crate) fn insert(&mut self, base: &str, policy: PolicySource) {
        let base = normalize_base(base);
        self.scopes.retain(|(b, ..)| *b != base);
        self.scopes.push((base, Scope::new(&policy), policy));
        self.scopes
            .sort_by_key(|(base, ..)| std::cmp::Reverse(base.len()));
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, Policy)> {
        self.scopes.iter().map(|(b, c, _)| (b.as_str(), c.policy()))
    }

    /// The policy whose base covers `path`, if any. A target that is no path (`*` of
    /// `OPTIONS *`) falls under the root scope only.
    fn find(&self, path: &str) -> Option<(&Scope, &PolicySource)> {
        self.scopes
            .iter()
            .find(|(base, ..)| {
                path.as_bytes()
                    .strip_prefix(base.as_bytes())
                    .is_some_and(|rest| rest.is_empty() || rest.first() == Some(&b'/'))
                    || (base.is_empty() && !path.starts_with('/'))
            })
            .map(|(_, c, source)| (c, source))
    }

    /// The one decision for `req`, made on first use (by the preflight route or in
    /// `on_response`) and kept in the request's local cache. With several scopes the
    /// policy is chosen by path, which Rocket routes on decoded segments with empty ones
    /// dropped: a path not in normal form (`//api/x`, `/%61pi/x`) could reach one scope's
    /// routes under another scope's policy, so it is granted nothing (`decide_scoped`).
    /// A config's own routes are picked by the raw path in the core (`decide_at`).
    /// An origin the policy leaves to the origin predicate (`dynamic_origins`) is asked
    /// about: a sync predicate here, an async one's answer awaited in `on_request`.
    fn decision<'a>(&'a self, req: &'a Request<'_>) -> Option<(&'a ScopePolicy, Detached)> {
        let path = req.uri().path();
        let (scope, source) = self.find(path.as_str())?;
        let compiled = scope.for_request(req);
        let decide = || {
            let view = RocketRequest(req);
            let raw = path.as_str().as_bytes();
            let policy = &compiled.policy;
            let mut decision = self.decide(policy, &view, raw);
            if decision.pending_origin().is_some() {
                match req.local_cache(|| AsyncVerdict(None)).0 {
                    Some(true) => decision = policy.decide_origin_allowed(&view, raw),
                    Some(false) => {}
                    None => {
                        if let Answer::Allowed(allowed) =
                            source.ask_origin(policy, &view, raw, &decision)
                        {
                            decision = allowed;
                        }
                    }
                }
            }
            source.observe(&decision);
            decision.detach(&view)
        };
        // Only an `OPTIONS` request can meet the preflight route before `on_response`;
        // Rocket's cache boxes its value, so other requests skip it (and decide once in
        // `on_response`).
        let decision = if req.method() == Method::Options {
            req.local_cache(|| Cached(decide())).0
        } else {
            decide()
        };
        Some((compiled, decision))
    }

    /// The core's decision for one scope's policy: with several scopes, a path not in
    /// normal form is granted nothing (see `decision`).
    fn decide<'a, 'r>(
        &self,
        policy: &'a Policy,
        view: &'a RocketRequest<'a, 'r>,
        raw: &'a [u8],
    ) -> cors_core::Decision<'a, str> {
        if self.scopes.len() > 1 {
            policy.decide_scoped(view, raw)
        } else {
            policy.decide_at(view, raw)
        }
    }

    /// Whether a scope's origin predicate is async (then `on_request` runs).
    pub(crate) fn has_async_predicate(&self) -> bool {
        self.scopes
            .iter()
            .any(|(.., source)| source.predicate().is_some_and(OriginPredicate::is_async))
    }

    /// Awaits an async origin predicate's answer about the request's origin, when its
    /// policy leaves the origin to it; `decision` reads the answer.
    pub(crate) async fn ask_async(&self, req: &Request<'_>) {
        let path = req.uri().path();
        let Some((scope, source)) = self.find(path.as_str()) else {
            return;
        };
        let compiled = scope.for_request(req);
        let view = RocketRequest(req);
        let raw = path.as_str().as_bytes();
        let decision = self.decide(&compiled.policy, &view, raw);
        if decision.pending_origin().is_none() {
            return;
        }
        if let Answer::Ask(mut ask) = source.ask_origin(&compiled.policy, &view, raw, &decision) {
            drop(decision);
            let allowed = ask.verdict().await;
            req.local_cache(|| AsyncVerdict(Some(allowed)));
        }
    }

    /// The status to answer a preflight with, when the policy says to answer now.
    pub(crate) fn preflight_status(&self, req: &Request<'_>) -> Option<Status> {
        match self.decision(req)?.1.action() {
            Action::Respond(code) => Some(Status::new(code.as_u16())),
            Action::Forward => None,
        }
    }

    /// Applies the decision for `req` to `res`: the preflight status and empty body when
    /// the policy answers, then the headers through the core.
    pub(crate) fn apply<'r>(&'r self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some((compiled, decision)) = self.decision(req) else {
            return;
        };
        if let Action::Respond(code) = decision.action() {
            res.set_status(Status::new(code.as_u16()));
            if code.as_u16() == 204 {
                // Rocket sends `Content-Length` for every sized body, 0 included, which a
                // 204 must not carry (RFC 9110 section 8.6); an unsized empty body has none.
                res.set_streamed_body(rocket::tokio::io::empty());
            } else if !res.body().is_none() {
                *res.body_mut() = Body::default();
            }
        }
        let status = res.status().code;
        let view = RocketRequest(req);
        decision.apply_to(
            &compiled.policy,
            &view,
            req.uri().path().as_str().as_bytes(),
            status,
            &mut Sink(res),
            |v| match v {
                DetachedValue::Policy(p) => compiled
                    .values
                    .get(p.id())
                    .and_then(|v| v.as_deref())
                    .map(Cow::Borrowed),
                DetachedValue::Request { header, line } => req
                    .headers()
                    .get(header.as_str())
                    .nth(line)
                    .map(Cow::Borrowed),
            },
        );
    }
}

/// The request's one decision (Rocket's request-local cache holds one value per type).
struct Cached(Detached);

/// An async origin predicate's answer, awaited in `on_request`.
struct AsyncVerdict(Option<bool>);

/// A Rocket response's headers, as the core applies a decision to them.
struct Sink<'a, 'r>(&'a mut Response<'r>);

impl<'r> HeaderSink for Sink<'_, 'r> {
    type Value = Cow<'r, str>;
    fn any_name(&self, mut pred: impl FnMut(&[u8]) -> bool) -> bool {
        self.0
            .headers()
            .iter()
            .any(|h| pred(h.name().as_str().as_bytes()))
    }
    fn remove(&mut self, h: ResponseHeader) {
        self.0.remove_header(h.as_str());
    }
    fn append(&mut self, h: ResponseHeader, value: Cow<'r, str>) {
        self.0.adjoin_raw_header(h.as_str(), value);
    }
    fn values(&self, h: ResponseHeader) -> impl Iterator<Item = &[u8]> {
        self.0.headers().get(h.as_str()).map(str::as_bytes)
    }
    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.0.headers().get("vary").map(str::as_bytes)
    }
    fn append_vary(&mut self, tokens: Vary) {
        self.0.adjoin_raw_header("Vary", tokens.as_str());
    }
}

/// `/`, `/api/`, `api` → ``, `/api`, `/api`: a base matches itself and the paths below it.
fn normalize_base(base: &str) -> String {
    let trimmed = base.trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_match_whole_segments() {
        let p = Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();
        let mut s = Scopes::new();
        s.insert("/api/", p.clone().into());
        assert!(s.find("/api").is_some());
        assert!(s.find("/api/x").is_some());
        assert!(s.find("/apix").is_none());
        assert!(s.find("/").is_none());
        s.insert("/", p.into());
        assert!(s.find("/apix").is_some());
        assert_eq!(s.iter().map(|(b, _)| b).collect::<Vec<_>>(), ["/api", ""]);
    }
}
