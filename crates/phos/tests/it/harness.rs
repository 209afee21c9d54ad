//! Test harness: every test gets a fresh database — a temporary SQLite file, or its own schema
//! in PostgreSQL when `PHOS_TEST_DATABASE_URL=postgres://…` — and a server on a random port.

use std::path::PathBuf;
use std::time::Duration;

use kernel::jobs::WorkerOptions;
use kernel::{AppState, Config, Db, Engine};
use phos::Running;
use utoipa_axum::router::OpenApiRouter;

/// The PostgreSQL used by cross-engine tests (schema parity) even in a SQLite run.
pub fn postgres_url() -> String {
    std::env::var("PHOS_TEST_POSTGRES_URL")
        .ok()
        .or_else(|| {
            std::env::var("PHOS_TEST_DATABASE_URL")
                .ok()
                .filter(|u| u.starts_with("postgres"))
        })
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The engine this test run targets.
pub fn engine() -> Engine {
    match std::env::var("PHOS_TEST_DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => Engine::Postgres,
        _ => Engine::Sqlite,
    }
}

/// A fresh, empty database that is removed when dropped.
pub struct TestDb {
    pub url: String,
    pub dir: PathBuf,
    schema: Option<(String, String)>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        Self::on(engine()).await
    }

    pub async fn on(engine: Engine) -> TestDb {
        let dir = std::env::temp_dir().join(format!("phos-test-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        match engine {
            Engine::Sqlite => TestDb {
                url: format!("sqlite://{}/phos.db", dir.display()),
                dir,
                schema: None,
            },
            Engine::Postgres => {
                let base = postgres_url();
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                let admin = Db::connect_with(&base, 1)
                    .await
                    .expect("PostgreSQL for tests is reachable");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(admin.pool())
                    .await
                    .expect("create schema");
                admin.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                TestDb {
                    url: format!("{base}{sep}options[search_path]={schema}"),
                    dir,
                    schema: Some((base, schema)),
                }
            }
        }
    }

    /// A migrated connection to this database.
    pub async fn migrated(&self) -> Db {
        let db = Db::connect(&self.url).await.expect("connect");
        kernel::migrate::run(&db, &kernel::area::all_migrations(&phos::areas()))
            .await
            .expect("migrate");
        db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((base, schema)) = self.schema.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("rt");
                rt.block_on(async move {
                    if let Ok(db) = Db::connect_with(&base, 1).await {
                        // Never wait long: a schema still in use is left for the next run's clean-up.
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                            "SET lock_timeout = '3s'; DROP SCHEMA {schema} CASCADE"
                        )))
                        .execute(db.pool())
                        .await;
                        db.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// Worker settings that make tests quick: short polls and back-off.
pub fn fast_worker() -> WorkerOptions {
    WorkerOptions {
        concurrency: 4,
        poll: Duration::from_millis(25),
        lease: Duration::from_secs(30),
        backoff_base: Duration::from_millis(50),
    }
}

pub fn test_config(db: &TestDb) -> Config {
    Config {
        data_dir: db.dir.clone(),
        database_url: Some(db.url.clone()),
        listen: "127.0.0.1:0".parse().expect("addr"),
        ..Config::default()
    }
}

/// A running PHOS against a fresh database.
pub struct TestApp {
    pub url: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub running: Option<Running>,
    pub db: TestDb,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request")
    }

    pub async fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.expect("clean shutdown");
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}, None).await
}

pub async fn spawn_app_with(
    configure: impl FnOnce(&mut Config),
    extra: Option<OpenApiRouter<AppState>>,
) -> TestApp {
    let db = TestDb::new().await;
    let mut config = test_config(&db);
    configure(&mut config);
    let conn = phos::connect_and_migrate(&config).await.expect("migrate");
    let state = phos::state(config.clone(), conn).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = phos::start(state.clone(), listener, extra, fast_worker(), false).expect("start");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        url: running.url(),
        client,
        state,
        running: Some(running),
        db,
    }
}

/// Polls `f` until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if let Some(v) = f().await {
            return Some(v);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}
