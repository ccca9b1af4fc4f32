//! Translation between Rocket's request and response types and the core.

use std::borrow::Cow;

use cors_core::{Action, Decision, HeaderRef, Policy, RequestHeader, RequestView, ResponseHeader};
use rocket::http::Status;
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
pub(crate) struct Compiled {
    pub(crate) policy: Policy,
    values: Box<[Option<Box<str>>]>,
}

impl Compiled {
    pub(crate) fn new(policy: Policy) -> Compiled {
        let values = policy
            .values()
            .iter()
            // Policy values are visible ASCII by construction; a failure would drop the
            // header rather than send a broken one.
            .map(|v| std::str::from_utf8(v.as_bytes()).ok().map(Box::from))
            .collect();
        Compiled { policy, values }
    }
}

/// The policies of a fairing, each for the paths under its base.
#[derive(Clone)]
pub(crate) struct Scopes {
    /// Longest base first, so the most specific scope wins.
    scopes: Vec<(String, Compiled)>,
}

impl Scopes {
    pub(crate) fn new() -> Scopes {
        Scopes { scopes: Vec::new() }
    }

    /// Adds (or replaces) the policy for `base` and the paths under it.
    pub(crate) fn insert(&mut self, base: &str, policy: Policy) {
        let base = normalize_base(base);
        self.scopes.retain(|(b, _)| *b != base);
        self.scopes.push((base, Compiled::new(policy)));
        self.scopes
            .sort_by_key(|(base, _)| std::cmp::Reverse(base.len()));
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Policy)> {
        self.scopes.iter().map(|(b, c)| (b.as_str(), &c.policy))
    }

    /// The policy whose base covers `path`, if any. A target that is no path (`*` of
    /// `OPTIONS *`) falls under the root scope only.
    fn find(&self, path: &str) -> Option<&Compiled> {
        self.scopes
            .iter()
            .find(|(base, _)| {
                path.as_bytes()
                    .strip_prefix(base.as_bytes())
                    .is_some_and(|rest| rest.is_empty() || rest.first() == Some(&b'/'))
                    || (base.is_empty() && !path.starts_with('/'))
            })
            .map(|(_, c)| c)
    }

    /// The decision for `req`. With several scopes the policy is chosen by path, which
    /// Rocket routes on decoded segments with empty ones dropped: a path not in normal
    /// form (`//api/x`, `/%61pi/x`) could reach one scope's routes under another scope's
    /// policy, so it is granted nothing (the core's `decide_at`).
    fn decide<'a>(
        &self,
        compiled: &'a Compiled,
        req: &'a RocketRequest<'a, '_>,
        path: &'a str,
    ) -> Decision<'a, str> {
        if self.scopes.len() > 1 {
            compiled.policy.decide_at(req, path.as_bytes())
        } else {
            compiled.policy.decide(req)
        }
    }

    /// The status to answer a preflight with, when the policy says to answer now.
    pub(crate) fn preflight_status(&self, req: &Request<'_>) -> Option<Status> {
        let view = RocketRequest(req);
        let path = req.uri().path();
        let compiled = self.find(path.as_str())?;
        match self.decide(compiled, &view, path.as_str()).action() {
            Action::Respond(code) => Some(Status::new(code.as_u16())),
            Action::Forward => None,
        }
    }

    /// Applies the decision for `req` to `res`: the preflight status and empty body when
    /// the policy answers, the owned headers replaced, `Vary` merged.
    pub(crate) fn apply<'r>(&'r self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let path = req.uri().path();
        let Some(compiled) = self.find(path.as_str()) else {
            return;
        };
        let view = RocketRequest(req);
        let decision = self.decide(compiled, &view, path.as_str());
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
        // One pass over the names; removals only when a handler set an owned header.
        if res
            .headers()
            .iter()
            .any(|h| cors_core::is_owned_header(h.name().as_str().as_bytes()))
        {
            for h in ResponseHeader::ALL {
                res.remove_header(h.as_str());
            }
        }
        for (h, v) in decision.headers() {
            let value = match v {
                HeaderRef::Policy(p) => match compiled.values.get(p.id()) {
                    Some(Some(v)) => Cow::Borrowed(&**v),
                    _ => continue,
                },
                HeaderRef::Request(name, v) => echoed(req, name, v),
            };
            res.adjoin_raw_header(h.as_str(), value);
        }
        let add = decision
            .vary()
            .merge(res.headers().get("vary").map(str::as_bytes));
        if let Some(add) = add {
            res.adjoin_raw_header("Vary", add);
        }
    }
}

/// An echoed request value, borrowed from the request for the response's lifetime.
///
/// The decision borrows the request through a short-lived view; finding the same line in
/// the request again (by address) recovers the longer borrow without copying.
fn echoed<'r>(req: &'r Request<'_>, name: RequestHeader, value: &str) -> Cow<'r, str> {
    req.headers()
        .get(name.as_str())
        .find(|line| std::ptr::eq(*line, value))
        .map_or_else(|| Cow::Owned(value.to_owned()), Cow::Borrowed)
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
        s.insert("/api/", p.clone());
        assert!(s.find("/api").is_some());
        assert!(s.find("/api/x").is_some());
        assert!(s.find("/apix").is_none());
        assert!(s.find("/").is_none());
        s.insert("/", p);
        assert!(s.find("/apix").is_some());
        assert_eq!(s.iter().map(|(b, _)| b).collect::<Vec<_>>(), ["/api", ""]);
    }
}
