//! End-to-end tests of the `cors` binary: every subcommand and exit status, snapshots of
//! the human output, "Copy as cURL" input, and `--url` against an in-process server.
//!
//! Snapshots live in `tests/snapshots/*.txt` and are compared exactly; run with
//! `UPDATE_SNAPSHOTS=1` to rewrite them after an intended change.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use assert_cmd::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The binary, run from the fixtures directory (so paths in the output are short and
/// stable), without colour.
fn cors() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("cors");
    cmd.current_dir(dir().join("fixtures"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs and returns (exit code, stdout, stderr).
fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Compares `actual` with `tests/snapshots/{name}.txt`, or rewrites it with
/// `UPDATE_SNAPSHOTS=1`.
fn snapshot(name: &str, actual: &str) {
    let path = dir().join("snapshots").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "snapshot {name} differs (run with UPDATE_SNAPSHOTS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}"
        );
    }
}

// ------------------------------------------------------------------------------------
// cors check
// ------------------------------------------------------------------------------------

#[test]
fn check_valid_files_exit_0() {
    let (code, out, err) = run(cors().args(["check", "policy.toml", "valid.json", "valid.yaml"]));
    assert_eq!(code, 0, "{out}{err}");
    snapshot("check_valid", &out);
}

#[test]
fn check_invalid_toml_locates_every_error() {
    let (code, out, _) = run(cors().args(["check", "invalid.toml"]));
    assert_eq!(code, 2);
    assert!(out.contains("invalid.toml:5:3: error[E107]: allow_origins[2] = \"https://admin.example.com/\": an origin has no path; write \"https://admin.example.com\""), "{out}");
    snapshot("check_invalid_toml", &out);
}

#[test]
fn check_invalid_json_and_yaml() {
    let (code, out, _) = run(cors().args(["check", "invalid.json", "invalid.yaml"]));
    assert_eq!(code, 2);
    assert!(
        out.contains("invalid.json:2:48: error[E104]: allow_origins[1]"),
        "{out}"
    );
    assert!(
        out.contains("invalid.yaml:3:5: error[E113]: allow_origins[1]"),
        "{out}"
    );
    snapshot("check_invalid_json_yaml", &out);
}

#[test]
fn check_syntax_errors_carry_line_and_column() {
    let (code, out, _) =
        run(cors().args(["check", "syntax.toml", "syntax.json", "unknown-key.toml"]));
    assert_eq!(code, 2);
    assert!(
        out.contains("syntax.json:2:47: error[L004]: invalid JSON config: trailing comma"),
        "{out}"
    );
    assert!(
        out.contains(
            "unknown-key.toml:2:1: error[L004]: invalid TOML config: unknown field `allow_origin`"
        ),
        "{out}"
    );
    snapshot("check_syntax", &out);
}

#[test]
fn check_warnings_exit_0_or_1_with_deny_warnings() {
    let (code, out, _) = run(cors().args(["check", "warnings.toml"]));
    assert_eq!(code, 0);
    assert!(out.contains("warning[W101]"));
    snapshot("check_warnings", &out);
    let (code, _, _) = run(cors().args(["check", "--deny-warnings", "warnings.toml"]));
    assert_eq!(code, 1);
    // Errors win over warnings.
    let (code, _, _) =
        run(cors().args(["check", "--deny-warnings", "warnings.toml", "invalid.toml"]));
    assert_eq!(code, 2);
    let (code, _, _) = run(cors().args(["check", "--deny-warnings", "policy.toml"]));
    assert_eq!(code, 0);
}

#[test]
fn check_unreadable_and_unknown_files_exit_2() {
    let (code, out, _) = run(cors().args(["check", "missing.toml", "../cli.rs", "policy.toml"]));
    assert_eq!(code, 2);
    assert!(
        out.contains("missing.toml: error[L001]: cannot read the config"),
        "{out}"
    );
    assert!(
        out.contains("../cli.rs: error[L002]: unknown config format"),
        "{out}"
    );
    assert!(out.contains("policy.toml: valid"), "{out}");
}

