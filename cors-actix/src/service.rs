//! The middleware service: decide, answer or forward, apply.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, forward_ready};
use actix_web::http::StatusCode;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError};
use cors_core::Action;
use pin_project_lite::pin_project;

use crate::headers::{ActixRequest, Compiled, Pending, status};

/// The service [`Cors`](crate::Cors) wraps around an inner service; built by actix-web
/// through `App::wrap`, `Scope::wrap` or `Resource::wrap`.
pub struct CorsMiddleware<S> {
    pub(crate) service: S,
    pub(crate) compiled: Rc<Compiled>,
}

impl<S> fmt::Debug for CorsMiddleware<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsMiddleware")
            .field("policy", self.compiled.policy.config())
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let view = ActixRequest {
            method: req.method(),
            headers: req.headers(),
        };
        let decision = self.compiled.policy.decide(&view);
        let inner = match decision.action() {
            // Answered in `poll`, deciding again from the request: the future stays small.
            Action::Respond(code) => Inner::Respond {
                req: Some(req.into_parts().0),
                status: status(code.as_u16()),
                compiled: Rc::clone(&self.compiled),
            },
            // The decision borrows the request; keep what outlives its move into the
            // inner service.
            Action::Forward => {
                let pending = self.compiled.pending(&decision);
                Inner::Forward {
                    fut: self.service.call(req),
                    pending: Some(pending),
                }
            }
        };
        CorsFuture { inner }
    }
}

pin_project! {
    /// The future of [`CorsMiddleware`]: the inner service's response with the decision's
    /// headers, or the preflight answer.
    pub struct CorsFuture<F> {
        #[pin]
        inner: Inner<F>,
    }
}

pin_project! {
    #[project = InnerProj]
    enum Inner<F> {
        Forward { #[pin] fut: F, pending: Option<Pending> },
        Respond { req: Option<HttpRequest>, status: StatusCode, compiled: Rc<Compiled> },
    }
}

impl<F, B> Future for CorsFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().inner.project() {
            InnerProj::Forward { fut, pending } => {
                let out = ready!(fut.poll(cx));
                let Some(pending) = pending.take() else {
                    return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                        PolledTwice,
                    )));
                };
                Poll::Ready(match out {
                    Ok(mut res) => {
                        pending.apply(res.headers_mut());
                        Ok(res.map_into_left_body())
                    }
                    // An error from an inner middleware becomes a response only later, in
                    // actix's dispatcher; wrap it so that response carries the headers too.
                    Err(cause) => Err(WithCors { cause, pending }.into()),
                })
            }
            InnerProj::Respond {
                req,
                status,
                compiled,
            } => {
                let Some(req) = req.take() else {
                    return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                        PolledTwice,
                    )));
                };
                let mut res = HttpResponse::new(*status);
                let view = ActixRequest {
                    method: req.method(),
                    headers: req.headers(),
                };
                compiled.apply(&compiled.policy.decide(&view), res.headers_mut());
                Poll::Ready(Ok(ServiceResponse::new(req, res).map_into_right_body()))
            }
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
        self.pending.apply(res.headers_mut());
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
