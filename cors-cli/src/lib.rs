//! The `cors` command. Built by the CLI issue.
