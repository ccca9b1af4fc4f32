//! Starting a server under test and running the whole table against it.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::check::check;
use crate::http::send;
use crate::table::{TableFile, load, table_dir};

/// How long a server may take to print its `listening on` line.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The line prefix the server contract requires once the server accepts connections.
const ANNOUNCE: &str = "listening on http://";

/// How much of the start of a server's stderr is kept (start-up messages).
const STDERR_KEEP: usize = 64 * 1024;
/// How much of the end is kept: a server logging every request under load must not push
/// a late line (a reload's report) out of reach.
const STDERR_TAIL: usize = 256 * 1024;

/// A server's stderr: the first [`STDERR_KEEP`] bytes and the last [`STDERR_TAIL`].
#[derive(Debug, Default)]
struct Kept {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    dropped: usize,
}

impl Kept {
    fn extend(&mut self, mut bytes: &[u8]) {
        let room = STDERR_KEEP.saturating_sub(self.head.len()).min(bytes.len());
        let (first, rest) = bytes.split_at(room);
        self.head.extend_from_slice(first);
        bytes = rest;
        self.tail.extend(bytes);
        let over = self.tail.len().saturating_sub(STDERR_TAIL);
        self.tail.drain(..over);
        self.dropped += over;
    }

    fn text(&self) -> String {
        let mut out = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            out.push_str(&format!(
                "\n[... {} bytes of stderr left out ...]\n",
                self.dropped
            ));
        }
        let (a, b) = self.tail.as_slices();
        out.push_str(&String::from_utf8_lossy(&[a, b].concat()));
        out
    }
}

/// A running server under test; killed (and waited for) when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    addr: SocketAddr,
    /// What the server wrote to stderr so far (its start and its end).
    stderr: Arc<Mutex<Kept>>,
}

impl Server {
    /// Spawns `cmd` with piped stdout and stderr and waits until it prints a line starting
    /// with `listening on http://HOST:PORT`; other lines (framework banners) are skipped.
    /// Stdout and stderr keep being drained, so the server never blocks on them.
    ///
    /// # Errors
    ///
    /// The process could not start, exited, or did not announce itself within 60 s; the
    /// message includes its stderr.
    pub fn start(mut cmd: Command) -> Result<Server, String> {
        let program = cmd.get_program().to_string_lossy().into_owned();
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;

        let stderr = Arc::new(Mutex::new(Kept::default()));
        let (err_done_tx, err_done) = mpsc::channel::<()>();
        if let Some(mut pipe) = child.stderr.take() {
            let stderr = Arc::clone(&stderr);
            thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                loop {
                    let n = match pipe.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    };
                    if let Ok(mut kept) = stderr.lock() {
                        kept.extend(chunk.get(..n).unwrap_or_default());
                    }
                }
                drop(err_done_tx);
            });
        }

        let (line_tx, lines) = mpsc::channel::<String>();
        if let Some(pipe) = child.stdout.take() {
            thread::spawn(move || {
                let mut reader = BufReader::new(pipe);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        // Nobody listens after startup; keep draining regardless.
                        Ok(_) => {
                            let _ = line_tx.send(String::from_utf8_lossy(&line).into_owned());
                        }
                    }
                }
            });
        }

        let stderr_text = |wait: bool| {
            if wait {
                // The pipe closes when the process exits; give the reader a moment.
                let _ = err_done.recv_timeout(Duration::from_secs(2));
            }
            let text = stderr
                .lock()
                .map(|k| k.text())
                .unwrap_or_default()
                .trim_end()
                .to_owned();
            if text.is_empty() {
                "(stderr empty)".to_owned()
            } else {
                format!("stderr:\n{text}")
            }
        };

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let Some(rest) = line.trim().strip_prefix(ANNOUNCE) else {
                        continue;
                    };
                    let hostport = rest.split(['/', ' ', '\t']).next().unwrap_or_default();
                    match resolve(hostport) {
                        Some(addr) => {
                            return Ok(Server {
                                child,
                                addr,
                                stderr,
                            });
                        }
                        None => {
                            kill(&mut child);
                            return Err(format!(
                                "{program} announced {:?}, which is not HOST:PORT",
                                line.trim()
                            ));
                        }
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = wait_briefly(&mut child);
                    let text = stderr_text(true);
                    kill(&mut child);
                    return Err(format!(
                        "{program} closed stdout ({status}) without printing \
                         `{ANNOUNCE}HOST:PORT`; {text}"
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {
                    kill(&mut child);
                    let text = stderr_text(true);
                    return Err(format!(
                        "{program} did not print `{ANNOUNCE}HOST:PORT` within {}s; {text}",
                        START_TIMEOUT.as_secs()
                    ));
                }
            }
        }
    }

    /// The address the server announced.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the server wrote to stderr so far (lossy text: the first 64 KiB and the last
    /// 256 KiB).
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|k| k.text()).unwrap_or_default()
    }
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends the server `SIGHUP` (what the example servers reload their policy on).
    ///
    /// # Errors
    ///
    /// `kill` could not be run or failed.
    pub fn hangup(&self) -> Result<(), String> {
        let status = Command::new("kill")
            .args(["-HUP", &self.pid().to_string()])
            .status()
            .map_err(|e| format!("kill: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("kill -HUP {} failed: {status}", self.pid()))
        }
    }

    /// The server's resident memory in KiB (Linux), for checks that it stays flat.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    }
}

