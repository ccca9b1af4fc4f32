//! Shared code of the example servers: the command line and the route contract of
//! the example-server contract (examples/README.md), so every server parses flags and reports errors the same way.
//!
//! Each binary (`axum`, `warp`, `actix`, `rocket`) takes `--config PATH` (default
//! `examples/cors.toml`) and `--listen ADDR` (default `127.0.0.1:8080`; port 0 picks a free
//! port), and prints `listening on http://HOST:PORT` once it accepts connections.
#![warn(missing_docs)]

use std::net::SocketAddr;
use std::path::PathBuf;

use cors_core::{Policy, PolicyHandle, PolicySource};

/// The header every handler sets, so tests can tell whether the handler ran.
pub const HANDLER_HEADER: (&str, &str) = ("x-handler", "reached");

/// The `Access-Control-Allow-Origin` value the `/own-acao` handler sets.
pub const HANDLER_ACAO: &str = "https://handler.invalid";

/// The config used when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "examples/cors.toml";

/// The address used when `--listen` is not given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The contract's command line: `--config PATH` and `--listen ADDR` (also `--flag=value`).
/// Servers with more flags flatten it into their own `clap` parser (as `nginx-contract`
/// does), so every server parses the contract alike.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The policy file (TOML, JSON or YAML).
    #[arg(long, value_name = "PATH", default_value = DEFAULT_CONFIG)]
    pub config: PathBuf,
    /// Where to listen; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
}

/// The command line of an example server: the contract's flags and nothing else.
#[derive(Debug, clap::Parser)]
#[command(about = "An example server of the project's server contract (examples/README.md)")]
struct Cli {
    #[command(flatten)]
    args: Args,
}

impl Args {
    /// Parses arguments (without the program name).
    ///
    /// # Errors
    ///
    /// `clap`'s error, naming the bad argument.
    pub fn parse_from(args: impl IntoIterator<Item = String>) -> Result<Args, clap::Error> {
        use clap::Parser;
        let argv = std::iter::once("server".to_owned()).chain(args);
        Cli::try_parse_from(argv).map(|c| c.args)
    }

    /// Parses the process arguments, exiting with status 2 and a message on error (0 for
    /// `--help`), and starts logging ([`init_logging`]).
    pub fn from_env() -> Args {
        use clap::Parser;
        let args = Cli::parse().args;
        init_logging();
        args
    }

    /// Loads the policy, exiting with status 1 and the core's error messages on stderr
    /// when the config is invalid.
    pub fn load_policy(&self) -> Policy {
        let compiled = Policy::compile_path(&self.config);
        match compiled {
            Ok(c) => {
                for w in &c.warnings {
                    eprintln!("{}: warning: {w}", self.config.display());
                }
                c.policy
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1)
            }
        }
    }
}

impl Args {
    /// Loads the policy like [`load_policy`](Self::load_policy) into a handle the adapters
    /// read per request, and reloads it from the same file on `SIGHUP`: a valid file is put
    /// in force (requests in flight finish with the policy they started with); an invalid
    /// one is refused, its errors printed as `cors check` prints them
    /// (`FILE:LINE:COL: error[...]`), and the policy in force stays.
    pub fn load_reloadable(&self) -> PolicyHandle {
        let handle = PolicyHandle::new(self.load_policy());
        reload_on_sighup(handle.clone(), self.config.clone());
        handle
    }

    /// What every example server applies: the reloadable policy
    /// ([`load_reloadable`](Self::load_reloadable)), each decision counted
    /// ([`Counters`](cors_core::Counters)) for [`metrics_text`].
    pub fn load_source(&self) -> PolicySource {
        install_metrics();
        PolicySource::from(self.load_reloadable()).observed(cors_core::Counters)
    }
}

/// The Prometheus recorder of the process, installed once.
static METRICS: std::sync::OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
    std::sync::OnceLock::new();

/// Installs the process's `metrics` recorder (Prometheus text, no listener of its own: the
/// servers serve [`metrics_text`] at `/metrics`).
pub fn install_metrics() {
    METRICS.get_or_init(|| {
        match metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder() {
            Ok(handle) => Some(handle),
            Err(e) => {
                eprintln!("cannot install the metrics recorder ({e}); /metrics stays empty");
                None
            }
        }
    });
}

