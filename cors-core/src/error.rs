//! Config errors and warnings: typed values with stable codes and messages that name the
//! field, the offending value, what is wrong and the fix.

use std::fmt;
use std::path::PathBuf;

/// A top-level key of the config file (ordered as in the schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `allow_origins`
    AllowOrigins,
    /// `allow_methods`
    AllowMethods,
    /// `allow_headers`
    AllowHeaders,
    /// `expose_headers`
    ExposeHeaders,
    /// `allow_credentials`
    AllowCredentials,
    /// `max_age`
    MaxAge,
    /// `allow_private_network`
    AllowPrivateNetwork,
    /// `preflight_status`
    PreflightStatus,
    /// `preflight_continue`
    PreflightContinue,
    /// `mode`
    Mode,
    /// `debug_denial_header`
    DebugDenialHeader,
    /// `dynamic_origins`
    DynamicOrigins,
    /// `routes`
    Routes,
    /// a route's `path`
    Path,
}

impl Field {
    /// The key as written in the config file.
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::AllowOrigins => "allow_origins",
            Field::AllowMethods => "allow_methods",
            Field::AllowHeaders => "allow_headers",
            Field::ExposeHeaders => "expose_headers",
            Field::AllowCredentials => "allow_credentials",
            Field::MaxAge => "max_age",
            Field::AllowPrivateNetwork => "allow_private_network",
            Field::PreflightStatus => "preflight_status",
            Field::PreflightContinue => "preflight_continue",
            Field::Mode => "mode",
            Field::DebugDenialHeader => "debug_denial_header",
            Field::DynamicOrigins => "dynamic_origins",
            Field::Routes => "routes",
            Field::Path => "path",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a config value is refused. Each kind has a stable [`code`](ErrorKind::code).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `allow_origins` is empty: nothing could ever be allowed.
    NoOrigins,
    /// `"*"` listed together with other entries.
    WildcardMixed,
    /// `allow_origins = "*"` with `allow_credentials = true`.
    WildcardOriginWithCredentials,
    /// `expose_headers = "*"` with `allow_credentials = true`.
    WildcardExposeWithCredentials,
    /// `dynamic_origins = true` with `allow_origins = "*"`: the predicate is never asked.
    DynamicOriginsWithAny,
    /// The value has no `scheme://`.
    MissingScheme {
        /// A corrected value to suggest.
        suggestion: String,
    },
    /// The scheme is not `ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")`.
    InvalidScheme,
    /// `file://` origins: browsers send `null` for them.
    FileScheme,
    /// The origin has a path (a trailing `/` included).
    OriginHasPath {
        /// The origin without the path.
        suggestion: String,
    },
    /// The origin has a `?query`.
    OriginHasQuery {
        /// The origin without the query.
        suggestion: String,
    },
    /// The origin has a `#fragment`.
    OriginHasFragment {
        /// The origin without the fragment.
        suggestion: String,
    },
    /// The origin has `user:password@`.
    OriginHasUserinfo {
        /// The origin without the userinfo.
        suggestion: String,
    },
    /// The host is empty or has a character or label a host cannot have.
    InvalidHost,
    /// The host has non-ASCII characters: browsers send the punycode form.
    NonAsciiHost {
        /// The origin with its host in punycode, when that form exists.
        suggestion: Option<String>,
    },
    /// The port is not a number from 0 to 65535 or `*`.
    InvalidPort,
    /// A `*` somewhere other than a whole first host label or the whole port.
    MisplacedWildcard,
    /// A wildcard that can match a host sitting directly on a public suffix: its base is
    /// one (`https://*.com`, `https://*.github.io`), or the Public Suffix List makes every
    /// name under its base one (`https://*.ck`, rule `*.ck`).
    PublicSuffixWildcard {
        /// The public suffix (`co.uk`) or the list's wildcard rule (`*.ck`).
        suffix: String,
    },
    /// The origin is longer than [`MAX_ORIGIN_LEN`](crate::MAX_ORIGIN_LEN).
    OriginTooLong,
    /// An empty string where an origin belongs.
    EmptyOrigin,
    /// A scheme whose pages have an opaque origin (`data:`, `javascript:`, `about:`):
    /// browsers send `Origin: null` for them.
    OpaqueOrigin {
        /// The scheme, lower-cased.
        scheme: String,
    },
    /// A wildcard over an IP address (`http://*.1`, `http://*.0.0.1:*`).
    WildcardOverIpAddress,
    /// A host whose last label is numeric but which is no IPv4 address (`1.2.3.4.5`,
    /// `999.1.1.1`, `example.123`).
    InvalidIpv4,
    /// An IPv4 address not in the dotted-decimal form browsers send (`127.1`,
    /// `0x7f.0.0.1`, `2130706433`).
    NonCanonicalIpv4 {
        /// The origin with its address in dotted-decimal form.
        suggestion: String,
    },
    /// Not an HTTP token (RFC 9110 section 5.6.2).
    InvalidMethod,
    /// A `*` inside a method (`P*`): methods have no wildcards.
    WildcardInMethod,
    /// A `*` inside a header name (`x-*`): header names have no wildcards.
    WildcardInHeaderName,
    /// `CONNECT`, `TRACE` or `TRACK`: browsers never send them.
    ForbiddenMethod,
    /// Not an HTTP header name token.
    InvalidHeaderName,
    /// `preflight_status` is neither 200 nor 204.
    InvalidPreflightStatus,
    /// `max_age` does not fit in 32 bits.
    MaxAgeTooLarge,
    /// A label pattern (`https://pr-*.example.com`) whose hosts sit directly on a public
    /// suffix (`https://myapp-*.vercel.app`).
    PublicSuffixLabelPattern {
        /// The public suffix (`vercel.app`) or the list's wildcard rule.
        suffix: String,
        /// The subdomain wildcard probably meant, for `https://*example.com`.
        suggestion: Option<String>,
    },
    /// A route's path does not start with `/`.
    RoutePathNotAbsolute,
    /// A route's path has a `?query` or `#fragment`.
    RoutePathHasQuery,
    /// A route's path has a `*`: it is a prefix already.
    RoutePathWildcard,
    /// A route's path is not in normal form (dot segments, `//`, `%61`, `\`, `%2F`) or
    /// has a character a request target cannot have.
    RoutePathNotNormal,
    /// Two routes have the same path.
    DuplicateRoute {
        /// The index of the first route with this path.
        first: usize,
    },
    /// More routes than [`MAX_ROUTES`](crate::MAX_ROUTES).
    TooManyRoutes,
}

