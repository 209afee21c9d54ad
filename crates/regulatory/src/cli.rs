//! `phos regulatory …`: the regulatory area from the command line.
//!
//! `plan` reads a planning problem (the contract of issue 13 item 7, see docs/regulatory/planning.md)
//! and prints the day plan as JSON; it never touches the database.
//!
//! Bad input: the message on standard error, exit code 2, nothing on standard output.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::planning::Problem;
use crate::planning::solver::{self, Options};

#[derive(Debug, clap::Subcommand)]
pub enum RegulatoryCommand {
    /// Certificate signing keys: rotate, list, remove.
    #[command(subcommand)]
    Keys(crate::certificates::cli::KeysCommand),
    /// Plan each inspector's day and print the plan as JSON: {"routes": [{"inspector", "stops":
    /// [{"visit", "arrive", "depart"}], "distance_km"}], "unassigned": […], "reasons": {id:
    /// "no_skill"|"window_unreachable"|"no_time"}, "total_distance_km"}.
    #[command(
        after_help = "PROBLEM.json: {\"date\": \"YYYY-MM-DD\", \"depot\": {\"lat\", \"lon\"}, \"inspectors\": [{\"id\", \
\"skills\": [..], \"start\": \"HH:MM\", \"end\": \"HH:MM\"}], \"visits\": [{\"id\", \"lat\", \"lon\", \"duration_min\", \
\"skill\", \"window\": [\"HH:MM\", \"HH:MM\"], \"priority\": 1}]}. Travel: haversine (R = 6371 km) x 1.35 at 25 km/h. \
Priority 1 first, then 2, ..., then least distance. Unknown fields are ignored."
    )]
    Plan {
        /// The problem (JSON).
        #[arg(long)]
        input: PathBuf,
        /// Upper bound on the whole run, seconds (the search stops earlier when it stalls).
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Seed of the search (same seed and same number of rounds, same plan).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Stop after this many search rounds (reproducible runs, whatever the machine's speed).
        #[arg(long)]
        iterations: Option<u64>,
        /// Add "stats" to the output: served per priority, the greedy plan's distance, the lower
        /// bound and the gap to it, search rounds and time.
        #[arg(long)]
        stats: bool,
    },
}

/// Bad input: message on standard error, exit code 2, nothing on standard output.
fn bad_input(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Reads and validates the problem at `path` (the message says what is wrong and where).
pub fn read_problem(path: &std::path::Path) -> Result<Problem, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Problem::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs a `phos regulatory` command; `connect` opens the migrated database when one is needed.
pub async fn run<F>(cmd: RegulatoryCommand, connect: F) -> anyhow::Result<()>
where
    F: AsyncFnOnce() -> anyhow::Result<kernel::Db>,
{
    match cmd {
        RegulatoryCommand::Keys(c) => crate::certificates::cli::run(c, connect).await,
        RegulatoryCommand::Plan { input, seconds, seed, iterations, stats } => {
            let started = Instant::now();
            if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
                bad_input(&format!("--seconds {seconds}: give a number of seconds above 0 and at most 3600"));
            }
            let problem = read_problem(&input).unwrap_or_else(|e| bad_input(&e));
            // Keep a little of the budget for building the matrices and printing.
            let margin = Duration::from_secs_f64((seconds * 0.05).min(0.3));
            let deadline = started + Duration::from_secs_f64(seconds).saturating_sub(margin);
            let plan = tokio::task::spawn_blocking(move || {
                let mut plan = solver::plan(&problem, &Options { deadline, seed, max_iterations: iterations });
                if !stats {
                    plan.stats = None;
                }
                plan
            })
            .await?;
            print_json(&plan)
        }
    }
}
