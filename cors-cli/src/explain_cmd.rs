//! `cors explain`: builds the request from the arguments (or a cURL command), runs
//! `cors_explain::simulate`, and presents it; with `--url`, also asks a real server.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use cors_core::{Action, Config, Policy, RequestKind, is_owned_header};
use cors_explain::{
    self as explain, Chromium, CredentialsMode, Exchange, FetchRequest, Mode, Outcome, Stage,
    TargetSpace,
};
use http::{HeaderMap, StatusCode};

use crate::client::{Client, Target};
use crate::curl;
use crate::style::Style;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// The explain command's inputs.
#[derive(Debug)]
pub struct Options {
    pub config: Option<PathBuf>,
    pub origin: Option<String>,
    pub method: Option<String>,
    pub headers: Vec<String>,
    pub preflight: bool,
    pub credentials: bool,
    pub private_network: bool,
    pub loopback: bool,
    pub iframe: bool,
    pub before_142: bool,
    pub path: Option<String>,
    pub curl: Option<String>,
    pub url: Option<String>,
    pub send_actual: bool,
    pub timeout: Duration,
    pub cacert: Option<PathBuf>,
}

/// What to print and the exit status.
pub struct Output {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    fn error(message: impl std::fmt::Display) -> Output {
        Output {
            code: EXIT_ERROR,
            stdout: String::new(),
            stderr: format!("cors: error: {message}\n"),
        }
    }
}

/// The request to explain, and notes on how it was read.
struct Input {
    fetch: FetchRequest,
    mode: Mode,
    path: String,
    notes: Vec<String>,
}

