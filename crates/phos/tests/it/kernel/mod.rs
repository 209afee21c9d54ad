//! The kernel's modules, one file each (mirroring `crates/kernel/src`).

mod people;

mod admin;
mod mfa;
