//! Building a policy in code: [`Policy::builder`]. The setters are named after the config
//! keys, and [`PolicyBuilder::build`] validates exactly as a config file is validated.

use std::time::Duration;

use crate::config::{AnyOr, Config, Mode, Route};
use crate::error::ConfigErrors;
use crate::policy::{Compiled, Policy};

/// A value a list setting accepts: `&str`, `String`, or `http`'s `Method`, `HeaderName`
/// and `HeaderValue` (by value or by reference).
pub trait ConfigValue {
    /// The value as written in a config file.
    fn into_config_value(self) -> String;
}

macro_rules! config_value {
    ($($ty:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl ConfigValue for $ty {
            fn into_config_value(self) -> String {
                let $v = self;
                $e
            }
        }
    )*};
}

config_value!(
    &str => |v| v.to_owned(),
    String => |v| v,
    &String => |v| v.clone(),
    http::Method => |v| v.as_str().to_owned(),
    &http::Method => |v| v.as_str().to_owned(),
    http::HeaderName => |v| v.as_str().to_owned(),
    &http::HeaderName => |v| v.as_str().to_owned(),
    // A header value that is not UTF-8 keeps its bytes visible in the error it gets.
    http::HeaderValue => |v| String::from_utf8_lossy(v.as_bytes()).into_owned(),
    &http::HeaderValue => |v| String::from_utf8_lossy(v.as_bytes()).into_owned(),
);

fn list<I>(items: I) -> AnyOr<String>
where
    I: IntoIterator,
    I::Item: ConfigValue,
{
    AnyOr::List(
        items
            .into_iter()
            .map(ConfigValue::into_config_value)
            .collect(),
    )
}

/// One setter's value, applied to the top level or to a route.
enum Setting {
    AllowOrigins(AnyOr<String>),
    AllowMethods(AnyOr<String>),
    AllowHeaders(AnyOr<String>),
    ExposeHeaders(AnyOr<String>),
    AllowCredentials(bool),
    MaxAge(Option<u64>),
    AllowPrivateNetwork(bool),
    PreflightStatus(u16),
    PreflightContinue(bool),
    Mode(Mode),
    DebugDenialHeader(bool),
    DynamicOrigins(bool),
}

