//! Running Apache httpd: start on a free port, graceful restart, inspect children, stop.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use cors_nginx::{TempDir, find_tool, process, temp_dir};

use crate::tools::httpd_binary;

/// How long Apache may take to start, restart or stop.
const PATIENCE: Duration = Duration::from_secs(30);

/// Port attempts when the free port picked is taken before Apache binds it.
const PORT_ATTEMPTS: usize = 8;

/// A running Apache (parent in the foreground, `-DFOREGROUND`), with its private
/// directory (its ServerRoot). Stopped (SIGTERM, then SIGKILL) and the directory removed
/// when dropped. It runs under `setpriv --pdeathsig TERM`, so it also stops when the
/// thread that started it ends.
#[derive(Debug)]
pub struct Apache {
    child: Option<Child>,
    conf: PathBuf,
    host: String,
    port: u16,
    // Dropped last: Apache is stopped first.
    dir: TempDir,
}

impl Apache {
    /// Starts Apache on 127.0.0.1 and a free port: `conf(port)` is the httpd.conf text.
    ///
    /// # Errors
    ///
    /// Apache is missing, exited (the message has its error log) or did not start in
    /// 30 s.
    pub fn start(dir: TempDir, conf: impl Fn(u16) -> String) -> Result<Apache, String> {
        Apache::start_on(dir, "127.0.0.1", 0, conf)
    }

    /// As [`Apache::start`] on `host` (an IP literal) and `port`; port 0 picks a free one
    /// (bound and released: Apache cannot listen on port 0).
    ///
    /// # Errors
    ///
    /// As [`Apache::start`].
    pub fn start_on(
        mut dir: TempDir,
        host: &str,
        port: u16,
        conf: impl Fn(u16) -> String,
    ) -> Result<Apache, String> {
        let httpd = httpd_binary()?;
        let setpriv = find_tool("setpriv")?;
        open_up(dir.path())?;
        let conf_path = dir.path().join("httpd.conf");
        let mut last_error = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let chosen = if port == 0 {
                process::free_port(host)?
            } else {
                port
            };
            write(&conf_path, &conf(chosen))?;
            let _ = std::fs::remove_file(dir.path().join("httpd.pid"));
            write(&dir.path().join("error.log"), "")?;
            let stderr = File::create(dir.path().join("stderr.log"))
                .map_err(|e| format!("cannot create stderr.log: {e}"))?;
            let child = Command::new(&setpriv)
                .args(["--pdeathsig", "TERM", "--"])
                .arg(&httpd)
                .arg("-DFOREGROUND")
                .arg("-d")
                .arg(dir.path())
                .arg("-f")
                .arg(&conf_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}", httpd.display()))?;
            let mut me = Apache {
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
        loop {
            if let Some(status) = self.try_wait() {
                return Err(format!(
                    "Apache exited ({status}) while starting:\n{}",
                    self.logs()
                ));
            }
            // The pid file is written after the listening sockets are bound; a child
            // must be there to accept.
            let ready = self.pid_file().is_some()
                && !self.worker_pids().is_empty()
                && TcpStream::connect_timeout(&self.addr(), Duration::from_secs(1)).is_ok();
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "Apache did not start within {}s:\n{}",
                    PATIENCE.as_secs(),
                    self.logs()
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn pid_file(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.path().join("httpd.pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    fn take_dir(&mut self) -> Result<TempDir, String> {
        let fresh = temp_dir("apache-retry")?;
        Ok(std::mem::replace(&mut self.dir, fresh))
    }

    /// The port Apache listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address Apache listens on.
    pub fn addr(&self) -> SocketAddr {
        let ip = self
            .host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .unwrap_or(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST));
        SocketAddr::new(ip, self.port)
    }

    /// The instance's private directory (its ServerRoot).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The httpd.conf in use.
    pub fn conf_path(&self) -> &Path {
        &self.conf
    }

    /// The parent's process id.
    pub fn parent_pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The live child processes of the parent (by reading `/proc`), in pid order.
    pub fn worker_pids(&self) -> Vec<u32> {
        self.parent_pid()
            .map(|parent| process::children(parent, None))
            .unwrap_or_default()
    }

    /// `apachectl graceful` for this instance ([`graceful_command`]).
    ///
    /// # Errors
    ///
    /// httpd could not be run.
    pub fn graceful(&self) -> Result<Output, String> {
        graceful_command(self.dir(), &self.conf)
    }

    /// [`Apache::graceful`], then waits until every child of the old generation has
    /// exited and new ones run.
    ///
    /// # Errors
    ///
    /// The restart was refused (the message has httpd's output) or the children were not
    /// replaced within 30 s.
    pub fn graceful_and_wait(&self) -> Result<(), String> {
        let old = self.worker_pids();
        let out = self.graceful()?;
        if !out.status.success() {
            return Err(format!(
                "graceful restart refused:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let now = self.worker_pids();
            if !now.is_empty() && now.iter().all(|pid| !old.contains(pid)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "children not replaced after a graceful restart (before {old:?}, now \
                     {now:?}):\n{}",
                    self.error_log()
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir().join("error.log")).unwrap_or_default()
    }

    fn logs(&self) -> String {
        let stderr = std::fs::read_to_string(self.dir().join("stderr.log")).unwrap_or_default();
        format!("{}{}", self.error_log(), stderr)
    }

    /// Waits until Apache exits by itself (for the contract server).
    pub fn wait(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.wait().ok())
    }

    /// Stops Apache: SIGTERM (the parent stops its children), then SIGKILL if it is still
    /// running after 30 s.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            process::stop(child, PATIENCE);
        }
    }
}

impl Drop for Apache {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Children run as an unprivileged user when Apache starts as root, and must read the
/// instance's files (static files, the pid file is the parent's): the directory is made
/// world-readable.
fn open_up(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot chmod {}: {e}", dir.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn run_httpd(root: &Path, conf: &Path, args: &[&str]) -> Result<Output, String> {
    let httpd = httpd_binary()?;
    Command::new(&httpd)
        .arg("-d")
        .arg(root)
        .arg("-f")
        .arg(conf)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {} {}: {e}", httpd.display(), args.join(" ")))
}

/// `apachectl configtest` for a configuration (`httpd -t`, with `root` as ServerRoot):
/// every `CorsPolicy` file is compiled; a broken one fails with the core's messages.
///
/// # Errors
///
/// httpd could not be run.
pub fn config_test(root: &Path, conf: &Path) -> Result<Output, String> {
    run_httpd(root, conf, &["-t"])
}

/// `apachectl graceful` for the instance in `root` with `conf`, as apachectl does it: the
/// configuration test first (a broken policy fails it, and the running configuration
/// stays), then `httpd -k graceful` (SIGUSR1 to the parent named in the pid file).
///
/// # Errors
///
/// httpd could not be run.
pub fn graceful_command(root: &Path, conf: &Path) -> Result<Output, String> {
    let test = config_test(root, conf)?;
    if !test.status.success() {
        return Ok(test);
    }
    run_httpd(root, conf, &["-k", "graceful"])
}
