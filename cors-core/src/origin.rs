//! Origins: strict zero-allocation parsing of request `Origin` values, parsing of configured
//! origin patterns with precise errors, and an O(1) matcher.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use foldhash::fast::FixedState;

use crate::error::ErrorKind;
use crate::public_suffix;

/// The longest origin accepted, in bytes. Longer request origins are disallowed; longer
/// configured origins are errors. (A DNS name is at most 253 bytes.)
pub const MAX_ORIGIN_LEN: usize = 512;

/// Default ports of the WHATWG special schemes, dropped when normalizing.
fn default_port(scheme: &[u8]) -> Option<u16> {
    match scheme {
        b"http" | b"ws" => Some(80),
        b"https" | b"wss" => Some(443),
        b"ftp" => Some(21),
        _ => None,
    }
}

fn is_scheme(s: &[u8]) -> bool {
    match s.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphabetic()
                && rest
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        }
        None => false,
    }
}

/// A domain or IPv4 host: labels of `[A-Za-z0-9_-]`, separated by single dots.
fn is_reg_host(h: &[u8]) -> bool {
    !h.is_empty()
        && h.split(|&b| b == b'.').all(|label| {
            !label.is_empty()
                && label
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        })
}

/// Parses `d+` without leading zeros into a port.
fn parse_port(p: &[u8]) -> Option<u16> {
    if p.is_empty() || p.len() > 5 || (p.len() > 1 && p.first() == Some(&b'0')) {
        return None;
    }
    let mut n: u32 = 0;
    for &b in p {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    u16::try_from(n).ok()
}

/// Writes bytes into a fixed buffer; `None` when it would overflow.
struct Buf<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Buf<'_> {
    fn push(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        self.buf.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }

    fn push_lower(&mut self, bytes: &[u8]) -> Option<()> {
        let start = self.len;
        self.push(bytes)?;
        self.buf.get_mut(start..self.len)?.make_ascii_lowercase();
        Some(())
    }

    fn push_u16(&mut self, n: u16) -> Option<()> {
        let mut digits = [0u8; 5];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i -= 1;
            *digits.get_mut(i)? = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(digits.get(i..)?)
    }

    /// WHATWG URL IPv6 serialization: lower-case hex, longest run (2+) of zero pieces
    /// compressed to `::`, the first such run on ties, no embedded IPv4 form.
    fn push_ipv6(&mut self, addr: Ipv6Addr) -> Option<()> {
        let pieces = addr.segments();
        let (mut best_start, mut best_len) = (usize::MAX, 1);
        let mut i = 0;
        while i < 8 {
            if pieces.get(i) == Some(&0) {
                let start = i;
                while pieces.get(i) == Some(&0) {
                    i += 1;
                }
                if i - start > best_len {
                    (best_start, best_len) = (start, i - start);
                }
            } else {
                i += 1;
            }
        }
        self.push(b"[")?;
        let mut i = 0;
        let mut need_colon = false;
        while i < 8 {
            if i == best_start {
                self.push(b"::")?;
                i += best_len;
                need_colon = false;
                continue;
            }
            if need_colon {
                self.push(b":")?;
            }
            let piece = *pieces.get(i)?;
            let mut hex = [0u8; 4];
            let mut n = 0;
            let mut started = false;
            for shift in [12u16, 8, 4, 0] {
                let d = ((piece >> shift) & 0xf) as u8;
                if d != 0 || started || shift == 0 {
                    started = true;
                    *hex.get_mut(n)? = if d < 10 { b'0' + d } else { b'a' + d - 10 };
                    n += 1;
                }
            }
            self.push(hex.get(..n)?)?;
            need_colon = true;
            i += 1;
        }
        self.push(b"]")
    }
}

/// A syntactically valid non-`null` request origin, split.
#[derive(Debug, Clone, Copy)]
struct Parsed<'a> {
    scheme: &'a [u8],
    host: Host<'a>,
    /// Explicit port as written (validated).
    port: Option<u16>,
    /// Length of `scheme://host` in the raw value.
    host_end: usize,
    /// Whether the raw value is already normalized: lower-case, no default port, not IPv6.
    canonical: bool,
}

#[derive(Debug, Clone, Copy)]
enum Host<'a> {
    Reg(&'a [u8]),
    V6(Ipv6Addr),
}

/// Parses a request `Origin` value strictly (`scheme://host[:port]` and nothing else) in
/// one pass, one table lookup per byte.
fn parse_request(raw: &[u8]) -> Option<Parsed<'_>> {
    use crate::token::{HOST, SCHEME, UPPER, class};
    if raw.len() > MAX_ORIGIN_LEN {
        return None;
    }
    let mut upper = 0;
    // Scheme: ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") up to "://".
    let colon = raw.iter().position(|&b| b == b':')?;
    let scheme = raw.get(..colon)?;
    if !scheme.first()?.is_ascii_alphabetic() {
        return None;
    }
    for &b in scheme {
        let c = class(b);
        if c & SCHEME == 0 {
            return None;
        }
        upper |= c;
    }
    let rest = raw.get(colon..)?.strip_prefix(b"://")?;
    let (host, after) = if let Some(inner) = rest.strip_prefix(b"[") {
        let close = inner.iter().position(|&b| b == b']')?;
        let text = std::str::from_utf8(inner.get(..close)?).ok()?;
        let addr: Ipv6Addr = text.parse().ok()?;
        upper |= UPPER; // never canonical: always re-serialized
        (Host::V6(addr), inner.get(close + 1..)?)
    } else {
        // Labels of host bytes separated by single dots; no empty label.
        let mut prev_dot = true;
        let mut end = rest.len();
        for (i, &b) in rest.iter().enumerate() {
            if b == b':' {
                end = i;
                break;
            }
            let c = class(b);
            if c & HOST == 0 {
                return None;
            }
            let dot = b == b'.';
            if dot && prev_dot {
                return None;
            }
            prev_dot = dot;
            upper |= c;
        }
        if prev_dot {
            return None;
        }
        let host = rest.get(..end)?;
        // A host ending in a number is an IPv4 address (URL standard), and browsers send
        // it dotted-decimal only: any other form is no serialized origin.
        if host
            .rsplit(|&b| b == b'.')
            .next()
            .is_some_and(|l| l.first().is_some_and(u8::is_ascii_digit))
        {
            let text = std::str::from_utf8(host).ok()?;
            if ends_in_number(text) && parse_ipv4(text)?.to_string() != text {
                return None;
            }
        }
        (Host::Reg(host), rest.get(end..)?)
    };
    let port = match after {
        [] => None,
        [b':', digits @ ..] => Some(parse_port(digits)?),
        _ => return None,
    };
    let host_end = raw.len() - after.len();
    let default = match port {
        Some(p) => default_port_any_case(scheme) == Some(p),
        None => false,
    };
    Some(Parsed {
        scheme,
        host,
        port,
        host_end,
        canonical: upper & UPPER == 0 && !default,
    })
}

