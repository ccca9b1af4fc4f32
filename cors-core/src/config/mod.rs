//! The config file schema (plain data) and its loaders.

use std::path::Path;

use serde::de::Deserializer;
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::{Format, LoadError};

mod typed;

use typed::fields;

/// A list field's value: `"*"` or a list of entries.
///
/// In a config file, `"*"` and `["*"]` both mean [`AnyOr::Any`]; a list keeps its entries
/// as written until [`Policy::compile`](crate::Policy::compile) validates them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnyOr<T> {
    /// `"*"`: every value.
    Any,
    /// These values.
    List(Vec<T>),
}

impl<T> AnyOr<T> {
    /// An empty list.
    pub const fn none() -> Self {
        AnyOr::List(Vec::new())
    }
}

impl<T> Default for AnyOr<T> {
    fn default() -> Self {
        AnyOr::none()
    }
}

impl<T, I: Into<T>, const N: usize> From<[I; N]> for AnyOr<T> {
    fn from(items: [I; N]) -> Self {
        AnyOr::List(items.into_iter().map(Into::into).collect())
    }
}

impl<T> From<Vec<T>> for AnyOr<T> {
    fn from(items: Vec<T>) -> Self {
        AnyOr::List(items)
    }
}

impl<T: Serialize> Serialize for AnyOr<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AnyOr::Any => s.serialize_str("*"),
            AnyOr::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for AnyOr<String> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        typed::any_or(d)
    }
}

/// The CORS config: plain data, as written in a config file.
///
/// Validate it into a [`Policy`](crate::Policy) with
/// [`Policy::compile`](crate::Policy::compile). Every field but `allow_origins` has a
/// default; unknown keys are errors so a typo cannot silently change a policy.
///
/// The struct is `#[non_exhaustive]` (a new key is not a breaking change): outside this
/// crate, build one with [`Policy::builder`](crate::Policy::builder), from a file, or by
/// setting fields of [`Config::default`]:
///
/// ```
/// use cors_core::{AnyOr, Config};
///
/// let mut config = Config::default();
/// config.allow_origins = AnyOr::from(["https://app.example.com"]);
/// config.allow_credentials = true;
/// assert!(cors_core::Policy::compile(&config).is_ok());
/// ```
///
/// A struct literal does not compile outside the crate:
///
/// ```compile_fail
/// let config = cors_core::Config {
///     allow_credentials: true,
///     ..cors_core::Config::default()
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// Origins allowed to read responses: exact origins (`https://app.example.com`),
    /// subdomain wildcards (`https://*.example.com`), any-port wildcards
    /// (`http://localhost:*`), `"null"`, or `"*"`. Required.
    #[serde(deserialize_with = "fields::allow_origins")]
    pub allow_origins: AnyOr<String>,
    /// Methods a preflight may ask for, beyond the always-allowed `GET`, `HEAD`, `POST`.
    /// Default `["GET", "HEAD", "POST"]`.
    #[serde(
        default = "default_methods",
        deserialize_with = "fields::allow_methods"
    )]
    pub allow_methods: AnyOr<String>,
    /// Request headers a preflight may ask for. `"*"` covers all but `authorization`;
    /// `["*", "authorization"]` adds it. Default: none.
    #[serde(default, deserialize_with = "fields::allow_headers")]
    pub allow_headers: AnyOr<String>,
    /// Response headers scripts may read beyond the safelisted ones. Default: none.
    #[serde(default, deserialize_with = "fields::expose_headers")]
    pub expose_headers: AnyOr<String>,
    /// Whether cookies, HTTP auth and client certificates may be sent. Default `false`.
    #[serde(default, deserialize_with = "fields::allow_credentials")]
    pub allow_credentials: bool,
    /// Seconds a browser may cache a preflight answer. Absent: no header, browser
    /// default (5 seconds).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::max_age"
    )]
    pub max_age: Option<u64>,
    /// Whether Private Network Access preflights are allowed. Default `false`.
    #[serde(default, deserialize_with = "fields::allow_private_network")]
    pub allow_private_network: bool,
    /// Status of a successful preflight: 200 or 204. Default 204.
    #[serde(
        default = "default_preflight_status",
        deserialize_with = "fields::preflight_status"
    )]
    pub preflight_status: u16,
    /// Whether successful preflights also reach the handler. Default `false`.
    #[serde(default, deserialize_with = "fields::preflight_continue")]
    pub preflight_continue: bool,
    /// `"enforce"` (default): the server applies decisions. `"report-only"`: the server
    /// changes nothing and reports what the policy would have decided (docs/semantics.md,
    /// "Report-only mode").
    #[serde(
        default,
        skip_serializing_if = "Mode::is_enforce",
        deserialize_with = "fields::mode"
    )]
    pub mode: Mode,
    /// Development only: denied requests get a `CORS-Denial-Reason` response header
    /// naming the denial (`origin-not-allowed`), visible in a browser's network panel.
    /// Default `false`; `cors check` warns when it is on (it tells every client why).
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "fields::debug_denial_header"
    )]
    pub debug_denial_header: bool,
    /// Origins not in `allow_origins` are passed to the server's origin predicate (set in
    /// code, e.g. `CorsLayer::new(policy).allow_origin_fn(..)`), which may allow them.
    /// Default `false`. Servers without a predicate (the C ABI, nginx) allow only the
    /// listed origins; `cors check` cannot see what a predicate allows.
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "fields::dynamic_origins"
    )]
    pub dynamic_origins: bool,
    /// Policies for path prefixes; each [`Route`] inherits every setting it does not set
    /// from the top level. Default: none, and the path plays no part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
}

