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
/// ```
/// use cors_core::{AnyOr, Config};
///
/// let config = Config {
///     allow_origins: AnyOr::from(["https://app.example.com"]),
///     allow_credentials: true,
///     ..Config::default()
/// };
/// assert!(cors_core::Policy::compile(&config).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
        }
    }
}

impl Config {
    /// Parses TOML text. Syntax and schema errors carry line and column.
    pub fn from_toml_str(text: &str) -> Result<Config, LoadError> {
        check_size(text, Format::Toml)?;
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
        {
            let _ = text;
            Err(LoadError::YamlDisabled)
        }
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
        Config::from_str_format(&text, format).map_err(|e| e.with_path(path))
    }

    /// Renders the config as TOML.
    pub fn to_toml_string(&self) -> String {
        // Serializing this plain struct cannot fail; fall back to an empty text if a future
        // field ever makes it so.
        toml::to_string(self).unwrap_or_default()
    }
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
