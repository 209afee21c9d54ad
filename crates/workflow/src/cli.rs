//! `phos workflow …`: process mining from the command line. `dfg` and `performance` read a log
//! file (XES, or CSV with case, activity and timestamp columns) and print JSON; they never touch
//! the database. `export` writes the engine's own event log as XES or OCEL 2.0 JSON.
//!
//! Bad input (an unreadable or invalid log): the message on standard error, exit code 2,
//! nothing on standard output.

use std::io::Write;
use std::path::{Path, PathBuf};

use kernel::audit::{Actor, Origin};

use crate::mining::performance::PerformanceBuilder;
use crate::mining::rules::{Dfg, DfgBuilder};
use crate::mining::service::ExportFormat;
use crate::mining::{LogError, LogFormat, Performance, read_log};

/// The format of an input log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Xes,
    Csv,
}

#[derive(Debug, clap::Subcommand)]
pub enum WorkflowCommand {
    /// Print the directly-follows graph of an event log as JSON: {"activities": {A: n},
    /// "edges": [{"from", "to", "count"}], "start": {A: n}, "end": {A: n}, "variants":
    /// [{"activities": [A, B], "count": n}]}.
    #[command(
        after_help = "Each <trace> is one case (traces with the same name stay apart; empty traces are left out); \
every event counts whatever its lifecycle:transition; events are ordered by time:timestamp with its UTC offset \
(none means UTC), equal times in file order."
    )]
    Dfg {
        /// The log: XES, or CSV with case, activity and timestamp columns.
        #[arg(long)]
        input: PathBuf,
        /// The log's format (default: from the file name, .csv is CSV, anything else XES).
        #[arg(long, value_enum)]
        format: Option<InputFormat>,
        /// Also draw the graph, with each edge's median wait, as SVG into this file.
        #[arg(long)]
        svg: Option<PathBuf>,
    },
    /// Print throughput times, the bottleneck table (median and p90 wait before each activity,
    /// by role when the log has org:role) and the median wait on each edge as JSON.
    Performance {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum)]
        format: Option<InputFormat>,
    },
    /// Staffing what-if: replay the log's recorded work (variants, service times, arrival gaps)
    /// against each scenario of people per role, and print one JSON report per scenario.
    #[command(
        after_help = "Example: phos workflow simulate --input log.xes --scenario officer=2 --scenario officer=3,clerk=1 \
--cases 1000 --sla-hours 72. Roles not named in a scenario are not limited. Deterministic by --seed."
    )]
    Simulate {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum)]
        format: Option<InputFormat>,
        /// People per role, e.g. officer=2,clerk=1 (repeat for more scenarios).
        #[arg(long, required = true)]
        scenario: Vec<String>,
        /// Simulated cases per scenario.
        #[arg(long, default_value_t = 1000)]
        cases: usize,
        /// SLA target for a case's throughput time, in hours.
        #[arg(long)]
        sla_hours: Option<f64>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Move the running instances of one version of a definition to another and print a JSON
    /// report; exit code 2, nothing moved, when any instance would be stranded.
    #[command(
        after_help = "Versions are key:version (e.g. complaint:1) or definition ids. An instance moves when every node \
where it waits (and of its open tasks and pending timers) exists in the target version as the same kind of node."
    )]
    Migrate {
        /// The version whose running instances move (key:version or definition id).
        #[arg(long)]
        from: String,
        /// The version they move to.
        #[arg(long)]
        to: String,
        /// Print the same report and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check each case of a log against a BPMN definition (token-based replay) and print JSON:
    /// per case its deviations and fitness, and the log's fitness.
    Conformance {
        /// The BPMN 2.0 file.
        #[arg(long)]
        definition: PathBuf,
        /// The log: XES, or CSV with case, activity and timestamp columns.
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum)]
        format: Option<InputFormat>,
    },
    /// Write the engine's own event log to FILE as XES (IEEE 1849) or OCEL 2.0 JSON.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[arg(long)]
        out: PathBuf,
    },
}

fn format_of(path: &Path, format: Option<InputFormat>) -> LogFormat {
    match format {
        Some(InputFormat::Xes) => LogFormat::Xes,
        Some(InputFormat::Csv) => LogFormat::Csv,
        None => LogFormat::of(path),
    }
}

/// The directly-follows graph of the log at `path`.
pub fn dfg(path: &Path, format: Option<InputFormat>) -> Result<Dfg, LogError> {
    let mut b = DfgBuilder::new();
    read_log(path, format_of(path, format), |t| b.add_trace(&t))?;
    Ok(b.finish())
}

/// The performance figures of the log at `path`.
pub fn performance(path: &Path, format: Option<InputFormat>) -> Result<Performance, LogError> {
    let mut b = PerformanceBuilder::new();
    read_log(path, format_of(path, format), |t| b.add_trace(&t))?;
    Ok(b.finish())
}