impl ErrorKind {
    /// A stable identifier for this kind, listed in `docs/semantics.md`.
    pub const fn code(&self) -> &'static str {
        match self {
            ErrorKind::NoOrigins => "E101",
            ErrorKind::WildcardMixed => "E102",
            ErrorKind::WildcardOriginWithCredentials => "E103",
            ErrorKind::MissingScheme { .. } => "E104",
            ErrorKind::InvalidScheme => "E105",
            ErrorKind::FileScheme => "E106",
            ErrorKind::OriginHasPath { .. } => "E107",
            ErrorKind::OriginHasQuery { .. } => "E108",
            ErrorKind::OriginHasFragment { .. } => "E109",
            ErrorKind::OriginHasUserinfo { .. } => "E110",
            ErrorKind::InvalidHost => "E111",
            ErrorKind::NonAsciiHost { .. } => "E112",
            ErrorKind::InvalidPort => "E113",
            ErrorKind::MisplacedWildcard => "E114",
            ErrorKind::PublicSuffixWildcard { .. } => "E115",
            ErrorKind::OriginTooLong => "E116",
            ErrorKind::EmptyOrigin => "E117",
            ErrorKind::OpaqueOrigin { .. } => "E118",
            ErrorKind::WildcardOverIpAddress => "E119",
            ErrorKind::InvalidIpv4 => "E120",
            ErrorKind::NonCanonicalIpv4 { .. } => "E121",
            ErrorKind::InvalidMethod => "E201",
            ErrorKind::ForbiddenMethod => "E202",
            ErrorKind::WildcardInMethod => "E203",
            ErrorKind::InvalidHeaderName => "E301",
            ErrorKind::WildcardInHeaderName => "E303",
            ErrorKind::WildcardExposeWithCredentials => "E302",
            ErrorKind::InvalidPreflightStatus => "E401",
            ErrorKind::MaxAgeTooLarge => "E402",
            ErrorKind::PublicSuffixLabelPattern { .. } => "E122",
            ErrorKind::DynamicOriginsWithAny => "E123",
            ErrorKind::RoutePathNotAbsolute => "E501",
            ErrorKind::RoutePathHasQuery => "E502",
            ErrorKind::RoutePathWildcard => "E503",
            ErrorKind::RoutePathNotNormal => "E504",
            ErrorKind::DuplicateRoute { .. } => "E505",
            ErrorKind::TooManyRoutes => "E506",
        }
    }

    /// What is wrong, then the fix, in plain words.
    fn describe(&self, field: Field, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::NoOrigins => f.write_str(
                "no origin is allowed, so no cross-origin request could succeed; \
                 list the origins of your front-ends, e.g. [\"https://app.example.com\"] \
                 (or set dynamic_origins = true if code decides them)",
            ),
            ErrorKind::DynamicOriginsWithAny => f.write_str(
                "allow_origins = \"*\" already allows every origin, so an origin predicate \
                 would never be asked; list the static origins, or set dynamic_origins = false",
            ),
            ErrorKind::WildcardMixed => match field {
                Field::AllowHeaders => write!(
                    f,
                    "\"*\" already covers every header but authorization; write \"*\", \
                     or [\"*\", \"authorization\"] to allow authorization too"
                ),
                _ => write!(
                    f,
                    "\"*\" already covers every value; write {field} = \"*\" alone, \
                     or list the values without \"*\""
                ),
            },
            ErrorKind::WildcardOriginWithCredentials => f.write_str(
                "for security reasons browsers refuse allow_origins = \"*\" together with \
                 credentials; list the origins you trust, or set allow_credentials = false",
            ),
            ErrorKind::WildcardExposeWithCredentials => f.write_str(
                "browsers ignore expose_headers = \"*\" on credentialed requests; list the \
                 response headers to expose, or set allow_credentials = false",
            ),
            ErrorKind::MissingScheme { suggestion } => {
                write!(
                    f,
                    "an origin is scheme://host[:port]; write \"{suggestion}\""
                )
            }
            ErrorKind::InvalidScheme => f.write_str(
                "the scheme must start with a letter followed by letters, digits, '+', '-' \
                 or '.'; write an origin like \"https://example.com\"",
            ),
            ErrorKind::FileScheme => f.write_str(
                "browsers send Origin: null for file:// pages; list \"null\" if you really \
                 mean to allow them (any sandboxed page sends null too)",
            ),
            ErrorKind::OriginHasPath { suggestion } => {
                write!(f, "an origin has no path; write \"{suggestion}\"")
            }
            ErrorKind::OriginHasQuery { suggestion } => {
                write!(f, "an origin has no query; write \"{suggestion}\"")
            }
            ErrorKind::OriginHasFragment { suggestion } => {
                write!(f, "an origin has no fragment; write \"{suggestion}\"")
            }
            ErrorKind::OriginHasUserinfo { suggestion } => write!(
                f,
                "an origin has no user name or password; write \"{suggestion}\""
            ),
            ErrorKind::InvalidHost => f.write_str(
                "the host must be a domain name (letters, digits, '-', '_', labels separated \
                 by single dots), an IPv4 address, or an IPv6 address in brackets",
            ),
            ErrorKind::NonAsciiHost { suggestion } => match suggestion {
                Some(p) => write!(
                    f,
                    "browsers send internationalized hosts in punycode; write \"{p}\""
                ),
                // Built without the `idn-hints` feature: no punycode to offer.
                None if !cfg!(feature = "idn-hints") => f.write_str(
                    "browsers send internationalized hosts in punycode; write the host's \
                     punycode (IDNA) form, which `cors check` prints",
                ),
                None => f.write_str(
                    "browsers send internationalized hosts in punycode, and this host has no \
                     valid punycode form; check its spelling",
                ),
            },
            ErrorKind::InvalidPort => f.write_str(
                "the port must be a number from 0 to 65535 without leading zeros, or \"*\" for \
                 any port",
            ),
            ErrorKind::MisplacedWildcard => f.write_str(
                "'*' may only be the whole first label of the host (\"https://*.example.com\"), \
                 one '*' inside the first label beside other characters \
                 (\"https://pr-*.preview.example.com\"), or the whole port \
                 (\"http://localhost:*\")",
            ),
            ErrorKind::PublicSuffixWildcard { suffix } => match suffix.strip_prefix("*.") {
                Some(base) => write!(
                    f,
                    "the Public Suffix List's rule \"{suffix}\" makes every name under \
                     \"{base}\" a public suffix, so this would allow sites owned by anyone; \
                     list the exact origins, or use a domain you control"
                ),
                None => write!(
                    f,
                    "\"{suffix}\" is a public suffix, so this would allow sites owned by \
                     anyone; use a domain you control, e.g. \"https://*.example.{suffix}\""
                ),
            },
            ErrorKind::OriginTooLong => write!(
                f,
                "an origin is at most {} bytes; check the value",
                crate::MAX_ORIGIN_LEN
            ),
            ErrorKind::EmptyOrigin => f.write_str(
                "an empty string is no origin; write an origin like \"https://app.example.com\"",
            ),
            ErrorKind::OpaqueOrigin { scheme } => write!(
                f,
                "{scheme}: pages have no origin of their own: browsers send Origin: null for \
                 them; list \"null\" if you really mean to allow every page that sends it"
            ),
            ErrorKind::WildcardOverIpAddress => f.write_str(
                "a wildcard matches domain names, not IP addresses (\"*.1\" would match \
                 10.0.0.1 and any other address ending in .1); list each address",
            ),
            ErrorKind::InvalidIpv4 => f.write_str(
                "a host whose last label is a number is an IPv4 address, and this is not one \
                 (four numbers from 0 to 255, e.g. \"127.0.0.1\"); check the value",
            ),
            ErrorKind::NonCanonicalIpv4 { suggestion } => write!(
                f,
                "browsers send IPv4 addresses in dotted-decimal form only, so this never \
                 matches; write \"{suggestion}\""
            ),
            ErrorKind::WildcardInMethod => f.write_str(
                "methods have no wildcards; list each method, or write allow_methods = \"*\" \
                 alone for every method",
            ),
            ErrorKind::WildcardInHeaderName => write!(
                f,
                "header names have no wildcards; list each header, or write {field} = \"*\" \
                 alone for every header"
            ),
            ErrorKind::InvalidMethod => f.write_str(
                "a method is an HTTP token (letters, digits and !#$%&'*+-.^_`|~), e.g. \"PATCH\"",
            ),
            ErrorKind::ForbiddenMethod => {
                f.write_str("browsers never send CONNECT, TRACE or TRACK cross-origin; remove it")
            }
            ErrorKind::InvalidHeaderName => f.write_str(
                "a header name is an HTTP token (letters, digits and !#$%&'*+-.^_`|~), e.g. \
                 \"x-request-id\"",
            ),
            ErrorKind::InvalidPreflightStatus => {
                f.write_str("a successful preflight is answered with 200 or 204; write 204")
            }
            ErrorKind::MaxAgeTooLarge => write!(
                f,
                "max_age is at most {} seconds, and browsers cap it far lower (Firefox 86400, \
                 Chromium 7200); write 7200",
                u32::MAX
            ),
            ErrorKind::PublicSuffixLabelPattern {
                suggestion: Some(s),
                ..
            } => write!(
                f,
                "this label pattern matches any name ending in the text after '*' on a public \
                 suffix, owned by anyone; did you mean \"{s}\" (any subdomain)?"
            ),
            ErrorKind::PublicSuffixLabelPattern { suffix, .. } => write!(
                f,
                "the hosts this pattern matches sit directly on the public suffix \
                 \"{suffix}\", where anyone can register a name, so it would allow other \
                 owners' sites too (\"https://myapp-*.vercel.app\" matches anyone's Vercel \
                 project named myapp-...); serve previews under a domain you control \
                 (\"https://pr-*.preview.example.com\") or list the exact origins"
            ),
            ErrorKind::RoutePathNotAbsolute => f.write_str(
                "a route's path is a path prefix starting with '/', e.g. \"/api\"; \"/\" covers \
                 every path",
            ),
            ErrorKind::RoutePathHasQuery => f.write_str(
                "routes are chosen by path alone: the query and fragment play no part; remove \
                 everything from '?' or '#'",
            ),
            ErrorKind::RoutePathWildcard => f.write_str(
                "a route's path is a prefix already: \"/api\" covers /api and every path under \
                 it; remove the '*'",
            ),
            ErrorKind::RoutePathNotNormal => f.write_str(
                "write the path as browsers send it: no \".\" or \"..\" segment, no empty \
                 segment (\"//\"), no percent-encoded letter, digit or '-._~', no '\\' or \
                 encoded '/' or '\\', and only characters a request target may have \
                 (percent-encode the others)",
            ),
            ErrorKind::DuplicateRoute { first } => write!(
                f,
                "routes[{first}] has the same path; merge the two routes into one"
            ),
            ErrorKind::TooManyRoutes => write!(
                f,
                "a config has at most {} routes; group paths under common prefixes",
                crate::MAX_ROUTES
            ),
        }
    }
}

