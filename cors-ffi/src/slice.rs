//! Byte slices across the boundary: `cors_str` and arrays of header lines.

use std::ptr;

use crate::result::cors_result;

/// A borrowed byte string: `len` bytes at `ptr`, not NUL-terminated.
///
/// As input, `(NULL, 0)` is the empty string and `(NULL, len > 0)` is an error. As output,
/// `ptr` is never NULL; the function that returns it says how long the bytes live.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cors_str {
    /// The first byte (may be NULL only when `len` is 0).
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

/// The static empty string outputs point to: one NUL byte, so even an empty output can be
/// printed as a C string.
static EMPTY_BYTES: [u8; 1] = [0];

/// cbindgen:ignore
impl cors_str {
    /// The empty string, `(NULL, 0)`, for initializing inputs.
    pub const NULL: cors_str = cors_str {
        ptr: ptr::null(),
        len: 0,
    };

    /// A string borrowing static bytes.
    pub const fn from_static(s: &'static str) -> cors_str {
        cors_str {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// A string borrowing `bytes` (the caller keeps them alive as long as it is used).
    pub fn from_bytes(bytes: &[u8]) -> cors_str {
        if bytes.is_empty() {
            return cors_str::empty();
        }
        cors_str {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    /// The empty output string: a non-NULL pointer to a static NUL byte, length 0.
    pub fn empty() -> cors_str {
        cors_str {
            ptr: EMPTY_BYTES.as_ptr(),
            len: 0,
        }
    }

    /// The bytes, after the NULL check.
    ///
    /// # Safety
    ///
    /// Unless `len` is 0 or `ptr` is NULL, `ptr` must be valid for reads of `len` bytes
    /// for `'a`, and the bytes must not be written during `'a`.
    pub(crate) unsafe fn bytes<'a>(self) -> Result<&'a [u8], cors_result> {
        // SAFETY: forwarded to the caller.
        unsafe { bytes(self.ptr, self.len) }
    }
}

/// The bytes of a `(ptr, len)` pair, after the NULL and size checks.
///
/// # Safety
///
/// Unless `len` is 0 or `ptr` is NULL, `ptr` must be valid for reads of `len` bytes for
/// `'a`, and the bytes must not be written during `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], cors_result> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(cors_result::NullPointer);
    }
    if len > isize::MAX as usize {
        return Err(cors_result::InvalidArgument);
    }
    // SAFETY: non-NULL, and the caller guarantees `len` readable bytes living for 'a;
    // the size fits in isize as checked above.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// UTF-8 text from a `(ptr, len)` pair.
///
/// # Safety
///
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize) -> Result<&'a str, cors_result> {
    // SAFETY: forwarded to the caller.
    let b = unsafe { bytes(ptr, len) }?;
    std::str::from_utf8(b).map_err(|_| cors_result::InvalidUtf8)
}

/// The lines of one request header, in the order received: `count` strings at `lines`.
/// `count == 0` (with any `lines`, NULL included) means the header is absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cors_lines {
    /// The first line (may be NULL only when `count` is 0).
    pub lines: *const cors_str,
    /// The number of lines.
    pub count: usize,
}

/// cbindgen:ignore
impl cors_lines {
    /// No line: the header is absent.
    pub const ABSENT: cors_lines = cors_lines {
        lines: ptr::null(),
        count: 0,
    };

    /// The line array, after the NULL check.
    ///
    /// # Safety
    ///
    /// Unless `count` is 0 or `lines` is NULL, `lines` must point to `count` readable
    /// `cors_str` values living for `'a`.
    pub(crate) unsafe fn array<'a>(self) -> Result<&'a [cors_str], cors_result> {
        if self.count == 0 {
            return Ok(&[]);
        }
        if self.lines.is_null() {
            return Err(cors_result::NullPointer);
        }
        if self.count > isize::MAX as usize / size_of::<cors_str>() {
            return Err(cors_result::InvalidArgument);
        }
        // SAFETY: non-NULL, and the caller guarantees `count` readable elements living for
        // 'a; the size fits in isize as checked above.
        Ok(unsafe { std::slice::from_raw_parts(self.lines, self.count) })
    }
}
