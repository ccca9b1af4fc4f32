//! A policy that can be replaced while requests are decided (docs/operations.md,
//! "Reloading a policy"): readers load the current policy without locking or allocating
//! beyond a reference count; a replacement is fully validated first, and on any error the
//! policy in force stays.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::config::Config;
use crate::dynamic::{Answer, OriginPredicate};
use crate::error::{ConfigErrors, ConfigWarning, Format, LoadError};
use crate::observe::{Observer, Observers};
use crate::policy::{Compiled, Policy};

/// A handle on the policy in force; clones share it. Each request takes the policy current
/// when it starts ([`current`](Self::current)) and keeps it to the end, so a reload never
/// mixes two policies in one response.
///
/// ```
/// use cors_core::{Policy, PolicyHandle};
///
/// let handle = PolicyHandle::new(Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?);
/// let before = handle.current();
/// handle.reload_toml(r#"allow_origins = ["https://b.example"]"#)?;
/// assert_eq!(before.config().allow_origins, cors_core::AnyOr::from(["https://a.example"]));
/// assert_eq!(handle.current().config().allow_origins, cors_core::AnyOr::from(["https://b.example"]));
///
/// // A broken replacement is refused with every error; the policy in force stays.
/// assert!(handle.reload_toml(r#"allow_origins = ["https://c.example/path"]"#).is_err());
/// assert_eq!(handle.current().config().allow_origins, cors_core::AnyOr::from(["https://b.example"]));
/// # Ok::<(), cors_core::LoadError>(())
/// ```
#[derive(Clone)]
pub struct PolicyHandle {
    inner: Arc<Shared>,
}

struct Shared {
    current: ArcSwap<Policy>,
    /// The file [`reload`](PolicyHandle::reload) re-reads, when the policy came from one.
    path: Option<PathBuf>,
}

impl PolicyHandle {
    /// A handle holding `policy`, with no file to re-read.
    pub fn new(policy: Policy) -> PolicyHandle {
        PolicyHandle::with_path(policy, None)
    }

    fn with_path(policy: Policy, path: Option<PathBuf>) -> PolicyHandle {
        PolicyHandle {
            inner: Arc::new(Shared {
                current: ArcSwap::from_pointee(policy),
                path,
            }),
        }
    }

    /// Loads a policy file (format by extension) into a handle whose
    /// [`reload`](Self::reload) re-reads that file; warnings are logged.
    ///
    /// # Errors
    ///
    /// Any [`LoadError`], naming the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<PolicyHandle, LoadError> {
        let path = path.as_ref();
        let policy = Policy::from_path(path)?;
        Ok(PolicyHandle::with_path(policy, Some(path.to_path_buf())))
    }

    /// The policy in force now: a reference-count increment, no lock. Keep it for the whole
    /// request.
    #[inline]
    pub fn current(&self) -> Policy {
        Policy::clone(&self.inner.current.load())
    }

    /// The file [`reload`](Self::reload) re-reads, if any.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Re-reads the handle's file and, when it is valid, puts it in force; returns its
    /// warnings. Without a file, the policy in force is kept and `Ok` with no warnings is
    /// returned.
    ///
    /// # Errors
    ///
    /// Any [`LoadError`] naming the file (syntax errors with line and column, every
    /// validation error); the policy in force stays.
    pub fn reload(&self) -> Result<Vec<ConfigWarning>, LoadError> {
        let Some(path) = self.path() else {
            return Ok(Vec::new());
        };
        Ok(self.put(Policy::compile_path(path)?))
    }

    /// Parses TOML text and, when it is valid, puts it in force; returns its warnings.
    ///
    /// # Errors
    ///
    /// See [`reload`](Self::reload).
    pub fn reload_toml(&self, text: &str) -> Result<Vec<ConfigWarning>, LoadError> {
        Ok(self.put(Policy::compile_str(text, Format::Toml)?))
    }

    /// Validates a config built in code and, when it is valid, puts it in force; returns
    /// its warnings.
    ///
    /// # Errors
    ///
    /// Every error of the config; the policy in force stays.
    pub fn reload_config(&self, config: &Config) -> Result<Vec<ConfigWarning>, ConfigErrors> {
        Ok(self.put(Policy::compile(config)?))
    }

    /// Puts an already compiled policy in force.
    pub fn store(&self, policy: Policy) {
        self.inner.current.store(Arc::new(policy));
    }

    fn put(&self, compiled: Compiled) -> Vec<ConfigWarning> {
        self.store(compiled.policy);
        compiled.warnings
    }
}

