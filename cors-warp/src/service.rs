//! The whole filter tree as a tower service, with the policy applied outside warp's
//! rejection handling.

use std::convert::Infallible;

use cors_axum::Cors;
use cors_core::PolicySource;
use http::Request;
use tower_service::Service;
use warp::{Filter, Reply};

/// A filter tree as a tower [`Service`] with `policy` applied around it.
///
/// The policy wraps warp's own filter-to-service conversion, so it sees every response
/// warp produces, rejections rendered by warp (404, 405, 400, 413 ...) included, and it
/// answers preflights before any filter runs. This is the service [`serve`](crate::serve)
/// runs; use it directly to serve through your own hyper or tower stack. The per-request
/// path adds no allocation to warp's.
///
/// ```
/// use cors_warp::Policy;
/// use warp::Filter;
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
/// let routes = warp::path("hello").map(|| "hello");
/// let svc = cors_warp::service::<_, hyper::body::Incoming>(routes, policy);
/// # let _ = svc;
/// # Ok::<(), cors_core::LoadError>(())
/// ```
pub fn service<F, B>(
    filter: F,
    policy: impl Into<PolicySource>,
) -> Cors<
    impl Service<
        Request<B>,
        Response = warp::reply::Response,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static,
>
where
    F: Filter + Clone + Send + Sync + 'static,
    F::Extract: Reply,
    B: http_body::Body + Send + Sync + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    Cors::new(warp::service(filter), policy)
}
