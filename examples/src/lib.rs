//! Shared code of the example servers.