/// Policy A of the reload suite: two origins, `x-a` exposed.
const RELOAD_A: &str = "allow_origins = [\"https://a.example\", \"https://b.example\"]\n\
                        expose_headers = [\"x-a\"]\n";
/// Policy B, stricter: one origin, `x-b` exposed.
const RELOAD_B: &str = "allow_origins = [\"https://a.example\"]\nexpose_headers = [\"x-b\"]\n";
/// A broken file: an origin with a path, on line 1.
const RELOAD_BROKEN: &str = "allow_origins = [\"https://a.example/path\"]\n";

/// Which policy a response shows, or why it shows neither.
fn reload_verdict(origin: &str, resp: &crate::check::Response) -> Result<char, String> {
    if resp.status != 200 {
        return Err(format!("status {}", resp.status));
    }
    let acao = resp.header("access-control-allow-origin");
    let aceh = resp.header("access-control-expose-headers");
    match (origin, acao.as_deref(), aceh.as_deref()) {
        (_, Some(o), Some("x-a")) if o == origin => Ok('A'),
        ("https://a.example", Some("https://a.example"), Some("x-b")) => Ok('B'),
        ("https://b.example", None, None) => Ok('B'),
        _ => Err(format!(
            "a response of neither policy for {origin}: ACAO {acao:?}, ACEH {aceh:?}"
        )),
    }
}

