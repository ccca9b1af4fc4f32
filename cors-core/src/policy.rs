//! Validation: a [`Config`] compiled into an immutable, precomputed [`Policy`].

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use http::{HeaderValue, StatusCode};

use crate::config::{AnyOr, Config};
use crate::error::{
    ConfigError, ConfigErrors, ConfigWarning, ErrorKind, Field, LoadError, WarningKind,
};
use crate::origin::{OriginSet, Pattern, parse_pattern};
use crate::public_suffix;
use crate::server_limits::MethodLimit;
use crate::token;

/// A validated, compiled CORS policy: immutable, `Send + Sync`, and cheap to clone (one
/// reference count).
///
/// Every response header value it can send is computed here, once; deciding a request
/// allocates nothing.
///
/// ```
/// use cors_core::Policy;
///
/// let policy = Policy::from_toml_str(r#"
///     allow_origins = ["https://app.example.com", "https://*.example.com"]
///     allow_methods = ["GET", "POST", "DELETE"]
///     allow_credentials = true
/// "#)?;
/// assert!(!policy.is_constant());
/// # Ok::<(), cors_core::LoadError>(())
/// ```
#[derive(Clone)]
pub struct Policy {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) origins: Origins,
    pub(crate) credentials: bool,
    pub(crate) methods: Methods,
    pub(crate) headers: AllowHeaders,
    pub(crate) private_network: bool,
    pub(crate) preflight_status: StatusCode,
    pub(crate) preflight_continue: bool,
    pub(crate) values: Box<[PolicyValue]>,
    pub(crate) ids: ValueIds,
}

pub(crate) enum Origins {
    /// `"*"` without credentials: the constant policy.
    Any,
    Set(OriginSet),
}

pub(crate) enum Methods {
    Any,
    /// Normalized methods, sorted.
    List(Box<[Box<[u8]>]>),
}

pub(crate) enum AllowHeaders {
    /// `"*"`; `authorization` only when listed beside it.
    Any { authorization: bool },
    /// Lower-case names, sorted by [`token::search_order`].
    List(Box<[Box<[u8]>]>),
}

/// Indices into `values` of each precomputed header value.
#[derive(Default)]
pub(crate) struct ValueIds {
    pub(crate) star: u8,
    pub(crate) true_: u8,
    pub(crate) methods: Option<u8>,
    pub(crate) headers: Option<u8>,
    pub(crate) headers_with_authorization: Option<u8>,
    pub(crate) max_age: Option<u8>,
    pub(crate) expose: Option<u8>,
}

/// A response header value computed when the policy was built.
///
/// `id` is its index in [`Policy::values`], so a server whose header type is not `http`'s
/// can convert every value once and look its own copy up per request.
#[derive(Debug, Clone)]
pub struct PolicyValue {
    id: u8,
    value: HeaderValue,
}

impl PolicyValue {
    /// Its index in [`Policy::values`].
    pub fn id(&self) -> usize {
        usize::from(self.id)
    }

    /// The value as an `http` header value (cloning it does not allocate).
    pub fn header_value(&self) -> &HeaderValue {
        &self.value
    }

    /// The value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.value.as_bytes()
    }
}

/// A compiled policy and the warnings its config produced.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The policy.
    pub policy: Policy,
    /// Accepted values that are probably not what was meant.
    pub warnings: Vec<ConfigWarning>,
}

impl Policy {
    /// Validates `config` and compiles it, returning every error at once, or the policy
    /// with its warnings.
    ///
    /// # Errors
    ///
    /// [`ConfigErrors`], one [`ConfigError`] per refused value, each naming its field,
    /// index, value and fix.
    pub fn compile(config: &Config) -> Result<Compiled, ConfigErrors> {
        Compiler::default().compile(config)
    }

    /// Like [`compile`](Self::compile), logging warnings at `warn` level through `tracing`.
    ///
    /// # Errors
    ///
    /// See [`compile`](Self::compile).
    pub fn new(config: &Config) -> Result<Policy, ConfigErrors> {
        let Compiled { policy, warnings } = Policy::compile(config)?;
        for w in &warnings {
            tracing::warn!(code = w.code(), "CORS config: {w}");
        }
        Ok(policy)
    }

