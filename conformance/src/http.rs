//! The project's one raw HTTP/1.1 test client: sends a request exactly as written (a
//! table case, or any request) and parses the answer.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::check::Response;
use crate::table::Case;

/// How long one exchange may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The largest response accepted; the route server's answers are tiny.
const MAX_RESPONSE: usize = 16 * 1024 * 1024;

/// The request bytes: request line, `Host` (unless given), the headers in order,
/// `Content-Length` when a body is given, `Connection: close`.
fn request_bytes<'h>(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: impl Iterator<Item = (&'h str, &'h [u8])> + Clone,
    body: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(format!("{method} {target} HTTP/1.1\r\n").as_bytes());
    if !headers.clone().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        out.extend_from_slice(format!("Host: {addr}\r\n").as_bytes());
    }
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        if !value.is_empty() {
            out.push(b' ');
            out.extend_from_slice(value);
        }
        out.extend_from_slice(b"\r\n");
    }
    if let Some(body) = body {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    if let Some(body) = body {
        out.extend_from_slice(body);
    }
    out
}

/// Sends `GET path` with one `Origin` header (outside any table), for tests that look at
/// one response.
///
/// # Errors
///
/// Transport errors and unparsable responses.
pub fn get(addr: SocketAddr, path: &str, origin: &str) -> io::Result<Response> {
    send_request(addr, "GET", path, &[("Origin", origin)])
}

/// Sends one request outside any table: `method path` with these headers, in order.
///
/// # Errors
///
/// Transport errors and unparsable responses.
pub fn send_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> io::Result<Response> {
    let case = Case {
        name: "request".into(),
        why: String::new(),
        method: method.into(),
        path: path.into(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
            .collect(),
        body: None,
        // Not checked: the caller reads the response.
        expect: crate::table::Expect {
            status: 200,
            handler: None,
            headers: Default::default(),
            absent: Vec::new(),
            body: None,
        },
        limits: Vec::new(),
    };
    send(addr, &case)
}

/// Sends a case's request over a new connection and reads the whole response (10 s
/// timeout).
///
/// Headers are sent exactly as given (order, repeats, values byte for byte); `Host`,
/// `Connection: close` and, with a body, `Content-Length` are added. Interim `1xx`
/// responses are skipped.
///
/// # Errors
///
/// Connection and I/O errors, a timeout, or a response that is not valid HTTP/1.1
/// (`InvalidData`, naming what is wrong).
pub fn send(addr: SocketAddr, case: &Case) -> io::Result<Response> {
    exchange(addr, &case_bytes(addr, case), case.method == "HEAD")
}

/// A case's request bytes.
fn case_bytes(addr: SocketAddr, case: &Case) -> Vec<u8> {
    let headers = case.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice()));
    let body = case.body.as_deref().map(str::as_bytes);
    request_bytes(addr, &case.method, &case.path, headers, body)
}

/// Sends one request over a new connection and reads the whole response, as [`send`]
/// does: headers byte for byte, `Host` added unless given, `Content-Length` for a
/// non-empty body, `Connection: close`.
///
/// # Errors
///
/// As [`send`].
pub fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Response> {
    let headers = headers.iter().map(|(n, v)| (*n, v.as_bytes()));
    let body = (!body.is_empty()).then_some(body);
    let bytes = request_bytes(addr, method, target, headers, body);
    exchange(addr, &bytes, method == "HEAD")
}

