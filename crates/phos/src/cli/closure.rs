//! `phos closure`: declare, lift and list service closures (typhoon signal No. 8, black
//! rainstorm).

use anyhow::Context;
use clap::Subcommand;
use kernel::Config;
use kernel::audit::Actor;
use kernel::hk::ClosureKind;
use kernel::hk::store::NewClosure;

#[derive(Subcommand)]
pub enum ClosureCommand {
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

fn parse_time(field: &str, s: &str) -> anyhow::Result<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .with_context(|| format!("--{field} must be a date and time like 2025-09-02T08:00:00+08:00"))
}

pub async fn run(config: Config, cmd: ClosureCommand) -> anyhow::Result<()> {
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
            let new = NewClosure { kind, district, starts_at, ends_at, note, declared_by: by };
            let (c, n) = kernel::hk::service::declare(&state, &Actor::System, &super::cli_origin(), &new).await?;
            println!("declared closure {}; {n} reaction(s) queued (a running phos serve carries them out)", c.id);
        }
        ClosureCommand::Lift { id } => {
            match kernel::hk::service::lift(&db, &Actor::System, &super::cli_origin(), &id).await? {
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
