//! `phos`: the Public Health Operations Suite in one binary.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use kernel::config::LogFormat;
use kernel::hk::ClosureKind;
use kernel::hk::store::NewClosure;
use kernel::jobs::WorkerOptions;
use kernel::{Config, Db};

mod epi_cmd;
mod evaluate_cmd;

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
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print the access matrix (every route × role) as Markdown.
    AccessMatrix,
    /// Aberration detection on a weekly series (EARS, Farrington, CUSUM as R's surveillance).
    Detect(epi_cmd::DetectArgs),
    /// The reproduction number Rt (EpiEstim's parametric serial interval method).
    Rt(epi_cmd::RtArgs),
    /// Prospective space-time permutation scan over the 18 districts.
    Scan(epi_cmd::ScanArgs),
    /// Score every detection method against synthetic series with injected outbreaks (sensitivity,
    /// false alarms per year, weeks to detection) and print the table as Markdown.
    Evaluate(evaluate_cmd::EvaluateArgs),
    /// Smart clinics.
    #[command(subcommand)]
    Clinics(ClinicsCommand),
    /// Health protection.
    #[command(subcommand)]
    Protection(ProtectionCommand),
    /// Smart workflow: process mining over event logs (XES, CSV) and the engine's own log.
    #[command(subcommand)]
    Workflow(workflow::cli::WorkflowCommand),
}