#[test]
fn check_json_format() {
    let (code, out, _) =
        run(cors().args(["check", "--format", "json", "invalid.toml", "warnings.toml"]));
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"], 5);
    assert_eq!(v["warnings"], 5);
    let first = &v["files"][0];
    assert_eq!(first["file"], "invalid.toml");
    assert_eq!(first["valid"], false);
    let d = &first["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "E107");
    assert_eq!(d["line"], 5);
    assert_eq!(d["column"], 3);
    assert_eq!(d["field"], "allow_origins");
    assert_eq!(d["index"], 2);
    assert_eq!(d["path"], "allow_origins[2]");
    assert_eq!(d["value"], "https://admin.example.com/");
    assert_eq!(
        d["message"],
        "an origin has no path; write \"https://admin.example.com\""
    );
    assert_eq!(v["files"][1]["valid"], true);
}

#[test]
fn check_needs_a_file() {
    let (code, _, err) = run(cors().arg("check"));
    assert_eq!(code, 2);
    assert!(err.contains("required"), "{err}");
}

#[test]
fn check_never_panics_on_odd_input() {
    let tmp_dir = tempfile::tempdir().unwrap();
    let tmp = tmp_dir.path();
    let deep = "[".repeat(100_000);
    let cases: [(&str, &[u8]); 8] = [
        ("empty.toml", b""),
        ("binary.toml", b"\xff\xfe\x00allow"),
        ("deep.json", deep.as_bytes()),
        ("scalar.json", b"42"),
        ("list.yaml", b"- a\n- b\n"),
        ("tabs.yaml", b"allow_origins:\n\t- x\n"),
        ("table.toml", b"[allow_origins]\na = 1\n"),
        ("weird.json", b"{\"allow_origins\": [\"\xc3\xa9://x\"]}"),
    ];
    for (name, bytes) in cases {
        let path = tmp.join(name);
        std::fs::write(&path, bytes).unwrap();
        let (code, out, err) = run(cors().arg("check").arg(&path));
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

// ------------------------------------------------------------------------------------
// cors explain
// ------------------------------------------------------------------------------------

#[test]
fn explain_simple_request_allowed() {
    let (code, out, err) = run(cors().args([
        "explain",
        "--config",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "--path",
        "/api/items",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("\nPreflight\n"));
    snapshot("explain_simple", &out);
}

#[test]
fn explain_preflighted_request_allowed() {
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://admin.example.com",
        "-X",
        "PUT",
        "-H",
        "content-type: application/json",
        "-H",
        "Authorization: Bearer t0ken",
        "--credentials",
        "--path",
        "/api/items/7",
    ]));
    assert_eq!(code, 0, "{out}");
    snapshot("explain_preflight_allowed", &out);
}

#[test]
fn explain_preflight_denied() {
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "-X",
        "PATCH",
        "-H",
        "x-api-key: 1",
    ]));
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "Cause: the policy denies the preflight: method PATCH is not in allow_methods"
        ),
        "{out}"
    );
    snapshot("explain_preflight_denied", &out);
}

#[test]
fn explain_credentials_blocked() {
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "no-credentials.toml",
        "--origin",
        "https://app.example.com",
        "--credentials",
    ]));
    assert_eq!(code, 1);
    assert!(out.contains(
        "the browser blocks the response: your fetch used credentials 'include' but the \
         response has no Access-Control-Allow-Credentials: true"
    ));
    snapshot("explain_credentials_blocked", &out);
}

#[test]
fn explain_origin_not_allowed() {
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://evil.example.net",
    ]));
    assert_eq!(code, 1);
    assert!(out.contains("Cause: the policy grants the request nothing: origin https://evil.example.net is not in allow_origins"));
}

#[test]
fn explain_preflight_only_and_private_network() {
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "public.toml",
        "--origin",
        "https://site.example",
        "--preflight",
        "-X",
        "DELETE",
        "-H",
        "x-trace",
        "-H",
        "authorization",
        "--private-network",
        "--browser",
        "chrome-141",
    ]));
    // `*` never covers authorization.
    assert_eq!(code, 1);
    snapshot("explain_preflight_only_pna", &out);

    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "public.toml",
        "--origin",
        "https://site.example",
        "--private-network",
        "--browser",
        "chrome-141",
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("access-control-allow-private-network: true"));
    assert!(out.contains("Private Network Access requires a preflight"));
}

#[test]
fn explain_names_local_network_access_not_cors() {
    // A public https page calling the user's machine: the permission, then CORS as usual.
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "public.toml",
        "--origin",
        "https://site.example",
        "--loopback",
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Local Network Access:"), "{out}");
    assert!(out.contains("\"loopback-network\""), "{out}");
    assert!(out.contains("no response header can grant it"), "{out}");
    assert!(
        !out.contains("access-control-request-private-network"),
        "{out}"
    );
    assert!(
        out.contains("Provided: once the user grants Local Network Access"),
        "{out}"
    );
    // From an http page: rejected before anything is sent, and said to be no CORS matter.
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "public.toml",
        "--origin",
        "http://site.example",
        "--private-network",
        "--iframe",
    ]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("<iframe allow=\"local-network\">"), "{out}");
    assert!(
        out.contains("Result: blocked: the browser never sends the request: Local Network Access"),
        "{out}"
    );
    assert!(out.contains("this is the permission, not CORS"), "{out}");
    assert!(
        out.contains("not sent: Local Network Access rejects it"),
        "{out}"
    );
    // Found from a cURL copy's URL, when the page is public.
    let (_, out, _) = run(cors().args([
        "explain",
        "-c",
        "public.toml",
        "--curl",
        "curl 'http://192.168.1.20/status' -H 'Origin: https://site.example'",
    ]));
    assert!(
        out.contains("a device on the user's local network"),
        "{out}"
    );
    // A page on the same machine is not public: no Local Network Access.
    let (_, out, _) = run(cors().args([
        "explain",
        "-c",
        "public.toml",
        "--curl",
        "curl 'http://127.0.0.1:8080/x' -H 'Origin: http://localhost:3000'",
    ]));
    assert!(!out.contains("Local Network Access"), "{out}");
}

