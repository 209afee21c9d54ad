//! The migration runner. Each area ships one portable tree of SQL files; the kernel collects
//! every area's migrations and applies them in order, once, on either engine.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::Db;

/// One migration file of one area.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    pub area: &'static str,
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// Declares a migration from `migrations/<file>` of the calling crate.
#[macro_export]
macro_rules! migration {
    ($area:literal, $version:literal, $file:literal) => {
        $crate::db::migrate::Migration {
            area: $area,
            version: $version,
            name: $file,
            sql: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $file)),
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migration {area}/{name} was changed after it was applied (checksum differs)")]
    Changed { area: String, name: String },
    #[error("migration {area}/{name} failed: {source}")]
    Failed { area: String, name: String, source: sqlx::Error },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS phos_migrations (\
    area TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL, \
    applied_at BIGINT NOT NULL, PRIMARY KEY (area, version))";

/// Applies every pending migration, each in its own transaction with its ledger row.
/// Replicas starting together on PostgreSQL serialise on an advisory lock. Returns the names
/// of the migrations applied.
pub async fn run(db: &Db, migrations: &[Migration]) -> Result<Vec<String>, MigrateError> {
    let mut applied_now = Vec::new();
    {
        let mut tx = db.begin().await?;
        db.lock_in_tx(&mut tx, "phos_migrations").await?;
        sqlx::query(LEDGER).execute(&mut *tx).await?;
        tx.commit().await?;
    }
    for m in migrations {
        let mut tx = db.begin().await?;
        db.lock_in_tx(&mut tx, "phos_migrations").await?;
        let existing = sqlx::query("SELECT checksum FROM phos_migrations WHERE area = $1 AND version = $2")
            .bind(m.area)
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            let sum: String = row.try_get("checksum")?;
            tx.rollback().await?;
            if sum != m.checksum() {
                return Err(MigrateError::Changed { area: m.area.into(), name: m.name.into() });
            }
            continue;
        }
        if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(m.sql)).execute(&mut *tx).await {
            tx.rollback().await?;
            return Err(MigrateError::Failed { area: m.area.into(), name: m.name.into(), source: e });
        }
        sqlx::query(
            "INSERT INTO phos_migrations (area, version, name, checksum, applied_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(m.area)
        .bind(m.version)
        .bind(m.name)
        .bind(m.checksum())
        .bind(crate::now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        applied_now.push(format!("{}/{}", m.area, m.name));
    }
    Ok(applied_now)
}

/// Migrations the code knows but the database has not applied (for `/readyz`).
pub async fn pending(db: &Db, migrations: &[Migration]) -> sqlx::Result<Vec<String>> {
    let rows = match sqlx::query("SELECT area, version FROM phos_migrations").fetch_all(db.pool()).await {
        Ok(rows) => rows,
        Err(_) => {
            return Ok(migrations.iter().map(|m| format!("{}/{}", m.area, m.name)).collect());
        }
    };
    let mut done = std::collections::HashSet::new();
    for r in rows {
        done.insert((r.try_get::<String, _>("area")?, r.try_get::<i64, _>("version")?));
    }
    Ok(migrations
        .iter()
        .filter(|m| !done.contains(&(m.area.to_string(), m.version)))
        .map(|m| format!("{}/{}", m.area, m.name))
        .collect())
}