/// One finding about a config value: which field, which list index, what value, and its
/// kind ([`ErrorKind`] for a [`ConfigError`], [`WarningKind`] for a [`ConfigWarning`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<K> {
    route: Option<usize>,
    field: Field,
    index: Option<usize>,
    value: Option<String>,
    kind: K,
}

/// A refused config value.
pub type ConfigError = Finding<ErrorKind>;

/// A config value accepted but probably not what was meant.
pub type ConfigWarning = Finding<WarningKind>;

/// What a finding's kind knows: its stable code and its message.
pub trait FindingKind {
    /// The stable code, listed in `docs/semantics.md`.
    fn code(&self) -> &'static str;
    /// What is wrong and the fix, for a value of `field`.
    fn describe(&self, field: Field, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl FindingKind for ErrorKind {
    fn code(&self) -> &'static str {
        ErrorKind::code(self)
    }
    fn describe(&self, field: Field, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ErrorKind::describe(self, field, f)
    }
}

impl FindingKind for WarningKind {
    fn code(&self) -> &'static str {
        WarningKind::code(self)
    }
    fn describe(&self, _field: Field, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        WarningKind::describe(self, f)
    }
}

impl<K: FindingKind> Finding<K> {
    pub(crate) fn new(
        route: Option<usize>,
        field: Field,
        index: Option<usize>,
        value: Option<String>,
        kind: K,
    ) -> Self {
        Finding {
            route,
            field,
            index,
            value,
            kind,
        }
    }

