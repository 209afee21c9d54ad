//! Ballots for over-subscribed sessions: a published commitment, registration in a window, a
//! verifiable draw with over-allocation from the clinic's measured no-show rate, and the
//! public result with a live verification.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::web::Routes;

pub use rules::{OverAllocation, VerifyError};
pub use store::Ballot;

pub fn routes() -> Routes {
    pages::routes()
}
