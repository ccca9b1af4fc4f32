//! Parsing "Copy as cURL" command lines from browsers' developer tools (Chrome and Firefox,
//! bash flavour).

use std::fmt;

/// A request read from a curl command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CurlRequest {
    /// The URL, when given.
    pub url: Option<String>,
    /// The method: `-X`, or implied (`-d` means POST, `-I` HEAD, `-G` GET), or GET.
    pub method: String,
    /// Every `-H` header, in order, name and value (a `Name;` header has an empty value).
    pub headers: Vec<(String, String)>,
    /// Whether credentials are sent: `-b`/`--cookie`, `-u`/`--user`, or a `Cookie` header.
    pub credentials: bool,
    /// Options that were recognized but do not matter here, or not recognized.
    pub ignored: Vec<String>,
}

impl CurlRequest {
    /// The first `-H` value of `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a curl command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurlError {
    /// Unbalanced quotes or a trailing escape.
    Quoting,
    /// No words at all.
    Empty,
    /// An option that takes a value came last.
    MissingValue(String),
}

impl fmt::Display for CurlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CurlError::Quoting => f.write_str(
                "cannot split the cURL command into words: unbalanced quotes or a trailing \
                 escape (paste the whole \"Copy as cURL\" text, bash or cmd flavour)",
            ),
            CurlError::Empty => f.write_str("the cURL command is empty"),
            CurlError::MissingValue(o) => write!(f, "the cURL option {o} needs a value"),
        }
    }
}

impl std::error::Error for CurlError {}

/// Long options whose value is the next word (and that do not matter here).
const LONG_WITH_VALUE: &[&str] = &[
    "--output",
    "--proxy",
    "--connect-timeout",
    "--max-time",
    "--cacert",
    "--capath",
    "--cert",
    "--cert-type",
    "--key",
    "--key-type",
    "--pass",
    "--resolve",
    "--connect-to",
    "--write-out",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--upload-file",
    "--cookie-jar",
    "--config",
    "--limit-rate",
    "--max-redirs",
    "--interface",
    "--proxy-user",
    "--time-cond",
    "--trace",
    "--trace-ascii",
    "--dump-header",
    "--stderr",
    "--unix-socket",
    "--abstract-unix-socket",
    "--dns-servers",
    "--ciphers",
    "--local-port",
    "--max-filesize",
    "--speed-limit",
    "--speed-time",
    "--keepalive-time",
    "--expect100-timeout",
    "--happy-eyeballs-timeout-ms",
    "--proto",
    "--proto-redir",
    "--netrc-file",
    "--output-dir",
    "--preproxy",
    "--noproxy",
    "--form-string",
    "--variable",
];

/// Short options whose value is the rest of the word or the next word.
const SHORT_WITH_VALUE: &str = "XHdbuoxmwAeTcKrEFzYyUCQtP";

/// Parses a curl command line (with or without the leading `curl`).
///
/// # Errors
///
/// [`CurlError`] for unbalanced quoting, an empty command, or an option missing its value.
pub fn parse(command: &str) -> Result<CurlRequest, CurlError> {
    parse_words(split(command)?)
}