pub fn run(opts: &Options, style: Style) -> Output {
    let Some(config) = &opts.config else {
        return run_probe(opts, style);
    };
    let (policy, warnings) = match load_policy(config) {
        Ok(p) => p,
        Err(e) => return Output::error(e),
    };
    let target = match opts.url.as_deref().map(Target::parse).transpose() {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    let client = match target
        .as_ref()
        .map(|_| Client::new(opts.timeout, opts.cacert.as_deref()))
        .transpose()
    {
        Ok(c) => c,
        Err(e) => return Output::error(e),
    };
    let input = match read_input(opts, target.as_ref()) {
        Ok(i) => i,
        Err(e) => return Output::error(e),
    };
    let sim = match explain::simulate(&policy, &input.fetch, &input.path, input.mode) {
        Ok(s) => s,
        Err(e) => return Output::error(e),
    };

    let mut out = String::new();
    if warnings > 0 {
        let _ = writeln!(
            out,
            "{} the config has {warnings} warning{}; run `cors check {}`\n",
            style.yellow("Note:"),
            if warnings == 1 { "" } else { "s" },
            config.display()
        );
    }
    render_request(&mut out, style, &input);
    if let Some(ex) = sim.preflight.as_ref().or(sim.actual.as_ref()) {
        match &ex.route {
            Some(r) => {
                let _ = writeln!(out, "  route: {r} (its policy decides)");
            }
            None if !policy.config().routes.is_empty() => {
                let _ = writeln!(
                    out,
                    "  route: none covers {} (the top-level policy decides)",
                    input.path
                );
            }
            None => {}
        }
        if ex.report_only {
            let _ = writeln!(
                out,
                "  mode: report-only: the server changes nothing; below is what the policy \
                 would do"
            );
        }
    }
    render_reasons(
        &mut out,
        style,
        &input,
        &sim.ignored_headers,
        &sim.preflight_reasons,
    );
    let mut code = match sim.outcome() {
        Outcome::Allowed => EXIT_OK,
        Outcome::Blocked(_) => EXIT_FINDINGS,
    };
    let mut stderr = String::new();
    let mut server_blocked = None;
    let mut differs = false;
    let mut server_stop = false;
    for (title, ex) in [
        ("Preflight", &sim.preflight),
        ("Actual request", &sim.actual),
    ] {
        let Some(ex) = ex else {
            if title == "Actual request" && input.mode == Mode::Browser {
                let _ = writeln!(out, "\n{}", style.bold(title));
                let why = if sim
                    .local_network_access
                    .is_some_and(|l| l.rejected_without_asking())
                {
                    "Local Network Access rejects it before anything is sent"
                } else {
                    "the browser stops after the failed preflight"
                };
                let _ = writeln!(out, "  not sent: {why}");
            }
            continue;
        };
        let _ = writeln!(out, "\n{}", style.bold(title));
        render_exchange(&mut out, style, ex);
        let (Some(target), Some(client)) = (&target, &client) else {
            continue;
        };
        if server_stop {
            let _ = writeln!(
                out,
                "  server: not sent (the browser stops after the server's failed preflight)"
            );
            continue;
        }
        let method = ex.request.method().as_str();
        if ex.kind == RequestKind::Actual && !matches!(method, "GET" | "HEAD") && !opts.send_actual
        {
            let _ = writeln!(
                out,
                "  server: not sent ({method} may change data on the server; pass \
                 --send-actual to send it)"
            );
            continue;
        }
        match client.send(target, &ex.request) {
            Ok((status, headers)) => {
                let verdict =
                    render_server(&mut out, style, target, ex, &input.fetch, status, &headers);
                differs |= verdict.differs;
                if let Err(b) = verdict.browser {
                    server_stop = b.stage == Stage::Preflight;
                    server_blocked.get_or_insert(b);
                }
            }
            Err(e) => {
                let _ = writeln!(stderr, "cors: error: {e}");
                code = EXIT_ERROR;
                break;
            }
        }
    }

    let _ = writeln!(out);
    match sim.outcome() {
        Outcome::Allowed if input.mode == Mode::PreflightOnly => {
            let _ = writeln!(out, "{} the preflight passes", style.green("Result:"));
        }
        Outcome::Allowed => {
            let _ = writeln!(
                out,
                "{} allowed: the script can read the response",
                style.green("Result:")
            );
            render_provided(&mut out, style, sim.local_network_access);
        }
        Outcome::Blocked(b) => {
            let _ = writeln!(out, "{} blocked: {b}", style.red("Result:"));
            if let Some(cause) = sim.cause() {
                let _ = writeln!(out, "{} {cause}", style.bold("Cause:"));
            }
        }
    }
    // The method as the browser sends it: some servers refuse it before any CORS code.
    if input.mode != Mode::PreflightOnly
        && let Some(limit) = cors_core::MethodLimit::of(input.fetch.normalized_method().as_bytes())
    {
        let _ = writeln!(
            out,
            "{} {}, before any CORS code runs, so there this request fails whatever the \
             policy says (see Server limits in docs/semantics.md)",
            style.bold("Servers:"),
            limit.describe()
        );
    }
    if target.is_some() && code != EXIT_ERROR {
        match (&server_blocked, differs) {
            (None, false) => {
                let _ = writeln!(
                    out,
                    "{} the server agrees with the policy",
                    style.green("Server:")
                );
            }
            (None, true) => {
                let _ = writeln!(
                    out,
                    "{} the server differs from the policy (see above)",
                    style.red("Server:")
                );
            }
            (Some(b), _) => {
                let _ = writeln!(
                    out,
                    "{} with the server's answers, {b}",
                    style.red("Server:")
                );
            }
        }
        if differs || server_blocked.is_some() {
            code = EXIT_FINDINGS;
        }
    }
    Output {
        code,
        stdout: out,
        stderr,
    }
}

/// The policy and how many warnings its config has.
fn load_policy(path: &PathBuf) -> Result<(Policy, usize), String> {
    let config = Config::from_path(path).map_err(|e| e.to_string())?;
    Policy::compile(&config)
        .map(|c| (c.policy, c.warnings.len()))
        .map_err(|errors| format!("{}: {errors}", path.display()))
}

fn read_input(opts: &Options, target: Option<&Target>) -> Result<Input, String> {
    let credentials = |yes: bool| {
        if yes {
            CredentialsMode::Include
        } else {
            CredentialsMode::SameOrigin
        }
    };
    if let Some(command) = &opts.curl {
        return read_curl(opts, command, target, credentials);
    }
    let origin = opts.origin.clone().unwrap_or_default();
    let mut fetch = FetchRequest::new(origin, opts.method.as_deref().unwrap_or("GET"))
        .credentials(credentials(opts.credentials));
    for raw in &opts.headers {
        let (name, value) = match raw.split_once(':') {
            Some((n, v)) => (n.trim(), v.trim()),
            None => (raw.trim(), ""),
        };
        if name.is_empty() {
            return Err(format!("--header {raw:?}: write NAME or NAME:VALUE"));
        }
        fetch = fetch.header(name, value);
    }
    let path = opts
        .path
        .clone()
        .or_else(|| target.map(|t| t.path.clone()))
        .unwrap_or_else(|| "/".to_owned());
    let fetch = place(fetch, opts, opts.url.as_deref(), false);
    Ok(Input {
        fetch,
        mode: if opts.preflight {
            Mode::PreflightOnly
        } else {
            Mode::Browser
        },
        path,
        notes: Vec::new(),
    })
}

/// Headers a browser adds itself that a devtools copy includes, beyond the forbidden
/// request headers: never set by the page's script in a copy.
fn browser_added(name: &str, value: &str, all: &[(String, String)]) -> bool {
    let name = name.to_ascii_lowercase();
    let disable_cache = all
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("pragma") && v.eq_ignore_ascii_case("no-cache"));
    explain::is_forbidden_request_header(&name, value)
        || matches!(name.as_str(), "user-agent" | "priority")
        // Devtools' "Disable cache" adds both of these.
        || (disable_cache
            && matches!(name.as_str(), "pragma" | "cache-control")
            && value.eq_ignore_ascii_case("no-cache"))
}

