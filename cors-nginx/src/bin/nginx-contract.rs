//! `nginx-contract`: the project's example-server contract (DESIGN.md section 5) served
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

use cors_nginx::{Layout, Nginx, Profile, TempDir, build_module, contract_http, repo_root, wrap};

const USAGE: &str = "usage: nginx-contract [--config PATH] [--listen HOST:PORT] [--module PATH]";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nginx-contract: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    config: PathBuf,
    listen: String,
    module: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        config: repo_root().join("examples/cors.toml"),
        listen: "127.0.0.1:8080".to_owned(),
        module: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--config" => args.config = PathBuf::from(value()?),
            "--listen" => args.listen = value()?,
            "--module" => args.module = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    Ok(args)
}

/// Splits `HOST:PORT` where HOST is an IPv4 literal or a bracketed IPv6 one.
fn split_listen(listen: &str) -> Result<(String, u16), String> {
    let bad = || format!("--listen {listen:?}: not HOST:PORT; write e.g. 127.0.0.1:8080");
    let (host, port) = listen.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().map_err(|_| bad())?;
    Ok((host.to_owned(), port))
}

fn run() -> Result<ExitCode, String> {
    let args = parse_args()?;
    let (host, port) = split_listen(&args.listen)?;
    let config = absolute(&args.config)?;
    let module = match args.module {
        Some(m) => absolute(&m)?,
        None => build_module(Profile::Debug, None)?,
    };

    // Directories of earlier instances that were killed (no chance to clean up).
    TempDir::sweep_stale("contract");
    let dir = TempDir::new("contract")?;
    let layout = Layout::new(dir.path(), &module);
    let mut nginx = Nginx::start_on(dir, &host, port, |port| {
        wrap(&layout, &contract_http(&layout, &host, port, &config))
    })?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{host}:{}", nginx.port())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(out);

    let status = nginx.wait();
    eprintln!("nginx-contract: nginx exited ({status:?})");
    Ok(ExitCode::FAILURE)
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    path.canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))
}