/// [`parse`] on a command line already split into words.
///
/// # Errors
///
/// [`CurlError`] for an option missing its value.
pub fn parse_words(words: Vec<String>) -> Result<CurlRequest, CurlError> {
    let mut words = words.into_iter().peekable();
    if words
        .peek()
        .is_some_and(|w| w == "curl" || w.ends_with("/curl"))
    {
        words.next();
    }
    let mut req = CurlRequest::default();
    let mut explicit_method: Option<String> = None;
    let mut implied: Option<&'static str> = None;
    let mut get = false;
    let mut only_urls = false;

    while let Some(word) = words.next() {
        if only_urls || !word.starts_with('-') || word == "-" {
            if req.url.is_none() {
                req.url = Some(word);
            } else {
                req.ignored.push(word);
            }
            continue;
        }
        if word == "--" {
            only_urls = true;
            continue;
        }
        // Long options, with `--opt=value` too.
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            let value = |words: &mut std::iter::Peekable<std::vec::IntoIter<String>>| {
                inline
                    .clone()
                    .or_else(|| words.next())
                    .ok_or_else(|| CurlError::MissingValue(format!("--{name}")))
            };
            match name {
                "request" => explicit_method = Some(value(&mut words)?),
                "header" => add_header(&mut req, &value(&mut words)?),
                "data" | "data-raw" | "data-binary" | "data-ascii" | "data-urlencode" => {
                    value(&mut words)?;
                    implied = Some("POST");
                }
                "json" => {
                    value(&mut words)?;
                    implied = Some("POST");
                    // curl adds these unless the command sets them.
                    for (n, v) in [
                        ("content-type", "application/json"),
                        ("accept", "application/json"),
                    ] {
                        if !req.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n)) {
                            req.headers.push((n.to_owned(), v.to_owned()));
                        }
                    }
                }
                "form" => {
                    value(&mut words)?;
                    implied = Some("POST");
                }
                "cookie" | "user" => {
                    value(&mut words)?;
                    req.credentials = true;
                }
                "head" => implied = Some("HEAD"),
                "get" => get = true,
                "url" => {
                    let url = value(&mut words)?;
                    if req.url.is_none() {
                        req.url = Some(url);
                    }
                }
                "user-agent" | "referer" => {
                    value(&mut words)?;
                    req.ignored.push(format!("--{name}"));
                }
                "range" => {
                    let r = value(&mut words)?;
                    req.headers.push(("range".to_owned(), format!("bytes={r}")));
                }
                _ if LONG_WITH_VALUE.contains(&word.split('=').next().unwrap_or_default()) => {
                    value(&mut words)?;
                    req.ignored.push(format!("--{name}"));
                }
                _ => req.ignored.push(format!("--{name}")),
            }
            continue;
        }
        // Short options, possibly grouped (`-sSL`) or with an attached value (`-XPUT`).
        let flags = word.get(1..).unwrap_or_default();
        for (i, c) in flags.char_indices() {
            if SHORT_WITH_VALUE.contains(c) {
                let rest = flags.get(i + c.len_utf8()..).unwrap_or_default();
                let value = if rest.is_empty() {
                    words
                        .next()
                        .ok_or_else(|| CurlError::MissingValue(format!("-{c}")))?
                } else {
                    rest.to_owned()
                };
                match c {
                    'X' => explicit_method = Some(value),
                    'H' => add_header(&mut req, &value),
                    'd' => implied = Some("POST"),
                    'F' => implied = Some("POST"),
                    'b' | 'u' => req.credentials = true,
                    'r' => req
                        .headers
                        .push(("range".to_owned(), format!("bytes={value}"))),
                    other => req.ignored.push(format!("-{other}")),
                }
                break;
            }
            match c {
                'I' => implied = Some("HEAD"),
                'G' => get = true,
                other => req.ignored.push(format!("-{other}")),
            }
        }
    }

    if req
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("cookie"))
    {
        req.credentials = true;
    }
    req.method = match (explicit_method, get, implied) {
        (Some(m), _, _) => m,
        (None, true, Some("HEAD")) => "HEAD".to_owned(),
        (None, true, _) => "GET".to_owned(),
        (None, false, Some(m)) => m.to_owned(),
        (None, false, None) => "GET".to_owned(),
    };
    Ok(req)
}

/// `Name: value` adds a header; `Name;` adds one with an empty value; `Name:` (curl's way
/// to remove a default header) adds nothing.
fn add_header(req: &mut CurlRequest, raw: &str) {
    // HTTP/2 pseudo-headers (`:authority: ...`) are not headers.
    if raw.starts_with(':') {
        req.ignored.push(format!("-H {raw}"));
    } else if let Some((name, value)) = raw.split_once(':') {
        let value = value.trim();
        if !value.is_empty() {
            req.headers.push((name.trim().to_owned(), value.to_owned()));
        }
    } else if let Some(name) = raw.trim().strip_suffix(';') {
        req.headers.push((name.trim().to_owned(), String::new()));
    } else {
        req.ignored.push(format!("-H {raw}"));
    }
}