/// [`default_port`] for a scheme in any case.
fn default_port_any_case(scheme: &[u8]) -> Option<u16> {
    let mut buf = [0u8; 5];
    let lower = buf.get_mut(..scheme.len())?;
    lower.copy_from_slice(scheme);
    lower.make_ascii_lowercase();
    default_port(lower)
}

impl<'a> Parsed<'a> {
    /// The effective port after dropping the scheme's default.
    fn normalized_port(&self) -> Option<u16> {
        match self.port {
            Some(p) if default_port_any_case(self.scheme) == Some(p) => None,
            p => p,
        }
    }

    /// The raw value as its own normalized form (only when `canonical`).
    fn as_normalized(&self, raw: &'a [u8]) -> Normalized<'a> {
        Normalized {
            full: raw,
            scheme_len: self.scheme.len(),
            host_end: self.host_end,
            port: self.port,
            reg_host: matches!(self.host, Host::Reg(_)),
        }
    }
}

/// A request origin in normalized form: the raw value itself, or a copy in a stack buffer.
struct Normalized<'b> {
    /// `scheme://host[:port]`, lower-case, default port dropped.
    full: &'b [u8],
    /// Length of `scheme`.
    scheme_len: usize,
    /// Length of `scheme://host`.
    host_end: usize,
    port: Option<u16>,
    /// Whether the host is a domain (subdomain wildcards apply).
    reg_host: bool,
}

impl<'b> Normalized<'b> {
    fn scheme(&self) -> &'b [u8] {
        self.full.get(..self.scheme_len).unwrap_or_default()
    }
    fn host(&self) -> &'b [u8] {
        self.full
            .get(self.scheme_len + 3..self.host_end)
            .unwrap_or_default()
    }
    fn without_port(&self) -> &'b [u8] {
        self.full.get(..self.host_end).unwrap_or_default()
    }
}

fn normalize<'b>(p: &Parsed<'_>, buf: &'b mut [u8; MAX_ORIGIN_LEN + 64]) -> Option<Normalized<'b>> {
    let mut b = Buf {
        buf: &mut buf[..],
        len: 0,
    };
    b.push_lower(p.scheme)?;
    let scheme_len = b.len;
    b.push(b"://")?;
    let reg_host = match p.host {
        Host::Reg(h) => {
            b.push_lower(h)?;
            true
        }
        Host::V6(a) => {
            b.push_ipv6(a)?;
            false
        }
    };
    let host_end = b.len;
    let port = p.normalized_port();
    if let Some(port) = port {
        b.push(b":")?;
        b.push_u16(port)?;
    }
    let len = b.len;
    Some(Normalized {
        full: buf.get(..len)?,
        scheme_len,
        host_end,
        port,
        reg_host,
    })
}

/// How a configured pattern constrains the port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PortRule {
    /// No explicit port after normalization.
    Default,
    Exact(u16),
    Any,
}

impl PortRule {
    fn matches(self, port: Option<u16>) -> bool {
        match self {
            PortRule::Default => port.is_none(),
            PortRule::Exact(p) => port == Some(p),
            PortRule::Any => true,
        }
    }
}

/// A validated configured origin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Pattern {
    Null,
    /// A normalized origin, matched exactly.
    Exact(String),
    /// `scheme://host:*`: `prefix` is the normalized `scheme://host`.
    AnyPort {
        prefix: String,
    },
    /// `scheme://*.base[:port]`.
    Subdomain {
        scheme: String,
        base: String,
        port: PortRule,
    },
    /// `scheme://prefix*suffix.base[:port]`: the first label is `prefix`, one or more
    /// characters (no dot), then `suffix`.
    Label {
        scheme: String,
        prefix: String,
        suffix: String,
        base: String,
        port: PortRule,
    },
}

impl Pattern {
    /// The normalized text of the pattern, as [`Policy::config`](crate::Policy::config)
    /// shows it.
    pub(crate) fn to_config_string(&self) -> String {
        match self {
            Pattern::Null => "null".to_owned(),
            Pattern::Exact(s) => s.clone(),
            Pattern::AnyPort { prefix } => format!("{prefix}:*"),
            Pattern::Subdomain { scheme, base, port } => match port {
                PortRule::Default => format!("{scheme}://*.{base}"),
                PortRule::Exact(p) => format!("{scheme}://*.{base}:{p}"),
                PortRule::Any => format!("{scheme}://*.{base}:*"),
            },
            Pattern::Label {
                scheme,
                prefix,
                suffix,
                base,
                port,
            } => match port {
                PortRule::Default => format!("{scheme}://{prefix}*{suffix}.{base}"),
                PortRule::Exact(p) => format!("{scheme}://{prefix}*{suffix}.{base}:{p}"),
                PortRule::Any => format!("{scheme}://{prefix}*{suffix}.{base}:*"),
            },
        }
    }

    /// Whether this pattern allows a plain-http, non-loopback origin.
    pub(crate) fn is_insecure(&self) -> bool {
        let (scheme, host) = match self {
            Pattern::Null => return false,
            Pattern::Exact(s) | Pattern::AnyPort { prefix: s } => {
                let Some((scheme, rest)) = s.split_once("://") else {
                    return false;
                };
                let host = rest.rsplit_once(':').map_or(rest, |(h, p)| {
                    if p.bytes().all(|b| b.is_ascii_digit()) {
                        h
                    } else {
                        rest
                    }
                });
                (scheme, host)
            }
            Pattern::Subdomain { scheme, base, .. } | Pattern::Label { scheme, base, .. } => {
                (scheme.as_str(), base.as_str())
            }
        };
        scheme == "http" && !is_loopback_host(host)
    }
}

/// Schemes whose pages have an opaque origin: browsers send `Origin: null` for them.
const OPAQUE_SCHEMES: [&str; 3] = ["data", "javascript", "about"];

