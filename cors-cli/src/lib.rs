//! The `cors` command: check CORS config files in CI, and explain what the engine and the
//! browser do with a request.
//!
//! All CORS logic lives in `cors-core` (the engine, and `cors_explain` for the
//! browser's side); this crate only reads input and presents results.
//!
//! ```no_run
//! let code = cors_cli::run(["cors", "check", "examples/cors.toml"]);
//! std::process::exit(i32::from(code));
//! ```
#![warn(missing_docs)]

use std::ffi::OsString;
use std::io::Write as _;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

mod check;
pub mod client;
pub mod copied;
pub mod curl;
mod explain_cmd;
pub use cors_core::locate;
mod style;
mod verify_cmd;

use style::{ColorChoice, Style};

/// The `cors check` report of one policy file as plain text (no colour, at most
/// `max_diagnostics` diagnostics), and whether the file is valid: for servers that reload a
/// policy and log why a new file was refused (`FILE:LINE:COL: error[E107]: ...`).
pub fn check_report(path: &std::path::Path, max_diagnostics: usize) -> (bool, String) {
    let report = check::check_file(&path.to_string_lossy());
    let style = Style::for_stdout(style::ColorChoice::Never);
    (report.valid, report.render(style, max_diagnostics))
}

/// Exit status: success (valid config; request allowed).
pub const EXIT_OK: u8 = 0;
/// Exit status: warnings with `--deny-warnings`; a request the browser blocks; a server
/// that differs from the policy.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: invalid or unreadable configs, bad arguments, unreachable servers.
pub const EXIT_ERROR: u8 = 2;

/// Check CORS configs and explain CORS decisions.
#[derive(Debug, Parser)]
#[command(name = "cors", version, about, long_about = None)]
struct Cli {
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate config files (TOML, JSON or YAML, by extension) and report every error
    /// and warning as FILE:LINE:COL.
    ///
    /// Exit status: 0 valid, 1 warnings with --deny-warnings, 2 errors or unreadable files.
    Check(CheckArgs),
    /// Explain a request: whether the browser preflights it, what the engine answers and
    /// why, and what the browser then does.
    ///
    /// Exit status: 0 the script gets the response, 1 the browser blocks it (or, with
    /// --url, the server differs from the policy), 2 errors.
    Explain(ExplainArgs),
    /// Check that a running server enforces the policy: send it a request set derived
    /// from the policy (each origin, a sample and a near miss per pattern, a disallowed
    /// origin, each method and header, Private Network Access, each route) and report
    /// every answer that differs.
    ///
    /// Exit status: 0 every answer is the policy's, 1 some differ, 2 errors.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The config file the server should enforce.
    #[arg(long, short = 'c', value_name = "FILE")]
    config: PathBuf,
    /// The server: http(s)://HOST[:PORT][/PREFIX]; the policy's paths go under PREFIX.
    #[arg(long, value_name = "URL")]
    url: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Seconds to wait for connecting and for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Trust the CA certificates in this PEM file instead of the public roots.
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum OutputFormat {
    /// Compiler-style lines.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Config files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Exit with status 1 when there are warnings (and no errors).
    #[arg(long)]
    deny_warnings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// The most findings shown per file in human output (0: all); JSON lists every one.
    #[arg(long, value_name = "N", default_value_t = 100)]
    max_diagnostics: usize,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).multiple(true).args(["origin", "curl"])))]
