//! Deciding a request: `cors_request` in, a caller-owned `cors_decision` out.

use cors_core::{
    Action, Decision, Denial, DenialKind, HeaderRef, HeaderSink, MAX_DECISION_HEADERS,
    MAX_REQUEST_HEADER_LINES, RequestHeader, RequestKind, RequestView, ResponseHeader, Vary,
};

use crate::guard::{CallerBuf, guard, guard_or};
use crate::helpers::vary_bits;
use crate::policy::cors_policy;
use crate::result::cors_result;
use crate::slice::{cors_lines, cors_str};

/// The capacity of `cors_decision.headers`: every header the engine owns once, plus the
/// further `Access-Control-Allow-Headers` lines it may mirror.
pub const CORS_MAX_HEADERS: usize = 14;

/// The most `Access-Control-Request-Headers` lines (with names) a preflight may have when
/// the policy mirrors them (`allow_headers = "*"` with credentials): each becomes its own
/// `Access-Control-Allow-Headers` line; one more is denied
/// (`CORS_DENIAL_TOO_MANY_HEADER_LINES`). Other policies read any number of lines as one
/// list, so pass every line the request has.
pub const CORS_MAX_REQUEST_HEADER_LINES: usize = 8;

const _: () = assert!(CORS_MAX_REQUEST_HEADER_LINES == MAX_REQUEST_HEADER_LINES);
const _: () = assert!(CORS_MAX_HEADERS == MAX_DECISION_HEADERS);

/// What the server does with the request.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum cors_action {
    /// Forward the request to the handler, then apply the decision's headers to its
    /// response (whatever its status). `status` is 0: the handler's status stands.
    Forward = 1,
    /// Answer now with `status`, an empty body and the decision's headers; the handler is
    /// not reached. A preflight: allowed (204 or 200, from the policy) or denied (403,
    /// only `Vary`, `denial` says why). (Value 3, a denied preflight in ABI 0.1, is
    /// retired and never reused.)
    Respond = 2,
}

/// How the engine classified the request.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum cors_request_kind {
    /// No `Origin` header: not a CORS request.
    NotCors = 1,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    Preflight = 2,
    /// Any other request with `Origin`.
    Actual = 3,
}

/// Where a header value's bytes live.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum cors_value_source {
    /// In the policy: valid while the policy lives.
    Policy = 1,
    /// In the request (the echoed origin, a mirrored method or header list): valid while
    /// the request's buffers live.
    Request = 2,
}

/// The core's denial kind for a `cors_decision.denial` code: `None` for 0, an error for a
/// code the core does not know. The C enum `cors_denial` is generated from the core's table
/// (`cors_core::DenialKind::ALL`) by the header generator, so it cannot drift.
fn denial_kind(code: u32) -> Result<Option<DenialKind>, cors_result> {
    match code {
        0 => Ok(None),
        _ => DenialKind::from_u32(code)
            .map(Some)
            .ok_or(cors_result::InvalidArgument),
    }
}

/// The CORS-relevant parts of a request, borrowed from the caller for the duration of
/// `cors_decide`.
///
/// Each header is given as its lines in the order received (`cors_lines`, count 0 when
/// absent), never joined: repeated `Origin` or `Access-Control-Request-Method` lines are a
/// denial, and repeated `Access-Control-Request-Headers` lines are read as one list and
/// mirrored line by line. Values are the bytes received (without the surrounding
/// whitespace HTTP parsers strip); they need not be UTF-8. Zero-initialize the struct and
/// set what the request has.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cors_request {
    /// The request method, exactly as received (case-sensitive: `OPTIONS`).
    pub method: cors_str,
    /// `Origin` lines.
    pub origin: cors_lines,
    /// `Access-Control-Request-Method` lines.
    pub request_method: cors_lines,
    /// `Access-Control-Request-Headers` lines.
    pub request_headers: cors_lines,
    /// `Access-Control-Request-Private-Network` lines.
    pub private_network: cors_lines,
    /// The raw request target as received (`/api/items?x=1`: not decoded, not
    /// normalized; the query may be left on). It picks the route of a policy with routes
    /// (docs/semantics.md, "Routes"); with routes, an empty path is not in normal form and
    /// is granted nothing. Policies without routes ignore it.
    pub path: cors_str,
}