/// The setters, the same on [`PolicyBuilder`] and [`RouteBuilder`].
macro_rules! setters {
    () => {
        /// `allow_origins`: exact origins (`https://app.example.com`), subdomain wildcards
        /// (`https://*.example.com`), label patterns (`https://pr-*.example.com`),
        /// any-port wildcards (`http://localhost:*`) or `"null"`.
        pub fn allow_origins<I>(self, origins: I) -> Self
        where
            I: IntoIterator,
            I::Item: ConfigValue,
        {
            self.with(Setting::AllowOrigins(list(origins)))
        }

        /// `allow_origins = "*"`: every origin, without credentials.
        pub fn allow_any_origin(self) -> Self {
            self.with(Setting::AllowOrigins(AnyOr::Any))
        }

        /// `allow_methods`: `http::Method`s or strings, as sent (`PATCH`, not `patch`).
        pub fn allow_methods<I>(self, methods: I) -> Self
        where
            I: IntoIterator,
            I::Item: ConfigValue,
        {
            self.with(Setting::AllowMethods(list(methods)))
        }

        /// `allow_methods = "*"`.
        pub fn allow_any_method(self) -> Self {
            self.with(Setting::AllowMethods(AnyOr::Any))
        }

        /// `allow_headers`: `http::HeaderName`s or strings.
        pub fn allow_headers<I>(self, headers: I) -> Self
        where
            I: IntoIterator,
            I::Item: ConfigValue,
        {
            self.with(Setting::AllowHeaders(list(headers)))
        }

        /// `allow_headers = "*"`: every request header but `authorization` (add it with
        /// `allow_headers(["*", "authorization"])`).
        pub fn allow_any_header(self) -> Self {
            self.with(Setting::AllowHeaders(AnyOr::Any))
        }

        /// `expose_headers`: `http::HeaderName`s or strings.
        pub fn expose_headers<I>(self, headers: I) -> Self
        where
            I: IntoIterator,
            I::Item: ConfigValue,
        {
            self.with(Setting::ExposeHeaders(list(headers)))
        }

        /// `expose_headers = "*"` (without credentials).
        pub fn expose_any_header(self) -> Self {
            self.with(Setting::ExposeHeaders(AnyOr::Any))
        }

        /// `allow_credentials`.
        pub fn allow_credentials(self, allow: bool) -> Self {
            self.with(Setting::AllowCredentials(allow))
        }

        /// `max_age`, in whole seconds (a fraction is dropped).
        pub fn max_age(self, age: Duration) -> Self {
            self.with(Setting::MaxAge(Some(age.as_secs())))
        }

        /// No `max_age` (no header: the browser's default, 5 seconds).
        pub fn no_max_age(self) -> Self {
            self.with(Setting::MaxAge(None))
        }

        /// `allow_private_network`.
        pub fn allow_private_network(self, allow: bool) -> Self {
            self.with(Setting::AllowPrivateNetwork(allow))
        }

        /// `preflight_status`: 200 or 204.
        pub fn preflight_status(self, status: http::StatusCode) -> Self {
            self.with(Setting::PreflightStatus(status.as_u16()))
        }

        /// `preflight_continue`.
        pub fn preflight_continue(self, forward: bool) -> Self {
            self.with(Setting::PreflightContinue(forward))
        }

        /// `mode`.
        pub fn mode(self, mode: Mode) -> Self {
            self.with(Setting::Mode(mode))
        }

        /// `debug_denial_header` (development only).
        pub fn debug_denial_header(self, on: bool) -> Self {
            self.with(Setting::DebugDenialHeader(on))
        }

        /// `dynamic_origins`: origins not listed go to the server's origin predicate
        /// ([`OriginPredicate`](crate::OriginPredicate)).
        pub fn dynamic_origins(self, on: bool) -> Self {
            self.with(Setting::DynamicOrigins(on))
        }
    };
}

/// Builds a [`Policy`] in code; from [`Policy::builder`].
///
/// Each setter sets the config key of its name; nothing is checked until
/// [`build`](Self::build), which validates as a config file is validated and returns every
/// error at once.
///
/// ```
/// use std::time::Duration;
/// use cors_core::Policy;
/// use http::{Method, header};
///
/// let policy = Policy::builder()
///     .allow_origins(["https://app.example.com", "https://*.example.com"])
///     .allow_methods([Method::GET, Method::POST, Method::DELETE])
///     .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600))
///     .route("/public", |r| r.allow_any_origin().allow_credentials(false))
///     .build()?;
/// assert_eq!(policy.config().max_age, Some(600));
///
/// // Every problem at once, each naming its key:
/// let errors = Policy::builder()
///     .allow_origins(["https://app.example.com/"])
///     .allow_methods(["GET", "BAD METHOD"])
///     .build()
///     .unwrap_err();
/// assert_eq!(errors.len(), 2);
/// assert!(errors.to_string().contains("allow_methods[1]"));
/// # Ok::<(), cors_core::ConfigErrors>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PolicyBuilder {
    config: Config,
}

impl PolicyBuilder {
    fn with(mut self, setting: Setting) -> Self {
        let c = &mut self.config;
        match setting {
            Setting::AllowOrigins(v) => c.allow_origins = v,
            Setting::AllowMethods(v) => c.allow_methods = v,
            Setting::AllowHeaders(v) => c.allow_headers = v,
            Setting::ExposeHeaders(v) => c.expose_headers = v,
            Setting::AllowCredentials(v) => c.allow_credentials = v,
            Setting::MaxAge(v) => c.max_age = v,
            Setting::AllowPrivateNetwork(v) => c.allow_private_network = v,
            Setting::PreflightStatus(v) => c.preflight_status = v,
            Setting::PreflightContinue(v) => c.preflight_continue = v,
            Setting::Mode(v) => c.mode = v,
            Setting::DebugDenialHeader(v) => c.debug_denial_header = v,
            Setting::DynamicOrigins(v) => c.dynamic_origins = v,
        }
        self
    }

