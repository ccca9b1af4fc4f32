//! The policy handle: built from TOML, JSON or a file, immutable, shared by reference count.

use std::path::Path;
use std::sync::Arc;

use cors_core::{Compiled, Format, LoadError, Policy};

use crate::error::cors_error;
use crate::guard::{guard, guard_or};
use crate::result::cors_result;
use crate::slice::{cors_str, text};

/// A compiled CORS policy: immutable and safe to use from any number of threads at once.
/// Reference-counted: `cors_policy_clone` adds a reference, `cors_policy_free` drops one.
pub struct cors_policy {
    pub(crate) policy: Policy,
    /// The config's warnings, formatted once at load.
    warnings: Box<[Box<str>]>,
}

impl cors_policy {
    /// Keeps a compiled policy and formats its warnings once.
    fn new(compiled: Compiled) -> Self {
        cors_policy {
            policy: compiled.policy,
            warnings: compiled
                .warnings
                .iter()
                .map(|w| w.to_string().into_boxed_str())
                .collect(),
        }
    }

    /// Converts a live handle pointer into a reference.
    ///
    /// # Safety
    ///
    /// `p` is NULL or a live policy from this library, used for `'a`.
    pub(crate) unsafe fn as_ref<'a>(p: *const cors_policy) -> Result<&'a cors_policy, cors_result> {
        // SAFETY: NULL or a pointer from Arc::into_raw whose reference the caller holds.
        unsafe { p.as_ref() }.ok_or(cors_result::NullPointer)
    }
}

/// Why a loader failed: a bad argument, or the config.
enum Failure {
    Argument(cors_result),
    Load(LoadError),
}

/// The shared body of the three loaders: runs `build` inside the panic guard, then stores
/// the policy or an error object (for every failure, panics included, so callers have one
/// error path).
///
/// # Safety
///
/// `policy_out` is NULL or valid for a write; `error_out` is NULL or valid for a write.
unsafe fn load(
    policy_out: *mut *const cors_policy,
    error_out: *mut *mut cors_error,
    build: impl FnOnce() -> Result<cors_policy, Failure>,
) -> cors_result {
    let mut failure = None;
    let r = guard(|| {
        if policy_out.is_null() {
            return Err(cors_result::NullPointer);
        }
        match build() {
            Ok(p) => {
                // SAFETY: non-NULL, valid for a write (caller contract).
                unsafe { policy_out.write(Arc::into_raw(Arc::new(p))) };
                Ok(())
            }
            Err(Failure::Argument(code)) => Err(code),
            Err(Failure::Load(e)) => {
                let err = cors_error::from_load(&e);
                let code = err.result();
                failure = Some(err);
                Err(code)
            }
        }
    });
    if r != cors_result::Ok {
        guard_or((), || {
            let err = failure
                .take()
                .unwrap_or_else(|| cors_error::new(r, r.description()));
            // SAFETY: NULL or valid for a write (caller contract).
            unsafe { err.store(error_out) }
        });
    }
    r
}

/// Builds a policy from TOML text (`len` bytes, UTF-8, not NUL-terminated).
///
/// On success writes the new policy to `*policy_out` (release it with `cors_policy_free`).
/// On failure writes an error object to `*error_out` when `error_out` is not NULL (release
/// it with `cors_error_free`); its message is the full multi-line text naming each field,
/// index and fix. Returns `CORS_RESULT_CONFIG_SYNTAX`, `CORS_RESULT_CONFIG_INVALID`,
/// `CORS_RESULT_INVALID_UTF8`, `CORS_RESULT_NULL_POINTER`, ...
///
/// # Safety
///
/// `text` is valid for reads of `len` bytes (may be NULL when `len` is 0); `policy_out`
/// is valid for a write; `error_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_policy_from_toml(
    text: *const u8,
    len: usize,
    policy_out: *mut *const cors_policy,
    error_out: *mut *mut cors_error,
) -> cors_result {
    // SAFETY: forwarded from the caller.
    unsafe { load_text(text, len, Format::Toml, policy_out, error_out) }
}

/// Builds a policy from JSON text; otherwise as `cors_policy_from_toml`.
///
/// # Safety
///
/// As for `cors_policy_from_toml`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_policy_from_json(
    text: *const u8,
    len: usize,
    policy_out: *mut *const cors_policy,
    error_out: *mut *mut cors_error,
) -> cors_result {
    // SAFETY: forwarded from the caller.
    unsafe { load_text(text, len, Format::Json, policy_out, error_out) }
}