/// The reload suite on a server of the contract that reloads its policy file on
/// `SIGHUP`: under a bounded load of requests on several connections, the file is replaced
/// with a stricter policy, then with a broken one, then with the original. Every response
/// must be wholly of one policy and succeed; the stricter policy takes over, the broken
/// file changes nothing and is reported (`not reloaded`, naming the file and the field),
/// the original comes back; resident memory after the load stays within 8 MiB of before it. Returns a
/// one-line summary.
///
/// # Errors
///
/// Every inconsistency, with the server's stderr.
pub fn run_reload_suite(name: &str, cmd: impl Fn(&Path) -> Command) -> Result<String, String> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let dir = tempfile::tempdir().map_err(|e| format!("{name}: temp dir: {e}"))?;
    let config = dir.path().join("cors.toml");
    let write = |text: &str| {
        // Written whole, then renamed: a reload never reads half a file.
        let tmp = dir.path().join("cors.toml.tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &config))
            .map_err(|e| format!("{name}: {e}"))
    };
    write(RELOAD_A)?;
    let server = Server::start(cmd(&config)).map_err(|e| format!("{name}: {e}"))?;
    let addr = server.addr();
    let fail = |what: String| format!("{name}: {what}\nstderr:\n{}", server.stderr());
    let probe = |origin: &str| {
        crate::http::get(addr, "/anything/reload", origin)
            .map_err(|e| e.to_string())
            .and_then(|r| reload_verdict(origin, &r))
    };
    // Waits until new requests show `want` (10 s at most).
    let settle = |want: char| -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if probe("https://a.example")? == want && probe("https://b.example")? == want {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("policy {want} never took over"));
            }
            thread::sleep(Duration::from_millis(20));
        }
    };
    settle('A').map_err(fail)?;
    let rss_before = server.rss_kib();

    let stop = AtomicBool::new(false);
    let sent = AtomicUsize::new(0);
    let errors = Mutex::new(Vec::new());
    let result = thread::scope(|scope| {
        for worker in 0..4 {
            let (stop, sent, errors) = (&stop, &sent, &errors);
            scope.spawn(move || {
                let origins = ["https://a.example", "https://b.example"];
                let mut i = worker;
                // Bounded: stops when told, or after 2,000 requests per connection.
                while !stop.load(Ordering::Relaxed) && i < 8_000 {
                    let origin = origins[i % 2];
                    i += 4;
                    sent.fetch_add(1, Ordering::Relaxed);
                    if let Err(e) = probe(origin)
                        && let Ok(mut errs) = errors.lock()
                    {
                        errs.push(e);
                    }
                }
            });
        }
        let steps = (|| {
            thread::sleep(Duration::from_millis(200));
            write(RELOAD_B)?;
            server.hangup()?;
            settle('B')?;
            write(RELOAD_BROKEN)?;
            server.hangup()?;
            // The refusal is reported, naming the file and the field (a generous bound: the
            // machine may be busy with other suites).
            let deadline = Instant::now() + Duration::from_secs(30);
            let file = config.display().to_string();
            loop {
                let text = server.stderr();
                let named = text
                    .lines()
                    .any(|l| l.contains(&file) && l.contains("allow_origins"))
                    || (text.contains(&file) && text.contains("allow_origins[0]"));
                if named && text.contains("not reloaded") {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(format!("no report of the broken file naming {file}"));
                }
                thread::sleep(Duration::from_millis(20));
            }
            thread::sleep(Duration::from_millis(200));
            // Still policy B.
            if probe("https://b.example")? != 'B' {
                return Err("the broken file changed the policy".to_owned());
            }
            write(RELOAD_A)?;
            server.hangup()?;
            settle('A')?;
            thread::sleep(Duration::from_millis(200));
            Ok(())
        })();
        stop.store(true, Ordering::Relaxed);
        steps
    });
    result.map_err(fail)?;
    let errors = errors.into_inner().unwrap_or_default();
    if !errors.is_empty() {
        return Err(fail(format!(
            "{} of {} requests under reload failed, first: {}",
            errors.len(),
            sent.load(Ordering::Relaxed),
            errors[0]
        )));
    }
    let rss_after = server.rss_kib();
    if let (Some(b), Some(a)) = (rss_before, rss_after)
        && a > b + 8 * 1024
    {
        return Err(fail(format!("memory grew from {b} KiB to {a} KiB")));
    }
    Ok(format!(
        "{name}: {} requests under three reloads, all consistent; RSS {rss_before:?} -> {rss_after:?} KiB",
        sent.load(Ordering::Relaxed)
    ))
}

