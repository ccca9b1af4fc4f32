//! Running nginx: start on a free port, reload, inspect workers, stop.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::scratch::{TempDir, temp_dir};
use crate::tools::{find_tool, nginx_binary};

/// How long nginx may take to start or stop.
const PATIENCE: Duration = Duration::from_secs(30);

/// Port attempts when the free port picked is taken before nginx binds it.
const PORT_ATTEMPTS: usize = 8;

/// A running nginx (master in the foreground, `daemon off`), with its private directory.
/// Stopped (SIGTERM, then SIGKILL) and the directory removed when dropped. It is also
/// started under `setpriv --pdeathsig TERM`, so it stops when the thread that started it
/// ends, even if this value is never dropped (a killed process).
#[derive(Debug)]
pub struct Nginx {
    child: Option<Child>,
    conf: PathBuf,
    host: String,
    port: u16,
    // Dropped last: nginx is stopped first.
    dir: TempDir,
}

impl Nginx {
    /// Starts nginx on 127.0.0.1 and a free port: `conf(port)` is the nginx.conf text.
    /// The port is picked by binding port 0 and releasing it (nginx cannot listen on port
    /// 0); if another process takes it first, another port is tried.
    ///
    /// # Errors
    ///
    /// nginx is missing, exited (the message has its error log) or did not start in 30 s.
    pub fn start(dir: TempDir, conf: impl Fn(u16) -> String) -> Result<Nginx, String> {
        Nginx::start_on(dir, "127.0.0.1", 0, conf)
    }

