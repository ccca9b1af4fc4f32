//! The table's types and its loader (format: `tests/conformance/README.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// The directory holding the project's table: `tests/conformance` at the repository root.
pub fn table_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join("conformance")
}

/// One table file: a config and the requests run against it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableFile {
    /// The file name without `.toml`, e.g. `basic`.
    pub name: String,
    /// What the file covers.
    pub description: String,
    /// The cors-core config, as written in the file.
    pub config: toml::Table,
    /// The requests, in file order.
    pub cases: Vec<Case>,
}

impl TableFile {
    /// The config as TOML text, to write to a file for a server's `--config`.
    pub fn config_toml(&self) -> String {
        // A table of strings, numbers, booleans and arrays always serializes.
        toml::to_string(&self.config).unwrap_or_default()
    }
}

/// One request and its expected response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Unique within its file, kebab-case.
    pub name: String,
    /// The rule the case checks, in one line.
    pub why: String,
    /// The request method, sent exactly as written (default `GET`).
    pub method: String,
    /// The request target (default `/anything/case`).
    pub path: String,
    /// Request headers, sent in order, repeats kept, values byte for byte (`\\xHH` escapes
    /// in the file already decoded).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The request body, if any (a `Content-Length` is added).
    pub body: Option<String>,
    /// What the response must look like.
    pub expect: Expect,
    /// Servers that cannot meet `expect` for a documented reason, and what they answer.
    pub limits: Vec<Limit>,
}

impl Case {
    /// What `server` must answer: its limit's expectation when it has one, else `expect`.
    pub fn expect_for(&self, server: &str) -> &Expect {
        self.limits
            .iter()
            .find(|l| l.servers.iter().any(|s| s == server))
            .map_or(&self.expect, |l| &l.expect)
    }
}

/// A server limit (`docs/semantics.md`, "Server limits"): what the named servers answer
/// instead, asserted so that a change in them is noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// Server names as the runners label them: `axum`, `warp`, `actix`, `rocket`,
    /// `c-server`, `nginx`.
    pub servers: Vec<String>,
    /// Why these servers cannot do what the policy says, in one line.
    pub why: String,
    /// What they answer instead.
    pub expect: Expect,
}

/// The server names a limit may list.
pub const SERVERS: [&str; 7] = [
    "axum", "warp", "actix", "rocket", "c-server", "nginx", "apache",
];

/// The expected response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// The exact status.
    pub status: u16,
    /// Whether the response carries `x-handler: reached`; `None`: not checked.
    pub handler: Option<bool>,
    /// Expected headers by lower-case name.
    pub headers: BTreeMap<String, Expected>,
    /// Lower-case names that must not be present; a trailing `*` matches a prefix.
    pub absent: Vec<String>,
    /// The exact body, when given.
    pub body: Option<String>,
}

/// An expected header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// The header's lines, joined with `", "`, equal this exactly.
    Exact(String),
    /// The header's comma-separated elements equal this set (see the README).
    Set(Vec<String>),
}

