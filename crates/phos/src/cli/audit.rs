//! `phos audit`: the audit log.

use clap::Subcommand;
use kernel::Config;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain; names the first broken entry and exits 1 if there is one.
    Verify,
}

pub async fn run(config: &Config, cmd: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify = cmd;
    let db = phos::connect_and_migrate(config).await?;
    match kernel::audit::verify(&db).await? {
        kernel::audit::Verdict::Intact { entries } => {
            println!("audit chain intact: {entries} entries verified");
            Ok(())
        }
        kernel::audit::Verdict::Broken { seq, reason } => {
            anyhow::bail!("audit chain broken at entry {seq}: {reason}")
        }
    }
}
