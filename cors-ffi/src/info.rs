//! What the library says about itself: result descriptions and its version.

use crate::guard::{CallerBuf, guard, guard_or};
use crate::result::cors_result;
use crate::slice::cors_str;

/// Writes the description of a result code (any `uint32_t`; unknown values are described
/// as such) into `buf`, not NUL-terminated, and its length into `*out_len`.
///
/// Returns `CORS_RESULT_OK`, or `CORS_RESULT_BUFFER_TOO_SMALL` with a truncated
/// description written (cut at a UTF-8 boundary), or `CORS_RESULT_NULL_POINTER`.
///
/// # Safety
///
/// `buf` must be valid for writes of `len` bytes (it may be NULL when `len` is 0);
/// `out_len` must be valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_result_description(
    result: u32,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> cors_result {
    guard(|| {
        if out_len.is_null() || (buf.is_null() && len > 0) {
            return Err(cors_result::NullPointer);
        }
        // SAFETY: `buf` is valid for `len` bytes (caller contract), non-NULL unless `len` is 0.
        let w = unsafe { CallerBuf::new(buf, len) };
        let (n, r) = match cors_result::from_u32(result) {
            Some(code) => w.write(format_args!("{}", code.description())),
            None => w.write(format_args!("unknown cors_result value {result}")),
        };
        // SAFETY: non-NULL (checked above) and valid for a write (caller contract).
        unsafe { out_len.write(n) };
        match r {
            cors_result::Ok => Ok(()),
            e => Err(e),
        }
    })
}

/// The library's version, e.g. `0.2.0` (static). Compare it with `CORS_FFI_VERSION` from
/// the header to detect a header/library mismatch.
#[unsafe(no_mangle)]
pub extern "C" fn cors_version() -> cors_str {
    guard_or(cors_str::empty(), || {
        cors_str::from_static(env!("CARGO_PKG_VERSION"))
    })
}