#[derive(Subcommand)]
enum ProtectionCommand {
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
enum SignalsCommand {
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
enum HistoryCommand {
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

#[derive(Subcommand)]
enum ClinicsCommand {
    /// Ballots for over-subscribed slots.
    #[command(subcommand)]
    Ballot(BallotCommand),
}

#[derive(Subcommand)]
enum BallotCommand {
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

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account. The password is read from PHOS_NEW_PASSWORD, or an invitation
    /// link is printed when it is unset.
    Add {
        #[arg(long)]
        email: String,
        /// Comma-separated roles: admin, auditor, clinic_staff, clinic_manager, epidemiologist,
        /// inspector, licensing_officer, service_agent, comms_officer, data_steward, reporter,
        /// lead_epidemiologist.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// List staff accounts.
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain; names the first broken entry and exits 1 if there is one.
    Verify,
}

#[derive(Subcommand)]
enum SynthCommand {
    /// Write synthetic citizens as CSV.
    Citizens {
        #[arg(long, default_value_t = 1_000_000)]
        count: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output file (`-` for standard output).
        #[arg(long, default_value = "-")]
        out: String,
    },
    /// Write weekly counts of every notifiable disease × district with seasonality and trend,
    /// and the outbreaks injected in them (the ground truth), as CSV.
    Series(evaluate_cmd::SeriesArgs),
}

#[derive(Subcommand)]
enum ClosureCommand {
    /// Declare a closure, territory-wide or for one district.
    Declare {
        /// typhoon_8, black_rainstorm or other.
        #[arg(long)]
        kind: String,
        /// District code (e.g. KT); territory-wide when absent.
        #[arg(long)]
        district: Option<String>,
        /// Start (RFC 3339); now when absent.
        #[arg(long)]
        from: Option<String>,
        /// End (RFC 3339); open until lifted when absent.
        #[arg(long)]
        until: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// Who declares it.
        #[arg(long, default_value = "operator")]
        by: String,
    },
    /// End an open closure now (the signal is lowered).
    Lift { id: String },
    /// List closures in force or announced.
    List,
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// Queue a test e-mail to check delivery.
    Test {
        #[arg(long)]
        to: String,
        /// en or zh-Hant-HK.
        #[arg(long, default_value = "en")]
        lang: String,
    },
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

fn parse_time(field: &str, s: &str) -> anyhow::Result<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .with_context(|| format!("--{field} must be a date and time like 2025-09-02T08:00:00+08:00"))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command {
        Command::Config => {
            for (name, env, value) in config.effective() {
                println!("{name:<22} {value:<45} ({env})");
            }
            Ok(())
        }
        Command::Migrate => {
            let db = phos::connect_and_migrate(&config).await?;
            let pending = kernel::migrate::pending(&db, &kernel::area::all_migrations(&phos::areas())).await?;
            println!("database {} is at the latest schema ({} pending)", db.engine().name(), pending.len());
            Ok(())
        }
        Command::Serve => serve(config, None).await,
        Command::Demo { seed, citizens } => serve(config, Some((seed, citizens))).await,
        Command::Backup { file } => {
            let db = Db::connect(&config.database_url()).await?;
            let bytes = kernel::backup::backup(&db, &file).await?;
            println!("backed up to {} ({bytes} bytes)", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let url = config.database_url();
            let target = kernel::db::sqlite_path(&url).ok_or(kernel::backup::BackupError::NotSqlite)?;
            kernel::backup::restore(&file, std::path::Path::new(target)).await?;
            println!("restored {} into {target}", file.display());
            Ok(())
        }
        Command::Synth(SynthCommand::Citizens { count, seed, out }) => synth_citizens(count, seed, &out),
        Command::Synth(SynthCommand::Series(args)) => evaluate_cmd::synth_series(&args),
        Command::Closure(cmd) => closure(config, cmd).await,
        Command::User(cmd) => user(config, cmd).await,
        Command::Audit(AuditCommand::Verify) => {
            let db = phos::connect_and_migrate(&config).await?;
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
        Command::Protection(ProtectionCommand::Signals(SignalsCommand::Run { week, replicates })) => {
            let db = phos::connect_and_migrate(&config).await?;
            let mut opts = protection::signal_run::RunOptions { last_week: week, ..Default::default() };
            opts.scan.replicates = replicates;
            let s = protection::signal_run::run(
                &db,
                &opts,
                &kernel::audit::Actor::System,
                &kernel::audit::Origin { request_id: "cli".into(), ip: "-".into() },
            )
            .await?;
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
        Command::Protection(ProtectionCommand::History(HistoryCommand::Import { file })) => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let db = phos::connect_and_migrate(&config).await?;
            let origin = kernel::audit::Origin { request_id: "cli".into(), ip: "-".into() };
            match protection::signal_run::import_history(&db, &text, &kernel::audit::Actor::System, &origin).await? {
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
        Command::Protection(ProtectionCommand::Counts { repair }) => {
            let db = phos::connect_and_migrate(&config).await?;
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
        Command::Clinics(ClinicsCommand::Ballot(cmd)) => {
            let db = phos::connect_and_migrate(&config).await?;
            match cmd {
                BallotCommand::Verify { draw } => match clinics::ballots::verify(&db, &draw).await? {
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
                        anyhow::bail!(
                            "ballot {draw} does NOT verify: published result {expected}, recomputed {recomputed}"
                        )
                    }
                },
                BallotCommand::List => {
                    for b in clinics::ballots::ballots(&db).await? {
                        println!(
                            "{}  {:<6} {} {}  places {}  entries {}",
                            b.id, b.status, b.service_point, b.service, b.places, b.entries
                        );
                    }
                    Ok(())
                }
            }
        }
        Command::Workflow(cmd) => workflow::cli::run(cmd, async || phos::connect_and_migrate(&config).await).await,
        Command::Detect(args) => epi_cmd::detect(&args),
        Command::Rt(args) => epi_cmd::rt(&args),
        Command::Scan(args) => epi_cmd::scan(&args),
        Command::Evaluate(args) => evaluate_cmd::run(&args),
        Command::AccessMatrix => {
            let db = phos::connect_and_migrate(&config).await?;
            let state = phos::state(config, db).await?;
            let _ = phos::router(state.clone(), None);
            print!("{}", state.access.get().map(|t| t.markdown()).unwrap_or_default());
            Ok(())
        }
        Command::Notify(NotifyCommand::Test { to, lang }) => {
            let db = phos::connect_and_migrate(&config).await?;
            let locale = kernel::i18n::Locale::parse(&lang).context("--lang must be en or zh-Hant-HK")?;
            let base = config.base_url();
            let mut tx = db.begin().await?;
            let id = kernel::notify::enqueue(
                &mut tx,
                &kernel::notify::Message {
                    channel: kernel::notify::Channel::Email,
                    recipient: &to,
                    locale,
                    template: "test",
                    values: &[("name", &to), ("base_url", &base)],
                },
            )
            .await?;
            tx.commit().await?;
            println!("queued message {id}; a running `phos serve` delivers it");
            Ok(())
        }
    }
}

async fn serve(config: Config, demo: Option<(u64, usize)>) -> anyhow::Result<()> {
    let listener = kernel::web::server::bind(config.listen).await?;
    let db = phos::connect_and_migrate(&config).await?;
    let state = phos::state(config, db).await?;
    if let Some((seed, citizens)) = demo {
        let started = Instant::now();
        let report = phos::demo::seed(&state, seed, citizens).await?;
        let (sp, people) = phos::demo::counts(&state.db).await?;
        if report.already_seeded {
            println!("synthetic Hong Kong (seed {seed}) already in place: {sp} service points, {people} citizens");
        } else {
            println!(
                "seeded synthetic Hong Kong (seed {seed}) in {:.1}s: {sp} service points, {people} citizens",
                started.elapsed().as_secs_f64()
            );
        }
    }
    if demo.is_some() {
        tokio::spawn(clinics::demo::simulate_fridges(state.clone(), state.stopping.subscribe()));
    }
    let running = phos::start(state, listener, None, WorkerOptions::default(), true)?;
    println!("PHOS is running at {}  (Ctrl-C to stop)", running.url());
    if demo.is_some() {
        println!("  English: {0}/lang/en   繁體中文: {0}/lang/zh-Hant-HK", running.url());
        println!(
            "  Staff sign-in: {}/staff/login  password for every demo account: {}",
            running.url(),
            phos::demo::DEMO_PASSWORD
        );
        for (email, _, role) in phos::demo::demo_staff() {
            println!("    {email:<34} {}", role.code());
        }
        println!(
            "  Citizens sign in at {}/signin with a one-time code; read it on {}/staff/outbox (as admin) or in outbox.log.",
            running.url(),
            running.url()
        );
    }
    running.wait().await
}

fn synth_citizens(count: usize, seed: u64, out: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let sink: Box<dyn Write> = if out == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(out).with_context(|| format!("cannot create {out}"))?)
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, sink);
    let bar = ProgressBar::new(count as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} citizens {bar:40} {pos}/{len} {per_sec} eta {eta}")
            .expect("valid template"),
    );
    writeln!(w, "id,name_en,name_zh,sex,birth_date,district,hkid,email,phone,preferred_lang")?;
    for (i, c) in synth::CitizenGenerator::new(seed).take(count).enumerate() {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{}",
            c.id,
            c.name_en,
            c.name_zh,
            c.sex,
            c.birth_date,
            c.district,
            c.hkid,
            c.email.as_deref().unwrap_or(""),
            c.phone.as_deref().unwrap_or(""),
            c.preferred_lang
        )?;
        if i % 10_000 == 0 {
            bar.set_position(i as u64);
        }
    }
    w.flush()?;
    bar.finish_and_clear();
    eprintln!("generated {count} citizens (seed {seed}) in {:.2}s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn closure(config: Config, cmd: ClosureCommand) -> anyhow::Result<()> {
    let db = phos::connect_and_migrate(&config).await?;
    match cmd {
        ClosureCommand::Declare { kind, district, from, until, note, by } => {
            let kind = ClosureKind::parse(&kind).context("--kind must be typhoon_8, black_rainstorm or other")?;
            if let Some(d) = &district {
                kernel::hk::district(d).with_context(|| format!("unknown district {d}; see /api/v1/districts"))?;
            }
            let starts_at = from.as_deref().map(|s| parse_time("from", s)).transpose()?.unwrap_or_else(kernel::now_ms);
            let ends_at = until.as_deref().map(|s| parse_time("until", s)).transpose()?;
            if ends_at.is_some_and(|e| e <= starts_at) {
                anyhow::bail!("--until must be after --from");
            }
            let state = phos::state(config.clone(), db.clone()).await?;
            let mut tx = db.begin().await?;
            let c = kernel::hk::store::insert_closure(
                &mut tx,
                &NewClosure { kind, district, starts_at, ends_at, note, declared_by: by },
            )
            .await?;
            let n = kernel::jobs::publish(
                &mut tx,
                &state.jobs,
                kernel::hk::store::CLOSURE_DECLARED,
                serde_json::json!({ "id": c.id }),
            )
            .await?;
            tx.commit().await?;
            println!("declared closure {}; {n} reaction(s) queued (a running phos serve carries them out)", c.id);
        }
        ClosureCommand::Lift { id } => {
            let mut tx = db.begin().await?;
            let lifted = kernel::hk::store::lift_closure(&mut tx, &id, kernel::now_ms()).await?;
            tx.commit().await?;
            match lifted {
                Some(c) => println!("lifted closure {}", c.id),
                None => anyhow::bail!("no open closure with id {id}"),
            }
        }
        ClosureCommand::List => {
            for c in kernel::hk::store::current_closures(&db, kernel::now_ms()).await? {
                println!(
                    "{}  {:<16} {:<5} from {} until {}  {}",
                    c.id,
                    c.kind.code(),
                    c.district.as_deref().unwrap_or("all"),
                    c.starts_at,
                    c.ends_at.map(|e| e.to_string()).unwrap_or_else(|| "lifted".into()),
                    c.note
                );
            }
        }
    }
    Ok(())
}

async fn user(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    use kernel::identity::{parse_roles, password, staff};
    let db = phos::connect_and_migrate(&config).await?;
    match cmd {
        UserCommand::Add { email, role, name } => {
            if !staff::valid_email(&email) {
                anyhow::bail!("--email must be an e-mail address like name@example.org");
            }
            let roles = parse_roles(&role)
                .context("--role must be one or more of the roles listed in `phos user add --help`")?;
            let hash = match std::env::var("PHOS_NEW_PASSWORD") {
                Ok(p) => {
                    password::check(&p, &email)
                        .map_err(|e| anyhow::anyhow!("PHOS_NEW_PASSWORD is refused: {}", e.code()))?;
                    Some(password::hash_async(p).await)
                }
                Err(_) => None,
            };
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            let mut tx = db.begin().await?;
            let (user, invite) = match staff::create(&mut tx, &email, &name, &roles, hash).await {
                Ok(x) => x,
                Err(staff::StaffError::Exists) => anyhow::bail!("an account with e-mail {email} already exists"),
                Err(staff::StaffError::Db(e)) => return Err(e.into()),
            };
            kernel::audit::record(
                &db,
                &mut tx,
                &kernel::audit::Actor::System,
                &kernel::audit::Origin::system(),
                kernel::audit::Event::new("staff.create", "staff", &user.id).detail("phos user add"),
            )
            .await?;
            tx.commit().await?;
            println!("created {} ({})", user.email, kernel::identity::roles_to_string(&user.roles));
            if let Some(token) = invite {
                println!("set the password at {}/staff/invite/{token}", config.base_url());
            }
        }
        UserCommand::List => {
            for u in staff::list(&db).await? {
                println!("{:<36} {:<9} {}", u.email, u.status, kernel::identity::roles_to_string(&u.roles));
            }
        }
    }
    Ok(())
}
