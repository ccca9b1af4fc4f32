//! The [`Cors`] service: decide, then answer or forward.

use std::task::{Context, Poll};

use cors_core::{Action, Answer, Policy, PolicySource};
use http::{Request, Response};
use tower_service::Service;

use crate::{CorsLayer, ResponseFuture};

/// A service applying a [`Policy`] around an inner service; built by [`CorsLayer`].
///
/// Per request: the core decides; a preflight answer (allowed or denied) is returned at
/// once without calling the inner service; every other request is forwarded and the
/// decision's headers are applied to the inner service's response, whatever its status.
/// Nothing is boxed or buffered: the body types pass through, and the preflight answer
/// uses the response body's `Default` (empty).
#[derive(Debug, Clone)]
pub struct Cors<S> {
    inner: S,
    source: PolicySource,
}

impl<S> Cors<S> {
    /// Wraps `inner` with `policy`: a [`Policy`], or a
    /// [`PolicyHandle`](cors_core::PolicyHandle) whose policy at the start of each request
    /// decides it.
    pub fn new(inner: S, policy: impl Into<PolicySource>) -> Cors<S> {
        Cors {
            inner,
            source: policy.into(),
        }
    }

    /// A [`CorsLayer`] for `policy`.
    pub fn layer(policy: impl Into<PolicySource>) -> CorsLayer {
        CorsLayer::new(policy)
    }

    /// The policy in force.
    pub fn policy(&self) -> Policy {
        self.source.current()
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        // The policy in force when the request starts serves it to the end.
        let policy = self.source.get();
        // The raw path picks the route (docs/semantics.md, "Routes").
        let path = req.uri().path().as_bytes();
        let mut decision = policy.decide_at(&req, path);
        // An origin the policy leaves to the origin predicate (`dynamic_origins`).
        if decision.pending_origin().is_some() {
            match self.source.ask_origin(&policy, &req, path, &decision) {
                Answer::Refused => {}
                Answer::Allowed(allowed) => decision = allowed,
                // An async predicate answers first; an actual request's handler runs
                // meanwhile.
                Answer::Ask(ask) => {
                    drop(decision);
                    let future = ask.forwards_if_allowed().then(|| self.inner.call(req));
                    return ResponseFuture::ask(future, ask, self.source.clone());
                }
            }
        }
        self.source.observe(&decision);
        match decision.action() {
            Action::Respond(status) => {
                let mut response = Response::new(ResBody::default());
                *response.status_mut() = status;
                decision.apply(response.headers_mut());
                ResponseFuture::respond(response)
            }
            Action::Forward => {
                // Owned (reference-count clones only), so `req` can move into the inner
                // service.
                let mut headers = decision.to_response_headers();
                // Named in a report-only decision's log line (copied only then).
                headers.set_request(|| (req.method().as_str().as_bytes(), target(&req)));
                drop(decision);
                ResponseFuture::forward(self.inner.call(req), headers, policy.into_owned())
            }
        }
    }
}

/// The raw request target: path and query as received.
fn target<B>(req: &Request<B>) -> &[u8] {
    req.uri()
        .path_and_query()
        .map_or(req.uri().path(), |p| p.as_str())
        .as_bytes()
}
