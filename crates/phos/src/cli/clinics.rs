//! `phos clinics`: smart clinics.

use clap::Subcommand;
use kernel::Config;

#[derive(Subcommand)]
pub enum ClinicsCommand {
    /// Ballots for over-subscribed slots.
    #[command(subcommand)]
    Ballot(BallotCommand),
}

#[derive(Subcommand)]
pub enum BallotCommand {
    /// Recompute a drawn ballot from its published seed, commitment and registrations, and
    /// compare with the published result hash (exit 1 when they differ).
    Verify {
        /// The ballot id.
        #[arg(long)]
        draw: String,
    },
    /// List ballots.
    List,
}

pub async fn run(config: &Config, cmd: ClinicsCommand) -> anyhow::Result<()> {
    let ClinicsCommand::Ballot(cmd) = cmd;
    let db = phos::connect_and_migrate(config).await?;
    match cmd {
        BallotCommand::Verify { draw } => match clinics::ballot::service::verify(&db, &draw).await? {
            Ok(hash) => {
                println!(
                    "ballot {draw} verified: the seed matches the commitment and the draw reproduces result {hash}"
                );
                Ok(())
            }
            Err(clinics::ballot::VerifyError::SeedDoesNotMatchCommitment) => {
                anyhow::bail!("ballot {draw} does NOT verify: the published seed does not match the commitment")
            }
            Err(clinics::ballot::VerifyError::ResultDiffers { expected, recomputed }) => {
                anyhow::bail!("ballot {draw} does NOT verify: published result {expected}, recomputed {recomputed}")
            }
        },
        BallotCommand::List => {
            for b in clinics::ballot::store::ballots(&db).await? {
                println!(
                    "{}  {:<6} {} {}  places {}  entries {}",
                    b.id, b.status, b.service_point, b.service, b.places, b.entries
                );
            }
            Ok(())
        }
    }
}
