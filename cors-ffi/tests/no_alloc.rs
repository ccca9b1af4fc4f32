//! `cors_decide` allocates nothing: a counting global allocator watches every kind of
//! decision, mirrored values and denials included.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use cors_ffi::{
    cors_decide, cors_decision, cors_lines, cors_policy_free, cors_policy_from_toml, cors_request,
    cors_result, cors_str,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on.
        unsafe { System.dealloc(p, layout) }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `realloc` is passed on.
        unsafe { System.realloc(p, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn lines(v: &[cors_str]) -> cors_lines {
    cors_lines {
        lines: v.as_ptr(),
        count: v.len(),
    }
}

#[test]
fn decide_does_not_allocate() {
    let configs = [
        "allow_origins = [\"https://app.example.com\", \"https://*.example.org\"]\n\
         allow_methods = [\"GET\", \"PUT\"]\nallow_headers = [\"content-type\"]\n\
         expose_headers = [\"x-id\"]\nallow_credentials = true\nmax_age = 5\n\
         allow_private_network = true",
        "allow_origins = [\"https://app.example.com\"]\nallow_headers = \"*\"\n\
         allow_methods = \"*\"\nallow_credentials = true",
        "allow_origins = \"*\"",
    ];
    let s = cors_str::from_static;
    let origin = [s("https://app.example.com")];
    let evil = [s("https://evil.example")];
    let two = [s("https://app.example.com"), s("https://app.example.com")];
    let put = [s("PUT")];
    let bad = [s("TRACE")];
    let acrh = [s("content-type, x-a"), s("x-b")];
    let pna = [s("true")];
    let method = |m| cors_request {
        method: s(m),
        ..cors_request::EMPTY
    };
    let requests = [
        method("GET"),
        cors_request {
            origin: lines(&origin),
            ..method("POST")
        },
        cors_request {
            origin: lines(&evil),
            ..method("GET")
        },
        cors_request {
            origin: lines(&two),
            ..method("GET")
        },
        cors_request {
            origin: lines(&origin),
            request_method: lines(&put),
            request_headers: lines(&acrh),
            private_network: lines(&pna),
            ..method("OPTIONS")
        },
        cors_request {
            origin: lines(&origin),
            request_method: lines(&bad),
            ..method("OPTIONS")
        },
    ];
    for config in configs {
        let mut policy = ptr::null();
        // SAFETY: a live buffer and out-pointer.
        let r = unsafe {
            cors_policy_from_toml(config.as_ptr(), config.len(), &mut policy, ptr::null_mut())
        };
        assert_eq!(r, cors_result::Ok, "{config}");
        let mut decision = cors_decision::EMPTY;
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for req in &requests {
            // SAFETY: a live policy, a request over live buffers, a local decision.
            let r = unsafe { cors_decide(policy, req, &mut decision) };
            assert_eq!(r, cors_result::Ok);
        }
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(after - before, 0, "cors_decide allocated ({config})");
        // SAFETY: freed once.
        unsafe { cors_policy_free(policy) };
    }
}
