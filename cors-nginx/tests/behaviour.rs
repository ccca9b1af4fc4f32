//! nginx-specific behaviour of the module: configuration errors, inheritance and `cors
//! off`, preflights answered before access modules and upstreams, headers on nginx's own
//! error pages and on proxied responses, and reloads.

mod support;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use cors_conformance::{assert_granted, assert_no_cors};
use cors_nginx::{Layout, test_config, wrap};
use support::{APP, OTHER, POLICY_APP, POLICY_OTHER, Server, module, q};

/// A full nginx.conf around `http` in `dir` (for `nginx -t`, nothing is started).
fn write_conf(dir: &Path, http: &str) -> std::path::PathBuf {
    let layout = Layout::new(dir, &module());
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, wrap(&layout, http)).unwrap_or_else(|e| panic!("{e}"));
    conf
}

fn nginx_t(dir: &Path, http: &str) -> (bool, String) {
    let conf = write_conf(dir, http);
    let out = test_config(dir, &conf).unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    text.push_str(&std::fs::read_to_string(dir.join("error.log")).unwrap_or_default());
    (out.status.success(), text)
}

#[test]
fn nginx_t_fails_naming_the_file_and_every_field() {
    let dir = cors_nginx::temp_dir("nginx-t").unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let invalid = d.join("invalid.toml");
    std::fs::write(
        &invalid,
        "allow_origins = [\"https://app.example.com/path\", \"https://*.com\"]\n\
         allow_methods = [\"GET\", \"TRACE\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (ok, text) = nginx_t(
        d,
        &format!(
            "server {{ listen 127.0.0.1:1; cors_policy {}; }}",
            q(&invalid)
        ),
    );
    assert!(!ok, "nginx -t must fail: {text}");
    for needle in [
        invalid.to_str().unwrap_or_default(),
        "invalid.toml:1:18: allow_origins[0]",
        "invalid.toml:1:50: allow_origins[1]",
        "invalid.toml:2:25: allow_methods[1]",
        "invalid cors_policy",
        "test failed",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }

    // A typo in a key is an error naming the key, not a silently different policy.
    let typo = d.join("typo.toml");
    std::fs::write(
        &typo,
        "allow_origins = [\"https://app.example.com\"]\nallow_method = [\"PUT\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (ok, text) = nginx_t(d, &format!("cors_policy {};", q(&typo)));
    assert!(
        !ok && text.contains("allow_method") && text.contains("typo.toml"),
        "{text}"
    );

    // A missing file, and `cors on` with no policy.
    let (ok, text) = nginx_t(d, &format!("cors_policy {};", q(&d.join("missing.toml"))));
    assert!(!ok && text.contains("missing.toml"), "{text}");
    let (ok, text) = nginx_t(d, "server { listen 127.0.0.1:1; location / { cors on; } }");
    assert!(
        !ok && text.contains("\"cors on\" needs a \"cors_policy\""),
        "{text}"
    );

    // A valid policy with a warning: accepted, the warning logged with the field.
    let warn = d.join("warn.toml");
    std::fs::write(
        &warn,
        "allow_origins = [\"https://app.example.com\"]\nallow_headers = [\"cookie\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (ok, text) = nginx_t(d, &format!("cors_policy {};", q(&warn)));
    assert!(ok, "{text}");
    assert!(
        text.contains("[warn]") && text.contains("allow_headers[0]"),
        "{text}"
    );
}

#[test]
fn policies_inherit_and_cors_off_disables() {
    let s = Server::start(
        "inherit",
        &[("app.toml", POLICY_APP), ("other.toml", POLICY_OTHER)],
        |dir, port| {
            format!(
                "cors_policy {app};\n\
                 server {{\n\
                   listen 127.0.0.1:{port};\n\
                   location /inherit/ {{ return 200 ok; }}\n\
                   location /off/ {{\n\
                     cors off;\n\
                     return 200 ok;\n\
                     location /off/nested/ {{ return 200 ok; }}\n\
                     location /off/own/ {{ cors_policy {other}; return 200 ok; }}\n\
                   }}\n\
                   location /off-own-header/ {{\n\
                     cors off;\n\
                     add_header Access-Control-Allow-Origin https://handler.invalid always;\n\
                     return 200 ok;\n\
                   }}\n\
                   location /other/ {{\n\
                     cors_policy {other};\n\
                     return 200 ok;\n\
                     location /other/nested/ {{ return 200 ok; }}\n\
                     location /other/on-off/ {{ cors off; return 200 ok; }}\n\
                   }}\n\
                 }}\n\
                 server {{\n\
                   listen 127.0.0.1:{port};\n\
                   server_name other.test;\n\
                   cors_policy {other};\n\
                   location / {{ return 200 ok; }}\n\
                 }}\n",
                app = q(&dir.join("app.toml")),
                other = q(&dir.join("other.toml")),
            )
        },
    );

    // Inherited from http.
    assert_granted(
        &s.actual("GET", "/inherit/x", APP),
        APP,
        "http-level policy",
    );
    assert_no_cors(
        &s.actual("GET", "/inherit/x", OTHER),
        "other origin under the app policy",
    );
    assert_eq!(s.preflight("/inherit/x", APP, "PUT").status, 204);

    // Off: nothing added, nothing removed, preflights reach the location.
    assert_no_cors(&s.actual("GET", "/off/x", APP), "cors off");
    let off = s.actual("GET", "/off-own-header/x", APP);
    assert_eq!(
        off.header("access-control-allow-origin").as_deref(),
        Some("https://handler.invalid"),
        "cors off leaves the location's own headers alone: {off:#?}"
    );
    assert!(off.header("vary").is_none(), "{off:#?}");
    let pre = s.preflight("/off/x", APP, "PUT");
    assert_eq!(
        (pre.status, pre.body.as_slice()),
        (200, b"ok".as_slice()),
        "{pre:#?}"
    );
    assert_no_cors(&s.actual("GET", "/off/nested/x", APP), "off is inherited");
    assert_granted(
        &s.actual("GET", "/off/own/x", OTHER),
        OTHER,
        "own policy inside an off block",
    );

    // Overridden per location, inherited by nested locations, switched off below.
    assert_granted(
        &s.actual("GET", "/other/x", OTHER),
        OTHER,
        "location policy",
    );
    assert_no_cors(
        &s.actual("GET", "/other/x", APP),
        "app origin under the other policy",
    );
    assert_granted(
        &s.actual("GET", "/other/nested/x", OTHER),
        OTHER,
        "nested location",
    );
    assert_no_cors(
        &s.actual("GET", "/other/on-off/x", OTHER),
        "off in a nested location",
    );

    // Overridden per server.
    let r = s.send("GET", "/x", &[("Host", "other.test"), ("Origin", OTHER)]);
    assert_granted(&r, OTHER, "server policy");
}

#[test]
fn preflights_never_reach_access_modules_or_upstreams() {
    let s = Server::start(
        "access",
        &[
            ("app.toml", POLICY_APP),
            ("htpasswd", "user:{PLAIN}secret\n"),
            ("www/basic/x", "ok"),
            ("www/deny/x", "ok"),
            ("www/authreq/x", "ok"),
        ],
        |dir, port| {
            format!(
                "server {{\n\
                   listen {backend};\n\
                   access_log {backend_log};\n\
                   location / {{ return 200 backend; }}\n\
                 }}\n\
                 server {{\n\
                   listen 127.0.0.1:{port};\n\
                   cors_policy {app};\n\
                   root {www};\n\
                   location /basic/ {{ auth_basic private; auth_basic_user_file {htpasswd}; }}\n\
                   location /deny/ {{ deny all; }}\n\
                   location /authreq/ {{ auth_request /auth; }}\n\
                   location = /auth {{ internal; return 401; }}\n\
                   location /proxied/ {{ auth_basic private; auth_basic_user_file {htpasswd}; proxy_pass {upstream}; }}\n\
                 }}\n",
                backend = support::unix_listen(dir, "backend.sock"),
                backend_log = q(&dir.join("backend.log")),
                app = q(&dir.join("app.toml")),
                www = q(&dir.join("www")),
                htpasswd = q(&dir.join("htpasswd")),
                upstream = support::unix_upstream(dir, "backend.sock"),
            )
        },
    );

    for (path, denied) in [
        ("/basic/x", 401),
        ("/deny/x", 403),
        ("/authreq/x", 401),
        ("/proxied/x", 401),
    ] {
        // An allowed preflight is answered before the access phase.
        let pre = s.preflight(path, APP, "PUT");
        assert_eq!(pre.status, 204, "{path}: {pre:#?}");
        assert!(pre.header("www-authenticate").is_none(), "{path}: {pre:#?}");
        assert_granted(&pre, APP, path);
        // A denied one too, with the policy's 403.
        let denied_pre = s.preflight(path, APP, "DELETE");
        assert_eq!(denied_pre.status, 403, "{path}: {denied_pre:#?}");
        assert!(denied_pre.body.is_empty() && denied_pre.header("www-authenticate").is_none());
        assert_no_cors(&denied_pre, path);
        // Actual requests, and OPTIONS that are not preflights, meet the access module,
        // and its error response carries the CORS headers.
        let actual = s.actual("GET", path, APP);
        assert_eq!(actual.status, denied, "{path}: {actual:#?}");
        assert_granted(&actual, APP, path);
        let options = s.actual("OPTIONS", path, APP);
        assert_eq!(options.status, denied, "{path}: {options:#?}");
    }

    // Authenticated requests get through; preflights never reached the upstream.
    let authed = s.send(
        "GET",
        "/proxied/x",
        &[("Origin", APP), ("Authorization", "Basic dXNlcjpzZWNyZXQ=")],
    );
    assert_eq!(
        (authed.status, authed.body.as_slice()),
        (200, b"backend".as_slice())
    );
    assert_granted(&authed, APP, "proxied");
    let backend_log = std::fs::read_to_string(s.dir().join("backend.log")).unwrap_or_default();
    assert_eq!(
        backend_log.lines().count(),
        1,
        "only the authenticated request: {backend_log}"
    );
    assert!(!backend_log.contains("OPTIONS"), "{backend_log}");
}

#[test]
fn nginx_error_pages_carry_the_headers() {
    let s = Server::start(
        "errors",
        &[
            ("app.toml", POLICY_APP),
            ("www/static/x", "ok"),
            ("www/errors/404.html", "custom"),
        ],
        |dir, port| {
            format!(
                "server {{\n\
                   listen 127.0.0.1:{port};\n\
                   cors_policy {app};\n\
                   root {www};\n\
                   client_max_body_size 10;\n\
                   location /static/ {{ }}\n\
                   location /deny/ {{ deny all; }}\n\
                   location /fail/ {{ return 500; }}\n\
                   location /teapot/ {{ return 418; }}\n\
                   location /moved/ {{ return 302 /elsewhere; }}\n\
                   location /dead/ {{ proxy_pass {dead}; }}\n\
                   location /page/ {{ error_page 404 /errors/404.html; }}\n\
                   location /errors/ {{ internal; }}\n\
                 }}\n",
                app = q(&dir.join("app.toml")),
                www = q(&dir.join("www")),
                dead = support::unix_upstream(dir, "nothing.sock"),
            )
        },
    );
    assert_eq!(s.actual("GET", "/static/x", APP).status, 200);
    for (method, path, status) in [
        ("GET", "/static/missing", 404),
        ("HEAD", "/static/missing", 404),
        ("GET", "/deny/x", 403),
        ("GET", "/fail/x", 500),
        ("GET", "/teapot/x", 418),
        ("GET", "/moved/x", 302),
        ("GET", "/dead/x", 502),
        ("POST", "/dead/x", 502),
        ("GET", "/page/missing", 404),
    ] {
        let r = s.actual(method, path, APP);
        assert_eq!(r.status, status, "{method} {path}: {r:#?}");
        assert_granted(&r, APP, path);
        assert_eq!(
            r.header("access-control-expose-headers").as_deref(),
            Some("x-request-id"),
            "{path}"
        );
        assert_no_cors(&s.actual(method, path, OTHER), path);
    }
    // error_page's internal redirect keeps the headers and serves the custom page.
    assert_eq!(s.actual("GET", "/page/missing", APP).body, b"custom");
    // 413: rejected before the location's phases run.
    let big = s.send_body("POST", "/static/x", &[("Origin", APP)], &[b'x'; 100]);
    assert_eq!(big.status, 413, "{big:#?}");
    assert_granted(&big, APP, "413");
}

#[test]
fn upstream_cors_headers_are_replaced() {
    let s = Server::start("upstream", &[("app.toml", POLICY_APP)], |dir, port| {
        format!(
            "server {{\n\
               listen {backend};\n\
               location / {{\n\
                 add_header Access-Control-Allow-Origin * always;\n\
                 add_header Access-Control-Allow-Credentials true always;\n\
                 add_header Access-Control-Allow-Methods \"GET, DELETE\" always;\n\
                 add_header Access-Control-Expose-Headers \"*\" always;\n\
                 add_header access-control-max-age 99 always;\n\
                 add_header Vary Origin always;\n\
                 add_header Vary Accept-Encoding always;\n\
                 add_header x-handler reached always;\n\
                 return 200 ok;\n\
               }}\n\
             }}\n\
             server {{\n\
               listen 127.0.0.1:{port};\n\
               cors_policy {app};\n\
               location /proxied/ {{ proxy_pass {upstream}; }}\n\
               location /added/ {{\n\
                 add_header Access-Control-Allow-Origin https://evil.example always;\n\
                 add_header Vary Accept-Encoding always;\n\
                 return 200 ok;\n\
               }}\n\
             }}\n",
            backend = support::unix_listen(dir, "backend.sock"),
            app = q(&dir.join("app.toml")),
            upstream = support::unix_upstream(dir, "backend.sock"),
        )
    });

    let r = s.actual("GET", "/proxied/x", APP);
    assert_eq!(
        (r.status, r.header("x-handler").as_deref()),
        (200, Some("reached"))
    );
    assert_granted(&r, APP, "proxied");
    assert_eq!(
        r.header("access-control-allow-credentials").as_deref(),
        Some("true")
    );
    assert_eq!(
        r.header("access-control-expose-headers").as_deref(),
        Some("x-request-id")
    );
    assert!(r.header("access-control-allow-methods").is_none(), "{r:#?}");
    assert!(r.header("access-control-max-age").is_none(), "{r:#?}");
    assert_eq!(
        r.vary_tokens(),
        ["origin", "accept-encoding"],
        "Vary kept, not doubled"
    );

    // A denied origin gets none of what the upstream granted.
    let r = s.actual("GET", "/proxied/x", "https://evil.example");
    assert_no_cors(&r, "denied origin behind a permissive upstream");
    assert_eq!(r.vary_tokens(), ["origin", "accept-encoding"]);

    // add_header in the location itself is replaced too.
    let r = s.actual("GET", "/added/x", APP);
    assert_granted(&r, APP, "add_header");
    assert_eq!(r.vary_tokens(), ["accept-encoding", "origin"]);
    assert_no_cors(
        &s.actual("GET", "/added/x", "https://evil.example"),
        "add_header, denied",
    );
}

#[test]
fn reload_applies_a_changed_policy_and_survives_a_broken_one() {
    let s = Server::start("reload", &[("cors.toml", POLICY_APP)], |dir, port| {
        format!(
            "server {{ listen 127.0.0.1:{port}; cors_policy {}; location / {{ return 200 ok; }} }}\n",
            q(&dir.join("cors.toml"))
        )
    });
    let policy = s.dir().join("cors.toml");
    assert_no_cors(&s.actual("GET", "/x", OTHER), "before the change");

    // A changed file is picked up on reload.
    std::fs::write(&policy, POLICY_OTHER).unwrap_or_else(|e| panic!("{e}"));
    s.nginx.reload_and_wait().unwrap_or_else(|e| panic!("{e}"));
    assert_granted(&s.actual("GET", "/x", OTHER), OTHER, "after the change");
    assert_no_cors(
        &s.actual("GET", "/x", APP),
        "the old origin after the change",
    );

    // A broken file: `nginx -s reload` refuses with the field named...
    std::fs::write(
        &policy,
        "allow_origins = [\"https://other.example.com/\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = s.nginx.reload_command().unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("allow_origins[0]") && text.contains("cors.toml"),
        "{text}"
    );
    // ...and a master told to reload anyway logs it and keeps the running configuration
    // (the same workers, the same policy).
    let workers = s.nginx.worker_pids();
    assert!(!workers.is_empty(), "workers running");
    let logged_before = s.nginx.error_log().len();
    s.nginx.reload().unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let master_log = loop {
        let log = s.nginx.error_log();
        let new = log.get(logged_before..).unwrap_or_default().to_owned();
        if new.contains("invalid cors_policy") {
            break new;
        }
        assert!(Instant::now() < deadline, "no error logged:\n{log}");
        thread::sleep(Duration::from_millis(50));
    };
    assert!(master_log.contains("allow_origins[0]"), "{master_log}");
    for _ in 0..20 {
        assert_granted(
            &s.actual("GET", "/x", OTHER),
            OTHER,
            "after a failed reload",
        );
    }
    assert_eq!(
        s.nginx.worker_pids(),
        workers,
        "the same workers, never replaced"
    );

    // Fixed again: the next reload applies.
    std::fs::write(&policy, POLICY_APP).unwrap_or_else(|e| panic!("{e}"));
    s.nginx.reload_and_wait().unwrap_or_else(|e| panic!("{e}"));
    assert_granted(&s.actual("GET", "/x", APP), APP, "after the fix");
    assert_no_cors(
        &s.actual("GET", "/x", OTHER),
        "the other origin after the fix",
    );
}

#[test]
fn the_example_config_is_valid() {
    let dir = cors_nginx::temp_dir("example").unwrap_or_else(|e| panic!("{e}"));
    let conf = cors_nginx::repo_root().join("examples/nginx/nginx.conf");
    let out =
        std::process::Command::new(cors_nginx::nginx_binary().unwrap_or_else(|e| panic!("{e}")))
            .arg("-t")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-g")
            .arg(format!("load_module {};", q(&module())))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}: {}",
        conf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Report-only mode: nothing in the exchange changes (a preflight reaches the location,
/// the location's own headers stay), and each disagreement between the policy and the
/// response is one `info` line in the error log.
#[test]
fn report_only_changes_nothing_and_logs_disagreements() {
    let policy = "allow_origins = [\"https://app.example.com\"]\n\
                  allow_methods = [\"GET\", \"PUT\"]\n\
                  mode = \"report-only\"\n";
    let s = Server::start("report-only", &[("cors.toml", policy)], |dir, port| {
        format!(
            "server {{\n\
               listen 127.0.0.1:{port};\n\
               cors_policy {};\n\
               location /legacy/ {{\n\
                 add_header Access-Control-Allow-Origin https://legacy.example always;\n\
                 add_header x-handler reached always;\n\
                 return 200 ok;\n\
               }}\n\
               location / {{ add_header x-handler reached always; return 200 ok; }}\n\
             }}\n",
            q(&dir.join("cors.toml"))
        )
    });

    // The policy would allow; the location grants nothing: the browser could not read it.
    let r = s.actual("GET", "/api/x", APP);
    assert_eq!(r.status, 200);
    assert_no_cors(&r, "report-only adds nothing");
    assert!(r.header("vary").is_none(), "{r:#?}");
    // The policy would deny; the location's own grant stays and lets the browser read it.
    let r = s.actual("GET", "/legacy/x", "https://legacy.example");
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://legacy.example")
    );
    // A preflight reaches the location (no 204 or 403 from the module).
    let r = s.preflight("/api/x", APP, "PUT");
    assert_eq!(
        (r.status, r.header("x-handler").as_deref()),
        (200, Some("reached"))
    );

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = s.nginx.error_log();
        let allow = log.contains("cors report-only: the policy would allow \"GET /api/x\"")
            && log.contains("it has no Access-Control-Allow-Origin");
        let deny = log.contains("cors report-only: the policy would deny \"GET /legacy/x\"")
            && log.contains("origin https://legacy.example is not in allow_origins");
        if allow && deny && log.contains("[info]") {
            break;
        }
        assert!(Instant::now() < deadline, "missing report lines:\n{log}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// `$cors_result` and `$cors_reason` in an access log: each request's decision and its
/// denial's name.
#[test]
fn cors_variables_log_each_decision() {
    let s = Server::start("variables", &[("cors.toml", POLICY_APP)], |dir, port| {
        format!(
            "log_format cors '$request_method $uri $cors_result $cors_reason';\n\
             server {{\n\
               listen 127.0.0.1:{port};\n\
               access_log {log} cors;\n\
               cors_policy {policy};\n\
               location / {{ return 200 ok; }}\n\
             }}\n",
            log = q(&dir.join("cors-access.log")),
            policy = q(&dir.join("cors.toml")),
        )
    });
    s.send("GET", "/plain", &[]);
    s.actual("GET", "/allowed", APP);
    s.actual("GET", "/denied", "https://evil.example");
    s.preflight("/pre-ok", APP, "PUT");
    s.preflight("/pre-no", APP, "PURGE");
    let expected = [
        "GET /plain not-cors -",
        "GET /allowed allowed -",
        "GET /denied denied origin-not-allowed",
        "OPTIONS /pre-ok preflight-allowed -",
        "OPTIONS /pre-no preflight-denied method-not-allowed",
    ];
    let log_path = s.dir().join("cors-access.log");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        if lines == expected {
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
