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
/// extensions. Read it with [`remote`]: warp's own `warp::addr::remote()` reads a private
/// type only `warp::serve` sets, so behind this server it always yields `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RemoteAddr(pub SocketAddr);

/// The peer address, behind [`Server`] or `warp::serve`: use it where you would use
/// `warp::addr::remote()`, which yields `None` behind [`Server`].
///
/// ```
/// use std::net::SocketAddr;
/// use warp::Filter;
///
/// let route = cors_warp::remote().map(|addr: Option<SocketAddr>| format!("{addr:?}"));
/// # let _ = route;
/// ```
pub fn remote() -> impl Filter<Extract = (Option<SocketAddr>,), Error = Infallible> + Copy {
    warp::ext::optional::<RemoteAddr>()
        .and(warp::addr::remote())
        .map(|ours: Option<RemoteAddr>, theirs: Option<SocketAddr>| ours.map(|r| r.0).or(theirs))
}

/// Where [`Server`] accepts connections: a `TcpListener`, a `UnixListener`, a
/// [`TlsListener`] (feature `tls`), or your own transport.
pub trait Listener: Send + 'static {
    /// A connection, ready for HTTP.
    type Io: hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static;
    /// Finishes setting a connection up (a TLS handshake), on the connection's own task,
    /// so a slow client never holds up the accept loop.
    type Handshake: Future<Output = std::io::Result<Self::Io>> + Send + 'static;

    /// Accepts the next connection and its peer address, if it has one.
    fn accept(
        &mut self,
    ) -> impl Future<Output = std::io::Result<(Self::Handshake, Option<SocketAddr>)>> + Send;
}

impl Listener for TcpListener {
    type Io = TokioIo<tokio::net::TcpStream>;
    type Handshake = std::future::Ready<std::io::Result<Self::Io>>;

    async fn accept(&mut self) -> std::io::Result<(Self::Handshake, Option<SocketAddr>)> {
        let (stream, addr) = TcpListener::accept(self).await?;
        Ok((std::future::ready(Ok(TokioIo::new(stream))), Some(addr)))
    }
}

#[cfg(unix)]
impl Listener for tokio::net::UnixListener {
    type Io = TokioIo<tokio::net::UnixStream>;
    type Handshake = std::future::Ready<std::io::Result<Self::Io>>;

    async fn accept(&mut self) -> std::io::Result<(Self::Handshake, Option<SocketAddr>)> {
        let (stream, _) = tokio::net::UnixListener::accept(self).await?;
        Ok((std::future::ready(Ok(TokioIo::new(stream))), None))
    }
}

/// HTTPS: a [`Listener`] whose connections are TLS, through `tokio-rustls` (feature
/// `tls`). Give the `rustls::ServerConfig` `alpn_protocols = [b"h2", b"http/1.1"]` to offer
/// HTTP/2.
///
/// ```no_run
/// # async fn run(config: std::sync::Arc<tokio_rustls::rustls::ServerConfig>) -> std::io::Result<()> {
/// use warp::Filter;
///
/// let policy = cors_warp::Policy::from_path("cors.toml").map_err(std::io::Error::other)?;
/// let routes = warp::path("hello").map(|| "hello");
/// let tcp = tokio::net::TcpListener::bind("127.0.0.1:8443").await?;
/// let listener = cors_warp::TlsListener::new(tcp, config.into());
/// cors_warp::serve(routes, policy).run(listener).await;
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "tls")]
pub struct TlsListener<L> {
    inner: L,
    acceptor: tokio_rustls::TlsAcceptor,
}

#[cfg(feature = "tls")]
impl<L> TlsListener<L> {
    /// TLS over `inner`'s connections, with `acceptor`'s config.
    pub fn new(inner: L, acceptor: tokio_rustls::TlsAcceptor) -> TlsListener<L> {
        TlsListener { inner, acceptor }
    }
}

#[cfg(feature = "tls")]
impl<L> std::fmt::Debug for TlsListener<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsListener").finish_non_exhaustive()
    }
}

#[cfg(feature = "tls")]
impl<L> Listener for TlsListener<L>
where
    L: Listener,
    L::Io: hyper::rt::Read + hyper::rt::Write,
    TokioIo<L::Io>: tokio::io::AsyncRead + tokio::io::AsyncWrite,
{
    type Io = TokioIo<tokio_rustls::server::TlsStream<TokioIo<L::Io>>>;
    type Handshake = std::pin::Pin<Box<dyn Future<Output = std::io::Result<Self::Io>> + Send>>;

    async fn accept(&mut self) -> std::io::Result<(Self::Handshake, Option<SocketAddr>)> {
        let (handshake, addr) = self.inner.accept().await?;
        let acceptor = self.acceptor.clone();
        let tls = async move {
            let io = handshake.await?;
            let stream = acceptor.accept(TokioIo::new(io)).await?;
            Ok(TokioIo::new(stream))
        };
        Ok((Box::pin(tls) as Self::Handshake, addr))
    }
}

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
    /// Serves connections accepted from `listener` (a `TcpListener`, a `UnixListener`, a
    /// [`TlsListener`], any [`Listener`]), forever.
    pub async fn run<L: Listener>(self, listener: L) {
        self.run_until(listener, std::future::pending()).await;
    }

    /// Serves connections from `listener` until `shutdown` completes, then stops accepting
    /// and waits for the open connections to finish their requests.
    pub async fn run_until<L: Listener>(self, mut listener: L, shutdown: impl Future<Output = ()>) {
        let service = crate::service::<F, Incoming>(self.filter, self.policy);
        let graceful = GracefulShutdown::new();
        let builder = auto::Builder::new(TokioExecutor::new());
        let mut shutdown = pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (handshake, remote) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            };
            let service = TowerToHyperService::new(WithRemoteAddr {
                inner: service.clone(),
                remote: remote.map(RemoteAddr),
            });
            let builder = builder.clone();
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let io = match handshake.await {
                    Ok(io) => io,
                    Err(e) => {
                        tracing::debug!(target: "cors_warp", "handshake error: {e}");
                        return;
                    }
                };
                let conn = builder.serve_connection_with_upgrades(io, service);
                if let Err(e) = watcher.watch(conn.into_owned()).await {
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
    remote: Option<RemoteAddr>,
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
        if let Some(remote) = self.remote {
            req.extensions_mut().insert(remote);
        }
        self.inner.call(req)
    }
}