    /// Parses TOML text and compiles it (warnings are logged).
    ///
    /// # Errors
    ///
    /// [`LoadError::Syntax`] with line and column, or [`LoadError::Invalid`].
    pub fn from_toml_str(text: &str) -> Result<Policy, LoadError> {
        Policy::from_config_result(Config::from_toml_str(text))
    }

    /// Parses JSON text and compiles it (warnings are logged).
    ///
    /// # Errors
    ///
    /// [`LoadError::Syntax`] with line and column, or [`LoadError::Invalid`].
    pub fn from_json_str(text: &str) -> Result<Policy, LoadError> {
        Policy::from_config_result(Config::from_json_str(text))
    }

    /// Reads a config file (format by extension) and compiles it (warnings are logged).
    ///
    /// # Errors
    ///
    /// Any [`LoadError`]; each names the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        Policy::from_config_result(Config::from_path(path)).map_err(|e| e.with_path(path))
    }

    fn from_config_result(config: Result<Config, LoadError>) -> Result<Policy, LoadError> {
        Policy::new(&config?).map_err(|errors| LoadError::Invalid { path: None, errors })
    }

    /// The normalized config: origins lower-cased with default ports dropped, methods
    /// Fetch-normalized, header names lower-cased, every list sorted and deduplicated.
    /// Compiling it again yields an equal policy.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The `allow_origins` entry (as [`config`](Self::config) shows it) that allows the
    /// request origin `origin`: an exact entry when one matches, else the first pattern
    /// that does. `None` when no entry allows it, and for a constant policy (`"*"`). For
    /// diagnostics (`cors explain`): it allocates, unlike deciding.
    ///
    /// ```
    /// let policy = cors_core::Policy::from_toml_str(r#"
    ///     allow_origins = ["https://*.example.com", "https://app.example.com"]
    /// "#)?;
    /// assert_eq!(policy.origin_entry(b"https://app.example.com"), Some("https://app.example.com"));
    /// assert_eq!(policy.origin_entry(b"https://a.example.com"), Some("https://*.example.com"));
    /// assert_eq!(policy.origin_entry(b"https://example.com"), None);
    /// # Ok::<(), cors_core::LoadError>(())
    /// ```
    pub fn origin_entry(&self, origin: &[u8]) -> Option<&str> {
        let AnyOr::List(entries) = &self.inner.config.allow_origins else {
            return None;
        };
        let matching = entries.iter().filter_map(|e| match parse_pattern(e) {
            Ok(Some(p))
                if OriginSet::new(std::slice::from_ref(&p))
                    .check(origin)
                    .is_ok() =>
            {
                Some((matches!(p, Pattern::Exact(_) | Pattern::Null), e.as_str()))
            }
            _ => None,
        });
        let mut first = None;
        for (exact, entry) in matching {
            if exact {
                return Some(entry);
            }
            first.get_or_insert(entry);
        }
        first
    }

    /// Whether this is a constant policy (`allow_origins = "*"`, hence no credentials):
    /// every response gets the same headers and none varies on `Origin`.
    pub fn is_constant(&self) -> bool {
        matches!(self.inner.origins, Origins::Any)
    }

    /// Every precomputed response header value, indexed by [`PolicyValue::id`].
    pub fn values(&self) -> &[PolicyValue] {
        &self.inner.values
    }

    pub(crate) fn value(&self, id: u8) -> Option<&PolicyValue> {
        self.inner.values.get(usize::from(id))
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Policy {
    /// Policies are equal when their normalized configs are.
    fn eq(&self, other: &Policy) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner.config == other.inner.config
    }
}

impl Eq for Policy {}

impl TryFrom<&Config> for Policy {
    type Error = ConfigErrors;
    fn try_from(config: &Config) -> Result<Policy, ConfigErrors> {
        Policy::new(config)
    }
}

impl TryFrom<Config> for Policy {
    type Error = ConfigErrors;
    fn try_from(config: Config) -> Result<Policy, ConfigErrors> {
        Policy::new(&config)
    }
}

#[derive(Default)]
struct Compiler {
    errors: Vec<ConfigError>,
    warnings: Vec<ConfigWarning>,
    values: Vec<PolicyValue>,
}