/// The decision counters of a server of the contract that serves Prometheus text at
/// `/metrics`: after a scripted set of requests, `cors_decisions_total` shows exactly the
/// expected count per kind, outcome and reason.
///
/// # Errors
///
/// Every count that differs, with the `/metrics` text.
pub fn run_metrics_suite(name: &str, cmd: impl Fn(&Path) -> Command) -> Result<(), String> {
    use std::collections::BTreeMap;

    let dir = tempfile::tempdir().map_err(|e| format!("{name}: temp dir: {e}"))?;
    let config = dir.path().join("cors.toml");
    std::fs::write(
        &config,
        "allow_origins = [\"https://a.example\"]\nallow_methods = [\"GET\", \"PUT\"]\n",
    )
    .map_err(|e| format!("{name}: {e}"))?;
    let server = Server::start(cmd(&config)).map_err(|e| format!("{name}: {e}"))?;
    let addr = server.addr();
    let request = |method: &str, origin: Option<&str>, acrm: Option<&str>| {
        let mut headers = Vec::new();
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        if let Some(m) = acrm {
            headers.push(("Access-Control-Request-Method", m));
        }
        crate::http::send_request(addr, method, "/anything/metrics", &headers)
            .map_err(|e| format!("{name}: {e}"))
    };
    for _ in 0..3 {
        request("GET", Some("https://a.example"), None)?;
    }
    for _ in 0..2 {
        request("GET", Some("https://evil.example"), None)?;
    }
    request("OPTIONS", Some("https://a.example"), Some("PUT"))?;
    request("OPTIONS", Some("https://a.example"), Some("DELETE"))?;
    for _ in 0..2 {
        request("GET", None, None)?;
    }
    let scrape = || {
        crate::http::send_request(addr, "GET", "/metrics", &[])
            .map_err(|e| format!("{name}: /metrics: {e}"))
    };
    // Two scrapes: the first is counted by the second whether the server decides before
    // its handler runs (most) or after (Rocket's response fairing).
    scrape()?;
    let scrape = scrape()?;
    let text = String::from_utf8_lossy(&scrape.body).into_owned();
    // `name{a="x",b="y"} N` lines, labels in any order.
    let mut counts: BTreeMap<BTreeMap<String, String>, u64> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("cors_decisions_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.split_once("} ") else {
            continue;
        };
        let labels = labels
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
            .collect();
        counts.insert(labels, value.trim().parse().unwrap_or(u64::MAX));
    }
    let key = |kind: &str, outcome: &str, reason: &str| {
        [
            ("kind", kind),
            ("outcome", outcome),
            ("reason", reason),
            ("mode", "enforce"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect::<BTreeMap<_, _>>()
    };
    let expected: BTreeMap<_, u64> = [
        (key("actual", "allowed", ""), 3),
        (key("actual", "denied", "origin-not-allowed"), 2),
        (key("preflight", "allowed", ""), 1),
        (key("preflight", "denied", "method-not-allowed"), 1),
        // Two requests and the first scrape; the second is compared below.
        (key("not-cors", "not-cors", ""), 3),
    ]
    .into_iter()
    .collect();
    // This scrape is counted already when the server decides before its handler.
    let not_cors = key("not-cors", "not-cors", "");
    if counts.get(&not_cors) == Some(&4) {
        counts.insert(not_cors, 3);
    }
    if counts != expected {
        return Err(format!(
            "{name}: /metrics counts {counts:?}, expected {expected:?}; text:\n{text}"
        ));
    }
    Ok(())
}

/// Report-only mode's log lines on a server of the contract: with a report-only policy,
/// a request the policy would allow but the handler grants nothing, and one the policy
/// would deny but the handler's own `Access-Control-Allow-Origin` lets the browser read,
/// must each produce a `report-only` line on the server's stderr (within 10 s), while
/// both responses stay as the handler made them.
///
/// # Errors
///
/// What is missing, with the server's stderr.
pub fn run_report_only_logs(name: &str, cmd: impl Fn(&Path) -> Command) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("{name}: temp dir: {e}"))?;
    let config = dir.path().join("report-only.toml");
    std::fs::write(
        &config,
        "allow_origins = [\"https://app.example.com\"]\nmode = \"report-only\"\n",
    )
    .map_err(|e| format!("{name}: {e}"))?;
    let server = Server::start(cmd(&config)).map_err(|e| format!("{name}: {e}"))?;
    let get = |path: &str, origin: &str| {
        crate::http::get(server.addr(), path, origin)
            .map_err(|e| format!("{name}: GET {path}: {e}"))
    };
    let allowed = get("/anything/x", "https://app.example.com")?;
    if allowed.has_header_prefix("access-control-") || allowed.header("vary").is_some() {
        return Err(format!("{name}: report-only added headers: {allowed:?}"));
    }
    let own = get("/own-acao", "https://handler.invalid")?;
    if own.header("access-control-allow-origin").as_deref() != Some("https://handler.invalid") {
        return Err(format!("{name}: the handler's ACAO was changed: {own:?}"));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = server.stderr().to_ascii_lowercase();
        let line_with = |what: &str| {
            text.lines()
                .any(|l| l.contains("report-only") && l.contains(what))
        };
        if line_with("the policy would allow") && line_with("the policy would deny") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{name}: no report-only line for each disagreement; stderr:\n{}",
                server.stderr()
            ));
        }
        thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The exit status if the process ends within 5 s, for error messages.
