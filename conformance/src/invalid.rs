//! The table of configs every implementation refuses (`tests/conformance/invalid/*.toml`),
//! and a runner that checks a server refuses each one, naming every field path and the file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// How long a server may take to exit after refusing a config.
const EXIT_TIMEOUT: Duration = Duration::from_secs(60);

/// One refused config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidConfig {
    /// `file::name`, for messages.
    pub label: String,
    /// Unique within its file, kebab-case.
    pub name: String,
    /// The rule it checks, in one line.
    pub why: String,
    /// The file extension that names its format: `toml`, `json` or `yaml`.
    pub format: String,
    /// The config text, written to a file as it is.
    pub text: String,
    /// Field paths every refusal must name (`allow_origins[0]`, `preflight_status`).
    pub paths: Vec<String>,
    /// The core's error codes, exactly (`E115`); empty when the text does not parse
    /// (`L004`, a wrong type), where `paths` alone is checked.
    pub codes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    description: String,
    #[serde(rename = "config")]
    configs: Vec<RawConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: String,
    why: String,
    #[serde(default = "default_format")]
    format: String,
    text: String,
    paths: Vec<String>,
    #[serde(default)]
    codes: Vec<String>,
}

fn default_format() -> String {
    "toml".to_owned()
}

/// The directory of the invalid-config table: `tests/conformance/invalid`.
pub fn invalid_dir() -> PathBuf {
    crate::table_dir().join("invalid")
}

/// Loads every `*.toml` file of `dir` (sorted by name).
///
/// # Errors
///
/// Every problem, one per line, naming file and config: syntax, unknown keys, duplicate
/// names, an unknown format, a config that names no path.
pub fn load_invalid(dir: &Path) -> Result<Vec<InvalidConfig>, String> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (file, path) in crate::table::toml_files(dir)? {
        let raw: RawFile = match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{file}: {e}"));
                continue;
            }
        };
        if raw.description.trim().is_empty() {
            errors.push(format!("{file}: empty description"));
        }
        let mut names = BTreeSet::new();
        for c in raw.configs {
            let label = format!("{file}::{}", c.name);
            if !names.insert(c.name.clone()) {
                errors.push(format!("{label}: duplicate name"));
            }
            if !["toml", "json", "yaml"].contains(&c.format.as_str()) {
                errors.push(format!(
                    "{label}: format {:?} is not toml, json or yaml",
                    c.format
                ));
            }
            if c.paths.is_empty() {
                errors.push(format!("{label}: names no field path"));
            }
            if c.why.trim().is_empty() || c.why.contains('\n') {
                errors.push(format!("{label}: `why` must be one non-empty line"));
            }
            out.push(InvalidConfig {
                label,
                name: c.name,
                why: c.why,
                format: c.format,
                text: c.text,
                paths: c.paths,
                codes: c.codes,
            });
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(format!("no invalid configs in {}", dir.display()));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

/// What is missing from a refusal's text: each path the config must name, and `file` when
/// given.
pub fn missing_from(config: &InvalidConfig, text: &str, file: Option<&Path>) -> Vec<String> {
    let mut missing: Vec<String> = config
        .paths
        .iter()
        .filter(|p| !text.contains(p.as_str()))
        .map(|p| format!("does not name {p}"))
        .collect();
    if let Some(f) = file
        && !text.contains(&*f.to_string_lossy())
    {
        missing.push(format!("does not name the file {}", f.display()));
    }
    missing
}

/// Runs every invalid config against a server command: the server must exit non-zero
/// within 60 s without announcing itself, and its stderr must name each field path and the
/// config file. `cmd(path)` builds the command for a config file.
///
/// # Errors
///
/// Every failure, one per line as `[name] file::config: problem`.
pub fn run_invalid_suite(name: &str, cmd: impl Fn(&Path) -> Command) -> Result<usize, String> {
    let configs = load_invalid(&invalid_dir())?;
    let dir = tempfile::Builder::new()
        .prefix(&format!("cors-invalid-{name}-"))
        .tempdir()
        .map_err(|e| format!("[{name}] cannot create a temporary directory: {e}"))?;
    let mut failures = Vec::new();
    for config in &configs {
        let path = dir
            .path()
            .join(format!("{}.{}", config.name, config.format));
        if let Err(e) = std::fs::write(&path, &config.text) {
            failures.push(format!(
                "[{name}] {}: cannot write {}: {e}",
                config.label,
                path.display()
            ));
            continue;
        }
        match refusal(cmd(&path)) {
            Ok(stderr) => {
                for m in missing_from(config, &stderr, Some(&path)) {
                    failures.push(format!("[{name}] {}: stderr {m}:\n{stderr}", config.label));
                }
            }
            Err(e) => failures.push(format!("[{name}] {}: {e}", config.label)),
        }
    }
    if failures.is_empty() {
        Ok(configs.len())
    } else {
        Err(failures.join("\n"))
    }
}

/// Runs a command that must refuse to start: its stderr when it exits non-zero in time.
fn refusal(mut cmd: Command) -> Result<String, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let deadline = Instant::now() + EXIT_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let out = child.wait_with_output().map_err(|e| e.to_string())?;
                return Err(format!(
                    "still running after {}s; stdout:\n{}",
                    EXIT_TIMEOUT.as_secs(),
                    String::from_utf8_lossy(&out.stdout)
                ));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        return Err(format!("exited successfully; stderr:\n{stderr}"));
    }
    if String::from_utf8_lossy(&out.stdout).contains("listening on") {
        return Err("announced `listening on` before exiting".to_owned());
    }
    Ok(stderr)
}