/// A list field after its `"*"` handling.
enum ListOrAny<'c> {
    Any,
    /// `"*"` plus `authorization`, allowed only in `allow_headers`.
    AnyWithAuthorization,
    List(&'c [String]),
}

impl Compiler {
    fn error(&mut self, field: Field, index: Option<usize>, value: Option<&str>, kind: ErrorKind) {
        self.errors.push(ConfigError::new(
            field,
            index,
            value.map(str::to_owned),
            kind,
        ));
    }

    fn warn(&mut self, field: Field, index: Option<usize>, value: &str, kind: WarningKind) {
        self.warnings.push(ConfigWarning::new(
            field,
            index,
            Some(value.to_owned()),
            kind,
        ));
    }

    /// Stores a header value built from validated tokens and returns its id.
    fn value(&mut self, text: &str) -> u8 {
        let value = HeaderValue::from_str(text).unwrap_or_else(|_| {
            // Unreachable: every text here is built from validated tokens, digits or "*".
            HeaderValue::from_static("")
        });
        // The first clone of a heap header value converts its buffer to a shared one (one
        // allocation); doing it here keeps every later clone, per request, allocation-free.
        drop(value.clone());
        let id = u8::try_from(self.values.len()).unwrap_or(u8::MAX);
        self.values.push(PolicyValue { id, value });
        id
    }

