//! httpd.conf text for the tests and the contract server.

use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where one Apache instance keeps its files, and what it loads.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The instance's private directory (ServerRoot): pid file, logs, mutexes.
    pub dir: PathBuf,
    /// The module to load (`mod_cors_policy.so`).
    pub module: PathBuf,
    /// Apache's own modules (`apxs -q LIBEXECDIR`).
    pub modules: PathBuf,
    /// `ThreadsPerChild` of the one child process (event MPM).
    pub threads: u32,
}

impl Layout {
    /// A layout with one child process of 32 threads.
    pub fn new(dir: &Path, module: &Path, modules: &Path) -> Layout {
        Layout {
            dir: dir.to_path_buf(),
            module: module.to_path_buf(),
            modules: modules.to_path_buf(),
            threads: 32,
        }
    }

    /// A file in the instance's directory, quoted for httpd.conf.
    pub fn file(&self, name: &str) -> String {
        quote(&self.dir.join(name))
    }
}

/// A path as a double-quoted httpd.conf string: Apache escapes `"` and `\` inside double
/// quotes with a backslash, as nginx does.
pub use cors_nginx::quote;

/// Apache's modules the tests use, besides this one: the event MPM, access control and
/// basic authentication (preflights must not reach them), mod_proxy (the upstream),
/// mod_headers (the `Header set` snippet the module replaces), mod_alias and mod_mime.
const MODULES: &[(&str, &str)] = &[
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("authz_host_module", "mod_authz_host.so"),
    ("authz_user_module", "mod_authz_user.so"),
    ("authn_core_module", "mod_authn_core.so"),
    ("authn_file_module", "mod_authn_file.so"),
    ("auth_basic_module", "mod_auth_basic.so"),
    ("proxy_module", "mod_proxy.so"),
    ("proxy_http_module", "mod_proxy_http.so"),
    ("headers_module", "mod_headers.so"),
    ("alias_module", "mod_alias.so"),
    ("mime_module", "mod_mime.so"),
];

/// A whole httpd.conf: Apache's modules and then this one (`with_module`: false gives
/// bare Apache, for benchmarks), one event-MPM child of `layout.threads` threads, every
/// file Apache writes kept in `layout.dir`, the error log at `info` (report-only lines);
/// `body` follows (Listen, CorsPolicy, ...).
pub fn wrap(layout: &Layout, with_module: bool, body: &str) -> String {
    let mut out = String::new();
    for (name, file) in MODULES {
        let _ = writeln!(
            out,
            "LoadModule {name} {}",
            quote(&layout.modules.join(file))
        );
    }
    if with_module {
        let _ = writeln!(
            out,
            "LoadModule cors_policy_module {}",
            quote(&layout.module)
        );
    }
    // Apache refuses to run its children as root: they run as nobody, and the harness
    // makes the instance's directory readable to them.
    let running_as_root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if running_as_root {
        out.push_str("User nobody\nGroup nogroup\n");
    }
    let threads = layout.threads.max(1);
    let _ = write!(
        out,
        "ServerName 127.0.0.1\n\
         PidFile {pid}\n\
         DefaultRuntimeDir {dir}\n\
         Mutex file:{dir_raw} default\n\
         ErrorLog {log}\n\
         LogLevel info\n\
         ServerLimit 4\n\
         StartServers 1\n\
         ThreadLimit {threads}\n\
         ThreadsPerChild {threads}\n\
         MaxRequestWorkers {threads}\n\
         MinSpareThreads 1\n\
         MaxSpareThreads {threads}\n\
         KeepAlive On\n\
         Timeout 30\n\
         TypesConfig /dev/null\n\
         <Directory />\n\
         Require all granted\n\
         </Directory>\n\
         {body}\n",
        pid = layout.file("httpd.pid"),
        dir = quote(&layout.dir),
        dir_raw = layout.dir.display(),
        log = layout.file("error.log"),
    );
    out
}

/// The body of an httpd.conf serving the project's example-server contract (the
/// contract in examples/README.md) on `host:port` with the policy file `policy`, every
/// route proxied (`ProxyPass`) to a plain upstream on 127.0.0.1:`upstream` that knows
/// nothing of CORS ([`crate::Upstream`]): the upstream answers the contract's routes,
/// sets `x-handler: reached`, `Vary: Accept-Encoding` on `/vary` and its own
/// `Access-Control-Allow-Origin` on `/own-acao`. `AllowEncodedSlashes NoDecode`, usual
/// in front of an upstream, lets `%2F` paths reach the engine (Apache's default answers
/// them 404 before any module runs).
pub fn contract_conf(host: &str, port: u16, policy: &Path, upstream: u16) -> String {
    format!(
        "Listen {host}:{port}\n\
         CorsPolicy {policy}\n\
         AllowEncodedSlashes NoDecode\n\
         ProxyPass / http://127.0.0.1:{upstream}/ nocanon retry=0\n\
         ProxyTimeout 30\n",
        policy = quote(policy),
    )
}
