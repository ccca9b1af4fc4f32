//! Origins: strict zero-allocation parsing of request `Origin` values, parsing of configured
//! origin patterns with precise errors, and an O(1) matcher.

use std::collections::{HashMap, HashSet};
use std::net::Ipv6Addr;

use foldhash::fast::FixedState;

use crate::error::ErrorKind;

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
        (Host::Reg(rest.get(..end)?), rest.get(end..)?)
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
            Pattern::Subdomain { scheme, base, .. } => (scheme.as_str(), base.as_str()),
        };
        let loopback = host == "localhost"
            || host.ends_with(".localhost")
            || host == "[::1]"
            || host.starts_with("127.");
        scheme == "http" && !loopback
    }
}

/// Parses and validates one configured origin. `Ok(None)` means `"*"`.
pub(crate) fn parse_pattern(value: &str) -> Result<Option<Pattern>, ErrorKind> {
    if value == "*" {
        return Ok(None);
    }
    if value.eq_ignore_ascii_case("null") {
        return Ok(Some(Pattern::Null));
    }
    if value.len() > MAX_ORIGIN_LEN {
        return Err(ErrorKind::OriginTooLong);
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        let host = value.trim_end_matches('/');
        return Err(ErrorKind::MissingScheme {
            suggestion: format!("https://{}", host.to_ascii_lowercase()),
        });
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
    if !host.is_ascii() {
        let punycode = idna::domain_to_ascii(host)
            .ok()
            .filter(|p| is_reg_host(p.as_bytes()));
        return Err(ErrorKind::NonAsciiHost { punycode });
    }
    let host_l = host.to_ascii_lowercase();
    let render = |host: &str| match port {
        PortRule::Default => format!("{scheme}://{host}"),
        PortRule::Exact(p) => format!("{scheme}://{host}:{p}"),
        PortRule::Any => format!("{scheme}://{host}"),
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
        return Ok(Some(match port {
            PortRule::Any => Pattern::AnyPort {
                prefix: render(&canon),
            },
            _ => Pattern::Exact(render(&canon)),
        }));
    }
    if let Some(base) = host_l.strip_prefix("*.") {
        if base.contains('*') {
            return Err(ErrorKind::MisplacedWildcard);
        }
        if !is_reg_host(base.as_bytes()) {
            return Err(ErrorKind::InvalidHost);
        }
        if let Some(s) = psl::suffix(base.as_bytes())
            && s.is_known()
            && s.as_bytes() == base.as_bytes()
        {
            return Err(ErrorKind::PublicSuffixWildcard {
                suffix: base.to_owned(),
            });
        }
        return Ok(Some(Pattern::Subdomain {
            scheme,
            base: base.to_owned(),
            port,
        }));
    }
    if host_l.contains('*') {
        return Err(ErrorKind::MisplacedWildcard);
    }
    if !is_reg_host(host_l.as_bytes()) {
        return Err(ErrorKind::InvalidHost);
    }
    Ok(Some(match port {
        PortRule::Any => Pattern::AnyPort {
            prefix: render(&host_l),
        },
        _ => Pattern::Exact(render(&host_l)),
    }))
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

type Set = HashSet<Box<[u8]>, FixedState>;

/// Subdomain rules (scheme, port) by base host.
type SubdomainRules = HashMap<Box<[u8]>, Vec<(Box<[u8]>, PortRule)>, FixedState>;

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
            }
        }
        set
    }

    /// Whether the raw request `Origin` value is allowed.
    pub(crate) fn check(&self, raw: &[u8]) -> Result<(), Mismatch> {
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
            // Browsers send normalized origins: no copy.
            return self.lookup(&parsed.as_normalized(raw));
        }
        let mut buf = [0u8; MAX_ORIGIN_LEN + 64];
        let n = normalize(&parsed, &mut buf).ok_or(Mismatch::Malformed)?;
        self.lookup(&n)
    }

    fn lookup(&self, n: &Normalized<'_>) -> Result<(), Mismatch> {
        if self.exact.contains(n.full) {
            return Ok(());
        }
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
        assert!(matches!(
            parse_pattern("https://bücher.example"),
            Err(ErrorKind::NonAsciiHost { punycode: Some(p) }) if p == "xn--bcher-kva.example"
        ));
    }
}
