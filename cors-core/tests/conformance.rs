//! The conformance table (tests/conformance) run in process against cors-core, with the
//! route server of the table's README simulated: `Forward` gets the route's response and
//! then the decision's headers; `Respond` gets its status, an empty body and the headers.

use cors_conformance::{
    Case, Response, TableFile, check, invalid_dir, load, load_invalid, missing_from, table_dir,
};
use cors_core::{Action, Config, Format, Policy};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};

fn policy(file: &TableFile) -> Result<Policy, String> {
    let config = Config::from_toml_str(&file.config_toml()).map_err(|e| e.to_string())?;
    Policy::compile(&config)
        .map(|c| c.policy)
        .map_err(|e| e.to_string())
}

fn request(case: &Case) -> Result<Request<()>, String> {
    let method = Method::from_bytes(case.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = Request::builder()
        .method(method)
        .uri(case.path.as_str())
        .body(())
        .map_err(|e| e.to_string())?;
    for (name, value) in &case.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("{name}: {e}"))?;
        let value = HeaderValue::from_bytes(value).map_err(|e| format!("{value:?}: {e}"))?;
        req.headers_mut().append(name, value);
    }
    Ok(req)
}

/// The route server's answer: status, headers, body, whether a handler ran.
fn route(method: &Method, path: &str) -> (StatusCode, HeaderMap, &'static str) {
    let path = path.split('?').next().unwrap_or_default();
    let mut headers = HeaderMap::new();
    let handled = |headers: &mut HeaderMap| {
        headers.insert("x-handler", HeaderValue::from_static("reached"));
    };
    let (status, body) = if path == "/anything" || path.starts_with("/anything/") {
        handled(&mut headers);
        (StatusCode::OK, "ok")
    } else if let Some(code) = path.strip_prefix("/status/") {
        handled(&mut headers);
        let status = code
            .parse::<u16>()
            .ok()
            .filter(|c| (200..=599).contains(c))
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
        (status, "")
    } else if path == "/vary" {
        handled(&mut headers);
        headers.insert("vary", HeaderValue::from_static("Accept-Encoding"));
        (StatusCode::OK, "ok")
    } else if path == "/own-acao" {
        handled(&mut headers);
        headers.insert(
            "access-control-allow-origin",
            HeaderValue::from_static("https://handler.invalid"),
        );
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::NOT_FOUND, "")
    };
    let body = if method == Method::HEAD || status == StatusCode::NO_CONTENT {
        ""
    } else {
        body
    };
    (status, headers, body)
}

fn run(policy: &Policy, case: &Case) -> Result<Response, String> {
    let req = request(case)?;
    let decision = policy.decide_at(&req, case.path.as_bytes());
    let (status, mut headers, body) = match decision.action() {
        Action::Forward => route(req.method(), &case.path),
        Action::Respond(status) => (status, HeaderMap::new(), ""),
    };
    decision.apply(&mut headers);
    Ok(Response {
        status: status.as_u16(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect(),
        body: body.as_bytes().to_vec(),
    })
}

#[test]
fn conformance_table() {
    let files = load(&table_dir()).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut cases = 0;
    for file in &files {
        let policy = match policy(file) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: config does not compile: {e}", file.name));
                continue;
            }
        };
        for case in &file.cases {
            cases += 1;
            let diffs = match run(&policy, case) {
                Ok(resp) => check(&case.expect, &resp),
                Err(e) => vec![format!("cannot build the request: {e}")],
            };
            for d in diffs {
                failures.push(format!("{}::{}: {d}", file.name, case.name));
            }
        }
    }
    assert!(cases > 0, "the table is empty");
    assert!(
        failures.is_empty(),
        "{} conformance difference(s) over {cases} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The invalid-config table: each config is refused with exactly its error codes, and the
/// message names every path it lists.
#[test]
fn invalid_configs_are_refused() {
    let configs = load_invalid(&invalid_dir()).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for c in &configs {
        let format = Format::from_extension(&c.format).expect("the loader checks formats");
        let (text, mut codes) = match Config::from_str_format(&c.text, format) {
            Err(e) => (e.to_string(), vec![e.code().to_owned()]),
            Ok(config) => match Policy::compile(&config) {
                Ok(_) => {
                    failures.push(format!("{}: compiled", c.label));
                    continue;
                }
                Err(errors) => (
                    errors.to_string(),
                    errors.iter().map(|e| e.code().to_owned()).collect(),
                ),
            },
        };
        for m in missing_from(c, &text, None) {
            failures.push(format!("{}: {m}: {text}", c.label));
        }
        if !c.codes.is_empty() {
            let mut want = c.codes.clone();
            want.sort();
            codes.sort();
            if codes != want {
                failures.push(format!(
                    "{}: codes {codes:?}, want {want:?}: {text}",
                    c.label
                ));
            }
        } else if codes != ["L004"] {
            failures.push(format!(
                "{}: codes {codes:?}, want a syntax error: {text}",
                c.label
            ));
        }
    }
    assert!(configs.len() >= 20, "{} invalid configs", configs.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