/// Parses and validates one configured origin. `Ok(None)` means `"*"`.
pub(crate) fn parse_pattern(value: &str) -> Result<Option<Pattern>, ErrorKind> {
    if value == "*" {
        return Ok(None);
    }
    if value.eq_ignore_ascii_case("null") {
        return Ok(Some(Pattern::Null));
    }
    if value.is_empty() {
        return Err(ErrorKind::EmptyOrigin);
    }
    if value.len() > MAX_ORIGIN_LEN {
        return Err(ErrorKind::OriginTooLong);
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Err(without_slashes(value));
    };
    if scheme.contains('*') {
        return Err(ErrorKind::MisplacedWildcard);
    }
    if !is_scheme(scheme.as_bytes()) {
        return Err(ErrorKind::InvalidScheme);
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "file" {
        return Err(ErrorKind::FileScheme);
    }
    if OPAQUE_SCHEMES.contains(&scheme.as_str()) {
        return Err(ErrorKind::OpaqueOrigin { scheme });
    }
    // Authority ends at the first '/', '?' or '#'.
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    if let Some((_, hostport)) = authority.rsplit_once('@') {
        return Err(ErrorKind::OriginHasUserinfo {
            suggestion: suggest(&scheme, hostport),
        });
    }
    match tail.as_bytes().first() {
        Some(b'/') => {
            return Err(ErrorKind::OriginHasPath {
                suggestion: suggest(&scheme, authority),
            });
        }
        Some(b'?') => {
            return Err(ErrorKind::OriginHasQuery {
                suggestion: suggest(&scheme, authority),
            });
        }
        Some(b'#') => {
            return Err(ErrorKind::OriginHasFragment {
                suggestion: suggest(&scheme, authority),
            });
        }
        _ => {}
    }
    let (host, port) = split_host_port(authority)?;
    let port = match port {
        None => PortRule::Default,
        Some("*") => PortRule::Any,
        Some(p) => match parse_port(p.as_bytes()) {
            Some(n) if default_port(scheme.as_bytes()) == Some(n) => PortRule::Default,
            Some(n) => PortRule::Exact(n),
            None if p.contains('*') => return Err(ErrorKind::MisplacedWildcard),
            None => return Err(ErrorKind::InvalidPort),
        },
    };
    let render = |host: &str| match port {
        PortRule::Default | PortRule::Any => format!("{scheme}://{host}"),
        PortRule::Exact(p) => format!("{scheme}://{host}:{p}"),
    };
    let render_with_port = |host: &str| match port {
        PortRule::Any => format!("{scheme}://{host}:*"),
        _ => render(host),
    };
    if !host.is_ascii() {
        return Err(ErrorKind::NonAsciiHost {
            suggestion: punycode(host).map(|h| render_with_port(&h)),
        });
    }
    let host_l = host.to_ascii_lowercase();
    let exact_or_any_port = |host: &str| match port {
        PortRule::Any => Pattern::AnyPort {
            prefix: render(host),
        },
        _ => Pattern::Exact(render(host)),
    };
    if let Some(inner) = host_l.strip_prefix('[') {
        let addr: Ipv6Addr = inner
            .strip_suffix(']')
            .and_then(|a| a.parse().ok())
            .ok_or(ErrorKind::InvalidHost)?;
        let mut buf = [0u8; 64];
        let mut b = Buf {
            buf: &mut buf,
            len: 0,
        };
        b.push_ipv6(addr).ok_or(ErrorKind::InvalidHost)?;
        let canon = std::str::from_utf8(b.buf.get(..b.len).unwrap_or_default())
            .map_err(|_| ErrorKind::InvalidHost)?
            .to_owned();
        return Ok(Some(exact_or_any_port(&canon)));
    }
    if let Some(base) = host_l.strip_prefix("*.") {
        if base.contains('*') {
            return Err(ErrorKind::MisplacedWildcard);
        }
        if !is_reg_host(base.as_bytes()) {
            return Err(ErrorKind::InvalidHost);
        }
        if ends_in_number(base) {
            return Err(ErrorKind::WildcardOverIpAddress);
        }
        if let Some(rule) = public_suffix::wildcard_violation(base) {
            return Err(ErrorKind::PublicSuffixWildcard { suffix: rule });
        }
        return Ok(Some(Pattern::Subdomain {
            scheme,
            base: base.to_owned(),
            port,
        }));
    }
    if host_l.contains('*') {
        return label_pattern(scheme, &host_l, port);
    }
    if !is_reg_host(host_l.as_bytes()) {
        return Err(ErrorKind::InvalidHost);
    }
    if ends_in_number(&host_l) {
        // The URL standard parses such a host as an IPv4 address, and browsers send it in
        // dotted-decimal form only.
        let addr = parse_ipv4(&host_l).ok_or(ErrorKind::InvalidIpv4)?;
        let canonical = addr.to_string();
        if canonical != host_l {
            return Err(ErrorKind::NonCanonicalIpv4 {
                suggestion: render_with_port(&canonical),
            });
        }
    }
    Ok(Some(exact_or_any_port(&host_l)))
}

/// A label pattern (`pr-*.preview.example.com`): one `*` inside the first label beside
/// other characters, over a base that is a domain name and no public suffix.
fn label_pattern(scheme: String, host: &str, port: PortRule) -> Result<Option<Pattern>, ErrorKind> {
    let Some((label, base)) = host.split_once('.') else {
        return Err(ErrorKind::MisplacedWildcard);
    };
    let Some((prefix, suffix)) = label.split_once('*') else {
        return Err(ErrorKind::MisplacedWildcard);
    };
    if suffix.contains('*') || base.contains('*') {
        return Err(ErrorKind::MisplacedWildcard);
    }
    // The label with one character in place of the `*` must be a valid label.
    let sample = format!("{prefix}a{suffix}");
    if !is_reg_host(sample.as_bytes()) || !is_reg_host(base.as_bytes()) {
        return Err(ErrorKind::InvalidHost);
    }
    if ends_in_number(base) {
        return Err(ErrorKind::WildcardOverIpAddress);
    }
    if let Some(rule) = public_suffix::wildcard_violation(base) {
        // `*example.com` is most likely `*.example.com` with the dot missing.
        let suggestion = (prefix.is_empty() && !suffix.starts_with('-'))
            .then(|| format!("{scheme}://*.{suffix}.{base}"));
        return Err(ErrorKind::PublicSuffixLabelPattern {
            suffix: rule,
            suggestion,
        });
    }
    Ok(Some(Pattern::Label {
        scheme,
        prefix: prefix.to_owned(),
        suffix: suffix.to_owned(),
        base: base.to_owned(),
        port,
    }))
}

/// The error for a value without `://`: an opaque-origin scheme (`data:`, `about:blank`),
/// or a missing or mistyped scheme separator, with a suggestion that keeps the host.
fn without_slashes(value: &str) -> ErrorKind {
    let (scheme, rest) = match value.split_once(':') {
        // `localhost:3000`, `example.com:*`: a host and port without a scheme.
        Some((_, rest)) if rest.starts_with(|c: char| c.is_ascii_digit() || c == '*') => {
            ("https".to_owned(), value)
        }
        Some((s, rest)) if is_scheme(s.as_bytes()) => {
            let s = s.to_ascii_lowercase();
            if OPAQUE_SCHEMES.contains(&s.as_str()) {
                return ErrorKind::OpaqueOrigin { scheme: s };
            }
            if s == "file" {
                return ErrorKind::FileScheme;
            }
            // `https:/example.com`, `https:example.com`.
            (s, rest.trim_start_matches(['/', '\\']))
        }
        _ => ("https".to_owned(), value),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    ErrorKind::MissingScheme {
        suggestion: suggest(&scheme, authority),
    }
}

/// The punycode form of a host, a leading `*.` kept as it is (feature `idn-hints`).
#[cfg(not(feature = "idn-hints"))]
fn punycode(_host: &str) -> Option<String> {
    None
}

/// The punycode form of a host, a leading `*.` kept as it is.
#[cfg(feature = "idn-hints")]
fn punycode(host: &str) -> Option<String> {
    let (wild, name) = match host.strip_prefix("*.") {
        Some(rest) => ("*.", rest),
        None => ("", host),
    };
    let ascii = idna::domain_to_ascii(name).ok()?;
    is_reg_host(ascii.as_bytes()).then(|| format!("{wild}{ascii}"))
}

/// The URL standard's "ends in a number": the last label is all digits, or `0x` followed
/// by hex digits. Such a host is an IPv4 address or invalid.
pub(crate) fn ends_in_number(host: &str) -> bool {
    let last = host.rsplit('.').next().unwrap_or(host);
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())) || ipv4_number(last).is_some()
}

