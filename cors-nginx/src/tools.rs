//! Finding the tools the tests need and building the module.

use std::path::{Path, PathBuf};

/// The command that installs everything the nginx tests need.
pub const SETUP: &str = "bash scripts/setup.sh";

/// The workspace root (the parent of this crate).
pub fn repo_root() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    dir.parent().unwrap_or(dir).to_path_buf()
}

/// Which build of the `cors-ffi` static library the module links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `target/debug`: what `cargo test` builds; the tests use it.
    Debug,
    /// `target/release`: for benchmarks.
    Release,
}

/// Builds the module with `cors-nginx/build.sh` (once per process and profile; the
/// script itself does nothing when everything is current) and returns the path of
/// `ngx_http_cors_module.so`.
///
/// `ffi_lib` names a `libcors_ffi.a` to link instead of letting the script run `cargo
/// build -p cors-ffi`; tests pass the one cargo built for them (see `tests/support`).
///
/// # Errors
///
/// The build failed or a tool is missing; the message includes the script's output and
/// names the setup script.
pub fn build_module(profile: Profile, ffi_lib: Option<&Path>) -> Result<PathBuf, String> {
    crate::process::build_once("cors-nginx/build.sh", "the nginx module", profile, ffi_lib)
}

/// The path of an executable: from `$PATH`, then the sbin directories (where Debian puts
/// nginx).
///
/// # Errors
///
/// Not found; the message names the setup script.
pub fn find_tool(name: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let extra = ["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from);
    std::env::split_paths(&path)
        .chain(extra)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("`{name}` is not installed; install it with `{SETUP}`"))
}

/// The nginx binary: `$NGINX` if set, else `nginx` found by [`find_tool`].
///
/// # Errors
///
/// Not found; the message names the setup script.
pub fn nginx_binary() -> Result<PathBuf, String> {
    match std::env::var_os("NGINX") {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => find_tool("nginx"),
    }
}
