//! The C API from real C programs (tests/c), each built with the project's warning flags
//! against the static library and run three ways: plain, under ASan+UBSan, and under
//! valgrind memcheck.

mod support;

use std::fmt::Write as _;
use std::path::PathBuf;

use cors_conformance::{Response, TableFile, check, load, table_dir};
use support::{Mode, build, run, scratch};

fn source(name: &str) -> PathBuf {
    support::workspace().join("cors-ffi/tests/c").join(name)
}

fn load_program(mode: Mode) {
    let exe = build("load", &[source("load.c")], &[], mode);
    let dir = scratch(&format!("load-files-{mode:?}"));
    let out = run(&exe, &[dir.to_str().expect("UTF-8 scratch path")], mode);
    assert!(out.contains("load: ok"), "{out}");
}

fn inputs_program(mode: Mode) {
    let exe = build("inputs", &[source("inputs.c")], &[], mode);
    let out = run(&exe, &[], mode);
    assert!(out.contains("inputs: ok"), "{out}");
}

fn threads_program(mode: Mode, iterations: u32) {
    let exe = build("threads", &[source("threads.c")], &[], mode);
    let n = iterations.to_string();
    let out = run(&exe, &[&n], mode);
    assert!(out.contains(&format!("8 x {n} evaluations ok")), "{out}");
}

#[test]
fn load_plain() {
    load_program(Mode::Plain);
}

#[test]
fn load_sanitized() {
    load_program(Mode::Sanitized);
}

#[test]
fn load_valgrind() {
    load_program(Mode::Valgrind);
}

#[test]
fn inputs_plain() {
    inputs_program(Mode::Plain);
}

#[test]
fn inputs_sanitized() {
    inputs_program(Mode::Sanitized);
}

#[test]
fn inputs_valgrind() {
    inputs_program(Mode::Valgrind);
}

#[test]
fn threads_plain() {
    threads_program(Mode::Plain, 100_000);
}

#[test]
fn threads_sanitized() {
    threads_program(Mode::Sanitized, 100_000);
}

/// Valgrind runs threads one at a time and every instruction some 50 times slower, so the
/// full 8 x 100,000 would take minutes; 8 x 2,000 still interleaves the threads on the
/// shared policy and checks every result, which is what memcheck is there to watch.
#[test]
fn threads_valgrind() {
    threads_program(Mode::Valgrind, 2_000);
}

fn reload_program(mode: Mode, swaps: u32) {
    let exe = build("reload", &[source("reload.c")], &[], mode);
    let n = swaps.to_string();
    let out = run(&exe, &[&n], mode);
    assert!(out.contains(&format!("reload: {n} swaps,")), "{out}");
    assert!(out.contains("decisions ok"), "{out}");
}

/// A handle swapped 20,000 times while four threads decide with it: under ASan and UBSan
/// a use after free of a replaced policy aborts the program.
#[test]
fn reload_sanitized() {
    reload_program(Mode::Sanitized, 20_000);
}

/// The same under ThreadSanitizer: the C side's use of policies and decisions across the
/// swaps has no data race.
#[test]
fn reload_thread_sanitized() {
    reload_program(Mode::Thread, 20_000);
}

#[test]
fn reload_plain() {
    reload_program(Mode::Plain, 20_000);
}

/// Memcheck on the same program, fewer swaps (it runs threads one at a time).
#[test]
fn reload_valgrind() {
    reload_program(Mode::Valgrind, 500);
}

// --- The conformance table through cors_decide ---------------------------------------

/// A C string literal for `bytes`: printable ASCII as is, everything else (and `"`, `\`,
/// `?`, against trigraphs) as three-digit octal escapes, which never swallow what follows.
fn c_literal(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        if (b' '..=b'~').contains(&b) && !matches!(b, b'"' | b'\\' | b'?') {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "\\{b:03o}");
        }
    }
    s.push('"');
    s
}

/// The table as C data (`conformance_data.h`): the one table, compiled in.
fn table_as_c(files: &[TableFile]) -> String {
    let mut c = String::from(
        "/* Generated from tests/conformance by cors-ffi/tests/c_api.rs; do not edit. */\n\
         #include <stddef.h>\n\
         struct test_header { const char *name; const char *value; size_t value_len; };\n\
         struct test_case { const char *name; const char *method; const char *path;\n\
         \x20   const struct test_header *headers; size_t header_count; };\n\
         struct test_file { const char *name; const char *config;\n\
         \x20   const struct test_case *cases; size_t case_count; };\n",
    );
    for (f, file) in files.iter().enumerate() {
        for (k, case) in file.cases.iter().enumerate() {
            if case.headers.is_empty() {
                continue;
            }
            let _ = writeln!(c, "static const struct test_header H{f}_{k}[] = {{");
            for (name, value) in &case.headers {
                let _ = writeln!(
                    c,
                    "    {{{}, {}, {}}},",
                    c_literal(name.as_bytes()),
                    c_literal(value),
                    value.len()
                );
            }
            c.push_str("};\n");
        }
        let _ = writeln!(c, "static const struct test_case C{f}[] = {{");
        for (k, case) in file.cases.iter().enumerate() {
            let headers = if case.headers.is_empty() {
                "NULL".to_owned()
            } else {
                format!("H{f}_{k}")
            };
            let _ = writeln!(
                c,
                "    {{{}, {}, {}, {headers}, {}}},",
                c_literal(case.name.as_bytes()),
                c_literal(case.method.as_bytes()),
                c_literal(case.path.as_bytes()),
                case.headers.len()
            );
        }
        c.push_str("};\n");
    }
    c.push_str("static const struct test_file FILES[] = {\n");
    for (f, file) in files.iter().enumerate() {
        let _ = writeln!(
            c,
            "    {{{}, {}, C{f}, {}}},",
            c_literal(file.name.as_bytes()),
            c_literal(file.config_toml().as_bytes()),
            file.cases.len()
        );
    }
    let _ = writeln!(c, "}};\nstatic const size_t FILE_COUNT = {};", files.len());
    c
}

