//! Comparing a real server's answer with the policy's.

use std::fmt;

use cors_core::{Action, ResponseHeader, Vary};
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::browser::*;
use crate::simulate::*;

/// One way a server's response differs from what the policy sends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Difference {
    /// A different status (compared only when the policy answers the request itself).
    Status {
        /// The policy's.
        expected: u16,
        /// The server's.
        got: u16,
    },
    /// The server did not send a header the policy sends.
    Missing {
        /// The header.
        header: &'static str,
        /// The policy's value.
        expected: String,
    },
    /// The server sent a header the policy does not send.
    Unexpected {
        /// The header.
        header: &'static str,
        /// The server's value.
        got: String,
    },
    /// Both sent the header, with different values.
    Value {
        /// The header.
        header: &'static str,
        /// The policy's value.
        expected: String,
        /// The server's value.
        got: String,
    },
    /// The server's `Vary` lacks tokens the policy adds.
    VaryMissing {
        /// The missing tokens, in canonical order.
        tokens: Vec<&'static str>,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Status { expected, got } => {
                write!(
                    f,
                    "the server answered {got}; the policy answers {expected}"
                )
            }
            Difference::Missing { header, expected } => write!(
                f,
                "the server sent no {header}; the policy sends \"{expected}\""
            ),
            Difference::Unexpected { header, got } => write!(
                f,
                "the server sent {header}: \"{got}\"; the policy sends none"
            ),
            Difference::Value {
                header,
                expected,
                got,
            } => write!(
                f,
                "the server sent {header}: \"{got}\"; the policy sends \"{expected}\""
            ),
            Difference::VaryMissing { tokens } => write!(
                f,
                "the server's Vary lacks {}, so caches may serve one origin's answer to another",
                tokens.join(", ")
            ),
        }
    }
}

/// Compares a server's response to `exchange`'s request with the policy's answer in
/// `exchange`: status (only when the policy answers itself), every CORS response header
/// (lists compared as sets), and the `Vary` tokens.
pub fn compare(exchange: &Exchange, status: StatusCode, headers: &HeaderMap) -> Vec<Difference> {
    let mut out = Vec::new();
    if let Action::Respond(expected) = exchange.action
        && expected != status
    {
        out.push(Difference::Status {
            expected: expected.as_u16(),
            got: status.as_u16(),
        });
    }
    for h in ResponseHeader::ALL {
        let expected = get_combined(&exchange.headers, h.as_str());
        let got = get_combined(headers, h.as_str());
        let header = header_title(h);
        match (expected, got) {
            (None, None) => {}
            (Some(expected), None) => out.push(Difference::Missing { header, expected }),
            (None, Some(got)) => out.push(Difference::Unexpected { header, got }),
            (Some(expected), Some(got)) => {
                if !same_value(h, &expected, &got) {
                    out.push(Difference::Value {
                        header,
                        expected,
                        got,
                    });
                }
            }
        }
    }
    let vary: Vec<&[u8]> = headers
        .get_all(http::header::VARY)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let expected_vary = exchange
        .headers
        .get_all(http::header::VARY)
        .iter()
        .flat_map(|v| list_items(v.as_bytes()))
        .fold(Vary::NONE, |acc, t| {
            acc.union(
                [
                    Vary::ORIGIN,
                    Vary::REQUEST_METHOD,
                    Vary::REQUEST_HEADERS,
                    Vary::REQUEST_PRIVATE_NETWORK,
                ]
                .into_iter()
                .find(|v| v.as_str().as_bytes().eq_ignore_ascii_case(t))
                .unwrap_or(Vary::NONE),
            )
        });
    let star = vary.iter().flat_map(|l| list_items(l)).any(|t| t == b"*");
    if !star {
        let tokens: Vec<&'static str> = expected_vary
            .tokens()
            .filter(|token| {
                !vary
                    .iter()
                    .flat_map(|l| list_items(l))
                    .any(|t| t.eq_ignore_ascii_case(token.as_bytes()))
            })
            .collect();
        if !tokens.is_empty() {
            out.push(Difference::VaryMissing { tokens });
        }
    }
    out
}

/// Whether two values of `h` mean the same to a browser.
pub(crate) fn same_value(h: ResponseHeader, expected: &str, got: &str) -> bool {
    let set = |v: &str, fold: bool| {
        let mut items: Vec<String> = v
            .split(',')
            .map(|s| s.trim_matches([' ', '\t']))
            .filter(|s| !s.is_empty())
            .map(|s| {
                if fold {
                    s.to_ascii_lowercase()
                } else {
                    s.to_owned()
                }
            })
            .collect();
        items.sort();
        items.dedup();
        items
    };
    match h {
        ResponseHeader::AllowMethods => set(expected, false) == set(got, false),
        ResponseHeader::AllowHeaders | ResponseHeader::ExposeHeaders => {
            set(expected, true) == set(got, true)
        }
        _ => expected == got.trim_matches([' ', '\t']),
    }
}