    /// The route the finding is about (its index in `routes`), or `None` for the top
    /// level.
    pub fn route(&self) -> Option<usize> {
        self.route
    }

    /// The field the value belongs to.
    pub fn field(&self) -> Field {
        self.field
    }

    /// The position in the field's list, for list fields.
    pub fn index(&self) -> Option<usize> {
        self.index
    }

    /// Where this finding is in its config's source text: the field's list item (else its
    /// key), or for a route's finding that route's entry in `routes`.
    pub fn locate_in(
        &self,
        source: &crate::locate::SourceIndex<'_>,
    ) -> Option<crate::locate::Location> {
        match self.route {
            Some(r) => source.locate("routes", Some(r)),
            None => source.locate(self.field.as_str(), self.index),
        }
    }

    /// The offending value as written, when there is one.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// What the finding is.
    pub fn kind(&self) -> &K {
        &self.kind
    }

    /// The stable code of [`kind`](Self::kind).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The field path, e.g. `allow_origins[2]`.
    pub fn path(&self) -> FieldPath {
        FieldPath {
            route: self.route,
            field: self.field,
            index: self.index,
        }
    }

    /// The message without the field path: what is wrong and the fix.
    pub fn message(&self) -> impl fmt::Display + '_ {
        Message(self)
    }
}