#[test]
fn explain_forbidden_header_is_dropped() {
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "-H",
        "cookie: a=b",
    ]));
    assert_eq!(code, 0);
    assert!(out.contains("Note: browsers never let a script set cookie; the browser drops it"));
    assert!(out.contains("No preflight"));
}

#[test]
fn explain_mentions_config_warnings() {
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "warnings.toml",
        "--origin",
        "https://app.example.com",
    ]));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Note: the config has 5 warnings; run `cors check warnings.toml`\n"),
        "{out}"
    );
}

#[test]
fn explain_errors_exit_2() {
    for (args, message) in [
        (
            &["explain", "-c", "missing.toml", "--origin", "https://a.com"][..],
            "cannot read the config",
        ),
        (
            &["explain", "-c", "invalid.toml", "--origin", "https://a.com"][..],
            "invalid CORS config (5 errors)",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--origin",
                "https://a.com",
                "-X",
                "TRACE",
            ][..],
            "fetch() throws a TypeError: method TRACE is forbidden",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--origin",
                "https://a.com",
                "-X",
                "G T",
            ][..],
            "is not a valid method",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--origin",
                "https://a.com",
                "-H",
                ": x",
            ][..],
            "write NAME or NAME:VALUE",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--origin",
                "https://a.com",
                "-H",
                "a b: x",
            ][..],
            "is not a valid header name",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--origin",
                "https://a.com",
                "--path",
                "no spaces",
            ][..],
            "invalid request path",
        ),
        (&["explain", "-c", "policy.toml"][..], "required"),
        (
            &["explain", "-c", "policy.toml", "--curl", "curl 'https://x/"][..],
            "unbalanced quotes",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--curl",
                "curl https://api.example.com/",
            ][..],
            "no Origin header",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--origin",
                "https://a.com",
                "--url",
                "https://127.0.0.1:1/",
            ][..],
            "cannot connect",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--origin",
                "https://a.com",
                "--url",
                "localhost:80",
            ][..],
            "is not a URL",
        ),
        (
            &[
                "explain",
                "-c",
                "policy.toml",
                "--origin",
                "https://a.com",
                "--send-actual",
            ][..],
            "--url",
        ),
    ] {
        let (code, out, err) = run(cors().args(args));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let (code, out, _) = run(cors().arg("--help"));
    assert_eq!(code, 0);
    assert!(out.contains("check") && out.contains("explain"));
    let (code, out, _) = run(cors().args(["explain", "--help"]));
    assert_eq!(code, 0);
    assert!(out.contains("--curl"));
    let (code, out, _) = run(cors().arg("--version"));
    assert_eq!(code, 0);
    assert!(out.starts_with("cors "));
    let (code, _, _) = run(cors().arg("frobnicate"));
    assert_eq!(code, 2);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let args = ["check", "warnings.toml"];
    let (_, plain, _) = run(cors().args(args));
    assert!(!plain.contains('\x1b'));
    let (_, coloured, _) = run(cors().args(["--color", "always"]).args(args));
    assert!(
        coloured.contains("\x1b[1;33mwarning[W101]\x1b[0m"),
        "{coloured}"
    );
    // NO_COLOR only matters on a terminal; piped output is plain either way.
    let (_, no_color, _) = run(cors().env("NO_COLOR", "1").args(args));
    assert_eq!(no_color, plain);
}

// ------------------------------------------------------------------------------------
// Copy as cURL
// ------------------------------------------------------------------------------------

