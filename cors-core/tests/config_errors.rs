//! One test per config error and warning: each message names the field (and index), the
//! offending value, and the fix; codes are stable.

use cors_core::{Config, ConfigErrors, ErrorKind, Field, LoadError, Policy};

fn errors(toml: &str) -> ConfigErrors {
    let config = Config::from_toml_str(toml).unwrap();
    Policy::compile(&config).unwrap_err()
}

/// Asserts the config fails with exactly one error of `code`, whose Display contains every
/// needle.
fn assert_error(toml: &str, code: &str, field: Field, needles: &[&str]) {
    let errs = errors(toml);
    assert_eq!(errs.len(), 1, "{errs}");
    let e = errs.iter().next().unwrap();
    assert_eq!(e.code(), code, "{e}");
    assert_eq!(e.field(), field);
    let text = e.to_string();
    assert!(text.starts_with(field.as_str()), "{text}");
    for n in needles {
        assert!(text.contains(n), "{text:?} lacks {n:?}");
    }
}

fn assert_warning(toml: &str, code: &str, field: Field, needles: &[&str]) {
    let config = Config::from_toml_str(toml).unwrap();
    let compiled = Policy::compile(&config).unwrap();
    let w = compiled
        .warnings
        .iter()
        .find(|w| w.code() == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", compiled.warnings));
    assert_eq!(w.field(), field);
    let text = w.to_string();
    assert!(text.starts_with(field.as_str()), "{text}");
    for n in needles {
        assert!(text.contains(n), "{text:?} lacks {n:?}");
    }
}

#[test]
fn e101_no_origins() {
    assert_error(
        "allow_origins = []",
        "E101",
        Field::AllowOrigins,
        &["allow_origins: ", "list the origins"],
    );
}

#[test]
fn e102_wildcard_mixed() {
    assert_error(
        r#"allow_origins = ["https://a.test", "*"]"#,
        "E102",
        Field::AllowOrigins,
        &[
            "allow_origins[1] = \"*\"",
            "write allow_origins = \"*\" alone",
        ],
    );
    assert_error(
        r#"
        allow_origins = ["https://a.test"]
        allow_headers = ["*", "x-a"]"#,
        "E102",
        Field::AllowHeaders,
        &["allow_headers[0]", "[\"*\", \"authorization\"]"],
    );
    assert_error(
        r#"
        allow_origins = ["https://a.test"]
        allow_methods = ["GET", "*"]"#,
        "E102",
        Field::AllowMethods,
        &["allow_methods[1]"],
    );
}

#[test]
fn e103_wildcard_origin_with_credentials() {
    assert_error(
        "allow_origins = \"*\"\nallow_credentials = true",
        "E103",
        Field::AllowOrigins,
        &[
            "allow_origins = \"*\"",
            "set allow_credentials = false",
            "list the origins",
        ],
    );
}

#[test]
fn e104_missing_scheme() {
    assert_error(
        r#"allow_origins = ["example.com"]"#,
        "E104",
        Field::AllowOrigins,
        &[
            "allow_origins[0] = \"example.com\"",
            "write \"https://example.com\"",
        ],
    );
}

#[test]
fn e105_invalid_scheme() {
    assert_error(
        r#"allow_origins = ["1http://example.com"]"#,
        "E105",
        Field::AllowOrigins,
        &["allow_origins[0]", "scheme"],
    );
}

#[test]
fn e106_file_scheme() {
    assert_error(
        r#"allow_origins = ["file:///home/me/index.html"]"#,
        "E106",
        Field::AllowOrigins,
        &["allow_origins[0]", "null"],
    );
}

#[test]
fn e107_origin_has_path() {
    assert_error(
        r#"allow_origins = ["https://a.test", "https://b.test", "https://example.com/"]"#,
        "E107",
        Field::AllowOrigins,
        &[
            "allow_origins[2] = \"https://example.com/\": an origin has no path; write \"https://example.com\"",
        ],
    );
    assert_error(
        r#"allow_origins = ["https://Example.com:8443/app"]"#,
        "E107",
        Field::AllowOrigins,
        &["write \"https://example.com:8443\""],
    );
}

#[test]
fn e108_origin_has_query() {
    assert_error(
        r#"allow_origins = ["https://example.com?x=1"]"#,
        "E108",
        Field::AllowOrigins,
        &["no query", "write \"https://example.com\""],
    );
}

#[test]
fn e109_origin_has_fragment() {
    assert_error(
        r#"allow_origins = ["https://example.com#top"]"#,
        "E109",
        Field::AllowOrigins,
        &["no fragment", "write \"https://example.com\""],
    );
}

#[test]
fn e110_origin_has_userinfo() {
    assert_error(
        r#"allow_origins = ["https://user:pw@example.com"]"#,
        "E110",
        Field::AllowOrigins,
        &["user name or password", "write \"https://example.com\""],
    );
}

#[test]
fn e111_invalid_host() {
    for bad in [
        "https://",
        "https://a..b",
        "https://a b.test",
        "https://[::1",
    ] {
        assert_error(
            &format!("allow_origins = [{bad:?}]"),
            "E111",
            Field::AllowOrigins,
            &["allow_origins[0]", "host"],
        );
    }
}

#[test]
fn e112_non_ascii_host() {
    if !cfg!(feature = "idn-hints") {
        assert_error(
            r#"allow_origins = ["https://bücher.example"]"#,
            "E112",
            Field::AllowOrigins,
            &["punycode", "which `cors check` prints"],
        );
        return;
    }
    assert_error(
        r#"allow_origins = ["https://bücher.example"]"#,
        "E112",
        Field::AllowOrigins,
        &["punycode", "write \"https://xn--bcher-kva.example\""],
    );
    assert_error(
        r#"allow_origins = ["https://*.bücher.example:8443"]"#,
        "E112",
        Field::AllowOrigins,
        &["write \"https://*.xn--bcher-kva.example:8443\""],
    );
    // A control character has no punycode form: the fix is the spelling, not a tool.
    assert_error(
        "allow_origins = [\"https://a\u{80}b.example\"]",
        "E112",
        Field::AllowOrigins,
        &["has no valid punycode form; check its spelling"],
    );
}

#[test]
fn e113_invalid_port() {
    for bad in [
        "https://a.test:99999",
        "https://a.test:",
        "https://a.test:80a",
        "https://a.test:08",
    ] {
        assert_error(
            &format!("allow_origins = [{bad:?}]"),
            "E113",
            Field::AllowOrigins,
            &["port", "0 to 65535"],
        );
    }
}

#[test]
fn e114_misplaced_wildcard() {
    for bad in [
        "https://a.*.example.com",
        "*://example.com",
        "https://example.com:8*",
        "https://*.*.example.com",
    ] {
        assert_error(
            &format!("allow_origins = [{bad:?}]"),
            "E114",
            Field::AllowOrigins,
            &["whole first label", "http://localhost:*"],
        );
    }
}

#[test]
fn e122_label_pattern_over_a_public_suffix() {
    assert_error(
        r#"allow_origins = ["https://myapp-*.vercel.app"]"#,
        "E122",
        Field::AllowOrigins,
        &[
            "\"vercel.app\"",
            "anyone's Vercel project",
            "https://pr-*.preview.example.com",
        ],
    );
    // The missing dot of a subdomain wildcard gets the fix.
    assert_error(
        r#"allow_origins = ["https://*example.com"]"#,
        "E122",
        Field::AllowOrigins,
        &["did you mean \"https://*.example.com\""],
    );
}

#[test]
fn e115_public_suffix_wildcard() {
    for (bad, suffix) in [
        ("https://*.com", "com"),
        ("https://*.co.uk", "co.uk"),
        ("https://*.github.io", "github.io"),
    ] {
        assert_error(
            &format!("allow_origins = [{bad:?}]"),
            "E115",
            Field::AllowOrigins,
            &[
                &format!("\"{suffix}\" is a public suffix"),
                "a domain you control",
            ],
        );
    }
    // Names the list does not contain are not public suffixes.
    Policy::from_toml_str(r#"allow_origins = ["http://*.localhost", "https://*.example.com"]"#)
        .unwrap();
}

#[test]
fn e116_origin_too_long() {
    let long = format!("https://{}.test", "a".repeat(600));
    assert_error(
        &format!("allow_origins = [{long:?}]"),
        "E116",
        Field::AllowOrigins,
        &["at most 512 bytes"],
    );
}

#[test]
fn e201_invalid_method() {
    assert_error(
        r#"
        allow_origins = ["https://a.test"]
        allow_methods = ["GET", "BAD METHOD"]"#,
        "E201",
        Field::AllowMethods,
        &["allow_methods[1] = \"BAD METHOD\"", "HTTP token"],
    );
}

#[test]
fn e202_forbidden_method() {
    for m in ["CONNECT", "trace", "Track"] {
        assert_error(
            &format!("allow_origins = [\"https://a.test\"]\nallow_methods = [{m:?}]"),
            "E202",
            Field::AllowMethods,
            &["never send CONNECT, TRACE or TRACK", "remove it"],
        );
    }
}

#[test]
fn e301_invalid_header_name() {
    assert_error(
        r#"
        allow_origins = ["https://a.test"]
        expose_headers = ["x-ok", "x bad"]"#,
        "E301",
        Field::ExposeHeaders,
        &["expose_headers[1] = \"x bad\"", "x-request-id"],
    );
}

#[test]
fn e302_wildcard_expose_with_credentials() {
    assert_error(
        r#"
        allow_origins = ["https://a.test"]
        expose_headers = "*"
        allow_credentials = true"#,
        "E302",
        Field::ExposeHeaders,
        &["ignore expose_headers = \"*\"", "list the response headers"],
    );
}

#[test]
fn e401_invalid_preflight_status() {
    assert_error(
        "allow_origins = [\"https://a.test\"]\npreflight_status = 404",
        "E401",
        Field::PreflightStatus,
        &["preflight_status = \"404\"", "200 or 204"],
    );
}

#[test]
fn e402_max_age_too_large() {
    assert_error(
        "allow_origins = [\"https://a.test\"]\nmax_age = 5000000000",
        "E402",
        Field::MaxAge,
        &["max_age", "write 7200"],
    );
}

#[test]
fn every_error_is_reported_at_once_in_field_order() {
    let errs = errors(
        r#"
        allow_origins = ["https://ok.test", "https://example.com/", "example.org", "*"]
        allow_methods = ["TRACE"]
        allow_headers = ["bad name"]
        preflight_status = 201
        "#,
    );
    let codes: Vec<_> = errs.iter().map(|e| e.code()).collect();
    assert_eq!(codes, ["E107", "E104", "E102", "E202", "E301", "E401"]);
    let text = errs.to_string();
    assert!(
        text.starts_with(
            "invalid CORS config (6 errors):\n  allow_origins[1] = \"https://example.com/\""
        ),
        "{text}"
    );
    let first = errs.iter().next().unwrap();
    assert!(matches!(first.kind(), ErrorKind::OriginHasPath { .. }));
    assert_eq!(first.index(), Some(1));
    assert_eq!(first.value(), Some("https://example.com/"));
}

#[test]
fn w101_null_origin() {
    assert_warning(
        r#"allow_origins = ["null"]"#,
        "W101",
        Field::AllowOrigins,
        &["allow_origins[0] = \"null\"", "sandboxed"],
    );
}

#[test]
fn w102_insecure_origin_with_credentials() {
    assert_warning(
        "allow_origins = [\"http://app.test\"]\nallow_credentials = true",
        "W102",
        Field::AllowOrigins,
        &["plain-http", "use https"],
    );
    // Loopback is exempt.
    let c = Config::from_toml_str(
        "allow_origins = [\"http://localhost:*\", \"http://127.0.0.1:3000\"]\nallow_credentials = true",
    )
    .unwrap();
    assert!(Policy::compile(&c).unwrap().warnings.is_empty());
}

#[test]
fn w103_duplicate() {
    assert_warning(
        r#"allow_origins = ["https://a.test", "HTTPS://A.TEST:443"]"#,
        "W103",
        Field::AllowOrigins,
        &["allow_origins[1]", "remove the repeat"],
    );
    assert_warning(
        "allow_origins = [\"https://a.test\"]\nallow_methods = [\"get\", \"GET\"]",
        "W103",
        Field::AllowMethods,
        &["allow_methods[1]"],
    );
}

#[test]
fn w301_forbidden_request_header() {
    assert_warning(
        "allow_origins = [\"https://a.test\"]\nallow_headers = [\"Cookie\"]",
        "W301",
        Field::AllowHeaders,
        &["allow_headers[0] = \"Cookie\"", "never let a script set"],
    );
}

#[test]
fn w302_forbidden_response_header() {
    assert_warning(
        "allow_origins = [\"https://a.test\"]\nexpose_headers = [\"set-cookie\"]",
        "W302",
        Field::ExposeHeaders,
        &["never expose"],
    );
}

#[test]
fn w303_safelisted_response_header() {
    assert_warning(
        "allow_origins = [\"https://a.test\"]\nexpose_headers = [\"Content-Type\"]",
        "W303",
        Field::ExposeHeaders,
        &["always expose"],
    );
}

#[test]
fn w401_max_age_above_browser_cap() {
    assert_warning(
        "allow_origins = [\"https://a.test\"]\nmax_age = 86401",
        "W401",
        Field::MaxAge,
        &["Chromium at 7200", "write 7200"],
    );
}

#[test]
fn e115_public_suffix_wildcard_rules() {
    // A wildcard rule of the list (`*.ck`): every name under `ck` is a public suffix.
    assert_error(
        "allow_origins = [\"https://*.ck\"]\nallow_credentials = true",
        "E115",
        Field::AllowOrigins,
        &["rule \"*.ck\"", "every name under \"ck\""],
    );
    // An exception rule (`!www.ck`) makes www.ck a registrable domain.
    assert!(
        Policy::compile(&Config::from_toml_str(r#"allow_origins = ["https://*.www.ck"]"#).unwrap())
            .is_ok()
    );
}

#[test]
fn e117_empty_origin() {
    assert_error(
        r#"allow_origins = [""]"#,
        "E117",
        Field::AllowOrigins,
        &["allow_origins[0] = \"\"", "empty string is no origin"],
    );
}

#[test]
fn e118_opaque_origin() {
    for v in [
        "data:text/html,hi",
        "javascript:alert(1)",
        "about:blank",
        "data://x",
    ] {
        assert_error(
            &format!("allow_origins = [{v:?}]"),
            "E118",
            Field::AllowOrigins,
            &["Origin: null", "list \"null\""],
        );
    }
}

#[test]
fn e119_wildcard_over_ip_address() {
    for v in ["http://*.1", "http://*.0.0.1:*", "http://*.168.192"] {
        assert_error(
            &format!("allow_origins = [{v:?}]\nallow_credentials = true"),
            "E119",
            Field::AllowOrigins,
            &["not IP addresses"],
        );
    }
}

#[test]
fn e120_invalid_ipv4() {
    for v in [
        "http://1.2.3.4.5",
        "http://999.1.1.1",
        "https://example.123",
    ] {
        assert_error(
            &format!("allow_origins = [{v:?}]"),
            "E120",
            Field::AllowOrigins,
            &["IPv4 address"],
        );
    }
}

#[test]
fn e121_non_canonical_ipv4() {
    for v in ["http://127.1", "http://0x7f.0.0.1", "http://2130706433"] {
        assert_error(
            &format!("allow_origins = [{v:?}]"),
            "E121",
            Field::AllowOrigins,
            &["dotted-decimal", "write \"http://127.0.0.1\""],
        );
    }
}

#[test]
fn e203_wildcard_in_method() {
    assert_error(
        "allow_origins = [\"https://a.test\"]\nallow_methods = [\"GET\", \"P*\"]",
        "E203",
        Field::AllowMethods,
        &["allow_methods[1] = \"P*\"", "methods have no wildcards"],
    );
}

#[test]
fn e303_wildcard_in_header_name() {
    assert_error(
        "allow_origins = [\"https://a.test\"]\nallow_headers = [\"x-*\"]",
        "E303",
        Field::AllowHeaders,
        &[
            "allow_headers[0] = \"x-*\"",
            "header names have no wildcards",
        ],
    );
    assert_error(
        "allow_origins = [\"https://a.test\"]\nexpose_headers = [\"x-a\", \"P*\"]",
        "E303",
        Field::ExposeHeaders,
        &["expose_headers[1]", "expose_headers = \"*\""],
    );
}

#[test]
fn w103_duplicate_wildcard() {
    assert_warning(
        r#"allow_origins = ["*", "*"]"#,
        "W103",
        Field::AllowOrigins,
        &["allow_origins[1] = \"*\"", "listed more than once"],
    );
}

#[test]
fn w104_public_suffix_below_wildcard() {
    assert_warning(
        r#"allow_origins = ["https://*.amazonaws.com"]"#,
        "W104",
        Field::AllowOrigins,
        &[
            "allow_origins[0]",
            "public suffixes lie below this wildcard's base (e.g. \"",
            "list the subdomains you own",
        ],
    );
}

#[test]
fn w201_method_server_limit() {
    assert_warning(
        "allow_origins = [\"https://a.test\"]\nallow_methods = [\"patch\"]",
        "W201",
        Field::AllowMethods,
        &["allow_methods[0] = \"patch\"", "nginx", "Rocket"],
    );
    assert_warning(
        "allow_origins = [\"https://a.test\"]\nallow_methods = [\"PURGE\"]",
        "W201",
        Field::AllowMethods,
        &["Rocket 0.5 answers 400"],
    );
    let compiled = Policy::compile(
        &Config::from_toml_str(
            "allow_origins = [\"https://a.test\"]\nallow_methods = [\"PATCH\", \"delete\"]",
        )
        .unwrap(),
    )
    .unwrap();
    assert!(compiled.warnings.is_empty(), "{:?}", compiled.warnings);
}

#[test]
fn w102_loopback_is_decided_on_the_address() {
    for v in ["http://127.evil.com", "http://127.0.0.1.nip.io"] {
        assert_warning(
            &format!("allow_origins = [{v:?}]\nallow_credentials = true"),
            "W102",
            Field::AllowOrigins,
            &["use https"],
        );
    }
    for v in [
        "http://127.0.0.1:3000",
        "http://[::ffff:127.0.0.1]",
        "http://localhost:*",
    ] {
        let compiled = Policy::compile(
            &Config::from_toml_str(&format!(
                "allow_origins = [{v:?}]\nallow_credentials = true"
            ))
            .unwrap(),
        )
        .unwrap();
        assert!(compiled.warnings.is_empty(), "{v}: {:?}", compiled.warnings);
    }
}

// Loaders.

#[test]
fn toml_syntax_errors_carry_line_and_column() {
    let err = Config::from_toml_str("allow_origins = [\"https://a.test\"]\nallow_methodz = []\n")
        .unwrap_err();
    let LoadError::Syntax {
        line,
        column,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*line, *column), (Some(2), Some(1)));
    assert!(message.contains("allow_methodz"), "{message}");
    assert!(
        err.to_string().starts_with("2:1: invalid TOML config"),
        "{err}"
    );

    let err = Config::from_toml_str("allow_origins = \"https://a.test\"").unwrap_err();
    assert!(
        err.to_string().contains("write [\"https://a.test\"]"),
        "{err}"
    );

    let err = Config::from_toml_str("allow_methods = []").unwrap_err();
    assert!(err.to_string().contains("allow_origins"), "{err}");
}

#[test]
fn json_syntax_errors_carry_line_and_column() {
    let err = Config::from_json_str(
        "{\n  \"allow_origins\": [\"https://a.test\"],\n  \"max_age\": -1\n}",
    )
    .unwrap_err();
    let LoadError::Syntax { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, Some(3));
    assert!(column.is_some());
}

#[test]
fn from_path_picks_the_format_and_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let toml = dir.join("p.toml");
    std::fs::write(&toml, "allow_origins = [\"https://a.test/\"]\n").unwrap();
    let err = Policy::from_path(&toml).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}: invalid CORS config", toml.display())),
        "{text}"
    );
    assert!(text.contains("allow_origins[0]"), "{text}");

    let json = dir.join("p.json");
    std::fs::write(&json, r#"{"allow_origins": ["https://a.test"]}"#).unwrap();
    assert!(Policy::from_path(&json).is_ok());

    let unknown = dir.join("p.ini");
    std::fs::write(&unknown, "").unwrap();
    assert!(matches!(
        Policy::from_path(&unknown),
        Err(LoadError::UnknownFormat { .. })
    ));
    assert!(matches!(
        Policy::from_path(dir.join("missing.toml")),
        Err(LoadError::Io { .. })
    ));

    let yaml = dir.join("p.yaml");
    std::fs::write(&yaml, "allow_origins: [\"https://a.test\"]\n").unwrap();
    let result = Policy::from_path(&yaml);
    if cfg!(feature = "yaml") {
        assert!(result.is_ok(), "{result:?}");
    } else {
        assert!(matches!(
            result,
            Err(LoadError::FormatDisabled {
                format: cors_core::Format::Yaml
            })
        ));
    }
}

#[cfg(feature = "yaml")]
#[test]
fn yaml_errors_carry_line_and_column() {
    let err = Config::from_yaml_str("allow_origins:\n  - https://a.test\nbogus: 1\n").unwrap_err();
    let LoadError::Syntax { line, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, Some(3));
}

#[test]
fn normalized_config() {
    let p = Policy::from_toml_str(
        r#"
        allow_origins = ["HTTPS://B.test:443", "https://a.test", "http://Localhost:*", "https://*.Example.com:8443", "http://[0::1]:80"]
        allow_methods = ["patch", "get", "PUT"]
        allow_headers = ["X-B", "content-type"]
        expose_headers = ["X-Request-Id"]
        "#,
    )
    .unwrap();
    let c = p.config();
    assert_eq!(
        c.allow_origins,
        cors_core::AnyOr::from([
            "http://[::1]",
            "http://localhost:*",
            "https://*.example.com:8443",
            "https://a.test",
            "https://b.test",
        ])
    );
    assert_eq!(
        c.allow_methods,
        cors_core::AnyOr::from(["GET", "PUT", "patch"])
    );
    assert_eq!(
        c.allow_headers,
        cors_core::AnyOr::from(["content-type", "x-b"])
    );
    assert_eq!(c.expose_headers, cors_core::AnyOr::from(["x-request-id"]));
    assert_eq!(Policy::new(c).unwrap(), p);
}

/// A route's `path` of the wrong type, and a YAML-tagged value (which serde reports through
/// the field's own words for what it expects).
#[test]
fn route_paths_and_tagged_values_say_what_is_expected() {
    match Config::from_toml_str("allow_origins = [\"https://a.test\"]\n[[routes]]\npath = 5\n") {
        Err(LoadError::Syntax { message, .. }) => assert_eq!(
            message,
            "path: expected a path starting with '/', e.g. \"/api\", found the number 5"
        ),
        other => panic!("{other:?}"),
    }
    if cfg!(feature = "yaml") {
        match Config::from_yaml_str("allow_origins: [https://a.test]\nallow_credentials: !x true\n")
        {
            Err(LoadError::Syntax { message, .. }) => {
                assert!(message.contains("expected true or false"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

/// A value of the wrong type names its field (and index) in the project's words, with the
/// line and column, in TOML, JSON and YAML alike.
#[test]
fn wrong_types_name_their_field_in_every_format() {
    let cases: [(&str, &str, &str, &str); 10] = [
        (
            "mode",
            "5",
            "5",
            "mode: expected \"enforce\" or \"report-only\", found the number 5",
        ),
        (
            "mode",
            "\"audit\"",
            "\"audit\"",
            "mode: expected \"enforce\" or \"report-only\", found the string \"audit\"",
        ),
        (
            "preflight_status",
            "\"204\"",
            "\"204\"",
            "preflight_status: expected the number 200 or 204, found the string \"204\"",
        ),
        (
            "max_age",
            "-1",
            "-1",
            "max_age: expected a number of seconds from 0 to 4294967295, found the number -1",
        ),
        (
            "allow_credentials",
            "\"true\"",
            "\"true\"",
            "allow_credentials: expected true or false, found the string \"true\"",
        ),
        (
            "allow_private_network",
            "1",
            "1",
            "allow_private_network: expected true or false, found the number 1",
        ),
        (
            "preflight_continue",
            "\"yes\"",
            "\"yes\"",
            "preflight_continue: expected true or false, found the string \"yes\"",
        ),
        (
            "allow_methods",
            "\"GET\"",
            "\"GET\"",
            "allow_methods: expected \"*\" or a list of strings, found the string \"GET\"; write [\"GET\"]",
        ),
        (
            "allow_headers",
            "[\"x-a\", 7]",
            "[\"x-a\", 7]",
            "allow_headers[1]: expected a string, found the number 7",
        ),
        (
            "preflight_status",
            "70000",
            "70000",
            "preflight_status: expected the number 200 or 204, found the number 70000",
        ),
    ];
    for (key, toml_value, json_value, want) in cases {
        let toml = format!("allow_origins = [\"https://a.test\"]\n{key} = {toml_value}\n");
        let json = format!(
            "{{\n  \"allow_origins\": [\"https://a.test\"],\n  \"{key}\": {json_value}\n}}"
        );
        let yaml = format!("allow_origins: [\"https://a.test\"]\n{key}: {json_value}\n");
        let mut results = vec![
            ("toml", Config::from_toml_str(&toml), 2),
            ("json", Config::from_json_str(&json), 3),
        ];
        if cfg!(feature = "yaml") {
            results.push(("yaml", Config::from_yaml_str(&yaml), 2));
        }
        for (format, result, want_line) in results {
            match result {
                Err(LoadError::Syntax { line, message, .. }) => {
                    assert_eq!(message, want, "{format} {key}");
                    assert_eq!(line, Some(want_line), "{format} {key}: {message}");
                }
                other => panic!("{format} {key}: {other:?}"),
            }
        }
    }
    // The origin list itself, as a bare string: the fix is given.
    match Config::from_toml_str("allow_origins = \"https://example.com\"") {
        Err(LoadError::Syntax {
            message,
            line,
            column,
            ..
        }) => {
            assert_eq!(
                message,
                "allow_origins: expected \"*\" or a list of strings, found the string \
                 \"https://example.com\"; write [\"https://example.com\"]"
            );
            assert_eq!((line, column), (Some(1), Some(17)));
        }
        other => panic!("{other:?}"),
    }
    // JSON null for max_age is "no max_age", as an absent key.
    let c =
        Config::from_json_str(r#"{"allow_origins": ["https://a.test"], "max_age": null}"#).unwrap();
    assert_eq!(c.max_age, None);
}

/// Hostile YAML is refused before the parser sees it: deep flow nesting (a YAML parser's
/// cost grows faster than the text) and alias expansion beyond a small budget.
#[test]
fn yaml_limits_are_enforced_before_parsing() {
    let deep = format!("allow_origins: {}", "[".repeat(200_000));
    match Config::from_yaml_str(&deep) {
        Err(LoadError::Syntax {
            message,
            line,
            column,
            ..
        }) => {
            assert!(
                message.contains("nested deeper than 32 levels"),
                "{message}"
            );
            assert_eq!((line, column), (Some(1), Some(48)));
        }
        other => panic!("{other:?}"),
    }
    let mut aliases = String::from("base: &o \"https://app.example.com\"\nallow_origins:\n");
    for _ in 0..10_000 {
        aliases.push_str("  - *o\n");
    }
    match Config::from_yaml_str(&aliases) {
        Err(LoadError::Syntax { message, line, .. }) => {
            assert!(message.contains("more than 64 YAML aliases"), "{message}");
            assert_eq!(line, Some(67));
        }
        other => panic!("{other:?}"),
    }
    // Wildcards, quoted stars, comments and a few aliases are ordinary YAML.
    let fine = "allow_origins: [https://*.example.com, \"*.x\", '[*]'] # [[[[ *not\n\
                allow_methods: \"*\"\n";
    assert!(
        Config::from_yaml_str(fine).is_ok(),
        "{:?}",
        Config::from_yaml_str(fine)
    );
}

#[test]
fn oversized_configs_are_refused_in_every_format() {
    let big = " ".repeat(cors_core::MAX_CONFIG_BYTES + 1);
    for result in [
        Config::from_toml_str(&big),
        Config::from_json_str(&big),
        Config::from_yaml_str(&big),
    ] {
        match result {
            Err(LoadError::Syntax { message, .. }) => {
                assert!(
                    message.contains("more than the 67108864 accepted"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

/// Errors from a config's text carry their line and column, in every format and from a
/// file (with its name); a config built in code has none; where they were found does not
/// change what the errors are.
#[test]
fn errors_from_text_are_located() {
    use cors_core::{Format, LoadError, Policy};

    let located = |text: &str, format| -> Vec<Option<(usize, usize)>> {
        match Policy::compile_str(text, format) {
            Err(LoadError::Invalid { errors, .. }) => errors
                .located()
                .map(|(_, at)| at.map(|l| (l.line, l.column)))
                .collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    };
    let toml = "allow_origins = [\n  \"https://a.test\",\n  \"https://b.test/\",\n]\n\
                allow_methods = [\"TRACE\"]\n[[routes]]\npath = \"/x\"\nallow_origins = [\"https://c.test/\"]\n";
    assert_eq!(
        located(toml, Format::Toml),
        vec![Some((3, 3)), Some((5, 18)), Some((6, 1))]
    );
    let json = "{\"allow_origins\": [\"https://a.test\", \"https://b.test/\"]}";
    assert_eq!(located(json, Format::Json), vec![Some((1, 38))]);
    let yaml = "allow_origins:\n  - https://a.test\n  - https://b.test/\n";
    assert_eq!(located(yaml, Format::Yaml), vec![Some((3, 5))]);

    // From a file: FILE:LINE:COL on each error line.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("cors.toml");
    std::fs::write(&path, toml).unwrap_or_else(|e| panic!("{e}"));
    let err = Policy::compile_path(&path)
        .err()
        .unwrap_or_else(|| panic!("invalid"));
    let text = err.to_string();
    let shown = path.display().to_string();
    for at in [
        "3:3: allow_origins[1]",
        "5:18: allow_methods[0]",
        "6:1: routes[0].allow_origins[0]",
    ] {
        assert!(
            text.contains(&format!("\n  {shown}:{at}")),
            "{at} missing from:\n{text}"
        );
    }

    // Built in code: the same errors, not located.
    let built = Policy::builder()
        .allow_origins(["https://a.test", "https://b.test/"])
        .build()
        .err()
        .unwrap_or_else(|| panic!("invalid"));
    assert!(built.located().all(|(_, at)| at.is_none()));
    assert!(!built.to_string().contains(":1:"), "{built}");
    let Err(LoadError::Invalid { errors, .. }) = Policy::compile_str(
        "allow_origins = [\"https://a.test\", \"https://b.test/\"]",
        Format::Toml,
    ) else {
        panic!("invalid");
    };
    assert_eq!(errors, built, "located and unlocated errors compare equal");
}
