//! Explainable risk scores per premises (issue 13 item 6): an additive score in the style of the
//! UK FHRS over the signals of the FDA's site selection model ([`rules`], pure), weights as data
//! with a change history, stored scores with their factor breakdown, recomputed within seconds of
//! a signal ([`crate::SIGNAL_TOPIC`]) and in full every night and after a weights change, and the
//! due list of routine inspections by risk band.

pub mod api;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use serde::{Deserialize, Serialize};

pub use rules::{Band, Factor, Score, Weights};

/// Those who change the weights.
pub const MANAGERS: &[kernel::identity::Role] =
    &[kernel::identity::Role::Admin, kernel::identity::Role::LicensingManager];

/// A premises' score as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredScore {
    pub premises_id: String,
    pub total: f64,
    /// A (high), B or C (low).
    pub band: String,
    /// Months between routine inspections in this band.
    pub frequency_months: i64,
    /// YYYY-MM-DD, absent when never inspected.
    pub last_inspection_on: Option<String>,
    /// YYYY-MM-DD.
    pub next_due_on: String,
    pub factors: Vec<Factor>,
    /// The weights version used (0: the defaults).
    pub weights_version: i64,
    /// Unix milliseconds.
    pub computed_at: i64,
}

/// One change of the weights.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct WeightChange {
    pub version: i64,
    pub weights: String,
    pub old_weights: Option<String>,
    pub changed_by: String,
    pub reason: String,
    pub changed_at: i64,
}

/// Job kinds: recompute one premises (subscribed to [`crate::SIGNAL_TOPIC`]) and all of them.
pub const SIGNAL_JOB: &str = "regulatory.risk-signal";
pub const FULL_JOB: &str = "regulatory.risk-full";

pub fn routes() -> kernel::web::Routes {
    pages::routes().merge(api::routes())
}

/// Registers the jobs: the signal subscription, the nightly full recompute (02:30 Hong Kong).
pub fn jobs(r: &mut kernel::jobs::Registry) {
    r.handle(SIGNAL_JOB, service::on_signal);
    r.subscribe(crate::SIGNAL_TOPIC, SIGNAL_JOB);
    r.handle(FULL_JOB, service::on_full);
    r.every("regulatory.risk-nightly", "0 30 2 * * *", FULL_JOB, serde_json::json!({}));
}
