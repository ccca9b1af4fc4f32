//! Process helpers the server harnesses share (this crate's nginx, cors-apache's Apache):
//! free ports, children read from `/proc`, signals, stopping, and the module build scripts.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use crate::tools::{Profile, SETUP, repo_root};

/// A port that was free a moment ago on `host` (an IP literal, brackets allowed): bound
/// and released, for servers that cannot listen on port 0.
///
/// # Errors
///
/// `host:0` could not be bound.
pub fn free_port(host: &str) -> Result<u16, String> {
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    TcpListener::bind((ip, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot bind {host}:0: {e}"))
}

/// The live (not zombie) children of `parent` whose command name contains `comm` (any
/// with `None`), from `/proc`, in pid order.
pub fn children(parent: u32, comm: Option<&str>) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // "pid (comm) state ppid ...": comm may contain spaces; split after ')'.
            let Some((name, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok());
            ppid == Some(parent) && comm.is_none_or(|c| name.contains(c)) && !rest.starts_with(" Z")
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// Sends `signal` (a name: `TERM`, `HUP`, ...) to `pid`, with the shell's kill builtin (no
/// extra tool, no unsafe code).
///
/// # Errors
///
/// The signal could not be sent.
pub fn signal(signal: &str, pid: u32) -> Result<(), String> {
    let status = Command::new("sh")
        .args([
            "-c",
            "kill -s \"$1\" \"$2\"",
            "sh",
            signal,
            &pid.to_string(),
        ])
        .status()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("kill -s {signal} {pid} failed ({status})"))
    }
}

/// Stops a server's main process: SIGTERM (it stops its workers), then SIGKILL if it is
/// still running after `patience`; reaps it.
pub fn stop(mut child: Child, patience: Duration) {
    if child.try_wait().ok().flatten().is_none() {
        let _ = signal("TERM", child.id());
    }
    let deadline = Instant::now() + patience;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
        }
    }
}

/// Runs a module build script (`cors-nginx/build.sh`, `cors-apache/build.sh`): `--release`
/// when asked, `CORS_FFI_LIB` set to `ffi_lib` when given. The script prints the module's
/// path last on stdout.
///
/// # Errors
///
/// The build failed or printed no module; the message has its output and names the setup
/// script.
pub fn run_build_script(
    script: &Path,
    release: bool,
    ffi_lib: Option<&Path>,
    what: &str,
) -> Result<PathBuf, String> {
    let mut cmd = Command::new("bash");
    cmd.arg(script);
    if release {
        cmd.arg("--release");
    }
    if let Some(lib) = ffi_lib {
        cmd.env("CORS_FFI_LIB", lib);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run bash {}: {e}", script.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "building {what} failed ({}); install what is missing with `{SETUP}`\n{}{}",
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let path = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} printed {:?}, which is not the module",
            script.display(),
            stdout.trim()
        ))
    }
}

/// [`run_build_script`] for `script` (relative to the workspace root) once per process and
/// profile: later calls get the first call's result (the script itself does nothing when
/// everything is current, but running it costs a cargo invocation).
///
/// # Errors
///
/// As [`run_build_script`].
pub fn build_once(
    script: &str,
    what: &str,
    profile: Profile,
    ffi_lib: Option<&Path>,
) -> Result<PathBuf, String> {
    type Built = BTreeMap<(String, bool), Result<PathBuf, String>>;
    static BUILT: Mutex<Built> = Mutex::new(BTreeMap::new());
    let release = profile == Profile::Release;
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    built
        .entry((script.to_owned(), release))
        .or_insert_with(|| run_build_script(&repo_root().join(script), release, ffi_lib, what))
        .clone()
}
