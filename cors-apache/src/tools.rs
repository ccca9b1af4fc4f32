//! Building the module and finding Apache.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub use cors_nginx::{Profile, SETUP, find_tool, repo_root};

/// Builds the module with `cors-apache/build.sh` (once per process and profile; the
/// script itself does nothing when everything is current) and returns the path of
/// `mod_cors_policy.so`.
///
/// `ffi_lib` names a `libcors_ffi.a` to link instead of letting the script run cargo;
/// tests pass the one cargo built for them (see `tests/support`).
///
/// # Errors
///
/// The build failed or a tool is missing; the message includes the script's output and
/// names the setup script.
pub fn build_module(profile: Profile, ffi_lib: Option<&Path>) -> Result<PathBuf, String> {
    cors_nginx::process::build_once(
        "cors-apache/build.sh",
        "the Apache module",
        profile,
        ffi_lib,
    )
}

/// The httpd binary: `$APACHE_HTTPD` if set, else Debian's `apache2`, else `httpd`.
///
/// # Errors
///
/// Not found; the message names the setup script.
pub fn httpd_binary() -> Result<PathBuf, String> {
    match std::env::var_os("APACHE_HTTPD") {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => find_tool("apache2").or_else(|_| find_tool("httpd")),
    }
}

/// The directory of Apache's own modules (`apxs -q LIBEXECDIR`; Debian:
/// `/usr/lib/apache2/modules`).
///
/// # Errors
///
/// apxs is missing or printed nothing.
pub fn modules_dir() -> Result<PathBuf, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        let apxs = find_tool("apxs")?;
        let out = Command::new(&apxs)
            .args(["-q", "LIBEXECDIR"])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", apxs.display()))?;
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && dir.is_dir() {
            Ok(dir)
        } else {
            Err(format!(
                "`apxs -q LIBEXECDIR` gave no directory; install apache2-dev with `{SETUP}`"
            ))
        }
    })
    .clone()
}
