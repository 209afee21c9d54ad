//! The public surveillance page and open data: weekly counts with small cells suppressed.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::web::Routes;

pub use rules::*;

pub fn routes() -> Routes {
    pages::routes()
}
