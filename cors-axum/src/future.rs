//! The response future: no allocation, the decision's headers carried by value.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use cors_core::{Action, AskOrigin, Policy, PolicySource, RequestView, ResponseHeaders};
use http::Response;
use pin_project_lite::pin_project;

pin_project! {
    /// The future returned by [`Cors`](crate::Cors): the inner service's response with the
    /// decision's headers applied, or the preflight answer.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Forward {
            #[pin]
            future: F,
            headers: ResponseHeaders,
            // The policy's values, which `headers` names by id (one reference count).
            policy: Policy,
        },
        Respond {
            response: Option<Response<B>>,
        },
        // Waiting for an async origin predicate; the handler (`future`) already runs for
        // a request that goes on to it if allowed.
        Ask {
            #[pin]
            future: Option<F>,
            ask: Box<AskOrigin>,
            source: PolicySource,
            // Set once the predicate answered and the request goes on.
            headers: Option<ResponseHeaders>,
            answered: bool,
        },
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(crate) fn forward(future: F, headers: ResponseHeaders, policy: Policy) -> Self {
        ResponseFuture {
            state: State::Forward {
                future,
                headers,
                policy,
            },
        }
    }

    pub(crate) fn ask(future: Option<F>, ask: Box<AskOrigin>, source: PolicySource) -> Self {
        ResponseFuture {
            state: State::Ask {
                future,
                ask,
                source,
                headers: None,
                answered: false,
            },
        }
    }

    pub(crate) fn respond(response: Response<B>) -> Self {
        ResponseFuture {
            state: State::Respond {
                response: Some(response),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Forward {
                future,
                headers,
                policy,
            } => {
                let mut response = ready!(future.poll(cx))?;
                headers.set_status(response.status().as_u16());
                headers.apply(policy, response.headers_mut());
                Poll::Ready(Ok(response))
            }
            StateProj::Ask {
                mut future,
                ask,
                source,
                headers,
                answered,
            } => {
                if !*answered {
                    let allowed = ready!(ask.poll_verdict(cx));
                    *answered = true;
                    let decision = ask.decide(allowed);
                    source.observe(&decision);
                    match decision.action() {
                        Action::Respond(status) => {
                            let mut response = Response::new(B::default());
                            *response.status_mut() = status;
                            decision.apply(response.headers_mut());
                            // A refused preflight's handler (`preflight_continue`) is dropped.
                            future.set(None);
                            return Poll::Ready(Ok(response));
                        }
                        Action::Forward => {
                            let mut h = decision.to_response_headers();
                            h.set_request(|| (RequestView::method(&**ask), ask.target()));
                            *headers = Some(h);
                        }
                    }
                }
                // Started whenever an allowed request goes on, and only a preflight can be
                // refused with a response, so it is there; if not, never completing beats
                // a panic.
                let Some(inner) = future.as_pin_mut() else {
                    return Poll::Pending;
                };
                let mut response = ready!(inner.poll(cx))?;
                if let Some(mut h) = headers.take() {
                    h.set_status(response.status().as_u16());
                    h.apply(ask.policy(), response.headers_mut());
                }
                Poll::Ready(Ok(response))
            }
            StateProj::Respond { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled again after completion: the `Future` contract allows never
                // completing, which beats a panic.
                None => Poll::Pending,
            },
        }
    }
}

impl<F, B> std::fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Forward { .. } => "forward",
            State::Respond { .. } => "respond",
            State::Ask { .. } => "ask",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