/// The most characters of an offending value a message shows.
const VALUE_SHOWN: usize = 80;

/// A value quoted for a message (`"..."`, escapes as Rust's `{:?}`), shortened when long:
/// `"https://aaaa…" (10000011 bytes)`, so a huge value cannot make a huge message.
pub fn quoted(value: &str) -> String {
    match value.char_indices().nth(VALUE_SHOWN) {
        None => format!("{value:?}"),
        Some((cut, _)) => {
            let head = value.get(..cut).unwrap_or_default();
            let mut q = format!("{head:?}");
            q.insert(q.len() - 1, '…');
            format!("{q} ({} bytes)", value.len())
        }
    }
}

impl<K: FindingKind> fmt::Display for Finding<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{} = {}: ", self.path(), quoted(v))?,
            None => write!(f, "{}: ", self.path())?,
        }
        self.kind.describe(self.field, f)
    }
}

impl<K: FindingKind + fmt::Debug> std::error::Error for Finding<K> {}

struct Message<'a, K>(&'a Finding<K>);

impl<K: FindingKind> fmt::Display for Message<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.kind.describe(self.0.field, f)
    }
}

/// A field name with an optional list index, displayed as `allow_origins[2]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPath {
    /// The route (`routes[N].`), or `None` for the top level.
    pub route: Option<usize>,
    /// The field.
    pub field: Field,
    /// The index in the field's list.
    pub index: Option<usize>,
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = self.route {
            write!(f, "routes[{r}].")?;
        }
        match self.index {
            Some(i) => write!(f, "{}[{i}]", self.field),
            None => write!(f, "{}", self.field),
        }
    }
}

/// Every error found in one config, in field order. Never empty. Errors found in a
/// config's text (a file, or text given to a loader) also know where each is in it.
#[derive(Debug, Clone)]
pub struct ConfigErrors {
    errors: Vec<ConfigError>,
    /// Where each error is in the source text, when it came from one (same order).
    locations: Vec<Option<crate::locate::Location>>,
}

impl ConfigErrors {
    pub(crate) fn new(errors: Vec<ConfigError>) -> Self {
        ConfigErrors {
            errors,
            locations: Vec::new(),
        }
    }

    /// Finds each error in `text`, the config's source in `format`, with one index of
    /// the text for all of them: a field's list item, else its key; a route's error at
    /// its `routes` entry.
    pub(crate) fn locate(&mut self, text: &str, format: crate::Format) {
        let index = crate::locate::SourceIndex::new(text, format);
        self.locations = self.errors.iter().map(|e| e.locate_in(&index)).collect();
    }

    /// The errors, in field order.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }

    /// Each error with where it is in the config's text (`None` for a config built in
    /// code, or a field the text leaves to its default).
    pub fn located(
        &self,
    ) -> impl Iterator<Item = (&ConfigError, Option<crate::locate::Location>)> + '_ {
        self.errors
            .iter()
            .enumerate()
            .map(|(i, e)| (e, self.locations.get(i).copied().flatten()))
    }

    /// How many errors.
    #[allow(clippy::len_without_is_empty)] // never empty by construction
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// The report: a count, then one line per error, each starting with
    /// `FILE:LINE:COLUMN:` (or `LINE:COLUMN:` without a file) when it is located.
    fn write(&self, f: &mut fmt::Formatter<'_>, path: Option<&std::path::Path>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "invalid CORS config ({n} error{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for (e, at) in self.located() {
            f.write_str("\n  ")?;
            if let Some(at) = at {
                if let Some(p) = path {
                    write!(f, "{}:", p.display())?;
                }
                write!(f, "{}:{}: ", at.line, at.column)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Equal when the errors are: where they were found does not matter.
impl PartialEq for ConfigErrors {
    fn eq(&self, other: &Self) -> bool {
        self.errors == other.errors
    }
}

impl Eq for ConfigErrors {}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, None)
    }
}

