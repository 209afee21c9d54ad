//! Backup and restore of the embedded SQLite database. PostgreSQL uses pg_dump / pg_restore
//! (see docs/operations.md).

use std::path::{Path, PathBuf};

use crate::db::{Db, Engine};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup and restore through phos are for SQLite; for PostgreSQL use pg_dump and pg_restore (see docs/operations.md)"
    )]
    NotSqlite,
    #[error("{0} already exists; choose a new file name")]
    Exists(PathBuf),
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("{path} is not a usable PHOS SQLite backup: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Writes a consistent copy of the live database to `dest` with `VACUUM INTO` (safe while the
/// server runs: it reads one snapshot). Returns the size in bytes.
pub async fn backup(db: &Db, dest: &Path) -> Result<u64, BackupError> {
    if db.engine() != Engine::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_path_buf()));
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    sqlx::query("VACUUM INTO $1").bind(dest.to_string_lossy().to_string()).execute(db.pool()).await?;
    Ok(std::fs::metadata(dest)?.len())
}

/// Checks that `file` is an intact SQLite database holding PHOS's migration ledger.
pub async fn check(file: &Path) -> Result<(), BackupError> {
    if !file.exists() {
        return Err(BackupError::Missing(file.to_path_buf()));
    }
    let url = format!("sqlite://{}?mode=ro", file.display());
    let invalid = |reason: String| BackupError::Invalid { path: file.to_path_buf(), reason };
    let db = Db::connect_with(&url, 1).await.map_err(|e| invalid(e.to_string()))?;
    let ok: String =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(db.pool()).await.map_err(|e| invalid(e.to_string()))?;
    let ledger: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM phos_migrations")
        .fetch_one(db.pool())
        .await
        .map_err(|_| invalid("no phos_migrations table".into()))?;
    db.close().await;
    if ok != "ok" {
        return Err(invalid(format!("integrity check: {ok}")));
    }
    if ledger == 0 {
        return Err(invalid("no migrations recorded".into()));
    }
    Ok(())
}

/// Replaces the database file at `target` with the backup `file`. Stop `phos serve` first.
/// The copy is written beside the target and renamed into place, so a failure leaves the old
/// database untouched.
pub async fn restore(file: &Path, target: &Path) -> Result<(), BackupError> {
    check(file).await?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = target.with_extension("restoring");
    std::fs::copy(file, &tmp)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    std::fs::rename(&tmp, target)?;
    Ok(())
}
