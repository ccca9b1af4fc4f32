//! Private directories for nginx instances (`tempfile`), named so that the ones a killed
//! process left behind can be found and removed.

use std::path::Path;

pub use tempfile::TempDir;

const PREFIX: &str = "cors-nginx-";

/// A fresh directory `cors-nginx-LABEL-PID-XXXXXX` under the system temp dir, removed
/// when dropped (kept when `CORS_NGINX_KEEP` is set, for debugging).
///
/// # Errors
///
/// The directory could not be created.
pub fn temp_dir(label: &str) -> Result<TempDir, String> {
    tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{label}-{}-", std::process::id()))
        .disable_cleanup(std::env::var_os("CORS_NGINX_KEEP").is_some())
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))
}

/// Removes directories [`temp_dir`]`(label)` created in processes that no longer run
/// (a server process the test runner killed never runs its destructors).
pub fn sweep_stale(label: &str) {
    let start = format!("{PREFIX}{label}-");
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&start)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
