//! The library as users install it (`cors-ffi/install.sh`): SONAME and version links, and
//! the README's C example built with `pkg-config` against the shared and the static
//! library, then run.

mod support;

use std::path::Path;
use std::process::Command;

use support::{SETUP, installed, require, scratch, workspace};

fn readelf_dynamic(file: &Path) -> String {
    let out = Command::new("readelf")
        .arg("-d")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("readelf: {e}; install binutils with `{SETUP}`"));
    assert!(out.status.success(), "readelf -d {}", file.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The README's C example.
fn readme_example(dir: &Path) -> std::path::PathBuf {
    let readme = std::fs::read_to_string(workspace().join("cors-ffi/README.md")).unwrap();
    let start = readme.find("```c\n").expect("the README has a C example") + 5;
    let len = readme[start..].find("```").expect("the block ends");
    let src = dir.join("hello.c");
    std::fs::write(&src, &readme[start..start + len]).unwrap();
    src
}

fn pkg_config(prefix: &Path, args: &[&str]) -> Vec<String> {
    let out = Command::new("pkg-config")
        .args(args)
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
        .output()
        .unwrap_or_else(|e| panic!("pkg-config: {e}; install it with `{SETUP}`"));
    assert!(
        out.status.success(),
        "pkg-config {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn build_and_run(src: &Path, exe: &Path, flags: &[String], rpath: Option<&Path>) -> String {
    let mut cc = Command::new("cc");
    cc.args(support::CFLAGS)
        .arg(src)
        .arg("-o")
        .arg(exe)
        .args(flags);
    if let Some(dir) = rpath {
        // RPATH, searched before the LD_LIBRARY_PATH `cargo test` sets.
        cc.arg("-Wl,--disable-new-dtags")
            .arg(format!("-Wl,-rpath,{}", dir.display()));
    }
    let out = cc.output().expect("cc runs");
    assert!(
        out.status.success(),
        "{cc:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(exe).output().expect("the example runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8_lossy(&run.stdout).into_owned()
}

#[test]
fn installed_library_builds_the_readme_example_shared_and_static() {
    require("cc", &["--version"]);
    require("pkg-config", &["--version"]);
    let prefix = installed();
    let lib = prefix.join("lib");
    let version = env!("CARGO_PKG_VERSION");
    let soname = format!(
        "libcors_ffi.so.{}.{}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    // The real file, the SONAME link the loader follows, and the link the linker uses.
    let real = lib.join(format!("libcors_ffi.so.{version}"));
    assert!(real.is_file());
    assert_eq!(
        std::fs::read_link(lib.join(&soname)).unwrap(),
        Path::new(&format!("libcors_ffi.so.{version}"))
    );
    assert_eq!(
        std::fs::read_link(lib.join("libcors_ffi.so")).unwrap(),
        Path::new(&soname)
    );
    let dynamic = readelf_dynamic(&real);
    assert!(
        dynamic.contains(&format!("Library soname: [{soname}]")),
        "{dynamic}"
    );
    assert_eq!(
        pkg_config(&prefix, &["--modversion", "cors"]),
        [version.to_owned()]
    );

    let dir = scratch("install-example");
    let src = readme_example(&dir);
    let want = "access-control-allow-origin: https://app.example.com\nvary: Origin\n";

    let shared = dir.join("hello-shared");
    let flags = pkg_config(&prefix, &["--cflags", "--libs", "cors"]);
    assert_eq!(build_and_run(&src, &shared, &flags, Some(&lib)), want);
    let needed = readelf_dynamic(&shared);
    assert!(
        needed.contains(&format!("Shared library: [{soname}]")),
        "{needed}"
    );

    let fixed = dir.join("hello-static");
    let flags = pkg_config(&prefix, &["--cflags", "--libs", "cors-static"]);
    assert_eq!(build_and_run(&src, &fixed, &flags, None), want);
    assert!(!readelf_dynamic(&fixed).contains("libcors_ffi"));

    // Installing again replaces the files in place.
    let again = Command::new("bash")
        .arg(workspace().join("cors-ffi/install.sh"))
        .args(["--prefix"])
        .arg(&prefix)
        .args(["--from"])
        .arg(scratch("install-from"))
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(lib.join(&soname).exists());
    let bad = Command::new("bash")
        .arg(workspace().join("cors-ffi/install.sh"))
        .arg("--nope")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument '--nope'"));
}
