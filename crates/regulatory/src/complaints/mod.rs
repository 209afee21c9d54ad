//! Complaints from the public about a premises (anonymous allowed): a public form that gives a
//! reference (`CMP-YYYY-XXXXXX`) and acknowledges it in the complainant's language, a public
//! status page by reference, and staff triage (match the premises, set the priority, reject
//! with a reason, send to inspection). Complaints about the same premises are grouped: a new
//! complaint about a premises with an open complaint joins its group, staff can link and
//! unlink. When the inspection's outcome is recorded, the group is closed and every
//! complainant with a contact is told the outcome in their own language.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use serde::Serialize;

/// A complaint as stored.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Complaint {
    pub id: String,
    /// The reference the complainant is given, e.g. `CMP-2026-7K3M9Q`.
    #[sqlx(rename = "ref")]
    #[serde(rename = "ref")]
    pub reference: String,
    pub premises_id: Option<String>,
    pub premises_text: String,
    pub district: Option<String>,
    pub category: String,
    pub description: String,
    pub anonymous: i64,
    #[serde(skip)]
    pub contact_email: Option<String>,
    #[serde(skip)]
    pub contact_phone: Option<String>,
    pub lang: String,
    #[serde(skip)]
    pub account: Option<String>,
    /// received, triaged, inspection, closed or rejected.
    pub status: String,
    pub priority: i64,
    pub group_id: Option<String>,
    pub inspection_id: Option<String>,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub triaged_by: Option<String>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Complaint {
    /// The group it belongs to (itself when it leads or is alone).
    pub fn group(&self) -> &str {
        self.group_id.as_deref().unwrap_or(&self.id)
    }

    pub fn is_open(&self) -> bool {
        rules::OPEN.contains(&self.status.as_str())
    }
}

pub use pages::routes;
