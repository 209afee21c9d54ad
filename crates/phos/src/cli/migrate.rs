//! `phos migrate`: apply pending database migrations and exit.

use kernel::Config;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = phos::connect_and_migrate(config).await?;
    let pending = kernel::db::migrate::pending(&db, &kernel::area::all_migrations(&phos::areas())).await?;
    println!("database {} is at the latest schema ({} pending)", db.engine().name(), pending.len());
    Ok(())
}
