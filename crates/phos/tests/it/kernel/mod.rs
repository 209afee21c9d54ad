//! The kernel's modules, one file each (mirroring `crates/kernel/src`).

mod homes;
mod people;
mod texts;

mod admin;
mod mfa;
