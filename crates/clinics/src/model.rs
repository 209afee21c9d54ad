//! Domain types of the clinics area (no IO).

use serde::Serialize;
use utoipa::ToSchema;

/// A service a clinic offers, with the statement people see before booking.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Service {
    pub code: String,
    pub point_kind: String,
    pub name_en: String,
    pub name_zh: String,
    pub eligibility_en: String,
    pub eligibility_zh: String,
    pub min_notice_minutes: i64,
    pub max_reschedules: i64,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
}

/// A recurring session: every `weekday` (1 = Monday) between `valid_from` and `valid_to`, from
/// `start_time` to `end_time`, cut into slots of `slot_minutes`, each holding `capacity` people
/// of whom `pool_walkin` are kept for walk-ins and `pool_elderly` for people aged 65 or above.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Session {
    pub id: String,
    pub service_point: String,
    pub service: String,
    pub weekday: i64,
    pub start_time: String,
    pub end_time: String,
    pub slot_minutes: i64,
    pub capacity: i64,
    pub pool_walkin: i64,
    pub pool_elderly: i64,
    pub valid_from: String,
    pub valid_to: String,
}

/// A bookable slot.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Slot {
    pub id: String,
    pub service_point: String,
    pub service: String,
    pub day: String,
    /// Unix milliseconds UTC.
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub pool_walkin: i64,
    pub pool_elderly: i64,
    pub booked: i64,
    pub booked_elderly: i64,
    pub status: String,
}

impl Slot {
    /// Places anyone may still book online (the general pool).
    pub fn general_left(&self) -> i64 {
        ((self.capacity - self.pool_walkin - self.pool_elderly) - (self.booked - self.booked_elderly)).max(0)
    }

    /// Places left for someone aged 65 or above (their pool, then the general one).
    pub fn elderly_left(&self) -> i64 {
        (self.pool_elderly - self.booked_elderly).max(0) + self.general_left()
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Booking {
    pub id: String,
    pub reference: String,
    pub slot_id: String,
    pub service: String,
    pub service_point: String,
    pub citizen_id: String,
    pub status: String,
    pub channel: String,
    pub reschedules: i64,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// A counter or consultation room that calls walk-in tickets.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Room {
    pub id: String,
    pub service_point: String,
    pub name_en: String,
    pub name_zh: String,
    /// Queue services it calls from (clinic service codes, `enquiry`).
    pub services: Vec<String>,
}

/// A walk-in queue ticket.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Ticket {
    pub id: String,
    #[serde(skip)]
    pub token: String,
    pub service_point: String,
    pub service: String,
    pub day: String,
    pub number: String,
    pub priority: String,
    pub rank: i64,
    pub channel: String,
    /// `waiting`, `called`, `done`, `skipped` or `cancelled`.
    pub status: String,
    pub room_id: Option<String>,
    pub lang: String,
    pub issued_at: i64,
    pub queued_at: i64,
    pub first_called_at: Option<i64>,
    pub called_at: Option<i64>,
    pub done_at: Option<i64>,
    pub calls: i64,
}

/// A vaccine fridge registered as a device of a clinic.
#[derive(Clone, Debug, Serialize, ToSchema)]
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
#[derive(Clone, Debug, Serialize, ToSchema)]
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
#[derive(Clone, Debug, Serialize, ToSchema)]
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
