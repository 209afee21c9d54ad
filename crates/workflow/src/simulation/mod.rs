//! Staffing what-if: a discrete-event simulation of recorded work ([`rules`]).

pub mod pages;
pub mod rules;