/// Chrome's "Copy as cURL (bash)" of a credentialed JSON PUT, with the `$'...'` quoting
/// Chrome uses for bodies with a single quote.
const CHROME_PUT: &str = r#"curl 'https://api.example.com/api/items/7?expand=owner' \
  -X 'PUT' \
  -H 'accept: application/json, text/plain, */*' \
  -H 'accept-language: en-US,en;q=0.9,de;q=0.8' \
  -H 'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' \
  -H 'cache-control: no-cache' \
  -H 'content-type: application/json' \
  -b 'session=8f2c1e; theme=dark' \
  -H 'origin: https://app.example.com' \
  -H 'pragma: no-cache' \
  -H 'priority: u=1, i' \
  -H 'referer: https://app.example.com/' \
  -H 'sec-ch-ua: "Chromium";v="128", "Not;A=Brand";v="24", "Google Chrome";v="128"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  -H 'sec-fetch-dest: empty' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: same-site' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36' \
  --data-raw $'{"name":"Bob\'s item","tags":["a","b"]}'"#;

/// Firefox's "Copy as cURL" of a POST with a custom header (one line, `Cookie` header).
const FIREFOX_POST: &str = "curl 'https://api.example.com/api/events' --compressed -X POST -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Content-Type: text/plain;charset=UTF-8' -H 'X-Client-Version: 4.2.0' -H 'Origin: https://shop.example.org' -H 'Connection: keep-alive' -H 'Referer: https://shop.example.org/' -H 'Cookie: sid=abc' -H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: cross-site' -H 'Priority: u=4' --data-raw '{\"event\":\"click\"}'";

/// Chrome's copy of the preflight itself.
const CHROME_PREFLIGHT: &str = r#"curl 'http://localhost:8080/api/items' \
  -X 'OPTIONS' \
  -H 'accept: */*' \
  -H 'accept-language: en-US,en;q=0.9' \
  -H 'access-control-request-headers: content-type,x-request-id' \
  -H 'access-control-request-method: DELETE' \
  -H 'origin: http://localhost:3000' \
  -H 'priority: u=1, i' \
  -H 'referer: http://localhost:3000/' \
  -H 'sec-fetch-dest: empty' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: same-site' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36'"#;

#[test]
fn curl_chrome_copy() {
    let (code, out, err) = run(cors().args(["explain", "-c", "policy.toml", "--curl", CHROME_PUT]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PUT /api/items/7?expand=owner from origin https://app.example.com"));
    assert!(out.contains("credentials: include"));
    snapshot("curl_chrome", &out);
}

#[test]
fn curl_firefox_copy() {
    let (code, out, err) =
        run(cors().args(["explain", "-c", "policy.toml", "--curl", FIREFOX_POST]));
    assert_eq!(code, 1, "{out}{err}");
    snapshot("curl_firefox", &out);
}

#[test]
fn curl_preflight_copy() {
    let (code, out, err) =
        run(cors().args(["explain", "-c", "policy.toml", "--curl", CHROME_PREFLIGHT]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("this is a copy of a preflight"));
    assert!(out.contains("access-control-request-headers: content-type,x-request-id"));
    snapshot("curl_preflight", &out);
}

#[test]
fn curl_origin_flag_fills_in() {
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "--curl",
        "curl https://api.example.com/x -H 'Accept: text/html'",
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("GET /x from origin https://app.example.com"));
}

// ------------------------------------------------------------------------------------
// --url against an in-process server
// ------------------------------------------------------------------------------------

/// A server on 127.0.0.1:0 answering every request with `answer(request head)`, recording
/// the heads; stopped by [`TestServer::stop`].
struct TestServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

const STOP: &str = "STOP /stop HTTP/1.1";

impl TestServer {
    fn start(answer: fn(&str) -> String) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let head = read_head(&mut stream);
                if head.starts_with(STOP) {
                    break;
                }
                log.lock().unwrap().push(head.clone());
                let _ = stream.write_all(answer(&head).as_bytes());
            }
        });
        TestServer {
            port,
            requests,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn stop(mut self) -> Vec<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.write_all(format!("{STOP}\r\n\r\n").as_bytes()).unwrap();
        self.thread.take().unwrap().join().unwrap();
        std::mem::take(&mut *self.requests.lock().unwrap())
    }
}

