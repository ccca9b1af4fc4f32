//! A minimal HTTP/1.1 client for `cors explain --url`: one request per connection, reads
//! the status and headers only.

use std::fmt;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};

/// Where `--url` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL as given.
    pub url: String,
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port (80 by default).
    pub port: u16,
    /// `Host` header value.
    pub authority: String,
    /// Path and query (`/` when empty).
    pub path: String,
}

/// Why a request to the server failed.
#[derive(Debug)]
pub enum ClientError {
    /// The URL is not `http://host[:port][/path]`.
    BadUrl(String),
    /// `https://` is not supported.
    Https(String),
    /// The host name does not resolve.
    Resolve(String, std::io::Error),
    /// No address accepted a connection.
    Connect(String, std::io::Error),
    /// Writing or reading failed (a timeout included).
    Io(String, std::io::Error),
    /// The answer is not an HTTP/1.x response.
    BadResponse(String, String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadUrl(u) => {
                write!(f, "{u:?} is not a URL like http://127.0.0.1:8080/path")
            }
            ClientError::Https(u) => write!(
                f,
                "{u}: https is not supported; point --url at the server's plain http:// \
                 listener (CORS headers do not depend on TLS)"
            ),
            ClientError::Resolve(u, e) => write!(f, "{u}: cannot resolve the host: {e}"),
            ClientError::Connect(u, e) if e.kind() == std::io::ErrorKind::TimedOut => write!(
                f,
                "{u}: cannot connect: timed out (is the server running and reachable?)"
            ),
            ClientError::Connect(u, e) => {
                write!(f, "{u}: cannot connect: {e} (is the server running?)")
            }
            ClientError::Io(u, e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                write!(f, "{u}: the server did not answer in time")
            }
            ClientError::Io(u, e) => write!(f, "{u}: {e}"),
            ClientError::BadResponse(u, why) => {
                write!(f, "{u}: the answer is not an HTTP/1.x response: {why}")
            }
        }
    }
}

impl std::error::Error for ClientError {}

impl Target {
    /// Parses `http://host[:port][/path][?query]`.
    ///
    /// # Errors
    ///
    /// [`ClientError::Https`] for `https://`, [`ClientError::BadUrl`] otherwise.
    pub fn parse(url: &str) -> Result<Target, ClientError> {
        let bad = || ClientError::BadUrl(url.to_owned());
        let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
        if scheme.eq_ignore_ascii_case("https") {
            return Err(ClientError::Https(url.to_owned()));
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(bad());
        }
        let rest = rest.split('#').next().unwrap_or_default();
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        let path = match path {
            "" => "/".to_owned(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_owned(),
        };
        if authority.is_empty() || authority.contains('@') {
            return Err(bad());
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(bad)?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| bad())?,
                None if after.is_empty() => 80,
                None => return Err(bad()),
            };
            (h.to_owned(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), p.parse().map_err(|_| bad())?),
                None => (authority.to_owned(), 80),
            }
        };
        if host.is_empty() || path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(bad());
        }
        Ok(Target {
            url: url.to_owned(),
            host,
            port,
            authority: authority.to_owned(),
            path,
        })
    }

    fn addrs(&self) -> Result<Vec<SocketAddr>, ClientError> {
        (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|e| ClientError::Resolve(self.url.clone(), e))
    }

    /// Sends `req` (method, path and headers; no body) and reads the response's status and
    /// headers.
    ///
    /// # Errors
    ///
    /// [`ClientError`] when the server is unreachable, too slow, or answers something else
    /// than HTTP/1.x.
    pub fn send(
        &self,
        req: &Request<()>,
        timeout: Duration,
    ) -> Result<(StatusCode, HeaderMap), ClientError> {
        let addrs = self.addrs()?;
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
        let mut stream = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let mut stream = stream.ok_or_else(|| ClientError::Connect(self.url.clone(), last))?;
        let io = |e| ClientError::Io(self.url.clone(), e);
        stream.set_read_timeout(Some(timeout)).map_err(io)?;
        stream.set_write_timeout(Some(timeout)).map_err(io)?;
        stream.write_all(&self.render(req)).map_err(io)?;
        read_head(&mut stream).map_err(|e| match e {
            HeadError::Io(e) => ClientError::Io(self.url.clone(), e),
            HeadError::Bad(why) => ClientError::BadResponse(self.url.clone(), why),
        })
    }

    /// The request's bytes.
    pub fn render(&self, req: &Request<()>) -> Vec<u8> {
        let mut out = Vec::new();
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        out.extend_from_slice(format!("{} {path} HTTP/1.1\r\n", req.method()).as_bytes());
        out.extend_from_slice(format!("host: {}\r\n", self.authority).as_bytes());
        for (name, value) in req.headers() {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if !matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS") {
            out.extend_from_slice(b"content-length: 0\r\n");
        }
        out.extend_from_slice(b"connection: close\r\n\r\n");
        out
    }
}

enum HeadError {
    Io(std::io::Error),
    Bad(String),
}

/// The most bytes of response head read.
const MAX_HEAD: usize = 64 * 1024;

/// Reads response heads until a final (non-1xx) one, and parses it.
fn read_head(stream: &mut impl Read) -> Result<(StatusCode, HeaderMap), HeadError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = buf.get(..end).unwrap_or_default();
            let (status, headers) = parse_head(head).map_err(HeadError::Bad)?;
            if status.is_informational() {
                buf.drain(..end + 4);
                continue;
            }
            return Ok((status, headers));
        }
        if buf.len() > MAX_HEAD {
            return Err(HeadError::Bad(
                "the header section is over 64 KiB".to_owned(),
            ));
        }
        let n = stream.read(&mut chunk).map_err(HeadError::Io)?;
        if n == 0 {
            return Err(HeadError::Bad(if buf.is_empty() {
                "the server closed the connection without answering".to_owned()
            } else {
                "the connection closed in the middle of the headers".to_owned()
            }));
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(head: &[u8]) -> Result<(StatusCode, HeaderMap), String> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, |&b| b == b' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with(b"HTTP/1.") {
        return Err(format!("status line \"{}\"", status_line.escape_ascii()));
    }
    let status = parts
        .next()
        .and_then(|s| StatusCode::from_bytes(s).ok())
        .ok_or_else(|| format!("status line \"{}\"", status_line.escape_ascii()))?;
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        let value = value.trim_ascii();
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            headers.append(n, v);
        }
    }
    Ok((status, headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = Target::parse("http://127.0.0.1:8080/a?b=1#c").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("127.0.0.1", 8080, "/a?b=1")
        );
        assert_eq!(t.authority, "127.0.0.1:8080");
        let t = Target::parse("http://[::1]/").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 80));
        assert_eq!(Target::parse("HTTP://example.com").unwrap().path, "/");
        assert!(matches!(
            Target::parse("https://x/"),
            Err(ClientError::Https(_))
        ));
        for bad in [
            "x",
            "ftp://x/",
            "http://",
            "http://a:b/",
            "http://u@h/",
            "http://[::1/",
        ] {
            assert!(
                matches!(Target::parse(bad), Err(ClientError::BadUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn heads() {
        let mut r: &[u8] =
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nA: 1\r\nA: 2\r\nbad\r\n\r\nbody";
        let (s, h) = read_head(&mut r).ok().unwrap();
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(h.get_all("a").iter().count(), 2);
        let mut r: &[u8] = b"SSH-2.0\r\n\r\n";
        assert!(matches!(read_head(&mut r), Err(HeadError::Bad(_))));
        let mut r: &[u8] = b"";
        assert!(matches!(read_head(&mut r), Err(HeadError::Bad(_))));
    }
}