    setters!();

    /// Adds a route (`[[routes]]`) for `path`: settings the route sets replace the top
    /// level's; the rest are inherited.
    pub fn route(
        mut self,
        path: impl Into<String>,
        f: impl FnOnce(RouteBuilder) -> RouteBuilder,
    ) -> Self {
        let route = f(RouteBuilder {
            route: Route::new(path),
        });
        self.config.routes.push(route.route);
        self
    }

    /// Validates and compiles the policy; warnings are logged at `warn` (as
    /// [`Policy::new`] does).
    ///
    /// # Errors
    ///
    /// Every refused value at once ([`ConfigErrors`]), each naming its key and the fix.
    pub fn build(self) -> Result<Policy, ConfigErrors> {
        Policy::new(&self.config)
    }

    /// Like [`build`](Self::build), returning the warnings instead of logging them.
    ///
    /// # Errors
    ///
    /// See [`build`](Self::build).
    pub fn compile(self) -> Result<Compiled, ConfigErrors> {
        Policy::compile(&self.config)
    }

    /// The config built so far (what `cors check` would read from a file).
    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// A route's settings in [`PolicyBuilder::route`]: the same setters, each replacing the
/// top level's value for the route.
#[derive(Debug, Clone)]
#[must_use]
pub struct RouteBuilder {
    route: Route,
}

impl RouteBuilder {
    fn with(mut self, setting: Setting) -> Self {
        let r = &mut self.route;
        match setting {
            Setting::AllowOrigins(v) => r.allow_origins = Some(v),
            Setting::AllowMethods(v) => r.allow_methods = Some(v),
            Setting::AllowHeaders(v) => r.allow_headers = Some(v),
            Setting::ExposeHeaders(v) => r.expose_headers = Some(v),
            Setting::AllowCredentials(v) => r.allow_credentials = Some(v),
            Setting::MaxAge(v) => r.max_age = Some(v),
            Setting::AllowPrivateNetwork(v) => r.allow_private_network = Some(v),
            Setting::PreflightStatus(v) => r.preflight_status = Some(v),
            Setting::PreflightContinue(v) => r.preflight_continue = Some(v),
            Setting::Mode(v) => r.mode = Some(v),
            Setting::DebugDenialHeader(v) => r.debug_denial_header = Some(v),
            Setting::DynamicOrigins(v) => r.dynamic_origins = Some(v),
        }
        self
    }

    setters!();
}

impl Policy {
    /// A [`PolicyBuilder`]: build a policy in code, validated as a config file is.
    ///
    /// ```
    /// let policy = cors_core::Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .build()?;
    /// # Ok::<(), cors_core::ConfigErrors>(())
    /// ```
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, ErrorKind, Field};
    use http::{Method, Request, StatusCode, header};

    #[test]
    fn builder_equals_the_same_file() {
        let built = Policy::builder()
            .allow_origins(["https://app.example.com", "https://*.example.com"])
            .allow_methods([Method::GET, Method::PUT])
            .allow_headers([header::CONTENT_TYPE])
            .expose_headers(["x-request-id"])
            .allow_credentials(true)
            .max_age(Duration::from_millis(600_900))
            .allow_private_network(true)
            .preflight_status(StatusCode::OK)
            .preflight_continue(true)
            .debug_denial_header(false)
            .mode(Mode::Enforce)
            .route("/public/", |r| {
                r.allow_any_origin()
                    .allow_credentials(false)
                    .allow_any_header()
                    .allow_any_method()
                    .expose_any_header()
                    .no_max_age()
                    .mode(Mode::ReportOnly)
            })
            .build()
            .unwrap();
        let file = Policy::from_toml_str(
            r#"
            allow_origins = ["https://*.example.com", "https://app.example.com"]
            allow_methods = ["GET", "PUT"]
            allow_headers = ["content-type"]
            expose_headers = ["x-request-id"]
            allow_credentials = true
            max_age = 600
            allow_private_network = true
            preflight_status = 200
            preflight_continue = true
            [[routes]]
            path = "/public"
            allow_origins = "*"
            allow_credentials = false
            allow_headers = "*"
            allow_methods = "*"
            expose_headers = "*"
            max_age = 0
            mode = "report-only"
            "#,
        )
        .unwrap();
        let mut expected = file.config().clone();
        // TOML has no null: the file's route writes 0 where the builder says "no header".
        expected.routes[0].max_age = Some(None);
        assert_eq!(built.config(), &expected);
    }