    /// Handles `"*"` in a list field: alone it means any; mixed it is an error.
    fn list_or_any<'c>(&mut self, field: Field, v: &'c AnyOr<String>) -> ListOrAny<'c> {
        let list = match v {
            AnyOr::Any => return ListOrAny::Any,
            AnyOr::List(list) => list,
        };
        let Some(star) = list.iter().position(|s| s == "*") else {
            return ListOrAny::List(list);
        };
        for (i, s) in list.iter().enumerate().skip(star + 1) {
            if s == "*" {
                self.warn(field, Some(i), s, WarningKind::Duplicate);
            }
        }
        let others: Vec<&String> = list.iter().filter(|s| *s != "*").collect();
        if others.is_empty() {
            return ListOrAny::Any;
        }
        if field == Field::AllowHeaders
            && others
                .iter()
                .all(|s| s.eq_ignore_ascii_case("authorization"))
        {
            return ListOrAny::AnyWithAuthorization;
        }
        self.error(field, Some(star), Some("*"), ErrorKind::WildcardMixed);
        // The other entries are still validated (every error at once); "*" is skipped.
        ListOrAny::List(list)
    }

    fn compile(mut self, config: &Config) -> Result<Compiled, ConfigErrors> {
        let credentials = config.allow_credentials;

        // allow_origins
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut seen: HashSet<Pattern> = HashSet::new();
        let mut any_origin = false;
        match self.list_or_any(Field::AllowOrigins, &config.allow_origins) {
            ListOrAny::Any | ListOrAny::AnyWithAuthorization => {
                any_origin = true;
                if credentials {
                    self.error(
                        Field::AllowOrigins,
                        None,
                        Some("*"),
                        ErrorKind::WildcardOriginWithCredentials,
                    );
                }
            }
            ListOrAny::List(list) => {
                if list.is_empty()
                    && matches!(config.allow_origins, AnyOr::List(ref l) if l.is_empty())
                {
                    self.error(Field::AllowOrigins, None, None, ErrorKind::NoOrigins);
                }
                for (i, raw) in list.iter().enumerate() {
                    if raw == "*" {
                        continue;
                    }
                    match parse_pattern(raw) {
                        Ok(Some(p)) => {
                            if !seen.insert(p.clone()) {
                                self.warn(
                                    Field::AllowOrigins,
                                    Some(i),
                                    raw,
                                    WarningKind::Duplicate,
                                );
                                continue;
                            }
                            if p == Pattern::Null {
                                self.warn(
                                    Field::AllowOrigins,
                                    Some(i),
                                    raw,
                                    WarningKind::NullOrigin,
                                );
                            }
                            if let Pattern::Subdomain { base, .. } = &p
                                && let Some(suffix) = public_suffix::suffix_below(base)
                            {
                                self.warn(
                                    Field::AllowOrigins,
                                    Some(i),
                                    raw,
                                    WarningKind::PublicSuffixBelowWildcard {
                                        suffix: suffix.to_owned(),
                                    },
                                );
                            }
                            if credentials && p.is_insecure() {
                                self.warn(
                                    Field::AllowOrigins,
                                    Some(i),
                                    raw,
                                    WarningKind::InsecureOriginWithCredentials,
                                );
                            }
                            patterns.push(p);
                        }
                        Ok(None) => {}
                        Err(kind) => self.error(Field::AllowOrigins, Some(i), Some(raw), kind),
                    }
                }
            }
        }

        // allow_methods
        let methods = match self.list_or_any(Field::AllowMethods, &config.allow_methods) {
            ListOrAny::Any | ListOrAny::AnyWithAuthorization => None,
            ListOrAny::List(list) => {
                let mut out: Vec<String> = Vec::new();
                let mut seen: HashSet<String> = HashSet::new();
                for (i, raw) in list.iter().enumerate() {
                    if raw == "*" {
                        continue;
                    }
                    if raw.contains('*') {
                        self.error(
                            Field::AllowMethods,
                            Some(i),
                            Some(raw),
                            ErrorKind::WildcardInMethod,
                        );
                    } else if !token::is_token(raw.as_bytes()) {
                        self.error(
                            Field::AllowMethods,
                            Some(i),
                            Some(raw),
                            ErrorKind::InvalidMethod,
                        );
                    } else if token::is_forbidden_method(raw.as_bytes()) {
                        self.error(
                            Field::AllowMethods,
                            Some(i),
                            Some(raw),
                            ErrorKind::ForbiddenMethod,
                        );
                    } else {
                        let m = String::from_utf8_lossy(token::normalize_method(raw.as_bytes()))
                            .into_owned();
                        if !seen.insert(m.clone()) {
                            self.warn(Field::AllowMethods, Some(i), raw, WarningKind::Duplicate);
                        } else {
                            if let Some(limit) = MethodLimit::of(m.as_bytes()) {
                                self.warn(
                                    Field::AllowMethods,
                                    Some(i),
                                    raw,
                                    WarningKind::MethodServerLimit {
                                        servers: limit.describe(),
                                    },
                                );
                            }
                            out.push(m);
                        }
                    }
                }
                out.sort();
                Some(out)
            }
        };

        // allow_headers
        let (headers, headers_any_auth) = match self
            .list_or_any(Field::AllowHeaders, &config.allow_headers)
        {
            ListOrAny::Any => (None, false),
            ListOrAny::AnyWithAuthorization => (None, true),
            ListOrAny::List(list) => (Some(self.header_names(Field::AllowHeaders, list)), false),
        };

        // expose_headers
        let expose = match self.list_or_any(Field::ExposeHeaders, &config.expose_headers) {
            ListOrAny::Any | ListOrAny::AnyWithAuthorization => {
                if credentials {
                    self.error(
                        Field::ExposeHeaders,
                        None,
                        Some("*"),
                        ErrorKind::WildcardExposeWithCredentials,
                    );
                }
                None
            }
            ListOrAny::List(list) => Some(self.header_names(Field::ExposeHeaders, list)),
        };

        // max_age, preflight_status
        if let Some(age) = config.max_age {
            if age > u64::from(u32::MAX) {
                self.error(
                    Field::MaxAge,
                    None,
                    Some(&age.to_string()),
                    ErrorKind::MaxAgeTooLarge,
                );
            } else if age > 86_400 {
                self.warn(
                    Field::MaxAge,
                    None,
                    &age.to_string(),
                    WarningKind::MaxAgeAboveBrowserCap,
                );
            }
        }
        let preflight_status = match config.preflight_status {
            200 => StatusCode::OK,
            204 => StatusCode::NO_CONTENT,
            other => {
                self.error(
                    Field::PreflightStatus,
                    None,
                    Some(&other.to_string()),
                    ErrorKind::InvalidPreflightStatus,
                );
                StatusCode::NO_CONTENT
            }
        };

        if !self.errors.is_empty() {
            self.errors.sort_by_key(|e| (e.field(), e.index()));
            return Err(ConfigErrors::new(self.errors));
        }

        // Normalized config.
        let mut origin_strings: Vec<String> =
            patterns.iter().map(Pattern::to_config_string).collect();
        origin_strings.sort();
        let normalized = Config {
            allow_origins: if any_origin {
                AnyOr::Any
            } else {
                AnyOr::List(origin_strings)
            },
            allow_methods: methods.clone().map_or(AnyOr::Any, AnyOr::List),
            allow_headers: match &headers {
                Some(h) => AnyOr::List(h.clone()),
                None if headers_any_auth => AnyOr::from(["*", "authorization"]),
                None => AnyOr::Any,
            },
            expose_headers: expose.clone().map_or(AnyOr::Any, AnyOr::List),
            allow_credentials: credentials,
            max_age: config.max_age,
            allow_private_network: config.allow_private_network,
            preflight_status: preflight_status.as_u16(),
            preflight_continue: config.preflight_continue,
        };

        // Precomputed header values.
        let mut ids = ValueIds {
            star: self.value("*"),
            true_: self.value("true"),
            ..ValueIds::default()
        };
        ids.methods = match &methods {
            None if credentials => None,
            None => Some(self.value("*")),
            Some(list) if list.is_empty() => None,
            Some(list) => Some(self.value(&list.join(", "))),
        };
        match &headers {
            None => {
                ids.headers = Some(self.value("*"));
                if headers_any_auth {
                    ids.headers_with_authorization = Some(self.value("*, authorization"));
                }
            }
            Some(list) if list.is_empty() => {}
            Some(list) => ids.headers = Some(self.value(&list.join(", "))),
        }
        ids.max_age = config.max_age.map(|a| self.value(&a.to_string()));
        ids.expose = match &expose {
            None => Some(self.value("*")),
            Some(list) if list.is_empty() => None,
            Some(list) => Some(self.value(&list.join(", "))),
        };

        let inner = Inner {
            origins: if any_origin {
                Origins::Any
            } else {
                Origins::Set(OriginSet::new(&patterns))
            },
            credentials,
            methods: match methods {
                None => Methods::Any,
                Some(list) => {
                    Methods::List(list.into_iter().map(|m| m.into_bytes().into()).collect())
                }
            },
            headers: match headers {
                None => AllowHeaders::Any {
                    authorization: headers_any_auth,
                },
                Some(list) => {
                    let mut names: Box<[Box<[u8]>]> =
                        list.into_iter().map(|h| h.into_bytes().into()).collect();
                    names.sort_by(|a, b| token::search_order(a, b));
                    AllowHeaders::List(names)
                }
            },
            private_network: config.allow_private_network,
            preflight_status,
            preflight_continue: config.preflight_continue,
            values: self.values.into_boxed_slice(),
            ids,
            config: normalized,
        };
        self.warnings.sort_by_key(|w| (w.field(), w.index()));
        Ok(Compiled {
            policy: Policy {
                inner: Arc::new(inner),
            },
            warnings: self.warnings,
        })
    }

    /// Validates, lower-cases, sorts and deduplicates a header-name list.
    fn header_names(&mut self, field: Field, list: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (i, raw) in list.iter().enumerate() {
            if raw == "*" {
                continue;
            }
            if raw.contains('*') {
                self.error(field, Some(i), Some(raw), ErrorKind::WildcardInHeaderName);
                continue;
            }
            if !token::is_token(raw.as_bytes()) {
                self.error(field, Some(i), Some(raw), ErrorKind::InvalidHeaderName);
                continue;
            }
            let name = raw.to_ascii_lowercase();
            if !seen.insert(name.clone()) {
                self.warn(field, Some(i), raw, WarningKind::Duplicate);
                continue;
            }
            match field {
                Field::AllowHeaders if token::is_forbidden_request_header(&name) => {
                    self.warn(field, Some(i), raw, WarningKind::ForbiddenRequestHeader)
                }
                Field::ExposeHeaders if token::is_forbidden_response_header(&name) => {
                    self.warn(field, Some(i), raw, WarningKind::ForbiddenResponseHeader)
                }
                Field::ExposeHeaders if token::is_safelisted_response_header(&name) => {
                    self.warn(field, Some(i), raw, WarningKind::SafelistedResponseHeader)
                }
                _ => {}
            }
            out.push(name);
        }
        out.sort();
        out
    }
}
