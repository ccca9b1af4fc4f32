//! The response future: no allocation, the decision's headers carried by value.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use cors_core::{Policy, ResponseHeaders};
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
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
