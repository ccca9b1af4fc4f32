//! The route table (docs/semantics.md, "Routes"): path prefixes matched by whole segments,
//! the longest first, in a trie of segments so a lookup costs O(path length) whatever the
//! number of routes.

use crate::compile::Compiler;
use crate::config::{Config, Mode, Route};
use crate::error::{ErrorKind, Field, WarningKind};
use crate::path::is_normal_form_path;
use crate::setting::Settings;

/// The most routes one config may have.
pub const MAX_ROUTES: usize = 4096;

/// One compiled route.
pub(crate) struct CompiledRoute {
    /// Its index in the config's routes.
    pub(crate) index: u32,
    /// The normalized path prefix.
    pub(crate) path: Box<str>,
    pub(crate) settings: Settings,
    pub(crate) mode: Mode,
    /// The route's full config after inheritance, normalized.
    pub(crate) resolved: Config,
}

/// A trie node: children sorted by segment, and the route ending here.
#[derive(Default)]
struct Node {
    children: Vec<(Box<[u8]>, u32)>,
    route: Option<u32>,
}

/// The compiled routes and their trie.
pub(crate) struct RouteTable {
    nodes: Vec<Node>,
    pub(crate) routes: Box<[CompiledRoute]>,
    /// Whether every policy (top level and routes) is report-only: then a path that is
    /// not in normal form is reported, not denied.
    pub(crate) all_report_only: bool,
}

impl RouteTable {
    pub(crate) fn new(routes: Vec<CompiledRoute>, top_mode: Mode) -> RouteTable {
        let mut nodes = vec![Node::default()];
        for (i, r) in routes.iter().enumerate() {
            let mut at = 0usize;
            for seg in segments(r.path.as_bytes()) {
                let existing = nodes
                    .get(at)
                    .and_then(|n| n.children.iter().find(|(s, _)| **s == *seg))
                    .map(|&(_, c)| c as usize);
                at = match existing {
                    Some(c) => c,
                    None => {
                        let c = nodes.len();
                        nodes.push(Node::default());
                        if let Some(n) = nodes.get_mut(at) {
                            n.children.push((seg.into(), c as u32));
                        }
                        c
                    }
                };
            }
            if let Some(n) = nodes.get_mut(at) {
                n.route = Some(i as u32);
            }
        }
        for n in &mut nodes {
            n.children.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let all_report_only =
            top_mode == Mode::ReportOnly && routes.iter().all(|r| r.mode == Mode::ReportOnly);
        RouteTable {
            nodes,
            routes: routes.into_boxed_slice(),
            all_report_only,
        }
    }

    /// The route whose prefix is the longest one covering `path` (a path in normal form,
    /// query dropped).
    #[inline]
    pub(crate) fn find(&self, path: &[u8]) -> Option<&CompiledRoute> {
        let mut node = self.nodes.first()?;
        let mut best = node.route;
        for seg in segments(path) {
            if seg.is_empty() {
                break;
            }
            let Ok(i) = node.children.binary_search_by(|(s, _)| (**s).cmp(seg)) else {
                break;
            };
            let Some(next) = node
                .children
                .get(i)
                .and_then(|&(_, c)| self.nodes.get(c as usize))
            else {
                break;
            };
            node = next;
            if node.route.is_some() {
                best = node.route;
            }
        }
        best.and_then(|i| self.routes.get(i as usize))
    }
}

/// The segments of a path (`/a/b` → `a`, `b`; `/` → none).
fn segments(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    let rest = path.strip_prefix(b"/").unwrap_or(path);
    rest.split(|&b| b == b'/').filter(move |_| !rest.is_empty())
}

/// The path (query and fragment dropped) of a raw request target.
#[inline]
pub(crate) fn path_of(target: &[u8]) -> &[u8] {
    let end = target
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(target.len());
    target.get(..end).unwrap_or(target)
}

/// Whether a byte may appear in a request target's path (RFC 3986 `pchar` and `/`).
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b)
}

