//! The regulatory area.

mod plan_cli;
mod plan_page;
