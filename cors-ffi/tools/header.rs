//! Generates `include/cors.h` with cbindgen (shared by the `gen-header` example, which
//! writes it, and the `header` test, which checks the committed copy is current).

use std::path::{Path, PathBuf};

/// This crate's directory.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the header is committed.
pub fn header_path() -> PathBuf {
    crate_dir().join("../include/cors.h")
}

/// The command that rewrites the header.
pub const REGENERATE: &str = "cargo run -p cors-ffi --example gen-header";

/// The header text, generated from `crate_dir`'s sources and `cbindgen.toml`.
pub fn generate(crate_dir: &Path) -> Result<String, String> {
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .map_err(|e| format!("cbindgen.toml: {e}"))?;
    // Version macros come from the crate version, never by hand; the denial enum from
    // the core's table.
    config.after_includes = Some(format!(
        "\n/** The version of cors-ffi this header was generated from. */\n\
         #define CORS_FFI_VERSION \"{}\"\n\
         #define CORS_FFI_VERSION_MAJOR {}\n\
         #define CORS_FFI_VERSION_MINOR {}\n\
         #define CORS_FFI_VERSION_PATCH {}\n\n{}\n\n{}",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
        request_header_names(),
        denial_enum(),
    ));
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .map_err(|e| format!("cbindgen: {e}"))?;
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).map_err(|e| format!("cbindgen wrote non-UTF-8: {e}"))
}

/// The C enum `cors_denial`, from the core's denial table, in the form cbindgen gives the
/// header's other enums (a `uint32_t` in C before C23).
fn denial_enum() -> String {
    let mut out = String::from(
        "/**\n * Why a request was denied (`cors_decision.denial`). Values are stable and never\n \
         * reused. Generated from cors-core's denial table.\n */\n\
         enum cors_denial\n\
         #if defined(__cplusplus) || __STDC_VERSION__ >= 202311L\n  : uint32_t\n\
         #endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L\n {\n\
         \x20   /** Not denied. */\n    CORS_DENIAL_NONE = 0,\n",
    );
    for &kind in cors_core::DenialKind::ALL {
        let name = kind.as_str().replace('-', "_").to_ascii_uppercase();
        out.push_str(&format!(
            "    /** `{}`: {}. */\n    CORS_DENIAL_{name} = {},\n",
            kind.as_str(),
            kind.description(),
            kind as u32
        ));
    }
    out.push_str(
        "};\n#ifndef __cplusplus\n#if __STDC_VERSION__ >= 202311L\n\
         typedef enum cors_denial cors_denial;\n#else\ntypedef uint32_t cors_denial;\n\
         #endif // __STDC_VERSION__ >= 202311L\n#endif // __cplusplus",
    );
    out
}

/// The request header names the engine reads, from the core's `RequestHeader` table, for
/// servers matching their request headers against them without spelling them again.
fn request_header_names() -> String {
    let mut out = String::from(
        "/*\n * The request headers `cors_request` carries, lower-case (match names ignoring case;\n \
         * sizeof(NAME) - 1 is the length). Generated from cors-core's `RequestHeader`.\n */\n",
    );
    for h in cors_core::RequestHeader::ALL {
        let macro_name = h.as_str().replace('-', "_").to_ascii_uppercase();
        out.push_str(&format!(
            "#define CORS_HEADER_{macro_name} \"{}\"\n",
            h.as_str()
        ));
    }
    out.pop();
    out
}
