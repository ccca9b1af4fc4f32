//! The other forms devtools copy a request in: "Copy as cURL (cmd)" from Windows, and
//! "Copy as fetch" (browser and Node.js flavours). Each is read into the same
//! [`CurlRequest`] as a bash cURL copy.

use crate::curl::{self, CurlError, CurlRequest};

/// A copied request and how it was read.
#[derive(Debug)]
pub struct Copied {
    /// The request.
    pub request: CurlRequest,
    /// What the reader had to infer, for the explanation's notes.
    pub notes: Vec<String>,
}

/// Reads any supported copy: `fetch(...)` text, a cmd-flavoured cURL (`^"` quoting), or a
/// bash-flavoured cURL.
///
/// # Errors
///
/// Why the text could not be read.
pub fn parse(text: &str) -> Result<Copied, String> {
    let trimmed = text.trim_start();
    let body = trimmed.strip_prefix("await ").unwrap_or(trimmed);
    if body.starts_with("fetch(") {
        return parse_fetch(body);
    }
    if text.contains("^\"") {
        let words = split_cmd(text).map_err(|e| e.to_string())?;
        let request = curl::parse_words(words).map_err(|e| e.to_string())?;
        return Ok(Copied {
            request,
            notes: vec!["read as a Windows (cmd) cURL copy".to_owned()],
        });
    }
    let request = curl::parse(text).map_err(|e| e.to_string())?;
    Ok(Copied {
        request,
        notes: Vec::new(),
    })
}

/// Splits a cmd-flavoured command line: `^` escapes the next character (a `^` before a
/// line break continues the line), `"` quotes, `\"` is a literal quote (the C runtime's
/// rule, which curl.exe follows).
fn split_cmd(text: &str) -> Result<Vec<String>, CurlError> {
    // Undo cmd's caret escapes first; what remains follows the C runtime's argv rules.
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '^' => match chars.next() {
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                }
                Some('\n') => {}
                Some(next) => plain.push(next),
                None => return Err(CurlError::Quoting),
            },
            other => plain.push(other),
        }
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = plain.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'"') => {
                chars.next();
                word.push('"');
                in_word = true;
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err(CurlError::Quoting);
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err(CurlError::Empty);
    }
    Ok(words)
}

/// Reads `fetch("URL", { ...options })` as devtools write it: the options are a JSON
/// object (`headers`, `method`, `credentials`, `referrer`, `body`, `mode`).
fn parse_fetch(text: &str) -> Result<Copied, String> {
    const SHAPE: &str = "read a \"Copy as fetch\" text: fetch(\"URL\", { ... })";
    let args = text
        .strip_prefix("fetch(")
        .ok_or_else(|| format!("cannot {SHAPE}"))?;
    let mut stream = serde_json::Deserializer::from_str(args).into_iter::<serde_json::Value>();
    let url = match stream.next() {
        Some(Ok(serde_json::Value::String(url))) => url,
        _ => return Err(format!("cannot {SHAPE}: the URL string is missing")),
    };
    let rest = args.get(stream.byte_offset()..).unwrap_or("").trim_start();
    let options = match rest.strip_prefix(',') {
        Some(rest) => {
            let mut stream =
                serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
            match stream.next() {
                Some(Ok(v @ serde_json::Value::Object(_))) => v,
                _ => return Err(format!("cannot {SHAPE}: the options are not a JSON object")),
            }
        }
        None => serde_json::Value::Object(Default::default()),
    };
    let text_of = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let mut request = CurlRequest {
        url: Some(url),
        method: options
            .get("method")
            .and_then(text_of)
            .unwrap_or_else(|| "GET".to_owned()),
        ..CurlRequest::default()
    };
    let mut notes = vec!["read as a \"Copy as fetch\" text".to_owned()];
    if let Some(headers) = options.get("headers").and_then(|h| h.as_object()) {
        for (name, value) in headers {
            let value = value.as_str().unwrap_or_default().to_owned();
            if name.eq_ignore_ascii_case("cookie") {
                request.credentials = true;
            }
            request.headers.push((name.clone(), value));
        }
    }
    if options.get("credentials").and_then(|c| c.as_str()) == Some("include") {
        request.credentials = true;
    }
    if request.header("origin").is_none() {
        // Devtools leave `Origin` out of a fetch copy; the page is the referrer.
        let referrer = options
            .get("referrer")
            .and_then(text_of)
            .or_else(|| request.header("referer").map(str::to_owned));
        if let Some(origin) = referrer.as_deref().and_then(origin_of) {
            notes.push(format!(
                "the origin {origin} is the copy's referrer (devtools leave Origin out of a \
                 fetch copy)"
            ));
            request.headers.push(("origin".to_owned(), origin));
        }
    }
    Ok(Copied { request, notes })
}

/// The origin (`scheme://host[:port]`) of an absolute URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    (!authority.is_empty()).then(|| format!("{}://{authority}", scheme.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cmd_copy() {
        let text = "curl ^\"https://api.example.com/items?a=1^&b=2^\" ^\r\n  -X ^\"PUT^\" ^\n  -H ^\"Origin: https://app.example.com^\" ^\n  -H ^\"content-type: application/json^\" ^\n  --data-raw ^\"^{^\\^\"a^\\^\":1^}^\"";
        let c = parse(text).unwrap();
        assert_eq!(
            c.request.url.as_deref(),
            Some("https://api.example.com/items?a=1&b=2")
        );
        assert_eq!(c.request.method, "PUT");
        assert_eq!(c.request.header("origin"), Some("https://app.example.com"));
        assert_eq!(c.request.header("content-type"), Some("application/json"));
        assert!(c.notes[0].contains("cmd"));
        assert!(parse("curl ^\"https://x.example").is_err());
        assert!(parse("curl ^\"x^\" ^").is_err());
    }

    #[test]
    fn browser_fetch_copy() {
        let text = r#"fetch("https://api.example.com/items", {
  "headers": {
    "accept": "*/*",
    "content-type": "application/json",
    "x-request-id": "7"
  },
  "referrer": "https://app.example.com/dashboard?tab=1",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": "{\"a\":1}",
  "method": "PATCH",
  "mode": "cors",
  "credentials": "include"
});"#;
        let c = parse(text).unwrap();
        assert_eq!(c.request.method, "PATCH");
        assert!(c.request.credentials);
        assert_eq!(c.request.header("origin"), Some("https://app.example.com"));
        assert_eq!(c.request.header("x-request-id"), Some("7"));
        assert!(
            c.notes.iter().any(|n| n.contains("referrer")),
            "{:?}",
            c.notes
        );
    }

    #[test]
    fn node_fetch_copy() {
        let text = r#"await fetch("http://localhost:8080/api", {
  "headers": {
    "accept": "application/json",
    "cookie": "sid=1",
    "Referer": "https://app.example.com/"
  },
  "body": null,
  "method": "GET"
});"#;
        let c = parse(text).unwrap();
        assert_eq!(c.request.method, "GET");
        assert!(c.request.credentials);
        assert_eq!(c.request.header("origin"), Some("https://app.example.com"));
        let bare = parse(r#"fetch("https://api.example.com/x");"#).unwrap();
        assert_eq!(bare.request.header("origin"), None);
        assert!(parse("fetch(").is_err());
        assert!(parse("fetch(42)").is_err());
        assert!(parse(r#"fetch("u", [1])"#).is_err());
    }
}
