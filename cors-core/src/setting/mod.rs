//! One module per setting: each compiles its config field (with its errors and warnings),
//! checks a request against it, and renders its response header. `Policy::compile` and
//! `Policy::decide` only orchestrate them.
//!
//! Adding a setting: a field in `Config` (and its `deserialize_with` in `config/typed.rs`),
//! a module here, a line in [`Settings`], and its call in `decide`.

mod credentials;
mod expose;
mod headers;
mod max_age;
mod methods;
mod origins;
mod preflight;
mod private_network;

use crate::compile::Compiler;
use crate::config::Config;

pub(crate) use credentials::Credentials;
pub(crate) use expose::ExposeHeaders;
pub(crate) use headers::AllowHeaders;
pub(crate) use max_age::MaxAge;
pub(crate) use methods::AllowMethods;
pub(crate) use origins::AllowOrigins;
pub(crate) use preflight::PreflightAnswer;
pub(crate) use private_network::PrivateNetwork;

/// Every compiled setting of a policy.
pub(crate) struct Settings {
    pub(crate) origins: AllowOrigins,
    pub(crate) credentials: Credentials,
    pub(crate) methods: AllowMethods,
    pub(crate) headers: AllowHeaders,
    pub(crate) expose: ExposeHeaders,
    pub(crate) max_age: MaxAge,
    pub(crate) private_network: PrivateNetwork,
    pub(crate) preflight: PreflightAnswer,
    /// `debug_denial_header`: denials carry `CORS-Denial-Reason`.
    pub(crate) debug_denial: bool,
    /// `dynamic_origins`: an origin not listed may be allowed by the server's predicate.
    pub(crate) dynamic_origins: bool,
}

impl Settings {
    /// Compiles every field, collecting every error into `c`; the settings and the
    /// normalized config (compiling it again gives equal settings), usable only when `c`
    /// has no errors. `config.routes` is not looked at.
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> (Settings, Config) {
        let (origins, allow_origins) = AllowOrigins::compile(c, config);
        let credentials = Credentials::compile(c, config);
        let (methods, allow_methods) = AllowMethods::compile(c, config);
        let (headers, allow_headers) = AllowHeaders::compile(c, config);
        let (expose, expose_headers) = ExposeHeaders::compile(c, config);
        let max_age = MaxAge::compile(c, config);
        let private_network = PrivateNetwork::compile(c, config);
        let preflight = PreflightAnswer::compile(c, config);
        let normalized = Config {
            allow_origins,
            allow_methods,
            allow_headers,
            expose_headers,
            allow_credentials: credentials.allowed(),
            max_age: config.max_age,
            allow_private_network: config.allow_private_network,
            preflight_status: preflight.status().as_u16(),
            preflight_continue: config.preflight_continue,
            mode: config.mode,
            debug_denial_header: config.debug_denial_header,
            dynamic_origins: config.dynamic_origins,
            routes: Vec::new(),
        };
        if config.dynamic_origins && !origins.is_any() {
            c.warn(
                crate::error::Field::DynamicOrigins,
                None,
                "true",
                crate::error::WarningKind::DynamicOrigins,
            );
        }
        if config.debug_denial_header {
            c.warn(
                crate::error::Field::DebugDenialHeader,
                None,
                "true",
                crate::error::WarningKind::DebugDenialHeader,
            );
        }
        let origins_any = origins.is_any();
        let settings = Settings {
            origins,
            credentials,
            methods,
            headers,
            expose,
            max_age,
            private_network,
            preflight,
            debug_denial: config.debug_denial_header,
            dynamic_origins: config.dynamic_origins && !origins_any,
        };
        (settings, normalized)
    }
}
