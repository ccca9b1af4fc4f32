//! Adapter for rocket: applies a `cors-core` policy. Built by the adapters issue.