/// cbindgen:ignore
impl cors_request {
    /// A request with an empty method and no header.
    pub const EMPTY: cors_request = cors_request {
        method: cors_str::NULL,
        origin: cors_lines::ABSENT,
        request_method: cors_lines::ABSENT,
        request_headers: cors_lines::ABSENT,
        private_network: cors_lines::ABSENT,
        path: cors_str::NULL,
    };
}

/// One response header to set: lower-case name (static) and value.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cors_header {
    /// The header name, lower-case, static.
    pub name: cors_str,
    /// The value; `source` says how long it lives.
    pub value: cors_str,
    /// Where `value` points: into the policy or into the request.
    pub source: cors_value_source,
}

/// What to do with one request, filled by `cors_decide` into memory the caller owns
/// (a stack variable is fine; it holds no pointer that needs freeing).
///
/// Apply it like this: remove from the response every header the handler or an upstream
/// set whose name `cors_is_owned_header` accepts; add `headers[0..header_count]` in order
/// (a name may repeat: add each line); merge `vary` into the response's `Vary` with
/// `cors_vary_merge`.
///
/// Lifetimes: header names, `vary_value`, `denial_name` and `denial_message` are static;
/// a header value with `source == CORS_VALUE_SOURCE_POLICY` lives as long as the policy;
/// one with `source == CORS_VALUE_SOURCE_REQUEST`, and `denial_value`, point into the
/// request's buffers. Everything stays valid while both the policy and those buffers live.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cors_decision {
    /// What the server does.
    pub action: cors_action,
    /// How the request was classified.
    pub kind: cors_request_kind,
    /// The status to answer with for `CORS_ACTION_RESPOND` (204/200 allowed, 403 denied); 0 for
    /// `CORS_ACTION_FORWARD`.
    pub status: u16,
    /// The number of valid entries in `headers`.
    pub header_count: usize,
    /// The headers to set, in order; only the first `header_count` are meaningful.
    pub headers: [cors_header; CORS_MAX_HEADERS],
    /// The `Vary` tokens to merge into the response, as `CORS_VARY_*` bits (0: none).
    pub vary: u32,
    /// The same tokens joined with ", " (static; empty when `vary` is 0).
    pub vary_value: cors_str,
    /// Why the request was denied, a `cors_denial` value; `CORS_DENIAL_NONE` (0) when
    /// allowed or not CORS. For an actual request, why no CORS headers were granted.
    /// For logs only: never send the reason to the client.
    pub denial: u32,
    /// A stable short name of the denial, e.g. `origin-not-allowed` (static; empty when
    /// none).
    pub denial_name: cors_str,
    /// A one-line description of the denial kind (static; empty when none).
    /// `cors_decision_reason` writes the full reason with the offending value.
    pub denial_message: cors_str,
    /// The request value the denial is about (the origin, method or header name), pointing
    /// into the request; empty when the kind carries none.
    pub denial_value: cors_str,
    /// The path of the route that decided (static for the policy's life); empty for the
    /// top-level policy.
    pub route: cors_str,
    /// The deciding policy is report-only: `action` is `CORS_ACTION_FORWARD`, no header
    /// and no `Vary` are given, the response is left as the handler made it; call
    /// `cors_report` with the handler's response to compare the two.
    pub report_only: bool,
}

const EMPTY_HEADER: cors_header = cors_header {
    name: cors_str::NULL,
    value: cors_str::NULL,
    source: cors_value_source::Policy,
};

/// cbindgen:ignore
impl cors_decision {
    /// A blank decision (for Rust callers; C callers declare one uninitialized).
    pub const EMPTY: cors_decision = cors_decision {
        action: cors_action::Forward,
        kind: cors_request_kind::NotCors,
        status: 0,
        header_count: 0,
        headers: [EMPTY_HEADER; CORS_MAX_HEADERS],
        vary: 0,
        vary_value: cors_str::NULL,
        denial: 0,
        denial_name: cors_str::NULL,
        denial_message: cors_str::NULL,
        denial_value: cors_str::NULL,
        route: cors_str::NULL,
        report_only: false,
    };