impl<'de> Deserialize<'de> for Expected {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Expected;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (exact value) or an array of strings (a set)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Expected, E> {
                Ok(Expected::Exact(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Expected, A::Error> {
                let mut items = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    items.push(s);
                }
                Ok(Expected::Set(items))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    description: String,
    config: toml::Table,
    #[serde(default)]
    case: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    why: String,
    #[serde(default = "default_method")]
    method: String,
    #[serde(default = "default_path")]
    path: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    body: Option<String>,
    expect: RawExpect,
    #[serde(default)]
    limit: Vec<RawLimit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    servers: Vec<String>,
    why: String,
    expect: RawExpect,
}

/// Decodes `\xHH` (one byte) and `\\` (one backslash) in a header value.
fn unescape(value: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hi = bytes.next().and_then(|c| (c as char).to_digit(16));
                let lo = bytes.next().and_then(|c| (c as char).to_digit(16));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                    _ => return Err("\\x needs two hex digits".to_owned()),
                }
            }
            _ => return Err("a backslash starts \\xHH or \\\\".to_owned()),
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    status: u16,
    handler: Option<bool>,
    #[serde(default)]
    headers: BTreeMap<String, Expected>,
    #[serde(default)]
    absent: Vec<String>,
    body: Option<String>,
}

fn default_method() -> String {
    "GET".to_owned()
}

fn default_path() -> String {
    "/anything/case".to_owned()
}

/// RFC 9110 token.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Every problem of one case, as sentences.
fn validate(raw: &RawCase) -> Vec<String> {
    let mut errs = Vec::new();
    if !is_kebab(&raw.name) {
        errs.push(format!(
            "name {:?} is not kebab-case (a-z, 0-9, -)",
            raw.name
        ));
    }
    if raw.why.trim().is_empty() || raw.why.contains('\n') {
        errs.push("`why` must be one non-empty line".to_owned());
    }
    if !is_token(&raw.method) {
        errs.push(format!("method {:?} is not a token", raw.method));
    }
    if !(raw.path.starts_with('/') || raw.path == "*")
        || raw.path.bytes().any(|b| b <= b' ' || b == 0x7f)
    {
        errs.push(format!(
            "path {:?} must be * or start with /, and have no spaces or control bytes",
            raw.path
        ));
    }
    for limit in &raw.limit {
        if limit.servers.is_empty() {
            errs.push("a limit names no server".to_owned());
        }
        for server in &limit.servers {
            if !SERVERS.contains(&server.as_str()) {
                errs.push(format!("limit server {server:?} is not one of {SERVERS:?}"));
            }
        }
        if limit.why.trim().is_empty() || limit.why.contains('\n') {
            errs.push("a limit's `why` must be one non-empty line".to_owned());
        }
        errs.extend(validate_expect(&limit.expect));
    }
    for (name, value) in &raw.headers {
        if !is_token(name) {
            errs.push(format!("request header name {name:?} is not a token"));
        }
        if name.eq_ignore_ascii_case("host")
            || name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
            || name.eq_ignore_ascii_case("connection")
        {
            errs.push(format!("request header {name:?} is set by the runner"));
        }
        let value = match unescape(value) {
            Ok(v) => v,
            Err(e) => {
                errs.push(format!("request header {name:?}: {e}"));
                continue;
            }
        };
        if value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            errs.push(format!(
                "request header {name:?} has CR, LF or NUL in its value"
            ));
        }
        if value.starts_with(b" ")
            || value.starts_with(b"\t")
            || value.ends_with(b" ")
            || value.ends_with(b"\t")
        {
            errs.push(format!(
                "request header {name:?}: servers trim leading/trailing whitespace, so the core \
                 and servers would see different values"
            ));
        }
    }
    errs.extend(validate_expect(&raw.expect));
    errs
}

/// Every problem of one expectation, as sentences.
fn validate_expect(expect: &RawExpect) -> Vec<String> {
    let mut errs = Vec::new();
    if !(100..=599).contains(&expect.status) {
        errs.push(format!("status {} is not 100..=599", expect.status));
    }
    let mut seen = BTreeSet::new();
    for name in expect.headers.keys() {
        if !is_token(name) {
            errs.push(format!("expected header name {name:?} is not a token"));
        }
        if !seen.insert(name.to_ascii_lowercase()) {
            errs.push(format!("expected header {name:?} is listed twice"));
        }
    }
    for name in &expect.absent {
        let stem = name.strip_suffix('*').unwrap_or(name);
        if !is_token(stem) || stem.contains('*') {
            errs.push(format!(
                "absent entry {name:?} must be a header name, optionally ending in *"
            ));
        }
    }
    errs
}

fn convert_expect(raw: RawExpect) -> Expect {
    Expect {
        status: raw.status,
        handler: raw.handler,
        headers: raw
            .headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
        absent: raw
            .absent
            .into_iter()
            .map(|a| a.to_ascii_lowercase())
            .collect(),
        body: raw.body,
    }
}

/// Converts a validated case (escapes already checked).
fn convert(raw: RawCase) -> Case {
    Case {
        name: raw.name,
        why: raw.why,
        method: raw.method,
        path: raw.path,
        headers: raw
            .headers
            .into_iter()
            .map(|(n, v)| {
                let bytes = unescape(&v).unwrap_or_else(|_| v.into_bytes());
                (n, bytes)
            })
            .collect(),
        body: raw.body,
        expect: convert_expect(raw.expect),
        limits: raw
            .limit
            .into_iter()
            .map(|l| Limit {
                servers: l.servers,
                why: l.why,
                expect: convert_expect(l.expect),
            })
            .collect(),
    }
}

