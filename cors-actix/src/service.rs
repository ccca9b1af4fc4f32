//! The middleware service: decide, answer or forward, apply.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderValue};
use actix_web::{Error, HttpResponse, ResponseError};
use cors_core::{Action, Answer, AskOrigin, HeaderRef, PolicySource, ResponseHeaders};
use pin_project_lite::pin_project;

use crate::headers::{ActixRequest, Sink, WorkerPolicy, status};

/// The service [`Cors`](crate::Cors) wraps around an inner service; built by actix-web
/// through `App::wrap`, `Scope::wrap` or `Resource::wrap`.
pub struct CorsMiddleware<S> {
    pub(crate) service: S,
    /// This worker's converted policy; rebuilt when a reload put another in force.
    pub(crate) compiled: RefCell<Rc<WorkerPolicy>>,
    pub(crate) source: PolicySource,
}

impl<S> CorsMiddleware<S> {
    /// The converted policy for a request starting now.
    #[inline]
    fn current(&self) -> Rc<WorkerPolicy> {
        let cached = Rc::clone(&self.compiled.borrow());
        let Some(handle) = self.source.handle() else {
            return cached;
        };
        let policy = handle.current();
        if policy.same(&cached.policy) {
            return cached;
        }
        let fresh = Rc::new(WorkerPolicy::new(policy));
        *self.compiled.borrow_mut() = Rc::clone(&fresh);
        fresh
    }
}

impl<S> fmt::Debug for CorsMiddleware<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsMiddleware")
            .field("policy", self.compiled.borrow().policy.config())
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let view = ActixRequest {
            method: req.method(),
            headers: req.headers(),
        };
        // The policy in force when the request starts serves it to the end.
        let compiled = self.current();
        // The one decision for this request; the raw path picks the route.
        let path = req.uri().path().as_bytes();
        let mut decision = compiled.policy.decide_at(&view, path);
        // An origin the policy leaves to the origin predicate (`dynamic_origins`).
        if decision.pending_origin().is_some() {
            match self
                .source
                .ask_origin(&compiled.policy, &view, path, &decision)
            {
                Answer::Refused => {}
                Answer::Allowed(allowed) => decision = allowed,
                Answer::Ask(ask) => {
                    drop(decision);
                    return self.ask(ask, req, compiled);
                }
            }
        }
        self.source.observe(&decision);
        let inner = match decision.action() {
            Action::Respond(code) => {
                let mut res = HttpResponse::new(status(code.as_u16()));
                let compiled = &*compiled;
                let mut sink = Sink {
                    map: res.headers_mut(),
                    compiled,
                };
                decision.apply_to(&mut sink, |v| compiled.value(v));
                Inner::Respond {
                    res: Some(ServiceResponse::new(req.into_parts().0, res)),
                }
            }
            // The decision borrows the request, which moves into the inner service: keep
            // its headers, converted (policy values per worker, echoed values by count).
            Action::Forward => {
                let compiled = Rc::clone(&compiled);
                let mut headers = decision.to_response_headers_with(|v| Some(v.clone()));
                // Named in a report-only decision's log line (copied only then).
                headers.set_request(|| {
                    let target = req.uri().path_and_query().map_or("", |p| p.as_str());
                    (req.method().as_str().as_bytes(), target.as_bytes())
                });
                Inner::Forward {
                    fut: self.service.call(req),
                    pending: Some(Pending { headers, compiled }),
                }
            }
        };
        CorsFuture { inner }
    }
}