/// Splits a bash command line into words: `shell-words` after rewriting bash's `$'...'`
/// strings (which Chrome uses for bodies with quotes or newlines) into plain quoting and
/// joining `\` line continuations written with CRLF.
pub fn split(command: &str) -> Result<Vec<String>, CurlError> {
    let rewritten = rewrite_ansi_c(&command.replace("\r\n", "\n"))?;
    let words = shell_words::split(&rewritten).map_err(|_| CurlError::Quoting)?;
    if words.is_empty() {
        return Err(CurlError::Empty);
    }
    Ok(words)
}

/// Rewrites every `$'...'` outside other quotes into an equivalent `'...'` string, and
/// `$"..."` into `"..."`.
fn rewrite_ansi_c(s: &str) -> Result<String, CurlError> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '\'' => {
                out.push(c);
                loop {
                    let n = chars.next().ok_or(CurlError::Quoting)?;
                    out.push(n);
                    if n == '\'' {
                        break;
                    }
                }
            }
            '"' => {
                out.push(c);
                loop {
                    let n = chars.next().ok_or(CurlError::Quoting)?;
                    out.push(n);
                    if n == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if n == '"' {
                        break;
                    }
                }
            }
            '$' if chars.peek() == Some(&'"') => {}
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                let decoded = decode_ansi_c(&mut chars)?;
                out.push('\'');
                out.push_str(&decoded.replace('\'', "'\\''"));
                out.push('\'');
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Decodes the body of a `$'...'` string up to its closing quote.
fn decode_ansi_c(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
) -> Result<String, CurlError> {
    let mut out = String::new();
    loop {
        let c = chars.next().ok_or(CurlError::Quoting)?;
        match c {
            '\'' => return Ok(out),
            '\\' => {
                let e = chars.next().ok_or(CurlError::Quoting)?;
                match e {
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'e' | 'E' => out.push('\u{1b}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    '\\' | '\'' | '"' | '?' => out.push(e),
                    'x' => out.push(number(chars, 16, 2, None)),
                    'u' => out.push(number(chars, 16, 4, None)),
                    'U' => out.push(number(chars, 16, 8, None)),
                    '0'..='7' => out.push(number(chars, 8, 2, e.to_digit(8))),
                    'c' => {
                        let x = chars.next().ok_or(CurlError::Quoting)?;
                        out.push(char::from_u32(u32::from(x) & 0x1f).unwrap_or('\u{fffd}'));
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            other => out.push(other),
        }
    }
}

/// Up to `max` more digits in `radix`, after an optional first digit already read.
fn number(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    radix: u32,
    max: usize,
    first: Option<u32>,
) -> char {
    let mut value = first.unwrap_or(0);
    for _ in 0..max {
        match chars.peek().and_then(|c| c.to_digit(radix)) {
            Some(d) => {
                value = value.saturating_mul(radix).saturating_add(d);
                chars.next();
            }
            None => break,
        }
    }
    char::from_u32(value).unwrap_or('\u{fffd}')
}

/// The path and query of an `http(s)://` URL (`/` when it has none), or `None` when it is
/// not an absolute URL.
pub fn url_path(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let rest = rest.split('#').next().unwrap_or_default();
    let Some(start) = rest.find(['/', '?']) else {
        return Some("/".to_owned());
    };
    let path = rest.get(start..)?;
    Some(if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods() {
        assert_eq!(parse("curl https://x/").unwrap().method, "GET");
        assert_eq!(parse("curl -XPUT https://x/").unwrap().method, "PUT");
        assert_eq!(
            parse("curl --request=PATCH https://x/").unwrap().method,
            "PATCH"
        );
        assert_eq!(parse("curl -d a=b https://x/").unwrap().method, "POST");
        assert_eq!(
            parse("curl --data-raw '{}' -X PUT https://x/")
                .unwrap()
                .method,
            "PUT"
        );
        assert_eq!(parse("curl -I https://x/").unwrap().method, "HEAD");
        assert_eq!(parse("curl -G -d a=b https://x/").unwrap().method, "GET");
        assert_eq!(
            parse("curl -sSLX DELETE https://x/").unwrap().method,
            "DELETE"
        );
    }

    #[test]
    fn headers_and_credentials() {
        let r =
            parse("curl 'https://x/' -H 'A: 1' -H'B:2' --header 'Empty;' -H 'Removed:' -b 's=1' -H ':authority: x'")
                .unwrap();
        assert_eq!(
            r.headers,
            [
                ("A".to_owned(), "1".to_owned()),
                ("B".to_owned(), "2".to_owned()),
                ("Empty".to_owned(), String::new()),
            ]
        );
        assert!(r.credentials);
        assert!(parse("curl -u me:pw https://x/").unwrap().credentials);
        assert!(
            parse("curl -H 'Cookie: a=b' https://x/")
                .unwrap()
                .credentials
        );
        assert!(!parse("curl https://x/ --compressed").unwrap().credentials);
    }

    #[test]
    fn ignored_options_consume_values() {
        let r = parse("curl -o out.txt --max-time 5 -A agent --insecure https://x/a?b=1").unwrap();
        assert_eq!(r.url.as_deref(), Some("https://x/a?b=1"));
        assert_eq!(r.ignored, ["-o", "--max-time", "-A", "--insecure"]);
        assert_eq!(
            parse("curl -X").unwrap_err(),
            CurlError::MissingValue("-X".into())
        );
        assert_eq!(parse("curl 'https://x/").unwrap_err(), CurlError::Quoting);
        assert_eq!(parse("   ").unwrap_err(), CurlError::Empty);
    }

    #[test]
    fn ansi_c_strings() {
        let r =
            parse(r#"curl https://x/ -H $'X-Note: it\'s\tok' --data-raw $'{"a":"b\nc"}'"#).unwrap();
        assert_eq!(r.header("x-note"), Some("it's\tok"));
        assert_eq!(r.method, "POST");
        let words = split(r"curl $'\x41\u00e9\101' $'a\\b'").unwrap();
        assert_eq!(words, ["curl", "AéA", "a\\b"]);
        // `$'` inside other quotes is literal.
        assert_eq!(split(r#"'$'"x""#).unwrap(), ["$x"]);
        assert_eq!(split(r#""$'a'""#).unwrap(), ["$'a'"]);
        assert_eq!(split("curl \\\r\n  -X PUT").unwrap(), ["curl", "-X", "PUT"]);
    }

    /// Arbitrary command lines never panic.
    #[test]
    fn odd_input_never_panics() {
        const WORDS: &[&str] = &[
            "curl", "-X", "-H", "-d", "--data", "--json", "'", "\"", "$'", "\\", "\\x", "\\u",
            "\\c", "-sSLX", "--url=", "-", "--", "a: b", "é", " ", "\n", "\\\n", "-b", ";",
        ];
        let mut seed = 0x9e37_79b9_u64;
        for _ in 0..5000 {
            let mut cmd = String::new();
            for _ in 0..(seed % 12) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                cmd.push_str(WORDS[(seed >> 33) as usize % WORDS.len()]);
                if seed & 1 == 0 {
                    cmd.push(' ');
                }
            }
            let _ = parse(&cmd);
        }
    }

    #[test]
    fn json_option() {
        let r = parse("curl --json '{}' https://x/").unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("content-type"), Some("application/json"));
    }

    #[test]
    fn paths() {
        assert_eq!(
            url_path("https://a.com/x/y?z=1#f").as_deref(),
            Some("/x/y?z=1")
        );
        assert_eq!(url_path("https://a.com").as_deref(), Some("/"));
        assert_eq!(url_path("https://a.com?q").as_deref(), Some("/?q"));
        assert_eq!(url_path("a.com/x"), None);
    }
}