impl std::error::Error for ConfigErrors {}

/// Why a config value is accepted but probably not what was meant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// `"null"` is listed: every sandboxed iframe and `file://` page sends it.
    NullOrigin,
    /// An `http://` origin (other than loopback) together with credentials.
    InsecureOriginWithCredentials,
    /// The same entry is listed twice (after normalization).
    Duplicate,
    /// A wildcard whose base has public suffixes below it (`https://*.amazonaws.com`
    /// matches anyone's `https://bucket.s3.amazonaws.com`).
    PublicSuffixBelowWildcard {
        /// One public-suffix rule below the base (`s3.amazonaws.com`).
        suffix: String,
    },
    /// A method some servers refuse before any CORS code runs (docs/semantics.md, "Server limits").
    MethodServerLimit {
        /// The servers, named as in `docs/semantics.md`, with why.
        servers: &'static str,
    },
    /// A forbidden request header (`cookie`, `host`, ...): browsers never let scripts set it.
    ForbiddenRequestHeader,
    /// A forbidden response header (`set-cookie`): browsers never expose it.
    ForbiddenResponseHeader,
    /// A CORS-safelisted response header: browsers expose it anyway.
    SafelistedResponseHeader,
    /// `max_age` above 86400 seconds: every browser caps it lower.
    MaxAgeAboveBrowserCap,
    /// A route's path ends in `/`: the route covers the path without it too.
    RoutePathTrailingSlash,
    /// `debug_denial_header = true`: every client is told why it was denied.
    DebugDenialHeader,
    /// `dynamic_origins = true`: code decides origins this check cannot see.
    DynamicOrigins,
}

impl WarningKind {
    /// A stable identifier for this kind, listed in `docs/semantics.md`.
    pub const fn code(&self) -> &'static str {
        match self {
            WarningKind::NullOrigin => "W101",
            WarningKind::InsecureOriginWithCredentials => "W102",
            WarningKind::Duplicate => "W103",
            WarningKind::PublicSuffixBelowWildcard { .. } => "W104",
            WarningKind::MethodServerLimit { .. } => "W201",
            WarningKind::ForbiddenRequestHeader => "W301",
            WarningKind::ForbiddenResponseHeader => "W302",
            WarningKind::SafelistedResponseHeader => "W303",
            WarningKind::MaxAgeAboveBrowserCap => "W401",
            WarningKind::RoutePathTrailingSlash => "W501",
            WarningKind::DebugDenialHeader => "W601",
            WarningKind::DynamicOrigins => "W602",
        }
    }

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarningKind::PublicSuffixBelowWildcard { suffix } => {
                return write!(
                    f,
                    "public suffixes lie below this wildcard's base (e.g. \"{suffix}\"), so it \
                     also matches sites of other owners under them; list the subdomains you \
                     own, or a deeper base"
                );
            }
            WarningKind::MethodServerLimit { servers } => {
                return write!(
                    f,
                    "a browser sends this method as written, and {servers}, before any CORS \
                     code runs, so the request fails there whatever the policy says; see the \
                     server limits in docs/semantics.md"
                );
            }
            _ => {}
        }
        f.write_str(match self {
            WarningKind::NullOrigin => {
                "\"null\" is sent by sandboxed iframes, file:// pages and some redirects, so any \
                 site can produce it; remove it unless you mean to allow all of them"
            }
            WarningKind::InsecureOriginWithCredentials => {
                "credentials are allowed for a plain-http origin, whose pages anyone on the \
                 network path can modify; use https"
            }
            WarningKind::Duplicate => "listed more than once; remove the repeat",
            WarningKind::ForbiddenRequestHeader => {
                "browsers never let a script set this request header, so allowing it has no \
                 effect; remove it"
            }
            WarningKind::ForbiddenResponseHeader => {
                "browsers never expose this response header to scripts; remove it"
            }
            WarningKind::SafelistedResponseHeader => {
                "browsers always expose this response header; listing it has no effect"
            }
            WarningKind::MaxAgeAboveBrowserCap => {
                "browsers cap the preflight cache (Firefox at 86400 seconds, Chromium at 7200); \
                 write 7200"
            }
            WarningKind::RoutePathTrailingSlash => {
                "a route covers its path and every path under it, so the trailing '/' is \
                 dropped and this route covers the path without it too; remove the '/'"
            }
            WarningKind::DebugDenialHeader => {
                "denied responses tell every client why (CORS-Denial-Reason), which helps an \
                 attacker probe the policy; use it in development only"
            }
            WarningKind::DynamicOrigins => {
                "origins not in allow_origins are decided by the server's origin predicate, \
                 which this check cannot see, so the file no longer says every origin that is \
                 allowed, and servers without a predicate (C ABI, nginx) allow only the listed \
                 ones; prefer listing the origins and reloading the file when they change"
            }
            WarningKind::PublicSuffixBelowWildcard { .. }
            | WarningKind::MethodServerLimit { .. } => "",
        })
    }
}

