//! Observing decisions (docs/operations.md, "Metrics and observers"): an adapter hands
//! each decision to an [`Observer`]; [`Counters`] counts them through the `metrics` facade,
//! so any exporter (Prometheus included) publishes them.

use std::sync::Arc;

use crate::decision::{Decision, RequestKind};
use crate::denial::DenialKind;

/// What became of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Not a CORS request.
    NotCors,
    /// Allowed.
    Allowed,
    /// Denied: no grant for an actual request, 403 for a preflight.
    Denied,
}

impl Outcome {
    /// The outcome's name, as counters label it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::NotCors => "not-cors",
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }
}

/// One decision, as an observer sees it. Borrowed: copy what you keep.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// How the request was classified.
    pub kind: RequestKind,
    /// What became of it.
    pub outcome: Outcome,
    /// Why it was denied, with the offending request value (the origin, method or header
    /// name; empty when the kind carries none).
    pub denial: Option<(DenialKind, &'a [u8])>,
    /// The route that decided (its path), `None` for the top level.
    pub route: Option<&'a str>,
    /// Whether the deciding policy is report-only (the server changed nothing).
    pub report_only: bool,
}

impl<V: ?Sized> Decision<'_, V> {
    /// The decision as an [`Observer`] receives it.
    pub fn observation(&self) -> Observation<'_> {
        Observation {
            kind: self.kind(),
            outcome: match (self.kind(), self.denial()) {
                (RequestKind::NotCors, _) => Outcome::NotCors,
                (_, None) => Outcome::Allowed,
                (_, Some(_)) => Outcome::Denied,
            },
            denial: self.denial().map(|d| (d.kind(), d.value())),
            route: self.route(),
            report_only: self.is_report_only(),
        }
    }
}

/// Receives every decision an adapter makes, on the request's thread, before the request
/// goes on: keep it cheap (count, sample, queue).
pub trait Observer: Send + Sync + 'static {
    /// One decision.
    fn observe(&self, observation: &Observation<'_>);
}

impl<F: Fn(&Observation<'_>) + Send + Sync + 'static> Observer for F {
    fn observe(&self, observation: &Observation<'_>) {
        self(observation)
    }
}

/// The counter [`Counters`] increments, once per decision.
pub const DECISIONS_METRIC: &str = "cors_decisions_total";

/// Counts decisions through the `metrics` facade: [`DECISIONS_METRIC`] with the labels
/// `kind` (`not-cors`, `preflight`, `actual`), `outcome` (`not-cors`, `allowed`,
/// `denied`), `reason` (the denial's name, empty when allowed) and `mode` (`enforce`,
/// `report-only`). Every label value is static: counting allocates nothing once the
/// exporter has seen the label set.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters;

/// Every label set of [`DECISIONS_METRIC`], built once: counting then allocates nothing.
fn counter_keys() -> &'static [metrics::Key] {
    static KEYS: std::sync::OnceLock<Vec<metrics::Key>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = Vec::new();
        for kind in KINDS {
            for outcome in OUTCOMES {
                for reason in std::iter::once("").chain(DenialKind::ALL.iter().map(|k| k.as_str()))
                {
                    for mode in MODES {
                        let labels = vec![
                            metrics::Label::from_static_parts("kind", kind),
                            metrics::Label::from_static_parts("outcome", outcome),
                            metrics::Label::from_static_parts("reason", reason),
                            metrics::Label::from_static_parts("mode", mode),
                        ];
                        keys.push(metrics::Key::from_parts(DECISIONS_METRIC, labels));
                    }
                }
            }
        }
        keys
    })
}

const KINDS: [&str; 3] = ["not-cors", "preflight", "actual"];
const OUTCOMES: [&str; 3] = ["not-cors", "allowed", "denied"];
const MODES: [&str; 2] = ["enforce", "report-only"];

static METADATA: metrics::Metadata<'static> =
    metrics::Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));

impl Observer for Counters {
    fn observe(&self, o: &Observation<'_>) {
        let kind = match o.kind {
            RequestKind::NotCors => 0,
            RequestKind::Preflight => 1,
            RequestKind::Actual => 2,
        };
        let outcome = match o.outcome {
            Outcome::NotCors => 0,
            Outcome::Allowed => 1,
            Outcome::Denied => 2,
        };
        let reason = o.denial.map_or(0, |(k, _)| {
            DenialKind::ALL
                .iter()
                .position(|x| *x == k)
                .map_or(0, |i| i + 1)
        });
        let reasons = DenialKind::ALL.len() + 1;
        let index = ((kind * OUTCOMES.len() + outcome) * reasons + reason) * MODES.len()
            + usize::from(o.report_only);
        if let Some(key) = counter_keys().get(index) {
            metrics::with_recorder(|r| r.register_counter(key, &METADATA).increment(1));
        }
    }
}

/// An adapter's observers: none (the default, which costs one test per request), or one.
#[derive(Clone, Default)]
pub struct Observers(Option<Arc<dyn Observer>>);

impl Observers {
    /// No observer.
    pub const fn none() -> Observers {
        Observers(None)
    }

    /// One observer.
    pub fn new(observer: impl Observer) -> Observers {
        Observers(Some(Arc::new(observer)))
    }

