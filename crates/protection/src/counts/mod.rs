//! Weekly counts and delay counts, kept in step with every change of a case, and their check
//! against the cases (`phos protection counts`).

pub mod delays;
pub mod service;
pub mod store;
pub mod weeks;

pub use service::{DelayDifference, Difference, delay_differences, differences, repair};
