//! Which rules of the policy allowed a request.

use std::fmt;

use cors_core::fetch;
use cors_core::{AnyOr, Policy, RequestHeader, RequestKind, RequestView, ResponseHeader};

use crate::browser::*;

/// A rule of the policy that allowed part of a request, for explaining allowed decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grant {
    /// `allow_origins = "*"` without credentials: every origin, no `Vary: Origin`.
    AnyOrigin,
    /// The origin matched this (normalized) `allow_origins` entry.
    OriginListed {
        /// The request's origin.
        origin: String,
        /// The entry it matched.
        entry: String,
    },
    /// `GET`, `HEAD` and `POST` are always allowed.
    SafelistedMethod(String),
    /// The method is in `allow_methods`.
    MethodListed(String),
    /// `allow_methods = "*"`.
    AnyMethod(String),
    /// The requested header is in `allow_headers`.
    HeaderListed(String),
    /// `allow_headers = "*"` covers the requested header.
    AnyHeader(String),
    /// `allow_headers = ["*", "authorization"]` covers `authorization`.
    AuthorizationListed,
    /// `allow_private_network = true`.
    PrivateNetwork,
    /// `allow_credentials = true`: `Access-Control-Allow-Credentials: true` is sent.
    Credentials,
    /// `allow_credentials = false`: no `Access-Control-Allow-Credentials`.
    NoCredentials,
    /// `preflight_continue = true`: the preflight also reaches the handler.
    PreflightContinue,
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::AnyOrigin => f.write_str(
                "allow_origins = \"*\" allows every origin (a constant policy: \
                 Access-Control-Allow-Origin: *)",
            ),
            Grant::OriginListed { origin, entry } if origin == entry => {
                write!(f, "origin {origin} is listed in allow_origins")
            }
            Grant::OriginListed { origin, entry } => {
                write!(f, "origin {origin} matches allow_origins entry \"{entry}\"")
            }
            Grant::SafelistedMethod(m) => {
                write!(f, "method {m} is CORS-safelisted, so always allowed")
            }
            Grant::MethodListed(m) => write!(f, "method {m} is in allow_methods"),
            Grant::AnyMethod(m) => write!(f, "allow_methods = \"*\" allows method {m}"),
            Grant::HeaderListed(h) => write!(f, "request header {h} is in allow_headers"),
            Grant::AnyHeader(h) => write!(f, "allow_headers = \"*\" covers request header {h}"),
            Grant::AuthorizationListed => f.write_str(
                "allow_headers = [\"*\", \"authorization\"] allows request header authorization",
            ),
            Grant::PrivateNetwork => f.write_str(
                "allow_private_network = true answers the Private Network Access preflight \
                     (sent by Chrome before 142; current Chrome asks the user instead)",
            ),
            Grant::Credentials => f.write_str(
                "allow_credentials = true, so Access-Control-Allow-Credentials: true is sent",
            ),
            Grant::NoCredentials => f.write_str(
                "allow_credentials = false, so no Access-Control-Allow-Credentials is sent",
            ),
            Grant::PreflightContinue => f.write_str(
                "preflight_continue = true, so the handler also receives the preflight and its \
                 status stands",
            ),
        }
    }
}

/// The rules of `policy` that allow `req`, in the order the engine checks them; empty when
/// the engine denies it or it is not a CORS request.
pub fn grants<R: RequestView + ?Sized>(policy: &Policy, req: &R) -> Vec<Grant> {
    let decision = policy.decide(req);
    if !decision.is_allowed() || decision.kind() == RequestKind::NotCors {
        return Vec::new();
    }
    let config = policy.config();
    let mut out = Vec::new();
    let origin = req
        .header(RequestHeader::Origin)
        .next()
        .map(|o| String::from_utf8_lossy(o.as_ref()).into_owned())
        .unwrap_or_default();
    if policy.is_constant() {
        out.push(Grant::AnyOrigin);
    } else {
        let entry = policy.origin_entry(origin.as_bytes()).map(str::to_owned);
        out.push(Grant::OriginListed {
            entry: entry.unwrap_or_else(|| origin.clone()),
            origin,
        });
    }
    if decision.kind() == RequestKind::Preflight {
        let method = req
            .header(RequestHeader::RequestMethod)
            .next()
            .map(|m| fetch::normalize_method(fetch::trim_ows(m.as_ref())))
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .unwrap_or_default();
        out.push(if fetch::is_safelisted_method(method.as_bytes()) {
            Grant::SafelistedMethod(method)
        } else {
            match config.allow_methods {
                AnyOr::Any => Grant::AnyMethod(method),
                AnyOr::List(_) => Grant::MethodListed(method),
            }
        });
        for line in req.header(RequestHeader::RequestHeaders) {
            for name in list_items(line.as_ref()) {
                let name = String::from_utf8_lossy(name).to_ascii_lowercase();
                // `["*", "authorization"]` normalizes to that list; a plain list never
                // holds "*".
                let any = match &config.allow_headers {
                    AnyOr::Any => true,
                    AnyOr::List(list) => list.iter().any(|h| h == "*"),
                };
                out.push(match any {
                    true if name == "authorization" => Grant::AuthorizationListed,
                    true => Grant::AnyHeader(name),
                    false => Grant::HeaderListed(name),
                });
            }
        }
        if decision.get(ResponseHeader::AllowPrivateNetwork).is_some() {
            out.push(Grant::PrivateNetwork);
        }
    }
    if !policy.is_constant() {
        out.push(if config.allow_credentials {
            Grant::Credentials
        } else {
            Grant::NoCredentials
        });
    }
    if decision.kind() == RequestKind::Preflight && config.preflight_continue {
        out.push(Grant::PreflightContinue);
    }
    out
}
