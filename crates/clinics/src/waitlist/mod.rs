//! Waitlists with automatic offers: join from a clinic's times, see the position and estimated
//! wait, answer an offer of a freed place within its window; for staff, a clinic's waitlist.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::web::Routes;

pub use store::{OfferView, WaitEntry};

text_enum! {
    /// Where an offer of a freed place stands (`clinic_offers.status`).
    OfferStatus {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
        Expired = "expired",
        Withdrawn = "withdrawn",
    }
}

pub fn routes() -> Routes {
    pages::routes()
}
