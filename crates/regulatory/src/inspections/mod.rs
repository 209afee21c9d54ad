//! Inspections: due (from the risk band, a complaint or an application), planned into an
//! inspector's day, done with findings and an outcome that feeds the risk score.

pub mod api;
pub mod checklist;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use serde::Serialize;

/// An inspection as stored.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Inspection {
    pub id: String,
    pub premises_id: String,
    pub licence_id: Option<String>,
    /// routine, complaint, pre_licence or follow_up.
    pub kind: String,
    /// 1 urgent … 3 routine.
    pub priority: i64,
    /// YYYY-MM-DD.
    pub due_on: String,
    /// HH:MM.
    pub window_start: String,
    pub window_end: String,
    /// Staff id.
    pub inspector: Option<String>,
    pub planned_on: Option<String>,
    /// due, planned, done or cancelled.
    pub status: String,
    /// compliant, advice, warning or prosecution.
    pub outcome: Option<String>,
    /// JSON array of findings.
    pub findings: String,
    pub done_by: Option<String>,
    pub done_at: Option<i64>,
    /// YYYY-MM-DD: the outcome is published on the register from this day.
    pub publish_after: Option<String>,
    /// The application or complaint reference that asked for it.
    pub source_ref: Option<String>,
    pub created_at: i64,
}

/// Published (kernel jobs pub/sub) when an inspection's outcome is recorded. Payload
/// `{"inspection_id": "…", "outcome": "…"}`.
pub const OUTCOME_TOPIC: &str = "regulatory.inspection-outcome";

/// Outcomes, mildest first.
pub const OUTCOMES: [&str; 4] = ["compliant", "advice", "warning", "prosecution"];

/// Days after an inspection before its outcome is published (the appeal window).
pub const APPEAL_DAYS: i64 = 14;

/// The inspections routes: the inspector's pages and the JSON API.
pub fn routes() -> kernel::web::Routes {
    pages::routes().merge(api::routes())
}