    /// Hands `decision` to the observer, if there is one.
    #[inline]
    pub fn observe<V: ?Sized>(&self, decision: &Decision<'_, V>) {
        if let Some(o) = &self.0 {
            o.observe(&decision.observation());
        }
    }
}

impl std::fmt::Debug for Observers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Observers(1)"
        } else {
            "Observers(0)"
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use metrics::{
        Counter, CounterFn, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit,
    };

    use super::*;
    use crate::Policy;

    /// A counter's labels, as (key, value) pairs.
    type Labels = Vec<(String, String)>;

    /// Counts increments per label set.
    #[derive(Default)]
    struct Recording(Mutex<BTreeMap<Labels, Arc<AtomicU64>>>);

    struct Count(Arc<AtomicU64>);

    impl CounterFn for Count {
        fn increment(&self, value: u64) {
            self.0.fetch_add(value, Ordering::Relaxed);
        }
        fn absolute(&self, value: u64) {
            self.0.store(value, Ordering::Relaxed);
        }
    }

    impl Recorder for Recording {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
            assert_eq!(key.name(), DECISIONS_METRIC);
            let labels = key
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            let mut map = self.0.lock().unwrap();
            Counter::from_arc(Arc::new(Count(Arc::clone(map.entry(labels).or_default()))))
        }
        fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
            Gauge::noop()
        }
        fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
            Histogram::noop()
        }
    }

    fn labels(kind: &str, outcome: &str, reason: &str, mode: &str) -> Labels {
        [
            ("kind", kind),
            ("outcome", outcome),
            ("reason", reason),
            ("mode", mode),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    fn requests() -> Vec<http::Request<()>> {
        let get = |origin: Option<&str>| {
            let mut b = http::Request::get("/x");
            if let Some(o) = origin {
                b = b.header("origin", o);
            }
            b.body(()).unwrap()
        };
        let preflight = |method: &str| {
            http::Request::options("/x")
                .header("origin", "https://a.example")
                .header("access-control-request-method", method)
                .body(())
                .unwrap()
        };
        vec![
            get(Some("https://a.example")),
            get(Some("https://a.example")),
            get(Some("https://evil.example")),
            get(None),
            preflight("PUT"),
            preflight("PATCH"),
        ]
    }

    #[test]
    fn counters_count_each_label_set_exactly() {
        let policy = Policy::from_toml_str(
            "allow_origins = [\"https://a.example\"]\nallow_methods = [\"GET\", \"PUT\"]\n\
             [[routes]]\npath = \"/shadow\"\nmode = \"report-only\"\n",
        )
        .unwrap();
        let recording = Recording::default();
        metrics::with_local_recorder(&recording, || {
            for r in requests() {
                Counters.observe(&policy.decide(&r).observation());
            }
            // A report-only route's denial is counted under its mode.
            Counters.observe(&policy.decide_at(&requests()[2], b"/shadow").observation());
        });
        let got: BTreeMap<_, _> = recording
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
            .collect();
        let expected: BTreeMap<_, _> = [
            (labels("actual", "allowed", "", "enforce"), 2),
            (
                labels("actual", "denied", "origin-not-allowed", "enforce"),
                1,
            ),
            (labels("not-cors", "not-cors", "", "enforce"), 1),
            (labels("preflight", "allowed", "", "enforce"), 1),
            (
                labels("preflight", "denied", "method-not-allowed", "enforce"),
                1,
            ),
            (
                labels("actual", "denied", "origin-not-allowed", "report-only"),
                1,
            ),
        ]
        .into_iter()
        .collect();
        assert_eq!(got, expected);
        // Every label set exists once, in order, for the index arithmetic.
        let keys = counter_keys();
        assert_eq!(keys.len(), 3 * 3 * (DenialKind::ALL.len() + 1) * 2);
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
    }

    #[test]
    fn observations_and_observers() {
        let policy = Policy::from_toml_str(
            "allow_origins = [\"https://a.example\"]\n[[routes]]\npath = \"/r\"\n",
        )
        .unwrap();
        let reqs = requests();
        let denied = policy.decide_at(&reqs[2], b"/r/x");
        let o = denied.observation();
        assert_eq!(o.outcome, Outcome::Denied);
        assert_eq!(o.outcome.as_str(), "denied");
        assert_eq!(
            o.denial,
            Some((DenialKind::OriginNotAllowed, &b"https://evil.example"[..]))
        );
        assert_eq!(o.route, Some("/r"));
        assert!(!o.report_only);
        assert_eq!(
            policy.decide(&reqs[3]).observation().outcome.as_str(),
            "not-cors"
        );
        assert_eq!(
            policy.decide(&reqs[0]).observation().outcome.as_str(),
            "allowed"
        );

        let seen = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&seen);
        let observers = Observers::new(move |o: &Observation<'_>| {
            assert_eq!(o.kind, RequestKind::Actual);
            counter.fetch_add(1, Ordering::Relaxed);
        });
        observers.observe(&denied);
        observers.observe(&denied);
        Observers::none().observe(&denied);
        assert_eq!(seen.load(Ordering::Relaxed), 2);
        assert_eq!(format!("{observers:?}"), "Observers(1)");
        assert_eq!(format!("{:?}", Observers::none()), "Observers(0)");
    }
}
