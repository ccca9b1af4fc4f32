//! The browser suite: real Chromium (Debian's, headless, driven by playwright-core from
//! `tests/browser`) loads a page from one origin and fetches from a server under the
//! browser policy (`tests/browser/cors.toml`); what script can read is checked against
//! what the policy intends. Known server limits (docs/semantics.md, "Server limits") are
//! asserted as such.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{Value, json};

use crate::server::Server;

/// The browser suite's directory (driver, lock file, policy).
pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser")
}

/// What script should get.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// The response is readable: its status, and headers script reads (`None`: hidden).
    Read {
        status: u64,
        headers: Vec<(&'static str, Option<&'static str>)>,
    },
    /// `fetch()` rejects: the browser blocks the response (or the request).
    Blocked,
    /// The fetch, made twice, is readable, and Chromium sent this many preflights.
    Preflights(u64),
}

struct Case {
    name: &'static str,
    why: &'static str,
    /// The page's origin: the allowed one (`true`) or the one the policy does not list.
    allowed_page: bool,
    path: &'static str,
    init: Value,
    expect: Expect,
}

fn read(status: u64) -> Expect {
    Expect::Read {
        status,
        headers: Vec::new(),
    }
}

/// The browser matrix, derived from the conformance table's themes, for the policy in
/// `tests/browser/cors.toml`.
fn cases() -> Vec<Case> {
    let get = json!({});
    vec![
        Case {
            name: "simple-get",
            why: "a simple request from a listed origin; an exposed header is readable",
            allowed_page: true,
            path: "/anything/simple",
            init: get.clone(),
            expect: Expect::Read {
                status: 200,
                headers: vec![("x-handler", Some("reached")), ("vary", None)],
            },
        },
        Case {
            name: "credentialed",
            why: "credentials 'include' with allow_credentials = true",
            allowed_page: true,
            path: "/anything/credentialed",
            init: json!({"credentials": "include"}),
            expect: read(200),
        },
        Case {
            name: "preflight-put-json",
            why: "a preflighted method and content-type: application/json",
            allowed_page: true,
            path: "/anything/put",
            init: json!({"method": "PUT", "headers": {"content-type": "application/json"}, "body": "{}"}),
            expect: read(200),
        },
        Case {
            name: "preflight-header",
            why: "a listed request header",
            allowed_page: true,
            path: "/anything/header",
            init: json!({"headers": {"x-token": "1"}}),
            expect: read(200),
        },
        Case {
            name: "denied-header",
            why: "a request header the policy does not list",
            allowed_page: true,
            path: "/anything/denied-header",
            init: json!({"headers": {"x-denied": "1"}}),
            expect: Expect::Blocked,
        },
        Case {
            name: "denied-method",
            why: "a method the policy does not list (DELETE)",
            allowed_page: true,
            path: "/anything/denied-method",
            init: json!({"method": "DELETE"}),
            expect: Expect::Blocked,
        },
        Case {
            name: "denied-origin",
            why: "a page whose origin the policy does not list",
            allowed_page: false,
            path: "/anything/denied-origin",
            init: get.clone(),
            expect: Expect::Blocked,
        },
        Case {
            name: "status-404",
            why: "errors carry the headers: script reads the 404",
            allowed_page: true,
            path: "/status/404",
            init: get.clone(),
            expect: read(404),
        },
        Case {
            name: "status-500",
            why: "errors carry the headers: script reads the 500",
            allowed_page: true,
            path: "/status/500",
            init: get.clone(),
            expect: read(500),
        },
        Case {
            name: "own-acao",
            why: "the handler's own Access-Control-Allow-Origin is replaced",
            allowed_page: true,
            path: "/own-acao",
            init: get.clone(),
            expect: read(200),
        },
        Case {
            name: "route-public",
            why: "the public route answers any origin",
            allowed_page: false,
            path: "/anything/public/feed",
            init: get.clone(),
            expect: read(200),
        },
        Case {
            name: "route-public-credentialed",
            why: "the public route's \"*\" never serves a credentialed fetch",
            allowed_page: false,
            path: "/anything/public/feed",
            init: json!({"credentials": "include"}),
            expect: Expect::Blocked,
        },
        Case {
            name: "patch",
            why: "PATCH, listed, written upper-case",
            allowed_page: true,
            path: "/anything/patch",
            init: json!({"method": "PATCH"}),
            expect: read(200),
        },
        Case {
            name: "patch-lower-case",
            why: "fetch sends 'patch' as written, and methods compare case-sensitively",
            allowed_page: true,
            path: "/anything/patch-lower",
            init: json!({"method": "patch"}),
            expect: Expect::Blocked,
        },
        Case {
            name: "preflight-cached",
            why: "max_age = 600: the second fetch reuses the first preflight's answer",
            allowed_page: true,
            path: "/anything/cached",
            init: json!({"method": "PUT"}),
            expect: Expect::Preflights(1),
        },
        Case {
            name: "preflight-not-cached",
            why: "a route with max_age = 0: every fetch is preflighted",
            allowed_page: true,
            path: "/anything/nocache/x",
            init: json!({"method": "PUT"}),
            expect: Expect::Preflights(2),
        },
        Case {
            name: "purge",
            why: "a listed extension method",
            allowed_page: true,
            path: "/anything/purge",
            init: json!({"method": "PURGE"}),
            expect: read(200),
        },
    ]
}

