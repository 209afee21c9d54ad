//! `phos protection`: health protection.

use std::path::Path;

use clap::Subcommand;
use kernel::Config;

#[derive(Subcommand)]
pub enum ProtectionCommand {
    /// Recount cases by disease, report week, district and classification and compare with the
    /// weekly counts the dashboards read (exit 1 when they differ; --repair rewrites them).
    Counts {
        #[arg(long)]
        repair: bool,
    },
    /// Signals: run detection now (the daily job does it at 07:00 Hong Kong time).
    #[command(subcommand)]
    Signals(SignalsCommand),
    /// Past weekly counts from a legacy system, the baseline detection needs.
    #[command(subcommand)]
    History(HistoryCommand),
}

#[derive(Subcommand)]
pub enum SignalsCommand {
    /// Run every disease's detection methods for every district and territory-wide on the
    /// latest complete week, and the space-time scan; new alarms become signals (never twice),
    /// the run is recorded and the duty officer gets one summary.
    #[command(after_help = "Counts read: imported history plus the live weekly counts without discarded cases. \
Prints the run's week, the series checked and the new signals.")]
    Run {
        /// Evaluate the week starting on this Monday (YYYY-MM-DD) as the latest complete week
        /// (default: last week in Hong Kong).
        #[arg(long)]
        week: Option<chrono::NaiveDate>,
        /// Monte Carlo replicates of the scan (0 skips the scan).
        #[arg(long, default_value_t = 999)]
        replicates: usize,
    },
}

#[derive(Subcommand)]
pub enum HistoryCommand {
    /// Import weekly counts from CSV with the header disease,week_start,district,n (disease
    /// codes of the catalogue, Mondays as YYYY-MM-DD, district codes such as KT, whole
    /// counts of 0 or more). Any bad line refuses the whole file, naming the line; a row already imported
    /// takes the new count.
    Import {
        /// The CSV file.
        #[arg(long)]
        file: std::path::PathBuf,
    },
}

pub async fn run(config: &Config, cmd: ProtectionCommand) -> anyhow::Result<()> {
    match cmd {
        ProtectionCommand::Counts { repair } => counts(config, repair).await,
        ProtectionCommand::Signals(SignalsCommand::Run { week, replicates }) => signals(config, week, replicates).await,
        ProtectionCommand::History(HistoryCommand::Import { file }) => import_history(config, &file).await,
    }
}

async fn signals(config: &Config, week: Option<chrono::NaiveDate>, replicates: usize) -> anyhow::Result<()> {
    let db = phos::connect_and_migrate(config).await?;
    let mut opts = protection::signals::service::RunOptions { last_week: week, ..Default::default() };
    opts.scan.replicates = replicates;
    let s = protection::signals::service::run(&db, &opts, &kernel::audit::Actor::System, &super::cli_origin()).await?;
    println!(
        "week starting {}: {} series checked, {} alarms, {} new signals, {} methods short of history, {} ms",
        s.week_start,
        s.series,
        s.alarms,
        s.raised.len(),
        s.not_run,
        s.milliseconds
    );
    Ok(())
}

async fn import_history(config: &Config, file: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let db = phos::connect_and_migrate(config).await?;
    let origin = super::cli_origin();
    match protection::signals::service::import_history(&db, &text, &kernel::audit::Actor::System, &origin).await? {
        Ok(n) => {
            println!("imported {n} weekly counts from {}", file.display());
            Ok(())
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{}: {p}", file.display());
            }
            anyhow::bail!("{}: nothing imported ({} problems)", file.display(), problems.len())
        }
    }
}

async fn counts(config: &Config, repair: bool) -> anyhow::Result<()> {
    let db = phos::connect_and_migrate(config).await?;
    if repair {
        let (cells, delays) = protection::counts::repair(&db).await?;
        println!("weekly counts rebuilt from the cases: {cells} cells; delay counts: {delays} cells");
        return Ok(());
    }
    let diff = protection::counts::differences(&db).await?;
    for (c, table, cases) in diff.iter().take(20) {
        println!(
            "{} {} {} {}: weekly counts {table}, cases {cases}",
            c.disease, c.iso_week, c.district, c.classification
        );
    }
    let (delay_diff, stale) = protection::counts::delay_differences(&db).await?;
    for (c, table, cases) in delay_diff.iter().take(20) {
        println!(
            "{} {} {} {} {} days: delay counts {table}, cases {cases}",
            c.disease, c.week_start, c.classification, c.kind, c.days
        );
    }
    if stale > 0 {
        println!("{stale} cases have a first follow-up day that differs from their contacts' records");
    }
    if diff.is_empty() && delay_diff.is_empty() && stale == 0 {
        println!("weekly counts and delay counts agree with the cases");
        Ok(())
    } else {
        anyhow::bail!(
            "{} cells of the weekly counts and {} of the delay counts differ from the cases, {stale} first \
             follow-up days are stale (phos protection counts --repair)",
            diff.len(),
            delay_diff.len()
        )
    }
}
