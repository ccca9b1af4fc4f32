//! A plain HTTP/1.1 upstream for Apache to proxy to: the example-server contract without
//! any CORS, and a count of the requests that reached it.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Largest request head or body the upstream reads; more closes the connection.
const LIMIT: usize = 1 << 20;

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    count: AtomicUsize,
}

/// The upstream, listening on 127.0.0.1 and a free port, one thread per connection
/// (keep-alive). Stopped when dropped.
pub struct Upstream {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Upstream {
    /// Starts the upstream.
    ///
    /// # Errors
    ///
    /// The listening socket could not be made.
    pub fn start() -> Result<Upstream, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let shared = Arc::new(Shared::default());
        let state = Arc::clone(&shared);
        let accept = thread::spawn(move || {
            for stream in listener.incoming() {
                if state.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&state);
                thread::spawn(move || serve(stream, &state));
            }
        });
        Ok(Upstream {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// How many requests reached it.
    pub fn count(&self) -> usize {
        self.shared.count.load(Ordering::SeqCst)
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, state: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let Some((method, target, headers)) = read_head(&mut reader) else {
            return;
        };
        if read_body(&mut reader, &headers).is_none() {
            return;
        }
        state.count.fetch_add(1, Ordering::SeqCst);
        let response = respond(&method, &target);
        if out.write_all(&response).is_err() || state.stop.load(Ordering::SeqCst) {
            return;
        }
        let close = headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
        if close {
            return;
        }
    }
}

type Head = (String, String, Vec<(String, String)>);

fn read_head(reader: &mut BufReader<TcpStream>) -> Option<Head> {
    // Bytes, not text: header values need not be UTF-8.
    let mut raw = Vec::new();
    let mut total = 0;
    let mut next = |raw: &mut Vec<u8>| -> Option<String> {
        raw.clear();
        let n = reader.read_until(b'\n', raw).ok()?;
        total += n;
        (n > 0 && total <= LIMIT).then(|| String::from_utf8_lossy(raw).into_owned())
    };
    let line = next(&mut raw)?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let line = next(&mut raw)?;
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            return Some((method, target, headers));
        }
        let (n, v) = l.split_once(':')?;
        headers.push((n.trim().to_owned(), v.trim().to_owned()));
    }
}

fn read_body(reader: &mut BufReader<TcpStream>, headers: &[(String, String)]) -> Option<()> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            if size > LIMIT {
                return None;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                // The CRLF just read ends a chunked body without trailers.
                return Some(());
            }
        }
    }
    let len: usize = get("content-length").map_or(Ok(0), str::parse).ok()?;
    if len > LIMIT {
        return None;
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(())
}

/// The contract (examples/README.md): `/anything...`, `/status/{code}`, `/vary`,
/// `/own-acao`, else a 404 without `x-handler`.
fn respond(method: &str, target: &str) -> Vec<u8> {
    let path = target.split('?').next().unwrap_or_default();
    let mut extra = String::new();
    let status: u16 = if path == "/anything" || path.starts_with("/anything/") {
        200
    } else if let Some(code) = path.strip_prefix("/status/") {
        code.parse()
            .ok()
            .filter(|c| (200..=599).contains(c))
            .unwrap_or(400)
    } else if path == "/vary" {
        extra.push_str("vary: Accept-Encoding\r\n");
        200
    } else if path == "/own-acao" {
        extra.push_str("access-control-allow-origin: https://handler.invalid\r\n");
        200
    } else {
        return b"HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nnot found"
            .to_vec();
    };
    let no_body = matches!(status, 204 | 304) || method == "HEAD";
    let body = if matches!(status, 204 | 304) {
        ""
    } else {
        "ok"
    };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nx-handler: reached\r\ncontent-type: text/plain\r\n{extra}",
        reason(status)
    );
    if !matches!(status, 204 | 304) {
        let _ = std::fmt::Write::write_fmt(
            &mut head,
            format_args!("content-length: {}\r\n", body.len()),
        );
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if !no_body {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}