/// Builds a policy from config text in `format`: the body of the text loaders.
///
/// # Safety
///
/// As for `cors_policy_from_toml`.
unsafe fn load_text(
    text: *const u8,
    len: usize,
    format: Format,
    policy_out: *mut *const cors_policy,
    error_out: *mut *mut cors_error,
) -> cors_result {
    let build = || {
        // SAFETY: `text` is valid for `len` bytes (caller contract).
        let s = unsafe { self::text(text, len) }.map_err(Failure::Argument)?;
        Policy::compile_str(s, format)
            .map(cors_policy::new)
            .map_err(Failure::Load)
    };
    // SAFETY: out-pointers forwarded from the caller.
    unsafe { load(policy_out, error_out, build) }
}

/// Builds a policy from a config file (`path` is `len` bytes of UTF-8, not
/// NUL-terminated), its format chosen by extension: `.toml`, `.json`, `.yaml`/`.yml`.
/// Error messages name the file. Otherwise as `cors_policy_from_toml`; a file that cannot
/// be read gives `CORS_RESULT_IO`, an unknown extension `CORS_RESULT_UNKNOWN_FORMAT`.
///
/// # Safety
///
/// As for `cors_policy_from_toml`, with `path` in place of `text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_policy_from_path(
    path: *const u8,
    len: usize,
    policy_out: *mut *const cors_policy,
    error_out: *mut *mut cors_error,
) -> cors_result {
    let build = || {
        // SAFETY: `path` is valid for `len` bytes (caller contract).
        let p = Path::new(unsafe { text(path, len) }.map_err(Failure::Argument)?);
        Policy::compile_path(p)
            .map(cors_policy::new)
            .map_err(Failure::Load)
    };
    // SAFETY: out-pointers forwarded from the caller.
    unsafe { load(policy_out, error_out, build) }
}

/// Adds a reference to a policy and returns it (the same pointer), for a second owner that
/// frees it independently. NULL gives NULL.
///
/// # Safety
///
/// `policy` is NULL or a live policy from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_policy_clone(policy: *const cors_policy) -> *const cors_policy {
    guard_or(std::ptr::null(), || {
        if !policy.is_null() {
            // SAFETY: a live pointer from Arc::into_raw (caller contract).
            unsafe { Arc::increment_strong_count(policy) };
        }
        policy
    })
}

/// Drops a reference to a policy; the last one frees it. NULL is accepted and ignored.
/// Slices a decision or warning pointed into the policy are invalid once it is freed.
///
/// # Safety
///
/// `policy` is NULL or a live policy from this library whose reference the caller owns;
/// that reference must not be used after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_policy_free(policy: *const cors_policy) {
    guard_or((), || {
        if !policy.is_null() {
            // SAFETY: a pointer from Arc::into_raw, its reference released once (caller
            // contract).
            drop(unsafe { Arc::from_raw(policy) });
        }
    })
}

/// The number of warnings the config produced (accepted values that are probably not what
/// was meant, e.g. a forbidden request header in `allow_headers`). NULL gives 0.
///
/// # Safety
///
/// `policy` is NULL or a live policy from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_policy_warning_count(policy: *const cors_policy) -> usize {
    guard_or(0, || {
        // SAFETY: NULL or a live policy (caller contract).
        unsafe { cors_policy::as_ref(policy) }.map_or(0, |p| p.warnings.len())
    })
}

/// Writes warning number `index` (from 0) to `*out`: one line naming the field, valid while
/// the policy lives. Returns `CORS_RESULT_INVALID_ARGUMENT` when `index` is out of range.
///
/// # Safety
///
/// `policy` is NULL or a live policy from this library; `out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_policy_warning(
    policy: *const cors_policy,
    index: usize,
    out: *mut cors_str,
) -> cors_result {
    guard(|| {
        // SAFETY: NULL or a live policy (caller contract).
        let p = unsafe { cors_policy::as_ref(policy) }?;
        if out.is_null() {
            return Err(cors_result::NullPointer);
        }
        let w = p.warnings.get(index).ok_or(cors_result::InvalidArgument)?;
        // SAFETY: non-NULL and valid for a write (caller contract).
        unsafe { out.write(cors_str::from_bytes(w.as_bytes())) };
        Ok(())
    })
}
