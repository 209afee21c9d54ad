//! The workflow area: process mining from the command line, and the engine over HTTP.

mod engine;
mod migrate;
mod mining_cli;
mod sla;
