//! `allow_methods` ([ACAM](https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Methods)):
//! methods a preflight may ask for; `GET`, `HEAD` and `POST` never need asking.

use std::collections::HashSet;

use crate::compile::{Compiler, ListOrAny, ValueId};
use crate::config::{AnyOr, Config};
use crate::decision::{Decision, HeaderRef};
use crate::denial::Denial;
use crate::error::{ErrorKind, Field, WarningKind};
use crate::request::RequestHeader;
use crate::response::ResponseHeader;
use crate::server_limits::MethodLimit;
use crate::token;

/// The longest `Access-Control-Request-Method` read; a longer one is invalid.
pub(crate) const MAX_METHOD_LEN: usize = 128;

/// The compiled `allow_methods`.
pub(crate) enum AllowMethods {
    /// `"*"`: `*` without credentials; the requested method mirrored with them (`value`
    /// is `None`).
    Any { value: Option<ValueId> },
    /// Normalized methods, sorted; `value` their list (`None` when empty).
    List {
        methods: Box<[Box<[u8]>]>,
        value: Option<ValueId>,
    },
}

impl AllowMethods {
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> (AllowMethods, AnyOr<String>) {
        let field = Field::AllowMethods;
        let list = match c.list_or_any(field, &config.allow_methods) {
            ListOrAny::Any | ListOrAny::AnyWithAuthorization => {
                let value = (!config.allow_credentials).then(|| c.value("*"));
                return (AllowMethods::Any { value }, AnyOr::Any);
            }
            ListOrAny::List(list) => list,
        };
        let mut out: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (i, raw) in list.iter().enumerate() {
            if raw == "*" {
                continue;
            }
            let kind = if raw.contains('*') {
                ErrorKind::WildcardInMethod
            } else if !token::is_token(raw.as_bytes()) {
                ErrorKind::InvalidMethod
            } else if token::is_forbidden_method(raw.as_bytes()) {
                ErrorKind::ForbiddenMethod
            } else {
                let m =
                    String::from_utf8_lossy(token::normalize_method(raw.as_bytes())).into_owned();
                if !seen.insert(m.clone()) {
                    c.warn(field, Some(i), raw, WarningKind::Duplicate);
                    continue;
                }
                if let Some(limit) = MethodLimit::of(m.as_bytes()) {
                    let servers = limit.describe();
                    c.warn(
                        field,
                        Some(i),
                        raw,
                        WarningKind::MethodServerLimit { servers },
                    );
                }
                out.push(m);
                continue;
            };
            c.error(field, Some(i), Some(raw), kind);
        }
        out.sort();
        let value = c.joined(&out);
        let methods = out.iter().map(|m| m.as_bytes().into()).collect();
        (AllowMethods::List { methods, value }, AnyOr::List(out))
    }

    /// Checks the requested method (`Access-Control-Request-Method`, Fetch-normalized;
    /// `GET`, `HEAD` and `POST` always pass).
    pub(crate) fn check<'a>(&self, requested: &'a [u8], multiple: bool) -> Result<(), Denial<'a>> {
        if multiple {
            return Err(Denial::MultipleMethods);
        }
        // Browsers send a listed method exactly as the list holds it (normalized): one
        // compare per entry settles it.
        if let AllowMethods::List { methods, .. } = self
            && methods.iter().any(|m| **m == *requested)
        {
            return Ok(());
        }
        // No method is this long: refused without scanning it (bounded work).
        if requested.len() > MAX_METHOD_LEN {
            return Err(Denial::MethodInvalid(requested));
        }
        let raw = token::trim_ows(requested);
        if !token::is_token(raw) {
            return Err(Denial::MethodInvalid(raw));
        }
        if token::is_forbidden_method(raw) {
            return Err(Denial::MethodForbidden(raw));
        }
        let method = token::normalize_method(raw);
        let listed = match self {
            AllowMethods::Any { .. } => true,
            AllowMethods::List { methods, .. } => methods.iter().any(|m| **m == *method),
        };
        if listed || token::is_safelisted_method(method) {
            Ok(())
        } else {
            Err(Denial::MethodNotAllowed(raw))
        }
    }

    /// `Access-Control-Allow-Methods`: the list, `*`, or the requested method mirrored.
    pub(crate) fn render<'a, V: ?Sized>(&self, d: &mut Decision<'a, V>, requested: &'a V) {
        match self {
            AllowMethods::Any { value: None } => d.set(
                ResponseHeader::AllowMethods,
                HeaderRef::Request(RequestHeader::RequestMethod, requested),
            ),
            AllowMethods::Any { value } | AllowMethods::List { value, .. } => {
                d.set_value(ResponseHeader::AllowMethods, *value);
            }
        }
    }
}
