//! The [`Layer`] that wraps a service in [`Cors`].

use std::path::Path;

use cors_core::{LoadError, Policy, PolicySource};
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
