//! Why a request was denied: one table ([`denials!`]) from which the data-carrying
//! [`Denial`], the plain [`DenialKind`] with its stable numbers, names and descriptions,
//! and (through `cors-ffi`'s header generator) the C enum `cors_denial` all come.

use std::fmt;

use crate::decision::MAX_REQUEST_HEADER_LINES;
use crate::token::MAX_REQUESTED_HEADERS;

/// The table: variant, stable number (never reused), whether it carries the request's
/// value, short name, one-line description. Adding a denial is one line here (and its
/// full reason in `Display` below).
macro_rules! denials {
    ($(
        $(#[$doc:meta])*
        $name:ident $(($value:ident))? = $code:literal, $short:literal, $description:literal;
    )*) => {
        /// Why a request was denied, for logs and `cors explain`; never sent to the client.
        #[derive(Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Denial<'a> {
            $(
                $(#[$doc])*
                $name $((denials!(@ty $value)))?,
            )*
        }

        /// The kind of a [`Denial`], without its data: a stable number for C and logs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u32)]
        #[non_exhaustive]
        pub enum DenialKind {
            $(
                #[doc = concat!("`", $short, "`: ", $description, ".")]
                $name = $code,
            )*
        }

        impl DenialKind {
            /// Every kind, in table order.
            pub const ALL: &'static [DenialKind] = &[$(DenialKind::$name),*];

            /// A one-line description without the request's value (the [`Denial`]'s
            /// Display gives the full reason).
            pub const fn description(self) -> &'static str {
                match self {
                    $(DenialKind::$name => $description,)*
                }
            }

            /// A short stable name, e.g. `origin-not-allowed`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(DenialKind::$name => $short,)*
                }
            }
        }

        impl<'a> Denial<'a> {
            /// The request value the denial is about (empty for kinds without one).
            pub const fn value(&self) -> &'a [u8] {
                match *self {
                    $(denials!(@pat $name $($value)?) => denials!(@val $($value)?),)*
                }
            }

            /// Rebuilds a denial from its kind and [`value`](Self::value) (ignored by kinds
            /// without one), e.g. from a decision handed through the C ABI.
            pub const fn from_parts(kind: DenialKind, value: &'a [u8]) -> Denial<'a> {
                let _ = value;
                match kind {
                    $(DenialKind::$name => Denial::$name $((denials!(@arg $value value)))?,)*
                }
            }

            /// The kind, without data.
            pub const fn kind(&self) -> DenialKind {
                match *self {
                    $(denials!(@any $name $($value)?) => DenialKind::$name,)*
                }
            }
        }

        // The request's value as capped, escaped text (`HeaderNotAllowed("x-b")`), not a
        // list of numbers: this is what logs and `dbg!` show.
        impl fmt::Debug for Denial<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match *self {
                    $(denials!(@pat $name $($value)?) =>
                        denials!(@debug f, $name $($value)?),)*
                }
            }
        }
    };
    (@ty $value:ident) => { &'a [u8] };
    (@pat $name:ident $value:ident) => { Denial::$name($value) };
    (@pat $name:ident) => { Denial::$name };
    (@any $name:ident $value:ident) => { Denial::$name(_) };
    (@any $name:ident) => { Denial::$name };
    (@val $value:ident) => { $value };
    (@val) => { &[] };
    (@arg $value:ident $v:ident) => { $v };
    (@debug $f:ident, $name:ident $value:ident) => {
        write!($f, concat!(stringify!($name), "(\"{}\")"), Shown($value))
    };
    (@debug $f:ident, $name:ident) => { $f.write_str(stringify!($name)) };
}

denials! {
    /// The origin is valid but not allowed.
    OriginNotAllowed(v) = 1, "origin-not-allowed", "the origin is not in allow_origins";
    /// The `Origin` value is not a serialized origin (or is empty).
    OriginMalformed(v) = 2, "origin-malformed", "the Origin header is not a valid origin";
    /// More than one `Origin` header.
    MultipleOrigins = 3, "multiple-origins", "the request has more than one Origin header";
    /// The requested method is not allowed.
    MethodNotAllowed(v) = 4, "method-not-allowed",
        "the requested method is not in allow_methods";
    /// The requested method is empty or not a token.
    MethodInvalid(v) = 5, "method-invalid",
        "Access-Control-Request-Method is empty or not a method token";
    /// The requested method is `CONNECT`, `TRACE` or `TRACK`.
    MethodForbidden(v) = 6, "method-forbidden",
        "the requested method is forbidden (CONNECT, TRACE or TRACK)";
    /// A requested header is not allowed.
    HeaderNotAllowed(v) = 7, "header-not-allowed", "a requested header is not in allow_headers";
    /// `authorization` was requested; `allow_headers = "*"` does not cover it.
    AuthorizationNotCovered = 8, "authorization-not-covered",
        "authorization is not covered by allow_headers = \"*\"";
    /// A requested header name is not a token.
    HeaderInvalid(v) = 9, "header-invalid",
        "Access-Control-Request-Headers has a name that is not a token";
    /// More than [`MAX_REQUESTED_HEADERS`] requested names.
    TooManyHeaders = 10, "too-many-headers", "Access-Control-Request-Headers lists too many names";
    /// More than [`MAX_REQUEST_HEADER_LINES`] `Access-Control-Request-Headers` lines to
    /// mirror.
    TooManyHeaderLines = 11, "too-many-header-lines",
        "the request has too many Access-Control-Request-Headers lines to mirror";
    /// Private network access requested but not allowed.
    PrivateNetworkNotAllowed = 12, "private-network-not-allowed",
        "private network access was requested and is not allowed";
    /// More than one `Access-Control-Request-Method` line.
    MultipleMethods = 13, "multiple-methods",
        "the preflight has more than one Access-Control-Request-Method header";
    /// The policy is chosen by path and the request's path is not in normal form
    /// ([`is_normal_form_path`](crate::is_normal_form_path)), so nothing is granted.
    PathNotNormal(v) = 14, "path-not-normal",
        "the policy is chosen by path and the request's path is not in normal form";
}

