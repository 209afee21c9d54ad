//! `phos`: the Public Health Operations Suite in one binary. This file parses the command line
//! (clap) and hands each command to its module in `cli/`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kernel::Config;
use kernel::config::LogFormat;

mod cli;

use cli::audit::AuditCommand;
use cli::clinics::ClinicsCommand;
use cli::closure::ClosureCommand;
use cli::notify::NotifyCommand;
use cli::partner::PartnerCommand;
use cli::protection::ProtectionCommand;
use cli::synth::SynthCommand;
use cli::user::UserCommand;

#[derive(Parser)]
#[command(name = "phos", version, about = "PHOS: Public Health Operations Suite", long_about = None)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate and serve HTTP (and run background jobs unless --worker false).
    Serve,
    /// Migrate, seed the synthetic Hong Kong (idempotent), print the URL and serve.
    Demo {
        /// Seed of the synthetic world.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Synthetic citizens to create.
        #[arg(long, default_value_t = 20_000)]
        citizens: usize,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective configuration (secrets masked).
    Config,
    /// Write a consistent copy of the live SQLite database to FILE.
    Backup { file: PathBuf },
    /// Replace the SQLite database with the backup FILE (stop `phos serve` first).
    Restore { file: PathBuf },
    /// Generate synthetic data.
    #[command(subcommand)]
    Synth(SynthCommand),
    /// Declare, lift and list service closures (typhoon signal No. 8, black rainstorm).
    #[command(subcommand)]
    Closure(ClosureCommand),
    /// Notifications.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Partner organisations' API clients.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print the access matrix (every route × role) as Markdown.
    AccessMatrix,
    /// Aberration detection on a weekly series (EARS, Farrington, CUSUM as R's surveillance).
    Detect(cli::epi::DetectArgs),
    /// The reproduction number Rt (EpiEstim's parametric serial interval method).
    Rt(cli::epi::RtArgs),
    /// Prospective space-time permutation scan over the 18 districts.
    Scan(cli::epi::ScanArgs),
    /// Score every detection method against synthetic series with injected outbreaks (sensitivity,
    /// false alarms per year, weeks to detection) and print the table as Markdown.
    Evaluate(cli::evaluate::EvaluateArgs),
    /// Smart clinics.
    #[command(subcommand)]
    Clinics(ClinicsCommand),
    /// Health protection.
    #[command(subcommand)]
    Protection(ProtectionCommand),
    /// Smart workflow: process mining over event logs (XES, CSV) and the engine's own log.
    #[command(subcommand)]
    Workflow(workflow::cli::WorkflowCommand),
    /// Smart regulatory functions: inspection day plans.
    #[command(subcommand)]
    Regulatory(regulatory::cli::RegulatoryCommand),
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber_filter(&config.log);
    match config.log_format {
        LogFormat::Json => tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(std::io::stderr).init(),
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init(),
    }
}

fn tracing_subscriber_filter(s: &str) -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_new(s).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
}

fn main() {
    let cli = Cli::parse();
    init_logging(&cli.config);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(args: Cli) -> anyhow::Result<()> {
    let config = args.config;
    match args.command {
        Command::Serve => cli::serve::run(config, None).await,
        Command::Demo { seed, citizens } => cli::demo::run(config, seed, citizens).await,
        Command::Migrate => cli::migrate::run(&config).await,
        Command::Config => cli::config::run(&config),
        Command::Backup { file } => cli::backup::backup(&config, &file).await,
        Command::Restore { file } => cli::backup::restore(&config, &file).await,
        Command::Synth(cmd) => cli::synth::run(cmd),
        Command::Closure(cmd) => cli::closure::run(config, cmd).await,
        Command::Notify(cmd) => cli::notify::run(&config, cmd).await,
        Command::User(cmd) => cli::user::run(config, cmd).await,
        Command::Partner(cmd) => cli::partner::run(config, cmd).await,
        Command::Audit(cmd) => cli::audit::run(&config, cmd).await,
        Command::AccessMatrix => cli::access_matrix::run(config).await,
        Command::Detect(a) => cli::epi::detect(&a),
        Command::Rt(a) => cli::epi::rt(&a),
        Command::Scan(a) => cli::epi::scan(&a),
        Command::Evaluate(a) => cli::evaluate::run(&a),
        Command::Clinics(cmd) => cli::clinics::run(&config, cmd).await,
        Command::Protection(cmd) => cli::protection::run(&config, cmd).await,
        Command::Workflow(cmd) => workflow::cli::run(cmd, async || phos::connect_and_migrate(&config).await).await,
        Command::Regulatory(cmd) => regulatory::cli::run(cmd, async || phos::connect_and_migrate(&config).await).await,
    }
}
