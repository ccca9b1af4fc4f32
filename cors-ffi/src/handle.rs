//! A policy a server can replace while requests are decided on other threads.

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::guard::{guard, guard_or};
use crate::policy::cors_policy;
use crate::result::cors_result;

/// Holds the policy in force; `cors_handle_store` replaces it atomically while other
/// threads call `cors_handle_current`.
///
/// Contract: every function on a handle may be called from any thread at any time, until
/// `cors_handle_free`. `cors_handle_current` returns a new reference to the policy in force:
/// the old or the new one while a store is under way; once `cors_handle_store` has
/// returned, every later `cors_handle_current` on any thread returns the stored policy (or
/// a later one), and sees it fully built (the store releases, the load acquires). A request
/// that took a policy keeps deciding with it, and the decision's slices into it stay
/// valid, until the caller frees that reference, whatever is stored meanwhile. A replaced
/// policy is freed when its last reference is.
pub struct cors_handle {
    current: ArcSwap<cors_policy>,
}

/// Takes a new reference to a policy pointer from this library.
///
/// # Safety
///
/// `policy` is a live, non-NULL policy from this library.
unsafe fn share(policy: *const cors_policy) -> Arc<cors_policy> {
    // SAFETY: a pointer from Arc::into_raw whose reference the caller holds; the count
    // is raised first, so the Arc made from it owns a reference of its own.
    unsafe {
        Arc::increment_strong_count(policy);
        Arc::from_raw(policy)
    }
}

/// A handle holding `policy` (the handle takes a reference of its own: free yours when
/// done). NULL gives NULL. Free the handle with `cors_handle_free`.
///
/// # Safety
///
/// `policy` is NULL or a live policy from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_handle_new(policy: *const cors_policy) -> *mut cors_handle {
    guard_or(std::ptr::null_mut(), || {
        if policy.is_null() {
            return std::ptr::null_mut();
        }
        // SAFETY: non-NULL and live (caller contract).
        let shared = unsafe { share(policy) };
        Box::into_raw(Box::new(cors_handle {
            current: ArcSwap::new(shared),
        }))
    })
}

/// A new reference to the policy in force: decide a request with it, and free it
/// (`cors_policy_free`) once the response no longer needs the decision's slices. NULL
/// gives NULL.
///
/// # Safety
///
/// `handle` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_handle_current(handle: *const cors_handle) -> *const cors_policy {
    guard_or(std::ptr::null(), || {
        // SAFETY: NULL or live (caller contract).
        match unsafe { handle.as_ref() } {
            Some(h) => Arc::into_raw(h.current.load_full()),
            None => std::ptr::null(),
        }
    })
}

/// Puts `policy` in force (the handle takes a reference of its own: free yours when
/// done). Requests that already took the previous policy finish with it.
///
/// Returns `CORS_RESULT_OK` or `CORS_RESULT_NULL_POINTER`.
///
/// # Safety
///
/// `handle` is a live handle; `policy` a live policy from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_handle_store(
    handle: *const cors_handle,
    policy: *const cors_policy,
) -> cors_result {
    guard(|| {
        // SAFETY: NULL or live (caller contract).
        let h = unsafe { handle.as_ref() }.ok_or(cors_result::NullPointer)?;
        if policy.is_null() {
            return Err(cors_result::NullPointer);
        }
        // SAFETY: non-NULL and live (caller contract).
        h.current.store(unsafe { share(policy) });
        Ok(())
    })
}

/// Frees a handle and its reference to the policy in force (references taken with
/// `cors_handle_current` stay valid). NULL is accepted and ignored.
///
/// # Safety
///
/// `handle` is NULL or a live handle no other thread uses any more.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cors_handle_free(handle: *mut cors_handle) {
    guard_or((), || {
        if !handle.is_null() {
            // SAFETY: a pointer from Box::into_raw, freed once (caller contract).
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}
