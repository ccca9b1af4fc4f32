//! The conformance table and runner.