/// One part of an IPv4 address as the URL standard reads it: decimal, `0x` hex, or octal
/// with a leading `0`.
fn ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (part.get(1..)?, 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        return Some(0);
    }
    // Digits of the radix only (from_str_radix would also take a sign).
    if !digits.bytes().all(|b| char::from(b).is_digit(radix)) {
        return None;
    }
    // The digits are checked and there is at least one, so the only failure left is
    // overflow: still a number, however long (leading zeros included), out of range for
    // every part, so the host is an invalid IPv4 address rather than a name.
    Some(u64::from_str_radix(digits, radix).unwrap_or(u64::MAX))
}

/// The URL standard's IPv4 parser: one to four parts, the last filling the remaining bytes.
pub(crate) fn parse_ipv4(host: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|p| ipv4_number(p))
        .collect::<Option<_>>()?;
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|&n| n > 255) {
        return None;
    }
    let remaining = 4 - u32::try_from(init.len()).ok()?;
    if *last >= 256u64.pow(remaining) {
        return None;
    }
    let mut addr = *last;
    for (i, &n) in init.iter().enumerate() {
        addr += n << (8 * (3 - i));
    }
    Some(Ipv4Addr::from(u32::try_from(addr).ok()?))
}

/// Whether a normalized host (`localhost`, `127.0.0.1`, `[::1]`) names this machine: the
/// `localhost` names, 127.0.0.0/8, `::1`, and IPv4-mapped loopback addresses.
fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|a| {
            a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        });
    }
    ends_in_number(host) && host.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

/// `host[:port]` of an authority; brackets kept on IPv6 hosts.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), ErrorKind> {
    if authority.starts_with('[') {
        let close = authority.find(']').ok_or(ErrorKind::InvalidHost)?;
        let (host, after) = authority.split_at(close + 1);
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(p) => Ok((host, Some(p))),
                None => Err(ErrorKind::InvalidHost),
            },
        };
    }
    Ok(match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    })
}

/// `scheme://authority`, lower-cased, for "did you mean" suggestions.
fn suggest(scheme: &str, authority: &str) -> String {
    format!("{scheme}://{}", authority.to_ascii_lowercase())
}

/// A set of byte strings: a short list scanned by length first (cheaper than hashing for
/// the few origins most policies list), a hash set beyond that.
#[derive(Debug, Clone)]
enum Set {
    Few(Vec<Box<[u8]>>),
    Many(HashSet<Box<[u8]>, FixedState>),
}

impl Default for Set {
    fn default() -> Self {
        Set::Few(Vec::new())
    }
}

impl Set {
    /// Up to this many entries are scanned, not hashed (measured: a hash probe of a
    /// 23-byte origin costs about as much as eight length compares and one memcmp).
    const FEW: usize = 8;

    fn insert(&mut self, item: Box<[u8]>) {
        match self {
            Set::Few(items) if items.contains(&item) => {}
            Set::Few(items) if items.len() < Set::FEW => items.push(item),
            Set::Few(items) => {
                let mut hashed: HashSet<Box<[u8]>, FixedState> = items.drain(..).collect();
                hashed.insert(item);
                *self = Set::Many(hashed);
            }
            Set::Many(hashed) => {
                hashed.insert(item);
            }
        }
    }

    #[inline]
    fn contains(&self, item: &[u8]) -> bool {
        match self {
            Set::Few(items) => items.iter().any(|i| i.len() == item.len() && **i == *item),
            Set::Many(hashed) => hashed.contains(item),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Set::Few(items) => items.is_empty(),
            Set::Many(hashed) => hashed.is_empty(),
        }
    }
}

/// Subdomain rules (scheme, port) by base host.
type SubdomainRules = HashMap<Box<[u8]>, Vec<(Box<[u8]>, PortRule)>, FixedState>;

/// One label pattern's rule for its base: scheme, the first label's prefix and suffix,
/// and the port.
#[derive(Debug, Clone)]
struct LabelRule {
    scheme: Box<[u8]>,
    prefix: Box<[u8]>,
    suffix: Box<[u8]>,
    port: PortRule,
}

