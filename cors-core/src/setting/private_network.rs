//! `allow_private_network` ([Private Network Access](https://wicg.github.io/private-network-access/)):
//! whether public pages may reach this private-network server (the preflights older
//! Chromium versions send; newer ones ask the user instead).

use crate::compile::{Compiler, ValueId};
use crate::config::Config;
use crate::decision::Decision;
use crate::denial::Denial;
use crate::request::Found;
use crate::response::ResponseHeader;
use crate::token;
use crate::vary::Vary;

/// The compiled `allow_private_network`: the value `true` when allowed.
pub(crate) struct PrivateNetwork(Option<ValueId>);

impl PrivateNetwork {
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> PrivateNetwork {
        PrivateNetwork(config.allow_private_network.then(|| c.value("true")))
    }

    /// A preflight varies on the request header only when the answer can depend on it.
    pub(crate) fn vary(&self) -> Vary {
        match self.0 {
            Some(_) => Vary::REQUEST_PRIVATE_NETWORK,
            None => Vary::NONE,
        }
    }

    /// Whether the preflight asks for private network access (one line, `true`), and
    /// whether that is allowed.
    pub(crate) fn check<'a, V: AsRef<[u8]> + ?Sized>(
        &self,
        lines: &Found<'a, V>,
    ) -> Result<bool, Denial<'a>> {
        let requested = !lines.more
            && lines
                .first
                .is_some_and(|v| token::trim_ows(v.as_ref()) == b"true");
        if requested && self.0.is_none() {
            return Err(Denial::PrivateNetworkNotAllowed);
        }
        Ok(requested)
    }

    /// `Access-Control-Allow-Private-Network: true` when asked for (and so allowed).
    pub(crate) fn render<'a, V: ?Sized>(&self, d: &mut Decision<'a, V>, requested: bool) {
        if requested {
            d.set_value(ResponseHeader::AllowPrivateNetwork, self.0);
        }
    }
}