    /// The headers as a slice.
    pub fn headers(&self) -> &[cors_header] {
        self.headers.get(..self.header_count).unwrap_or_default()
    }

    /// Writes `d` into `*out` field by field, and only the headers in use: a call costs
    /// what the decision holds, not the array's capacity (nor a copy of the whole struct).
    ///
    /// # Safety
    ///
    /// `out` is valid for writes of a `cors_decision`; it may be uninitialized.
    unsafe fn write(d: &Decision<'_, [u8]>, out: *mut cors_decision) {
        // SAFETY: a field of `*out`, which is valid for writes (caller contract); no
        // reference to the possibly uninitialized memory is made.
        let headers = unsafe { (&raw mut (*out).headers).cast::<cors_header>() };
        let mut count = 0;
        let report_only = d.is_report_only();
        // A report-only decision applies nothing.
        let shown = if report_only { 0 } else { CORS_MAX_HEADERS };
        for (name, value) in d.headers().take(shown) {
            let header = cors_header {
                name: cors_str::from_static(name.as_str()),
                value: cors_str::from_bytes(value.as_bytes()),
                source: match value {
                    HeaderRef::Policy(_) => cors_value_source::Policy,
                    HeaderRef::Request(..) => cors_value_source::Request,
                },
            };
            // SAFETY: `count < CORS_MAX_HEADERS` (`take` above), so the slot is inside the
            // array.
            unsafe { headers.add(count).write(header) };
            count += 1;
        }
        let kind = match d.kind() {
            RequestKind::NotCors => cors_request_kind::NotCors,
            RequestKind::Preflight => cors_request_kind::Preflight,
            RequestKind::Actual => cors_request_kind::Actual,
        };
        let (action, status) = match d.action() {
            Action::Forward => (cors_action::Forward, 0),
            Action::Respond(s) => (cors_action::Respond, s.as_u16()),
        };
        let vary = if report_only { Vary::NONE } else { d.vary() };
        let route = d
            .route()
            .map_or(cors_str::empty(), |r| cors_str::from_bytes(r.as_bytes()));
        let (denial, name, message, value) = match d.denial() {
            Some(denial) => {
                let k = denial.kind();
                (
                    k as u32,
                    cors_str::from_static(k.as_str()),
                    cors_str::from_static(k.description()),
                    cors_str::from_bytes(denial.value()),
                )
            }
            None => (0, cors_str::empty(), cors_str::empty(), cors_str::empty()),
        };
        // SAFETY: fields of `*out`, valid for writes (caller contract), written through
        // raw field pointers.
        unsafe {
            (&raw mut (*out).action).write(action);
            (&raw mut (*out).kind).write(kind);
            (&raw mut (*out).status).write(status);
            (&raw mut (*out).header_count).write(count);
            (&raw mut (*out).vary).write(vary_bits(vary));
            (&raw mut (*out).vary_value).write(cors_str::from_static(vary.as_str()));
            (&raw mut (*out).denial).write(denial);
            (&raw mut (*out).denial_name).write(name);
            (&raw mut (*out).denial_message).write(message);
            (&raw mut (*out).denial_value).write(value);
            (&raw mut (*out).route).write(route);
            (&raw mut (*out).report_only).write(report_only);
        }
    }
}

/// A `cors_request` whose every slice has been checked: the engine reads its lines
/// directly from the caller's arrays, all of them, without copying.
struct CRequest<'a> {
    method: &'a [u8],
    path: &'a [u8],
    lines: [&'a [cors_str]; 4],
}

impl<'a> CRequest<'a> {
    /// Checks every pointer of `r`.
    ///
    /// # Safety
    ///
    /// Every non-NULL pointer in `r` (with a non-zero length or count) must be valid for
    /// reads of its length for `'a`, and not written during `'a`.
    unsafe fn new(r: &cors_request) -> Result<CRequest<'a>, cors_result> {
        // SAFETY: forwarded to the caller.
        let method = unsafe { r.method.bytes() }?;
        // SAFETY: forwarded to the caller.
        let path = unsafe { r.path.bytes() }?;
        let mut lines: [&[cors_str]; 4] = [&[]; 4];
        let headers = [
            r.origin,
            r.request_method,
            r.request_headers,
            r.private_network,
        ];
        for (slot, h) in lines.iter_mut().zip(headers) {
            // SAFETY: forwarded to the caller.
            let array = unsafe { h.array() }?;
            for line in array {
                // SAFETY: forwarded to the caller; checked here so `header` can rely on it.
                unsafe { line.bytes() }?;
            }
            *slot = array;
        }
        Ok(CRequest {
            method,
            path,
            lines,
        })
    }
}

