//! Building and running the C programs of the tests: locating the static library cargo
//! built for this test run, compiling with the project's warning flags, sanitizers and
//! valgrind. A missing tool fails the test with the command that installs it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// What installs every tool these tests need.
pub const SETUP: &str = "bash scripts/setup-c.sh";

/// The warning flags every C program of the project is built with.
pub const CFLAGS: &[&str] = &[
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-g",
];

/// The native libraries the Rust static library needs on Linux.
pub const LIBS: &[&str] = &["-lpthread", "-ldl", "-lm"];

/// How a C program is built and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Plain build, plain run.
    Plain,
    /// Built with `-fsanitize=address,undefined`, any report fatal.
    Sanitized,
    /// The plain build run under valgrind memcheck, any error or leak fatal.
    Valgrind,
    /// Built with `-fsanitize=thread`, any report fatal. The Rust library is not
    /// instrumented, so races inside it are not seen; the C side's use of what it returns
    /// (the policies, the decisions' slices) across threads is.
    Thread,
}

impl Mode {
    fn dir(self) -> &'static str {
        match self {
            Mode::Plain | Mode::Valgrind => "plain",
            Mode::Sanitized => "sanitized",
            Mode::Thread => "tsan",
        }
    }
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cors-ffi has a parent directory")
        .to_path_buf()
}

/// `target/<profile>` of this test run: the test binary is `target/<profile>/deps/NAME`.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("unexpected test binary location {}", exe.display()))
        .to_path_buf()
}

/// A library artifact cargo built for this test run. The library unit is compiled once
/// with every crate type (lib, staticlib, cdylib) into `deps/`, whatever cargo command ran
/// the tests; only `cargo build` also copies it to `target/<profile>/`, so `deps/` is the
/// copy that is always current.
pub fn artifact(file: &str) -> PathBuf {
    let dir = profile_dir();
    let lib = dir.join("deps").join(file);
    assert!(
        lib.is_file(),
        "{} is missing: it is built by `cargo test -p cors-ffi` (crate-type staticlib and \
         cdylib); run the tests through cargo",
        lib.display()
    );
    lib
}

/// The C library of this test run, installed as users install it
/// (`cors-ffi/install.sh --prefix`): the C tests build against this prefix. Installed once
/// per test binary.
pub fn installed() -> PathBuf {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX
        .get_or_init(|| {
            // The static and shared libraries cargo built for this run, under the names
            // the script expects.
            let from = scratch("install-from");
            for lib in ["libcors_ffi.a", "libcors_ffi.so"] {
                std::fs::copy(artifact(lib), from.join(lib))
                    .unwrap_or_else(|e| panic!("{lib}: {e}"));
            }
            let prefix = scratch("install");
            let out = Command::new("bash")
                .arg(workspace().join("cors-ffi/install.sh"))
                .arg("--prefix")
                .arg(&prefix)
                .arg("--from")
                .arg(&from)
                .output()
                .expect("bash runs");
            assert!(
                out.status.success(),
                "install.sh failed: {}",
                output_text(&out)
            );
            prefix
        })
        .clone()
}

/// The installed static library of this test run.
pub fn staticlib() -> PathBuf {
    installed().join("lib/libcors_ffi.a")
}

/// The installed header directory.
pub fn include_dir() -> PathBuf {
    installed().join("include")
}

/// Scratch space for builds and files.
pub fn scratch(sub: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cors-ffi-c")
        .join(sub);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Fails unless `tool` runs, naming the setup script.
pub fn require(tool: &str, probe: &[&str]) {
    let ok = Command::new(tool)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`{tool}` is required but not usable; install it with `{SETUP}`"
    );
}

fn output_text(o: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Compiles C `sources` into `name` for `mode` (once per test binary), linked with the
/// static library. `include` adds directories to the search path.
pub fn build(name: &str, sources: &[PathBuf], include: &[PathBuf], mode: Mode) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<(String, &'static str), PathBuf>>> = OnceLock::new();
    let cache = BUILT.get_or_init(Default::default);
    // One build at a time, and each program once: the machine has two cores.
    let mut built = cache.lock().unwrap_or_else(|e| e.into_inner());
    let key = (name.to_owned(), mode.dir());
    if let Some(exe) = built.get(&key) {
        return exe.clone();
    }
    require("cc", &["--version"]);
    let exe = scratch(mode.dir()).join(name);
    let ws = workspace();
    let mut cmd = Command::new("cc");
    cmd.args(CFLAGS)
        .arg("-I")
        .arg(include_dir())
        .arg("-I")
        .arg(ws.join("cors-ffi/tests/c"));
    for dir in include {
        cmd.arg("-I").arg(dir);
    }
    if mode == Mode::Sanitized {
        cmd.args([
            "-O1",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ]);
    }
    if mode == Mode::Thread {
        cmd.args(["-O1", "-fsanitize=thread", "-fno-omit-frame-pointer"]);
    }
    cmd.args(sources)
        .arg("-o")
        .arg(&exe)
        .arg(staticlib())
        .args(LIBS);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run cc: {e}; install it with `{SETUP}`"));
    assert!(
        out.status.success(),
        "compiling {name} ({mode:?}) failed: {cmd:?}\n{}",
        output_text(&out)
    );
    if mode == Mode::Sanitized {
        assert_sanitizers_linked(&exe);
    }
    built.insert(key, exe.clone());
    exe
}

/// Checks the binary really carries ASan and UBSan, not flags silently ignored.
pub fn assert_sanitizers_linked(exe: &Path) {
    require("nm", &["--version"]);
    let out = Command::new("nm")
        .arg(exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run nm: {e}"));
    let symbols = String::from_utf8_lossy(&out.stdout);
    for sym in ["__asan_init", "__ubsan_handle_"] {
        assert!(
            symbols.contains(sym),
            "{} was built with -fsanitize=address,undefined but has no {sym} symbol: \
             the sanitizer did not link",
            exe.display()
        );
    }
}

/// Runs a built program in `mode`: whether it exited 0 with no sanitizer or valgrind
/// report, and its output (for messages), and its stdout.
pub fn run_raw(exe: &Path, args: &[&str], mode: Mode) -> (bool, String, String) {
    let mut cmd = match mode {
        Mode::Valgrind => {
            require("valgrind", &["--version"]);
            let mut c = Command::new("valgrind");
            c.args([
                "--quiet",
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,possible",
                "--show-leak-kinds=definite,possible",
            ])
            .arg(exe);
            c
        }
        _ => Command::new(exe),
    };
    cmd.args(args);
    if mode == Mode::Sanitized {
        cmd.env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:exitcode=98:halt_on_error=1",
        )
        .env(
            "UBSAN_OPTIONS",
            "print_stacktrace=1:halt_on_error=1:exitcode=97",
        );
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if mode == Mode::Thread {
        cmd.env("TSAN_OPTIONS", "halt_on_error=1:exitcode=96");
    }
    let reported = [
        "ERROR: AddressSanitizer",
        "ERROR: LeakSanitizer",
        "WARNING: ThreadSanitizer",
        "runtime error:",
    ]
    .iter()
    .any(|m| stderr.contains(m));
    (
        out.status.success() && !reported,
        output_text(&out),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Runs a built program in `mode`; fails with its output unless it exits 0 without any
/// sanitizer or valgrind report. Returns its stdout.
pub fn run(exe: &Path, args: &[&str], mode: Mode) -> String {
    let (ok, text, stdout) = run_raw(exe, args, mode);
    assert!(ok, "{} ({mode:?}) failed: {text}", exe.display());
    stdout
}