/// A server's known limit on a case (docs/semantics.md, "Server limits"): what script gets
/// there instead, and why.
fn limit(server: &str, case: &str) -> Option<(Expect, &'static str)> {
    match (server, case) {
        ("rocket", "purge") => Some((
            Expect::Blocked,
            "Rocket 0.5 refuses methods outside its list with 400 before any fairing",
        )),
        _ => None,
    }
}

/// Serves a blank page at every path until dropped.
struct PageServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PageServer {
    fn start() -> Result<PageServer, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut s) = stream else { continue };
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let body = "<!doctype html><title>cors browser suite</title>";
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Ok(PageServer {
            port,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Runs the browser matrix against the server `cmd` starts for the browser policy;
/// `Ok` with the number of cases when script reads what the policy intends on every case
/// (known limits included).
///
/// # Errors
///
/// Chromium, Node.js or playwright-core missing (naming the setup script), the server
/// not starting, or each case where the browser disagrees with the policy.
pub fn run_browser_suite(name: &str, cmd: impl Fn(&Path) -> Command) -> Result<usize, String> {
    let dir = browser_dir();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!(
            "{chromium} is missing: run `bash scripts/setup.sh`"
        ));
    }
    if !dir
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return Err("playwright-core is missing: run `bash scripts/setup.sh`".into());
    }
    // One Chromium at a time per test binary: the machine has two cores, and the other
    // suites of the binary run beside this one.
    static ONE_BROWSER: Mutex<()> = Mutex::new(());
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let server = Server::start(cmd(&dir.join("cors.toml")))?;
    let page = PageServer::start()?;
    let target = format!("http://{}", server.addr());
    // Two page origins: 127.0.0.1 (listed as http://127.0.0.1:*) and localhost (not
    // listed). Both are loopback, so Local Network Access plays no part.
    let allowed = format!("http://127.0.0.1:{}/", page.port);
    let denied = format!("http://localhost:{}/", page.port);
    let cases = cases();
    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            let read: Vec<&str> = match &c.expect {
                Expect::Read { headers, .. } => headers.iter().map(|(n, _)| *n).collect(),
                Expect::Blocked | Expect::Preflights(_) => Vec::new(),
            };
            let repeat = if matches!(c.expect, Expect::Preflights(_)) {
                2
            } else {
                1
            };
            json!({
                "page": if c.allowed_page { &allowed } else { &denied },
                "url": format!("{target}{}", c.path),
                "init": c.init,
                "read": read,
                "repeat": repeat,
            })
        })
        .collect();
    let file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    std::fs::write(
        file.path(),
        serde_json::to_vec(&input).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new("node")
        .arg(dir.join("run.mjs"))
        .arg(file.path())
        .env("CHROMIUM", &chromium)
        .output()
        .map_err(|e| format!("cannot run node: {e}; run `bash scripts/setup.sh`"))?;
    if !out.status.success() {
        return Err(format!(
            "[{name}] the browser driver failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let results: Vec<Value> =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("[{name}] driver output: {e}"))?;
    let mut failures = Vec::new();
    for (case, got) in cases.iter().zip(&results) {
        let (expect, note) = match limit(name, case.name) {
            Some((e, why)) => (e, format!(" (known server limit: {why})")),
            None => (case.expect.clone(), String::new()),
        };
        let ok = got["ok"].as_bool() == Some(true);
        let fine = match &expect {
            Expect::Blocked => !ok,
            Expect::Preflights(n) => ok && got["preflights"].as_u64() == Some(*n),
            Expect::Read { status, headers } => {
                ok && got["status"].as_u64() == Some(*status)
                    && headers
                        .iter()
                        .all(|(n, v)| got["headers"][*n].as_str() == *v)
            }
        };
        if !fine {
            failures.push(format!(
                "  {}: {}{note}\n    expected {expect:?}\n    got {got}",
                case.name, case.why
            ));
        }
    }
    if results.len() != cases.len() {
        failures.push(format!(
            "  {} results for {} cases",
            results.len(),
            cases.len()
        ));
    }
    if failures.is_empty() {
        Ok(cases.len())
    } else {
        Err(format!(
            "[{name}] Chromium disagrees with the policy on {} case(s):\n{}\n--- server stderr ---\n{}",
            failures.len(),
            failures.join("\n"),
            server.stderr()
        ))
    }
}
