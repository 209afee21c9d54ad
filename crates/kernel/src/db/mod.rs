//! Storage: one sqlx `AnyPool` over SQLite or PostgreSQL, chosen by the database URL.
//!
//! Areas write portable SQL (see ARCHITECTURE.md, Storage) and never branch on the engine;
//! where the engines must differ, a function here hides it.

pub mod backup;
pub mod migrate;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Row};

/// A write transaction on whichever engine is configured. On SQLite it also holds this
/// process's writer turn (see `Db::begin`). Dereferences to the connection, so queries run
/// with `.execute(&mut *tx)` (or `&mut **tx` through a `&mut Tx`).
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL scheme (use sqlite://PATH or postgres://…): {0}")]
    Scheme(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot connect to the database at {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
}

/// The database handle every area receives.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// SQLite has one writer at a time: writers queue here, in order, before they take a
    /// connection, instead of holding pool connections while they spin on the file lock.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The audit chain's head as this process last wrote or read it: `(seq, hash)`. Only a hint:
    /// an append is conditional on it still being the head (see `audit::record`).
    pub(crate) audit_head: std::sync::Arc<std::sync::Mutex<Option<(i64, String)>>>,
}

impl Db {
    /// Connects to `url` (`sqlite://path/to/file.db` or `postgres://…`), creating the SQLite
    /// file and its directory when missing, and checks the connection with a round trip.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        Self::connect_with(url, default_pool_size(url)).await
    }

    pub async fn connect_with(url: &str, max_connections: u32) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let engine = engine_of(url)?;
        let url = if engine == Engine::Sqlite { prepare_sqlite_url(url)? } else { url.to_string() };
        let read_only = url.contains("mode=ro");
        let options: AnyConnectOptions =
            url.parse().map_err(|e| DbError::Connect { url: crate::config::mask_url(&url), source: e })?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .min_connections(if engine == Engine::Sqlite { 1 } else { 0 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite && read_only {
                        conn.execute("PRAGMA busy_timeout = 10000;").await?;
                    } else if engine == Engine::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                             PRAGMA mmap_size = 268435456;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| DbError::Connect { url: crate::config::mask_url(&url), source: e })?;
        Ok(Db {
            pool,
            engine,
            writer: std::sync::Arc::new(tokio::sync::Mutex::new(())),
            audit_head: Default::default(),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Begins a transaction that will write. On SQLite this is `BEGIN IMMEDIATE`, which takes
    /// the write lock up front so that a read-then-write never fails with `SQLITE_BUSY`
    /// mid-transaction; on PostgreSQL it is a plain `BEGIN`.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        match self.engine {
            Engine::Sqlite => {
                let turn = self.writer_turn().await;
                let inner = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx { inner, _turn: turn })
            }
            Engine::Postgres => Ok(Tx { inner: self.pool.begin().await?, _turn: None }),
        }
    }

    /// Runs one write statement outside a transaction. On SQLite it first takes this process's
    /// writer turn, like [`Db::begin`]: a write that went straight to the file lock while a
    /// transaction held it would sleep in SQLite's busy handler, and every writer queued behind
    /// that transaction would wait with it.
    pub async fn write(
        &self,
        q: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> sqlx::Result<sqlx::any::AnyQueryResult> {
        let _turn = self.writer_turn().await;
        q.execute(&self.pool).await
    }

    /// [`Db::write`] for a statement that returns a row (`UPDATE … RETURNING`).
    pub async fn write_returning(
        &self,
        q: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> sqlx::Result<Option<sqlx::any::AnyRow>> {
        let _turn = self.writer_turn().await;
        q.fetch_optional(&self.pool).await
    }

    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.engine {
            Engine::Sqlite => Some(self.writer.clone().lock_owned().await),
            Engine::Postgres => None,
        }
    }

    /// Serialises writers of one named chain (audit log, migrations) inside `tx`:
    /// a transaction-scoped advisory lock on PostgreSQL; on SQLite `begin()` already holds
    /// the database write lock, so nothing more is needed.
    pub async fn lock_in_tx(&self, tx: &mut Tx, name: &str) -> sqlx::Result<()> {
        if self.engine == Engine::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(lock_key(name)).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// `FOR UPDATE SKIP LOCKED` where the engine has it (PostgreSQL), nothing on SQLite,
    /// whose single writer makes a claim atomic anyway.
    pub fn skip_locked(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Round trip to the database.
    pub async fn ping(&self) -> sqlx::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// Every table of the current schema with its columns, sorted: `(table, column)`.
    /// Used to prove both engines hold the same schema.
    pub async fn schema(&self) -> sqlx::Result<Vec<(String, String)>> {
        let sql = match self.engine {
            Engine::Sqlite => {
                "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
            }
            Engine::Postgres => {
                "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 ORDER BY 1, 2"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get::<String, _>("t")?, r.try_get::<String, _>("c")?))).collect()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn lock_key(name: &str) -> i64 {
    // FNV-1a, stable across builds and replicas.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h as i64
}

pub fn engine_of(url: &str) -> Result<Engine, DbError> {
    if url.starts_with("sqlite:") {
        Ok(Engine::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Engine::Postgres)
    } else {
        Err(DbError::Scheme(crate::config::mask_url(url)))
    }
}

fn default_pool_size(url: &str) -> u32 {
    if url.starts_with("sqlite:") { 8 } else { 16 }
}

/// The file path inside a `sqlite://` URL, if it names a file.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then_some(path)
}

fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    if let Some(path) = sqlite_path(url)
        && let Some(dir) = Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| DbError::DataDir { path: dir.display().to_string(), source: e })?;
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Binding an optional `f64` safely on both engines: `.bind_opt_f64(v)`.
///
/// sqlx 0.9's `Any` driver encodes a NULL `DOUBLE` as a PostgreSQL `float4` (it swaps REAL and
/// DOUBLE for nulls). If a statement is first prepared with such a NULL, PostgreSQL caches the
/// parameter as `float4`, and every later execution with a value fails with "incorrect binary
/// data format". A NULL bound as `f32` comes out as `float8`, so this binds `None` that way.
pub trait BindOptF64 {
    fn bind_opt_f64(self, v: Option<f64>) -> Self;
}

impl<'q> BindOptF64 for sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    fn bind_opt_f64(self, v: Option<f64>) -> Self {
        match v {
            Some(x) => self.bind(x),
            None => self.bind(None::<f32>),
        }
    }
}