impl LabelRule {
    /// Whether `label` is the prefix, one or more characters, then the suffix (the
    /// caller gives one label: no dot).
    fn matches_label(&self, label: &[u8]) -> bool {
        label.len() > self.prefix.len() + self.suffix.len()
            && label.starts_with(&self.prefix)
            && label.ends_with(&self.suffix)
    }
}

/// Why a request origin is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mismatch {
    Malformed,
    NotListed,
}

/// The compiled origin matcher: O(1) in the number of exact origins and patterns.
#[derive(Debug, Clone, Default)]
pub(crate) struct OriginSet {
    null: bool,
    exact: Set,
    any_port: Set,
    /// Subdomain patterns by base host; matched by looking up each suffix of the request
    /// host at a dot boundary.
    subdomains: SubdomainRules,
    /// Label patterns by base host; matched by looking up the host after its first label.
    labels: HashMap<Box<[u8]>, Vec<LabelRule>, FixedState>,
}

impl OriginSet {
    pub(crate) fn new(patterns: &[Pattern]) -> Self {
        let mut set = OriginSet::default();
        for p in patterns {
            match p {
                Pattern::Null => set.null = true,
                Pattern::Exact(s) => {
                    set.exact.insert(s.as_bytes().into());
                }
                Pattern::AnyPort { prefix } => {
                    set.any_port.insert(prefix.as_bytes().into());
                }
                Pattern::Subdomain { scheme, base, port } => {
                    set.subdomains
                        .entry(base.as_bytes().into())
                        .or_default()
                        .push((scheme.as_bytes().into(), *port));
                }
                Pattern::Label {
                    scheme,
                    prefix,
                    suffix,
                    base,
                    port,
                } => set
                    .labels
                    .entry(base.as_bytes().into())
                    .or_default()
                    .push(LabelRule {
                        scheme: scheme.as_bytes().into(),
                        prefix: prefix.as_bytes().into(),
                        suffix: suffix.as_bytes().into(),
                        port: *port,
                    }),
            }
        }
        set
    }

    /// Whether the raw request `Origin` value is allowed.
    pub(crate) fn check(&self, raw: &[u8]) -> Result<(), Mismatch> {
        // Bounded work: an oversized value is refused before it is hashed or scanned.
        if raw.len() > MAX_ORIGIN_LEN {
            return Err(Mismatch::Malformed);
        }
        if raw == b"null" {
            return if self.null {
                Ok(())
            } else {
                Err(Mismatch::NotListed)
            };
        }
        // Browsers send normalized origins, and every key of `exact` is a valid normalized
        // origin: a hit on the raw bytes needs no parsing at all.
        if self.exact.contains(raw) {
            return Ok(());
        }
        let parsed = parse_request(raw).ok_or(Mismatch::Malformed)?;
        if parsed.canonical {
            // Browsers send normalized origins: no copy, and the exact set already missed.
            return self.lookup_patterns(&parsed.as_normalized(raw));
        }
        let mut buf = [0u8; MAX_ORIGIN_LEN + 64];
        let n = normalize(&parsed, &mut buf).ok_or(Mismatch::Malformed)?;
        if self.exact.contains(n.full) {
            return Ok(());
        }
        self.lookup_patterns(&n)
    }

