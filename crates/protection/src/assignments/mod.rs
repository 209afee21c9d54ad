//! Need-to-know assignments: which epidemiologist may see which case or cluster.

pub mod pages;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::identity::Role;
use kernel::web::Routes;
use serde::Serialize;

/// Who assigns.
pub const LEADS: &[Role] = &[Role::LeadEpidemiologist, Role::Admin];

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![HomeCard::staff("prot-assignments-title", "prot-assignments-desc", "/staff/protection/assignments")]
}

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
