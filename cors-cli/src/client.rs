//! The HTTP client of `cors explain --url`, on `ureq` with rustls: http and https, one
//! request per exchange, redirects shown (never followed, as a browser must not follow
//! one for a preflight), a timeout per exchange.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use http::{HeaderMap, Request, StatusCode, Uri};

/// Where `--url` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL as given.
    pub url: String,
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]` as written.
    pub authority: String,
    /// Path and query (`/` when empty).
    pub path: String,
}

/// Why a request to the server failed.
#[derive(Debug)]
pub enum ClientError {
    /// The URL is not `http(s)://host[:port][/path]`.
    BadUrl(String),
    /// `--cacert` could not be read or holds no certificate.
    CaCert(String, String),
    /// The host name does not resolve.
    Resolve(String),
    /// No address accepted a connection.
    Connect(String, String),
    /// The TLS handshake failed (certificate, protocol).
    Tls(String, String),
    /// No answer within the timeout.
    Timeout(String),
    /// The answer is not an HTTP/1.x response.
    BadResponse(String, String),
    /// Anything else the client reported.
    Other(String, String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadUrl(u) => write!(
                f,
                "{u:?} is not a URL like http://127.0.0.1:8080/path or https://api.example.com/path"
            ),
            ClientError::CaCert(p, why) => write!(f, "--cacert {p}: {why}"),
            ClientError::Resolve(u) => write!(f, "{u}: cannot resolve the host"),
            ClientError::Connect(u, e) => {
                write!(f, "{u}: cannot connect: {e} (is the server running?)")
            }
            ClientError::Tls(u, e) => write!(
                f,
                "{u}: the TLS handshake failed: {e} (for a private CA, pass its certificate \
                 with --cacert FILE)"
            ),
            ClientError::Timeout(u) => write!(f, "{u}: the server did not answer in time"),
            ClientError::BadResponse(u, why) => {
                write!(f, "{u}: the answer is not an HTTP/1.x response: {why}")
            }
            ClientError::Other(u, e) => write!(f, "{u}: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl Target {
    /// Parses `http(s)://host[:port][/path][?query]`.
    ///
    /// # Errors
    ///
    /// [`ClientError::BadUrl`] for anything else.
    pub fn parse(url: &str) -> Result<Target, ClientError> {
        let bad = || ClientError::BadUrl(url.to_owned());
        let uri: Uri = url.parse().map_err(|_| bad())?;
        let scheme = uri
            .scheme_str()
            .map(str::to_ascii_lowercase)
            .ok_or_else(bad)?;
        if !matches!(scheme.as_str(), "http" | "https") {
            return Err(bad());
        }
        let authority = uri.authority().ok_or_else(bad)?;
        if authority.as_str().contains('@') || authority.host().is_empty() {
            return Err(bad());
        }
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        Ok(Target {
            url: url.to_owned(),
            scheme,
            authority: authority.as_str().to_owned(),
            path,
        })
    }
}

/// Sends the requests of one explanation.
pub struct Client {
    agent: ureq::Agent,
}

impl Client {
    /// A client waiting at most `timeout` per exchange, trusting `cacert`'s certificates
    /// (PEM) instead of the public roots when given.
    ///
    /// # Errors
    ///
    /// [`ClientError::CaCert`] when `cacert` cannot be read or has no certificate.
    pub fn new(timeout: Duration, cacert: Option<&Path>) -> Result<Client, ClientError> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = cacert {
            let shown = path.display().to_string();
            let pem = std::fs::read(path)
                .map_err(|e| ClientError::CaCert(shown.clone(), e.to_string()))?;
            let certs: Vec<_> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(ClientError::CaCert(
                    shown,
                    "no PEM certificate in the file".into(),
                ));
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect is shown: a preflight must not redirect, and an actual request's
            // redirect is a new CORS request the explanation cannot follow blindly.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(timeout))
            .user_agent("cors-explain")
            .tls_config(tls.build())
            .build();
        Ok(Client {
            agent: config.into(),
        })
    }

    /// Sends `req` (method, path and headers; no body) to `target` and returns the status
    /// and headers of the answer.
    ///
    /// # Errors
    ///
    /// [`ClientError`] when the server is unreachable, too slow, fails TLS, or answers
    /// something else than HTTP/1.x.
    pub fn send(
        &self,
        target: &Target,
        req: &Request<()>,
    ) -> Result<(StatusCode, HeaderMap), ClientError> {
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let uri = format!("{}://{}{path}", target.scheme, target.authority);
        let mut out = Request::builder().method(req.method().clone()).uri(uri);
        for (name, value) in req.headers() {
            out = out.header(name, value);
        }
        let out = out
            .body(())
            .map_err(|e| ClientError::Other(target.url.clone(), e.to_string()))?;
        let res = self.agent.run(out).map_err(|e| classify(target, e))?;
        Ok((res.status(), res.headers().clone()))
    }
}

fn classify(target: &Target, e: ureq::Error) -> ClientError {
    let url = target.url.clone();
    match e {
        // rustls reports a refused certificate or handshake as invalid data.
        ureq::Error::Io(io)
            if target.scheme == "https" && io.kind() == std::io::ErrorKind::InvalidData =>
        {
            ClientError::Tls(url, io.to_string())
        }
        ureq::Error::HostNotFound => ClientError::Resolve(url),
        ureq::Error::Timeout(_) => ClientError::Timeout(url),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                ClientError::Timeout(url)
            }
            std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::NotConnected
            | std::io::ErrorKind::AddrNotAvailable => ClientError::Connect(url, io.to_string()),
            _ => ClientError::Other(url, io.to_string()),
        },
        ureq::Error::Tls(why) => ClientError::Tls(url, why.to_string()),
        ureq::Error::Rustls(why) => ClientError::Tls(url, why.to_string()),
        ureq::Error::Protocol(why) => ClientError::BadResponse(url, why.to_string()),
        other => ClientError::Other(url, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = Target::parse("http://127.0.0.1:8080/api/items?x=1").unwrap();
        assert_eq!(t.scheme, "http");
        assert_eq!(t.authority, "127.0.0.1:8080");
        assert_eq!(t.path, "/api/items?x=1");
        let t = Target::parse("HTTPS://api.example.com").unwrap();
        assert_eq!((t.scheme.as_str(), t.path.as_str()), ("https", "/"));
        let t = Target::parse("http://[::1]:3000?q").unwrap();
        assert_eq!(
            (t.authority.as_str(), t.path.as_str()),
            ("[::1]:3000", "/?q")
        );
        for bad in [
            "localhost:80",
            "ftp://x.example/",
            "http://",
            "http://user@host/",
            "https:///x",
            "not a url",
            "",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cacert_errors_name_the_file() {
        let e = Client::new(Duration::from_secs(1), Some(Path::new("/nonexistent.pem")))
            .err()
            .unwrap();
        assert!(
            e.to_string().starts_with("--cacert /nonexistent.pem:"),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificate here").unwrap();
        let e = Client::new(Duration::from_secs(1), Some(&empty))
            .err()
            .unwrap();
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
    }
}