impl RequestView for CRequest<'_> {
    type Value = [u8];

    fn method(&self) -> &[u8] {
        self.method
    }

    fn header(&self, header: RequestHeader) -> impl Iterator<Item = &[u8]> {
        let i = match header {
            RequestHeader::Origin => 0,
            RequestHeader::RequestMethod => 1,
            RequestHeader::RequestHeaders => 2,
            RequestHeader::RequestPrivateNetwork => 3,
        };
        let lines: &[cors_str] = self.lines.get(i).copied().unwrap_or_default();
        lines.iter().map(|line| {
            // SAFETY: `CRequest::new` checked every line of these arrays, whose validity
            // for the request's lifetime the caller of `new` guarantees; a failed check
            // there means no `CRequest` exists, so the fallback is never taken.
            unsafe { line.bytes() }.unwrap_or_default()
        })
    }
}

/// Decides what a request's response must carry, exactly as the Rust API does, and writes
/// the decision to `*decision_out`. Allocates nothing; safe to call from many threads at once
/// on one policy.
///
/// Returns `CORS_RESULT_OK`, or `CORS_RESULT_NULL_POINTER` (a NULL argument, or a
/// `(NULL, len > 0)` slice anywhere in the request) with `*decision_out` untouched. A
/// malformed header is not an error: it is a denial, as in the Rust API.
///
/// # Safety
///
/// `policy` is a live policy; `request` and every buffer it points to are valid for reads
/// during the call; `decision_out` is valid for a write. The decision's slices then point
/// into the policy and into the request's buffers (see `cors_decision`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_decide(
    policy: *const cors_policy,
    request: *const cors_request,
    decision_out: *mut cors_decision,
) -> cors_result {
    guard(|| {
        // SAFETY: NULL or a live policy (caller contract).
        let policy = unsafe { cors_policy::as_ref(policy) }?;
        // SAFETY: NULL or valid for reads (caller contract).
        let request = unsafe { request.as_ref() }.ok_or(cors_result::NullPointer)?;
        if decision_out.is_null() {
            return Err(cors_result::NullPointer);
        }
        // SAFETY: the request's buffers are valid during this call (caller contract).
        let req = unsafe { CRequest::new(request) }?;
        // Every check is done: from here on the call succeeds (the engine cannot fail), so
        // writing the output in place keeps "outputs only on success".
        let decision = policy.policy.decide_at(&req, req.path);
        // SAFETY: non-NULL, valid for a write (caller contract).
        unsafe { cors_decision::write(&decision, decision_out) };
        Ok(())
    })
}

/// The decision's result as one static label for logs: `not-cors`, `allowed`, `denied`,
/// `preflight-allowed` or `preflight-denied`, with `report-only-` in front under a
/// report-only policy (the nginx module's `$cors_result`, Apache's `%{cors-result}n`). An
/// empty string for NULL or a `kind` this library does not know. The bytes are static and
/// followed by a NUL byte, so `ptr` is also a C string.
///
/// # Safety
///
/// `decision` is NULL or points to a `cors_decision` (filled by `cors_decide`) valid for
/// reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_decision_result(decision: *const cors_decision) -> cors_str {
    guard_or(cors_str::empty(), || {
        if decision.is_null() {
            return cors_str::empty();
        }
        // Plain reads through the raw pointer: a caller may have changed the enum field,
        // which must then not be read as a Rust enum.
        // SAFETY: non-NULL and readable (caller contract).
        let kind = unsafe { std::ptr::addr_of!((*decision).kind).cast::<u32>().read() };
        // SAFETY: as above.
        let denied = unsafe { (*decision).denial } != 0;
        // SAFETY: as above; read as a byte, so any value is defined (non-zero is true).
        let report_only = unsafe {
            std::ptr::addr_of!((*decision).report_only)
                .cast::<u8>()
                .read()
        } != 0;
        // Each label ends in NUL (left out of `len`), so `ptr` is also a C string.
        let label = match (kind, denied, report_only) {
            (1, _, false) => "not-cors\0",
            (1, _, true) => "report-only-not-cors\0",
            (2, false, false) => "preflight-allowed\0",
            (2, true, false) => "preflight-denied\0",
            (2, false, true) => "report-only-preflight-allowed\0",
            (2, true, true) => "report-only-preflight-denied\0",
            (3, false, false) => "allowed\0",
            (3, true, false) => "denied\0",
            (3, false, true) => "report-only-allowed\0",
            (3, true, true) => "report-only-denied\0",
            _ => return cors_str::empty(),
        };
        cors_str {
            ptr: label.as_ptr(),
            len: label.len() - 1,
        }
    })
}

