//! The commands of the `phos` binary, one module each; `main.rs` parses the command line and
//! hands each command to its module here.

pub mod access_matrix;
pub mod audit;
pub mod backup;
pub mod clinics;
pub mod closure;
pub mod config;
pub mod demo;
pub mod epi;
pub mod evaluate;
pub mod migrate;
pub mod notify;
pub mod partner;
pub mod protection;
pub mod serve;
pub mod synth;
pub mod user;

/// Where a command-line action comes from, for the audit log.
pub fn cli_origin() -> kernel::audit::Origin {
    kernel::audit::Origin { request_id: "cli".into(), ip: "-".into() }
}
