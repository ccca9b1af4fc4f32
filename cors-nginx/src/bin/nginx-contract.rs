//! `nginx-contract`: the project's example-server contract (the contract in examples/README.md) served
//! by a real nginx with `ngx_http_cors_module`, so the shared conformance runner drives
//! nginx like any other server.
//!
//! ```text
//! nginx-contract [--config PATH] [--listen HOST:PORT] [--module PATH]
//! ```
//!
//! Writes an nginx.conf for the policy file into a private temp directory, starts nginx
//! in the foreground, prints `listening on http://HOST:PORT` once it accepts
//! connections, and exits when nginx does. nginx stops when this process ends, however
//! it ends (it runs under `setpriv --pdeathsig TERM`). `--listen` defaults to
//! `127.0.0.1:8080` (port 0 picks a free port), `--config` to `examples/cors.toml`,
//! `--module` to the debug build (built by `cors-nginx/build.sh` if missing).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cors_nginx::{Layout, Nginx, Profile, build_module, contract_http, repo_root, wrap};

/// The contract's flags, parsed as every example server parses them, and the module.
#[derive(clap::Parser)]
#[command(about = "The project's example-server contract, served by nginx with the module")]
struct Cli {
    #[command(flatten)]
    contract: examples::Args,
    /// The module to load (default: built from this directory).
    #[arg(long, value_name = "PATH")]
    module: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nginx-contract: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let args = <Cli as clap::Parser>::parse();
    let listen = args.contract.listen;
    let (host, port) = match listen {
        std::net::SocketAddr::V4(a) => (a.ip().to_string(), a.port()),
        std::net::SocketAddr::V6(a) => (format!("[{}]", a.ip()), a.port()),
    };
    // The contract's default is relative to the workspace; nginx needs absolute paths.
    let config = if args.contract.config.is_relative() && !args.contract.config.exists() {
        repo_root().join(&args.contract.config)
    } else {
        args.contract.config.clone()
    };
    let config = absolute(&config)?;
    let module = match args.module {
        Some(m) => absolute(&m)?,
        None => build_module(Profile::Debug, None)?,
    };

    // Directories of earlier instances that were killed (no chance to clean up).
    cors_nginx::sweep_stale("contract");
    let dir = cors_nginx::temp_dir("contract")?;
    let layout = Layout::new(dir.path(), &module);
    let mut nginx = Nginx::start_on(dir, &host, port, |port| {
        wrap(&layout, &contract_http(&layout, &host, port, &config))
    })?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{host}:{}", nginx.port())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(out);

    // SIGHUP reloads nginx as nginx does (`nginx -s reload`): a valid policy is put in
    // force by new workers; an invalid one fails nginx's own configuration test, and the
    // running configuration stays.
    let (prefix, conf) = (nginx.dir().to_path_buf(), nginx.conf_path().to_path_buf());
    let shown = config.display().to_string();
    examples::on_sighup(move || match cors_nginx::reload_command(&prefix, &conf) {
        Ok(out) if out.status.success() => eprintln!("{shown}: reloaded"),
        Ok(out) => eprintln!(
            "{shown}: not reloaded, the policy in force stays:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        ),
        Err(e) => eprintln!("{shown}: not reloaded: {e}"),
    });

    let status = nginx.wait();
    eprintln!("nginx-contract: nginx exited ({status:?})");
    Ok(ExitCode::FAILURE)
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    path.canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))
}
