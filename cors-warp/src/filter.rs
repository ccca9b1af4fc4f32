//! The policy as a filter around part of a tree: for per-filter policies.

use std::future::ready;

use cors_core::{
    Action, Answer as OriginAnswer, AskOrigin, Decision, Policy, PolicySource, RequestView,
    ResponseHeaders,
};
use futures_util::future::Either;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use warp::path::FullPath;
use warp::reject::Reject;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

/// Wraps `filter` with `policy`, as a filter: preflights that reach it are answered before
/// `filter` runs, and the decision's headers are applied to every reply of `filter`.
///
/// Use it for per-filter policies, scoped by a path prefix placed *outside* it (the
/// wrapper answers every preflight that reaches it). To chain it, write
/// `.with(warp::wrap_fn(move |f| cors_warp::wrap(f, policy.clone())))`.
///
/// Rejections that leave the wrapped filter are not covered: warp renders them after every
/// filter has run (its 404 for an unknown path, 405, ...). Recover them inside
/// (`filter.recover(handler)`) to give them headers, or serve the whole tree with
/// [`serve`](crate::serve), which covers them. Warp gives filters no borrowed access to
/// the request, so this form clones the request's header map (warp's `headers_cloned`);
/// `serve` and [`service`](crate::service) do not.
///
/// ```
/// use cors_warp::Policy;
/// use warp::Filter;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), cors_core::LoadError> {
/// let api_policy = Policy::from_toml_str(r#"
///     allow_origins = ["https://app.example.com"]
///     allow_methods = ["GET", "PUT"]
/// "#)?;
/// let api = warp::path("items").and(warp::get()).map(|| "items");
/// // The prefix is matched first, so only /api/... preflights meet this policy.
/// let routes = warp::path("api").and(cors_warp::wrap(api, api_policy));
///
/// let response = warp::test::request()
///     .method("OPTIONS")
///     .path("/api/items")
///     .header("origin", "https://app.example.com")
///     .header("access-control-request-method", "PUT")
///     .reply(&routes)
///     .await;
/// assert_eq!(response.status(), 204);
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
/// # Ok(())
/// # }
/// ```
pub fn wrap<F, R>(
    filter: F,
    policy: impl Into<PolicySource>,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply,
{
    let source: PolicySource = policy.into();
    let decide = warp::method()
        .and(warp::header::headers_cloned())
        .and(warp::path::full())
        .and_then(move |method: Method, headers: HeaderMap, path: FullPath| {
            let view = (&method, &headers);
            // The policy in force when the request starts serves it to the end.
            let policy = source.get();
            let raw = path.as_str().as_bytes();
            let mut decision = policy.decide_at(&view, raw);
            // An origin the policy leaves to the origin predicate (`dynamic_origins`).
            if decision.pending_origin().is_some() {
                match source.ask_origin(&policy, &view, raw, &decision) {
                    OriginAnswer::Refused => {}
                    OriginAnswer::Allowed(allowed) => decision = allowed,
                    // An async predicate answers first.
                    OriginAnswer::Ask(ask) => {
                        drop(decision);
                        return Either::Right(answer_later(ask, source.clone()));
                    }
                }
            }
            source.observe(&decision);
            let target = (method.as_str().as_bytes(), raw);
            Either::Left(ready(settle(&decision, &policy, target)))
        });
    decide
        .and(filter)
        .map(
            |(mut headers, policy): (ResponseHeaders, Policy), reply: R| {
                let mut response = reply.into_response();
                headers.set_status(response.status().as_u16());
                headers.apply(&policy, response.headers_mut());
                response
            },
        )
        .recover(|rejection: Rejection| {
            ready(match rejection.find::<Answer>() {
                Some(answer) => Ok(answer.response()),
                None => Err(rejection),
            })
        })
        .unify()
}

/// What the filter chain carries on: the headers to apply and their policy, or the
/// preflight answer.
type Settled = Result<(ResponseHeaders, Policy), Rejection>;

/// Settles a request once the async origin predicate answered.
fn answer_later(
    mut ask: Box<AskOrigin>,
    source: PolicySource,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Settled> + Send>> {
    Box::pin(async move {
        let allowed = ask.verdict().await;
        let decision = ask.decide(allowed);
        source.observe(&decision);
        let target = (RequestView::method(&*ask), ask.target());
        settle(&decision, ask.policy(), target)
    })
}

/// What the wrapped filter's reply gets, or the preflight answer.
fn settle(
    decision: &Decision<'_, HeaderValue>,
    policy: &Policy,
    (method, target): (&[u8], &[u8]),
) -> Settled {
    match decision.action() {
        Action::Forward => {
            let mut headers = decision.to_response_headers();
            // Named in a report-only decision's log line (copied only then).
            headers.set_request(|| (method, target));
            Ok((headers, policy.clone()))
        }
        // Carried out of the filter chain by a rejection (only preflight answers take
        // this path), turned into the response by `recover` in `wrap`.
        Action::Respond(status) => Err(warp::reject::custom(Answer {
            status,
            headers: decision.to_response_headers(),
            policy: policy.clone(),
        })),
    }
}

/// A preflight answer on its way to `recover`.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: ResponseHeaders,
    policy: Policy,
}

impl Reject for Answer {}

impl Answer {
    fn response(&self) -> Response {
        let mut response = Response::default();
        *response.status_mut() = self.status;
        // Preflight answers only; `find` lends the rejection, so apply a copy.
        self.headers
            .clone()
            .apply(&self.policy, response.headers_mut());
        response
    }
}