/// The `/metrics` route of the example servers: the counters in Prometheus text format.
pub fn metrics_text() -> String {
    METRICS
        .get()
        .and_then(|h| h.as_ref())
        .map(metrics_exporter_prometheus::PrometheusHandle::render)
        .unwrap_or_default()
}

/// The `Content-Type` of [`metrics_text`].
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// Reloads `handle` from `path` on every `SIGHUP`, on a thread of its own (so it works
/// under any server's runtime), reporting each outcome on stderr.
pub fn reload_on_sighup(handle: PolicyHandle, path: PathBuf) {
    on_sighup(move || reload(&handle, &path));
}

/// Runs `action` on every `SIGHUP`, on a thread of its own (so it works under any
/// server's runtime); the signal is watched before this returns.
pub fn on_sighup(mut action: impl FnMut() + Send + 'static) {
    use tokio::signal::unix::{SignalKind, signal};

    let (ready_tx, ready) = std::sync::mpsc::channel();
    let watcher = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let runtime = match runtime {
            Ok(r) => r,
            Err(e) => {
                let _ = ready_tx.send(Err(e.to_string()));
                return;
            }
        };
        runtime.block_on(async move {
            let mut hangups = match signal(SignalKind::hangup()) {
                Ok(h) => h,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(()));
            while hangups.recv().await.is_some() {
                action();
            }
        });
    });
    // Registered before the server announces itself, so an early SIGHUP is not lost.
    match ready.recv() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("cannot watch SIGHUP ({e}); it will be ignored"),
        Err(_) => {
            let _ = watcher.join();
            eprintln!("cannot watch SIGHUP; it will be ignored");
        }
    }
}

/// One reload of `handle` from `path`, with its outcome on stderr.
fn reload(handle: &PolicyHandle, path: &std::path::Path) {
    let compiled = Policy::compile_path(path);
    match compiled {
        Ok(c) => {
            for w in &c.warnings {
                eprintln!("{}: warning: {w}", path.display());
            }
            handle.store(c.policy);
            eprintln!("{}: reloaded", path.display());
        }
        Err(e) => {
            let (_, report) = cors_cli::check_report(path, 100);
            let report = if report.trim().is_empty() {
                e.to_string()
            } else {
                report
            };
            eprintln!(
                "{}: not reloaded, the policy in force stays:\n{}",
                path.display(),
                report.trim_end()
            );
        }
    }
}

/// The log filter when `RUST_LOG` is unset: the engine's `info` lines (report-only
/// disagreements), warnings from everything else.
pub const DEFAULT_LOG: &str = "warn,cors=info";

/// Logs `tracing` events to stderr, filtered by `RUST_LOG` (`target=level` pairs, e.g.
/// `cors=debug` to see every denial with its reason), else by [`DEFAULT_LOG`].
pub fn init_logging() {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter: Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .or_else(|| DEFAULT_LOG.parse().ok())
        .unwrap_or_default();
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(filter)
        .try_init();
}

/// Prints the line the contract requires once the server accepts connections.
pub fn announce(addr: SocketAddr) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // A closed stdout must not stop the server.
    let _ = writeln!(out, "listening on http://{addr}");
    let _ = out.flush();
}

/// Parses the status of a `/status/{code}` route: 200..=599, else `None` (the server
/// answers 400).
pub fn route_status(segment: &str) -> Option<u16> {
    segment.parse().ok().filter(|c| (200..=599).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags() {
        let a = Args::parse_from(["--config=x.toml", "--listen", "127.0.0.1:0"].map(String::from))
            .unwrap();
        assert_eq!(a.config, PathBuf::from("x.toml"));
        assert_eq!(a.listen.port(), 0);
        assert!(Args::parse_from(["--bogus".to_owned()]).is_err());
        assert!(Args::parse_from(["--listen".to_owned()]).is_err());
        assert_eq!(route_status("418"), Some(418));
        assert_eq!(route_status("99"), None);
    }
}