/// Most bind parameters worth putting in one statement. SQLite looks up a `$N` parameter's
/// name by walking the statement's parameter list, and sqlx asks for every parameter's name, so
/// binding costs grow with the square of the parameter count: a 4,000-parameter insert spent
/// most of its time there (measured with perf). A few hundred keeps multi-row statements cheap.
pub const MAX_BINDS: usize = 400;

/// The pattern for `LOWER(column) LIKE $n ESCAPE '\'` that finds `text` anywhere in the column,
/// in any case: lower-cased, with `%`, `_` and `\` taken literally. Both engines accept it.
pub fn contains_pattern(text: &str) -> String {
    let escaped: String = text
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
        .collect();
    format!("%{escaped}%")
}

/// Rows of `cols` columns per multi-row statement, keeping under [`MAX_BINDS`].
pub fn rows_per_statement(cols: usize) -> usize {
    (MAX_BINDS / cols.max(1)).max(1)
}

/// `$first, $first+1, …` for `n` parameters: an `IN (…)` list or a row of binds.
pub fn list_placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Binds as many rows as fit in one multi-row `INSERT`: `$1, $2 …` groups for `rows` rows of
/// `cols` columns, e.g. `($1,$2),($3,$4)`.
pub fn values_placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://./phos-data/phos.db"), Some("./phos-data/phos.db"));
        assert_eq!(sqlite_path("sqlite:///tmp/x.db?mode=rwc"), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x"), None);
    }

    #[test]
    fn engines() {
        assert_eq!(engine_of("sqlite://a.db").unwrap(), Engine::Sqlite);
        assert_eq!(engine_of("postgres://u@h/db").unwrap(), Engine::Postgres);
        assert!(engine_of("mysql://u@h/db").is_err());
    }

    #[test]
    fn statement_sizes() {
        assert_eq!(rows_per_statement(4), 100);
        assert_eq!(rows_per_statement(13), 30);
        assert_eq!(rows_per_statement(1000), 1);
        assert_eq!(list_placeholders(3, 3), "$3, $4, $5");
        assert_eq!(list_placeholders(1, 0), "");
    }

    #[test]
    fn placeholders() {
        assert_eq!(values_placeholders(2, 2), "($1,$2),($3,$4)");
        assert_eq!(values_placeholders(1, 3), "($1,$2,$3)");
    }
}
