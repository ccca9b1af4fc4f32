//! A server for a filter tree with the policy around it, like `warp::serve`.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;

use cors_core::PolicySource;
use http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower_service::Service;
use warp::{Filter, Reply};

/// The peer address of a connection accepted by [`Server`], in each request's
/// extensions: read it with `warp::ext::get::<cors_warp::RemoteAddr>()` (warp's own
/// `warp::addr::remote()` only knows `warp::serve`'s connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RemoteAddr(pub SocketAddr);

/// Serves `filter` with `policy` around it: the counterpart of `warp::serve(filter)`.
///
/// Preflights are answered before any filter runs, so a preflight to a path without an
/// `OPTIONS` route gets the policy's answer, never warp's 404 or 405. Every other response
/// gets the decision's headers, including the ones warp renders from rejections (unknown
/// path 404, 405, 400 for a missing header, 413, ...), which no filter can reach.
///
/// ```no_run
/// use cors_warp::Policy;
/// use warp::Filter;
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let policy = Policy::from_path("cors.toml")?;
/// let routes = warp::path("hello").map(|| "hello");
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// cors_warp::serve(routes, policy).run(listener).await;
/// # Ok(())
/// # }
/// ```
pub fn serve<F>(filter: F, policy: impl Into<PolicySource>) -> Server<F>
where
    F: Filter + Clone + Send + Sync + 'static,
    F::Extract: Reply,
{
    Server {
        filter,
        policy: policy.into(),
    }
}

/// A filter tree and a policy, ready to run; built by [`serve`].
///
/// Connections are served like `warp::serve` serves them: HTTP/1.1 and HTTP/2 (prior
/// knowledge), upgrades allowed, one task per connection.
#[derive(Debug)]
#[must_use]
pub struct Server<F> {
    filter: F,
    policy: PolicySource,
}

impl<F> Server<F>
where
    F: Filter + Clone + Send + Sync + 'static,
    F::Extract: Reply,
{
    /// Serves connections accepted from `listener`, forever.
    pub async fn run(self, listener: TcpListener) {
        self.run_until(listener, std::future::pending()).await;
    }

    /// Serves connections from `listener` until `shutdown` completes, then stops accepting
    /// and waits for the open connections to finish their requests.
    pub async fn run_until(self, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        let service = crate::service::<F, Incoming>(self.filter, self.policy);
        let graceful = GracefulShutdown::new();
        let builder = auto::Builder::new(TokioExecutor::new());
        let mut shutdown = pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (stream, remote) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            };
            let service = TowerToHyperService::new(WithRemoteAddr {
                inner: service.clone(),
                remote: RemoteAddr(remote),
            });
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(target: "cors_warp", "connection error: {e}");
                }
            });
        }
        drop(listener);
        graceful.shutdown().await;
    }
}

async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind;
    // Errors of the one connection being accepted; the listener is fine.
    if matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    // Out of file descriptors and the like: wait for connections to close, then retry.
    tracing::error!(target: "cors_warp", "accept error: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Adds [`RemoteAddr`] to each request of a connection.
#[derive(Clone)]
struct WithRemoteAddr<S> {
    inner: S,
    remote: RemoteAddr,
}

impl<S> Service<Request<Incoming>> for WithRemoteAddr<S>
where
    S: Service<Request<Incoming>, Error = Infallible>,
{
    type Response = S::Response;
    type Error = Infallible;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Incoming>) -> S::Future {
        req.extensions_mut().insert(self.remote);
        self.inner.call(req)
    }
}
