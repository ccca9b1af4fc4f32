//! Without a policy: the requests the browser sends, a real server's answers, and what the
//! browser does with them (`cors explain --url` without `--config`).

use http::{HeaderMap, Request, StatusCode};

use crate::browser::*;
use crate::headers::*;
use crate::lna::*;
use crate::request::*;
use crate::simulate::Mode;

/// One request the browser sends and what came of it.
#[derive(Debug)]
pub struct Probed {
    /// The request as the browser sends it.
    pub request: Request<()>,
    /// The server's status and headers.
    pub status: StatusCode,
    /// The server's headers.
    pub headers: HeaderMap,
    /// What the browser does with the answer.
    pub browser: Result<Accepted, Blocked>,
}

/// A whole fetch against a server.
#[derive(Debug)]
pub struct Probe {
    /// Why a preflight is needed (empty for a simple request).
    pub preflight_reasons: Vec<PreflightReason>,
    /// Local Network Access's part, when the target is more private than the page.
    pub local_network_access: Option<LocalNetworkAccess>,
    /// The preflight and the server's answer, when one is sent.
    pub preflight: Option<Probed>,
    /// The actual request and the answer, when it is sent.
    pub actual: Option<Probed>,
    /// Why nothing (more) was sent, when the browser stops early.
    pub stopped: Option<Blocked>,
}

/// What goes wrong while probing.
#[derive(Debug)]
pub enum ProbeError<E> {
    /// `fetch()` refuses the request before sending it.
    Fetch(FetchError),
    /// Sending failed.
    Send(E),
}

impl Probe {
    /// Whether the script gets the response: the first block, if any.
    pub fn blocked(&self) -> Option<&Blocked> {
        self.stopped.as_ref().or_else(|| {
            [&self.preflight, &self.actual]
                .into_iter()
                .flatten()
                .find_map(|p| p.browser.as_ref().err())
        })
    }
}

/// Sends what the browser would send for `fetch` to `path` through `send`, stopping where
/// the browser stops, and checks each answer as the browser does. `send_actual` decides
/// whether the actual request may be sent (it may change data on the server).
///
/// # Errors
///
/// [`ProbeError::Fetch`] when `fetch()` would refuse the request, [`ProbeError::Send`]
/// when `send` fails.
pub fn probe<E>(
    fetch: &FetchRequest,
    path: &str,
    mode: Mode,
    mut send: impl FnMut(&Request<()>) -> Result<(StatusCode, HeaderMap), E>,
    send_actual: impl Fn(&Request<()>) -> bool,
) -> Result<Probe, ProbeError<E>> {
    fetch.validate().map_err(ProbeError::Fetch)?;
    let preflight_reasons = fetch.preflight_reasons();
    let local_network_access = fetch.local_network_access();
    let mut out = Probe {
        preflight_reasons,
        local_network_access,
        preflight: None,
        actual: None,
        stopped: None,
    };
    if let Some(lna) = local_network_access
        && lna.rejected_without_asking()
    {
        out.stopped = Some(Blocked {
            stage: Stage::Permission,
            reason: BlockReason::LocalNetworkAccessInsecure(lna.permission()),
        });
        return Ok(out);
    }
    if mode == Mode::PreflightOnly || !out.preflight_reasons.is_empty() {
        let names = match mode {
            Mode::Browser => fetch.unsafe_header_names(),
            Mode::PreflightOnly => fetch.all_header_names(),
        };
        let request = fetch
            .preflight_request(path, &names)
            .map_err(ProbeError::Fetch)?;
        let (status, headers) = send(&request).map_err(ProbeError::Send)?;
        let browser = fetch.check_preflight_for(status, &headers, &names);
        let failed = browser.is_err();
        out.preflight = Some(Probed {
            request,
            status,
            headers,
            browser,
        });
        if failed || mode == Mode::PreflightOnly {
            return Ok(out);
        }
    }
    let request = fetch.actual_request(path).map_err(ProbeError::Fetch)?;
    if !send_actual(&request) {
        return Ok(out);
    }
    let (status, headers) = send(&request).map_err(ProbeError::Send)?;
    let browser = fetch.check_response(&headers);
    out.actual = Some(Probed {
        request,
        status,
        headers,
        browser,
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn stops_where_the_browser_stops() {
        let fetch = FetchRequest::new("https://app.example.com", "PUT");
        let mut sent = Vec::new();
        let p = probe(
            &fetch,
            "/x",
            Mode::Browser,
            |r: &Request<()>| {
                sent.push(r.method().clone());
                Ok::<_, ()>((StatusCode::NO_CONTENT, headers(&[])))
            },
            |_| true,
        )
        .unwrap();
        assert_eq!(sent, [http::Method::OPTIONS]);
        assert!(p.actual.is_none());
        assert_eq!(
            p.blocked().map(|b| b.stage),
            Some(Stage::Preflight),
            "{p:?}"
        );

        let ok = headers(&[
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-methods", "PUT"),
        ]);
        let p = probe(
            &fetch,
            "/x",
            Mode::Browser,
            |_| Ok::<_, ()>((StatusCode::OK, ok.clone())),
            |_| true,
        )
        .unwrap();
        assert!(p.blocked().is_none(), "{p:?}");
        assert!(p.actual.is_some());
        let p = probe(
            &fetch,
            "/x",
            Mode::Browser,
            |_| Ok::<_, ()>((StatusCode::OK, ok.clone())),
            |_| false,
        )
        .unwrap();
        assert!(p.actual.is_none() && p.preflight.is_some());
        let e = probe(&fetch, "/x", Mode::Browser, |_| Err("down"), |_| true).unwrap_err();
        assert!(matches!(e, ProbeError::Send("down")));
        let bad = FetchRequest::new("https://app.example.com", "CONNECT");
        assert!(matches!(
            probe(&bad, "/", Mode::Browser, |_| Err(()), |_| true),
            Err(ProbeError::Fetch(_))
        ));
        let insecure = FetchRequest::new("http://app.example.com", "GET")
            .target_space(Some(TargetSpace::Local));
        let p = probe(&insecure, "/", Mode::Browser, |_| Err(()), |_| true).unwrap();
        assert_eq!(p.blocked().map(|b| b.stage), Some(Stage::Permission));
    }
}