impl DenialKind {
    /// The kind with this stable number, if any.
    pub fn from_u32(code: u32) -> Option<DenialKind> {
        DenialKind::ALL.iter().copied().find(|k| *k as u32 == code)
    }
}

/// A request value in a denial's message, at most 100 bytes of it (with the length when
/// cut): a hostile request cannot make a huge log line.
struct Shown<'a>(&'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 100;
        match self.0.get(..MAX) {
            Some(head) if self.0.len() > MAX => {
                write!(f, "{}… ({} bytes)", head.escape_ascii(), self.0.len())
            }
            _ => write!(f, "{}", self.0.escape_ascii()),
        }
    }
}

impl fmt::Display for Denial<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::OriginNotAllowed(o) => {
                write!(f, "origin {} is not in allow_origins", Shown(o))
            }
            Denial::OriginMalformed([]) => f.write_str("the Origin header is empty"),
            Denial::OriginMalformed(o) => write!(
                f,
                "Origin \"{}\" is not a valid origin (scheme://host[:port] or null)",
                Shown(o)
            ),
            Denial::MultipleOrigins => f.write_str("the request has more than one Origin header"),
            Denial::MethodNotAllowed(m) => {
                write!(f, "method {} is not in allow_methods", Shown(m))
            }
            Denial::MethodInvalid([]) => f.write_str("Access-Control-Request-Method is empty"),
            Denial::MethodInvalid(m) => write!(
                f,
                "Access-Control-Request-Method \"{}\" is not a method token",
                Shown(m)
            ),
            Denial::MethodForbidden(m) => write!(
                f,
                "method {} is forbidden (browsers never send CONNECT, TRACE or TRACK)",
                Shown(m)
            ),
            Denial::MultipleMethods => {
                f.write_str("the preflight has more than one Access-Control-Request-Method header")
            }
            Denial::HeaderNotAllowed(h) => {
                write!(f, "request header {} is not in allow_headers", Shown(h))
            }
            Denial::AuthorizationNotCovered => f.write_str(
                "request header authorization is not covered by allow_headers = \"*\"; \
                 list it: [\"*\", \"authorization\"]",
            ),
            Denial::HeaderInvalid(h) => write!(
                f,
                "Access-Control-Request-Headers has \"{}\", which is not a header name",
                Shown(h)
            ),
            Denial::TooManyHeaders => write!(
                f,
                "Access-Control-Request-Headers lists more than {MAX_REQUESTED_HEADERS} names"
            ),
            Denial::TooManyHeaderLines => write!(
                f,
                "the request has more than {MAX_REQUEST_HEADER_LINES} \
                 Access-Control-Request-Headers lines, the most allow_headers = \"*\" with \
                 credentials mirrors"
            ),
            Denial::PrivateNetworkNotAllowed => f.write_str(
                "the preflight asks for private network access and allow_private_network is false",
            ),
            Denial::PathNotNormal(p) => write!(
                f,
                "path \"{}\" is not in normal form (a dot segment, an empty segment, an \
                 encoded unreserved character, '/' or '\\'), and the policy is chosen by \
                 path, so nothing is granted",
                Shown(p)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique_and_round_trip() {
        let mut numbers: Vec<u32> = DenialKind::ALL.iter().map(|k| *k as u32).collect();
        let mut names: Vec<&str> = DenialKind::ALL.iter().map(|k| k.as_str()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        names.sort_unstable();
        names.dedup();
        assert_eq!(numbers.len(), DenialKind::ALL.len());
        assert_eq!(names.len(), DenialKind::ALL.len());
        for &k in DenialKind::ALL {
            assert_eq!(DenialKind::from_u32(k as u32), Some(k));
            assert_eq!(Denial::from_parts(k, b"v").kind(), k);
        }
        assert_eq!(DenialKind::from_u32(0), None);
    }

    /// A value is shown whole up to 100 bytes, and cut there with its length beyond.
    #[test]
    fn values_are_shown_whole_up_to_100_bytes() {
        let exact = vec![b'a'; 100];
        assert_eq!(Shown(&exact).to_string(), "a".repeat(100));
        let long = vec![b'a'; 101];
        assert_eq!(
            Shown(&long).to_string(),
            format!("{}… (101 bytes)", "a".repeat(100))
        );
        assert_eq!(Shown(b"\x01b").to_string(), "\\x01b");
    }

    /// docs/semantics.md lists every denial with its number, name and description.
    #[test]
    fn the_docs_table_matches() {
        let docs = include_str!("../../docs/semantics.md");
        for &k in DenialKind::ALL {
            let row = format!("| {} | `{}` | {} |", k as u32, k.as_str(), k.description());
            assert!(docs.contains(&row), "docs/semantics.md lacks {row:?}");
        }
    }
}
