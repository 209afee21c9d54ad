//! The epidemiologists' dashboard: weekly counts by district, delays and open signals.

pub mod chart;
pub mod pages;
pub mod rules;
pub mod store;

use kernel::web::Routes;

pub use rules::*;

pub fn routes() -> Routes {
    pages::routes()
}
