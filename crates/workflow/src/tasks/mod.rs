//! User tasks: claim (one winner), release, complete with form data, the four-eyes rule
//! ([`service`]), their SQL ([`store`]) and API ([`api`]).

pub mod api;
pub mod service;
pub mod store;
