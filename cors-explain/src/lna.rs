//! Local Network Access: Chromium's permission for a public page's requests to the user's
//! local network or own machine (Chrome 142 on). No response header grants it, so when it
//! blocks a request, the block is the permission, not CORS.
//!
//! Before 142, Chromium sent Private Network Access preflights instead
//! (`Access-Control-Request-Private-Network: true`, answered by
//! `Access-Control-Allow-Private-Network: true`, which `allow_private_network` sends);
//! they were enforced only in trials, and LNA replaced them.

use std::fmt;

/// Where a request's target is, when it is more private than the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetSpace {
    /// A private address (RFC 1918, IPv6 ULA, link-local): a router, a printer, a LAN
    /// service.
    Local,
    /// The user's own machine (`127.0.0.0/8`, `::1`, `localhost`).
    Loopback,
}

/// Which Chromium the explanation models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Chromium {
    /// Chrome 142 and later: Local Network Access, a permission prompt.
    #[default]
    Current,
    /// Chrome before 142: Private Network Access preflights.
    Before142,
}

/// What Local Network Access asks of a request from a public page to `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalNetworkAccess {
    /// Where the target is.
    pub target: TargetSpace,
    /// Whether the page is a secure context (https, or a potentially trustworthy origin).
    pub secure_context: bool,
    /// Whether the request comes from an iframe, which needs the permission delegated.
    pub iframe: bool,
}

impl LocalNetworkAccess {
    /// The permission's name since Chrome 145 (`local-network-access` in 142 to 144).
    pub fn permission(&self) -> &'static str {
        match self.target {
            TargetSpace::Local => "local-network",
            TargetSpace::Loopback => "loopback-network",
        }
    }

    /// Whether Chromium rejects the request without asking: the page is not a secure
    /// context, so the permission cannot be requested.
    pub fn rejected_without_asking(&self) -> bool {
        !self.secure_context
    }

    /// The explanation, one sentence per line.
    pub fn lines(&self) -> Vec<String> {
        let target = match self.target {
            TargetSpace::Local => "a device on the user's local network",
            TargetSpace::Loopback => "the user's own machine (loopback)",
        };
        let mut out = vec![format!(
            "the page is public and the target is {target}: Chrome 142 and later send the \
             request only after the user grants the Local Network Access permission \
             (\"{}\" since Chrome 145, \"local-network-access\" before); no response header \
             can grant it, and allow_private_network plays no part",
            self.permission()
        )];
        if self.secure_context {
            out.push(
                "the page is a secure context, so Chrome asks the user; if they refuse, fetch() \
                 fails with a TypeError and the console names Local Network Access, not CORS"
                    .to_owned(),
            );
        } else {
            out.push(
                "the page is not a secure context (http), so Chrome rejects the request without \
                 asking: serve the page over https"
                    .to_owned(),
            );
        }
        if self.iframe {
            out.push(format!(
                "from an iframe, the embedding page must delegate the permission: \
                 <iframe allow=\"{}\"> (allow=\"local-network-access\" before Chrome 145)",
                self.permission()
            ));
        }
        out.push(
            "Chrome before 142 sent a Private Network Access preflight instead \
             (Access-Control-Request-Private-Network), which allow_private_network = true \
             answers; explain it with --browser chrome-141"
                .to_owned(),
        );
        out
    }
}

impl fmt::Display for LocalNetworkAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("; "))
    }
}

/// Whether a page of `origin` is a secure context: `https`, `wss`, or a potentially
/// trustworthy host over http (`localhost`, loopback addresses).
pub fn is_secure_context(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" | "wss" => true,
        "http" | "ws" => host_space(host_of(rest)) == Some(TargetSpace::Loopback),
        _ => false,
    }
}

/// The address space of a URL's host when it is more private than public: loopback for
/// `localhost` and loopback addresses, local for private and link-local ones; `None` for
/// a public or unknown (DNS) host.
pub fn url_space(url: &str) -> Option<TargetSpace> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    host_space(host_of(rest))
}

/// The host of `authority[/path...]`, brackets dropped from IPv6.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

fn host_space(host: &str) -> Option<TargetSpace> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return Some(TargetSpace::Loopback);
    }
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        return if ip.is_loopback() {
            Some(TargetSpace::Loopback)
        } else if ip.is_private() || ip.is_link_local() {
            Some(TargetSpace::Local)
        } else {
            None
        };
    }
    if let Ok(ip) = host.parse::<std::net::Ipv6Addr>() {
        if ip.is_loopback() {
            return Some(TargetSpace::Loopback);
        }
        if let Some(v4) = ip.to_ipv4_mapped() {
            return host_space(&v4.to_string());
        }
        let first = ip.segments()[0];
        // Unique local (fc00::/7) and link-local (fe80::/10).
        return ((first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80)
            .then_some(TargetSpace::Local);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_of_hosts() {
        for (url, want) in [
            ("http://localhost:8080/x", Some(TargetSpace::Loopback)),
            ("http://api.localhost", Some(TargetSpace::Loopback)),
            ("http://127.0.0.1:3000", Some(TargetSpace::Loopback)),
            ("http://[::1]:3000/", Some(TargetSpace::Loopback)),
            ("http://192.168.1.1/admin", Some(TargetSpace::Local)),
            ("http://10.0.0.7", Some(TargetSpace::Local)),
            ("http://172.16.0.1", Some(TargetSpace::Local)),
            ("http://169.254.1.1", Some(TargetSpace::Local)),
            ("http://[fd00::1]", Some(TargetSpace::Local)),
            ("http://[fe80::1]", Some(TargetSpace::Local)),
            ("http://[::ffff:192.168.0.1]", Some(TargetSpace::Local)),
            ("http://user@10.1.2.3:81", Some(TargetSpace::Local)),
            ("https://api.example.com", None),
            ("http://8.8.8.8", None),
            ("http://[2001:db8::1]", None),
            ("not a url", None),
        ] {
            assert_eq!(url_space(url), want, "{url}");
        }
    }

    #[test]
    fn secure_contexts() {
        assert!(is_secure_context("https://app.example.com"));
        assert!(is_secure_context("http://localhost:3000"));
        assert!(is_secure_context("http://127.0.0.1"));
        assert!(!is_secure_context("http://app.example.com"));
        assert!(!is_secure_context("null"));
    }

    #[test]
    fn explanations_name_the_permission_not_cors() {
        let lna = LocalNetworkAccess {
            target: TargetSpace::Loopback,
            secure_context: false,
            iframe: true,
        };
        assert_eq!(lna.permission(), "loopback-network");
        assert!(lna.rejected_without_asking());
        let text = lna.to_string();
        for part in [
            "Local Network Access permission",
            "no response header",
            "not a secure context",
            "<iframe allow=\"loopback-network\">",
            "Private Network Access preflight",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
        let lna = LocalNetworkAccess {
            target: TargetSpace::Local,
            secure_context: true,
            iframe: false,
        };
        assert_eq!(lna.permission(), "local-network");
        assert!(!lna.rejected_without_asking());
        assert!(lna.to_string().contains("not CORS"));
    }
}
