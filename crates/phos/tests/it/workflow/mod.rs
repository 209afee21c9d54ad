//! The workflow area: process mining from the command line, and the engine over HTTP.

mod conformance;
mod engine;
mod migrate;
mod mining_cli;
mod pages;
mod sla;
mod tasks;
