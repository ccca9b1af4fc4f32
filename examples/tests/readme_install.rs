//! Each crate's README, followed by a new user: a fresh cargo project outside the
//! workspace whose `[dependencies]` are the README's lines and nothing else (the project's
//! own crates by path), with every Rust example of the README as one of its examples.
//! After `cargo fetch`, `cargo build --examples --offline` must succeed: the lines are
//! complete, and what the examples use is re-exported.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the examples crate is in the workspace")
        .to_path_buf()
}

/// The fenced blocks of `text` whose info string starts with `lang`: (info, body).
fn blocks<'a>(text: &'a str, lang: &str) -> Vec<(&'a str, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if info.split(',').next() == Some(lang) {
            out.push((info, body));
        }
    }
    out
}

/// The README's `[dependencies]` block, the project's crates turned into path
/// dependencies (they are not on a registry this test may reach).
fn manifest(readme: &str, name: &str) -> String {
    let (_, deps) = blocks(readme, "toml")
        .into_iter()
        .find(|(_, b)| b.starts_with("[dependencies]"))
        .unwrap_or_else(|| panic!("{name}: the README starts no `[dependencies]` block"));
    let root = workspace();
    let mut out = format!(
        "[package]\nname = \"readme-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n"
    );
    for line in deps.lines() {
        let dep = line.split('=').next().unwrap_or("").trim();
        if dep.starts_with("cors-") && root.join(dep).is_dir() {
            let value = line.split_once('=').map(|x| x.1).unwrap_or("").trim();
            let version = value.split('"').nth(1).unwrap_or("0.2");
            let features = value
                .split_once("features")
                .map(|(_, f)| format!(", features{}", f.trim_end_matches('}').trim_end()))
                .unwrap_or_default();
            let features = if value.starts_with('"') {
                String::new()
            } else {
                features
            };
            writeln!(
                out,
                "{dep} = {{ version = \"{version}\", path = {:?}{features} }}",
                root.join(dep)
            )
            .unwrap();
        } else {
            writeln!(out, "{line}").unwrap();
        }
    }
    out
}

/// A README example as rustdoc runs it: hidden lines shown, and a body without `main`
/// wrapped in one.
fn example(body: &str) -> String {
    let shown: String = body
        .lines()
        .map(|l| match l.trim_start().strip_prefix("# ") {
            Some(rest) => rest.to_owned(),
            None if l.trim() == "#" => String::new(),
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    if shown.contains("fn main(") || shown.contains("rocket::launch") {
        shown
    } else {
        format!(
            "fn main() {{\n    #[allow(unreachable_code)]\n    let _ = (|| {{\n{shown}\n    }})();\n}}\n"
        )
    }
}

fn check(name: &str) {
    let root = workspace();
    let readme = std::fs::read_to_string(root.join(name).join("README.md")).unwrap();
    assert!(
        readme
            .lines()
            .find(|l| !l.starts_with('#') && !l.is_empty())
            == Some("```toml"),
        "{name}: the README must start with its [dependencies] lines"
    );
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    std::fs::write(project.join("Cargo.toml"), manifest(&readme, name)).unwrap();
    // The workspace's versions, so the offline build finds every crate locally.
    std::fs::copy(root.join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("src/lib.rs"), "").unwrap();
    std::fs::create_dir_all(project.join("examples")).unwrap();
    let rust: Vec<_> = blocks(&readme, "rust")
        .into_iter()
        .filter(|(info, _)| !info.contains("ignore") && !info.contains("compile_fail"))
        .collect();
    assert!(!rust.is_empty(), "{name}: no Rust example");
    for (i, (_, body)) in rust.iter().enumerate() {
        std::fs::write(
            project.join(format!("examples/readme_{i}.rs")),
            example(body),
        )
        .unwrap();
    }
    // Crates a user's lines add (axum's default features, ...) are downloaded first, as
    // `cargo` would for the user; when the machine is offline, the local cache must do.
    let fetched = Command::new(env!("CARGO"))
        .args(["fetch", "--quiet"])
        .current_dir(project)
        .status()
        .unwrap();
    if !fetched.success() {
        eprintln!("{name}: cargo fetch failed; building from the local cache");
    }
    let out = Command::new(env!("CARGO"))
        .args(["build", "--examples", "--offline", "--quiet"])
        .current_dir(project)
        // One cache for every run, apart from the workspace's own builds.
        .env("CARGO_TARGET_DIR", root.join("target/readme-install"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: a fresh project with the README's lines does not build:\n{}\n--- Cargo.toml\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(project.join("Cargo.toml")).unwrap()
    );
}

#[test]
fn readme_lines_build_the_readme_examples() {
    for name in [
        "cors-core",
        "cors-axum",
        "cors-actix",
        "cors-warp",
        "cors-rocket",
    ] {
        check(name);
    }
}