fn read_head(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Answers as `policy.toml` does for origin https://app.example.com.
fn faithful(head: &str) -> String {
    if head.starts_with("OPTIONS ") {
        "HTTP/1.1 204 No Content\r\n\
         Access-Control-Allow-Origin: https://app.example.com\r\n\
         Access-Control-Allow-Credentials: true\r\n\
         Access-Control-Allow-Methods: GET, POST, PUT, DELETE\r\n\
         Access-Control-Allow-Headers: Content-Type, Authorization, X-Request-Id\r\n\
         Access-Control-Max-Age: 600\r\n\
         Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\r\n\
         Connection: close\r\n\r\n"
            .to_owned()
    } else {
        "HTTP/1.1 200 OK\r\n\
         Access-Control-Allow-Origin: https://app.example.com\r\n\
         Access-Control-Allow-Credentials: true\r\n\
         Access-Control-Expose-Headers: x-request-id\r\n\
         Vary: Accept-Encoding, Origin\r\n\
         Content-Length: 2\r\n\
         Connection: close\r\n\r\nok"
            .to_owned()
    }
}

/// A typical hand-rolled server: `*` everywhere, 200 preflights, no Vary.
fn sloppy(head: &str) -> String {
    if head.starts_with("OPTIONS ") {
        "HTTP/1.1 200 OK\r\n\
         Access-Control-Allow-Origin: *\r\n\
         Access-Control-Allow-Methods: *\r\n\
         Access-Control-Allow-Headers: *\r\n\
         Content-Length: 0\r\n\r\n"
            .to_owned()
    } else {
        "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n".to_owned()
    }
}

fn without_port(text: &str, port: u16) -> String {
    text.replace(&format!("127.0.0.1:{port}"), "127.0.0.1:PORT")
}

#[test]
fn url_server_agrees_with_policy() {
    let server = TestServer::start(faithful);
    let url = server.url("/api/items");
    let (code, out, err) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "-X",
        "DELETE",
        "-H",
        "x-request-id: 42",
        "--credentials",
        "--url",
        &url,
        "--send-actual",
    ]));
    let port = server.port;
    let requests = server.stop();
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests[0].starts_with("OPTIONS /api/items HTTP/1.1\r\n"));
    assert!(requests[0].contains("access-control-request-method: DELETE\r\n"));
    assert!(requests[0].contains("access-control-request-headers: x-request-id\r\n"));
    assert!(requests[1].starts_with("DELETE /api/items HTTP/1.1\r\n"));
    assert!(requests[1].contains("origin: https://app.example.com\r\n"));
    snapshot("url_agrees", &without_port(&out, port));
}

#[test]
fn url_server_differs_from_policy() {
    let server = TestServer::start(sloppy);
    let url = server.url("/api/items");
    let (code, out, err) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "-X",
        "PUT",
        "-H",
        "content-type: application/json",
        "--credentials",
        "--url",
        &url,
    ]));
    let port = server.port;
    let requests = server.stop();
    assert_eq!(code, 1, "{out}{err}");
    // The server's preflight fails in a browser, so the PUT is never sent.
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        out.contains("- the server answered 200; the policy answers 204"),
        "{out}"
    );
    snapshot("url_differs", &without_port(&out, port));
}

#[test]
fn url_does_not_send_unsafe_methods_unless_asked() {
    let server = TestServer::start(faithful);
    let url = server.url("/");
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "-X",
        "POST",
        "--url",
        &url,
    ]));
    let requests = server.stop();
    assert_eq!(code, 0, "{out}");
    assert!(requests.is_empty(), "{requests:?}");
    assert!(out.contains("not sent (POST may change data on the server; pass --send-actual"));
}

#[test]
fn url_with_curl_command() {
    let server = TestServer::start(faithful);
    let url = server.url("/api/items/7");
    let (code, out, err) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--curl",
        CHROME_PUT,
        "--url",
        &url,
    ]));
    let requests = server.stop();
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].starts_with("OPTIONS /api/items/7 HTTP/1.1\r\n"),
        "{requests:?}"
    );
}

#[test]
fn url_unreachable_exit_2() {
    // A port nothing listens on: bind, note it, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, out, err) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "--url",
        &format!("http://127.0.0.1:{port}/"),
        "--timeout",
        "2",
    ]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("cannot connect"), "{err}");
}

#[test]
fn url_garbage_answer_exit_2() {
    let server = TestServer::start(|_| "SSH-2.0-OpenSSH_9.6\r\n\r\n".to_owned());
    let url = server.url("/");
    let (code, _, err) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "--url",
        &url,
    ]));
    server.stop();
    assert_eq!(code, 2);
    assert!(err.contains("not an HTTP/1.x response"), "{err}");
}

/// Every config of the conformance table's invalid set: `cors check` exits 2 and names
/// each field path (the same table every server refuses).
#[test]
fn check_refuses_every_invalid_config_of_the_table() {
    let configs = cors_conformance::load_invalid(&cors_conformance::invalid_dir())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    for c in &configs {
        let path = dir.path().join(format!("{}.{}", c.name, c.format));
        std::fs::write(&path, &c.text).unwrap();
        let (code, out, err) = run(cors().arg("check").arg(&path));
        assert_eq!(code, 2, "{}: {out}{err}", c.label);
        let text = format!("{out}{err}");
        let missing = cors_conformance::missing_from(c, &text, Some(&path));
        assert!(missing.is_empty(), "{}: {missing:?}\n{text}", c.label);
        for code in &c.codes {
            assert!(
                text.contains(&format!("error[{code}]")),
                "{}: no {code}\n{text}",
                c.label
            );
        }
    }
}

