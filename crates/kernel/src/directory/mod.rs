//! The Department of Health's service points. (The citizen register is `crate::people`.)

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod store;

pub use store::{count_service_points, service_point, service_points, upsert_service_points};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct ServicePoint {
    pub code: String,
    /// `dental`, `ehc` (Elderly Health Centre), `mchc` (Maternal and Child Health Centre) or `vaccination`.
    pub kind: String,
    pub name_en: String,
    pub name_zh: String,
    /// District code.
    pub district: String,
    pub address_en: String,
    pub address_zh: String,
}

pub const KINDS: [&str; 4] = ["dental", "ehc", "mchc", "vaccination"];
