//! `allow_origins` ([ACAO](https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Origin)):
//! which origins may read responses. The grammar and the matcher are in `crate::origin`.

use std::collections::HashSet;

use crate::compile::{Compiler, ListOrAny, ValueId};
use crate::config::{AnyOr, Config};
use crate::decision::{Decision, HeaderRef};
use crate::denial::Denial;
use crate::error::{ErrorKind, Field, WarningKind};
use crate::origin::{Mismatch, OriginSet, Pattern, parse_pattern};
use crate::public_suffix;
use crate::request::RequestHeader;
use crate::response::ResponseHeader;
use crate::vary::Vary;

/// The compiled `allow_origins`.
pub(crate) enum AllowOrigins {
    /// `"*"` without credentials: the constant policy; `Access-Control-Allow-Origin: *`.
    Any { star: ValueId },
    /// Listed origins and patterns; the request's origin is echoed.
    Set(OriginSet),
}

impl AllowOrigins {
    /// Compiles the field (errors and warnings into `c`) and returns it with its
    /// normalized form.
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> (AllowOrigins, AnyOr<String>) {
        let credentials = config.allow_credentials;
        let field = Field::AllowOrigins;
        let list = match c.list_or_any(field, &config.allow_origins) {
            ListOrAny::Any | ListOrAny::AnyWithAuthorization => {
                if credentials {
                    c.error(
                        field,
                        None,
                        Some("*"),
                        ErrorKind::WildcardOriginWithCredentials,
                    );
                }
                if config.dynamic_origins {
                    // On `dynamic_origins`: a route inheriting it may well be public ("*").
                    c.error(
                        Field::DynamicOrigins,
                        None,
                        Some("true"),
                        ErrorKind::DynamicOriginsWithAny,
                    );
                }
                let star = c.value("*");
                return (AllowOrigins::Any { star }, AnyOr::Any);
            }
            ListOrAny::List(list) => list,
        };
        if !config.dynamic_origins
            && matches!(config.allow_origins, AnyOr::List(ref l) if l.is_empty())
        {
            c.error(field, None, None, ErrorKind::NoOrigins);
        }
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut seen: HashSet<Pattern> = HashSet::new();
        for (i, raw) in list.iter().enumerate() {
            if raw == "*" {
                continue;
            }
            match parse_pattern(raw) {
                Ok(Some(p)) => {
                    if !seen.insert(p.clone()) {
                        c.warn(field, Some(i), raw, WarningKind::Duplicate);
                        continue;
                    }
                    if p == Pattern::Null {
                        c.warn(field, Some(i), raw, WarningKind::NullOrigin);
                    }
                    if let Pattern::Subdomain { base, .. } | Pattern::Label { base, .. } = &p
                        && let Some(suffix) = public_suffix::suffix_below(base)
                    {
                        let suffix = suffix.to_owned();
                        c.warn(
                            field,
                            Some(i),
                            raw,
                            WarningKind::PublicSuffixBelowWildcard { suffix },
                        );
                    }
                    if credentials && p.is_insecure() {
                        c.warn(
                            field,
                            Some(i),
                            raw,
                            WarningKind::InsecureOriginWithCredentials,
                        );
                    }
                    patterns.push(p);
                }
                Ok(None) => {}
                Err(kind) => c.error(field, Some(i), Some(raw), kind),
            }
        }
        let mut normalized: Vec<String> = patterns.iter().map(Pattern::to_config_string).collect();
        normalized.sort();
        (
            AllowOrigins::Set(OriginSet::new(&patterns)),
            AnyOr::List(normalized),
        )
    }

    /// Whether this is the constant policy.
    pub(crate) fn is_any(&self) -> bool {
        matches!(self, AllowOrigins::Any { .. })
    }

    /// What a response varies on: the origin, unless every origin gets the same answer.
    pub(crate) fn vary(&self) -> Vary {
        match self {
            AllowOrigins::Any { .. } => Vary::NONE,
            AllowOrigins::Set(_) => Vary::ORIGIN,
        }
    }

    /// Checks the request's origin: `Ok(Some(origin))` to echo, `Ok(None)` for the
    /// constant policy (which never looks at it).
    pub(crate) fn check<'a, V: AsRef<[u8]> + ?Sized>(
        &self,
        origin: &'a V,
        multiple: bool,
        grant: bool,
    ) -> Result<Option<&'a V>, Denial<'a>> {
        match self {
            AllowOrigins::Any { .. } => Ok(None),
            AllowOrigins::Set(_) if multiple => Err(Denial::MultipleOrigins),
            AllowOrigins::Set(set) => {
                let raw = origin.as_ref();
                match set.check(raw) {
                    Ok(()) => Ok(Some(origin)),
                    Err(Mismatch::Malformed) => Err(Denial::OriginMalformed(raw)),
                    // The server's origin predicate allowed it (`dynamic_origins`).
                    Err(Mismatch::NotListed) if grant => Ok(Some(origin)),
                    Err(Mismatch::NotListed) => Err(Denial::OriginNotAllowed(raw)),
                }
            }
        }
    }

    /// `Access-Control-Allow-Origin`: the echoed origin, or `*`.
    pub(crate) fn render<'a, V: ?Sized>(&self, d: &mut Decision<'a, V>, echo: Option<&'a V>) {
        match (self, echo) {
            (_, Some(origin)) => d.set(
                ResponseHeader::AllowOrigin,
                HeaderRef::Request(RequestHeader::Origin, origin),
            ),
            (AllowOrigins::Any { star }, None) => {
                d.set_value(ResponseHeader::AllowOrigin, Some(*star));
            }
            (AllowOrigins::Set(_), None) => {}
        }
    }
}
