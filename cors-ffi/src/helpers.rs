//! Helpers for servers without `Vary` merging or header removal of their own.

use cors_core::{Vary, is_owned_header};

use crate::guard::{guard, guard_or};
use crate::result::cors_result;
use crate::slice::{bytes, cors_lines, cors_str};

/// `Vary` token bit: `Origin`.
pub const CORS_VARY_ORIGIN: u32 = 1;
/// `Vary` token bit: `Access-Control-Request-Method`.
pub const CORS_VARY_REQUEST_METHOD: u32 = 2;
/// `Vary` token bit: `Access-Control-Request-Headers`.
pub const CORS_VARY_REQUEST_HEADERS: u32 = 4;
/// `Vary` token bit: `Access-Control-Request-Private-Network`.
pub const CORS_VARY_REQUEST_PRIVATE_NETWORK: u32 = 8;

// The C constants are the core's bits.
const _: () = assert!(CORS_VARY_ORIGIN == Vary::ORIGIN.bits() as u32);
const _: () = assert!(CORS_VARY_REQUEST_METHOD == Vary::REQUEST_METHOD.bits() as u32);
const _: () = assert!(CORS_VARY_REQUEST_HEADERS == Vary::REQUEST_HEADERS.bits() as u32);
const _: () =
    assert!(CORS_VARY_REQUEST_PRIVATE_NETWORK == Vary::REQUEST_PRIVATE_NETWORK.bits() as u32);

/// The `CORS_VARY_*` bits of a token set.
pub(crate) fn vary_bits(v: Vary) -> u32 {
    u32::from(v.bits())
}

/// The token set of `CORS_VARY_*` bits, or `None` for an unknown bit.
fn vary_from_bits(bits: u32) -> Option<Vary> {
    u8::try_from(bits)
        .ok()
        .map(Vary::from_bits)
        .filter(|v| u32::from(v.bits()) == bits)
}

/// Merges `Vary` tokens (`CORS_VARY_*` bits, e.g. `cors_decision.vary`) into a response's
/// existing `Vary` lines: writes to `*line_out` the value of ONE `Vary` line to append
/// (static), or an empty string when nothing is to be added (every token already present,
/// compared ignoring case, or a `Vary: *`). Existing lines are kept as they are.
///
/// `existing.lines` are the response's current `Vary` values (count 0 when it has none).
/// Returns `CORS_RESULT_OK`, `CORS_RESULT_NULL_POINTER`, or `CORS_RESULT_INVALID_ARGUMENT`
/// for an unknown bit.
///
/// # Safety
///
/// `existing` and its lines are valid for reads during the call (as in `cors_request`);
/// `line_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_vary_merge(
    existing: cors_lines,
    tokens: u32,
    line_out: *mut cors_str,
) -> cors_result {
    guard(|| {
        if line_out.is_null() {
            return Err(cors_result::NullPointer);
        }
        let vary = vary_from_bits(tokens).ok_or(cors_result::InvalidArgument)?;
        // SAFETY: valid for reads during the call (caller contract).
        let lines = unsafe { existing.array() }?;
        for line in lines {
            // SAFETY: as above; checked before `merge` reads them.
            unsafe { line.bytes() }?;
        }
        let add = if vary.is_empty() {
            None
        } else {
            vary.merge(lines.iter().map(|line| {
                // SAFETY: every line was checked just above.
                unsafe { line.bytes() }.unwrap_or_default()
            }))
        };
        let out = add.map_or_else(cors_str::empty, cors_str::from_static);
        // SAFETY: non-NULL, valid for a write (caller contract).
        unsafe { line_out.write(out) };
        Ok(())
    })
}

/// Whether the engine owns a response header name (any case): the
/// `Access-Control-Allow-*`, `Access-Control-Max-Age` and `Access-Control-Expose-Headers`
/// headers. Remove such headers a handler or upstream set before applying a decision, so a
/// response never grants what the policy denies. A `(NULL, len > 0)` name gives false.
///
/// # Safety
///
/// `name` is valid for reads of `len` bytes (NULL allowed when `len` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_is_owned_header(name: *const u8, len: usize) -> bool {
    guard_or(false, || {
        // SAFETY: valid for `len` bytes (caller contract).
        unsafe { bytes(name, len) }.is_ok_and(is_owned_header)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip() {
        for bits in 0..16 {
            let v = vary_from_bits(bits).unwrap();
            assert_eq!(vary_bits(v), bits);
        }
        assert!(vary_from_bits(16).is_none());
        assert_eq!(
            vary_from_bits(CORS_VARY_ORIGIN | CORS_VARY_REQUEST_HEADERS)
                .unwrap()
                .as_str(),
            "Origin, Access-Control-Request-Headers"
        );
    }
}
