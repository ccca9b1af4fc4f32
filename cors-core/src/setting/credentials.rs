//! `allow_credentials` ([ACAC](https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials)):
//! whether cookies, HTTP auth and client certificates may be used.

use crate::compile::{Compiler, ValueId};
use crate::config::Config;
use crate::decision::Decision;
use crate::response::ResponseHeader;

/// The compiled `allow_credentials`: the value `true` when allowed.
pub(crate) struct Credentials(Option<ValueId>);

impl Credentials {
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> Credentials {
        Credentials(config.allow_credentials.then(|| c.value("true")))
    }

    pub(crate) fn allowed(&self) -> bool {
        self.0.is_some()
    }

    /// `Access-Control-Allow-Credentials: true` when allowed.
    pub(crate) fn render<'a, V: ?Sized>(&self, d: &mut Decision<'a, V>) {
        d.set_value(ResponseHeader::AllowCredentials, self.0);
    }
}
