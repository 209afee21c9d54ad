//! Smart regulation over HTTP, one file per sub-domain (mirroring `crates/regulatory/src/`).

mod applications;
mod certificates;
mod complaints;
mod dayplan;
mod demo;
mod field;
mod inspections;
mod licences;
mod plan_cli;
mod plan_page;
mod register;
mod risk;