/// Whether a policy's decisions are applied or only reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Decisions are applied: headers set, preflights answered.
    #[default]
    Enforce,
    /// Decisions are reported, the exchange is left as the handler made it.
    ReportOnly,
}

impl Mode {
    /// The value as written in a config file.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::ReportOnly => "report-only",
        }
    }

    fn is_enforce(&self) -> bool {
        *self == Mode::Enforce
    }
}

impl Serialize for Mode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fields::mode(d)
    }
}

/// One entry of [`Config::routes`]: a path prefix and the settings that differ from the
/// top level (`None`: inherited).
///
/// ```
/// use cors_core::{AnyOr, Config, Policy, Route};
///
/// let mut public = Route::new("/public");
/// public.allow_origins = Some(AnyOr::Any);
/// let mut config = Config::default();
/// config.allow_origins = AnyOr::from(["https://app.example.com"]);
/// config.routes.push(public);
/// assert!(Policy::compile(&config).is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Route {
    /// The path prefix, matched by whole segments (`/api` covers `/api` and `/api/x`,
    /// never `/apix`). Required.
    #[serde(deserialize_with = "fields::path")]
    pub path: String,
    /// See [`Config::allow_origins`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::allow_origins"
    )]
    pub allow_origins: Option<AnyOr<String>>,
    /// See [`Config::allow_methods`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::allow_methods"
    )]
    pub allow_methods: Option<AnyOr<String>>,
    /// See [`Config::allow_headers`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::allow_headers"
    )]
    pub allow_headers: Option<AnyOr<String>>,
    /// See [`Config::expose_headers`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::expose_headers"
    )]
    pub expose_headers: Option<AnyOr<String>>,
    /// See [`Config::allow_credentials`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::allow_credentials"
    )]
    pub allow_credentials: Option<bool>,
    /// See [`Config::max_age`]; `Some(None)` sends no header whatever the top level says.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::max_age"
    )]
    pub max_age: Option<Option<u64>>,
    /// See [`Config::allow_private_network`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::allow_private_network"
    )]
    pub allow_private_network: Option<bool>,
    /// See [`Config::preflight_status`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::preflight_status"
    )]
    pub preflight_status: Option<u16>,
    /// See [`Config::preflight_continue`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::preflight_continue"
    )]
    pub preflight_continue: Option<bool>,
    /// See [`Config::mode`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::mode"
    )]
    pub mode: Option<Mode>,
    /// See [`Config::debug_denial_header`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::debug_denial_header"
    )]
    pub debug_denial_header: Option<bool>,
    /// See [`Config::dynamic_origins`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::route::dynamic_origins"
    )]
    pub dynamic_origins: Option<bool>,
}

impl Route {
    /// A route for `path` that inherits every setting.
    pub fn new(path: impl Into<String>) -> Route {
        Route {
            path: path.into(),
            ..Route::default()
        }
    }