/// Writes the full reason of a denial (e.g. `origin https://evil.example is not in
/// allow_origins`) into `buf`, not NUL-terminated, and its length into `*out_len`; an empty
/// text when the decision has no denial. For logs only: never send it to the client.
///
/// Returns `CORS_RESULT_OK`, `CORS_RESULT_BUFFER_TOO_SMALL` (a truncated reason written,
/// cut at a UTF-8 boundary), `CORS_RESULT_NULL_POINTER`, or `CORS_RESULT_INVALID_ARGUMENT`
/// for a `denial` code this library does not know.
///
/// # Safety
///
/// `decision` was filled by `cors_decide` and the request buffers it points into are
/// still alive; `buf` is valid for writes of `len` bytes (NULL allowed when `len` is 0);
/// `out_len` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_decision_reason(
    decision: *const cors_decision,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> cors_result {
    guard(|| {
        if decision.is_null() || out_len.is_null() || (buf.is_null() && len > 0) {
            return Err(cors_result::NullPointer);
        }
        // Only these two plain fields are read, through the raw pointer: a decision whose
        // enum fields the caller changed must not be read as Rust enums.
        // SAFETY: non-NULL and readable (caller contract).
        let code = unsafe { (*decision).denial };
        // SAFETY: as above.
        let value = unsafe { (*decision).denial_value };
        // SAFETY: the denial value points into live request buffers (caller contract).
        let value = unsafe { value.bytes() }?;
        let kind = denial_kind(code)?;
        // SAFETY: valid for `len` bytes (caller contract), non-NULL unless `len` is 0.
        let w = unsafe { CallerBuf::new(buf, len) };
        let (n, r) = match kind {
            Some(kind) => w.write(format_args!("{}", Denial::from_parts(kind, value))),
            None => w.write(format_args!("")),
        };
        // SAFETY: non-NULL, valid for a write (caller contract).
        unsafe { out_len.write(n) };
        match r {
            cors_result::Ok => Ok(()),
            e => Err(e),
        }
    })
}

/// The handler's response as `cors_report` reads it: its status and the lines of the
/// headers a browser's CORS check reads. Zero-initialize it and set what the response has.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cors_response {
    /// The response status.
    pub status: u16,
    /// `Access-Control-Allow-Origin` lines.
    pub allow_origin: cors_lines,
    /// `Access-Control-Allow-Credentials` lines.
    pub allow_credentials: cors_lines,
    /// `Access-Control-Allow-Methods` lines.
    pub allow_methods: cors_lines,
    /// `Access-Control-Allow-Headers` lines.
    pub allow_headers: cors_lines,
}

/// A report-only decision set against the handler's response, filled by `cors_report`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cors_report_outcome {
    /// Whether there is anything to report: the deciding policy is report-only and the
    /// request is a CORS request. The other fields are meaningful only when true.
    pub reported: bool,
    /// Whether the policy allows the request (else `cors_decision.denial` says why).
    pub policy_allows: bool,
    /// Whether the handler's response lets a browser read it (for a preflight: lets the
    /// browser send the request).
    pub handler_allows: bool,
    /// The two disagree: log it (at info level, with the denial and `handler_reason`).
    pub disagrees: bool,
    /// Why the browser could not read the handler's response (static; empty when it
    /// can).
    pub handler_reason: cors_str,
}

/// The response lines of a `cors_response`, checked.
struct CResponse<'a> {
    lines: [&'a [cors_str]; 4],
}