/// The format of a config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML (`.toml`).
    Toml,
    /// JSON (`.json`).
    Json,
    /// YAML (`.yaml`, `.yml`), with the `yaml` feature.
    Yaml,
}

impl Format {
    /// The format a file extension names, if any.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    /// The cargo feature of `cors-core` that reads this format.
    pub const fn feature(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }

    /// Whether this build reads the format.
    pub const fn is_enabled(self) -> bool {
        match self {
            Format::Toml => cfg!(feature = "toml"),
            Format::Json => cfg!(feature = "json"),
            Format::Yaml => cfg!(feature = "yaml"),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        })
    }
}

/// A config file could not be read, parsed or validated.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file's extension names no supported format.
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The file's format is supported, but its cargo feature (`toml`, `json`, `yaml`) is
    /// off in this build.
    FormatDisabled {
        /// The format.
        format: Format,
    },
    /// The text is not valid for its format, or does not fit the schema
    /// (unknown key, wrong type, missing `allow_origins`).
    Syntax {
        /// The file, when loaded from one.
        path: Option<PathBuf>,
        /// The format.
        format: Format,
        /// 1-based line, when the parser knows it.
        line: Option<usize>,
        /// 1-based column, when the parser knows it.
        column: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// The config parsed but failed validation.
    Invalid {
        /// The file, when loaded from one.
        path: Option<PathBuf>,
        /// Every error.
        errors: ConfigErrors,
    },
}

