//! `apache-contract`: the project's example-server contract (the contract in
//! examples/README.md) served by a real Apache httpd with `mod_cors_policy` in front of
//! a plain upstream, so the shared conformance runner drives Apache like any other
//! server.
//!
//! ```text
//! apache-contract [--config PATH] [--listen HOST:PORT] [--module PATH]
//! ```
//!
//! Starts the upstream, writes an httpd.conf for the policy file into a private temp
//! directory, starts Apache in the foreground, prints `listening on http://HOST:PORT`
//! once it accepts connections, and exits when Apache does. Apache stops when this
//! process ends (it runs under `setpriv --pdeathsig TERM`). On SIGHUP it restarts Apache
//! as `apachectl graceful` does: configuration test first, so a broken policy is refused
//! and the running one stays. Apache's error log is copied to stderr.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cors_apache::{
    Apache, Layout, Profile, Upstream, build_module, contract_conf, modules_dir, repo_root, wrap,
};

/// The contract's flags, parsed as every example server parses them, and the module.
#[derive(clap::Parser)]
#[command(about = "The project's example-server contract, served by Apache with the module")]
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
            eprintln!("apache-contract: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let args = <Cli as clap::Parser>::parse();
    let (host, port) = match args.contract.listen {
        std::net::SocketAddr::V4(a) => (a.ip().to_string(), a.port()),
        std::net::SocketAddr::V6(a) => (format!("[{}]", a.ip()), a.port()),
    };
    // The contract's default is relative to the workspace; Apache needs absolute paths.
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
    let modules = modules_dir()?;
    let upstream = Upstream::start()?;

    cors_nginx::sweep_stale("apache-contract");
    let dir = cors_nginx::temp_dir("apache-contract")?;
    let layout = Layout::new(dir.path(), &module, &modules);
    let mut apache = Apache::start_on(dir, &host, port, |port| {
        wrap(
            &layout,
            true,
            &contract_conf(&host, port, &config, upstream.port()),
        )
    })?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{host}:{}", apache.port())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(out);

    follow(apache.dir().join("error.log"));

    let (root, conf) = (apache.dir().to_path_buf(), apache.conf_path().to_path_buf());
    let shown = config.display().to_string();
    examples::on_sighup(move || match cors_apache::graceful_command(&root, &conf) {
        Ok(out) if out.status.success() => eprintln!("{shown}: reloaded"),
        Ok(out) => eprintln!(
            "{shown}: not reloaded, the policy in force stays:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        ),
        Err(e) => eprintln!("{shown}: not reloaded: {e}"),
    });

    let status = apache.wait();
    eprintln!("apache-contract: Apache exited ({status:?})");
    drop(upstream);
    Ok(ExitCode::FAILURE)
}

/// Copies what Apache appends to its error log to this process's stderr (report-only
/// lines, restarts), as the other contract servers log there.
fn follow(log: PathBuf) {
    std::thread::spawn(move || {
        use std::io::{Read as _, Seek as _};
        let mut offset = 0;
        let mut buf = Vec::new();
        loop {
            if let Ok(mut file) = std::fs::File::open(&log)
                && file.seek(std::io::SeekFrom::Start(offset)).is_ok()
            {
                buf.clear();
                if let Ok(n) = file.read_to_end(&mut buf) {
                    offset += n as u64;
                    let _ = std::io::stderr().write_all(&buf);
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    });
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    path.canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))
}
