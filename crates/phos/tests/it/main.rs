//! PHOS integration tests: one binary, every test against a fresh database on the engine
//! chosen by `PHOS_TEST_DATABASE_URL` (SQLite by default).

mod harness;

mod cli;
mod clinics;
mod coldchain;
mod epi_cli;
mod evaluate_cli;
mod fhir;
mod identity;
mod jobs;
mod notify;
mod protection;
mod queue;
mod shell;
mod signals;
mod storage;
mod surveillance;
mod waitlist;
mod workflow;