impl std::fmt::Debug for PolicyHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyHandle")
            .field("path", &self.inner.path)
            .field("current", &*self.inner.current.load())
            .finish()
    }
}

/// What an adapter applies: a fixed policy or a [`PolicyHandle`], and the observers of its
/// decisions. Adapters take `impl Into<PolicySource>`, so a [`Policy`], a handle or a
/// source with observers can be passed.
///
/// ```
/// use cors_core::{Counters, Policy, PolicySource};
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
/// // Every decision counted through the `metrics` facade.
/// let source = PolicySource::from(policy).observed(Counters);
/// # drop(source);
/// # Ok::<(), cors_core::LoadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct PolicySource {
    policy: Source,
    observers: Observers,
    predicate: Option<OriginPredicate>,
}

#[derive(Debug, Clone)]
enum Source {
    Fixed(Policy),
    Reloadable(PolicyHandle),
}

impl PolicySource {
    /// The same source, its decisions handed to `observer` (replacing any earlier one).
    #[must_use]
    pub fn observed(mut self, observer: impl Observer) -> PolicySource {
        self.observers = Observers::new(observer);
        self
    }

    /// The same source, asking `predicate` about origins not in `allow_origins` where the
    /// policy sets `dynamic_origins = true` (replacing any earlier predicate). A policy
    /// that sets it nowhere never asks; that is logged at `warn` here.
    #[must_use]
    pub fn origin_predicate(mut self, predicate: OriginPredicate) -> PolicySource {
        if !self.current().has_dynamic_origins() {
            tracing::warn!(
                target: "cors",
                "an origin predicate is set, but the policy sets dynamic_origins = true \
                 nowhere, so it is never asked; add dynamic_origins = true to the policy"
            );
        }
        self.predicate = Some(predicate);
        self
    }

    /// [`origin_predicate`](Self::origin_predicate) with a sync predicate.
    #[must_use]
    pub fn allow_origin_fn(self, f: impl Fn(&str) -> bool + Send + Sync + 'static) -> PolicySource {
        self.origin_predicate(OriginPredicate::new(f))
    }

    /// [`origin_predicate`](Self::origin_predicate) with an async predicate.
    #[must_use]
    pub fn allow_origin_async<F, Fut>(self, f: F) -> PolicySource
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = bool> + Send + 'static,
    {
        self.origin_predicate(OriginPredicate::new_async(f))
    }

    /// The origin predicate, if any.
    pub fn predicate(&self) -> Option<&OriginPredicate> {
        self.predicate.as_ref()
    }

    /// Asks the origin predicate about a decision's
    /// [`pending_origin`](crate::Decision::pending_origin) (`dynamic_origins`): a sync
    /// predicate answers at once, an async one through [`Answer::Ask`]. `decision` is
    /// `policy.decide_at(req, raw_target)`; adapters call this only when it has a pending
    /// origin, so the common path stays one decision made in place:
    ///
    /// ```
    /// use cors_core::{Answer, Policy, PolicySource};
    ///
    /// let source = PolicySource::from(Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     dynamic_origins = true
    /// "#)?)
    /// .allow_origin_fn(|origin| origin == "https://tenant.example.net");
    /// let request = http::Request::get("/").header("origin", "https://tenant.example.net").body(())?;
    /// let policy = source.get();
    /// let mut decision = policy.decide_at(&request, b"/");
    /// if decision.pending_origin().is_some() {
    ///     match source.ask_origin(&policy, &request, b"/", &decision) {
    ///         Answer::Refused => {}
    ///         Answer::Allowed(allowed) => decision = allowed,
    ///         Answer::Ask(_) => unreachable!("a sync predicate answers at once"),
    ///     }
    /// }
    /// assert!(decision.is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ask_origin<'a, R: crate::RequestView + ?Sized>(
        &self,
        policy: &'a Policy,
        req: &'a R,
        raw_target: &'a [u8],
        decision: &crate::Decision<'a, R::Value>,
    ) -> Answer<'a, R::Value> {
        crate::dynamic::ask(self.predicate.as_ref(), policy, req, raw_target, decision)
    }

    /// The policy for a request starting now.
    #[inline]
    pub fn current(&self) -> Policy {
        match &self.policy {
            Source::Fixed(p) => p.clone(),
            Source::Reloadable(h) => h.current(),
        }
    }

    /// The policy for a request starting now, borrowed when it is fixed (no reference
    /// count touched) and loaded from the handle otherwise.
    #[inline]
    pub fn get(&self) -> std::borrow::Cow<'_, Policy> {
        match &self.policy {
            Source::Fixed(p) => std::borrow::Cow::Borrowed(p),
            Source::Reloadable(h) => std::borrow::Cow::Owned(h.current()),
        }
    }

    /// The handle, when the source is reloadable.
    pub fn handle(&self) -> Option<&PolicyHandle> {
        match &self.policy {
            Source::Fixed(_) => None,
            Source::Reloadable(h) => Some(h),
        }
    }

    /// Hands a decision to the observers (one test when there are none). Adapters call it
    /// once per request.
    #[inline]
    pub fn observe<V: ?Sized>(&self, decision: &crate::Decision<'_, V>) {
        self.observers.observe(decision);
    }
}

