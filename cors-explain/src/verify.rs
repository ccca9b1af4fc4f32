//! Checking that a live server enforces a policy: a request set derived from the policy
//! (`cors verify`), each sent to the server and its answer compared with the policy's.

use std::fmt;

use cors_core::{AnyOr, Config, Policy, RequestHeader};
use http::{HeaderMap, Method, Request, StatusCode};

use crate::compare::{Difference, compare};
use crate::request::FetchRequest;
use crate::simulate::{Exchange, exchange};

/// One request of the set: what it checks, the request, and the policy's answer.
#[derive(Debug)]
pub struct Check {
    /// What the request checks, in words (`listed origin https://app.example.com`).
    pub what: String,
    /// The policy's exchange: the request and the answer it expects.
    pub expected: Exchange,
}

/// A check and what the server answered.
#[derive(Debug)]
pub struct Checked {
    /// The check.
    pub check: Check,
    /// The server's status.
    pub status: StatusCode,
    /// Where the server's answer differs from the policy's (empty: the same).
    pub differences: Vec<Difference>,
}

/// The whole run.
#[derive(Debug, Default)]
pub struct Verification {
    /// Every check, in the order sent.
    pub results: Vec<Checked>,
}

impl Verification {
    /// How many checks the server failed.
    pub fn drifts(&self) -> usize {
        self.results
            .iter()
            .filter(|r| !r.differences.is_empty())
            .count()
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.expected.request;
        let path = r.uri().path_and_query().map_or("/", |p| p.as_str());
        write!(f, "{} {path}", r.method())?;
        for h in [
            RequestHeader::Origin,
            RequestHeader::RequestMethod,
            RequestHeader::RequestHeaders,
            RequestHeader::RequestPrivateNetwork,
        ] {
            if let Some(v) = r.headers().get(h.as_str()) {
                write!(f, " {}: {}", h.as_str(), v.to_str().unwrap_or("?"))?;
            }
        }
        write!(f, " ({})", self.what)
    }
}

/// The origins to try for one scope: (origin, what it checks). Every listed entry gets
/// a matching sample and, where a near miss exists, one that must not match.
fn origins(config: &Config) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match &config.allow_origins {
        AnyOr::Any => out.push((
            "https://cors-verify.example".to_owned(),
            "any origin (\"*\")".to_owned(),
        )),
        AnyOr::List(entries) => {
            for e in entries {
                let Some((scheme, rest)) = e.split_once("://") else {
                    if e == "null" {
                        out.push(("null".into(), "listed origin null".into()));
                    }
                    continue;
                };
                let other = if scheme == "https" { "http" } else { "https" };
                if let Some(base) = rest.strip_prefix("*.") {
                    out.push((
                        format!("{scheme}://cors-verify.{base}"),
                        format!("a subdomain under {e}"),
                    ));
                    out.push((
                        format!("{scheme}://{base}"),
                        format!("the apex, outside {e}"),
                    ));
                } else if let Some(host) = rest.strip_suffix(":*") {
                    out.push((
                        format!("{scheme}://{host}:4711"),
                        format!("any port of {e}"),
                    ));
                    out.push((
                        format!("{other}://{host}:4711"),
                        format!("the other scheme, outside {e}"),
                    ));
                } else if rest.contains('*') {
                    out.push((
                        format!("{scheme}://{}", rest.replacen('*', "cors-verify", 1)),
                        format!("a label matching {e}"),
                    ));
                } else {
                    out.push((e.clone(), format!("listed origin {e}")));
                    out.push((
                        format!("{other}://{rest}"),
                        format!("the other scheme of {e}"),
                    ));
                }
            }
        }
    }
    out.push((
        "https://cors-verify.invalid".to_owned(),
        "an origin the policy does not list".to_owned(),
    ));
    // A near miss may itself be listed: its check then expects a grant, which is right.
    out.dedup();
    out
}