fn wait_briefly(child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => return "still running".to_owned(),
            Err(e) => return e.to_string(),
        }
    }
}

fn resolve(hostport: &str) -> Option<SocketAddr> {
    hostport
        .parse()
        .ok()
        .or_else(|| hostport.to_socket_addrs().ok()?.next())
}

/// What a passing suite ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Table files (one server start each).
    pub files: usize,
    /// Cases run.
    pub cases: usize,
}

/// The format a suite writes each table file's config in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFormat {
    /// `.toml`, as the table writes it.
    Toml,
    /// `.json`.
    Json,
    /// `.yaml`.
    Yaml,
}

impl ConfigFormat {
    fn extension(self) -> &'static str {
        match self {
            ConfigFormat::Toml => "toml",
            ConfigFormat::Json => "json",
            ConfigFormat::Yaml => "yaml",
        }
    }

    fn render(self, file: &TableFile) -> Result<String, String> {
        match self {
            ConfigFormat::Toml => Ok(file.config_toml()),
            ConfigFormat::Json => {
                serde_json::to_string_pretty(&file.config).map_err(|e| e.to_string())
            }
            ConfigFormat::Yaml => serde_yaml_ng::to_string(&file.config).map_err(|e| e.to_string()),
        }
    }
}

/// Runs the whole table ([`table_dir`]) over real HTTP against a server.
///
/// For each table file, the config is written to a temporary file, `cmd(path)` builds the
/// command that serves it (the example-server contract: `--config PATH --listen
/// 127.0.0.1:0`, announcing `listening on http://HOST:PORT`), and every case is sent with
/// [`send`] and compared with [`check`] against [`Case::expect_for`](crate::Case::expect_for)`(name)`, so `name`
/// must be the server's name in the table's limits (`axum`, `nginx`, ...).
///
/// # Errors
///
/// Every failure, one per line as `[name] file::case: difference`, then a count. A server
/// that does not start fails its file.
pub fn run_server_suite(name: &str, cmd: impl Fn(&Path) -> Command) -> Result<Summary, String> {
    run_server_suite_as(name, ConfigFormat::Toml, &[], cmd)
}

