//! The workflow area: process mining from the command line, and the engine over HTTP.

mod engine;
mod mining_cli;
mod pages;
mod tasks;