/// The request set for a policy: for the top level and each route, every origin sample
/// (an actual `GET` and a preflight), each allowed method and header, one that is not
/// allowed, and Private Network Access.
pub fn checks(policy: &Policy) -> Vec<Check> {
    let mut scopes: Vec<(String, String)> = Vec::new();
    let top = "/cors-verify".to_owned();
    if policy
        .for_path(top.as_bytes())
        .is_none_or(|(route, _)| route.is_none())
    {
        scopes.push((top, "top level".to_owned()));
    }
    for r in &policy.config().routes {
        let path = format!("{}/cors-verify", r.path.trim_end_matches('/'));
        scopes.push((path, format!("route {}", r.path)));
    }
    let mut out = Vec::new();
    for (path, scope) in scopes {
        let own = policy.for_path(path.as_bytes()).map(|(_, p)| p);
        let config = own.as_ref().unwrap_or(policy).config().clone();
        let origins = origins(&config);
        let mut push = |what: String, req: Request<()>, origin: &str, method: &str| {
            let fetch = FetchRequest::new(origin, method);
            out.push(Check {
                what: format!("{scope}: {what}"),
                expected: exchange(policy, req, &fetch),
            });
        };
        for (origin, what) in &origins {
            if let Ok(req) = Request::get(&path).header("origin", origin).body(()) {
                push(what.clone(), req, origin, "GET");
            }
            if let Ok(req) = preflight(&path, origin, "GET", &[], false) {
                push(format!("preflight, {what}"), req, origin, "GET");
            }
        }
        let Some((origin, _)) = origins.first() else {
            continue;
        };
        let methods: Vec<String> = match &config.allow_methods {
            AnyOr::Any => vec!["PATCH".to_owned()],
            AnyOr::List(l) => l.clone(),
        };
        for m in &methods {
            if let Ok(req) = preflight(&path, origin, m, &[], false) {
                push(format!("allowed method {m}"), req, origin, m);
            }
        }
        if let AnyOr::List(l) = &config.allow_methods
            && let Some(m) = ["PUT", "DELETE", "PATCH"]
                .iter()
                .find(|m| !l.iter().any(|x| x == *m))
            && let Ok(req) = preflight(&path, origin, m, &[], false)
        {
            push(format!("method {m}, not allowed"), req, origin, m);
        }
        let headers: Vec<String> = match &config.allow_headers {
            AnyOr::Any => vec!["x-cors-verify".to_owned()],
            AnyOr::List(l) => l.clone(),
        };
        for h in &headers {
            if let Ok(req) = preflight(&path, origin, "GET", &[h.as_str()], false) {
                push(format!("allowed header {h}"), req, origin, "GET");
            }
        }
        if let AnyOr::List(_) = &config.allow_headers
            && let Ok(req) = preflight(&path, origin, "GET", &["x-cors-verify-denied"], false)
        {
            push(
                "header x-cors-verify-denied, not allowed".into(),
                req,
                origin,
                "GET",
            );
        }
        if let Ok(req) = preflight(&path, origin, "GET", &[], true) {
            let what = if config.allow_private_network {
                "Private Network Access, allowed"
            } else {
                "Private Network Access, not allowed"
            };
            push(what.into(), req, origin, "GET");
        }
    }
    out
}

fn preflight(
    path: &str,
    origin: &str,
    method: &str,
    headers: &[&str],
    private_network: bool,
) -> Result<Request<()>, http::Error> {
    let mut b = Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header("origin", origin)
        .header("access-control-request-method", method);
    if !headers.is_empty() {
        b = b.header("access-control-request-headers", headers.join(","));
    }
    if private_network {
        b = b.header("access-control-request-private-network", "true");
    }
    b.body(())
}

/// Sends every check of `policy` through `send` and compares each answer with the
/// policy's.
///
/// # Errors
///
/// The first error of `send`.
pub fn verify<E>(
    policy: &Policy,
    mut send: impl FnMut(&Request<()>) -> Result<(StatusCode, HeaderMap), E>,
) -> Result<Verification, E> {
    let mut out = Verification::default();
    for check in checks(policy) {
        let (status, headers) = send(&check.expected.request)?;
        let differences = compare(&check.expected, status, &headers);
        out.results.push(Checked {
            check,
            status,
            differences,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::from_toml_str(
            r#"
            allow_origins = ["https://app.example.com", "https://*.example.org", "http://localhost:*"]
            allow_methods = ["GET", "PUT"]
            allow_headers = ["x-a"]
            allow_credentials = true
            max_age = 60
            [[routes]]
            path = "/public"
            allow_origins = "*"
            allow_credentials = false
            "#,
        )
        .unwrap()
    }

    #[test]
    fn the_set_covers_the_policy() {
        let checks = checks(&policy());
        let text: Vec<String> = checks.iter().map(ToString::to_string).collect();
        for part in [
            "origin: https://app.example.com (top level: listed origin",
            "origin: http://app.example.com (top level: the other scheme",
            "origin: https://cors-verify.example.org (top level: a subdomain",
            "origin: https://example.org (top level: the apex",
            "origin: http://localhost:4711 (top level: any port",
            "origin: https://cors-verify.invalid",
            "access-control-request-method: PUT (top level: allowed method PUT",
            "access-control-request-method: DELETE (top level: method DELETE, not allowed",
            "access-control-request-headers: x-a (top level: allowed header x-a",
            "x-cors-verify-denied",
            "access-control-request-private-network: true",
            "GET /public/cors-verify origin: https://cors-verify.example (route /public: any origin",
        ] {
            assert!(
                text.iter().any(|t| t.contains(part)),
                "{part}:\n{}",
                text.join("\n")
            );
        }
        // A faithful server (the engine itself) passes; one dropping Vary fails each.
        let p = policy();
        let faithful = verify(&p, |req| {
            let d = p.decide_at(req, req.uri().path().as_bytes());
            let mut h = HeaderMap::new();
            d.apply(&mut h);
            let status = match d.action() {
                cors_core::Action::Respond(s) => s,
                cors_core::Action::Forward => StatusCode::NOT_FOUND,
            };
            Ok::<_, ()>((status, h))
        })
        .unwrap();
        assert_eq!(faithful.drifts(), 0, "{faithful:?}");
        let careless = verify(&p, |req| {
            let d = p.decide_at(req, req.uri().path().as_bytes());
            let mut h = HeaderMap::new();
            d.apply(&mut h);
            h.remove("vary");
            let status = match d.action() {
                cors_core::Action::Respond(s) => s,
                cors_core::Action::Forward => StatusCode::OK,
            };
            Ok::<_, ()>((status, h))
        })
        .unwrap();
        assert!(careless.drifts() > 10, "{}", careless.drifts());
        assert!(verify(&p, |_| Err::<(StatusCode, HeaderMap), _>("down")).is_err());
    }
}
