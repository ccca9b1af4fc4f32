//! Adapter for axum: applies a `cors-core` policy. Built by the adapters issue.
