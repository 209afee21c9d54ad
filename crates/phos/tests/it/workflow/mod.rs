//! The workflow area: process mining from the command line.

mod mining_cli;
