//! Prometheus metrics: HTTP requests and latency by route, job queue and outbox depth, job and
//! notification outcomes. Areas may add their own families when the state is built.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::db::Db;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    kind: String,
    outcome: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms … ~8 s
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    jobs: Family<StatusLabels, Gauge>,
    outbox: Family<StatusLabels, Gauge>,
    job_outcomes: Family<OutcomeLabels, Counter>,
    notifications: Family<StatusLabels, Counter>,
    iot: Family<IotLabels, Counter>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IotLabels {
    transport: String,
    outcome: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("phos");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let jobs = Family::<StatusLabels, Gauge>::default();
        let outbox = Family::<StatusLabels, Gauge>::default();
        let job_outcomes = Family::<OutcomeLabels, Counter>::default();
        let notifications = Family::<StatusLabels, Counter>::default();
        let iot = Family::<IotLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests by method, route and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by method and route", latency.clone());
        registry.register("jobs", "Background jobs in the queue by status", jobs.clone());
        registry.register("outbox_messages", "Notification outbox messages by status", outbox.clone());
        registry.register("job_outcomes", "Job attempts by kind and outcome", job_outcomes.clone());
        registry.register("notifications", "Notification deliveries by resulting status", notifications.clone());
        registry.register(
            "iot_readings",
            "Device readings by transport (mqtt, http) and outcome (stored, or why they were refused)",
            iot.clone(),
        );
        Metrics { registry, requests, latency, jobs, outbox, job_outcomes, notifications, iot }
    }

    /// Registers an area's own metric family; call while building the state.
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests.get_or_create(&RequestLabels { method: method.into(), route: route.into(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method: method.into(), route: route.into() }).observe(seconds);
    }

    pub fn job_outcome(&self, kind: &str, outcome: &str) {
        self.job_outcomes.get_or_create(&OutcomeLabels { kind: kind.into(), outcome: outcome.into() }).inc();
    }

    pub fn notification(&self, status: &str) {
        self.notifications.get_or_create(&StatusLabels { status: status.into() }).inc();
    }

    /// Counts `n` device readings (or messages, when refused before parsing) by outcome.
    pub fn iot(&self, transport: &str, outcome: &str, n: u64) {
        self.iot.get_or_create(&IotLabels { transport: transport.into(), outcome: outcome.into() }).inc_by(n);
    }

    /// The Prometheus text exposition, with queue depths read from the database now.
    pub async fn render(&self, db: &Db) -> String {
        for (family, statuses, rows) in [
            (&self.jobs, &["queued", "running", "done", "failed"][..], crate::jobs::depth(db).await),
            (
                &self.outbox,
                &["queued", "sending", "delivered", "temporary_failure", "permanent_failure"][..],
                crate::notify::depth(db).await,
            ),
        ] {
            let rows = rows.unwrap_or_default();
            for s in statuses {
                let n = rows.iter().find(|(st, _)| st == s).map(|(_, n)| *n).unwrap_or(0);
                family.get_or_create(&StatusLabels { status: (*s).into() }).set(n);
            }
        }
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}
