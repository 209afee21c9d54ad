//! The public surveillance page and open data: weekly counts with small cells suppressed.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::web::Routes;

pub use rules::*;

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![
        HomeCard::public("prot-home-open", "prot-home-open-desc", "/surveillance"),
        HomeCard::staff("prot-open-settings-title", "prot-open-settings-desc", "/staff/protection/open-data"),
    ]
}

pub fn routes() -> Routes {
    pages::routes()
}