/// Validates route `i`'s path (errors and warnings into `c`, which names the route) and
/// returns its normalized form: a trailing `/` dropped.
pub(crate) fn check_path(c: &mut Compiler, route: &Route) -> Option<String> {
    let raw = route.path.as_str();
    let field = Field::Path;
    let kind = if !raw.starts_with('/') {
        Some(ErrorKind::RoutePathNotAbsolute)
    } else if raw.contains(['?', '#']) {
        Some(ErrorKind::RoutePathHasQuery)
    } else if raw.contains('*') {
        Some(ErrorKind::RoutePathWildcard)
    } else if !raw.bytes().all(is_path_byte) || !is_normal_form_path(raw.as_bytes()) {
        Some(ErrorKind::RoutePathNotNormal)
    } else {
        None
    };
    if let Some(kind) = kind {
        c.error(field, None, Some(raw), kind);
        return None;
    }
    match raw.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => {
            c.warn(field, None, raw, WarningKind::RoutePathTrailingSlash);
            Some(stripped.to_owned())
        }
        _ => Some(raw.to_owned()),
    }
}

/// Compiles every route after the top level: each validated as a full policy after
/// inheritance. Findings about a setting the route inherits are kept only when the top
/// level has none of its own for it (a route under `allow_credentials = true` that sets
/// `allow_origins = "*"` is named; a bad top-level origin is reported once).
pub(crate) fn compile_routes(c: &mut Compiler, config: &Config) -> Vec<CompiledRoute> {
    let mut out = Vec::new();
    if config.routes.len() > MAX_ROUTES {
        c.route = None;
        c.error(Field::Routes, None, None, ErrorKind::TooManyRoutes);
        return out;
    }
    let top_errors: std::collections::HashSet<(Field, Option<usize>)> =
        c.errors.iter().map(|e| (e.field(), e.index())).collect();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, route) in config.routes.iter().enumerate() {
        c.route = Some(i);
        let path = check_path(c, route);
        if let Some(p) = &path
            && let Some(&first) = seen.get(p)
        {
            c.error(
                Field::Path,
                None,
                Some(&route.path),
                ErrorKind::DuplicateRoute { first },
            );
        }
        let mut resolved = route.resolve(config);
        // A public route ("*") under a top level with dynamic origins has nothing to ask.
        if route.dynamic_origins.is_none() && resolved.allow_origins == crate::AnyOr::Any {
            resolved.dynamic_origins = false;
        }
        let (errors_before, warnings_before) = (c.errors.len(), c.warnings.len());
        let (settings, normalized) = Settings::compile(c, &resolved);
        let sets = |f: Field| route_sets(route, f);
        let errors = c.errors.split_off(errors_before);
        c.errors.extend(
            errors
                .into_iter()
                .filter(|e| sets(e.field()) || !top_errors.contains(&(e.field(), e.index()))),
        );
        let warnings = c.warnings.split_off(warnings_before);
        c.warnings
            .extend(warnings.into_iter().filter(|w| sets(w.field())));
        if let Some(p) = path {
            seen.entry(p.clone()).or_insert(i);
            out.push(CompiledRoute {
                index: i as u32,
                path: p.into_boxed_str(),
                settings,
                mode: resolved.mode,
                resolved: normalized,
            });
        }
    }
    c.route = None;
    out
}

/// Whether `route` sets `field` itself (rather than inheriting it).
fn route_sets(route: &Route, field: Field) -> bool {
    match field {
        Field::AllowOrigins => route.allow_origins.is_some(),
        Field::AllowMethods => route.allow_methods.is_some(),
        Field::AllowHeaders => route.allow_headers.is_some(),
        Field::ExposeHeaders => route.expose_headers.is_some(),
        Field::AllowCredentials => route.allow_credentials.is_some(),
        Field::MaxAge => route.max_age.is_some(),
        Field::AllowPrivateNetwork => route.allow_private_network.is_some(),
        Field::PreflightStatus => route.preflight_status.is_some(),
        Field::PreflightContinue => route.preflight_continue.is_some(),
        Field::Mode => route.mode.is_some(),
        Field::DebugDenialHeader => route.debug_denial_header.is_some(),
        Field::DynamicOrigins => route.dynamic_origins.is_some(),
        Field::Routes | Field::Path => true,
    }
}