fn read_curl(
    opts: &Options,
    command: &str,
    target: Option<&Target>,
    credentials: impl Fn(bool) -> CredentialsMode,
) -> Result<Input, String> {
    let copied = crate::copied::parse(command)?;
    let parsed = copied.request;
    let mut notes = copied.notes;
    let header = |name: &str| parsed.header(name);
    let origin = opts
        .origin
        .clone()
        .or_else(|| header("origin").map(str::to_owned))
        .ok_or_else(|| {
            "the copied request has no Origin header and no referrer to take it from \
             (browsers send none for same-origin GET requests); pass --origin"
                .to_owned()
        })?;
    if let Some(url) = &parsed.url {
        notes.push(format!("from the cURL command for {url}"));
    }
    if let Some(m @ ("navigate" | "no-cors" | "same-origin" | "websocket")) =
        header("sec-fetch-mode")
    {
        notes.push(format!(
            "note: sec-fetch-mode is {m}, so the browser did not make a CORS request; \
             explaining it as if a script had fetched it"
        ));
    }
    if header("sec-fetch-site") == Some("same-origin") {
        notes.push(
            "note: sec-fetch-site is same-origin: CORS does not apply between a page and its \
             own origin"
                .to_owned(),
        );
    }

    let is_preflight = parsed.method.eq_ignore_ascii_case("OPTIONS")
        && header("access-control-request-method").is_some();
    let mut fetch;
    let mode;
    if is_preflight {
        notes.push("this is a copy of a preflight: explaining the preflight only".to_owned());
        fetch = FetchRequest::new(
            origin,
            header("access-control-request-method").unwrap_or_default(),
        );
        for line in parsed
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("access-control-request-headers"))
        {
            for name in line.1.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                fetch = fetch.header(name, "");
            }
        }
        mode = Mode::PreflightOnly;
    } else {
        fetch = FetchRequest::new(origin, parsed.method.clone());
        let mut dropped = Vec::new();
        for (name, value) in &parsed.headers {
            if browser_added(name, value, &parsed.headers) {
                let name = name.to_ascii_lowercase();
                if !dropped.contains(&name) {
                    dropped.push(name);
                }
            } else {
                fetch = fetch.header(name.clone(), value.clone());
            }
        }
        if !dropped.is_empty() {
            notes.push(format!(
                "set by the browser, not the script (left out): {}",
                dropped.join(", ")
            ));
        }
        mode = if opts.preflight {
            Mode::PreflightOnly
        } else {
            Mode::Browser
        };
    }
    if parsed.credentials && !opts.credentials {
        notes.push("credentials 'include': the command sends cookies or HTTP auth".to_owned());
    }
    fetch = fetch.credentials(credentials(parsed.credentials || opts.credentials));
    // A copied Private Network Access preflight comes from Chrome before 142.
    let pna_copied = header("access-control-request-private-network") == Some("true");
    let url = opts.url.as_deref().or(parsed.url.as_deref());
    let fetch = place(fetch, opts, url, pna_copied);
    let path = opts
        .path
        .clone()
        .or_else(|| target.map(|t| t.path.clone()))
        .or_else(|| parsed.url.as_deref().and_then(curl::url_path))
        .unwrap_or_else(|| "/".to_owned());
    Ok(Input {
        fetch,
        mode,
        path,
        notes,
    })
}

