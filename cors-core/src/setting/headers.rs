//! `allow_headers` ([ACAH](https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Headers)):
//! request headers a preflight may ask for. `"*"` covers all but `authorization`.

use crate::compile::{Compiler, ListOrAny, ValueId};
use crate::config::{AnyOr, Config};
use crate::decision::{Decision, HeaderRef, MAX_REQUEST_HEADER_LINES};
use crate::denial::Denial;
use crate::error::{Field, WarningKind};
use crate::policy::PolicyValue;
use crate::request::{RequestHeader, RequestView};
use crate::response::ResponseHeader;
use crate::token::{self, MAX_REQUESTED_HEADERS};

/// The compiled `allow_headers`.
pub(crate) enum AllowHeaders {
    /// `"*"`; `authorization` only when listed beside it. With credentials the requested
    /// lines are mirrored (`value` is `None`); without, `*` (and `*, authorization`).
    Any {
        authorization: bool,
        value: Option<ValueId>,
        with_authorization: Option<ValueId>,
    },
    /// Lower-case names, sorted by [`token::search_order`]; `value` their list.
    List {
        names: Box<[Box<[u8]>]>,
        value: Option<ValueId>,
    },
}

/// What a preflight asked for, once checked.
pub(crate) struct Requested<'a, V: ?Sized> {
    /// How many names, over every line.
    count: usize,
    /// The lines to mirror (with names), when the policy mirrors.
    mirrored: [Option<&'a V>; MAX_REQUEST_HEADER_LINES],
    /// Whether `authorization` was among them (under `"*"`).
    authorization: bool,
}

impl AllowHeaders {
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> (AllowHeaders, AnyOr<String>) {
        let field = Field::AllowHeaders;
        let any = |c: &mut Compiler, authorization: bool| {
            let (value, with_authorization) = if config.allow_credentials {
                (None, None)
            } else {
                (
                    Some(c.value("*")),
                    authorization.then(|| c.value("*, authorization")),
                )
            };
            AllowHeaders::Any {
                authorization,
                value,
                with_authorization,
            }
        };
        match c.list_or_any(field, &config.allow_headers) {
            ListOrAny::Any => (any(c, false), AnyOr::Any),
            ListOrAny::AnyWithAuthorization => (any(c, true), AnyOr::from(["*", "authorization"])),
            ListOrAny::List(list) => {
                let out = c.header_names(field, list, |name| {
                    token::is_forbidden_request_header(name)
                        .then_some(WarningKind::ForbiddenRequestHeader)
                });
                let value = c.joined(&out);
                let mut names: Box<[Box<[u8]>]> = out.iter().map(|h| h.as_bytes().into()).collect();
                names.sort_by(|a, b| token::search_order(a, b));
                (AllowHeaders::List { names, value }, AnyOr::List(out))
            }
        }
    }

    /// Checks every name of every `Access-Control-Request-Headers` line (bounded: at most
    /// [`MAX_REQUESTED_HEADERS`] names, [`MAX_REQUEST_HEADER_LINES`] mirrored lines).
    pub(crate) fn check<'a, R: RequestView + ?Sized>(
        &self,
        req: &'a R,
    ) -> Result<Requested<'a, R::Value>, Denial<'a>> {
        let mirror = matches!(self, AllowHeaders::Any { value: None, .. });
        let mut out = Requested {
            count: 0,
            mirrored: [None; MAX_REQUEST_HEADER_LINES],
            authorization: false,
        };
        let mut lines = 0usize;
        for line in req.header(RequestHeader::RequestHeaders) {
            let mut line_has_names = false;
            for name in token::names(line.as_ref()) {
                out.count += 1;
                if out.count > MAX_REQUESTED_HEADERS {
                    return Err(Denial::TooManyHeaders);
                }
                line_has_names = true;
                match self {
                    AllowHeaders::Any { authorization, .. } => {
                        if token::token_case(name).is_none() {
                            return Err(Denial::HeaderInvalid(name));
                        }
                        if name.eq_ignore_ascii_case(b"authorization") {
                            if !authorization {
                                return Err(Denial::AuthorizationNotCovered);
                            }
                            out.authorization = true;
                        }
                    }
                    AllowHeaders::List { names, .. } => match token::find_name(names, name) {
                        Ok(()) => {}
                        Err(token::NameMiss::Invalid) => return Err(Denial::HeaderInvalid(name)),
                        Err(token::NameMiss::NotListed) => {
                            return Err(Denial::HeaderNotAllowed(name));
                        }
                    },
                }
            }
            if line_has_names && mirror {
                match out.mirrored.get_mut(lines) {
                    Some(slot) => *slot = Some(line),
                    None => return Err(Denial::TooManyHeaderLines),
                }
                lines += 1;
            }
        }
        Ok(out)
    }

    /// `Access-Control-Allow-Headers`, only when the preflight asked for headers: the
    /// list, `*` (with `authorization` when asked and allowed), or the lines mirrored.
    pub(crate) fn render<'a, V: ?Sized>(
        &self,
        d: &mut Decision<'a, V>,
        values: &'a [PolicyValue],
        requested: &Requested<'a, V>,
    ) {
        for line in requested.mirrored.iter().flatten() {
            d.set(
                ResponseHeader::AllowHeaders,
                HeaderRef::Request(RequestHeader::RequestHeaders, line),
            );
        }
        if requested.count == 0 {
            return;
        }
        let value = match self {
            AllowHeaders::Any { value: None, .. } => return,
            AllowHeaders::Any {
                with_authorization: Some(v),
                ..
            } if requested.authorization => Some(*v),
            AllowHeaders::Any { value, .. } | AllowHeaders::List { value, .. } => *value,
        };
        d.set_value(ResponseHeader::AllowHeaders, values, value);
    }
}
