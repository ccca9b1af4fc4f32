//! Near misses: a denied request that a small, common slip away would be allowed
//! (`127.0.0.1` for `localhost`, the apex under a subdomain wildcard, `patch` for `PATCH`,
//! a stray space or slash), said in words.

use cors_core::{AnyOr, Policy};

/// Hints for a request whose origin `origin` the policy does not allow.
pub(crate) fn origin_hints(policy: &Policy, origin: &str) -> Vec<String> {
    let mut out = Vec::new();
    let allowed = |o: &str| policy.origin_entry(o.as_bytes()).map(str::to_owned);

    let trimmed = origin.trim();
    if trimmed != origin {
        match allowed(trimmed) {
            Some(entry) => out.push(format!(
                "the origin has surrounding spaces, which browsers never send; without them \
                 {entry} allows it"
            )),
            None => out.push("the origin has surrounding spaces, which browsers never send".into()),
        }
    }
    let origin = trimmed;
    if let Some(stripped) = origin.strip_suffix('/') {
        let tail = allowed(stripped)
            .map(|e| format!("; as {stripped} it is allowed by {e}"))
            .unwrap_or_default();
        out.push(format!(
            "browsers send an origin without a trailing slash{tail}"
        ));
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        return out;
    };
    let (host, port) = split_port(authority);

    // The other scheme.
    let other_scheme = match scheme {
        "http" => Some("https"),
        "https" => Some("http"),
        _ => None,
    };
    if let Some(other) = other_scheme
        && let Some(entry) = allowed(&format!("{other}://{authority}"))
    {
        out.push(format!(
            "{entry} allows {other}://{authority}, not {scheme}://{authority}: browsers \
             compare the scheme exactly"
        ));
    }

    // localhost, 127.0.0.1 and [::1] are three origins.
    let loopback = ["localhost", "127.0.0.1", "[::1]"];
    if loopback.contains(&host) {
        for other in loopback.iter().filter(|h| **h != host) {
            let variant = format!(
                "{scheme}://{other}{}",
                port.map(|p| format!(":{p}")).unwrap_or_default()
            );
            if let Some(entry) = allowed(&variant) {
                let any_port = if port.is_some() {
                    format!(" (or {scheme}://{host}:*)")
                } else {
                    String::new()
                };
                out.push(format!(
                    "{entry} allows {variant}, but {host} and {other} are different origins to \
                     a browser; list {origin}{any_port} too"
                ));
                break;
            }
        }
    }

    let entries: Vec<&str> = match &policy.config().allow_origins {
        AnyOr::List(l) => l.iter().map(String::as_str).collect(),
        AnyOr::Any => Vec::new(),
    };
    // The same host on another port.
    for entry in &entries {
        let Some(rest) = entry.strip_prefix(&format!("{scheme}://{host}")) else {
            continue;
        };
        let entry_port = rest.strip_prefix(':');
        if (rest.is_empty() || entry_port.is_some())
            && entry_port != port
            && entry_port != Some("*")
        {
            out.push(format!(
                "{entry} names the same host on another port; ports must match exactly (or \
                 write {scheme}://{host}:*)"
            ));
            break;
        }
    }
    // The apex under a subdomain wildcard.
    for entry in &entries {
        let Some(rest) = entry.strip_prefix(&format!("{scheme}://*.")) else {
            continue;
        };
        let (base, _) = split_port(rest);
        if base == host {
            out.push(format!(
                "{entry} covers the subdomains of {host}, not {host} itself; list {origin} too"
            ));
            break;
        }
    }
    out
}

/// Hints for a preflight whose method the policy does not allow.
pub(crate) fn method_hints(policy: &Policy, method: &str) -> Vec<String> {
    let upper = method.to_ascii_uppercase();
    if upper == method {
        return Vec::new();
    }
    let listed = match &policy.config().allow_methods {
        AnyOr::List(l) => l.contains(&upper),
        AnyOr::Any => false,
    };
    if !listed {
        return Vec::new();
    }
    vec![format!(
        "browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT; fetch sends \
         \"{method}\" as written and methods compare case-sensitively, so write \"{upper}\" \
         in the fetch call (allow_methods lists {upper})"
    )]
}

/// `host[:port]` split; IPv6 brackets kept on the host.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.split_once("]:") {
            Some((h, p)) => (&authority[..h.len() + 1], Some(p)),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(toml: &str) -> Policy {
        Policy::from_toml_str(toml).unwrap()
    }

    fn one(hints: Vec<String>, part: &str) {
        assert!(hints.iter().any(|h| h.contains(part)), "{part}: {hints:?}");
    }

    #[test]
    fn near_misses_are_named() {
        let p = policy(
            r#"allow_origins = ["http://localhost:*", "https://*.example.com", "https://api.test:8443", "https://secure.test"]
               allow_methods = ["GET", "PATCH"]"#,
        );
        one(
            origin_hints(&p, "http://127.0.0.1:3000"),
            "127.0.0.1 and localhost are different origins",
        );
        one(
            origin_hints(&p, "http://127.0.0.1:3000"),
            "(or http://127.0.0.1:*)",
        );
        one(
            origin_hints(&p, "https://example.com"),
            "covers the subdomains of example.com, not example.com itself",
        );
        one(
            origin_hints(&p, " https://a.example.com"),
            "without them https://*.example.com allows it",
        );
        one(
            origin_hints(&p, "https://a.example.com/"),
            "as https://a.example.com it is allowed",
        );
        one(
            origin_hints(&p, "http://secure.test"),
            "browsers compare the scheme exactly",
        );
        one(
            origin_hints(&p, "https://api.test"),
            "same host on another port",
        );
        one(
            origin_hints(&p, "https://api.test:9000"),
            "same host on another port",
        );
        assert!(origin_hints(&p, "https://evil.example").is_empty());
        assert!(origin_hints(&p, "null").is_empty());
        one(method_hints(&p, "patch"), "write \"PATCH\"");
        assert!(method_hints(&p, "PURGE").is_empty());
        assert!(method_hints(&p, "purge").is_empty());
        let any = policy(r#"allow_origins = "*""#);
        assert!(origin_hints(&any, "https://x.example").is_empty());
        assert_eq!(split_port("[::1]:80"), ("[::1]", Some("80")));
        assert_eq!(split_port("[::1]"), ("[::1]", None));
    }
}
