//! The synthetic Hong Kong: a deterministic generator of realistic but fictitious data.
//! The same seed always gives the same world. Powers `phos demo`, tests and benchmarks.

pub mod citizens;
pub mod names;
pub mod reference;

pub use citizens::{Citizen, CitizenGenerator};
pub use reference::service_points;
