//! No-shows: a person's record of missed appointments, their standing (which lowers their tier
//! in ballots and waitlists), excusing on appeal, and the staff's page for it.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::web::Routes;

pub use rules::Standing;
pub use store::NoShow;

pub fn routes() -> Routes {
    pages::routes()
}
