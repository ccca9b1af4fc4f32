//! `allow_headers` ([ACAH](https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Allow-Headers)):
//! request headers a preflight may ask for. `"*"` covers all but `authorization`.

use crate::compile::{Compiler, ListOrAny, ValueId};
use crate::config::{AnyOr, Config};
use crate::decision::{Decision, HeaderRef, MAX_REQUEST_HEADER_LINES};
use crate::denial::Denial;
use crate::error::{Field, WarningKind};
use crate::request::{Found, RequestHeader, RequestView};
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
    /// [`MAX_REQUESTED_HEADERS`] names, [`MAX_REQUEST_HEADER_LINES`] mirrored lines) and
    /// renders `Access-Control-Allow-Headers` into `d` as it goes: only when the preflight
    /// asked for headers, the list, `*` (with `authorization` when asked and allowed), or
    /// the lines mirrored. A denial makes the caller discard `d`.
    pub(crate) fn check_and_render<'a, R: RequestView + ?Sized>(
        &self,
        req: &'a R,
        lines: &Found<'a, R::Value>,
        d: &mut Decision<'a, R::Value>,
    ) -> Result<(), Denial<'a>> {
        let mirror = matches!(self, AllowHeaders::Any { value: None, .. });
        let mut count = 0usize;
        let mut mirrored = 0usize;
        let mut authorization = false;
        // Usually one line, already found; several are read from the request in order.
        let several = lines
            .more
            .then(|| req.header(RequestHeader::RequestHeaders));
        let one = (!lines.more).then_some(lines.first).flatten();
        let mut empty = 0usize;
        for line in one.into_iter().chain(several.into_iter().flatten()) {
            let mut line_has_names = false;
            let mut names = token::names(line.as_ref());
            for name in &mut names {
                count += 1;
                if count > MAX_REQUESTED_HEADERS {
                    return Err(Denial::TooManyHeaders);
                }
                line_has_names = true;
                match self {
                    AllowHeaders::Any {
                        authorization: allowed,
                        ..
                    } => {
                        if token::token_case(name).is_none() {
                            return Err(Denial::HeaderInvalid(name));
                        }
                        if name.eq_ignore_ascii_case(b"authorization") {
                            if !allowed {
                                return Err(Denial::AuthorizationNotCovered);
                            }
                            authorization = true;
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
            empty += names.empty();
            if empty > token::MAX_EMPTY_ELEMENTS {
                return Err(Denial::TooManyHeaders);
            }
            if line_has_names && mirror {
                if mirrored == MAX_REQUEST_HEADER_LINES {
                    return Err(Denial::TooManyHeaderLines);
                }
                d.set(
                    ResponseHeader::AllowHeaders,
                    HeaderRef::Request(RequestHeader::RequestHeaders, line),
                );
                mirrored += 1;
            }
        }
        if count == 0 {
            return Ok(());
        }
        let value = match self {
            AllowHeaders::Any { value: None, .. } => return Ok(()),
            AllowHeaders::Any {
                with_authorization: Some(v),
                ..
            } if authorization => Some(*v),
            AllowHeaders::Any { value, .. } | AllowHeaders::List { value, .. } => *value,
        };
        d.set_value(ResponseHeader::AllowHeaders, value);
        Ok(())
    }
}