/// The route as [`Policy::config`](crate::Policy::config) shows it: its path normalized
/// and each setting it sets in its normalized form.
pub(crate) fn normalized_route(route: &Route, compiled: &CompiledRoute) -> Route {
    let r = &compiled.resolved;
    Route {
        path: compiled.path.to_string(),
        allow_origins: route
            .allow_origins
            .as_ref()
            .map(|_| r.allow_origins.clone()),
        allow_methods: route
            .allow_methods
            .as_ref()
            .map(|_| r.allow_methods.clone()),
        allow_headers: route
            .allow_headers
            .as_ref()
            .map(|_| r.allow_headers.clone()),
        expose_headers: route
            .expose_headers
            .as_ref()
            .map(|_| r.expose_headers.clone()),
        allow_credentials: route.allow_credentials.map(|_| r.allow_credentials),
        max_age: route.max_age.map(|_| r.max_age),
        allow_private_network: route.allow_private_network.map(|_| r.allow_private_network),
        preflight_status: route.preflight_status.map(|_| r.preflight_status),
        preflight_continue: route.preflight_continue.map(|_| r.preflight_continue),
        mode: route.mode.map(|_| r.mode),
        debug_denial_header: route.debug_denial_header.map(|_| r.debug_denial_header),
        dynamic_origins: route.dynamic_origins.map(|_| r.dynamic_origins),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split() {
        assert_eq!(segments(b"/").count(), 0);
        assert_eq!(
            segments(b"/a/b").collect::<Vec<_>>(),
            [b"a".as_slice(), b"b"]
        );
        assert_eq!(path_of(b"/a?x#y"), b"/a");
        assert_eq!(path_of(b"/a#y?x"), b"/a");
    }
}

#[cfg(test)]
mod table_tests {
    use crate::{ErrorKind, Policy, WarningKind};

    fn routes(paths: &[&str]) -> String {
        let mut t = String::from("allow_origins = [\"https://app.example.com\"]\n");
        for p in paths {
            t.push_str(&format!("[[routes]]\npath = {p:?}\n"));
        }
        t
    }

    #[test]
    fn longest_prefix_by_whole_segments() {
        let config = crate::Config::from_toml_str(&routes(&[
            "/",
            "/api",
            "/api/v1",
            "/api/v1/admin",
            "/a;b",
            "/x%20y",
        ]))
        .unwrap();
        let policy = Policy::compile(&config).unwrap().policy;
        let table = policy.inner.routes.as_deref().unwrap();
        let find = |p: &str| table.find(p.as_bytes()).map(|r| &*r.path);
        assert_eq!(find("/"), Some("/"));
        assert_eq!(find("/other"), Some("/"));
        assert_eq!(find("/api"), Some("/api"));
        assert_eq!(find("/api/"), Some("/api"));
        assert_eq!(find("/apix"), Some("/"));
        assert_eq!(find("/api/v1"), Some("/api/v1"));
        assert_eq!(find("/api/v10"), Some("/api"));
        assert_eq!(find("/api/v1/admin/x/y"), Some("/api/v1/admin"));
        assert_eq!(find("/api/v1/adminx"), Some("/api/v1"));
        assert_eq!(find("/a;b/c"), Some("/a;b"));
        assert_eq!(find("/a"), Some("/"));
        assert_eq!(find("/x%20y/z"), Some("/x%20y"));
    }

    #[test]
    fn no_root_route_means_top_level() {
        let config = crate::Config::from_toml_str(&routes(&["/api"])).unwrap();
        let policy = Policy::compile(&config).unwrap().policy;
        let table = policy.inner.routes.as_deref().unwrap();
        assert!(table.find(b"/").is_none());
        assert!(table.find(b"/ap").is_none());
    }

    #[test]
    fn path_errors_and_warnings() {
        let config = crate::Config::from_toml_str(&routes(&["/api/", "/admin"])).unwrap();
        let compiled = Policy::compile(&config).unwrap();
        let w = &compiled.warnings[0];
        assert_eq!(w.kind(), &WarningKind::RoutePathTrailingSlash);
        assert_eq!(w.path().to_string(), "routes[0].path");
        assert_eq!(compiled.policy.config().routes[0].path, "/api");

        let bad = [
            "", "api", "/a b", "/é", "/a?x", "/a#x", "/*", "/a/.", "/a\\b", "/%2e",
        ];
        let config = crate::Config::from_toml_str(&routes(&bad)).unwrap();
        let errors = Policy::compile(&config).unwrap_err();
        let kinds: Vec<_> = errors
            .iter()
            .map(|e| (e.path().to_string(), e.code()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("routes[0].path".to_owned(), "E501"),
                ("routes[1].path".to_owned(), "E501"),
                ("routes[2].path".to_owned(), "E504"),
                ("routes[3].path".to_owned(), "E504"),
                ("routes[4].path".to_owned(), "E502"),
                ("routes[5].path".to_owned(), "E502"),
                ("routes[6].path".to_owned(), "E503"),
                ("routes[7].path".to_owned(), "E504"),
                ("routes[8].path".to_owned(), "E504"),
                ("routes[9].path".to_owned(), "E504"),
            ]
        );
    }

    #[test]
    fn too_many_routes() {
        let paths: Vec<String> = (0..=super::MAX_ROUTES).map(|i| format!("/r{i}")).collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let config = crate::Config::from_toml_str(&routes(&refs)).unwrap();
        let errors = Policy::compile(&config).unwrap_err();
        assert_eq!(
            errors.iter().next().unwrap().kind(),
            &ErrorKind::TooManyRoutes
        );
        let ok = crate::Config::from_toml_str(&routes(&refs[..super::MAX_ROUTES])).unwrap();
        assert!(Policy::compile(&ok).is_ok());
    }

    #[test]
    fn inherited_findings_are_reported_once() {
        let text = "allow_origins = [\"https://app.example.com/\", \"null\"]\n\
                    [[routes]]\npath = \"/a\"\nallow_credentials = true\n";
        let errors = Policy::compile(&crate::Config::from_toml_str(text).unwrap()).unwrap_err();
        let paths: Vec<String> = errors.iter().map(|e| e.path().to_string()).collect();
        assert_eq!(paths, ["allow_origins[0]"]);
        let text = "allow_origins = [\"https://app.example.com\", \"null\"]\n\
                    [[routes]]\npath = \"/a\"\nallow_credentials = true\n";
        let compiled = Policy::compile(&crate::Config::from_toml_str(text).unwrap()).unwrap();
        let paths: Vec<String> = compiled
            .warnings
            .iter()
            .map(|w| w.path().to_string())
            .collect();
        assert_eq!(paths, ["allow_origins[1]"]);
        // A route's own findings are kept, also where the top level has one at the same
        // index: its own warning, and its own error beside the top level's.
        let text = "allow_origins = [\"https://app.example.com\", \"null\"]\n\
                    [[routes]]\npath = \"/a\"\nallow_origins = [\"https://b.example\", \"null\"]\n";
        let compiled = Policy::compile(&crate::Config::from_toml_str(text).unwrap()).unwrap();
        let paths: Vec<String> = compiled
            .warnings
            .iter()
            .map(|w| w.path().to_string())
            .collect();
        assert_eq!(paths, ["allow_origins[1]", "routes[0].allow_origins[1]"]);
        let text = "allow_origins = [\"https://a.example/\"]\n\
                    [[routes]]\npath = \"/a\"\nallow_origins = [\"https://b.example/\"]\n";
        let errors = Policy::compile(&crate::Config::from_toml_str(text).unwrap()).unwrap_err();
        let paths: Vec<String> = errors.iter().map(|e| e.path().to_string()).collect();
        assert_eq!(paths, ["allow_origins[0]", "routes[0].allow_origins[0]"]);
    }

    #[test]
    fn normalized_config_keeps_routes_and_recompiles() {
        let text = "allow_origins = [\"https://App.example.com:443\"]\n\
                    mode = \"report-only\"\n\
                    [[routes]]\npath = \"/api/\"\nallow_methods = [\"get\", \"PATCH\"]\nmode = \"enforce\"\n\
                    [[routes]]\npath = \"/m\"\nmax_age = 5\n";
        let policy = Policy::compile(&crate::Config::from_toml_str(text).unwrap())
            .unwrap()
            .policy;
        let config = policy.config();
        assert_eq!(config.routes[0].path, "/api");
        assert_eq!(
            config.routes[0].allow_methods,
            Some(crate::AnyOr::from(["GET", "PATCH"]))
        );
        assert_eq!(config.routes[0].allow_origins, None);
        assert_eq!(config.routes[1].max_age, Some(Some(5)));
        let again = Policy::compile(config).unwrap().policy;
        assert_eq!(again, policy);
        let toml = config.to_toml_string();
        let reparsed = crate::Config::from_toml_str(&toml).unwrap();
        assert_eq!(&reparsed, config, "{toml}");
    }
}
