//! Adapter for warp: applies a `cors-core` policy. Built by the adapters issue.
