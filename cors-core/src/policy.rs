//! Validation: a [`Config`] compiled into an immutable, precomputed [`Policy`].

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use http::HeaderValue;

use crate::compile::Compiler;
use crate::config::{AnyOr, Config, Mode};
use crate::error::{ConfigErrors, ConfigWarning, Format, LoadError};
use crate::origin::{OriginSet, Pattern, parse_pattern};
use crate::route::{self, RouteTable};
use crate::setting::Settings;

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
    /// The normalized config.
    pub(crate) config: Config,
    /// The top-level settings: the policy of every path no route covers.
    pub(crate) settings: Settings,
    pub(crate) mode: Mode,
    /// The routes, when the config has any.
    pub(crate) routes: Option<Box<RouteTable>>,
    /// Every precomputed header value, indexed by `ValueId`.
    pub(crate) values: Box<[PolicyValue]>,
}

/// A response header value computed when the policy was built.
///
/// `id` is its index in [`Policy::values`], so a server whose header type is not `http`'s
/// can convert every value once and look its own copy up per request.
#[derive(Debug, Clone)]
pub struct PolicyValue {
    id: u16,
    value: HeaderValue,
}

impl PolicyValue {
    pub(crate) fn new(id: u16, value: HeaderValue) -> PolicyValue {
        PolicyValue { id, value }
    }

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
        let mut c = Compiler::default();
        // With `debug_denial_header` anywhere, the denial names are the first values, in
        // `DenialKind::ALL` order: a decision finds its header value by the kind's index.
        if config.debug_denial_header
            || config
                .routes
                .iter()
                .any(|r| r.debug_denial_header == Some(true))
        {
            for kind in crate::denial::DenialKind::ALL {
                c.value(kind.as_str());
            }
        }
        let (settings, mut normalized) = Settings::compile(&mut c, config);
        let routes = route::compile_routes(&mut c, config);
        if !c.errors.is_empty() {
            let mut errors = c.errors;
            errors.sort_by_key(|e| (e.route(), e.field(), e.index()));
            return Err(ConfigErrors::new(errors));
        }
        normalized.routes = config
            .routes
            .iter()
            .zip(&routes)
            .map(|(r, compiled)| route::normalized_route(r, compiled))
            .collect();
        let mut warnings = c.warnings;
        warnings.sort_by_key(|w| (w.route(), w.field(), w.index()));
        let routes =
            (!config.routes.is_empty()).then(|| Box::new(RouteTable::new(routes, config.mode)));
        let inner = Inner {
            config: normalized,
            settings,
            mode: config.mode,
            routes,
            values: c.values.into_boxed_slice(),
        };
        Ok(Compiled {
            policy: Policy {
                inner: Arc::new(inner),
            },
            warnings,
        })
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

    /// Parses a config's text in `format` and compiles it, returning the policy with its
    /// warnings. Validation errors know their line and column in `text`.
    ///
    /// # Errors
    ///
    /// [`LoadError::Syntax`] with line and column, or [`LoadError::Invalid`] with every
    /// error located.
    pub fn compile_str(text: &str, format: Format) -> Result<Compiled, LoadError> {
        let config = Config::from_str_format(text, format)?;
        Policy::compile(&config).map_err(|mut errors| {
            errors.locate(text, format);
            LoadError::Invalid { path: None, errors }
        })
    }

    /// Reads a config file (format by extension) and compiles it, returning the policy
    /// with its warnings: what servers do at startup and on reload.
    ///
    /// # Errors
    ///
    /// Any [`LoadError`]; each names the file, and validation errors their line and
    /// column in it (`cors.toml:3:5: allow_origins[1] = ...`).
    pub fn compile_path(path: impl AsRef<Path>) -> Result<Compiled, LoadError> {
        let path = path.as_ref();
        let (text, format) = crate::config::read(path)?;
        Policy::compile_str(&text, format).map_err(|e| e.with_path(path))
    }

    /// Parses TOML text and compiles it (warnings are logged).
    ///
    /// # Errors
    ///
    /// [`LoadError::Syntax`] with line and column, or [`LoadError::Invalid`].
    pub fn from_toml_str(text: &str) -> Result<Policy, LoadError> {
        Policy::logged(Policy::compile_str(text, Format::Toml))
    }

    /// Parses JSON text and compiles it (warnings are logged).
    ///
    /// # Errors
    ///
    /// [`LoadError::Syntax`] with line and column, or [`LoadError::Invalid`].
    pub fn from_json_str(text: &str) -> Result<Policy, LoadError> {
        Policy::logged(Policy::compile_str(text, Format::Json))
    }

    /// Reads a config file (format by extension) and compiles it (warnings are logged).
    ///
    /// # Errors
    ///
    /// Any [`LoadError`]; each names the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        Policy::logged(Policy::compile_path(path))
    }

    fn logged(compiled: Result<Compiled, LoadError>) -> Result<Policy, LoadError> {
        let Compiled { policy, warnings } = compiled?;
        for w in &warnings {
            tracing::warn!(code = w.code(), "CORS config: {w}");
        }
        Ok(policy)
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

    /// Whether `self` and `other` are the same compiled policy (clones of one), not merely
    /// equal: for caches of what a server derived from a policy (a reload makes a new one).
    pub fn same(&self, other: &Policy) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Whether the top level or any route sets `dynamic_origins = true`.
    pub fn has_dynamic_origins(&self) -> bool {
        let c = &self.inner.config;
        c.dynamic_origins || c.routes.iter().any(|r| r.dynamic_origins == Some(true))
    }

    /// Whether this is a constant policy (`allow_origins = "*"`, hence no credentials):
    /// every response gets the same headers and none varies on `Origin`.
    pub fn is_constant(&self) -> bool {
        self.inner.settings.origins.is_any()
    }

    /// The route covering the raw request target `raw_target` (its normalized path and
    /// mode) and that route's policy on its own (the top level's, without routes, when no
    /// route covers it). `None` when the config has no routes. For diagnostics (`cors
    /// explain`): it compiles a policy, unlike deciding.
    ///
    /// ```
    /// let policy = cors_core::Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     [[routes]]
    ///     path = "/public"
    ///     allow_origins = "*"
    /// "#)?;
    /// let (route, public) = policy.for_path(b"/public/feed").unwrap();
    /// assert_eq!(route, Some("/public"));
    /// assert!(public.is_constant());
    /// # Ok::<(), cors_core::LoadError>(())
    /// ```
    pub fn for_path(&self, raw_target: &[u8]) -> Option<(Option<&str>, Policy)> {
        let table = self.inner.routes.as_deref()?;
        let route = table.find(route::path_of(raw_target));
        let config = match route {
            Some(r) => r.resolved.clone(),
            None => Config {
                routes: Vec::new(),
                ..self.inner.config.clone()
            },
        };
        // A normalized config of a compiled policy compiles again.
        let policy = Policy::compile(&config).ok()?.policy;
        Some((route.map(|r| &*r.path), policy))
    }

    /// The path of route `index` (normalized), when the config has it.
    pub(crate) fn route_path(&self, index: u32) -> Option<&str> {
        let table = self.inner.routes.as_deref()?;
        // A compiled policy has every route, in config order.
        table.routes.get(index as usize).map(|r| &*r.path)
    }

    /// Every precomputed response header value, indexed by [`PolicyValue::id`].
    pub fn values(&self) -> &[PolicyValue] {
        &self.inner.values
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
