//! The error types as a server or tool uses them: iterating, comparing, the message
//! without its field, shortened values, and the load error's parts.

use cors_core::{Format, LoadError, Policy, quoted};

fn invalid(toml: &str) -> cors_core::ConfigErrors {
    match Policy::compile_str(toml, Format::Toml) {
        Err(LoadError::Invalid { errors, .. }) => errors,
        other => panic!("expected validation errors, got {other:?}"),
    }
}

#[test]
fn long_values_are_cut_inside_their_quotes() {
    assert_eq!(quoted("https://a.test"), "\"https://a.test\"");
    let eighty = "a".repeat(80);
    assert_eq!(quoted(&eighty), format!("\"{eighty}\""));
    let long = "a".repeat(81);
    assert_eq!(quoted(&long), format!("\"{eighty}…\" (81 bytes)"));
    // Characters, not bytes, are counted; the length is in bytes.
    let wide = "é".repeat(90);
    assert_eq!(
        quoted(&wide),
        format!("\"{}…\" (180 bytes)", "é".repeat(80))
    );
}

#[test]
fn errors_iterate_compare_and_show_their_message_alone() {
    let errors = invalid(
        "allow_origins = [\"https://a.test/\", \"https://b.test:99999\"]\nallow_methods = [\"TRACE\"]",
    );
    assert_eq!(errors.len(), 3);
    let by_ref: Vec<String> = (&errors).into_iter().map(|e| e.to_string()).collect();
    assert_eq!(by_ref.len(), 3);
    assert_eq!(
        by_ref,
        errors.iter().map(|e| e.to_string()).collect::<Vec<_>>()
    );
    for e in &errors {
        // The message is the text after the field path and value.
        let message = e.message().to_string();
        assert!(!message.is_empty());
        assert!(
            !message.contains(e.path().to_string().as_str()),
            "{message}"
        );
        assert!(e.to_string().ends_with(&format!(": {message}")), "{e}");
    }
    let codes: Vec<&str> = errors.clone().into_iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), 3);
    assert!(codes.iter().all(|c| c.starts_with('E')), "{codes:?}");

    assert_eq!(errors, errors.clone());
    let other = invalid("allow_origins = [\"https://a.test/\"]");
    assert_ne!(errors, other);
    assert_ne!(other, invalid("allow_origins = [\"https://b.test/\"]"));
}

#[test]
fn a_load_error_gives_its_validation_errors() {
    let Err(err) = Policy::compile_str("allow_origins = [\"https://a.test/\"]", Format::Toml)
    else {
        panic!("invalid");
    };
    assert_eq!(err.code(), "L005");
    let errors = err
        .config_errors()
        .unwrap_or_else(|| panic!("validation errors"));
    assert_eq!(errors.len(), 1);
    let Err(syntax) = Policy::compile_str("allow_origins = [", Format::Toml) else {
        panic!("syntax");
    };
    assert_eq!(syntax.code(), "L004");
    assert!(syntax.config_errors().is_none());
}

#[test]
fn formats_name_their_feature() {
    let all = [Format::Toml, Format::Json, Format::Yaml];
    let features: Vec<&str> = all.iter().map(|f| f.feature()).collect();
    assert_eq!(features, ["toml", "json", "yaml"]);
    let enabled: Vec<bool> = all.iter().map(|f| f.is_enabled()).collect();
    assert_eq!(
        enabled,
        [
            cfg!(feature = "toml"),
            cfg!(feature = "json"),
            cfg!(feature = "yaml")
        ]
    );
    let shown: Vec<String> = all.iter().map(|f| f.to_string()).collect();
    assert_eq!(shown, ["TOML", "JSON", "YAML"]);
    for (ext, format) in [
        ("toml", Format::Toml),
        ("JSON", Format::Json),
        ("yaml", Format::Yaml),
        ("yml", Format::Yaml),
    ] {
        assert_eq!(Format::from_extension(ext), Some(format), "{ext}");
    }
    assert_eq!(Format::from_extension("ini"), None);
}

#[test]
fn a_load_error_has_its_cause_as_source() {
    use std::error::Error;

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = Policy::compile_path(dir.path().join("missing.toml"))
        .err()
        .unwrap_or_else(|| panic!("missing"));
    let io = missing.source().unwrap_or_else(|| panic!("an io cause"));
    assert!(io.downcast_ref::<std::io::Error>().is_some(), "{io:?}");

    let Err(invalid) = Policy::compile_str("allow_origins = [\"https://a.test/\"]", Format::Toml)
    else {
        panic!("invalid");
    };
    let cause = invalid.source().unwrap_or_else(|| panic!("the errors"));
    assert!(cause.downcast_ref::<cors_core::ConfigErrors>().is_some());

    let Err(syntax) = Policy::compile_str("allow_origins = [", Format::Toml) else {
        panic!("syntax");
    };
    assert!(syntax.source().is_none());
}
