//! Simulating a whole exchange: browser, engine, browser.

use std::fmt;

use cors_core::{Action, DenialKind, Policy, RequestHeader, RequestKind};
use http::{HeaderMap, Request, StatusCode};

use crate::browser::*;
use crate::grants::*;
use crate::headers::*;
use crate::lna::*;
use crate::request::*;

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// What a browser does: a preflight only when Fetch requires one, then the actual
    /// request if the preflight passed.
    #[default]
    Browser,
    /// Only a preflight, listing every header the request sets (as if a preflight were
    /// required).
    PreflightOnly,
}

/// The engine's denial of a request, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineDenial {
    /// The kind.
    pub kind: DenialKind,
    /// The reason in plain words (the [`Denial`](cors_core::Denial) `Display`).
    pub message: String,
}

impl fmt::Display for EngineDenial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One request the browser sends, what the engine answers, and what the browser then does.
#[derive(Debug)]
pub struct Exchange {
    /// The request the browser sends.
    pub request: Request<()>,
    /// How the engine classifies it.
    pub kind: RequestKind,
    /// What the server does.
    pub action: Action,
    /// The status the browser sees: the engine's for [`Action::Respond`], otherwise the
    /// handler's, assumed to be `200 OK`.
    pub status: StatusCode,
    /// The response headers the engine sets (`Vary` included), in order.
    pub headers: HeaderMap,
    /// Why the engine denied it, if it did.
    pub denial: Option<EngineDenial>,
    /// The rules that allowed it, if allowed.
    pub grants: Vec<Grant>,
    /// The route whose policy decided (its path), when the config has routes and one
    /// covers the request's path.
    pub route: Option<String>,
    /// Whether the deciding policy is report-only: the server would change nothing.
    pub report_only: bool,
    /// The origin is not listed, and the deciding policy leaves such origins to the
    /// server's origin predicate (`dynamic_origins`): code may still allow it.
    pub origin_left_to_code: bool,
    /// Near misses: what a small slip away would be allowed (`127.0.0.1` for
    /// `localhost`, the apex under `*.`, `patch` for `PATCH`), in words.
    pub hints: Vec<String>,
    /// What the browser does with the response.
    pub browser: Result<Accepted, Blocked>,
}

/// A whole simulated fetch.
#[derive(Debug)]
pub struct Simulation {
    /// Why a preflight is needed (empty for a simple request).
    pub preflight_reasons: Vec<PreflightReason>,
    /// Headers the script set that the browser drops (forbidden request headers).
    pub ignored_headers: Vec<String>,
    /// What Local Network Access asks of the request (Chrome 142 and later, a target
    /// more private than a public page).
    pub local_network_access: Option<LocalNetworkAccess>,
    /// The preflight, when one is sent.
    pub preflight: Option<Exchange>,
    /// The actual request, when it is sent (not after a failed preflight, not in
    /// [`Mode::PreflightOnly`]).
    pub actual: Option<Exchange>,
}

/// The end result of a simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The script can read the response (or, for [`Mode::PreflightOnly`], the preflight
    /// passed).
    Allowed,
    /// The browser blocks it.
    Blocked(Blocked),
}

/// The policy's part in a blocked outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause<'a> {
    /// The engine denied a request.
    Denied {
        /// Which request.
        stage: Stage,
        /// Why.
        denial: &'a EngineDenial,
    },
    /// The fetch used credentials `include` and `allow_credentials` is false.
    CredentialsNotAllowed,
}

impl fmt::Display for Cause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Denied {
                stage: Stage::Preflight,
                denial,
            } => write!(f, "the policy denies the preflight: {denial}"),
            Cause::Denied {
                stage: Stage::Response | Stage::Permission,
                denial,
            } => write!(f, "the policy grants the request nothing: {denial}"),
            Cause::CredentialsNotAllowed => f.write_str(
                "your fetch used credentials 'include' but allow_credentials is false; set \
                 allow_credentials = true (with listed origins) if the page must send cookies, \
                 or fetch without credentials",
            ),
        }
    }
}

impl Simulation {
    /// The policy's part when the browser blocks: which request the engine denied and
    /// why, or a setting the fetch needs; `None` when allowed or when nothing in the policy
    /// explains it.
    pub fn cause(&self) -> Option<Cause<'_>> {
        let Outcome::Blocked(blocked) = self.outcome() else {
            return None;
        };
        for (stage, ex) in [
            (Stage::Preflight, &self.preflight),
            (Stage::Response, &self.actual),
        ] {
            if let Some(denial) = ex.as_ref().and_then(|ex| ex.denial.as_ref()) {
                return Some(Cause::Denied { stage, denial });
            }
        }
        let no_credentials = [&self.preflight, &self.actual]
            .into_iter()
            .flatten()
            .any(|ex| ex.grants.contains(&Grant::NoCredentials));
        (matches!(blocked.reason, BlockReason::CredentialsNotAllowed(_)) && no_credentials)
            .then_some(Cause::CredentialsNotAllowed)
    }

    /// Whether the script gets the response.
    pub fn outcome(&self) -> Outcome {
        if let Some(lna) = self.local_network_access
            && lna.rejected_without_asking()
        {
            return Outcome::Blocked(Blocked {
                stage: Stage::Permission,
                reason: BlockReason::LocalNetworkAccessInsecure(lna.permission()),
            });
        }
        for ex in [&self.preflight, &self.actual].into_iter().flatten() {
            if let Err(b) = &ex.browser {
                return Outcome::Blocked(b.clone());
            }
        }
        Outcome::Allowed
    }
}