fn hex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd hex {s:?}"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad hex {s:?}"))
        })
        .collect()
}

/// Parses the program's output: `case FILE::NAME`, `status N`, `h NAME HEX`..., `body HEX`,
/// `end`, and a final `done COUNT`.
fn parse_responses(out: &str) -> Result<(Vec<(String, Response)>, usize), String> {
    let mut responses = Vec::new();
    let mut current: Option<(String, Response)> = None;
    for line in out.lines() {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match (word, current.as_mut()) {
            ("case", None) => current = Some((rest.to_owned(), Response::default())),
            ("status", Some((_, r))) => {
                r.status = rest.parse().map_err(|e| format!("{line:?}: {e}"))?;
            }
            ("h", Some((_, r))) => {
                let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
                r.headers.push((name.to_ascii_lowercase(), hex(value)?));
            }
            ("body", Some((_, r))) => r.body = hex(rest)?,
            ("end", Some(_)) => responses.extend(current.take()),
            ("done", None) => {
                let n = rest.parse().map_err(|e| format!("{line:?}: {e}"))?;
                return Ok((responses, n));
            }
            _ => return Err(format!("unexpected line {line:?}")),
        }
    }
    Err("the program's output ends without `done`".to_owned())
}

fn conformance_program(mode: Mode) {
    let files = load(&table_dir()).unwrap_or_else(|e| panic!("{e}"));
    let gen_dir = scratch(&format!("conformance-data-{mode:?}"));
    std::fs::write(gen_dir.join("conformance_data.h"), table_as_c(&files))
        .unwrap_or_else(|e| panic!("{}: {e}", gen_dir.display()));
    let exe = build("conformance", &[source("conformance.c")], &[gen_dir], mode);
    let out = run(&exe, &[], mode);
    let (responses, done) = parse_responses(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));

    let expected: Vec<(String, &cors_conformance::Case)> = files
        .iter()
        .flat_map(|f| {
            f.cases
                .iter()
                .map(move |c| (format!("{}::{}", f.name, c.name), c))
        })
        .collect();
    assert_eq!(done, expected.len(), "the C program ran {done} cases");
    assert_eq!(responses.len(), expected.len());
    let mut failures = Vec::new();
    for ((got_name, resp), (name, case)) in responses.iter().zip(&expected) {
        assert_eq!(got_name, name, "cases out of order");
        for d in check(&case.expect, resp) {
            failures.push(format!("[c-api] {name}: {d}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} difference(s) over {} cases through cors_decide:\n{}",
        failures.len(),
        expected.len(),
        failures.join("\n")
    );
}

#[test]
fn conformance_plain() {
    conformance_program(Mode::Plain);
}

#[test]
fn conformance_sanitized() {
    conformance_program(Mode::Sanitized);
}

#[test]
fn conformance_valgrind() {
    conformance_program(Mode::Valgrind);
}

#[test]
fn c_literals_escape_what_c_would_misread() {
    assert_eq!(
        c_literal(b"a\"b\\c??/\xff1"),
        "\"a\\042b\\134c\\077\\077/\\3771\""
    );
}

// --- The documented example ---------------------------------------------------------------

fn example_source() -> PathBuf {
    support::workspace().join("cors-ffi/examples/example.c")
}

fn example_program(mode: Mode) {
    let exe = build("example", &[example_source()], &[], mode);
    let out = run(&exe, &[], mode);
    for line in [
        "answer now: HTTP 204, empty body",
        "  access-control-allow-origin: https://app.example.com",
        "  access-control-allow-methods: GET, PUT",
        "  vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        "  (log only: origin https://evil.example is not in allow_origins)",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "no line {line:?} in:\n{out}"
        );
    }
}

#[test]
fn example_plain() {
    example_program(Mode::Plain);
}

#[test]
fn example_sanitized() {
    example_program(Mode::Sanitized);
}

#[test]
fn example_valgrind() {
    example_program(Mode::Valgrind);
}

/// The same example linked against the shared library, as docs/c-api.md shows.
#[test]
fn example_dynamic() {
    support::require("cc", &["--version"]);
    // The installed library: `libcors_ffi.so` links to its SONAME, which the loader finds.
    let dir = support::installed().join("lib");
    let exe = scratch("dynamic").join("example");
    let out = std::process::Command::new("cc")
        .args(support::CFLAGS)
        .arg("-I")
        .arg(support::include_dir())
        .arg(example_source())
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", dir.display()))
        // RPATH, not RUNPATH: searched before LD_LIBRARY_PATH, which `cargo test` points
        // at target/debug, where an older copy of the library may lie.
        .arg("-Wl,--disable-new-dtags")
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .arg("-lcors_ffi")
        .output()
        .expect("cc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ldd = std::process::Command::new("ldd")
        .arg(&exe)
        .output()
        .expect("ldd runs");
    assert!(
        String::from_utf8_lossy(&ldd.stdout).contains("libcors_ffi.so"),
        "the example did not link the shared library"
    );
    let out = run(&exe, &[], Mode::Plain);
    assert!(out.contains("answer now: HTTP 204"), "{out}");
}

/// docs/c-api.md shows examples/example.c verbatim, so the guide's example is the one CI
/// compiles and runs.
#[test]
fn guide_shows_the_tested_example() {
    let ws = support::workspace();
    let guide = std::fs::read_to_string(ws.join("docs/c-api.md")).expect("docs/c-api.md");
    let example = std::fs::read_to_string(example_source()).expect("example.c");
    assert!(
        guide.contains(&format!("```c\n{example}```")),
        "docs/c-api.md must contain cors-ffi/examples/example.c verbatim in a ```c block"
    );
}

/// The README's example, compiled and run as its commands say, printing what it shows.
#[test]
fn readme_example_runs() {
    let readme = std::fs::read_to_string(support::workspace().join("cors-ffi/README.md"))
        .expect("cors-ffi/README.md");
    let block = |lang: &str| {
        let start = readme
            .find(&format!("```{lang}\n"))
            .unwrap_or_else(|| panic!("README has no ```{lang} block"))
            + lang.len()
            + 4;
        let len = readme[start..].find("```").expect("closed block");
        readme[start..start + len].to_owned()
    };
    let dir = scratch("readme");
    let src = dir.join("hello.c");
    std::fs::write(&src, block("c")).expect("write hello.c");
    let exe = build("hello", &[src], &[], Mode::Plain);
    let out = run(&exe, &[], Mode::Plain);
    assert_eq!(out, block("text"));
}

/// The checks can fail: a heap overflow is caught by the sanitized build, a leak and an
/// invalid read by valgrind, so a green run means something.
#[test]
fn the_checkers_catch_bugs() {
    let dir = scratch("bugs");
    let overflow = dir.join("overflow.c");
    std::fs::write(
        &overflow,
        "#include <stdlib.h>\n#include <string.h>\n#include \"cors.h\"\n\
         int main(int argc, char **argv) {\n\
         \x20   (void)argv;\n\
         \x20   char *p = malloc(4);\n\
         \x20   memset(p, 0, (size_t)argc + 4); /* one past the end */\n\
         \x20   int r = p[0];\n\
         \x20   free(p);\n\
         \x20   return r + (int)cors_version().len * 0;\n\
         }\n",
    )
    .expect("write overflow.c");
    let exe = build("overflow", &[overflow], &[], Mode::Sanitized);
    let (ok, text, _) = support::run_raw(&exe, &[], Mode::Sanitized);
    assert!(
        !ok && text.contains("heap-buffer-overflow"),
        "ASan missed it: {text}"
    );

    let leak = dir.join("leak.c");
    std::fs::write(
        &leak,
        "#include <stdlib.h>\n#include \"cors.h\"\n\
         int main(void) {\n\
         \x20   char *p = malloc(16);\n\
         \x20   p[0] = 1; /* never freed */\n\
         \x20   return p[0] - 1 + (int)cors_version().len * 0;\n\
         }\n",
    )
    .expect("write leak.c");
    let exe = build("leak", &[leak], &[], Mode::Plain);
    let (ok, text, _) = support::run_raw(&exe, &[], Mode::Valgrind);
    assert!(
        !ok && text.contains("definitely lost"),
        "valgrind missed it: {text}"
    );
}

/// The header is usable from C++ too (its `extern "C"` guards and fixed-width enums).
#[test]
fn header_compiles_as_cpp() {
    support::require("c++", &["--version"]);
    let dir = scratch("cpp");
    let src = dir.join("use.cpp");
    std::fs::write(
        &src,
        "#include \"cors.h\"\n\
         int main() {\n\
         \x20   cors_request request{};\n\
         \x20   cors_decision decision{};\n\
         \x20   cors_result r = cors_decide(nullptr, &request, &decision);\n\
         \x20   static_assert(sizeof(cors_result) == 4, \"cors_result is a uint32_t\");\n\
         \x20   return r == CORS_RESULT_NULL_POINTER ? 0 : 1;\n\
         }\n",
    )
    .expect("write use.cpp");
    let exe = dir.join("use");
    let out = std::process::Command::new("c++")
        .args([
            "-std=c++17",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-I",
        ])
        .arg(support::include_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .arg(support::staticlib())
        .args(support::LIBS)
        .output()
        .expect("c++ runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    run(&exe, &[], Mode::Plain);
}
