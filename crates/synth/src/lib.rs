//! The synthetic Hong Kong: a deterministic generator of realistic but fictitious data.
//! The same seed always gives the same world. Powers `phos demo`, tests and benchmarks.

pub mod citizens;
pub mod dist;
pub mod evaluation;
pub mod names;
pub mod premises;
pub mod reference;
pub mod series;

pub use citizens::{Citizen, CitizenGenerator};
pub use reference::service_points;
pub use series::{DiseaseInput, DistrictInput, Outbreak, Profile, SeriesConfig, WeeklySeries};
