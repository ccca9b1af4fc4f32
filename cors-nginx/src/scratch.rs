//! Private directories for nginx instances.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const PREFIX: &str = "cors-nginx-";

/// A fresh directory under the system temp dir, removed when dropped (kept when
/// `CORS_NGINX_KEEP` is set, for debugging). Named `cors-nginx-LABEL-PID-N`.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `cors-nginx-LABEL-PID-N` in the temp dir.
    ///
    /// # Errors
    ///
    /// The directory could not be created.
    pub fn new(label: &str) -> Result<TempDir, String> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("{PREFIX}{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(TempDir { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes directories `new(label)` created in processes that no longer run (left
    /// behind by a process that was killed).
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
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("CORS_NGINX_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