impl<S, B> CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    /// An async origin predicate answers first (`dynamic_origins`); an actual request's
    /// handler runs meanwhile.
    fn ask(
        &self,
        mut ask: Box<AskOrigin>,
        req: ServiceRequest,
        compiled: Rc<WorkerPolicy>,
    ) -> CorsFuture<S::Future, B> {
        let http_req = req.request().clone();
        let mut fut = ask.forwards_if_allowed().then(|| self.service.call(req));
        let source = self.source.clone();
        let answer = async move {
            let allowed = ask.verdict().await;
            let decision = ask.decide(allowed);
            source.observe(&decision);
            // Echoed values come from the core's copy of the request (`http` types).
            let value = |v: HeaderRef<'_, http::HeaderValue>| match v {
                HeaderRef::Policy(p) => compiled.policy_value(p),
                HeaderRef::Request(_, v) => HeaderValue::from_bytes(v.as_bytes()).ok(),
            };
            match decision.action() {
                Action::Respond(code) => {
                    let mut res = HttpResponse::new(status(code.as_u16()));
                    let mut sink = Sink {
                        map: res.headers_mut(),
                        compiled: &compiled,
                    };
                    decision.apply_to(&mut sink, value);
                    // A refused preflight's handler (`preflight_continue`) is dropped.
                    drop(fut.take());
                    Ok(ServiceResponse::new(http_req, res).map_into_right_body())
                }
                Action::Forward => {
                    let mut headers = decision
                        .to_response_headers_with(|v| HeaderValue::from_bytes(v.as_bytes()).ok());
                    headers.set_request(|| (cors_core::RequestView::method(&*ask), ask.target()));
                    let mut pending = Pending {
                        headers,
                        compiled: Rc::clone(&compiled),
                    };
                    drop(decision);
                    // Started whenever an allowed request goes on (only refused preflights
                    // answer without it).
                    let Some(fut) = fut else {
                        return Err(actix_web::error::ErrorInternalServerError(PolledTwice));
                    };
                    match fut.await {
                        Ok(mut res) => {
                            let status = res.status();
                            pending.apply(status, res.headers_mut());
                            Ok(res.map_into_left_body())
                        }
                        Err(cause) => Err(WithCors { cause, pending }.into()),
                    }
                }
            }
        };
        CorsFuture {
            inner: Inner::Ask {
                fut: Box::pin(answer),
            },
        }
    }
}

/// A forwarded request's headers, applied to whatever the inner service returns.
struct Pending {
    headers: ResponseHeaders<HeaderValue>,
    compiled: Rc<WorkerPolicy>,
}

impl Pending {
    fn apply(&mut self, status: StatusCode, map: &mut HeaderMap) {
        self.headers.set_status(status.as_u16());
        let compiled = &*self.compiled;
        let mut sink = Sink { map, compiled };
        self.headers
            .apply_to(&compiled.policy, &mut sink, |v| compiled.policy_value(v));
    }
}

pin_project! {
    /// The future of [`CorsMiddleware`]: the inner service's response with the decision's
    /// headers, or the preflight answer.
    pub struct CorsFuture<F, B> {
        #[pin]
        inner: Inner<F, B>,
    }
}

pin_project! {
    #[project = InnerProj]
    enum Inner<F, B> {
        Forward { #[pin] fut: F, pending: Option<Pending> },
        Respond { res: Option<ServiceResponse> },
        Ask { fut: AskFuture<B> },
    }
}

/// The answer to a request that waits for an async origin predicate (boxed: rare, and
/// it holds the predicate's own boxed future anyway).
type AskFuture<B> = Pin<Box<dyn Future<Output = Result<ServiceResponse<EitherBody<B>>, Error>>>>;

impl<F, B> Future for CorsFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().inner.project() {
            InnerProj::Forward { fut, pending } => {
                let out = ready!(fut.poll(cx));
                let Some(mut pending) = pending.take() else {
                    return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                        PolledTwice,
                    )));
                };
                Poll::Ready(match out {
                    Ok(mut res) => {
                        let status = res.status();
                        pending.apply(status, res.headers_mut());
                        Ok(res.map_into_left_body())
                    }
                    // An error from an inner middleware becomes a response only later, in
                    // actix's dispatcher; wrap it so that response carries the headers too.
                    Err(cause) => Err(WithCors { cause, pending }.into()),
                })
            }
            InnerProj::Ask { fut } => fut.as_mut().poll(cx),
            InnerProj::Respond { res } => Poll::Ready(match res.take() {
                Some(res) => Ok(res.map_into_right_body()),
                None => Err(actix_web::error::ErrorInternalServerError(PolledTwice)),
            }),
        }
    }
}

/// An error of the inner service, rendered with the decision's headers.
struct WithCors {
    cause: Error,
    pending: Pending,
}

impl fmt::Debug for WithCors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.cause, f)
    }
}

impl fmt::Display for WithCors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.cause, f)
    }
}

impl ResponseError for WithCors {
    fn status_code(&self) -> StatusCode {
        self.cause.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut res = self.cause.error_response();
        // `error_response` lends the error; apply a copy (error responses only).
        let mut pending = Pending {
            headers: self.pending.headers.clone(),
            compiled: Rc::clone(&self.pending.compiled),
        };
        let status = res.status();
        pending.apply(status, res.headers_mut());
        res
    }
}

#[derive(Debug)]
struct PolledTwice;

impl fmt::Display for PolledTwice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CORS middleware future polled after completion")
    }
}