/// Parses one table file's text; `name` is used in error messages.
fn parse_file(name: &str, text: &str, errors: &mut Vec<String>) -> Option<TableFile> {
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            errors.push(format!("{name}: {e}"));
            return None;
        }
    };
    if raw.case.is_empty() {
        errors.push(format!("{name}: no [[case]]"));
    }
    let mut cases = Vec::with_capacity(raw.case.len());
    let mut names = BTreeSet::new();
    let before = errors.len();
    for (i, table) in raw.case.into_iter().enumerate() {
        let label = table
            .get("name")
            .and_then(toml::Value::as_str)
            .map_or_else(|| format!("case #{}", i + 1), str::to_owned);
        match table.try_into::<RawCase>() {
            Ok(rc) => {
                for e in validate(&rc) {
                    errors.push(format!("{name}::{label}: {e}"));
                }
                if !names.insert(rc.name.clone()) {
                    errors.push(format!("{name}::{label}: duplicate case name"));
                }
                cases.push(convert(rc));
            }
            Err(e) => errors.push(format!("{name}::{label}: {}", e.to_string().trim_end())),
        }
    }
    (errors.len() == before).then(|| TableFile {
        name: name.to_owned(),
        description: raw.description,
        config: raw.config,
        cases,
    })
}

/// Loads every `*.toml` file of `dir`, sorted by file name.
///
/// # Errors
///
/// Every problem found, one per line, each naming its file and case: a read or syntax
/// error, an unknown key, a missing field, a duplicate case name, a request the runners
/// cannot send (non-token method, CR/LF in a header value...).
pub fn load(dir: &Path) -> Result<Vec<TableFile>, String> {
    let paths = toml_files(dir)?;
    let mut files = Vec::with_capacity(paths.len());
    let mut errors = Vec::new();
    for (name, path) in &paths {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                if let Some(f) = parse_file(name, &text, &mut errors) {
                    files.push(f);
                }
            }
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    if files.is_empty() && errors.is_empty() {
        errors.push(format!("no *.toml table files in {}", dir.display()));
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors.join("\n"))
    }
}

/// The `*.toml` files directly in `dir`, sorted, each with its file stem (the name
/// messages use).
pub(crate) fn toml_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|x| x == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (stem, p)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TableFile, String> {
        let mut errors = Vec::new();
        parse_file("t", text, &mut errors).ok_or_else(|| errors.join("\n"))
    }

    const GOOD: &str = r#"
        description = "d"
        config = { allow_origins = ["https://a.test"] }
        [[case]]
        name = "one"
        why = "because"
        headers = [["Origin", "https://a.test"], ["Origin", "x"]]
        expect.status = 200
        expect.headers.Vary = ["Origin"]
        expect.headers.access-control-allow-origin = "https://a.test"
        expect.absent = ["Access-Control-*"]
    "#;

    #[test]
    fn parses_defaults_and_lowercases_names() {
        let f = parse(GOOD).unwrap();
        let c = &f.cases[0];
        assert_eq!(c.method, "GET");
        assert_eq!(c.path, "/anything/case");
        assert_eq!(c.headers.len(), 2);
        assert_eq!(
            c.expect.headers["vary"],
            Expected::Set(vec!["Origin".into()])
        );
        assert_eq!(c.expect.absent, ["access-control-*"]);
        assert!(f.config_toml().contains("allow_origins"));
    }

    #[test]
    fn escapes_and_limits() {
        let text = GOOD.replace("[\"Origin\", \"x\"]", "[\"Origin\", 'a\\xffb\\\\']")
            + r#"
        [[case.limit]]
        servers = ["rocket"]
        why = "Rocket drops it"
        expect.status = 204
        "#;
        let f = parse(&text).unwrap();
        let c = &f.cases[0];
        assert_eq!(c.headers[1].1, b"a\xffb\\");
        assert_eq!(c.expect_for("rocket").status, 204);
        assert_eq!(c.expect_for("axum").status, 200);
        let e = parse(&text.replace("\"rocket\"", "\"tomcat\"")).unwrap_err();
        assert!(e.contains("tomcat"), "{e}");
        let e = parse(&GOOD.replace("[\"Origin\", \"x\"]", "[\"Origin\", 'a\\xf']")).unwrap_err();
        assert!(e.contains("two hex digits"), "{e}");
    }

    #[test]
    fn rejects_unknown_keys_and_duplicates() {
        let e = parse(&GOOD.replace("why =", "whyy = 1\nwhy =")).unwrap_err();
        assert!(e.contains("t::one") && e.contains("whyy"), "{e}");
        let dup = format!("{GOOD}\n{}", &GOOD[GOOD.find("[[case]]").unwrap()..]);
        let e = parse(&dup).unwrap_err();
        assert!(e.contains("t::one: duplicate case name"), "{e}");
        let e = parse(&GOOD.replace("description", "descr")).unwrap_err();
        assert!(e.starts_with("t: "), "{e}");
        let e = parse(&GOOD.replace("\"x\"]", "\"x\\r\\n\"]")).unwrap_err();
        assert!(e.contains("CR, LF"), "{e}");
    }
}
