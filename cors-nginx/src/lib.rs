//! Test harness of `ngx_http_cors_module`, the nginx dynamic module of this directory
//! (C, in `ngx_http_cors_module.c`, built by `build.sh` against the `cors-ffi` static
//! library).
//!
//! The harness builds the module ([`build_module`]), writes nginx configurations
//! ([`wrap`], [`contract_http`]), runs real nginx processes on 127.0.0.1 in private
//! directories ([`Nginx`], [`temp_dir`]); tests talk HTTP/1.1 to them with the project's
//! one test client (`cors_conformance::request`). The
//! `nginx-contract` binary serves the project's example-server contract with nginx, so
//! the shared conformance runner can drive it like any other server; the tests in
//! `tests/` use all of it.
//!
//! ```no_run
//! use cors_conformance::request;
//! use cors_nginx::{Layout, Nginx, Profile, build_module, contract_http, temp_dir, wrap};
//!
//! let module = build_module(Profile::Debug, None)?;
//! let dir = temp_dir("example")?;
//! let layout = Layout::new(dir.path(), &module);
//! let policy = cors_nginx::repo_root().join("examples/cors.toml");
//! let nginx = Nginx::start(dir, |port| {
//!     wrap(&layout, &contract_http(&layout, "127.0.0.1", port, &policy))
//! })?;
//! let resp = request(nginx.addr(), "GET", "/anything/x", &[("Origin", "https://app.example.com")], b"")
//!     .map_err(|e| e.to_string())?;
//! assert_eq!(resp.header("access-control-allow-origin").as_deref(), Some("https://app.example.com"));
//! # Ok::<(), String>(())
//! ```
#![warn(missing_docs)]

mod conf;
mod nginx;
pub mod process;
mod scratch;
mod suites;
mod tools;
pub mod wrk;

pub use conf::{Layout, contract_http, quote, wrap};
pub use nginx::{Nginx, reload_command, rss_kib, test_config};
pub use scratch::{TempDir, sweep_stale, temp_dir};
pub use suites::Sweep;
pub use tools::{Profile, SETUP, build_module, find_tool, nginx_binary, repo_root};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
