//! Test harness of `mod_cors_policy`, the Apache httpd module of this directory (C, in
//! `mod_cors_policy.c`, built with apxs by `build.sh` against the `cors-ffi` static
//! library).
//!
//! The harness builds the module ([`build_module`]), writes httpd.conf files ([`wrap`],
//! [`contract_conf`]), runs real Apache processes on 127.0.0.1 in private directories
//! ([`Apache`]) in front of a plain upstream ([`Upstream`]); tests talk HTTP/1.1 to them
//! with the project's one test client (`cors_conformance::request`). The
//! `apache-contract` binary serves the project's example-server contract with Apache, so
//! the shared conformance runner drives Apache like any other server.
//!
//! ```no_run
//! use cors_apache::{Apache, Layout, Profile, Upstream, build_module, contract_conf, modules_dir, wrap};
//! use cors_conformance::request;
//!
//! let module = build_module(Profile::Debug, None)?;
//! let upstream = Upstream::start()?;
//! let dir = cors_nginx::temp_dir("apache-example")?;
//! let layout = Layout::new(dir.path(), &module, &modules_dir()?);
//! let policy = cors_apache::repo_root().join("examples/cors.toml");
//! let apache = Apache::start(dir, |port| {
//!     wrap(&layout, true, &contract_conf("127.0.0.1", port, &policy, upstream.port()))
//! })?;
//! let resp = request(apache.addr(), "GET", "/anything/x", &[("Origin", "https://app.example.com")], b"")
//!     .map_err(|e| e.to_string())?;
//! assert_eq!(resp.header("access-control-allow-origin").as_deref(), Some("https://app.example.com"));
//! # Ok::<(), String>(())
//! ```
#![warn(missing_docs)]

mod apache;
mod conf;
mod tools;
mod upstream;

pub use apache::{Apache, config_test, graceful_command};
pub use conf::{Layout, contract_conf, quote, wrap};
pub use tools::{Profile, SETUP, build_module, find_tool, httpd_binary, modules_dir, repo_root};
pub use upstream::Upstream;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
