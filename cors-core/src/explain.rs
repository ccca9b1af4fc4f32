//! The browser's side of CORS, for explaining decisions: whether a request needs a
//! preflight, and whether a browser accepts a given response. Used by `cors explain`.