/// Where the target is relative to the page (from the flags, else from the URL when the
/// page is public), whether the script runs in an iframe, and the browser modelled.
fn place(fetch: FetchRequest, opts: &Options, url: Option<&str>, pna_copied: bool) -> FetchRequest {
    let page_public = explain::url_space(&fetch.origin).is_none();
    let space = if opts.loopback {
        Some(TargetSpace::Loopback)
    } else if opts.private_network || pna_copied {
        Some(TargetSpace::Local)
    } else if page_public {
        url.and_then(explain::url_space)
    } else {
        None
    };
    let chromium = if opts.before_142 || pna_copied {
        Chromium::Before142
    } else {
        Chromium::Current
    };
    fetch
        .target_space(space)
        .iframe(opts.iframe)
        .chromium(chromium)
}

fn render_request(out: &mut String, style: Style, input: &Input) {
    let f = &input.fetch;
    let (method, path, origin) = (f.normalized_method(), &input.path, &f.origin);
    if input.mode == Mode::PreflightOnly {
        let _ = writeln!(out, "{}", style.bold("Request (preflight only)"));
        let _ = writeln!(
            out,
            "  a preflight for {method} {path} from origin {origin}"
        );
        let mut names: Vec<String> = f
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            let _ = writeln!(out, "  asking for no headers");
        } else {
            let _ = writeln!(out, "  asking for headers: {}", names.join(", "));
        }
    } else {
        let _ = writeln!(out, "{}", style.bold("Request"));
        let _ = writeln!(out, "  {method} {path} from origin {origin}");
    }
    let creds = match f.credentials {
        CredentialsMode::Include => "include",
        _ => "same-origin (the fetch default: none cross-origin)",
    };
    let _ = writeln!(out, "  credentials: {creds}");
    if input.mode == Mode::Browser {
        if f.headers.is_empty() {
            let _ = writeln!(out, "  script headers: none");
        } else {
            let _ = writeln!(out, "  script headers:");
            for (n, v) in &f.headers {
                let _ = writeln!(out, "    {}", header_line(n, v.as_bytes()));
            }
        }
    }
    if let Some(lna) = f.local_network_access() {
        let _ = writeln!(out, "  {}", style.bold("Local Network Access:"));
        for line in lna.lines() {
            let _ = writeln!(out, "    - {line}");
        }
    } else if f.private_network_preflight() {
        let _ = writeln!(
            out,
            "  private network: the target is more private than the page (Chrome before 142: \
             a Private Network Access preflight)"
        );
    }
    for note in &input.notes {
        let _ = writeln!(out, "  {note}");
    }
}

/// `name: value`, without a trailing space for an empty value, bytes escaped.
fn header_line(name: &str, value: &[u8]) -> String {
    if value.is_empty() {
        format!("{name}:")
    } else {
        format!("{name}: {}", value.escape_ascii())
    }
}

fn render_reasons(
    out: &mut String,
    style: Style,
    input: &Input,
    ignored_headers: &[String],
    preflight_reasons: &[explain::PreflightReason],
) {
    if !ignored_headers.is_empty() || input.mode == Mode::Browser {
        let _ = writeln!(out);
    }
    for name in ignored_headers {
        let _ = writeln!(
            out,
            "{} browsers never let a script set {name}; the browser drops it",
            style.yellow("Note:")
        );
    }
    if input.mode == Mode::PreflightOnly {
        return;
    }
    if preflight_reasons.is_empty() {
        let _ = writeln!(
            out,
            "{} a simple request (safelisted method and headers)",
            style.bold("No preflight:")
        );
    } else {
        let _ = writeln!(out, "{}", style.bold("Preflight needed, because:"));
        for r in preflight_reasons {
            let _ = writeln!(out, "  - {r}");
        }
    }
}

