//! What every bench starts from: a scratch directory, and the database (a fresh SQLite file
//! there unless `--database-url` names one) migrated, with the application's state.

use std::path::{Path, PathBuf};

use kernel::{AppState, Config, Db};

/// A new scratch directory for this run of bench `name` (removed by the bench when it passes).
pub fn scratch_dir(name: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("phos-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The database a bench runs on, migrated, and the state over it.
#[allow(dead_code)] // a bench reads the fields it needs (each bench is its own crate)
pub struct Opened {
    pub url: String,
    pub config: Config,
    pub db: Db,
    /// `sqlite` or `postgres`, for the report.
    pub engine: &'static str,
    pub state: AppState,
}

/// Opens and migrates the database at `url` (default: `dir/phos.db`), with a configuration
/// listening on a free port, logging warnings, and adjusted by `configure`.
pub async fn open(dir: &Path, url: Option<String>, configure: impl FnOnce(&mut Config)) -> anyhow::Result<Opened> {
    let url = url.unwrap_or_else(|| format!("sqlite://{}/phos.db", dir.display()));
    let mut config = Config {
        data_dir: dir.to_path_buf(),
        database_url: Some(url.clone()),
        listen: "127.0.0.1:0".parse()?,
        log: "warn".into(),
        ..Config::default()
    };
    configure(&mut config);
    let db = phos::connect_and_migrate(&config).await?;
    let engine = db.engine().name();
    let state = phos::state(config.clone(), db.clone()).await?;
    Ok(Opened { url, config, db, engine, state })
}