/// Writes `request` and reads one whole response (10 s overall).
fn exchange(addr: SocketAddr, request: &[u8], head_request: bool) -> io::Result<Response> {
    let deadline = Instant::now() + TIMEOUT;
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(request)?;
    stream.flush()?;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(resp) = parse_response(&buf, head_request, false).map_err(invalid)? {
            return Ok(resp);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "no complete response within {}s (got {} bytes)",
                    TIMEOUT.as_secs(),
                    buf.len()
                ),
            ));
        }
        stream.set_read_timeout(Some(left))?;
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A reset after the server sent everything still leaves a parsable response.
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset && !buf.is_empty() => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return match parse_response(&buf, head_request, true).map_err(invalid)? {
                Some(resp) => Ok(resp),
                None if buf.is_empty() => Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection without answering",
                )),
                None => Err(invalid(format!(
                    "the connection closed mid-response after {} bytes",
                    buf.len()
                ))),
            };
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if buf.len() > MAX_RESPONSE {
            return Err(invalid(format!(
                "response larger than {MAX_RESPONSE} bytes"
            )));
        }
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Parses one response from `buf`. `Ok(None)`: more bytes are needed. `eof`: the peer
/// closed the connection, which ends a body that has no length.
pub(crate) fn parse_response(
    mut buf: &[u8],
    head_request: bool,
    eof: bool,
) -> Result<Option<Response>, String> {
    loop {
        let Some(end) = find(buf, b"\r\n\r\n") else {
            return Ok(None);
        };
        let head = buf.get(..end).unwrap_or_default();
        let rest = buf.get(end + 4..).unwrap_or_default();
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let status_line = lines.next().unwrap_or_default();
        let status = parse_status_line(status_line)?;
        let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
        for line in lines {
            let colon = line.iter().position(|&b| b == b':').ok_or_else(|| {
                format!(
                    "header line without colon: {:?}",
                    line.escape_ascii().to_string()
                )
            })?;
            let name =
                String::from_utf8_lossy(line.get(..colon).unwrap_or_default()).to_ascii_lowercase();
            if name.is_empty() || name.contains([' ', '\t']) {
                return Err(format!("bad header name {name:?}"));
            }
            let value = line.get(colon + 1..).unwrap_or_default();
            let value = value.trim_ascii();
            headers.push((name, value.to_vec()));
        }
        // Interim responses precede the real one.
        if (100..200).contains(&status) && status != 101 {
            buf = rest;
            continue;
        }
        if head_request || status == 204 || status == 304 || (100..200).contains(&status) {
            return Ok(Some(Response {
                status,
                headers,
                body: Vec::new(),
            }));
        }
        let header = |n: &str| -> Vec<String> {
            headers
                .iter()
                .filter(|(k, _)| k == n)
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
                .collect()
        };
        let chunked = header("transfer-encoding")
            .into_iter()
            .flat_map(|v| {
                v.split(',')
                    .map(|c| c.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>()
            })
            .last()
            .is_some_and(|c| c == "chunked");
        if chunked {
            return Ok(parse_chunked(rest)?.map(|body| Response {
                status,
                headers,
                body,
            }));
        }
        let lengths = header("content-length");
        if let Some(first) = lengths.first() {
            let n: usize = first
                .trim()
                .parse()
                .map_err(|_| format!("bad content-length {first:?}"))?;
            if lengths.iter().any(|l| l.trim() != first.trim()) {
                return Err(format!("conflicting content-length values {lengths:?}"));
            }
            return Ok(rest.get(..n).map(|body| Response {
                status,
                headers,
                body: body.to_vec(),
            }));
        }
        return Ok(eof.then(|| Response {
            status,
            headers,
            body: rest.to_vec(),
        }));
    }
}

fn parse_status_line(line: &[u8]) -> Result<u16, String> {
    let text = String::from_utf8_lossy(line);
    let mut parts = text.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        return Err(format!("bad status line {text:?}"));
    }
    code.parse()
        .map_err(|_| format!("bad status line {text:?}"))
}

