//! `expose_headers` ([ACEH](https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Expose-Headers)):
//! response headers scripts may read beyond the safelisted ones.

use crate::compile::{Compiler, ListOrAny, ValueId};
use crate::config::{AnyOr, Config};
use crate::decision::Decision;
use crate::error::{ErrorKind, Field, WarningKind};
use crate::response::ResponseHeader;
use crate::token;

/// The compiled `expose_headers`: its value, `None` when nothing is exposed.
pub(crate) struct ExposeHeaders(Option<ValueId>);

impl ExposeHeaders {
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> (ExposeHeaders, AnyOr<String>) {
        let field = Field::ExposeHeaders;
        match c.list_or_any(field, &config.expose_headers) {
            ListOrAny::Any | ListOrAny::AnyWithAuthorization => {
                if config.allow_credentials {
                    c.error(
                        field,
                        None,
                        Some("*"),
                        ErrorKind::WildcardExposeWithCredentials,
                    );
                }
                (ExposeHeaders(Some(c.value("*"))), AnyOr::Any)
            }
            ListOrAny::List(list) => {
                let out = c.header_names(field, list, |name| {
                    if token::is_forbidden_response_header(name) {
                        Some(WarningKind::ForbiddenResponseHeader)
                    } else if token::is_safelisted_response_header(name) {
                        Some(WarningKind::SafelistedResponseHeader)
                    } else {
                        None
                    }
                });
                (ExposeHeaders(c.joined(&out)), AnyOr::List(out))
            }
        }
    }

    /// `Access-Control-Expose-Headers` on actual responses, when configured.
    pub(crate) fn render<'a, V: ?Sized>(&self, d: &mut Decision<'a, V>) {
        d.set_value(ResponseHeader::ExposeHeaders, self.0);
    }
}