/// Reads `officer=2,clerk=1` into a scenario named after itself.
pub fn parse_scenario(s: &str) -> Result<crate::simulation::rules::Scenario, String> {
    let mut staff = std::collections::BTreeMap::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (role, n) =
            part.split_once('=').ok_or_else(|| format!("--scenario {s:?}: expected ROLE=PEOPLE, e.g. officer=2"))?;
        let n: u32 =
            n.trim().parse().map_err(|_| format!("--scenario {s:?}: {n:?} is not a whole number of people"))?;
        staff.insert(role.trim().to_string(), n);
    }
    if staff.is_empty() {
        return Err(format!("--scenario {s:?}: name at least one ROLE=PEOPLE"));
    }
    Ok(crate::simulation::rules::Scenario { name: s.to_string(), staff })
}

/// Bad input: message on standard error, exit code 2, nothing on standard output.
fn bad_input(e: &LogError) -> ! {
    eprintln!("error: {e} [{}]", e.code());
    std::process::exit(2)
}

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Runs a `phos workflow` command; `connect` opens the (migrated) database, only for commands
/// that need it.
pub async fn run<F>(cmd: WorkflowCommand, connect: F) -> anyhow::Result<()>
where
    F: AsyncFnOnce() -> anyhow::Result<kernel::Db>,
{
    match cmd {
        WorkflowCommand::Dfg { input, format, svg: None } => match dfg(&input, format) {
            Ok(g) => print_json(&g),
            Err(e) => bad_input(&e),
        },
        WorkflowCommand::Dfg { input, format, svg: Some(out) } => {
            let mut g = DfgBuilder::new();
            let mut p = PerformanceBuilder::new();
            if let Err(e) = read_log(&input, format_of(&input, format), |t| {
                g.add_trace(&t);
                p.add_trace(&t);
            }) {
                bad_input(&e)
            }
            let (g, p) = (g.finish(), p.finish());
            let title = format!("Directly-follows graph of {}", input.display());
            std::fs::write(&out, crate::mining::svg::dfg_svg(&g, &p.edges, &title))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            print_json(&g)
        }
        WorkflowCommand::Performance { input, format } => match performance(&input, format) {
            Ok(p) => print_json(&p),
            Err(e) => bad_input(&e),
        },
        WorkflowCommand::Simulate { input, format, scenario, cases, sla_hours, seed } => {
            let scenarios = match scenario.iter().map(|s| parse_scenario(s)).collect::<Result<Vec<_>, _>>() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::exit(2)
                }
            };
            let mut traces = Vec::new();
            if let Err(e) = read_log(&input, format_of(&input, format), |t| traces.push(t)) {
                bad_input(&e)
            }
            let model = crate::simulation::rules::Model::from_traces(traces.iter());
            let sla = sla_hours.map(|h| (h * 3_600_000.0) as i64);
            let reports: Vec<_> =
                scenarios.iter().map(|s| crate::simulation::rules::simulate(&model, s, cases, sla, seed)).collect();
            print_json(&reports)
        }
        WorkflowCommand::Conformance { definition, input, format } => {
            use crate::mining::conformance_service::{CheckError, check_file};
            match check_file(&definition, &input, format_of(&input, format)) {
                Ok(report) => print_json(&report),
                Err(CheckError::Log(e)) => bad_input(&e),
                Err(e @ CheckError::Definition(_)) => {
                    eprintln!("error: {e} [definition_invalid]");
                    std::process::exit(2)
                }
            }
        }
        WorkflowCommand::Migrate { from, to, dry_run } => {
            let db = connect().await?;
            let origin = Origin { request_id: "cli".into(), ip: "-".into() };
            match crate::instances::migrate::migrate(&db, &from, &to, dry_run, &Actor::System, &origin).await {
                Ok(report) => {
                    print_json(&report)?;
                    if !report.stranded.is_empty() {
                        eprintln!(
                            "error: {} instances would be stranded; nothing was moved [migration_stranded]",
                            report.stranded.len()
                        );
                        std::process::exit(2)
                    }
                    Ok(())
                }
                Err(crate::instances::EngineError::Refused(code, _)) => {
                    eprintln!("error: {} [{code}]", kernel::i18n::Locale::En.t(&format!("error-{code}-title")));
                    std::process::exit(2)
                }
                Err(e) => Err(e.into()),
            }
        }
        WorkflowCommand::Export { format, out } => {
            let db = connect().await?;
            let origin = Origin { request_id: "cli".into(), ip: "-".into() };
            let n = crate::mining::service::export(&db, format, &out, &Actor::System, &origin).await?;
            println!("wrote {} cases, {} events to {} ({})", n.cases, n.events, out.display(), format.code());
            Ok(())
        }
    }
}
