//! The epidemiologists' dashboard: weekly counts by district, delays and open signals.

pub mod chart;
pub mod pages;
pub mod rules;
pub mod store;

use kernel::area::HomeCard;
use kernel::web::Routes;

pub use rules::*;

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![HomeCard::staff("prot-dash-title", "prot-dash-desc", "/staff/protection/dashboard")]
}

pub fn routes() -> Routes {
    pages::routes()
}