    /// As [`Nginx::start`] on `host` (an IP literal) and `port`; port 0 picks a free one.
    ///
    /// # Errors
    ///
    /// As [`Nginx::start`].
    pub fn start_on(
        mut dir: TempDir,
        host: &str,
        port: u16,
        conf: impl Fn(u16) -> String,
    ) -> Result<Nginx, String> {
        let nginx = nginx_binary()?;
        let setpriv = find_tool("setpriv")?;
        let conf_path = dir.path().join("nginx.conf");
        let log = dir.path().join("error.log");
        let mut last_error = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let chosen = if port == 0 {
                crate::process::free_port(host)?
            } else {
                port
            };
            write(&conf_path, &conf(chosen))?;
            let _ = std::fs::remove_file(dir.path().join("nginx.pid"));
            write(&log, "")?;
            let stderr = File::create(dir.path().join("stderr.log"))
                .map_err(|e| format!("cannot create stderr.log: {e}"))?;
            let child = Command::new(&setpriv)
                .args(["--pdeathsig", "TERM", "--"])
                .arg(&nginx)
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(&conf_path)
                .arg("-e")
                .arg(&log)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}", nginx.display()))?;
            let mut me = Nginx {
                child: Some(child),
                conf: conf_path.clone(),
                host: host.to_owned(),
                port: chosen,
                dir,
            };
            match me.wait_ready() {
                Ok(()) => return Ok(me),
                Err(e) if port == 0 && e.contains("Address already in use") => {
                    last_error = e;
                    me.stop();
                    dir = me.take_dir()?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last_error)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        let pid_file = self.dir.path().join("nginx.pid");
        loop {
            if let Some(status) = self.try_wait() {
                return Err(format!(
                    "nginx exited ({status}) while starting:\n{}",
                    self.logs()
                ));
            }
            // The pid file is written after the listening sockets are bound.
            let ready = std::fs::read_to_string(&pid_file)
                .is_ok_and(|p| p.trim().parse::<u32>().is_ok())
                && TcpStream::connect_timeout(&self.addr(), Duration::from_secs(1)).is_ok();
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "nginx did not start within {}s:\n{}",
                    PATIENCE.as_secs(),
                    self.logs()
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// The directory of a stopped instance, for another attempt (a fresh empty one takes
    /// its place, removed with `self`).
    fn take_dir(&mut self) -> Result<TempDir, String> {
        let fresh = temp_dir("retry")?;
        Ok(std::mem::replace(&mut self.dir, fresh))
    }

    /// The port nginx listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address nginx listens on.
    pub fn addr(&self) -> SocketAddr {
        let ip = self
            .host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .unwrap_or(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST));
        SocketAddr::new(ip, self.port)
    }

    /// The instance's private directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The nginx.conf in use.
    pub fn conf_path(&self) -> &Path {
        &self.conf
    }

    /// The master's process id.
    pub fn master_pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The live worker processes (children of the master), by reading `/proc`.
    pub fn worker_pids(&self) -> Vec<u32> {
        self.master_pid()
            .map(|master| crate::process::children(master, Some("nginx")))
            .unwrap_or_default()
    }

    /// Sends SIGHUP to the master: it re-reads nginx.conf and the policy files, and
    /// keeps the running configuration if they are invalid. Returns once the signal is
    /// sent; the new workers start shortly after.
    ///
    /// # Errors
    ///
    /// The signal could not be sent.
    pub fn reload(&self) -> Result<(), String> {
        self.signal("HUP")
    }

    /// [`Nginx::reload`], then waits until every worker of the old configuration has
    /// exited and new ones run (old workers finish their requests first; until then they
    /// may still take connections).
    ///
    /// # Errors
    ///
    /// The signal could not be sent, or the workers were not replaced within 30 s (as
    /// when the new configuration is invalid).
    pub fn reload_and_wait(&self) -> Result<(), String> {
        let old = self.worker_pids();
        self.reload()?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let now = self.worker_pids();
            if !now.is_empty() && now.iter().all(|pid| !old.contains(pid)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "workers not replaced after a reload (before {old:?}, now {now:?}):\n{}",
                    self.error_log()
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs `nginx -s reload` for this instance: it parses the configuration first and,
    /// if it is invalid, fails with nginx's messages without signalling the master.
    pub fn reload_command(&self) -> Result<Output, String> {
        reload_command(self.dir(), &self.conf)
    }

    fn signal(&self, signal: &str) -> Result<(), String> {
        let pid = self.master_pid().ok_or("nginx is not running")?;
        crate::process::signal(signal, pid)
    }

    /// The error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir().join("error.log")).unwrap_or_default()
    }

    fn logs(&self) -> String {
        let stderr = std::fs::read_to_string(self.dir().join("stderr.log")).unwrap_or_default();
        format!("{}{}", self.error_log(), stderr)
    }

    /// Waits until nginx exits by itself (for the contract server).
    pub fn wait(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.wait().ok())
    }

    /// Stops nginx: SIGTERM (fast shutdown: the master stops its workers), then SIGKILL
    /// if it is still running after 30 s.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            crate::process::stop(child, PATIENCE);
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs nginx on the instance in `prefix` with `conf` (its error log in `prefix`) and
/// `args`.
fn run_nginx(prefix: &Path, conf: &Path, args: &[&str]) -> Result<Output, String> {
    let nginx = nginx_binary()?;
    Command::new(nginx)
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(conf)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .args(args)
        .output()
        .map_err(|e| format!("cannot run nginx {}: {e}", args.join(" ")))
}

/// `nginx -s reload` for the instance in `prefix` with `conf`: nginx parses the
/// configuration (the policy files included) first and, if it is invalid, fails with its
/// messages without signalling the master.
///
/// # Errors
///
/// nginx could not be run.
pub fn reload_command(prefix: &Path, conf: &Path) -> Result<Output, String> {
    run_nginx(prefix, conf, &["-s", "reload"])
}

/// Runs `nginx -t` on a configuration file (with `prefix` as nginx's prefix directory).
///
/// # Errors
///
/// nginx is missing or could not run.
pub fn test_config(prefix: &Path, conf: &Path) -> Result<Output, String> {
    run_nginx(prefix, conf, &["-t"])
}

/// A process's resident set size in KiB (`VmRSS` in `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}