/// [`run_server_suite`] with each config written in `format`, for the table files named in
/// `only` (every file when empty).
///
/// # Errors
///
/// As [`run_server_suite`]; a name in `only` that is no table file is a failure too.
pub fn run_server_suite_as(
    name: &str,
    format: ConfigFormat,
    only: &[&str],
    cmd: impl Fn(&Path) -> Command,
) -> Result<Summary, String> {
    let mut files = load(&table_dir())?;
    for wanted in only {
        if !files.iter().any(|f| f.name == *wanted) {
            return Err(format!("[{name}] no table file named {wanted}"));
        }
    }
    if !only.is_empty() {
        files.retain(|f| only.contains(&f.name.as_str()));
    }
    let dir = tempfile::Builder::new()
        .prefix(&format!("cors-conformance-{name}-"))
        .tempdir()
        .map_err(|e| format!("[{name}] cannot create a temporary directory: {e}"))?;
    let mut failures: Vec<String> = Vec::new();
    let mut failed_cases = 0usize;
    let mut cases = 0usize;
    for file in &files {
        cases += file.cases.len();
        let path = dir
            .path()
            .join(format!("{}.{}", file.name, format.extension()));
        if let Err(e) = format
            .render(file)
            .and_then(|text| std::fs::write(&path, text).map_err(|e| e.to_string()))
        {
            failures.push(format!(
                "[{name}] {}: cannot write {}: {e}",
                file.name,
                path.display()
            ));
            failed_cases += file.cases.len();
            continue;
        }
        let server = match Server::start(cmd(&path)) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("[{name}] {}: server did not start: {e}", file.name));
                failed_cases += file.cases.len();
                continue;
            }
        };
        for case in &file.cases {
            let diffs = match send(server.addr(), case) {
                Ok(resp) => check(case.expect_for(name), &resp),
                Err(e) => vec![format!("request failed: {e}")],
            };
            if !diffs.is_empty() {
                failed_cases += 1;
            }
            for d in diffs {
                failures.push(format!("[{name}] {}::{}: {d}", file.name, case.name));
            }
        }
    }
    if failures.is_empty() {
        Ok(Summary {
            files: files.len(),
            cases,
        })
    } else {
        failures.push(format!(
            "[{name}] {failed_cases} of {cases} cases failed ({} differences)",
            failures.len()
        ));
        Err(failures.join("\n"))
    }
}

/// Runs the table files named in `only` with their configs written as JSON and then as
/// YAML: a server reads every format the same way.
///
/// # Errors
///
/// As [`run_server_suite`], naming the format.
pub fn run_other_formats(
    name: &str,
    only: &[&str],
    cmd: impl Fn(&Path) -> Command,
) -> Result<(), String> {
    for format in [ConfigFormat::Json, ConfigFormat::Yaml] {
        let summary = run_server_suite_as(name, format, only, &cmd)
            .map_err(|failures| format!("{format:?}: {failures}"))?;
        if summary.files != only.len() {
            return Err(format!(
                "{format:?}: ran {} files of {}",
                summary.files,
                only.len()
            ));
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    #[test]
    fn skips_banners_and_reads_the_address() {
        let s = Server::start(sh(
            "echo 'Rocket has launched'; echo 'listening on http://127.0.0.1:4321/'; exec sleep 30",
        ))
        .unwrap();
        assert_eq!(s.addr(), "127.0.0.1:4321".parse().unwrap());
    }

    #[test]
    fn exit_before_announcing_reports_stderr() {
        let e = Server::start(sh("echo 'bad config: allow_origins' >&2; exit 3")).unwrap_err();
        assert!(e.contains("bad config: allow_origins"), "{e}");
        assert!(e.contains('3'), "{e}");
        let e = Server::start(Command::new("/nonexistent/server")).unwrap_err();
        assert!(e.contains("cannot start"), "{e}");
    }
}

#[cfg(test)]
mod kept_tests {
    use super::*;

    #[test]
    fn keeps_the_start_and_the_end() {
        let mut k = Kept::default();
        k.extend(b"listening on http://x\n");
        let filler = vec![b'.'; STDERR_KEEP + STDERR_TAIL];
        k.extend(&filler);
        k.extend(b"\nnot reloaded: the last line\n");
        let text = k.text();
        assert!(text.starts_with("listening on http://x"));
        assert!(text.ends_with("not reloaded: the last line\n"));
        assert!(text.contains("bytes of stderr left out"));
        assert!(text.len() < STDERR_KEEP + STDERR_TAIL + 100);
    }
}