    /// The route's full config: the top level's settings, this route's in their place.
    pub fn resolve(&self, top: &Config) -> Config {
        fn pick<T: Clone>(own: &Option<T>, top: &T) -> T {
            own.clone().unwrap_or_else(|| top.clone())
        }
        Config {
            allow_origins: pick(&self.allow_origins, &top.allow_origins),
            allow_methods: pick(&self.allow_methods, &top.allow_methods),
            allow_headers: pick(&self.allow_headers, &top.allow_headers),
            expose_headers: pick(&self.expose_headers, &top.expose_headers),
            allow_credentials: pick(&self.allow_credentials, &top.allow_credentials),
            max_age: pick(&self.max_age, &top.max_age),
            allow_private_network: pick(&self.allow_private_network, &top.allow_private_network),
            preflight_status: pick(&self.preflight_status, &top.preflight_status),
            preflight_continue: pick(&self.preflight_continue, &top.preflight_continue),
            mode: pick(&self.mode, &top.mode),
            debug_denial_header: pick(&self.debug_denial_header, &top.debug_denial_header),
            dynamic_origins: pick(&self.dynamic_origins, &top.dynamic_origins),
            routes: Vec::new(),
        }
    }
}

fn default_methods() -> AnyOr<String> {
    AnyOr::from(["GET", "HEAD", "POST"])
}

const fn default_preflight_status() -> u16 {
    204
}

impl Default for Config {
    /// Every default, and no allowed origin (which does not validate: list some).
    fn default() -> Self {
        Config {
            allow_origins: AnyOr::none(),
            allow_methods: default_methods(),
            allow_headers: AnyOr::none(),
            expose_headers: AnyOr::none(),
            allow_credentials: false,
            max_age: None,
            allow_private_network: false,
            preflight_status: default_preflight_status(),
            preflight_continue: false,
            mode: Mode::Enforce,
            debug_denial_header: false,
            dynamic_origins: false,
            routes: Vec::new(),
        }
    }
}

impl Config {
    /// Parses TOML text. Syntax and schema errors carry line and column.
    pub fn from_toml_str(text: &str) -> Result<Config, LoadError> {
        check_size(text, Format::Toml)?;
        #[cfg(not(feature = "toml"))]
        return Err(LoadError::FormatDisabled {
            format: Format::Toml,
        });
        #[cfg(feature = "toml")]
        toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => line_col(text, span.start),
                None => (None, None),
            };
            LoadError::Syntax {
                path: None,
                format: Format::Toml,
                line,
                column,
                message: e.message().trim_end().to_owned(),
            }
        })
    }

    /// Parses JSON text. Syntax and schema errors carry line and column.
    pub fn from_json_str(text: &str) -> Result<Config, LoadError> {
        check_size(text, Format::Json)?;
        #[cfg(not(feature = "json"))]
        return Err(LoadError::FormatDisabled {
            format: Format::Json,
        });
        #[cfg(feature = "json")]
        serde_json::from_str(text).map_err(|e| {
            let line = (e.line() > 0).then_some(e.line());
            let column = (e.column() > 0).then_some(e.column());
            let mut message = e.to_string();
            // serde_json appends " at line L column C"; the location has its own fields.
            if let Some(cut) = message.rfind(" at line ") {
                message.truncate(cut);
            }
            LoadError::Syntax {
                path: None,
                format: Format::Json,
                line,
                column,
                message,
            }
        })
    }

    /// Parses YAML text (feature `yaml`). Syntax and schema errors carry line and column.
    /// Nesting deeper than [`MAX_YAML_DEPTH`] and more than [`MAX_YAML_ALIASES`] aliases
    /// are refused before parsing (a YAML parser's cost can grow with both far faster than
    /// the text).
    pub fn from_yaml_str(text: &str) -> Result<Config, LoadError> {
        check_size(text, Format::Yaml)?;
        #[cfg(feature = "yaml")]
        {
            yaml_limits(text)?;
            serde_yaml_ng::from_str(text).map_err(|e| {
                let loc = e.location();
                let mut message = e.to_string();
                if let Some(cut) = message.rfind(" at line ") {
                    message.truncate(cut);
                }
                // serde_yaml_ng puts the value's path in front; the field errors already
                // start with it.
                if let Some((path, rest)) = message.split_once(": ")
                    && rest.starts_with(path)
                    && rest.get(path.len()..).is_some_and(|r| r.starts_with(": "))
                {
                    message = rest.to_owned();
                }
                LoadError::Syntax {
                    path: None,
                    format: Format::Yaml,
                    line: loc.as_ref().map(|l| l.line()),
                    column: loc.as_ref().map(|l| l.column()),
                    message,
                }
            })
        }
        #[cfg(not(feature = "yaml"))]
        Err(LoadError::FormatDisabled {
            format: Format::Yaml,
        })
    }

    /// Parses text in the given format.
    pub fn from_str_format(text: &str, format: Format) -> Result<Config, LoadError> {
        match format {
            Format::Toml => Config::from_toml_str(text),
            Format::Json => Config::from_json_str(text),
            Format::Yaml => Config::from_yaml_str(text),
        }
    }

    /// Reads a file, choosing the format by its extension (`.toml`, `.json`, `.yaml`,
    /// `.yml`). Errors name the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config, LoadError> {
        let path = path.as_ref();
        let (text, format) = read(path)?;
        Config::from_str_format(&text, format).map_err(|e| e.with_path(path))
    }

    /// Renders the config as TOML (feature `toml`).
    #[cfg(feature = "toml")]
    pub fn to_toml_string(&self) -> String {
        // Serializing this plain struct cannot fail; fall back to an empty text if a future
        // field ever makes it so.
        toml::to_string(self).unwrap_or_default()
    }
}