/// Simulates `fetch` against `policy`: the requests the browser sends to `path`, the
/// engine's answers (from [`Policy::decide`]), and the browser's checks of them.
///
/// # Errors
///
/// [`FetchError`] when `fetch()` would refuse the request before sending it.
pub fn simulate(
    policy: &Policy,
    fetch: &FetchRequest,
    path: &str,
    mode: Mode,
) -> Result<Simulation, FetchError> {
    fetch.validate()?;
    let preflight_reasons = fetch.preflight_reasons();
    let ignored_headers = fetch
        .ignored_headers()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let names = match mode {
        Mode::Browser => fetch.unsafe_header_names(),
        Mode::PreflightOnly => fetch.all_header_names(),
    };
    let local_network_access = fetch.local_network_access();
    if local_network_access.is_some_and(|l| l.rejected_without_asking()) {
        // Nothing leaves the browser.
        return Ok(Simulation {
            preflight_reasons,
            ignored_headers,
            local_network_access,
            preflight: None,
            actual: None,
        });
    }
    let preflight = if mode == Mode::PreflightOnly || !preflight_reasons.is_empty() {
        Some(exchange(
            policy,
            fetch.preflight_request(path, &names)?,
            fetch,
        ))
    } else {
        None
    };
    let preflight_ok = preflight.as_ref().is_none_or(|p| p.browser.is_ok());
    let actual = if mode == Mode::Browser && preflight_ok {
        Some(exchange(policy, fetch.actual_request(path)?, fetch))
    } else {
        None
    };
    Ok(Simulation {
        preflight_reasons,
        ignored_headers,
        local_network_access,
        preflight,
        actual,
    })
}

pub(crate) fn exchange(policy: &Policy, request: Request<()>, fetch: &FetchRequest) -> Exchange {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let decision = policy.decide_at(&request, target.as_bytes());
    let route = decision.route().map(str::to_owned);
    let report_only = decision.is_report_only();
    let origin_left_to_code = decision.pending_origin().is_some();
    let mut headers = HeaderMap::new();
    // What the policy decides, as an enforced policy would send it.
    decision
        .to_response_headers_enforced()
        .apply(policy, &mut headers);
    let kind = decision.kind();
    let action = decision.decided_action();
    let denial = decision.denial().map(|d| EngineDenial {
        kind: d.kind(),
        message: d.to_string(),
    });
    let status = match action {
        Action::Respond(s) => s,
        Action::Forward => StatusCode::OK,
    };
    let own = policy.for_path(target.as_bytes()).map(|(_, own)| own);
    let scoped = own.as_ref().unwrap_or(policy);
    let grants = grants(scoped, &request);
    let hints = match denial.as_ref().map(|d| d.kind) {
        Some(DenialKind::OriginNotAllowed | DenialKind::OriginMalformed) => {
            crate::hints::origin_hints(scoped, &fetch.origin)
        }
        Some(DenialKind::MethodNotAllowed) => crate::hints::method_hints(scoped, &fetch.method),
        _ => Vec::new(),
    };
    let mut ex = Exchange {
        request,
        kind,
        action,
        status,
        headers,
        denial,
        grants,
        route,
        report_only,
        origin_left_to_code,
        hints,
        browser: Ok(Accepted::Preflight { max_age: None }),
    };
    ex.browser = ex.browser_check(fetch, status, &ex.headers);
    ex
}

impl Exchange {
    /// What the browser does when a server answers this exchange's request of `fetch`
    /// with `status` and `headers` (the engine's answer, or a real server's).
    ///
    /// # Errors
    ///
    /// Why the browser rejects that answer.
    pub fn browser_check(
        &self,
        fetch: &FetchRequest,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Result<Accepted, Blocked> {
        match self.kind {
            RequestKind::Preflight => {
                let names: Vec<String> = self
                    .request
                    .headers()
                    .get_all(RequestHeader::RequestHeaders.header_name())
                    .iter()
                    .flat_map(|v| list_items(v.as_bytes()))
                    .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
                    .collect();
                fetch.check_preflight_for(status, headers, &names)
            }
            RequestKind::Actual | RequestKind::NotCors => fetch.check_response(headers),
        }
    }
}
