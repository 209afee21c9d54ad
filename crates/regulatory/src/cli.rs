//! `phos regulatory …`: the regulatory area from the command line.
//!
//! Bad input: the message on standard error, exit code 2, nothing on standard output.

#[derive(Debug, clap::Subcommand)]
pub enum RegulatoryCommand {
    /// Certificate signing keys: rotate, list, remove.
    #[command(subcommand)]
    Keys(crate::certificates::cli::KeysCommand),
}

/// Runs a `phos regulatory` command; `connect` opens the migrated database when one is needed.
pub async fn run<F>(cmd: RegulatoryCommand, connect: F) -> anyhow::Result<()>
where
    F: AsyncFnOnce() -> anyhow::Result<kernel::Db>,
{
    match cmd {
        RegulatoryCommand::Keys(c) => crate::certificates::cli::run(c, connect).await,
    }
}
