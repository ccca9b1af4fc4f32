//! Report-only mode (docs/semantics.md, "Report-only mode"): what the policy decided
//! against what the handler's own response lets a browser do, logged when they disagree.

use std::fmt;

use crate::apply::HeaderSink;
use crate::decision::RequestKind;
use crate::denial::DenialKind;
use crate::fetch;
use crate::response::ResponseHeader;

/// Why a browser would not let a script read the handler's response (the Fetch
/// standard's CORS check, and for a preflight its CORS-preflight fetch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// A preflight answered with a status outside 200-299.
    PreflightStatus(u16),
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin,
    /// More than one `Access-Control-Allow-Origin` line.
    SeveralAllowOrigins,
    /// `Access-Control-Allow-Origin` is neither the origin nor a usable `*`.
    OriginMismatch,
    /// The policy allows credentials and the response lacks
    /// `Access-Control-Allow-Credentials: true` (or answers `*`).
    NoCredentials,
    /// A preflight's method is not in `Access-Control-Allow-Methods`.
    MethodNotAllowed,
    /// A preflight's requested header is not in `Access-Control-Allow-Headers`.
    HeaderNotAllowed,
}

impl Unreadable {
    /// A one-line description (static; the status of a preflight answer not included).
    pub const fn description(self) -> &'static str {
        match self {
            Unreadable::PreflightStatus(_) => "the preflight answer's status is not in 200-299",
            Unreadable::NoAllowOrigin => "it has no Access-Control-Allow-Origin",
            Unreadable::SeveralAllowOrigins => "it has more than one Access-Control-Allow-Origin",
            Unreadable::OriginMismatch => {
                "its Access-Control-Allow-Origin is not the request's origin"
            }
            Unreadable::NoCredentials => {
                "credentials need the exact origin and Access-Control-Allow-Credentials: true"
            }
            Unreadable::MethodNotAllowed => {
                "its Access-Control-Allow-Methods lacks the requested method"
            }
            Unreadable::HeaderNotAllowed => {
                "its Access-Control-Allow-Headers lacks a requested header"
            }
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::PreflightStatus(s) => {
                write!(f, "the preflight answer's status {s} is not in 200-299")
            }
            other => f.write_str(other.description()),
        }
    }
}

/// What a report-only decision knows about its request, for [`report`].
pub(crate) struct Report<'r> {
    pub(crate) kind: RequestKind,
    pub(crate) denial: Option<DenialKind>,
    pub(crate) route: Option<&'r str>,
    /// Whether the deciding policy allows credentials: the browser's credentials mode is
    /// not visible to the server, so the response is checked for the requests the policy
    /// is meant for.
    pub(crate) credentials: bool,
    pub(crate) origin: Option<&'r [u8]>,
    pub(crate) method: Option<&'r [u8]>,
    pub(crate) requested: Option<&'r [u8]>,
    pub(crate) status: Option<u16>,
    /// The request's method and target, for the log line, when the server gave them.
    pub(crate) request: Option<(&'r [u8], &'r [u8])>,
}

/// Whether a browser would let a script read `sink` (the handler's response), as the
/// request's origin, for a request of `r`.
pub(crate) fn readable<S: HeaderSink>(r: &Report<'_>, sink: &S) -> Result<(), Unreadable> {
    if r.kind == RequestKind::Preflight
        && let Some(s) = r.status
        && !(200..300).contains(&s)
    {
        return Err(Unreadable::PreflightStatus(s));
    }
    let mut acao = sink.values(ResponseHeader::AllowOrigin);
    let origin = acao.next().ok_or(Unreadable::NoAllowOrigin)?;
    if acao.next().is_some() {
        return Err(Unreadable::SeveralAllowOrigins);
    }
    let star = origin == b"*";
    if !star && Some(origin) != r.origin {
        return Err(Unreadable::OriginMismatch);
    }
    if r.credentials {
        let acac = sink.values(ResponseHeader::AllowCredentials).next();
        if star || acac != Some(b"true".as_slice()) {
            return Err(Unreadable::NoCredentials);
        }
    }
    if r.kind != RequestKind::Preflight {
        return Ok(());
    }
    let any_ok = !r.credentials;
    if let Some(method) = r.method
        && !fetch::is_safelisted_method(method)
    {
        let listed = sink
            .values(ResponseHeader::AllowMethods)
            .flat_map(list)
            .any(|m| m == method || (any_ok && m == b"*"));
        if !listed {
            return Err(Unreadable::MethodNotAllowed);
        }
    }
    for name in r.requested.into_iter().flat_map(list) {
        let listed = sink
            .values(ResponseHeader::AllowHeaders)
            .flat_map(list)
            .any(|h| {
                h.eq_ignore_ascii_case(name)
                    || (any_ok && h == b"*" && !name.eq_ignore_ascii_case(b"authorization"))
            });
        if !listed {
            return Err(Unreadable::HeaderNotAllowed);
        }
    }
    Ok(())
}

/// The non-empty elements of a comma list, trimmed.
fn list(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    v.split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|e| !e.is_empty())
}

/// A report-only decision set against the handler's response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOutcome {
    /// Whether the policy allows the request.
    pub policy_allows: bool,
    /// Whether the handler's response lets a browser read it (for a preflight: lets the
    /// browser send the request), and if not why.
    pub handler: Result<(), Unreadable>,
}

impl ReportOutcome {
    /// Whether the policy and the handler's response disagree.
    pub fn disagrees(&self) -> bool {
        self.policy_allows != self.handler.is_ok()
    }
}

/// Reports a report-only decision against the handler's response: one `info` line on
/// target `cors::report` when the two disagree, `debug` when they agree. `None` for a
/// request that is not CORS.
pub(crate) fn report<S: HeaderSink>(r: &Report<'_>, sink: &S) -> Option<ReportOutcome> {
    if r.kind == RequestKind::NotCors {
        return None;
    }
    let handler = readable(r, sink);
    let outcome = ReportOutcome {
        policy_allows: r.denial.is_none(),
        handler,
    };
    let route = r.route.unwrap_or("");
    let policy = match r.denial {
        None => "allow",
        Some(_) => "deny",
    };
    let reason = r.denial.map_or("", DenialKind::as_str);
    let origin = r.origin.map(|o| o.escape_ascii().to_string());
    // `GET /api/x: ` in front of the message, so each disagreement names its request.
    let request = r.request.map_or(String::new(), |(m, t)| {
        let mut t = t.escape_ascii().to_string();
        t.truncate(200);
        format!("{} {t}: ", m.escape_ascii())
    });
    match (r.denial, handler) {
        (None, Ok(())) | (Some(_), Err(_)) => tracing::debug!(
            target: "cors::report",
            kind = ?r.kind, route, policy, reason, origin,
            "CORS report-only: {request}the policy and the handler's response agree"
        ),
        (None, Err(why)) => tracing::info!(
            target: "cors::report",
            kind = ?r.kind, route, policy, reason, origin, handler = "deny",
            "CORS report-only: {request}the policy would allow this request, but the \
             browser cannot read the handler's response: {why}"
        ),
        (Some(kind), Ok(())) => tracing::info!(
            target: "cors::report",
            kind = ?r.kind, route, policy, reason, origin, handler = "allow",
            "CORS report-only: {request}the policy would deny this request ({}), but the \
             handler's response lets the browser read it",
            kind.description()
        ),
    }
    Some(outcome)
}
