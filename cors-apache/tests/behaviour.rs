//! Apache-specific behaviour of the module: configtest errors, inheritance and `Cors
//! Off`, preflights answered before authentication and mod_proxy, headers on Apache's
//! own error responses and ErrorDocuments, upstream and `Header set` headers replaced,
//! static files, graceful restarts, report-only and the log notes.

mod support;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use cors_apache::{Layout, config_test, modules_dir, wrap};
use cors_conformance::{assert_granted, assert_no_cors};
use support::{APP, OTHER, POLICY_APP, POLICY_OTHER, Server, module, q};

/// Runs `httpd -t` on a configuration made of `body` in `dir`: (success, all output).
fn configtest(dir: &Path, body: &str) -> (bool, String) {
    let modules = modules_dir().unwrap_or_else(|e| panic!("{e}"));
    let layout = Layout::new(dir, &module(), &modules);
    let conf = dir.join("httpd.conf");
    std::fs::write(&conf, wrap(&layout, true, body)).unwrap_or_else(|e| panic!("{e}"));
    let out = config_test(dir, &conf).unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    text.push_str(&std::fs::read_to_string(dir.join("error.log")).unwrap_or_default());
    (out.status.success(), text)
}

#[test]
fn configtest_fails_naming_the_file_line_and_every_field() {
    let dir = cors_nginx::temp_dir("apache-t").unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let invalid = d.join("invalid.toml");
    std::fs::write(
        &invalid,
        "allow_origins = [\"https://app.example.com/path\", \"https://*.com\"]\n\
         allow_methods = [\"GET\", \"TRACE\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (ok, text) = configtest(
        d,
        &format!("Listen 127.0.0.1:1\nCorsPolicy {}\n", q(&invalid)),
    );
    assert!(!ok, "configtest must fail: {text}");
    for needle in [
        "Syntax error on line",
        "httpd.conf",
        invalid.to_str().unwrap_or_default(),
        "invalid.toml:1:18: allow_origins[0]",
        "invalid.toml:1:50: allow_origins[1]",
        "invalid.toml:2:25: allow_methods[1]",
        "allow_origins[0]",
        "allow_origins[1]",
        "allow_methods[1]",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }

    // A syntax error: its line and column.
    let syntax = d.join("syntax.toml");
    std::fs::write(
        &syntax,
        "allow_origins = [\"https://app.example.com\"]\nmax_age = \n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (ok, text) = configtest(d, &format!("CorsPolicy {}\n", q(&syntax)));
    assert!(!ok && text.contains("syntax.toml:2:"), "{text}");

    // A typo in a key is an error naming the key, in a <Location> too.
    let typo = d.join("typo.toml");
    std::fs::write(
        &typo,
        "allow_origins = [\"https://app.example.com\"]\nallow_method = [\"PUT\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (ok, text) = configtest(
        d,
        &format!("<Location /api>\nCorsPolicy {}\n</Location>\n", q(&typo)),
    );
    assert!(
        !ok && text.contains("allow_method") && text.contains("typo.toml"),
        "{text}"
    );

    // A missing file, a relative path (to ServerRoot), twice in one context, and `Cors
    // On` with no policy anywhere.
    let (ok, text) = configtest(d, &format!("CorsPolicy {}\n", q(&d.join("missing.toml"))));
    assert!(!ok && text.contains("missing.toml"), "{text}");
    std::fs::write(d.join("rel.toml"), POLICY_APP).unwrap_or_else(|e| panic!("{e}"));
    let (ok, text) = configtest(d, "CorsPolicy rel.toml\n");
    assert!(ok, "a path relative to ServerRoot: {text}");
    let (ok, text) = configtest(d, "CorsPolicy rel.toml\nCorsPolicy rel.toml\n");
    assert!(!ok && text.contains("CorsPolicy is given twice"), "{text}");
    let (ok, text) = configtest(d, "<Location /api>\nCors On\n</Location>\n");
    assert!(
        !ok && text.contains("\"Cors On\" needs a CorsPolicy"),
        "{text}"
    );
    let (ok, text) = configtest(d, "Cors Maybe\n");
    assert!(!ok && text.contains("Cors"), "{text}");

    // A valid policy with a warning: accepted, the warning logged with the field.
    let warn = d.join("warn.toml");
    std::fs::write(
        &warn,
        "allow_origins = [\"https://app.example.com\"]\nallow_headers = [\"cookie\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (ok, text) = configtest(d, &format!("CorsPolicy {}\n", q(&warn)));
    assert!(ok, "{text}");
    assert!(
        text.contains("warn") && text.contains("allow_headers[0]"),
        "{text}"
    );
}

#[test]
fn policies_inherit_and_cors_off_disables() {
    let s = Server::start(
        "inherit",
        &[
            ("app.toml", POLICY_APP),
            ("other.toml", POLICY_OTHER),
            ("www/file.txt", "static"),
        ],
        |dir, port, up| {
            format!(
                "Listen 127.0.0.1:{port}\n\
                 CorsPolicy {app}\n\
                 ProxyPass /static !\n\
                 ProxyPass / http://127.0.0.1:{up}/\n\
                 Alias /static {www}\n\
                 <Directory {www}>\nCorsPolicy {other}\n</Directory>\n\
                 <Location /anything/off>\nCors Off\n</Location>\n\
                 <Location /anything/off/own>\nCorsPolicy {other}\n</Location>\n\
                 <Location /anything/off-own-header>\n\
                 Cors Off\n\
                 Header always set Access-Control-Allow-Origin https://handler.invalid\n\
                 </Location>\n\
                 <Location /anything/other>\nCorsPolicy {other}\n</Location>\n\
                 <Location /anything/other/on-off>\nCors Off\n</Location>\n\
                 <VirtualHost 127.0.0.1:{port}>\nServerName default.test\n</VirtualHost>\n\
                 <VirtualHost 127.0.0.1:{port}>\n\
                 ServerName other.test\n\
                 CorsPolicy {other}\n\
                 </VirtualHost>\n",
                app = q(&dir.join("app.toml")),
                other = q(&dir.join("other.toml")),
                www = q(&dir.join("www")),
            )
        },
    );

    // Inherited from the server config by the default virtual host.
    assert_granted(
        &s.actual("GET", "/anything/x", APP),
        APP,
        "server-level policy",
    );
    assert_no_cors(
        &s.actual("GET", "/anything/x", OTHER),
        "other origin, app policy",
    );
    assert_eq!(s.preflight("/anything/x", APP, "PUT").status, 204);

    // Off: nothing added, nothing removed, preflights reach the upstream.
    assert_no_cors(&s.actual("GET", "/anything/off/x", APP), "Cors Off");
    let off = s.actual("GET", "/anything/off-own-header/x", APP);
    assert_eq!(
        off.header("access-control-allow-origin").as_deref(),
        Some("https://handler.invalid"),
        "Cors Off leaves Header set alone: {off:#?}"
    );
    assert!(off.header("vary").is_none(), "{off:#?}");
    let before = s.upstream.count();
    let pre = s.preflight("/anything/off/x", APP, "PUT");
    assert_eq!(
        (pre.status, pre.header("x-handler").as_deref()),
        (200, Some("reached")),
        "{pre:#?}"
    );
    assert_eq!(s.upstream.count(), before + 1);
    assert_granted(
        &s.actual("GET", "/anything/off/own/x", OTHER),
        OTHER,
        "own policy inside an Off location",
    );

    // Overridden per <Location>, inherited by nested ones, switched off below.
    assert_granted(
        &s.actual("GET", "/anything/other/x", OTHER),
        OTHER,
        "location policy",
    );
    assert_no_cors(
        &s.actual("GET", "/anything/other/x", APP),
        "app origin, other policy",
    );
    assert_no_cors(
        &s.actual("GET", "/anything/other/on-off/x", OTHER),
        "nested Off",
    );

    // Overridden per <Directory>: static files.
    let file = s.actual("GET", "/static/file.txt", OTHER);
    assert_eq!(
        (file.status, file.body.as_slice()),
        (200, b"static".as_slice())
    );
    assert_granted(&file, OTHER, "a static file under a <Directory> policy");
    let missing = s.actual("GET", "/static/missing.txt", OTHER);
    assert_eq!(missing.status, 404);
    assert_granted(&missing, OTHER, "a static 404 under a <Directory> policy");

    // Overridden per virtual host.
    let r = s.send(
        "GET",
        "/anything/x",
        &[("Host", "other.test"), ("Origin", OTHER)],
    );
    assert_granted(&r, OTHER, "virtual host policy");
}

#[test]
fn preflights_never_reach_authentication_or_the_upstream() {
    let s = Server::start(
        "auth",
        &[
            ("app.toml", POLICY_APP),
            // user:secret, {SHA} form.
            ("htpasswd", "user:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"),
        ],
        |dir, port, up| {
            format!(
                "Listen 127.0.0.1:{port}\n\
                 CorsPolicy {app}\n\
                 ProxyPass / http://127.0.0.1:{up}/\n\
                 <Location />\n\
                 AuthType Basic\n\
                 AuthName cors\n\
                 AuthUserFile {htpasswd}\n\
                 Require valid-user\n\
                 </Location>\n\
                 <Location /anything/denied>\nRequire all denied\n</Location>\n",
                app = q(&dir.join("app.toml")),
                htpasswd = q(&dir.join("htpasswd")),
            )
        },
    );

    // Allowed and denied preflights: answered by the module, without credentials.
    let ok = s.send(
        "OPTIONS",
        "/anything/x",
        &[
            ("Origin", APP),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
    );
    assert_eq!(ok.status, 204, "{ok:#?}");
    assert_granted(&ok, APP, "allowed preflight");
    assert_eq!(
        ok.header("access-control-allow-headers").as_deref(),
        Some("content-type")
    );
    assert!(ok.header("www-authenticate").is_none(), "{ok:#?}");
    let denied = s.preflight("/anything/x", APP, "PURGE");
    assert_eq!(denied.status, 403, "{denied:#?}");
    assert_no_cors(&denied, "denied preflight");
    let forbidden = s.preflight("/anything/denied/x", APP, "PUT");
    assert_eq!(
        forbidden.status, 204,
        "before Require all denied: {forbidden:#?}"
    );
    assert_eq!(s.upstream.count(), 0, "no preflight reached the upstream");

    // An actual request without credentials: Apache's 401, with the headers, so script
    // can read it.
    let unauth = s.actual("GET", "/anything/x", APP);
    assert_eq!(unauth.status, 401, "{unauth:#?}");
    assert_granted(&unauth, APP, "401 from mod_auth_basic");
    let forbidden = s.send(
        "GET",
        "/anything/denied/x",
        &[("Origin", APP), ("Authorization", "Basic dXNlcjpzZWNyZXQ=")],
    );
    assert_eq!(forbidden.status, 403, "{forbidden:#?}");
    assert_granted(&forbidden, APP, "403 from Require all denied");
    assert_eq!(s.upstream.count(), 0);

    // With credentials it reaches the upstream.
    let authed = s.send(
        "GET",
        "/anything/x",
        &[("Origin", APP), ("Authorization", "Basic dXNlcjpzZWNyZXQ=")],
    );
    assert_eq!(
        (authed.status, authed.header("x-handler").as_deref()),
        (200, Some("reached"))
    );
    assert_granted(&authed, APP, "authenticated request");
    assert_eq!(s.upstream.count(), 1);
}

#[test]
fn error_responses_carry_the_headers() {
    // An upstream that accepts and hangs up without answering (Apache: 502), and a port
    // nothing listens on (bound, then released; Apache: 503).
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let dead_port = dead
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    thread::spawn(move || {
        for conn in dead.incoming() {
            drop(conn);
        }
    });
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let s = Server::start(
        "errors",
        &[
            ("app.toml", POLICY_APP),
            ("errors/502.html", "upstream down"),
        ],
        |dir, port, up| {
            format!(
                "Listen 127.0.0.1:{port}\n\
                 CorsPolicy {app}\n\
                 ProxyPass /errors !\n\
                 ProxyPass /dead http://127.0.0.1:{dead}/ retry=0\n\
                 ProxyPass /doc-dead http://127.0.0.1:{dead}/ retry=0\n\
                 ProxyPass /refused http://127.0.0.1:{closed}/ retry=0\n\
                 ProxyPass / http://127.0.0.1:{up}/\n\
                 Alias /errors {errors}\n\
                 <Location /errors>\nLimitRequestBody 10\n</Location>\n\
                 <Location /doc-dead>\nErrorDocument 502 /errors/502.html\n</Location>\n",
                app = q(&dir.join("app.toml")),
                errors = q(&dir.join("errors")),
                dead = dead_port,
            )
        },
    );
    let dead = s.actual("GET", "/dead/x", APP);
    assert_eq!(dead.status, 502, "{dead:#?}");
    assert_granted(&dead, APP, "502 of a dead upstream");
    assert_no_cors(
        &s.actual("GET", "/dead/x", OTHER),
        "502, origin not allowed",
    );
    let refused = s.actual("GET", "/refused/x", APP);
    assert_eq!(refused.status, 503, "{refused:#?}");
    assert_granted(&refused, APP, "503 of a refused connection");

    // A local ErrorDocument: an internal redirect; the headers still follow the policy.
    let doc = s.actual("GET", "/doc-dead/x", APP);
    assert_eq!(
        (doc.status, doc.body.as_slice()),
        (502, b"upstream down".as_slice())
    );
    assert_granted(&doc, APP, "local ErrorDocument");

    // Apache's own 400 (a request it refuses before any module runs).
    let bad = s.send("GET", "/anything/%00", &[("Origin", APP)]);
    assert!(bad.status == 400 || bad.status == 404, "{bad:#?}");
    assert_granted(&bad, APP, "Apache's own error");

    // Apache's 413 for a body over LimitRequestBody.
    let big = s.send_body("POST", "/errors/502.html", &[("Origin", APP)], &[b'x'; 100]);
    assert_eq!(big.status, 413, "{big:#?}");
    assert_granted(&big, APP, "413 from LimitRequestBody");

    // Upstream error statuses pass through with the headers.
    let upstream_500 = s.actual("GET", "/status/500", APP);
    assert_eq!(upstream_500.status, 500);
    assert_granted(&upstream_500, APP, "upstream 500");
}

#[test]
fn upstream_and_header_set_cors_headers_are_replaced() {
    let s = Server::start("replace", &[("app.toml", POLICY_APP)], |dir, port, up| {
        format!(
            "Listen 127.0.0.1:{port}\n\
             CorsPolicy {app}\n\
             ProxyPass / http://127.0.0.1:{up}/\n\
             <Location /anything/snippet>\n\
             Header always set Access-Control-Allow-Origin \"*\"\n\
             Header always set Access-Control-Allow-Methods \"GET, POST, PUT, DELETE, TRACE\"\n\
             Header always set Access-Control-Expose-Headers \"x-secret\"\n\
             Header always append Vary Accept-Language\n\
             </Location>\n",
            app = q(&dir.join("app.toml")),
        )
    });

    // The upstream's own ACAO: replaced by exactly one value, or removed.
    let own = s.actual("GET", "/own-acao", APP);
    assert_granted(&own, APP, "upstream ACAO replaced");
    assert_no_cors(
        &s.actual("GET", "/own-acao", "https://handler.invalid"),
        "removed",
    );

    // The upstream's Vary is kept and Origin merged once.
    let vary = s.actual("GET", "/vary", APP);
    assert_granted(&vary, APP, "upstream Vary");
    let tokens = vary.vary_tokens();
    assert!(tokens.contains(&"accept-encoding".to_owned()), "{vary:#?}");

    // The usual `Header always set` snippet left in place: the policy wins.
    let snippet = s.actual("GET", "/anything/snippet/x", APP);
    assert_granted(&snippet, APP, "Header set replaced");
    assert!(
        snippet.header("access-control-allow-methods").is_none(),
        "{snippet:#?}"
    );
    assert_eq!(
        snippet.header("access-control-expose-headers").as_deref(),
        Some("x-request-id"),
        "{snippet:#?}"
    );
    assert!(
        snippet
            .vary_tokens()
            .contains(&"accept-language".to_owned()),
        "{snippet:#?}"
    );
    assert_no_cors(
        &s.actual("GET", "/anything/snippet/x", "https://evil.example"),
        "the snippet's * is gone for a denied origin",
    );
    let pre = s.preflight("/anything/snippet/x", APP, "PUT");
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header_lines("access-control-allow-methods"),
        vec!["GET, POST, PUT"],
        "{pre:#?}"
    );
}

#[test]
fn graceful_restart_applies_a_changed_policy_and_refuses_a_broken_one() {
    let s = Server::start("reload", &[("cors.toml", POLICY_APP)], |dir, port, up| {
        format!(
            "Listen 127.0.0.1:{port}\nCorsPolicy {}\nProxyPass / http://127.0.0.1:{up}/\n",
            q(&dir.join("cors.toml"))
        )
    });
    let policy = s.dir().join("cors.toml");
    assert_no_cors(&s.actual("GET", "/anything/x", OTHER), "before the change");

    // A changed file is picked up by a graceful restart.
    std::fs::write(&policy, POLICY_OTHER).unwrap_or_else(|e| panic!("{e}"));
    s.apache
        .graceful_and_wait()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_granted(
        &s.actual("GET", "/anything/x", OTHER),
        OTHER,
        "after the change",
    );
    assert_no_cors(
        &s.actual("GET", "/anything/x", APP),
        "old origin after the change",
    );

    // A broken file: `apachectl graceful` refuses with the field named, and the running
    // children keep the policy in force.
    std::fs::write(
        &policy,
        "allow_origins = [\"https://other.example.com/\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let workers = s.apache.worker_pids();
    let out = s.apache.graceful().unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("allow_origins[0]") && text.contains("cors.toml"),
        "{text}"
    );
    for _ in 0..20 {
        assert_granted(
            &s.actual("GET", "/anything/x", OTHER),
            OTHER,
            "after a refused restart",
        );
    }
    assert_eq!(s.apache.worker_pids(), workers, "the same children");

    // Fixed again: the next graceful restart applies.
    std::fs::write(&policy, POLICY_APP).unwrap_or_else(|e| panic!("{e}"));
    s.apache
        .graceful_and_wait()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_granted(&s.actual("GET", "/anything/x", APP), APP, "after the fix");
    assert_no_cors(
        &s.actual("GET", "/anything/x", OTHER),
        "other origin after the fix",
    );
}

/// Report-only mode: nothing in the exchange changes (a preflight reaches the upstream,
/// its own headers stay), and each disagreement is one `info` line in the error log.
#[test]
fn report_only_changes_nothing_and_logs_disagreements() {
    let policy = "allow_origins = [\"https://app.example.com\"]\n\
                  allow_methods = [\"GET\", \"PUT\"]\n\
                  mode = \"report-only\"\n";
    let s = Server::start("report-only", &[("cors.toml", policy)], |dir, port, up| {
        format!(
            "Listen 127.0.0.1:{port}\n\
             LogLevel warn cors_policy:info\n\
             CorsPolicy {}\n\
             ProxyPass / http://127.0.0.1:{up}/\n\
             <Location /anything/legacy>\n\
             Header always set Access-Control-Allow-Origin https://legacy.example\n\
             </Location>\n",
            q(&dir.join("cors.toml"))
        )
    });

    let r = s.actual("GET", "/anything/api", APP);
    assert_eq!(r.status, 200);
    assert_no_cors(&r, "report-only adds nothing");
    assert!(r.header("vary").is_none(), "{r:#?}");
    let r = s.actual("GET", "/anything/legacy", "https://legacy.example");
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://legacy.example")
    );
    let r = s.preflight("/anything/api", APP, "PUT");
    assert_eq!(
        (r.status, r.header("x-handler").as_deref()),
        (200, Some("reached"))
    );

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = s.apache.error_log();
        let allow = log.contains("cors report-only: the policy would allow \"GET /anything/api\"")
            && log.contains("it has no Access-Control-Allow-Origin");
        let deny = log.contains("cors report-only: the policy would deny \"GET /anything/legacy\"")
            && log.contains("origin https://legacy.example is not in allow_origins");
        if allow && deny && log.contains("[cors_policy:info]") {
            break;
        }
        assert!(Instant::now() < deadline, "missing report lines:\n{log}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// `%{cors-result}n` and `%{cors-reason}n` in a LogFormat: each request's decision and
/// its denial's name.
#[test]
fn log_notes_name_each_decision() {
    let s = Server::start("notes", &[("cors.toml", POLICY_APP)], |dir, port, up| {
        format!(
            "Listen 127.0.0.1:{port}\n\
             LogFormat \"%m %U %{{cors-result}}n %{{cors-reason}}n\" cors\n\
             CustomLog {log} cors\n\
             CorsPolicy {policy}\n\
             ProxyPass / http://127.0.0.1:{up}/\n",
            log = q(&dir.join("cors-access.log")),
            policy = q(&dir.join("cors.toml")),
        )
    });
    s.send("GET", "/anything/plain", &[]);
    s.actual("GET", "/anything/allowed", APP);
    s.actual("GET", "/anything/denied", "https://evil.example");
    s.preflight("/anything/pre-ok", APP, "PUT");
    s.preflight("/anything/pre-no", APP, "PURGE");
    let expected = [
        "GET /anything/plain not-cors -",
        "GET /anything/allowed allowed -",
        "GET /anything/denied denied origin-not-allowed",
        "OPTIONS /anything/pre-ok preflight-allowed -",
        "OPTIONS /anything/pre-no preflight-denied method-not-allowed",
    ];
    let log_path = s.dir().join("cors-access.log");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        // Threads log in the order they finish, not always the order sent.
        let mut lines: Vec<&str> = log.lines().collect();
        lines.sort_unstable();
        let mut want = expected.to_vec();
        want.sort_unstable();
        if lines == want {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "access log:\n{log}\nexpected:\n{}",
            expected.join("\n")
        );
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_example_config_is_valid() {
    let dir = cors_apache::repo_root().join("examples/apache");
    let out =
        std::process::Command::new(cors_apache::httpd_binary().unwrap_or_else(|e| panic!("{e}")))
            .arg("-t")
            .arg("-d")
            .arg(&dir)
            .args(["-f", "httpd.conf", "-C"])
            .arg(format!("LoadModule cors_policy_module {}", q(&module())))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
