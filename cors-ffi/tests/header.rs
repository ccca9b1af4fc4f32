//! The committed `include/cors.h` must be what cbindgen generates from the current sources.

#[path = "../tools/header.rs"]
mod header;

#[test]
fn committed_header_is_current() {
    let fresh = header::generate(&header::crate_dir()).unwrap_or_else(|e| panic!("{e}"));
    let path = header::header_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run `{}`",
            path.display(),
            header::REGENERATE
        )
    });
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()))
            + 1;
        panic!(
            "{} is stale (first difference at line {line}); regenerate it with `{}` and commit it",
            path.display(),
            header::REGENERATE
        );
    }
}

#[test]
fn header_has_the_promised_shape() {
    let text = std::fs::read_to_string(header::header_path()).unwrap();
    for needle in [
        "#ifndef CORS_H",
        "do not edit",
        "extern \"C\"",
        &format!("#define CORS_FFI_VERSION \"{}\"", env!("CARGO_PKG_VERSION")),
        "size_t len;",
        "CORS_RESULT_OK = 0,",
        "CORS_RESULT_PANIC = 1,",
        "cors_result cors_decide(",
    ] {
        assert!(text.contains(needle), "include/cors.h lacks {needle:?}");
    }
}
