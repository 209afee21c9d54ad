//! The regulatory area over HTTP, on both engines.

mod register;
mod risk;
