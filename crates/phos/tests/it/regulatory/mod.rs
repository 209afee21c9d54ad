//! Smart regulation over HTTP, one file per sub-domain (mirroring `crates/regulatory/src/`).

mod applications;
mod certificates;
mod demo;
mod licences;
mod complaints;
mod field;
mod inspections;