/// A policy allowing `PATCH`, `patch` (nginx and Rocket refuse it) and `PURGE` (Rocket
/// does), in a temporary file.
fn methods_policy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("methods.toml");
    std::fs::write(
        &path,
        "allow_origins = [\"https://app.example.com\"]\nallow_methods = [\"PATCH\", \"patch\", \"PURGE\"]\n",
    )
    .unwrap();
    (dir, path)
}

#[test]
fn check_warns_about_methods_servers_refuse() {
    let (_dir, path) = methods_policy();
    let (code, out, _) = run(cors().arg("check").arg(&path));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning[W201]: allow_methods[1] = \"patch\""),
        "{out}"
    );
    assert!(out.contains("nginx answers 400"), "{out}");
    assert!(
        out.contains("warning[W201]: allow_methods[2] = \"PURGE\""),
        "{out}"
    );
    assert!(!out.contains("allow_methods[0]"), "{out}");
}

#[test]
fn explain_names_servers_that_refuse_the_method() {
    let (_dir, path) = methods_policy();
    let explain = |method: &str| {
        run(cors().arg("explain").arg("-c").arg(&path).args([
            "--origin",
            "https://app.example.com",
            "-X",
            method,
        ]))
    };
    let (code, out, _) = explain("patch");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Result: allowed"), "{out}");
    assert!(
        out.contains("Servers: nginx answers 400 to methods with bytes other than A-Z")
            && out.contains("Rocket 0.5"),
        "{out}"
    );
    let (_, out, _) = explain("PURGE");
    assert!(out.contains("Servers: Rocket 0.5 answers 400"), "{out}");
    assert!(!out.contains("nginx"), "{out}");
    let (_, out, _) = explain("PATCH");
    assert!(!out.contains("Servers:"), "{out}");
}

/// A config of `n` invalid origins on one line (as a generated, minified config has them).
fn many_bad_origins(dir: &Path, n: usize) -> PathBuf {
    let items: Vec<String> = (0..n)
        .map(|i| format!("\"https://bad{i}.example.com/\""))
        .collect();
    let path = dir.join(format!("bad{n}.toml"));
    std::fs::write(&path, format!("allow_origins = [{}]\n", items.join(", "))).unwrap();
    path
}

/// Every finding of a one-line config is reported in output linear in the number of
/// findings (each shows a bounded excerpt of the line, not the whole line), and by default
/// only the first 100 are printed, with a count of the rest.
#[test]
fn check_output_stays_linear_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let size = |n: usize| {
        let path = many_bad_origins(dir.path(), n);
        let (code, out, _) = run(cors().args(["check", "--max-diagnostics", "0"]).arg(&path));
        assert_eq!(code, 2);
        assert!(
            out.contains(&format!("invalid ({n} errors)")),
            "{}",
            &out[out.len() - 200..]
        );
        out.len()
    };
    let (one, two) = (size(2000), size(4000));
    let ratio = two as f64 / one as f64;
    assert!(
        (1.9..2.1).contains(&ratio),
        "output grew {ratio}x for twice the findings"
    );
    // About 300 bytes a finding, whatever the line's length (the line here is 96 KB).
    assert!(one < 2000 * 400, "{one} bytes for 2000 findings");

    let path = many_bad_origins(dir.path(), 10_000);
    let (code, out, _) = run(cors().arg("check").arg(&path));
    assert_eq!(code, 2);
    assert!(
        out.contains("9900 more findings not shown"),
        "{}",
        &out[out.len() - 300..]
    );
    assert!(
        out.len() < 100 * 400,
        "{} bytes for the default report",
        out.len()
    );
}

/// A 10 MB value is shown shortened, with its length.
#[test]
fn huge_values_are_shortened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let origin = format!("https://{}.example.com", "a".repeat(10_000_000));
    std::fs::write(&path, format!("{{\"allow_origins\": [\"{origin}\"]}}")).unwrap();
    let (code, out, _) = run(cors().arg("check").arg(&path));
    assert_eq!(code, 2);
    assert!(
        out.contains("error[E116]"),
        "{}",
        &out[..out.len().min(500)]
    );
    assert!(
        out.contains("(10000020 bytes)"),
        "{}",
        &out[..out.len().min(500)]
    );
    assert!(out.len() < 2000, "{} bytes of output", out.len());
}

