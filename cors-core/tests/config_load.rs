//! Loading a config: the formats, files, the limits checked before parsing, and the serde
//! forms of the config's own types.

use cors_core::{AnyOr, Config, Format, LoadError, MAX_YAML_ALIASES, MAX_YAML_DEPTH, Mode};

/// The message of a limit refusal, or `None` when the YAML limits let the text through (it
/// may still be an invalid config).
fn limit(text: &str) -> Option<String> {
    match Config::from_yaml_str(text) {
        Err(LoadError::Syntax { message, .. })
            if message.contains("nested deeper") || message.contains("YAML aliases") =>
        {
            Some(message)
        }
        _ => None,
    }
}

fn deep(n: usize) -> String {
    "[".repeat(n)
}

#[test]
fn yaml_depth_counts_flow_brackets_outside_quotes_and_comments() {
    let over = MAX_YAML_DEPTH + 1;
    // Exactly the limit passes, one more is refused; `{` counts as `[` does.
    assert_eq!(limit(&format!("a: {}", deep(MAX_YAML_DEPTH))), None);
    assert!(limit(&format!("a: {}", deep(over))).is_some());
    assert!(limit(&format!("a: {}", "{".repeat(over))).is_some());
    // Closed brackets give their level back: many siblings are shallow.
    let siblings = "allow_origins: [https://a.test]\n".to_owned() + &"x: [a, {b: c}]\n".repeat(80);
    assert_eq!(limit(&siblings), None);

    // Brackets inside quotes do not count, in either quote style...
    assert_eq!(limit(&format!("a: \"{}\"", deep(over))), None);
    assert_eq!(limit(&format!("a: ['{}']", deep(over))), None);
    // ...an escaped double quote does not end the string...
    assert_eq!(limit(&format!("a: \"x\\\" {}\"", deep(over))), None);
    // ...but a quote does end it, and what follows counts again.
    assert!(limit(&format!("a: \"x\" {}", deep(over))).is_some());
    assert!(limit(&format!("a: 'x\\' {}", deep(over))).is_some());
    // A quote inside a plain scalar opens no string.
    assert!(limit(&format!("a: it\"s\nb: {}", deep(over))).is_some());
    assert!(limit(&format!("a: it's\nb: {}", deep(over))).is_some());

    // A comment starts at `#` after white space and ends at the line's end.
    assert_eq!(limit(&format!("a: b # {}", deep(over))), None);
    assert_eq!(limit(&format!("#{}\na: b", deep(over))), None);
    assert!(limit(&format!("# note\na: {}", deep(over))).is_some());
    // A `#` inside a scalar is no comment.
    assert!(limit(&format!("a: b#{}", deep(over))).is_some());
}

#[test]
fn yaml_aliases_are_stars_that_start_a_node() {
    let aliases = |n: usize, sep: &str| {
        let mut text = String::from("base: &o https://a.test\nallow_origins:");
        for _ in 0..n {
            text.push_str(sep);
            text.push_str("*o");
        }
        text
    };
    // Exactly the limit passes, one more is refused, in block and flow form.
    assert_eq!(limit(&aliases(MAX_YAML_ALIASES, "\n  - ")), None);
    assert!(limit(&aliases(MAX_YAML_ALIASES + 1, "\n  - ")).is_some());
    assert!(limit(&aliases(MAX_YAML_ALIASES + 1, "\n  -")).is_some());
    let mut flow = String::from("base: &o https://a.test\nallow_origins: [*o");
    flow.push_str(&",*o".repeat(MAX_YAML_ALIASES));
    flow.push(']');
    assert!(limit(&flow).is_some());
    let mut mapping = String::from("base: &o https://a.test\n");
    for i in 0..=MAX_YAML_ALIASES {
        mapping.push_str(&format!("k{i}: {{v:*o}}\n"));
    }
    assert!(limit(&mapping).is_some());
    let underscore = "base: &_o x\nl: [".to_owned() + &"*_o, ".repeat(MAX_YAML_ALIASES + 1) + "]";
    assert!(limit(&underscore).is_some());

    // Stars that are no alias: wildcards inside scalars, `*` alone, `*` before a symbol.
    let mut wildcards = String::from("allow_origins:\n");
    for i in 0..(3 * MAX_YAML_ALIASES) {
        wildcards.push_str(&format!("  - https://*.t{i}.example.com\n"));
    }
    assert_eq!(limit(&wildcards), None);
    assert!(Config::from_yaml_str(&wildcards).is_ok());
    let stars = "allow_origins: \"*\"\nallow_headers: [".to_owned()
        + &"'*', ".repeat(3 * MAX_YAML_ALIASES)
        + "]";
    assert_eq!(limit(&stars), None);
    let bare = "a: [".to_owned() + &"* , ".repeat(3 * MAX_YAML_ALIASES) + "]";
    assert_eq!(limit(&bare), None);
    let symbols = "a: [".to_owned() + &"*., ".repeat(3 * MAX_YAML_ALIASES) + "]";
    assert_eq!(limit(&symbols), None);
}

