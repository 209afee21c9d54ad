//! The cold chain: vaccine fridges whose sensors report over MQTT or HTTP, excursion and
//! offline alarms with escalation, acknowledgement, vaccine lots with quarantine, and the
//! temperature chart.

pub mod api;
pub mod chart;
pub mod mqtt;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::web::Routes;
use serde::Serialize;
use utoipa::ToSchema;

pub use rules::{Limits, Reading, TOPIC_PREFIX, VACCINE};

/// A vaccine fridge registered as a device of a clinic.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Fridge {
    pub id: String,
    pub service_point: String,
    pub name: String,
    pub device_id: String,
    pub min_c: f64,
    pub max_c: f64,
    pub contact: Option<String>,
    pub contact_lang: String,
    pub last_reading_at: Option<i64>,
    pub last_temp: Option<f64>,
    /// `high` or `low` while an excursion is in progress.
    pub excursion_kind: Option<String>,
    pub excursion_alarm_id: Option<String>,
    pub offline_alarm_id: Option<String>,
    pub created_at: i64,
}

/// An excursion (`high`, `low`) or `offline` alarm.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct FridgeAlarm {
    pub id: String,
    pub fridge_id: String,
    pub service_point: String,
    pub kind: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub min_c: Option<f64>,
    pub max_c: Option<f64>,
    pub opened_at: i64,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<String>,
    pub note: Option<String>,
    pub escalated_at: Option<i64>,
}

/// A vaccine lot kept in a fridge.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct VaccineLot {
    pub id: String,
    pub fridge_id: String,
    pub product: String,
    pub lot_number: String,
    pub doses: i64,
    pub expiry: String,
    /// `available`, `quarantined`, `released` or `discarded`.
    pub status: String,
    pub alarm_id: Option<String>,
    pub status_at: Option<i64>,
    pub reason: Option<String>,
}

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![HomeCard::staff("fridge-all-alarms", "fridge-all-alarms-lead", "/staff/fridges")]
}

pub fn routes() -> Routes {
    pages::routes().merge(api::routes())
}
