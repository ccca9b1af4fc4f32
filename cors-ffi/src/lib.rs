//! C ABI for `cors-core`. Built by the cors-ffi issue.
