//! What every Apache test shares: the module built against this test run's `cors-ffi`,
//! policies, and starting Apache (with a plain upstream) on a configuration body.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use cors_apache::{Apache, Layout, Profile, Upstream, build_module, modules_dir, wrap};
use cors_conformance::{Response, request};

/// The module, built once per test binary with `cors-apache/build.sh`, linking the
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
        "{} is missing: cargo builds it for cors-apache's tests (cors-ffi is a \
         dev-dependency); run the tests through cargo",
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

/// A running Apache with the module, its directory and a plain upstream.
pub struct Server {
    pub apache: Apache,
    pub upstream: Upstream,
}

impl Server {
    /// Starts Apache in a fresh directory. `files` are written into the directory first
    /// (name, content); `body(dir, port, upstream_port)` follows the common httpd.conf
    /// (it must `Listen` on 127.0.0.1:port).
    pub fn start(
        label: &str,
        files: &[(&str, &str)],
        body: impl Fn(&Path, u16, u16) -> String,
    ) -> Server {
        Server::start_with(label, files, true, 32, body)
    }

    /// [`Server::start`] with or without the module, and `threads` threads.
    pub fn start_with(
        label: &str,
        files: &[(&str, &str)],
        with_module: bool,
        threads: u32,
        body: impl Fn(&Path, u16, u16) -> String,
    ) -> Server {
        let module = module();
        let modules = modules_dir().unwrap_or_else(|e| panic!("{e}"));
        let upstream = Upstream::start().unwrap_or_else(|e| panic!("{e}"));
        let dir =
            cors_nginx::temp_dir(&format!("apache-{label}")).unwrap_or_else(|e| panic!("{e}"));
        for (name, content) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        let mut layout = Layout::new(dir.path(), &module, &modules);
        layout.threads = threads;
        let root = dir.path().to_path_buf();
        let up = upstream.port();
        let apache = Apache::start(dir, |port| {
            wrap(&layout, with_module, &body(&root, port, up))
        })
        .unwrap_or_else(|e| panic!("{e}"));
        Server { apache, upstream }
    }

    pub fn addr(&self) -> SocketAddr {
        self.apache.addr()
    }

    pub fn dir(&self) -> &Path {
        self.apache.dir()
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
                self.apache.error_log()
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

/// `path` quoted for httpd.conf.
pub fn q(path: &Path) -> String {
    cors_apache::quote(path)
}
