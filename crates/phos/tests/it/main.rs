//! PHOS integration tests: one binary, every test against a fresh database on the engine
//! chosen by `PHOS_TEST_DATABASE_URL` (SQLite by default).

mod harness;

mod cli;
mod clinics;
mod epi_cli;
mod evaluate_cli;
mod identity;
mod jobs;
mod kernel;
mod notify;
mod protection;
mod regulatory;
mod shell;
mod storage;
mod workflow;
