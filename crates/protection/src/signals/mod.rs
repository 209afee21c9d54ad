//! Signals: the daily detection run (EARS, Farrington flexible, CUSUM, threshold and the
//! space-time scan), triaged by epidemiologists, and the import of past weekly counts.

pub mod api;
pub mod history;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::identity::Role;
use kernel::web::Routes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use history::{HistoryRow, parse_history};
pub use rules::*;

/// Who may change the duty officer.
pub const LEADS: &[Role] = &[Role::LeadEpidemiologist, Role::Admin];

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![HomeCard::staff("prot-sig-title", "prot-sig-desc", "/staff/protection/signals")]
}

pub fn routes() -> Routes {
    api::routes().merge(pages::routes())
}

/// A signal: an alarm of the daily detection run, with its evidence and triage state.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Signal {
    pub id: String,
    pub disease: String,
    /// A district code, or `HK` for territory-wide.
    pub area: String,
    /// `ears-c1`, `ears-c2`, `ears-c3`, `farrington-flexible`, `cusum`, `threshold` or `scan`.
    pub method: String,
    /// The Monday of the week that alarmed.
    pub week_start: String,
    pub observed: f64,
    pub upperbound: Option<f64>,
    /// JSON: the weeks shown with their bounds, the method and its parameters (scan: the
    /// districts of the cluster, expected, p-value).
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    /// `new`, `assessing`, `outbreak` or `dismissed`.
    pub status: String,
    pub reason: String,
    /// The cluster opened for (or linked to) the signal, by reference.
    pub cluster_reference: Option<String>,
    #[serde(skip)]
    pub cluster_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Send it back with a triage decision: a stale version is refused.
    pub version: i64,
}

/// One triage decision on a signal.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct SignalEvent {
    #[sqlx(rename = "from_status")]
    pub from: Option<String>,
    #[sqlx(rename = "to_status")]
    pub to: String,
    pub reason: String,
    #[sqlx(rename = "changed_by")]
    pub by: String,
    #[sqlx(rename = "changed_at")]
    pub at: i64,
}

/// One run of detection.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SignalRun {
    pub id: String,
    pub started_at: i64,
    pub week_start: String,
    pub weeks_evaluated: i64,
    pub series: i64,
    pub signals_raised: i64,
    pub milliseconds: i64,
    pub started_by: String,
}

/// Filters of the signals list.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SignalFilter {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub disease: Option<String>,
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
}

impl SignalFilter {
    /// Empty strings (an unset select) mean no filter.
    pub fn normalised(self) -> SignalFilter {
        let f = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        SignalFilter { status: f(self.status), disease: f(self.disease), area: f(self.area), method: f(self.method) }
    }
}
