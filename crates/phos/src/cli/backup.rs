//! `phos backup` and `phos restore`: a consistent copy of the live SQLite database, and putting
//! one back.

use std::path::Path;

use kernel::{Config, Db};

pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url()).await?;
    let bytes = kernel::db::backup::backup(&db, file).await?;
    println!("backed up to {} ({bytes} bytes)", file.display());
    Ok(())
}

pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let url = config.database_url();
    let target = kernel::db::sqlite_path(&url).ok_or(kernel::db::backup::BackupError::NotSqlite)?;
    kernel::db::backup::restore(file, Path::new(target)).await?;
    println!("restored {} into {target}", file.display());
    Ok(())
}