    /// The any-port and subdomain patterns (the exact origins were checked).
    fn lookup_patterns(&self, n: &Normalized<'_>) -> Result<(), Mismatch> {
        if !self.any_port.is_empty() && self.any_port.contains(n.without_port()) {
            return Ok(());
        }
        if !self.subdomains.is_empty() && n.reg_host {
            let host = n.host();
            let scheme = n.scheme();
            for (i, _) in host.iter().enumerate().filter(|&(_, &b)| b == b'.') {
                let Some(base) = host.get(i + 1..) else {
                    break;
                };
                if let Some(rules) = self.subdomains.get(base)
                    && rules
                        .iter()
                        .any(|(s, port)| &**s == scheme && port.matches(n.port))
                {
                    return Ok(());
                }
            }
        }
        if !self.labels.is_empty() && n.reg_host {
            let host = n.host();
            let dot = host.iter().position(|&b| b == b'.');
            if let Some((label, base)) = dot.and_then(|i| host.get(..i).zip(host.get(i + 1..)))
                && let Some(rules) = self.labels.get(base)
                && rules.iter().any(|r| {
                    &*r.scheme == n.scheme() && r.port.matches(n.port) && r.matches_label(label)
                })
            {
                return Ok(());
            }
        }
        Err(Mismatch::NotListed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> OriginSet {
        let ps: Vec<Pattern> = patterns
            .iter()
            .map(|p| parse_pattern(p).unwrap().unwrap())
            .collect();
        OriginSet::new(&ps)
    }

    #[test]
    fn exact_with_normalization() {
        let s = set(&["https://Example.COM:443", "http://a.test:8080"]);
        assert!(s.check(b"https://example.com").is_ok());
        assert!(s.check(b"HTTPS://EXAMPLE.com:443").is_ok());
        assert!(s.check(b"http://a.test:8080").is_ok());
        assert_eq!(s.check(b"http://a.test"), Err(Mismatch::NotListed));
        assert_eq!(s.check(b"https://example.com/"), Err(Mismatch::Malformed));
        assert_eq!(s.check(b""), Err(Mismatch::Malformed));
        assert_eq!(
            s.check(b"https://example.com:0443"),
            Err(Mismatch::Malformed)
        );
    }

    #[test]
    fn label_patterns_match_one_or_more_characters_of_one_label() {
        let s = set(&[
            "https://pr-*.preview.example.com",
            "https://*-staging.example.com",
            "http://dev-*-x.example.test:*",
        ]);
        for ok in [
            "https://pr-1.preview.example.com",
            "https://pr-abc-def.preview.example.com",
            "https://PR-1.Preview.Example.com",
            "https://pr-1.preview.example.com:443",
            "https://api-staging.example.com",
            "https://a-staging.example.com",
            "http://dev-a-x.example.test",
            "http://dev-a-x.example.test:8080",
        ] {
            assert!(s.check(ok.as_bytes()).is_ok(), "{ok}");
        }
        for no in [
            "https://pr-.preview.example.com",
            "https://pr-1.x.preview.example.com",
            "https://preview.example.com",
            "https://x.pr-1.preview.example.com",
            "https://qa-1.preview.example.com",
            "http://pr-1.preview.example.com",
            "https://pr-1.preview.example.com:8443",
            "https://pr-1.preview.example.com.evil.com",
            "https://-staging.example.com",
            "https://staging.example.com",
            "https://api-staging.example.com.evil",
            "http://dev--x.example.test",
            "http://dev-x.example.test",
        ] {
            assert!(s.check(no.as_bytes()).is_err(), "{no}");
        }
    }

    #[test]
    fn label_pattern_errors() {
        let err = |v: &str| parse_pattern(v).err();
        assert!(matches!(
            err("https://myapp-*.vercel.app"),
            Some(ErrorKind::PublicSuffixLabelPattern { suffix, suggestion: None }) if suffix == "vercel.app"
        ));
        assert!(matches!(
            err("https://pr-*.co.uk"),
            Some(ErrorKind::PublicSuffixLabelPattern { .. })
        ));
        assert!(matches!(
            err("https://a*.ck"),
            Some(ErrorKind::PublicSuffixLabelPattern { suffix, .. }) if suffix == "*.ck"
        ));
        assert_eq!(
            err("https://*example.com"),
            Some(ErrorKind::PublicSuffixLabelPattern {
                suffix: "com".into(),
                suggestion: Some("https://*.example.com".into())
            })
        );
        assert_eq!(
            err("https://pr-*-*.example.com"),
            Some(ErrorKind::MisplacedWildcard)
        );
        assert_eq!(
            err("https://pr-*.*.example.com"),
            Some(ErrorKind::MisplacedWildcard)
        );
        assert_eq!(
            err("https://a.pr-*.example.com"),
            Some(ErrorKind::MisplacedWildcard)
        );
        assert_eq!(err("https://pr-*"), Some(ErrorKind::MisplacedWildcard));
        assert_eq!(
            err("http://1*.0.0.1"),
            Some(ErrorKind::WildcardOverIpAddress)
        );
        assert_eq!(
            err("https://pr_*!.example.com"),
            Some(ErrorKind::InvalidHost)
        );
        assert_eq!(
            parse_pattern("HTTPS://PR-*.Example.COM:443")
                .unwrap()
                .unwrap()
                .to_config_string(),
            "https://pr-*.example.com"
        );
        assert_eq!(
            parse_pattern("http://dev-*.example.test:*")
                .unwrap()
                .unwrap()
                .to_config_string(),
            "http://dev-*.example.test:*"
        );
        // A label pattern over a private-network name is fine, as "localhost" is no
        // public suffix.
        assert!(parse_pattern("http://app-*.localhost:*").is_ok());
    }

    #[test]
    fn subdomain_and_port_wildcards() {
        let s = set(&["https://*.example.com", "http://localhost:*"]);
        assert!(s.check(b"https://a.example.com").is_ok());
        assert!(s.check(b"https://a.b.example.com").is_ok());
        assert!(s.check(b"https://example.com").is_err());
        assert!(s.check(b"https://aexample.com").is_err());
        assert!(s.check(b"http://a.example.com").is_err());
        assert!(s.check(b"https://a.example.com:8443").is_err());
        assert!(s.check(b"http://localhost:3000").is_ok());
        assert!(s.check(b"http://localhost").is_ok());
        assert!(s.check(b"https://localhost:3000").is_err());
    }

    #[test]
    fn ipv6_is_canonicalized() {
        let s = set(&["http://[0:0::1]:8080"]);
        assert!(s.check(b"http://[::1]:8080").is_ok());
        assert!(s.check(b"http://[0000::0001]:8080").is_ok());
        let mut buf = [0u8; 64];
        let mut b = Buf {
            buf: &mut buf,
            len: 0,
        };
        b.push_ipv6("2001:db8:0:0:1:0:0:1".parse().unwrap())
            .unwrap();
        let len = b.len;
        assert_eq!(&buf[..len], b"[2001:db8::1:0:0:1]");
        // Every hex digit, 9 and a at the boundary, in lower case.
        let mut buf = [0u8; 64];
        let mut b = Buf {
            buf: &mut buf,
            len: 0,
        };
        b.push_ipv6("9:a:F:10:abcd:ef01:2345:6789".parse().unwrap())
            .unwrap();
        let len = b.len;
        assert_eq!(&buf[..len], b"[9:a:f:10:abcd:ef01:2345:6789]");
        assert!(set(&["http://[::a]"]).check(b"http://[0::A]").is_ok());
    }

    /// 512 bytes is the longest origin, in a request and in the config.
    #[test]
    fn origins_of_the_maximum_length() {
        let middle = format!(
            "{}{}",
            format!("{}.", "a".repeat(49)).repeat(9),
            "a".repeat(49)
        );
        let longest = format!("https://{middle}.test");
        assert_eq!(longest.len(), MAX_ORIGIN_LEN);
        let longer = format!("https://a{middle}.test");
        assert!(matches!(parse_pattern(&longest), Ok(Some(_))));
        assert_eq!(parse_pattern(&longer).err(), Some(ErrorKind::OriginTooLong));
        let s = set(&["https://a.test"]);
        assert_eq!(s.check(longest.as_bytes()), Err(Mismatch::NotListed));
        assert_eq!(s.check(longer.as_bytes()), Err(Mismatch::Malformed));
        assert!(set(&[longest.as_str()]).check(longest.as_bytes()).is_ok());
    }

    #[test]
    fn request_ipv4_must_be_dotted_decimal() {
        let s = set(&["http://127.0.0.1", "http://0.0.0.0"]);
        assert!(s.check(b"http://127.0.0.1").is_ok());
        for raw in [
            &b"http://127.1"[..],
            b"http://0",
            b"http://0x7f.0.0.1",
            b"http://1.2.3.4.5",
        ] {
            assert_eq!(
                s.check(raw),
                Err(Mismatch::Malformed),
                "{}",
                raw.escape_ascii()
            );
        }
        assert_eq!(
            set(&["https://a.test"]).check(b"https://1a.test"),
            Err(Mismatch::NotListed)
        );
        // Off the exact-bytes path (a default port, upper case), IPv4 hosts still parse;
        // a last label that starts with a digit but is no number is a domain.
        assert!(s.check(b"http://127.0.0.1:80").is_ok());
        assert!(s.check(b"HTTP://127.0.0.1").is_ok());
        assert_eq!(
            set(&["https://a.test"]).check(b"https://a.1b"),
            Err(Mismatch::NotListed)
        );
    }

    #[test]
    fn request_schemes_are_letters_digits_plus_minus_dot() {
        let s = set(&["https://a.test"]);
        for raw in [
            &b"h_ttps://a.test"[..],
            b"ht~tps://a.test",
            b"1https://a.test",
            b"://a.test",
        ] {
            assert_eq!(
                s.check(raw),
                Err(Mismatch::Malformed),
                "{}",
                raw.escape_ascii()
            );
        }
        for raw in [&b"web+app://a.test"[..], b"a-b.c://a.test", b"x1://a.test"] {
            assert_eq!(
                s.check(raw),
                Err(Mismatch::NotListed),
                "{}",
                raw.escape_ascii()
            );
        }
    }

    #[test]
    fn null_only_when_listed() {
        assert!(set(&["null"]).check(b"null").is_ok());
        assert!(set(&["https://a.test"]).check(b"null").is_err());
    }

    #[test]
    fn pattern_errors() {
        assert!(matches!(
            parse_pattern("https://example.com/"),
            Err(ErrorKind::OriginHasPath { suggestion }) if suggestion == "https://example.com"
        ));
        assert!(matches!(
            parse_pattern("https://*.co.uk"),
            Err(ErrorKind::PublicSuffixWildcard { .. })
        ));
        assert!(matches!(
            parse_pattern("https://*.github.io"),
            Err(ErrorKind::PublicSuffixWildcard { .. })
        ));
        assert!(parse_pattern("http://*.localhost").is_ok());
        assert!(matches!(
            parse_pattern("https://a.*.example.com"),
            Err(ErrorKind::MisplacedWildcard)
        ));
        if !cfg!(feature = "idn-hints") {
            assert_eq!(
                parse_pattern("https://bücher.example"),
                Err(ErrorKind::NonAsciiHost { suggestion: None })
            );
            return;
        }
        assert!(matches!(
            parse_pattern("https://bücher.example"),
            Err(ErrorKind::NonAsciiHost { suggestion: Some(p) }) if p == "https://xn--bcher-kva.example"
        ));
        for (value, want) in [
            (
                "https://*.bücher.example",
                "https://*.xn--bcher-kva.example",
            ),
            (
                "https://*.bücher.example:8443",
                "https://*.xn--bcher-kva.example:8443",
            ),
            (
                "https://*.bücher.example:*",
                "https://*.xn--bcher-kva.example:*",
            ),
        ] {
            assert_eq!(
                parse_pattern(value),
                Err(ErrorKind::NonAsciiHost {
                    suggestion: Some(want.to_owned())
                }),
                "{value}"
            );
        }
    }

    fn suggestion(value: &str) -> String {
        match parse_pattern(value) {
            Err(ErrorKind::MissingScheme { suggestion }) => suggestion,
            other => panic!("{value}: {other:?}"),
        }
    }

    #[test]
    fn missing_scheme_suggestions_keep_the_host() {
        assert_eq!(suggestion("https:/example.com"), "https://example.com");
        assert_eq!(suggestion("https:example.com/x"), "https://example.com");
        assert_eq!(suggestion("HTTP:\\\\a.test"), "http://a.test");
        assert_eq!(suggestion("example.com/"), "https://example.com");
        assert_eq!(suggestion("localhost:3000"), "https://localhost:3000");
        // What precedes the colon is no scheme: the whole value is the host.
        assert_eq!(suggestion("my_app.test:x"), "https://my_app.test:x");
        assert_eq!(parse_pattern(""), Err(ErrorKind::EmptyOrigin));
    }

    #[test]
    fn opaque_schemes_are_refused() {
        for v in [
            "data:text/html,x",
            "javascript:alert(1)",
            "about:blank",
            "data://x",
            "JavaScript://x",
        ] {
            assert!(
                matches!(parse_pattern(v), Err(ErrorKind::OpaqueOrigin { .. })),
                "{v}: {:?}",
                parse_pattern(v)
            );
        }
        assert_eq!(parse_pattern("file:///x"), Err(ErrorKind::FileScheme));
    }

    #[test]
    fn ipv4_hosts_follow_the_url_standard() {
        for (v, want) in [
            ("http://127.1", "http://127.0.0.1"),
            ("http://0x7f.0.0.1", "http://127.0.0.1"),
            ("http://2130706433", "http://127.0.0.1"),
            ("http://0177.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.0.0.0x1:*", "http://127.0.0.1:*"),
            ("http://10.0.0.010", "http://10.0.0.8"),
        ] {
            assert_eq!(
                parse_pattern(v),
                Err(ErrorKind::NonCanonicalIpv4 {
                    suggestion: want.to_owned()
                }),
                "{v}"
            );
        }
        for v in [
            "http://1.2.3.4.5",
            "http://999.1.1.1",
            "https://example.123",
            "http://1.2.3.256",
            "http://08.1.1.1",
            "http://4294967296",
            "http://a.0x",
        ] {
            assert_eq!(parse_pattern(v), Err(ErrorKind::InvalidIpv4), "{v}");
        }
        assert!(parse_pattern("http://127.0.0.1:8080").is_ok());
        assert!(parse_pattern("http://0.0.0.0").is_ok());
        assert!(
            parse_pattern("https://123.example").is_ok(),
            "numeric first label is a name"
        );
        assert!(
            parse_pattern("https://example.1a").is_ok(),
            "1a is no number"
        );
        // Boundaries: 255 in every part; a fifth part, even 0; leading zeros of any length
        // are read; a number too long for 64 bits is still a number, out of range.
        assert!(parse_pattern("http://255.255.255.255").is_ok());
        assert!(
            set(&["http://255.255.255.255"])
                .check(b"HTTP://255.255.255.255")
                .is_ok()
        );
        assert_eq!(
            parse_pattern("http://1.2.3.4.0"),
            Err(ErrorKind::InvalidIpv4)
        );
        assert_eq!(
            parse_pattern("http://0x000000000001"),
            Err(ErrorKind::NonCanonicalIpv4 {
                suggestion: "http://0.0.0.1".to_owned()
            })
        );
        assert_eq!(
            parse_pattern("http://0000000000001"),
            Err(ErrorKind::NonCanonicalIpv4 {
                suggestion: "http://0.0.0.1".to_owned()
            })
        );
        assert_eq!(
            parse_pattern("http://0x0000000000000000000000001"),
            Err(ErrorKind::NonCanonicalIpv4 {
                suggestion: "http://0.0.0.1".to_owned()
            })
        );
        assert_eq!(
            parse_pattern("http://0x1ffffffffffffffffffff"),
            Err(ErrorKind::InvalidIpv4)
        );
        assert_eq!(
            parse_pattern("http://a.99999999999999999999999"),
            Err(ErrorKind::InvalidIpv4)
        );
        // A last label that is empty is no number.
        assert!(!ends_in_number("example.com."));
        assert!(ends_in_number("example.0x1f") && ends_in_number("a.12"));
    }

    #[test]
    fn wildcards_over_ip_addresses_are_refused() {
        for v in [
            "http://*.1",
            "http://*.0.0.1:*",
            "http://*.168.192",
            "http://*.0x1",
        ] {
            assert_eq!(
                parse_pattern(v),
                Err(ErrorKind::WildcardOverIpAddress),
                "{v}"
            );
        }
    }

    fn public_suffix_error(v: &str) -> Option<String> {
        match parse_pattern(v) {
            Err(ErrorKind::PublicSuffixWildcard { suffix }) => Some(suffix),
            Ok(_) => None,
            Err(e) => panic!("{v}: {e:?}"),
        }
    }

    #[test]
    fn wildcards_over_public_suffixes_are_refused() {
        for (v, rule) in [
            ("https://*.ck", "*.ck"),
            ("https://*.np", "*.np"),
            ("https://*.kawasaki.jp", "*.kawasaki.jp"),
            ("https://*.nom.br", "*.nom.br"),
            (
                "https://*.digitaloceanspaces.com",
                "*.digitaloceanspaces.com",
            ),
            (
                "https://*.compute-1.amazonaws.com",
                "*.compute-1.amazonaws.com",
            ),
            ("https://*.awdev.ca", "*.awdev.ca"),
            ("https://*.co.ck:*", "co.ck"),
            ("https://*.foo.kawasaki.jp", "foo.kawasaki.jp"),
            ("https://*.com", "com"),
            ("https://*.vercel.app", "vercel.app"),
        ] {
            assert_eq!(public_suffix_error(v).as_deref(), Some(rule), "{v}");
        }
        assert_eq!(
            public_suffix_error("https://*.www.ck"),
            None,
            "exception rule"
        );
        assert_eq!(
            public_suffix_error("https://*.city.kawasaki.jp"),
            None,
            "exception rule"
        );
        assert_eq!(public_suffix_error("http://*.localhost"), None);
        assert_eq!(public_suffix_error("https://*.example.com"), None);
    }

    /// Every wildcard and exception rule of the shipped list, not a sample: a wildcard over
    /// a wildcard rule's base, or over any name the rule makes a suffix, is refused; a
    /// wildcard over an exception's name (a registrable domain) is accepted unless the name
    /// is a public suffix by another rule.
    #[test]
    fn every_wildcard_and_exception_rule_of_the_list() {
        let mut wildcard = 0;
        let mut exception = 0;
        for rule in public_suffix::rules() {
            if let Some(base) = rule.strip_prefix("*.") {
                wildcard += 1;
                if ends_in_number(base) {
                    continue;
                }
                assert!(
                    public_suffix_error(&format!("https://*.{base}")).is_some(),
                    "*.{base}"
                );
                assert!(
                    public_suffix_error(&format!("https://*.any-name.{base}")).is_some(),
                    "*.any-name.{base}"
                );
            } else if let Some(name) = rule.strip_prefix('!') {
                exception += 1;
                assert_eq!(
                    public_suffix_error(&format!("https://*.{name}")),
                    None,
                    "*.{name}"
                );
                assert_eq!(
                    public_suffix_error(&format!("https://*.sub.{name}")),
                    None,
                    "*.sub.{name}"
                );
            } else if !ends_in_number(rule) {
                assert!(
                    public_suffix_error(&format!("https://*.{rule}")).is_some(),
                    "{rule}"
                );
            }
        }
        assert!(
            wildcard > 100 && exception > 5,
            "{wildcard} wildcard, {exception} exception rules"
        );
    }

    #[test]
    fn loopback_is_decided_on_the_address() {
        let insecure = |v: &str| parse_pattern(v).unwrap().unwrap().is_insecure();
        assert!(!insecure("http://localhost:3000"));
        assert!(!insecure("http://a.localhost"));
        assert!(!insecure("http://127.0.0.1"));
        assert!(!insecure("http://127.1.2.3:8080"));
        assert!(!insecure("http://[::1]:3000"));
        assert!(!insecure("http://[::ffff:127.0.0.1]"));
        assert!(!insecure("https://example.com"));
        assert!(insecure("http://127.evil.com"));
        assert!(insecure("http://10.0.0.1"));
        assert!(insecure("http://192.168.1.1:8080"));
        assert!(insecure("http://127.0.0.1.nip.io"));
        assert!(insecure("http://[::ffff:10.0.0.1]"));
        assert!(insecure("http://*.example.com"));
    }

    #[test]
    fn ports_are_one_to_five_digits_without_leading_zeros() {
        for (text, port) in [
            ("0", 0),
            ("8", 8),
            ("80", 80),
            ("10000", 10000),
            ("65535", 65535),
        ] {
            assert_eq!(parse_port(text.as_bytes()), Some(port), "{text}");
        }
        for text in [
            "", "08", "00", "65536", "99999", "100000", "0065535", "8a", "-1", "+8",
        ] {
            assert_eq!(parse_port(text.as_bytes()), None, "{text}");
        }
        // Through the matcher: a five-digit port matches, a sixth digit is malformed.
        let s = set(&["http://a.test:65535"]);
        assert!(s.check(b"http://a.test:65535").is_ok());
        assert_eq!(s.check(b"http://a.test:655350"), Err(Mismatch::Malformed));
    }

    #[test]
    fn default_ports_are_dropped_for_every_special_scheme() {
        for (scheme, port) in [
            ("http", 80),
            ("ws", 80),
            ("https", 443),
            ("wss", 443),
            ("ftp", 21),
        ] {
            assert_eq!(default_port(scheme.as_bytes()), Some(port), "{scheme}");
            let s = set(&[&format!("{scheme}://a.test:{port}")]);
            assert!(
                s.check(format!("{scheme}://a.test").as_bytes()).is_ok(),
                "{scheme}"
            );
        }
        assert_eq!(default_port(b"gopher"), None);
    }
}