/// A config file's text and its format (by extension).
pub(crate) fn read(path: &Path) -> Result<(String, Format), LoadError> {
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .ok_or_else(|| LoadError::UnknownFormat {
            path: path.to_path_buf(),
        })?;
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((text, format))
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let offset = offset.min(text.len());
    let Some(before) = text.get(..offset) else {
        return (None, None);
    };
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (Some(line), Some(column))
}

/// The largest config text accepted, in bytes (64 MiB: some 2 million origins).
pub const MAX_CONFIG_BYTES: usize = 64 << 20;

/// The deepest YAML flow nesting (`[`, `{`) accepted; a config needs 1.
pub const MAX_YAML_DEPTH: usize = 32;

/// The most YAML aliases (`*name`) accepted in one config.
pub const MAX_YAML_ALIASES: usize = 64;

fn limit_error(text: &str, format: Format, offset: usize, message: String) -> LoadError {
    let (line, column) = line_col(text, offset);
    LoadError::Syntax {
        path: None,
        format,
        line,
        column,
        message,
    }
}

fn check_size(text: &str, format: Format) -> Result<(), LoadError> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(LoadError::Syntax {
            path: None,
            format,
            line: None,
            column: None,
            message: format!(
                "the config is {} bytes, more than the {MAX_CONFIG_BYTES} accepted",
                text.len()
            ),
        });
    }
    Ok(())
}

/// Refuses YAML whose flow nesting or alias count could make parsing cost far more than
/// the text's size, before the parser sees it. Quoted strings and comments are skipped; an
/// alias is a `*` that starts a node.
#[cfg_attr(not(feature = "yaml"), allow(dead_code))]
fn yaml_limits(text: &str) -> Result<(), LoadError> {
    let mut depth = 0usize;
    let mut aliases = 0usize;
    let mut quote: Option<u8> = None;
    let mut comment = false;
    let mut prev = b'\n';
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if comment {
            if b == b'\n' {
                comment = false;
                prev = b;
            }
            continue;
        }
        match quote {
            Some(q) => {
                if b == q && !(q == b'"' && prev == b'\\') {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\''
                    if matches!(prev, b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':') =>
                {
                    quote = Some(b)
                }
                b'#' if matches!(prev, b' ' | b'\t' | b'\n') => comment = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_YAML_DEPTH {
                        return Err(limit_error(
                            text,
                            Format::Yaml,
                            i,
                            format!(
                                "YAML nested deeper than {MAX_YAML_DEPTH} levels; a CORS config \
                                 needs one"
                            ),
                        ));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'*' if matches!(
                    prev,
                    b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':' | b'-'
                ) && bytes
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') =>
                {
                    aliases += 1;
                    if aliases > MAX_YAML_ALIASES {
                        return Err(limit_error(
                            text,
                            Format::Yaml,
                            i,
                            format!(
                                "more than {MAX_YAML_ALIASES} YAML aliases; write the values \
                                 out (aliases can multiply a small file into a huge one)"
                            ),
                        ));
                    }
                }
                _ => {}
            },
        }
        prev = b;
    }
    Ok(())
}
