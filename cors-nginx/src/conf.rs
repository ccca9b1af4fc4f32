//! nginx configuration text for the tests and the contract server.

use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where one nginx instance keeps its files, and what it loads.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The instance's private directory: pid file, logs, temp files, sockets.
    pub dir: PathBuf,
    /// The module to load (`ngx_http_cors_module.so`).
    pub module: PathBuf,
    /// `worker_processes`.
    pub workers: u32,
}

impl Layout {
    /// A layout with one worker process.
    pub fn new(dir: &Path, module: &Path) -> Layout {
        Layout {
            dir: dir.to_path_buf(),
            module: module.to_path_buf(),
            workers: 1,
        }
    }

    /// A file in the instance's directory, quoted for nginx.conf.
    pub fn file(&self, name: &str) -> String {
        quote(&self.dir.join(name))
    }
}

/// A path as a double-quoted nginx.conf string.
pub fn quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A whole nginx.conf: the module, a master process in the foreground (the test or the
/// contract server owns it) with `layout.workers` workers, and every file nginx writes
/// kept in `layout.dir`; `http` is the inside of the `http` block.
pub fn wrap(layout: &Layout, http: &str) -> String {
    // A master running as root would drop its workers to `nobody`, who cannot use files
    // in the private directory; keep them as the current user.
    let running_as_root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let user = if running_as_root {
        "user root root;\n"
    } else {
        ""
    };
    format!(
        "load_module {module};\n\
         daemon off;\n\
         master_process on;\n\
         worker_processes {workers};\n\
         {user}\
         pid {pid};\n\
         lock_file {lock};\n\
         error_log {log} info;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n\
         access_log off;\n\
         default_type text/plain;\n\
         client_body_temp_path {body};\n\
         proxy_temp_path {proxy};\n\
         fastcgi_temp_path {fastcgi};\n\
         uwsgi_temp_path {uwsgi};\n\
         scgi_temp_path {scgi};\n\
         {http}\n\
         }}\n",
        module = quote(&layout.module),
        workers = layout.workers,
        pid = layout.file("nginx.pid"),
        lock = layout.file("nginx.lock"),
        log = layout.file("error.log"),
        body = layout.file("client_body_temp"),
        proxy = layout.file("proxy_temp"),
        fastcgi = layout.file("fastcgi_temp"),
        uwsgi = layout.file("uwsgi_temp"),
        scgi = layout.file("scgi_temp"),
    )
}

/// Status codes `return CODE;` does not send as such (nginx closes the connection for
/// 408, 444 and 499 and sends 400 for 494-497); `return CODE $var;` with an empty
/// variable sends them with an empty body.
const SPECIAL_RETURN: &[u16] = &[408, 444, 494, 495, 496, 497, 499];

/// The inside of an `http` block serving the project's example-server contract
/// (the contract in examples/README.md) on `host:port` with the policy file `policy`:
///
/// - `/anything`, `/anything/...`: `return 200 ok`;
/// - `/status/{code}` for 200..=599: `return CODE` (nginx's own error page for 4xx/5xx);
/// - `/vary` and `/own-acao`: proxied to an application server (a second server block on
///   a unix socket in `layout.dir`) that sets `Vary: Accept-Encoding` or its own
///   `Access-Control-Allow-Origin`;
/// - anything else: nginx's own 404.
///
/// `x-handler: reached` marks responses a handler produced: the front server sets it
/// from a variable that each route's `set` fills in the REWRITE phase, after the module
/// answered preflights (add_header skips empty values).
pub fn contract_http(layout: &Layout, host: &str, port: u16, policy: &Path) -> String {
    let backend = layout.dir.join("backend.sock");
    let upstream = quote(Path::new(&format!("http://unix:{}", backend.display())));
    let mut out = String::new();
    let _ = write!(
        out,
        "# The application behind the proxy, for routes whose handler sets headers.\n\
         server {{\n\
         listen {listen_backend};\n\
         location = /vary {{\n\
         add_header Vary Accept-Encoding always;\n\
         add_header x-handler reached always;\n\
         return 200 ok;\n\
         }}\n\
         location = /own-acao {{\n\
         add_header Access-Control-Allow-Origin https://handler.invalid always;\n\
         add_header x-handler reached always;\n\
         return 200 ok;\n\
         }}\n\
         }}\n\
         server {{\n\
         listen {host}:{port};\n\
         cors_policy {policy};\n\
         set $contract_handler \"\";\n\
         set $contract_empty \"\";\n\
         add_header x-handler $contract_handler always;\n\
         location / {{ return 404; }}\n\
         location = /anything {{ set $contract_handler reached; return 200 ok; }}\n\
         location /anything/ {{ set $contract_handler reached; return 200 ok; }}\n\
         location = /vary {{ proxy_pass {upstream}; }}\n\
         location = /own-acao {{ proxy_pass {upstream}; }}\n",
        listen_backend = quote(Path::new(&format!("unix:{}", backend.display()))),
        policy = quote(policy),
    );
    for code in 200u16..=599 {
        let text = if SPECIAL_RETURN.contains(&code) {
            " $contract_empty"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "location = /status/{code} {{ set $contract_handler reached; return {code}{text}; }}"
        );
    }
    out.push_str("}\n");
    out
}
