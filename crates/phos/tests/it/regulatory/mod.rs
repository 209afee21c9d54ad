//! Smart regulation over HTTP.

mod complaints;
mod field;
mod inspections;
