//! The [`Layer`] that wraps a service in [`Cors`].

use std::path::Path;

use cors_core::{LoadError, OriginPredicate, Policy, PolicySource};
use tower_layer::Layer;

use crate::Cors;

/// A tower [`Layer`] applying a [`Policy`] to every request of the service it wraps.
///
/// Cloning it (axum clones it once per route) clones the policy's reference count.
///
/// ```
/// use cors_axum::{CorsLayer, Policy};
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
/// let layer = CorsLayer::new(policy);
/// # let _ = layer;
/// # Ok::<(), cors_core::LoadError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct CorsLayer {
    source: PolicySource,
}

impl CorsLayer {
    /// A layer applying `policy`.
    pub fn new(policy: impl Into<PolicySource>) -> CorsLayer {
        CorsLayer {
            source: policy.into(),
        }
    }

    /// Reads a config file (TOML, JSON or YAML, by extension) and builds the layer.
    ///
    /// # Errors
    ///
    /// The core's [`LoadError`]: its `Display` names the file, each invalid field and the
    /// fix, ready to print for the operator.
    pub fn from_path(path: impl AsRef<Path>) -> Result<CorsLayer, LoadError> {
        Policy::from_path(path).map(CorsLayer::new)
    }

    /// Asks `f` about origins not in `allow_origins`, where the policy sets
    /// `dynamic_origins = true` (docs/semantics.md, "Dynamic origins"): an escape hatch
    /// that `cors check` cannot see. Keep it a cheap lookup; it runs on the request's task.
    ///
    /// ```
    /// use cors_axum::{CorsLayer, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .dynamic_origins(true)
    ///     .build()?;
    /// let layer = CorsLayer::new(policy)
    ///     .allow_origin_fn(|origin| origin.ends_with(".tenants.example.net"));
    /// # let _ = layer;
    /// # Ok::<(), cors_axum::ConfigErrors>(())
    /// ```
    pub fn allow_origin_fn(self, f: impl Fn(&str) -> bool + Send + Sync + 'static) -> CorsLayer {
        self.origin_predicate(OriginPredicate::new(f))
    }

    /// Like [`allow_origin_fn`](Self::allow_origin_fn), answered by a future (a database
    /// lookup): a preflight waits for it, an actual request's handler runs meanwhile. Give
    /// it a timeout and answer `false` on errors.
    ///
    /// ```
    /// use cors_axum::{CorsLayer, Policy};
    ///
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = []
    ///     dynamic_origins = true
    /// "#)?;
    /// let layer = CorsLayer::new(policy).allow_origin_async(|origin: String| async move {
    ///     // e.g. `tenants.contains(&origin).await`
    ///     origin == "https://tenant-1.example.net"
    /// });
    /// # let _ = layer;
    /// # Ok::<(), cors_axum::LoadError>(())
    /// ```
    pub fn allow_origin_async<F, Fut>(self, f: F) -> CorsLayer
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = bool> + Send + 'static,
    {
        self.origin_predicate(OriginPredicate::new_async(f))
    }

    /// Sets the origin predicate (see [`allow_origin_fn`](Self::allow_origin_fn)).
    pub fn origin_predicate(self, predicate: OriginPredicate) -> CorsLayer {
        CorsLayer {
            source: self.source.origin_predicate(predicate),
        }
    }

    /// The policy this layer applies.
    pub fn policy(&self) -> Policy {
        self.source.current()
    }
}

impl From<Policy> for CorsLayer {
    fn from(policy: Policy) -> CorsLayer {
        CorsLayer::new(policy)
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors::new(inner, self.source.clone())
    }
}