struct ExplainArgs {
    /// The config file (TOML, JSON or YAML). Without it, --url is required and the
    /// explanation is what that server answers.
    #[arg(
        long,
        short = 'c',
        value_name = "FILE",
        required_unless_present = "url"
    )]
    config: Option<PathBuf>,
    /// The page's origin, e.g. https://app.example.com.
    #[arg(long, value_name = "ORIGIN")]
    origin: Option<String>,
    /// The method the script uses.
    #[arg(long, short = 'X', value_name = "METHOD", conflicts_with = "curl")]
    method: Option<String>,
    /// A header the script sets: NAME or NAME:VALUE (repeatable; NAME alone has an empty
    /// value).
    #[arg(
        long = "header",
        short = 'H',
        value_name = "NAME[:VALUE]",
        conflicts_with = "curl"
    )]
    headers: Vec<String>,
    /// Explain only a preflight asking for --method and every --header name.
    #[arg(long)]
    preflight: bool,
    /// The script uses credentials: 'include' (cookies, HTTP auth).
    #[arg(long)]
    credentials: bool,
    /// The target is on the user's local network (a LAN address) and the page is public:
    /// Local Network Access (found from --url or the cURL command's URL when they name
    /// a private address).
    #[arg(long)]
    private_network: bool,
    /// The target is on the user's own machine (localhost) and the page is public: Local
    /// Network Access's loopback permission.
    #[arg(long, conflicts_with = "private_network")]
    loopback: bool,
    /// The script runs in an iframe (Local Network Access must be delegated to it).
    #[arg(long)]
    iframe: bool,
    /// The browser to model: current Chrome (142 and later: Local Network Access), or
    /// chrome-141 (Private Network Access preflights).
    #[arg(long, value_name = "BROWSER", default_value = "current", value_parser = ["current", "chrome-141"])]
    browser: String,
    /// The request path (default: from --url or --curl, else /).
    #[arg(long, value_name = "PATH")]
    path: Option<String>,
    /// Take the request from a devtools copy: "Copy as cURL" (bash or cmd) or "Copy as
    /// fetch" (browser or Node.js; also accepted as --fetch).
    #[arg(long, alias = "fetch", value_name = "COPY")]
    curl: Option<String>,
    /// Also send the requests to this running server (http:// or https://) and compare its
    /// answers with the policy's. Redirects are shown, never followed.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// With --url, also send an actual request whose method is not GET or HEAD.
    #[arg(long, requires = "url")]
    send_actual: bool,
    /// With --url, seconds to wait for connecting and for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// With --url, trust the CA certificates in this PEM file instead of the public roots
    /// (a private CA, a local test server).
    #[arg(long, requires = "url", value_name = "FILE")]
    cacert: Option<PathBuf>,
}

/// Runs the command with these arguments (the first is the program name) and returns the
/// exit status. Never panics on any input.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
        }
    };
    let style = Style::for_stdout(cli.color);
    let output = match cli.command {
        Command::Check(args) => run_check(&args, style),
        Command::Explain(args) => explain_cmd::run(&explain_cmd::Options::from(args), style),
        Command::Verify(args) => verify_cmd::run(
            &verify_cmd::Options {
                config: args.config,
                url: args.url,
                json: args.format == OutputFormat::Json,
                timeout: std::time::Duration::from_secs(args.timeout),
                cacert: args.cacert,
            },
            style,
        ),
    };
    // A closed pipe (`cors check ... | head`) is not worth a panic.
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(output.stdout.as_bytes());
    let _ = stdout.flush();
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(output.stderr.as_bytes());
    let _ = stderr.flush();
    output.code
}

fn run_check(args: &CheckArgs, style: Style) -> explain_cmd::Output {
    let reports: Vec<check::FileReport> = args.files.iter().map(|f| check::check_file(f)).collect();
    let errors: usize = reports.iter().map(|r| r.errors).sum();
    let warnings: usize = reports.iter().map(|r| r.warnings).sum();
    let text = match args.format {
        OutputFormat::Human => reports
            .iter()
            .map(|r| r.render(style, args.max_diagnostics))
            .collect(),
        OutputFormat::Json => {
            let doc = check::JsonReport {
                files: &reports,
                errors,
                warnings,
            };
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
            s.push('\n');
            s
        }
    };
    let code = if errors > 0 {
        EXIT_ERROR
    } else if warnings > 0 && args.deny_warnings {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    explain_cmd::Output {
        code,
        stdout: text,
        stderr: String::new(),
    }
}

impl From<ExplainArgs> for explain_cmd::Options {
    fn from(a: ExplainArgs) -> Self {
        explain_cmd::Options {
            config: a.config,
            origin: a.origin,
            method: a.method,
            headers: a.headers,
            preflight: a.preflight,
            credentials: a.credentials,
            private_network: a.private_network,
            loopback: a.loopback,
            iframe: a.iframe,
            before_142: a.browser == "chrome-141",
            path: a.path,
            curl: a.curl,
            url: a.url,
            send_actual: a.send_actual,
            timeout: std::time::Duration::from_secs(a.timeout),
            cacert: a.cacert,
        }
    }
}
