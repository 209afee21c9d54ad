//! `phos regulatory keys …`: the certificate signing keys.
//!
//! `rotate` makes a new signing key (the previous one stays published, so certificates it signed
//! still verify); `list` shows every key; `remove --kid K` stops publishing a retired key (its
//! certificates then verify as forged). Bad input: the message on standard error, exit code 2.

use kernel::audit::{Actor, Origin};

use super::service;

#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Make a new signing key; the previous one stops signing and stays published.
    Rotate,
    /// List the keys: kid, created, retired, removed, and which one signs.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Stop publishing a retired key (certificates it signed then verify as forged).
    Remove {
        #[arg(long)]
        kid: String,
    },
}

fn when(ms: Option<i64>) -> String {
    ms.map(kernel::hk::local_datetime).unwrap_or_else(|| "-".into())
}

pub async fn run<F>(cmd: KeysCommand, connect: F) -> anyhow::Result<()>
where
    F: AsyncFnOnce() -> anyhow::Result<kernel::Db>,
{
    let db = connect().await?;
    match cmd {
        KeysCommand::Rotate => {
            let row = service::rotate(&db, &Actor::System, &Origin::system()).await?;
            println!("{}", row.kid);
        }
        KeysCommand::List { json } => {
            let rows = super::store::all(&db).await?;
            if json {
                let list: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "kid": r.kid,
                            "public_key": r.public_key,
                            "signing": r.signing.is_some(),
                            "created_at": r.created_at,
                            "retired_at": r.retired_at,
                            "removed_at": r.removed_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!("{:<10} {:<8} {:<17} {:<17} {:<17}", "kid", "state", "created", "retired", "removed");
                for r in &rows {
                    let state = if r.signing.is_some() {
                        "signing"
                    } else if r.removed_at.is_some() {
                        "removed"
                    } else {
                        "retired"
                    };
                    println!(
                        "{:<10} {:<8} {:<17} {:<17} {:<17}",
                        r.kid,
                        state,
                        when(Some(r.created_at)),
                        when(r.retired_at),
                        when(r.removed_at)
                    );
                }
            }
        }
        KeysCommand::Remove { kid } => match service::remove(&db, &kid, &Actor::System, &Origin::system()).await {
            Ok(()) => println!("removed {kid}"),
            Err(service::RemoveError::Db(e)) => return Err(e.into()),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        },
    }
    Ok(())
}