/// Decodes a chunked body; `Ok(None)` when incomplete. Trailers are read and dropped.
fn parse_chunked(mut rest: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut body = Vec::new();
    loop {
        let Some(eol) = find(rest, b"\r\n") else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(rest.get(..eol).unwrap_or_default()).into_owned();
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size line {line:?}"))?;
        rest = rest.get(eol + 2..).unwrap_or_default();
        if size == 0 {
            // Trailer section: lines until an empty one.
            loop {
                let Some(eol) = find(rest, b"\r\n") else {
                    return Ok(None);
                };
                if eol == 0 {
                    return Ok(Some(body));
                }
                rest = rest.get(eol + 2..).unwrap_or_default();
            }
        }
        let Some(data) = rest.get(..size) else {
            return Ok(None);
        };
        body.extend_from_slice(data);
        rest = rest.get(size..).unwrap_or_default();
        match rest.get(..2) {
            None | Some([b'\r']) => return Ok(None),
            Some(b"\r\n") => rest = rest.get(2..).unwrap_or_default(),
            Some(_) => return Err("chunk data not followed by CRLF".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, head: bool, eof: bool) -> Result<Option<Response>, String> {
        parse_response(text.as_bytes(), head, eof)
    }

    #[test]
    fn content_length_and_repeated_headers() {
        let text = "HTTP/1.1 200 OK\r\nVary: Origin\r\nX-A:  one \r\nvary: Accept-Encoding\r\nContent-Length: 2\r\n\r\nok";
        let r = parse(text, false, false).unwrap().unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"ok");
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["vary", "x-a", "vary", "content-length"]);
        assert_eq!(r.headers[1].1, b"one");
        assert_eq!(parse(&text[..text.len() - 1], false, false).unwrap(), None);
    }

    #[test]
    fn chunked_with_extensions_and_trailers() {
        let text = "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nok\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
        let r = parse(text, false, false).unwrap().unwrap();
        assert_eq!(r.status, 500);
        assert_eq!(r.body, b"ok0123456789");
        for cut in [40, text.len() - 2, text.len() - 1] {
            assert_eq!(
                parse(&text[..cut], false, false).unwrap(),
                None,
                "cut at {cut}"
            );
        }
        let bad = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        assert!(parse(bad, false, false).is_err());
    }

    #[test]
    fn bodiless_responses_and_eof_bodies() {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
        assert_eq!(parse(head, true, false).unwrap().unwrap().body, b"");
        let no_content = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(
            parse(no_content, false, false).unwrap().unwrap().status,
            204
        );
        let until_eof = "HTTP/1.0 404 Not Found\r\n\r\nnot here";
        assert_eq!(parse(until_eof, false, false).unwrap(), None);
        assert_eq!(
            parse(until_eof, false, true).unwrap().unwrap().body,
            b"not here"
        );
        let interim =
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(parse(interim, false, false).unwrap().unwrap().status, 201);
        assert!(parse("garbage\r\n\r\n", false, false).is_err());
    }

    #[test]
    fn request_is_sent_as_written() {
        let case = Case {
            name: "c".into(),
            why: "w".into(),
            method: "OPTIONS".into(),
            path: "/anything/x".into(),
            headers: vec![
                ("Origin".into(), b"a".to_vec()),
                ("origin".into(), Vec::new()),
            ],
            body: Some("hi".into()),
            expect: crate::Expect {
                status: 200,
                handler: None,
                headers: Default::default(),
                absent: vec![],
                body: None,
            },
            limits: vec![],
        };
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let text = String::from_utf8(case_bytes(addr, &case)).unwrap();
        assert_eq!(
            text,
            "OPTIONS /anything/x HTTP/1.1\r\nHost: 127.0.0.1:9\r\nOrigin: a\r\norigin:\r\n\
             Content-Length: 2\r\nConnection: close\r\n\r\nhi"
        );
    }
}

#[cfg(test)]
mod socket_tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn sends_and_reads_over_a_socket() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.ends_with(b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => panic!("{e}"),
                }
            }
            s.write_all(b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nVary: a\r\nVary: b\r\n\r\n")
                .unwrap();
            s.flush().unwrap();
            std::thread::sleep(Duration::from_millis(50));
            s.write_all(b"3\r\nnot\r\n0\r\n\r\n").unwrap();
            String::from_utf8(req).unwrap()
        });
        let case = Case {
            name: "c".into(),
            why: "w".into(),
            method: "GET".into(),
            path: "/nowhere".into(),
            headers: vec![("Origin".into(), b"https://a.test".to_vec())],
            body: None,
            expect: crate::Expect {
                status: 404,
                handler: None,
                headers: Default::default(),
                absent: vec![],
                body: None,
            },
            limits: vec![],
        };
        let resp = send(addr, &case).unwrap();
        assert_eq!(resp.status, 404);
        assert_eq!(resp.body, b"not");
        assert_eq!(resp.headers.iter().filter(|(n, _)| n == "vary").count(), 2);
        let req = server.join().unwrap();
        assert!(
            req.starts_with("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1:"),
            "{req}"
        );
        assert!(req.contains("\r\nOrigin: https://a.test\r\nConnection: close\r\n"));
    }
}
