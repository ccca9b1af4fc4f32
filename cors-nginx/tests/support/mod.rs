//! What every nginx test shares: the module built against this test run's `cors-ffi`,
//! policies, and starting nginx with an `http` block.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use cors_conformance::{Response, request};
use cors_nginx::{Layout, Nginx, Profile, build_module, wrap};

/// The module, built once per test binary with `cors-nginx/build.sh`, linking the
/// `cors-ffi` static library cargo built for this test run (a dev-dependency, so
/// `target/<profile>/deps/libcors_ffi.a` is current).
pub fn module() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("the test binary: {e}"));
    let deps = exe
        .parent()
        .unwrap_or_else(|| panic!("unexpected test binary location {}", exe.display()));
    let lib = deps.join("libcors_ffi.a");
    assert!(
        lib.is_file(),
        "{} is missing: cargo builds it for cors-nginx's tests (cors-ffi is a dev-dependency); \
         run the tests through cargo",
        lib.display()
    );
    build_module(Profile::Debug, Some(&lib)).unwrap_or_else(|e| panic!("{e}"))
}

/// A credentialed policy for `https://app.example.com`.
pub const POLICY_APP: &str = r#"
allow_origins = ["https://app.example.com"]
allow_methods = ["GET", "POST", "PUT"]
allow_headers = ["content-type"]
expose_headers = ["x-request-id"]
allow_credentials = true
max_age = 600
"#;

/// A policy for `https://other.example.com` only.
pub const POLICY_OTHER: &str = r#"
allow_origins = ["https://other.example.com"]
"#;

/// The origin `POLICY_APP` allows.
pub const APP: &str = "https://app.example.com";

/// The origin `POLICY_OTHER` allows.
pub const OTHER: &str = "https://other.example.com";

/// A running nginx with the module and its directory.
pub struct Server {
    pub nginx: Nginx,
}

impl Server {
    /// Starts nginx in a fresh directory. `files` are written into the directory first
    /// (name, content); `http(dir, port)` is the inside of the `http` block.
    pub fn start(
        label: &str,
        files: &[(&str, &str)],
        http: impl Fn(&Path, u16) -> String,
    ) -> Server {
        let module = module();
        let dir = cors_nginx::temp_dir(label).unwrap_or_else(|e| panic!("{e}"));
        for (name, content) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        let layout = Layout::new(dir.path(), &module);
        let root = dir.path().to_path_buf();
        let nginx = Nginx::start(dir, |port| wrap(&layout, &http(&root, port)))
            .unwrap_or_else(|e| panic!("{e}"));
        Server { nginx }
    }

    pub fn addr(&self) -> SocketAddr {
        self.nginx.addr()
    }

    pub fn dir(&self) -> &Path {
        self.nginx.dir()
    }

    /// A request; panics on transport errors.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        self.send_body(method, path, headers, b"")
    }

    /// A request with a body; panics on transport errors.
    pub fn send_body(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        request(self.addr(), method, path, headers, body).unwrap_or_else(|e| {
            panic!(
                "{method} {path}: {e}\nerror log:\n{}",
                self.nginx.error_log()
            )
        })
    }

    /// An actual (non-preflight) CORS request from `origin`.
    pub fn actual(&self, method: &str, path: &str, origin: &str) -> Response {
        self.send(method, path, &[("Origin", origin)])
    }

    /// A preflight from `origin` asking for `method`.
    pub fn preflight(&self, path: &str, origin: &str, method: &str) -> Response {
        self.send(
            "OPTIONS",
            path,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", method),
            ],
        )
    }
}

/// `path` quoted for nginx.conf.
pub fn q(path: &Path) -> String {
    cors_nginx::quote(path)
}

/// `listen` argument for a unix socket `name` in `dir`.
pub fn unix_listen(dir: &Path, name: &str) -> String {
    q(Path::new(&format!("unix:{}", dir.join(name).display())))
}

/// `proxy_pass` argument for a unix socket `name` in `dir`.
pub fn unix_upstream(dir: &Path, name: &str) -> String {
    q(Path::new(&format!(
        "http://unix:{}",
        dir.join(name).display()
    )))
}
