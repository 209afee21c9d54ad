//! The walk-in queue: tickets issued at the kiosk or the counter, called to rooms by staff, the
//! ticket a person follows on their phone, the waiting-hall board and the queue analytics.

pub mod api;
pub mod live;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::web::Routes;
use serde::Serialize;
use utoipa::ToSchema;

pub use rules::Priority;

text_enum! {
    /// Where a walk-in ticket stands (`clinic_tickets.status`).
    TicketStatus {
        Waiting = "waiting",
        Called = "called",
        Done = "done",
        Skipped = "skipped",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// Where a ticket was issued (`clinic_tickets.channel`).
    TicketChannel {
        Kiosk = "kiosk",
        Counter = "counter",
    }
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
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
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
    #[sqlx(try_from = "String")]
    pub channel: TicketChannel,
    /// `waiting`, `called`, `done`, `skipped` or `cancelled`.
    #[sqlx(try_from = "String")]
    pub status: TicketStatus,
    pub room_id: Option<String>,
    pub lang: String,
    pub issued_at: i64,
    pub queued_at: i64,
    pub first_called_at: Option<i64>,
    pub called_at: Option<i64>,
    pub done_at: Option<i64>,
    pub calls: i64,
}

pub fn routes() -> Routes {
    pages::routes().merge(api::routes())
}