impl HeaderSink for CResponse<'_> {
    type Value = ();
    fn any_name(&self, _: impl FnMut(&[u8]) -> bool) -> bool {
        false
    }
    // Read-only: report-only mode never changes a response.
    fn remove(&mut self, _: ResponseHeader) {}
    fn append(&mut self, _: ResponseHeader, _: ()) {}
    fn values(&self, h: ResponseHeader) -> impl Iterator<Item = &[u8]> {
        let lines: &[cors_str] = match h {
            ResponseHeader::AllowOrigin => self.lines[0],
            ResponseHeader::AllowCredentials => self.lines[1],
            ResponseHeader::AllowMethods => self.lines[2],
            ResponseHeader::AllowHeaders => self.lines[3],
            _ => &[],
        };
        lines.iter().map(|line| {
            // SAFETY: every line was checked when the `CResponse` was built, and the
            // caller keeps the buffers valid during the call.
            unsafe { line.bytes() }.unwrap_or_default()
        })
    }
    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        std::iter::empty()
    }
    fn append_vary(&mut self, _: Vary) {}
}

/// Report-only mode for a server that applies decisions itself: decides `request` again
/// (it is cheap) and, when the deciding policy is report-only, sets the decision against
/// the handler's `response`, logs nothing (the server logs) and fills `*out`. Call it
/// after the handler ran, for requests whose `cors_decision.report_only` was true.
///
/// Returns `CORS_RESULT_OK` or `CORS_RESULT_NULL_POINTER`.
///
/// # Safety
///
/// `policy` is a live policy; `request`, `response` and every buffer they point to are
/// valid for reads during the call; `out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_report(
    policy: *const cors_policy,
    request: *const cors_request,
    response: *const cors_response,
    out: *mut cors_report_outcome,
) -> cors_result {
    guard(|| {
        // SAFETY: NULL or a live policy (caller contract).
        let policy = unsafe { cors_policy::as_ref(policy) }?;
        // SAFETY: NULL or valid for reads (caller contract).
        let request = unsafe { request.as_ref() }.ok_or(cors_result::NullPointer)?;
        // SAFETY: as above.
        let response = unsafe { response.as_ref() }.ok_or(cors_result::NullPointer)?;
        if out.is_null() {
            return Err(cors_result::NullPointer);
        }
        // SAFETY: the request's buffers are valid during this call (caller contract).
        let req = unsafe { CRequest::new(request) }?;
        let mut lines: [&[cors_str]; 4] = [&[]; 4];
        let headers = [
            response.allow_origin,
            response.allow_credentials,
            response.allow_methods,
            response.allow_headers,
        ];
        for (slot, h) in lines.iter_mut().zip(headers) {
            // SAFETY: valid for reads during this call (caller contract).
            let array = unsafe { h.array() }?;
            for line in array {
                // SAFETY: as above; checked so `values` can rely on it.
                unsafe { line.bytes() }?;
            }
            *slot = array;
        }
        let sink = CResponse { lines };
        let decision = policy.policy.decide_at(&req, req.path);
        let outcome = decision
            .is_report_only()
            .then(|| decision.report_against(&sink, Some(response.status)))
            .flatten();
        let result = match outcome {
            None => cors_report_outcome {
                reported: false,
                policy_allows: decision.is_allowed(),
                handler_allows: false,
                disagrees: false,
                handler_reason: cors_str::empty(),
            },
            Some(o) => cors_report_outcome {
                reported: true,
                policy_allows: o.policy_allows,
                handler_allows: o.handler.is_ok(),
                disagrees: o.disagrees(),
                handler_reason: match o.handler {
                    Ok(()) => cors_str::empty(),
                    Err(why) => cors_str::from_static(why.description()),
                },
            },
        };
        // SAFETY: non-NULL, valid for a write (caller contract).
        unsafe { out.write(result) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denial_codes_round_trip() {
        assert_eq!(denial_kind(0), Ok(None));
        for &k in DenialKind::ALL {
            assert_eq!(denial_kind(k as u32), Ok(Some(k)));
            assert_eq!(Denial::from_parts(k, b"x").kind(), k);
        }
        assert_eq!(denial_kind(99), Err(cors_result::InvalidArgument));
    }
}
