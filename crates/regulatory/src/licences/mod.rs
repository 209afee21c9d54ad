//! Licences and their lifecycle: new, renew, amend, suspend, reinstate, revoke, surrender,
//! lapse. Every transition is recorded with its reason and legal basis (`reg_licence_events`)
//! and in the audit chain.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use serde::Serialize;

pub use rules::{Action, Status};

/// A licence as stored.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Licence {
    pub id: String,
    pub number: String,
    pub type_code: String,
    pub premises_id: String,
    pub licensee_id: String,
    pub responsible_register: Option<String>,
    pub responsible_number: Option<String>,
    /// active, suspended, revoked, surrendered or lapsed.
    pub status: String,
    /// 0 or 1.
    pub provisional: i64,
    /// JSON array of {en, zh}.
    pub conditions: String,
    /// YYYY-MM-DD.
    pub issued_on: String,
    /// YYYY-MM-DD (the last day it is valid).
    pub expires_on: String,
    pub case_ref: String,
    pub revision: i64,
    pub updated_at: i64,
}

/// One lifecycle event.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct LicenceEvent {
    pub id: String,
    pub licence_id: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
    pub legal_basis: String,
    pub actor: String,
    pub at: i64,
}
