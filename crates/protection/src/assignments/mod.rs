//! Need-to-know assignments: which epidemiologist may see which case or cluster.

pub mod pages;
pub mod service;
pub mod store;

use kernel::identity::Role;
use kernel::web::Routes;
use serde::Serialize;

/// Who assigns.
pub const LEADS: &[Role] = &[Role::LeadEpidemiologist, Role::Admin];

pub fn routes() -> Routes {
    pages::routes()
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Assignment {
    pub id: String,
    pub staff_id: String,
    pub staff_name: String,
    pub subject_type: String,
    pub subject_id: String,
    pub subject_reference: String,
    pub assigned_by: String,
    pub assigned_at: i64,
}
