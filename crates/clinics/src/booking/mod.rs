//! Booking: services with their eligibility, recurring sessions and the slots they generate
//! (`schedule`), booking that never oversells (one conditional update per place, group commit
//! on a surge), cancel and reschedule, assisted booking at the counter, two-way reminders, mass
//! cancellation for closures, and the staff's day list with capacity and attendance.

pub mod answers;
pub mod api;
pub mod calendar;
pub mod closures;
pub mod counter;
pub mod group_commit;
pub mod notices;
pub mod pages;
pub mod reminders;
pub mod rules;
pub mod schedule;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::web::Routes;
use serde::Serialize;
use utoipa::ToSchema;

pub use rules::Refusal;

text_enum! {
    /// Where a booking stands (`clinic_bookings.status`).
    BookingStatus {
        Booked = "booked",
        Cancelled = "cancelled",
        Attended = "attended",
        NoShow = "no_show",
        Late = "late",
    }
}

text_enum! {
    /// How a booking was made (`clinic_bookings.channel`).
    BookingChannel {
        Online = "online",
        Counter = "counter",
    }
}
pub use store::BookingView;

/// A service a clinic offers, with the statement people see before booking.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
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
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
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
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
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
    pub status: BookingStatus,
    pub channel: BookingChannel,
    pub reschedules: i64,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![
        HomeCard::public("clinics-home-book", "clinics-home-book-desc", "/service-points"),
        HomeCard::public("clinics-home-mine", "clinics-home-mine-desc", "/bookings"),
        HomeCard::staff("clinics-home-staff", "clinics-home-staff-desc", "/staff/clinics"),
    ]
}

/// The booking pages, the booking API, the counter and the reminder answers.
pub fn routes() -> Routes {
    api::routes().merge(pages::routes()).merge(answers::routes()).merge(counter::routes())
}
