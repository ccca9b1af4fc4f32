//! Shared pieces of the adapter benchmarks: heap allocations per request, counted through
//! `stats_alloc`, reported beside each bench's timings.
//!
//! A bench target installs the counting allocator with
//! `#[global_allocator] static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;`
//! and passes `&GLOBAL` to [`allocations_per_call`].
#![warn(missing_docs)]

use std::alloc::System;

pub use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

/// Runs `f` `n` times and returns the average number of heap allocations (including
/// reallocations) per run.
pub fn allocations_per_call(
    alloc: &'static StatsAlloc<System>,
    n: u64,
    mut f: impl FnMut(),
) -> f64 {
    let region = stats_alloc::Region::new(alloc);
    for _ in 0..n {
        f();
    }
    let stats = region.change();
    (stats.allocations + stats.reallocations) as f64 / n as f64
}
