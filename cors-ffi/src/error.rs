//! The rich error object: a result code plus the full message.

use cors_core::LoadError;

use crate::guard::guard_or;
use crate::result::cors_result;
use crate::slice::cors_str;

/// An error with its full, possibly multi-line message (the same text as the Rust API's
/// `LoadError` Display: file, field, index and fix for every problem). Owned by the
/// caller; release it with `cors_error_free`.
pub struct cors_error {
    result: cors_result,
    /// The message followed by one NUL byte, which the message length excludes.
    message: Box<str>,
}

impl cors_error {
    pub(crate) fn new(result: cors_result, message: &str) -> cors_error {
        // A NUL inside would cut the message short for C string users.
        let mut m = message.replace('\0', "\\0");
        m.push('\0');
        cors_error {
            result,
            message: m.into_boxed_str(),
        }
    }

    pub(crate) fn from_load(e: &LoadError) -> cors_error {
        let result = match e {
            LoadError::Io { .. } => cors_result::Io,
            LoadError::UnknownFormat { .. } => cors_result::UnknownFormat,
            LoadError::FormatDisabled { .. } => cors_result::FormatDisabled,
            LoadError::Syntax { .. } => cors_result::ConfigSyntax,
            LoadError::Invalid { .. } => cors_result::ConfigInvalid,
            _ => cors_result::LoadFailed,
        };
        cors_error::new(result, &e.to_string())
    }

    pub(crate) fn result(&self) -> cors_result {
        self.result
    }

    fn message(&self) -> &str {
        self.message.strip_suffix('\0').unwrap_or(&self.message)
    }

    /// Stores the error in `*out` when `out` is not NULL.
    ///
    /// # Safety
    ///
    /// `out` is NULL or valid for a write.
    pub(crate) unsafe fn store(self, out: *mut *mut cors_error) {
        if !out.is_null() {
            // SAFETY: non-NULL and valid for a write (caller contract).
            unsafe { out.write(Box::into_raw(Box::new(self))) };
        }
    }
}

/// The error's message, valid until `cors_error_free(error)`. It is also followed by a NUL
/// byte (not counted in `len`), so `ptr` can be used as a C string. NULL gives an empty
/// string.
///
/// # Safety
///
/// `error` is NULL or a live error from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_error_message(error: *const cors_error) -> cors_str {
    guard_or(cors_str::empty(), || {
        // SAFETY: NULL or a live error (caller contract).
        match unsafe { error.as_ref() } {
            Some(e) => cors_str::from_bytes(e.message().as_bytes()),
            None => cors_str::empty(),
        }
    })
}

/// The error's result code (`CORS_RESULT_NULL_POINTER` for NULL).
///
/// # Safety
///
/// `error` is NULL or a live error from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_error_result(error: *const cors_error) -> cors_result {
    guard_or(cors_result::Panic, || {
        // SAFETY: NULL or a live error (caller contract).
        match unsafe { error.as_ref() } {
            Some(e) => e.result(),
            None => cors_result::NullPointer,
        }
    })
}

/// Frees an error. NULL is accepted and ignored.
///
/// # Safety
///
/// `error` is NULL or an error from this library not yet freed; it must not be used after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_error_free(error: *mut cors_error) {
    guard_or((), || {
        if !error.is_null() {
            // SAFETY: the pointer came from Box::into_raw in `store` and is freed once
            // (caller contract).
            drop(unsafe { Box::from_raw(error) });
        }
    })
}