/// `explain --url` without `--config`: what the browser sends, what the server answers,
/// and what the browser does with it.
fn run_probe(opts: &Options, style: Style) -> Output {
    let Some(url) = opts.url.as_deref() else {
        return Output::error(
            "pass --config FILE to explain a policy, or --url URL to ask a server",
        );
    };
    let target = match Target::parse(url) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    let client = match Client::new(opts.timeout, opts.cacert.as_deref()) {
        Ok(c) => c,
        Err(e) => return Output::error(e),
    };
    let input = match read_input(opts, Some(&target)) {
        Ok(i) => i,
        Err(e) => return Output::error(e),
    };
    let may_send =
        |r: &http::Request<()>| matches!(r.method().as_str(), "GET" | "HEAD") || opts.send_actual;
    let probe = match explain::probe(
        &input.fetch,
        &input.path,
        input.mode,
        |r| client.send(&target, r),
        may_send,
    ) {
        Ok(p) => p,
        Err(explain::ProbeError::Fetch(e)) => return Output::error(e),
        Err(explain::ProbeError::Send(e)) => return Output::error(e),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} no --config: what {} answers, and what the browser does with it\n",
        style.yellow("Note:"),
        target.url
    );
    render_request(&mut out, style, &input);
    let ignored: Vec<String> = input
        .fetch
        .ignored_headers()
        .into_iter()
        .map(str::to_owned)
        .collect();
    render_reasons(&mut out, style, &input, &ignored, &probe.preflight_reasons);
    for (title, probed) in [
        ("Preflight", &probe.preflight),
        ("Actual request", &probe.actual),
    ] {
        let Some(p) = probed else {
            continue;
        };
        let _ = writeln!(out, "\n{}", style.bold(title));
        render_sent(&mut out, &p.request);
        let preflight = p.request.method() == http::Method::OPTIONS;
        render_answer(&mut out, &target, preflight, p.status, &p.headers);
        match &p.browser {
            Ok(a) => {
                let _ = writeln!(out, "  browser: {}", style.green(&a.to_string()));
            }
            Err(b) => {
                let _ = writeln!(out, "  browser: {}", style.red(&b.to_string()));
            }
        }
    }
    let blocked = probe.blocked();
    if blocked.is_none() && probe.actual.is_none() && input.mode == Mode::Browser {
        let method = input.fetch.normalized_method();
        let _ = writeln!(
            out,
            "\n{}\n  not sent ({method} may change data on the server; pass --send-actual to \
             send it)",
            style.bold("Actual request")
        );
    }
    let _ = writeln!(out);
    let code = match blocked {
        Some(b) => {
            let _ = writeln!(out, "{} blocked: {b}", style.red("Result:"));
            EXIT_FINDINGS
        }
        None => {
            let what = if probe.actual.is_some() {
                "allowed: the script can read the response"
            } else {
                "the preflight passes"
            };
            let _ = writeln!(out, "{} {what}", style.green("Result:"));
            render_provided(&mut out, style, probe.local_network_access);
            EXIT_OK
        }
    };
    Output {
        code,
        stdout: out,
        stderr: String::new(),
    }
}

/// The request as the browser sends it.
fn render_sent(out: &mut String, request: &http::Request<()>) {
    let _ = writeln!(out, "  browser sends:");
    let _ = writeln!(
        out,
        "    {} {}",
        request.method(),
        request.uri().path_and_query().map_or("/", |p| p.as_str())
    );
    for (n, v) in request.headers() {
        let _ = writeln!(out, "    {}", header_line(n.as_str(), v.as_bytes()));
    }
}

