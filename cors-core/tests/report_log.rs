//! The report-only log line names the deciding route, also when the decision was kept in
//! an owned form (`ResponseHeaders`, `Detached`) while the handler ran.

use std::sync::{Arc, Mutex};

use cors_core::{DetachedValue, Policy};
use http::{HeaderMap, HeaderValue, Request};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Collects the `route` field of every event.
#[derive(Clone, Default)]
struct Routes(Arc<Mutex<Vec<String>>>);

struct RouteField(Option<String>);

impl Visit for RouteField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "route" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "route" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl Subscriber for Routes {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut route = RouteField(None);
        event.record(&mut route);
        if let Some(r) = route.0 {
            self.0.lock().unwrap().push(r);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn owned_forms_report_the_deciding_route() {
    let policy = Policy::from_toml_str(
        "allow_origins = [\"https://app.example.com\"]\n\
         [[routes]]\npath = \"/shadow\"\nmode = \"report-only\"\n",
    )
    .unwrap();
    let req = Request::get("/shadow/x")
        .header("origin", "https://evil.example")
        .body(())
        .unwrap();
    // The handler lets the denied origin read the response: a disagreement to log.
    let handler = || {
        let mut h = HeaderMap::new();
        h.insert(
            "access-control-allow-origin",
            HeaderValue::from_static("https://evil.example"),
        );
        h
    };
    let routes = Routes::default();
    tracing::subscriber::with_default(routes.clone(), || {
        let decision = policy.decide_at(&req, b"/shadow/x");
        assert_eq!(decision.route(), Some("/shadow"));
        // Only the owned forms' report lines from here on.
        routes.0.lock().unwrap().clear();
        let mut owned = decision.to_response_headers();
        owned.set_status(200);
        owned.apply(&policy, &mut handler());
        let detached = decision.detach(&req);
        detached.apply_to(
            &policy,
            &req,
            b"/shadow/x",
            200,
            &mut handler(),
            |v| match v {
                DetachedValue::Policy(p) => Some(p.header_value().clone()),
                DetachedValue::Request { .. } => None,
            },
        );
    });
    assert_eq!(*routes.0.lock().unwrap(), ["/shadow", "/shadow"]);
}