impl From<Policy> for PolicySource {
    fn from(p: Policy) -> Self {
        PolicySource {
            policy: Source::Fixed(p),
            observers: Observers::none(),
            predicate: None,
        }
    }
}

impl From<PolicyHandle> for PolicySource {
    fn from(h: PolicyHandle) -> Self {
        PolicySource {
            policy: Source::Reloadable(h),
            observers: Observers::none(),
            predicate: None,
        }
    }
}

impl From<&PolicyHandle> for PolicySource {
    fn from(h: &PolicyHandle) -> Self {
        PolicySource::from(h.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reload_from_file_keeps_the_old_policy_on_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cors.toml");
        std::fs::write(&path, "allow_origins = [\"https://a.example\"]\n").unwrap();
        let handle = PolicyHandle::from_path(&path).unwrap();
        let old = handle.current();
        std::fs::write(&path, "allow_origins = [\"https://a.example/x\", \"*\"]\n").unwrap();
        let e = handle.reload().unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("cors.toml") && text.contains("allow_origins[0]"),
            "{text}"
        );
        assert_eq!(handle.current(), old);
        std::fs::write(&path, "allow_origins = [\"https://b.example\", \"null\"]\n").unwrap();
        let warnings = handle.reload().unwrap();
        assert_eq!(warnings.len(), 1);
        assert_ne!(handle.current(), old);
        // The policy a request took stays valid and unchanged.
        assert_eq!(
            old.config().allow_origins,
            crate::AnyOr::from(["https://a.example"])
        );
        std::fs::write(&path, "allow_origins = [\n").unwrap();
        assert!(matches!(
            handle.reload(),
            Err(LoadError::Syntax { line: Some(_), .. })
        ));
    }

    #[test]
    fn debug_and_handles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cors.toml");
        std::fs::write(&path, "allow_origins = [\"https://a.example\"]\n").unwrap();
        let handle = PolicyHandle::from_path(&path).unwrap();
        assert_eq!(handle.path(), Some(path.as_path()));
        let shown = format!("{handle:?}");
        assert!(
            shown.contains("PolicyHandle") && shown.contains("cors.toml"),
            "{shown}"
        );
        assert!(shown.contains("https://a.example"), "{shown}");
        let source = PolicySource::from(&handle);
        assert!(
            source
                .handle()
                .is_some_and(|h| h.path() == Some(path.as_path()))
        );
        assert!(PolicySource::from(handle.current()).handle().is_none());
        // Observers see each decision handed to the source.
        let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&seen);
        let observed = source.observed(move |_: &crate::Observation<'_>| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let req = http::Request::get("/").body(()).unwrap();
        let policy = observed.get();
        observed.observe(&policy.decide(&req));
        assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[test]
    fn sources() {
        let p = Policy::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
        let fixed = PolicySource::from(p.clone());
        assert_eq!(fixed.current(), p);
        let h = PolicyHandle::new(p.clone());
        let source = PolicySource::from(&h);
        h.reload_toml("allow_origins = [\"https://b.example\"]")
            .unwrap();
        assert_ne!(source.current(), p);
        assert!(PolicyHandle::new(p).reload().unwrap().is_empty());
    }
}