fn render_exchange(out: &mut String, style: Style, ex: &Exchange) {
    render_sent(out, &ex.request);
    let kind = match ex.kind {
        RequestKind::Preflight => "preflight",
        RequestKind::Actual => "actual request",
        RequestKind::NotCors => "not a CORS request",
    };
    let verdict = if ex.denial.is_some() {
        style.red("denied")
    } else {
        style.green("allowed")
    };
    let action = match (ex.action, ex.denial.is_some()) {
        (Action::Respond(s), _) => {
            format!("answers {s} itself; the handler is not called")
        }
        (Action::Forward, true) => {
            "passes it to the handler and sets no CORS headers on its response".to_owned()
        }
        (Action::Forward, false) if ex.kind == RequestKind::Preflight => {
            "passes it to the handler (preflight_continue), then sets these on its response; \
             assuming the handler answers 200 OK"
                .to_owned()
        }
        (Action::Forward, false) => {
            "passes it to the handler, then sets these on its response (whatever its status)"
                .to_owned()
        }
    };
    let _ = writeln!(out, "  engine: {kind}, {verdict}: {action}");
    render_headers(out, &ex.headers, "    ");
    let _ = writeln!(out, "  because:");
    if let Some(d) = &ex.denial {
        let _ = writeln!(out, "    - {d}");
    }
    for hint in &ex.hints {
        let _ = writeln!(out, "    {} {hint}", style.yellow("hint:"));
    }
    if ex.origin_left_to_code {
        let _ = writeln!(
            out,
            "    - dynamic_origins = true: the server's origin predicate may still allow this \
             origin; code decides it, so this explanation cannot (servers without a \
             predicate, C and nginx, deny it)"
        );
    }
    for g in &ex.grants {
        let _ = writeln!(out, "    - {g}");
    }
    match &ex.browser {
        Ok(a) => {
            let _ = writeln!(out, "  browser: {}", style.green(&a.to_string()));
        }
        Err(b) => {
            let _ = writeln!(out, "  browser: {}", style.red(&b.to_string()));
        }
    }
}

fn render_headers(out: &mut String, headers: &HeaderMap, indent: &str) {
    if headers.is_empty() {
        let _ = writeln!(out, "{indent}(no CORS headers)");
    }
    for (n, v) in headers {
        let _ = writeln!(out, "{indent}{}", header_line(n.as_str(), v.as_bytes()));
    }
}

/// A server's answer: its status, its CORS headers (and `Location` on a redirect, which is
/// never followed).
fn render_answer(
    out: &mut String,
    target: &Target,
    preflight: bool,
    status: StatusCode,
    headers: &HeaderMap,
) {
    let _ = writeln!(out, "  server {} answered {status}:", target.url);
    let mut shown = HeaderMap::new();
    for (n, v) in headers {
        let location = status.is_redirection() && n == http::header::LOCATION;
        if is_owned_header(n.as_str().as_bytes()) || n == http::header::VARY || location {
            shown.append(n.clone(), v.clone());
        }
    }
    render_headers(out, &shown, "    ");
    if status.is_redirection() {
        let why = if preflight {
            "a preflight must answer 2xx itself: browsers fail a redirected preflight"
        } else {
            "the browser would follow it as a new CORS request to the new URL (with Origin \
             \"null\" after a cross-origin hop); explain that URL on its own"
        };
        let _ = writeln!(out, "  redirect, not followed: {why}");
    }
}

/// The permission an allowed result still depends on, when Local Network Access applies.
fn render_provided(out: &mut String, style: Style, lna: Option<explain::LocalNetworkAccess>) {
    if let Some(lna) = lna {
        let _ = writeln!(
            out,
            "{} once the user grants Local Network Access (\"{}\"); if they refuse, the \
             block is that permission, not CORS",
            style.yellow("Provided:"),
            lna.permission()
        );
    }
}

struct ServerVerdict {
    differs: bool,
    browser: Result<explain::Accepted, explain::Blocked>,
}

fn render_server(
    out: &mut String,
    style: Style,
    target: &Target,
    ex: &Exchange,
    fetch: &FetchRequest,
    status: StatusCode,
    headers: &HeaderMap,
) -> ServerVerdict {
    render_answer(
        out,
        target,
        ex.kind == RequestKind::Preflight,
        status,
        headers,
    );
    let diffs = explain::compare(ex, status, headers);
    if diffs.is_empty() {
        let _ = writeln!(
            out,
            "  compared with the policy: {}",
            style.green("the same")
        );
    } else {
        let _ = writeln!(
            out,
            "  compared with the policy: {}",
            style.red("different")
        );
        for d in &diffs {
            let _ = writeln!(out, "    - {d}");
        }
    }
    let browser = ex.browser_check(fetch, status, headers);
    match &browser {
        Ok(a) => {
            let _ = writeln!(out, "  browser, with the server's answer: {a}");
        }
        Err(b) => {
            let _ = writeln!(
                out,
                "  browser, with the server's answer: {}",
                style.red(&b.to_string())
            );
        }
    }
    ServerVerdict {
        differs: !diffs.is_empty(),
        browser,
    }
}
