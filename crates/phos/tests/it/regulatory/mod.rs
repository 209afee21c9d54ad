//! The regulatory area.

mod plan_cli;