impl LoadError {
    /// A stable identifier for this kind of failure (`L...` codes; validation errors carry
    /// their own `E...` codes).
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Io { .. } => "L001",
            LoadError::UnknownFormat { .. } => "L002",
            LoadError::FormatDisabled { .. } => "L003",
            LoadError::Syntax { .. } => "L004",
            LoadError::Invalid { .. } => "L005",
        }
    }

    /// The validation errors, when that is what failed.
    pub fn config_errors(&self) -> Option<&ConfigErrors> {
        match self {
            LoadError::Invalid { errors, .. } => Some(errors),
            _ => None,
        }
    }

    pub(crate) fn with_path(mut self, p: &std::path::Path) -> Self {
        match &mut self {
            LoadError::Syntax { path, .. } | LoadError::Invalid { path, .. } => {
                *path = Some(p.to_path_buf())
            }
            _ => {}
        }
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => {
                write!(f, "{}: cannot read the config: {source}", path.display())
            }
            LoadError::UnknownFormat { path } => write!(
                f,
                "{}: unknown config format; name the file *.toml, *.json, *.yaml or *.yml",
                path.display()
            ),
            LoadError::FormatDisabled { format } => write!(
                f,
                "{format} configs need the `{}` feature of cors-core, which this build left \
                 out; enable it, or write the config in a format the build has",
                format.feature()
            ),
            LoadError::Syntax {
                path,
                format,
                line,
                column,
                message,
            } => {
                if let Some(p) = path {
                    write!(f, "{}:", p.display())?;
                }
                if let Some(l) = line {
                    write!(f, "{l}:")?;
                    if let Some(c) = column {
                        write!(f, "{c}:")?;
                    }
                }
                if path.is_some() || line.is_some() {
                    f.write_str(" ")?;
                }
                write!(f, "invalid {format} config: {message}")
            }
            LoadError::Invalid { path, errors } => {
                if let Some(p) = path {
                    write!(f, "{}: ", p.display())?;
                }
                errors.write(f, path.as_deref())
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            LoadError::Invalid { errors, .. } => Some(errors),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every kind; the exhaustive matches make a new kind fail to compile here
    /// until it is listed (and so checked against the docs).
    fn every_kind() -> (Vec<ErrorKind>, Vec<WarningKind>) {
        let s = String::new;
        let errors = vec![
            ErrorKind::NoOrigins,
            ErrorKind::WildcardMixed,
            ErrorKind::WildcardOriginWithCredentials,
            ErrorKind::WildcardExposeWithCredentials,
            ErrorKind::MissingScheme { suggestion: s() },
            ErrorKind::InvalidScheme,
            ErrorKind::FileScheme,
            ErrorKind::OriginHasPath { suggestion: s() },
            ErrorKind::OriginHasQuery { suggestion: s() },
            ErrorKind::OriginHasFragment { suggestion: s() },
            ErrorKind::OriginHasUserinfo { suggestion: s() },
            ErrorKind::InvalidHost,
            ErrorKind::NonAsciiHost { suggestion: None },
            ErrorKind::InvalidPort,
            ErrorKind::MisplacedWildcard,
            ErrorKind::PublicSuffixWildcard { suffix: s() },
            ErrorKind::OriginTooLong,
            ErrorKind::EmptyOrigin,
            ErrorKind::OpaqueOrigin { scheme: s() },
            ErrorKind::WildcardOverIpAddress,
            ErrorKind::InvalidIpv4,
            ErrorKind::NonCanonicalIpv4 { suggestion: s() },
            ErrorKind::InvalidMethod,
            ErrorKind::WildcardInMethod,
            ErrorKind::WildcardInHeaderName,
            ErrorKind::ForbiddenMethod,
            ErrorKind::InvalidHeaderName,
            ErrorKind::InvalidPreflightStatus,
            ErrorKind::MaxAgeTooLarge,
            ErrorKind::PublicSuffixLabelPattern {
                suffix: s(),
                suggestion: None,
            },
            ErrorKind::RoutePathNotAbsolute,
            ErrorKind::RoutePathHasQuery,
            ErrorKind::RoutePathWildcard,
            ErrorKind::RoutePathNotNormal,
            ErrorKind::DuplicateRoute { first: 0 },
            ErrorKind::TooManyRoutes,
            ErrorKind::DynamicOriginsWithAny,
        ];
        for e in &errors {
            match e {
                ErrorKind::NoOrigins
                | ErrorKind::WildcardMixed
                | ErrorKind::WildcardOriginWithCredentials
                | ErrorKind::WildcardExposeWithCredentials
                | ErrorKind::MissingScheme { .. }
                | ErrorKind::InvalidScheme
                | ErrorKind::FileScheme
                | ErrorKind::OriginHasPath { .. }
                | ErrorKind::OriginHasQuery { .. }
                | ErrorKind::OriginHasFragment { .. }
                | ErrorKind::OriginHasUserinfo { .. }
                | ErrorKind::InvalidHost
                | ErrorKind::NonAsciiHost { .. }
                | ErrorKind::InvalidPort
                | ErrorKind::MisplacedWildcard
                | ErrorKind::PublicSuffixWildcard { .. }
                | ErrorKind::OriginTooLong
                | ErrorKind::EmptyOrigin
                | ErrorKind::OpaqueOrigin { .. }
                | ErrorKind::WildcardOverIpAddress
                | ErrorKind::InvalidIpv4
                | ErrorKind::NonCanonicalIpv4 { .. }
                | ErrorKind::InvalidMethod
                | ErrorKind::WildcardInMethod
                | ErrorKind::WildcardInHeaderName
                | ErrorKind::ForbiddenMethod
                | ErrorKind::InvalidHeaderName
                | ErrorKind::InvalidPreflightStatus
                | ErrorKind::MaxAgeTooLarge
                | ErrorKind::PublicSuffixLabelPattern { .. }
                | ErrorKind::RoutePathNotAbsolute
                | ErrorKind::RoutePathHasQuery
                | ErrorKind::RoutePathWildcard
                | ErrorKind::RoutePathNotNormal
                | ErrorKind::DuplicateRoute { .. }
                | ErrorKind::TooManyRoutes
                | ErrorKind::DynamicOriginsWithAny => {}
            }
        }
        let warnings = vec![
            WarningKind::NullOrigin,
            WarningKind::InsecureOriginWithCredentials,
            WarningKind::Duplicate,
            WarningKind::PublicSuffixBelowWildcard { suffix: s() },
            WarningKind::MethodServerLimit { servers: "" },
            WarningKind::ForbiddenRequestHeader,
            WarningKind::ForbiddenResponseHeader,
            WarningKind::SafelistedResponseHeader,
            WarningKind::MaxAgeAboveBrowserCap,
            WarningKind::RoutePathTrailingSlash,
            WarningKind::DebugDenialHeader,
            WarningKind::DynamicOrigins,
        ];
        for w in &warnings {
            match w {
                WarningKind::NullOrigin
                | WarningKind::InsecureOriginWithCredentials
                | WarningKind::Duplicate
                | WarningKind::PublicSuffixBelowWildcard { .. }
                | WarningKind::MethodServerLimit { .. }
                | WarningKind::ForbiddenRequestHeader
                | WarningKind::ForbiddenResponseHeader
                | WarningKind::SafelistedResponseHeader
                | WarningKind::MaxAgeAboveBrowserCap
                | WarningKind::RoutePathTrailingSlash
                | WarningKind::DebugDenialHeader
                | WarningKind::DynamicOrigins => {}
            }
        }
        (errors, warnings)
    }

    #[test]
    fn codes_are_unique_and_documented() {
        let docs = include_str!("../../docs/semantics.md");
        let (errors, warnings) = every_kind();
        let mut codes: Vec<&str> = errors.iter().map(ErrorKind::code).collect();
        codes.extend(warnings.iter().map(WarningKind::code));
        for code in &codes {
            assert!(
                docs.contains(&format!("| {code} |")),
                "docs/semantics.md does not list {code}"
            );
        }
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "a code is used twice");
    }
}