#[test]
fn explain_names_the_route_that_decides() {
    let (code, out, err) = run(cors().args([
        "explain",
        "--config",
        "routes.toml",
        "--origin",
        "https://any.example",
        "--path",
        "/public/feed",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("route: /public (its policy decides)"), "{out}");
    assert!(out.contains("access-control-allow-origin: *"), "{out}");

    // Outside every route, the top level decides (and denies this origin).
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "routes.toml",
        "--origin",
        "https://any.example",
        "--path",
        "/publicity",
    ]));
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("route: none covers /publicity"), "{out}");

    // A report-only route: what the policy would do, and that the server changes nothing.
    let (_, out, _) = run(cors().args([
        "explain",
        "-c",
        "routes.toml",
        "--origin",
        "https://admin.example.com",
        "-X",
        "PUT",
        "--path",
        "/admin/users",
    ]));
    assert!(out.contains("route: /admin (its policy decides)"), "{out}");
    assert!(out.contains("mode: report-only"), "{out}");
}

#[test]
fn check_names_routes_in_findings() {
    let (code, out, _) = run(cors().args(["check", "routes-invalid.toml"]));
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("error[E103]: routes[0].allow_origins"),
        "{out}"
    );
    assert!(
        out.contains("error[E501]: routes[1].path = \"admin\""),
        "{out}"
    );
    assert!(out.contains("routes-invalid.toml:4:1"), "{out}");
}

#[test]
fn dynamic_origins_are_flagged_by_check_and_explain() {
    let (code, out, _) = run(cors().args(["check", "--deny-warnings", "dynamic.toml"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("warning[W602]"), "{out}");
    assert!(out.contains("which this check cannot see"), "{out}");
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "dynamic.toml",
        "--origin",
        "https://tenant.example.net",
    ]));
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("the server's origin predicate may still allow"),
        "{out}"
    );
    // A listed origin needs no predicate, and says nothing of it.
    let (code, out, _) = run(cors().args([
        "explain",
        "-c",
        "dynamic.toml",
        "--origin",
        "https://app.example.com",
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("predicate"), "{out}");
}

#[test]
fn explain_names_near_misses() {
    let explain = |args: &[&str]| {
        let mut all = vec!["explain", "-c", "near-miss.toml"];
        all.extend_from_slice(args);
        let (code, out, _) = run(cors().args(&all));
        assert_eq!(code, 1, "{out}");
        out
    };
    let out = explain(&["--origin", "http://127.0.0.1:3000"]);
    assert!(
        out.contains("127.0.0.1 and localhost are different origins"),
        "{out}"
    );
    let out = explain(&["--origin", "https://example.com"]);
    assert!(out.contains("not example.com itself"), "{out}");
    let out = explain(&["--origin", "https://a.example.com", "-X", "patch"]);
    assert!(out.contains("write \"PATCH\" in the fetch call"), "{out}");
    let out = explain(&["--origin", " https://a.example.com"]);
    assert!(out.contains("surrounding spaces"), "{out}");
}

#[test]
fn explain_reads_cmd_curl_and_fetch_copies() {
    let fetch = r#"fetch("http://192.168.1.20/status", {
  "headers": { "x-trace": "1" },
  "referrer": "https://site.example/page",
  "method": "GET",
  "mode": "cors"
});"#;
    let (_, out, err) = run(cors().args(["explain", "-c", "public.toml", "--fetch", fetch]));
    assert!(
        out.contains("from origin https://site.example"),
        "{out}{err}"
    );
    assert!(out.contains("is the copy's referrer"), "{out}");
    assert!(
        out.contains("a device on the user's local network"),
        "{out}"
    );
    let cmd = "curl ^\"https://api.example/x^\" ^\n  -H ^\"Origin: https://site.example^\" ^\n  -H ^\"x-trace: 1^\"";
    let (_, out, err) = run(cors().args(["explain", "-c", "public.toml", "--curl", cmd]));
    assert!(
        out.contains("from origin https://site.example"),
        "{out}{err}"
    );
    assert!(out.contains("Windows (cmd)"), "{out}");
    assert!(
        out.contains("header x-trace is not CORS-safelisted"),
        "{out}"
    );
}

