//! Counting the engine's decisions, to prove a server decides each request exactly once.

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::OnceLock;

use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// The target of the event `cors-core` emits once per decision.
pub const DECISION_TARGET: &str = "cors::decision";

thread_local! {
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

/// Counts `cors-core` decisions made on the current thread.
///
/// The first `install` in a process sets a global `tracing` subscriber that counts
/// decision events per thread (a thread-local default subscriber would race with
/// `tracing`'s interest cache when tests run in parallel). Run the server under test on
/// this thread: actix-web's and Rocket's test clients, `tower::ServiceExt` and `warp::test`
/// on a current-thread runtime all do.
///
/// ```
/// let counter = cors_conformance::DecisionCounter::install();
/// let policy = cors_core::Policy::from_toml_str(r#"allow_origins = "*""#).unwrap();
/// let request = http::Request::get("/").header("origin", "https://a.example").body(()).unwrap();
/// let _ = policy.decide(&request);
/// assert_eq!(counter.take(), 1);
/// ```
#[derive(Debug)]
pub struct DecisionCounter {
    /// Counts are per thread: the handle stays on the thread that made it.
    _not_send: PhantomData<*const ()>,
}

impl DecisionCounter {
    /// Starts counting on the current thread, from zero.
    ///
    /// # Panics
    ///
    /// When another global `tracing` subscriber was set first in this process.
    pub fn install() -> DecisionCounter {
        static INSTALLED: OnceLock<bool> = OnceLock::new();
        let ours =
            *INSTALLED.get_or_init(|| tracing::subscriber::set_global_default(Counting).is_ok());
        assert!(
            ours,
            "another global tracing subscriber is set; decisions cannot be counted"
        );
        COUNT.with(|c| c.set(0));
        DecisionCounter {
            _not_send: PhantomData,
        }
    }

    /// The decisions counted on this thread since the last call, and resets the count.
    pub fn take(&self) -> usize {
        COUNT.with(|c| c.replace(0))
    }
}

struct Counting;

impl Subscriber for Counting {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.target() == DECISION_TARGET {
            Interest::always()
        } else {
            Interest::never()
        }
    }
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == DECISION_TARGET
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        if event.metadata().target() == DECISION_TARGET {
            COUNT.with(|c| c.set(c.get() + 1));
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
