//! Ballots for over-subscribed sessions: a published commitment, registration in a window, a
//! verifiable draw with over-allocation from the clinic's measured no-show rate, and the
//! public result with a live verification.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::web::Routes;

pub use rules::{OverAllocation, VerifyError};
pub use store::Ballot;

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![HomeCard::public("clinics-home-ballots", "clinics-home-ballots-desc", "/ballots")]
}

pub fn routes() -> Routes {
    pages::routes()
}
