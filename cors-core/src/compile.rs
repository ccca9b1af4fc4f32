//! What every setting's compilation shares: the findings (every error at once, warnings
//! beside them), the precomputed header values, and the `"*"` rules of list fields.

use std::collections::HashSet;

use http::HeaderValue;

use crate::config::AnyOr;
use crate::error::{ConfigError, ConfigWarning, ErrorKind, Field, WarningKind};
use crate::policy::PolicyValue;
use crate::token;

/// The index of a precomputed value in `Policy::values()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ValueId(u16);

impl ValueId {
    /// The index into the policy's values.
    pub(crate) fn index(self) -> u16 {
        self.0
    }
}

/// Collects findings and values while each setting compiles its field.
#[derive(Default)]
pub(crate) struct Compiler {
    pub(crate) errors: Vec<ConfigError>,
    pub(crate) warnings: Vec<ConfigWarning>,
    pub(crate) values: Vec<PolicyValue>,
    /// Each value's id by its text: routes share the values they have in common.
    pub(crate) ids: std::collections::HashMap<String, ValueId>,
    /// The route whose settings are compiling (`None`: the top level); findings name it.
    pub(crate) route: Option<usize>,
}

/// A list field after its `"*"` handling.
pub(crate) enum ListOrAny<'c> {
    Any,
    /// `"*"` plus `authorization`, allowed only in `allow_headers`.
    AnyWithAuthorization,
    List(&'c [String]),
}

impl Compiler {
    pub(crate) fn error(
        &mut self,
        field: Field,
        index: Option<usize>,
        value: Option<&str>,
        kind: ErrorKind,
    ) {
        self.errors.push(ConfigError::new(
            self.route,
            field,
            index,
            value.map(str::to_owned),
            kind,
        ));
    }

    pub(crate) fn warn(
        &mut self,
        field: Field,
        index: Option<usize>,
        value: &str,
        kind: WarningKind,
    ) {
        self.warnings.push(ConfigWarning::new(
            self.route,
            field,
            index,
            Some(value.to_owned()),
            kind,
        ));
    }

    /// Stores a header value built from validated tokens and returns its id.
    pub(crate) fn value(&mut self, text: &str) -> ValueId {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let value = HeaderValue::from_str(text).unwrap_or_else(|_| {
            // Unreachable: every text here is built from validated tokens, digits or "*".
            HeaderValue::from_static("")
        });
        // The first clone of a heap header value converts its buffer to a shared one (one
        // allocation); doing it here keeps every later clone, per request, allocation-free.
        drop(value.clone());
        // At most MAX_ROUTES + 1 policies of a few values each: fits (the route limit
        // is checked first).
        let id = u16::try_from(self.values.len()).unwrap_or(u16::MAX);
        self.values.push(PolicyValue::new(id, value));
        self.ids.insert(text.to_owned(), ValueId(id));
        ValueId(id)
    }

    /// The value of a comma list, or none for an empty list.
    pub(crate) fn joined(&mut self, list: &[String]) -> Option<ValueId> {
        (!list.is_empty()).then(|| self.value(&list.join(", ")))
    }

    /// Handles `"*"` in a list field: alone it means any; mixed it is an error.
    pub(crate) fn list_or_any<'c>(&mut self, field: Field, v: &'c AnyOr<String>) -> ListOrAny<'c> {
        let list = match v {
            AnyOr::Any => return ListOrAny::Any,
            AnyOr::List(list) => list,
        };
        let Some(star) = list.iter().position(|s| s == "*") else {
            return ListOrAny::List(list);
        };
        for (i, s) in list.iter().enumerate().skip(star + 1) {
            if s == "*" {
                self.warn(field, Some(i), s, WarningKind::Duplicate);
            }
        }
        let others: Vec<&String> = list.iter().filter(|s| *s != "*").collect();
        if others.is_empty() {
            return ListOrAny::Any;
        }
        if field == Field::AllowHeaders
            && others
                .iter()
                .all(|s| s.eq_ignore_ascii_case("authorization"))
        {
            return ListOrAny::AnyWithAuthorization;
        }
        self.error(field, Some(star), Some("*"), ErrorKind::WildcardMixed);
        // The other entries are still validated (every error at once); "*" is skipped.
        ListOrAny::List(list)
    }

    /// Validates, lower-cases, sorts and deduplicates a header-name list (`allow_headers`,
    /// `expose_headers`); `check` adds the field's own warnings for a valid name.
    pub(crate) fn header_names(
        &mut self,
        field: Field,
        list: &[String],
        check: impl Fn(&str) -> Option<WarningKind>,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (i, raw) in list.iter().enumerate() {
            if raw == "*" {
                continue;
            }
            if raw.contains('*') {
                self.error(field, Some(i), Some(raw), ErrorKind::WildcardInHeaderName);
                continue;
            }
            if !token::is_token(raw.as_bytes()) {
                self.error(field, Some(i), Some(raw), ErrorKind::InvalidHeaderName);
                continue;
            }
            let name = raw.to_ascii_lowercase();
            if !seen.insert(name.clone()) {
                self.warn(field, Some(i), raw, WarningKind::Duplicate);
                continue;
            }
            if let Some(w) = check(&name) {
                self.warn(field, Some(i), raw, w);
            }
            out.push(name);
        }
        out.sort();
        out
    }
}
