//! `max_age` ([ACMA](https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Max-Age)):
//! how long a browser caches a preflight answer.

use crate::compile::{Compiler, ValueId};
use crate::config::Config;
use crate::decision::Decision;
use crate::error::{ErrorKind, Field, WarningKind};
use crate::response::ResponseHeader;

/// Every browser caps the preflight cache at or below this (Firefox 86400, Chromium 7200).
const BROWSER_CAP: u64 = 86_400;

/// The compiled `max_age`: its value, `None` when absent (no header).
pub(crate) struct MaxAge(Option<ValueId>);

impl MaxAge {
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> MaxAge {
        let Some(age) = config.max_age else {
            return MaxAge(None);
        };
        let text = age.to_string();
        if age > u64::from(u32::MAX) {
            c.error(Field::MaxAge, None, Some(&text), ErrorKind::MaxAgeTooLarge);
        } else if age > BROWSER_CAP {
            c.warn(
                Field::MaxAge,
                None,
                &text,
                WarningKind::MaxAgeAboveBrowserCap,
            );
        }
        MaxAge(Some(c.value(&text)))
    }

    /// `Access-Control-Max-Age` on allowed preflights, when configured.
    pub(crate) fn render<'a, V: ?Sized>(&self, d: &mut Decision<'a, V>) {
        d.set_value(ResponseHeader::MaxAge, self.0);
    }
}