#[test]
fn exactly_the_size_limit_is_accepted() {
    // JSON white space costs the parser next to nothing, so the limit itself is tested.
    let mut text = " ".repeat(cors_core::MAX_CONFIG_BYTES - 2);
    text.push_str("{}");
    match Config::from_json_str(&text) {
        Err(LoadError::Syntax { message, .. }) => {
            assert!(message.contains("allow_origins"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn json_errors_carry_line_and_column_when_known() {
    // serde_json puts an error at the end of an empty text at column 0: no column then.
    match Config::from_json_str("") {
        Err(LoadError::Syntax { line, column, .. }) => {
            assert_eq!((line, column), (Some(1), None));
        }
        other => panic!("{other:?}"),
    }
    match Config::from_json_str("{\n  \"allow_origins\": 7\n}") {
        Err(LoadError::Syntax {
            line,
            column,
            message,
            ..
        }) => {
            assert_eq!((line, column), (Some(2), Some(20)));
            assert!(!message.contains(" at line "), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn files_are_read_by_their_extension() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        path
    };
    let expected = {
        let mut c = Config::default();
        c.allow_origins = AnyOr::from(["https://a.test"]);
        c.mode = Mode::ReportOnly;
        c
    };
    for path in [
        write(
            "c.toml",
            "allow_origins = [\"https://a.test\"]\nmode = \"report-only\"",
        ),
        write(
            "c.json",
            "{\"allow_origins\": [\"https://a.test\"], \"mode\": \"report-only\"}",
        ),
        write(
            "c.yaml",
            "allow_origins: [https://a.test]\nmode: report-only",
        ),
        write(
            "c.yml",
            "allow_origins: [https://a.test]\nmode: report-only",
        ),
    ] {
        let config = Config::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config, expected, "{}", path.display());
    }

    // Errors name the file.
    let bad = write("bad.json", "{\"allow_origins\": 7}");
    let err = Config::from_path(&bad)
        .err()
        .unwrap_or_else(|| panic!("bad"));
    assert!(
        matches!(&err, LoadError::Syntax { path: Some(p), format: Format::Json, .. } if *p == bad),
        "{err:?}"
    );
    assert!(err.to_string().contains("bad.json"), "{err}");
    let other = write("c.ini", "x");
    assert!(matches!(
        Config::from_path(&other),
        Err(LoadError::UnknownFormat { .. })
    ));
    assert!(matches!(
        Config::from_path(dir.path().join("missing.toml")),
        Err(LoadError::Io { .. })
    ));
}

#[test]
fn the_config_types_deserialize_on_their_own() {
    let any: AnyOr<String> = serde_json::from_str("\"*\"").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(any, AnyOr::Any);
    let list: AnyOr<String> =
        serde_json::from_str("[\"a\", \"b\"]").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list, AnyOr::from(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(list, AnyOr::from(["a", "b"]));
    assert!(serde_json::from_str::<AnyOr<String>>("\"x\"").is_err());

    let mode: Mode = serde_json::from_str("\"report-only\"").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, Mode::ReportOnly);
    let mode: Mode = serde_json::from_str("\"enforce\"").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, Mode::Enforce);
    assert!(serde_json::from_str::<Mode>("\"audit\"").is_err());
}

#[test]
fn enforce_is_left_out_when_a_config_is_written() {
    let mut config = Config::default();
    config.allow_origins = AnyOr::from(["https://a.test"]);
    let text = config.to_toml_string();
    assert!(!text.contains("mode"), "{text}");
    config.mode = Mode::ReportOnly;
    let text = config.to_toml_string();
    assert!(text.contains("mode = \"report-only\""), "{text}");
    assert_eq!(
        Config::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}")),
        config
    );
}