    #[test]
    fn every_error_at_once_never_a_panic() {
        let errors = Policy::builder()
            .allow_origins(["https://a.example/path", "*"])
            .allow_methods(["GET", "GET POST"])
            .allow_headers(["bad header"])
            .preflight_status(StatusCode::INTERNAL_SERVER_ERROR)
            .allow_credentials(true)
            .route("no-slash", |r| r.allow_headers(["x"]))
            .compile()
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field(), e.route())).collect();
        assert!(fields.contains(&(Field::AllowOrigins, None)), "{errors}");
        assert!(fields.contains(&(Field::AllowMethods, None)), "{errors}");
        assert!(fields.contains(&(Field::AllowHeaders, None)), "{errors}");
        assert!(fields.contains(&(Field::PreflightStatus, None)), "{errors}");
        assert!(fields.contains(&(Field::Path, Some(0))), "{errors}");
        assert!(errors.len() >= 5, "{errors}");
    }

    #[test]
    fn values_from_http_types_and_strings() {
        let name = header::HeaderName::from_static("x-a");
        let value = http::HeaderValue::from_static("https://v.example");
        let b = Policy::builder()
            .allow_origins([&value])
            .allow_origins(vec![
                String::from("https://s.example"),
                value.to_str().unwrap().into(),
            ])
            .allow_headers([&name])
            .allow_methods([&Method::PATCH]);
        assert_eq!(
            b.config().allow_origins,
            AnyOr::from(["https://s.example", "https://v.example"])
        );
        let policy = b.clone().build().unwrap();
        let preflight = Request::options("/")
            .header("origin", "https://s.example")
            .header("access-control-request-method", "PATCH")
            .header("access-control-request-headers", "x-a")
            .body(())
            .unwrap();
        assert_eq!(
            policy.decide(&preflight).action(),
            Action::Respond(StatusCode::NO_CONTENT)
        );
        let invalid = http::HeaderValue::from_bytes(b"https://\xffx.example").unwrap();
        let e = Policy::builder()
            .allow_origins([invalid])
            .build()
            .unwrap_err();
        assert!(e.iter().any(|e| e.field() == Field::AllowOrigins), "{e}");
        let owned = String::from("https://o.example");
        assert!(Policy::builder().allow_origins([&owned]).build().is_ok());
    }

    #[test]
    fn dynamic_origins_from_the_builder() {
        let c = Policy::builder()
            .dynamic_origins(true)
            .route("/x", |r| {
                r.dynamic_origins(false)
                    .allow_origins(["https://x.example"])
            })
            .compile()
            .unwrap();
        assert!(c.policy.has_dynamic_origins());
        assert!(
            c.warnings
                .iter()
                .any(|w| w.field() == Field::DynamicOrigins)
        );
        let e = Policy::builder()
            .allow_any_origin()
            .dynamic_origins(true)
            .build()
            .unwrap_err();
        assert!(
            e.iter()
                .any(|e| *e.kind() == ErrorKind::DynamicOriginsWithAny),
            "{e}"
        );
        let e = Policy::builder().build().unwrap_err();
        assert!(e.iter().any(|e| *e.kind() == ErrorKind::NoOrigins), "{e}");
        // A route turning it off needs origins of its own.
        let e = Policy::builder()
            .dynamic_origins(true)
            .route("/x", |r| r.dynamic_origins(false))
            .build()
            .unwrap_err();
        assert_eq!(e.iter().next().map(|e| e.route()), Some(Some(0)), "{e}");
    }
}
