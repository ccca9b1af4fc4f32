//! Adapter for actix: applies a `cors-core` policy. Built by the adapters issue.