/// Serves `answer` over TLS (the fixture certificate for localhost and 127.0.0.1, signed by
/// `fixtures/tls/ca.pem`) for `connections` connections, then stops.
fn tls_server(answer: fn(&str) -> String, connections: usize) -> (u16, JoinHandle<Vec<String>>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(dir().join("fixtures/tls/cert.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir().join("fixtures/tls/key.pem")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || {
        let mut heads = Vec::new();
        for stream in listener.incoming().take(connections) {
            let Ok(tcp) = stream else { continue };
            let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut buf = Vec::new();
            let mut byte = [0u8; 1];
            while !buf.ends_with(b"\r\n\r\n") {
                match tls.read(&mut byte) {
                    Ok(1) => buf.push(byte[0]),
                    _ => break,
                }
            }
            let head = String::from_utf8_lossy(&buf).into_owned();
            if !head.is_empty() {
                let _ = tls.write_all(answer(&head).as_bytes());
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
            heads.push(head);
        }
        heads
    });
    (port, thread)
}

#[test]
fn url_over_https_with_a_private_ca() {
    let (port, server) = tls_server(faithful, 3);
    let url = format!("https://localhost:{port}/api/items");
    let ca = dir().join("fixtures/tls/ca.pem");
    let (code, out, err) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "-X",
        "PUT",
        "-H",
        "x-request-id: 1",
        "--url",
        &url,
        "--cacert",
        ca.to_str().unwrap(),
        "--send-actual",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("server {url} answered 204")), "{out}");
    // Without the CA: the handshake fails, and the error says what to pass.
    let (code, _, err) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "--url",
        &url,
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("TLS handshake failed"), "{err}");
    assert!(err.contains("--cacert"), "{err}");
    let heads = server.join().unwrap();
    assert!(
        heads[0].starts_with("OPTIONS /api/items HTTP/1.1"),
        "{heads:?}"
    );
}

#[test]
fn url_redirects_are_shown_not_followed() {
    let server = TestServer::start(|_| {
        "HTTP/1.1 302 Found\r\nlocation: https://elsewhere.example/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            .to_owned()
    });
    let (code, out, err) = run(cors().args([
        "explain",
        "-c",
        "policy.toml",
        "--origin",
        "https://app.example.com",
        "-X",
        "PUT",
        "--url",
        &server.url("/api/items"),
    ]));
    let requests = server.stop();
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("answered 302 Found"), "{out}");
    assert!(
        out.contains("location: https://elsewhere.example/"),
        "{out}"
    );
    assert_eq!(
        requests.len(),
        1,
        "the redirect was not followed: {requests:?}"
    );
}

#[test]
fn url_without_config_shows_what_the_server_answers() {
    let server = TestServer::start(faithful);
    let (code, out, err) = run(cors().args([
        "explain",
        "--origin",
        "https://app.example.com",
        "-H",
        "x-request-id: 1",
        "--credentials",
        "--url",
        &server.url("/api/items"),
    ]));
    let requests = server.stop();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no --config: what http://127.0.0.1:"), "{out}");
    assert!(out.contains("answered 204 No Content"), "{out}");
    assert!(out.contains("answered 200 OK"), "{out}");
    assert!(out.contains("Result: allowed"), "{out}");
    assert_eq!(requests.len(), 2, "{requests:?}");

    // A server answering `*` to a credentialed fetch: blocked, and why.
    let server = TestServer::start(sloppy);
    let (code, out, _) = run(cors().args([
        "explain",
        "--origin",
        "https://app.example.com",
        "--credentials",
        "--url",
        &server.url("/api/items"),
    ]));
    server.stop();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Result: blocked"), "{out}");
    assert!(out.contains("Access-Control-Allow-Origin: *"), "{out}");

    // Neither --config nor --url.
    let (code, _, err) = run(cors().args(["explain", "--origin", "https://a.example"]));
    assert_eq!(code, 2);
    assert!(err.contains("--config"), "{err}");
}

#[test]
fn verify_names_every_drift_of_a_wrong_server() {
    let server = TestServer::start(sloppy);
    let url = server.url("");
    let (code, out, err) = run(cors().args(["verify", "-c", "policy.toml", "--url", &url]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("differs OPTIONS /cors-verify origin: https://app.example.com"),
        "{out}"
    );
    assert!(
        out.contains("the server sent Access-Control-Allow-Origin: \"*\"; the policy sends \"https://app.example.com\""),
        "{out}"
    );
    assert!(out.contains("the server's Vary lacks"), "{out}");
    assert!(out.contains("differ from the policy"), "{out}");
    let (code, out, _) = run(cors().args([
        "verify",
        "-c",
        "policy.toml",
        "--url",
        &url,
        "--format",
        "json",
    ]));
    let requests = server.stop();
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let n = doc["requests"].as_u64().unwrap();
    assert!(doc["differing"].as_u64().unwrap() > 0 && n > 10, "{doc}");
    assert!(doc["results"][0]["differences"].is_array(), "{doc}");
    assert_eq!(requests.len() as u64, 2 * n, "each check is one request");
    // Errors: a bad config, an unreachable server.
    let (code, _, err) = run(cors().args([
        "verify",
        "-c",
        "invalid.toml",
        "--url",
        "http://127.0.0.1:1",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("allow_origins"), "{err}");
    let (code, _, err) =
        run(cors().args(["verify", "-c", "policy.toml", "--url", "http://127.0.0.1:1"]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot connect"), "{err}");
}
