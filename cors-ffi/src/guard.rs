//! The panic boundary and the caller-buffer writer shared by every function.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::result::cors_result;

/// Runs `f`, turning a panic into [`cors_result::Panic`].
pub(crate) fn guard(f: impl FnOnce() -> Result<(), cors_result>) -> cors_result {
    // Raw pointers make closures !UnwindSafe; nothing observes state left by a panic, since
    // outputs are written last.
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => cors_result::Ok,
        Ok(Err(e)) => e,
        Err(_) => cors_result::Panic,
    }
}

/// Runs `f`, returning `fallback` if it panics (for functions whose return value is not a
/// result code).
pub(crate) fn guard_or<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Writes formatted text into a caller buffer without allocating: what does not fit is cut
/// at a UTF-8 character boundary.
pub(crate) struct CallerBuf {
    ptr: *mut u8,
    cap: usize,
    len: usize,
    truncated: bool,
}

impl CallerBuf {
    /// A writer over `cap` bytes at `ptr`.
    ///
    /// # Safety
    ///
    /// Unless `cap` is 0, `ptr` must be non-NULL and valid for writes of `cap` bytes while
    /// the writer is used (the bytes need not be initialized).
    pub(crate) unsafe fn new(ptr: *mut u8, cap: usize) -> CallerBuf {
        CallerBuf {
            ptr,
            cap,
            len: 0,
            truncated: false,
        }
    }

    /// Writes `args`, returning the number of bytes written, or `BufferTooSmall` (with the
    /// truncated text written) when it did not fit.
    pub(crate) fn write(mut self, args: fmt::Arguments<'_>) -> (usize, cors_result) {
        // Our `write_str` never fails, so `write_fmt` fails only if a Display impl does.
        let r = fmt::Write::write_fmt(&mut self, args);
        let result = if r.is_err() || self.truncated {
            cors_result::BufferTooSmall
        } else {
            cors_result::Ok
        };
        (self.len, result)
    }
}

impl fmt::Write for CallerBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.truncated {
            return Ok(());
        }
        let room = self.cap - self.len;
        let mut n = s.len();
        if n > room {
            self.truncated = true;
            n = room;
            while !s.is_char_boundary(n) {
                n -= 1;
            }
        }
        if n > 0 {
            // SAFETY: `ptr` is valid for `cap` bytes (constructor contract) and
            // `len + n <= cap`, so the offset stays inside the buffer.
            let dst = unsafe { self.ptr.add(self.len) };
            // SAFETY: `dst` is valid for `n` bytes (above); `s` cannot overlap a buffer we
            // were given to write.
            unsafe { std::ptr::copy_nonoverlapping(s.as_ptr(), dst, n) };
            self.len += n;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_char_boundary() {
        let mut buf = [0u8; 5];
        // SAFETY: a live 5-byte buffer.
        let w = unsafe { CallerBuf::new(buf.as_mut_ptr(), buf.len()) };
        let (n, r) = w.write(format_args!("ab{}", "éé"));
        assert_eq!(r, cors_result::BufferTooSmall);
        assert_eq!(&buf[..n], "abé".as_bytes());
    }

    #[test]
    fn panics_become_results() {
        assert_eq!(guard(|| panic!("boom")), cors_result::Panic);
        assert_eq!(guard_or(7, || panic!("boom")), 7);
        assert_eq!(
            guard(|| Err(cors_result::NullPointer)),
            cors_result::NullPointer
        );
    }
}
