//! Test harness: every test gets a fresh database — a temporary SQLite file, or its own schema
//! in PostgreSQL when `PHOS_TEST_DATABASE_URL=postgres://…` — and a server on a random port.

use std::path::PathBuf;
use std::time::Duration;

use kernel::identity::{Role, password, session, staff};
use kernel::jobs::WorkerOptions;
use kernel::web::Routes;
use kernel::{AppState, Config, Db, Engine};
use phos::Running;

/// The PostgreSQL used by cross-engine tests (schema parity) even in a SQLite run.
pub fn postgres_url() -> String {
    std::env::var("PHOS_TEST_POSTGRES_URL")
        .ok()
        .or_else(|| std::env::var("PHOS_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")))
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
            Engine::Sqlite => TestDb { url: format!("sqlite://{}/phos.db", dir.display()), dir, schema: None },
            Engine::Postgres => {
                let base = postgres_url();
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                let admin = Db::connect_with(&base, 1).await.expect("PostgreSQL for tests is reachable");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(admin.pool())
                    .await
                    .expect("create schema");
                admin.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                TestDb { url: format!("{base}{sep}options[search_path]={schema}"), dir, schema: Some((base, schema)) }
            }
        }
    }

    /// A migrated connection to this database.
    pub async fn migrated(&self) -> Db {
        let db = Db::connect(&self.url).await.expect("connect");
        kernel::db::migrate::run(&db, &kernel::area::all_migrations(&phos::areas())).await.expect("migrate");
        db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((base, schema)) = self.schema.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
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
        self.client.get(format!("{}{path}", self.url)).send().await.expect("request")
    }

    /// A client with its own cookie jar, like one browser.
    pub fn browser(&self) -> Browser {
        Browser {
            base: self.url.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// A browser carrying an existing session cookie (e.g. a signed-in citizen's).
    pub fn browser_with_session(&self, token: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", format!("phos_session={token}").parse().expect("header"));
        Browser {
            base: self.url.clone(),
            client: reqwest::Client::builder()
                .default_headers(headers)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// Creates an active staff account with these roles and the given password.
    pub async fn staff_user(&self, email: &str, roles: &[Role], pw: &str) -> String {
        let hash = password::hash_async(pw.to_string()).await;
        let mut tx = self.state.db.begin().await.unwrap();
        let (u, _) = staff::create(&mut tx, email, email, roles, Some(hash)).await.unwrap();
        tx.commit().await.unwrap();
        u.id
    }

    /// A browser signed in as staff with these roles (through the real sign-in form, with
    /// two-step sign-in when the roles need it).
    pub async fn staff_browser(&self, roles: &[Role]) -> Browser {
        let email = format!("{}@dh.test", uuid::Uuid::now_v7().simple());
        self.staff_user(&email, roles, STAFF_PASSWORD).await;
        self.signed_in(&email).await
    }

    /// A new browser signed in as this existing account (password `STAFF_PASSWORD`).
    pub async fn signed_in(&self, email: &str) -> Browser {
        let b = self.browser();
        let res = self.sign_in(&b, email, STAFF_PASSWORD).await;
        assert!(res.status() == 303 || res.status() == 200, "staff sign-in: {}", res.status());
        assert_eq!(b.get("/staff").await.status(), 200, "staff sign-in");
        b
    }

    /// Signs in through the real forms: the password, then (when the account needs it) the
    /// second factor, enrolling with the key the page shows or giving the current code of the
    /// enrolled key. Returns the last response: a redirect, or the page of recovery codes after
    /// enrolment.
    pub async fn sign_in(&self, b: &Browser, email: &str, pw: &str) -> reqwest::Response {
        let res = b.post_form("/staff/login", &[("email", email), ("password", pw)]).await;
        if res.status() != 303 || res.headers()["location"] != "/staff/login/code" {
            return res;
        }
        self.pass_mfa(b, email).await
    }

    /// Answers the code step of a sign-in under way in `b`.
    pub async fn pass_mfa(&self, b: &Browser, email: &str) -> reqwest::Response {
        let html = b.get("/staff/login/code").await.text().await.unwrap();
        let code = self.next_totp(email, secret_on_page(&html).as_deref()).await;
        b.post_form("/staff/login/code", &[("code", &code)]).await
    }

    /// A TOTP code of the account's key (or `shown`, the key on an enrolment page) for a step
    /// not used yet (the server refuses a step twice), waiting for the next step if need be.
    pub async fn next_totp(&self, email: &str, shown: Option<&str>) -> String {
        use staff::mfa::rules;
        let row: (String, Option<i64>) = sqlx::query_as(
            "SELECT t.secret, t.last_step FROM staff_totp t JOIN staff_users u ON u.id = t.staff_id WHERE u.email = $1",
        )
        .bind(email)
        .fetch_one(self.state.db.pool())
        .await
        .expect("a TOTP key");
        let key = shown.map(str::to_string).unwrap_or(row.0);
        let secret = rules::base32_decode(&key).expect("base32 key");
        loop {
            let now = rules::step_of(kernel::now_ms() / 1000);
            // The current step, not the previous one: the server accepts one step either side,
            // so a code of the current step still passes when a 30-second boundary falls between
            // here and the server's check (the previous step's code then failed, now and then).
            let step = now.max(row.1.map_or(i64::MIN, |s| s + 1));
            if step <= now + 1 {
                return rules::code_at(&secret, step);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// A session cookie for a subject, made directly (for matrix tests).
    pub async fn session_cookie(&self, kind: &str, subject: &str) -> String {
        let mut tx = self.state.db.begin().await.unwrap();
        let token = session::create(&mut tx, kind, subject, "127.0.0.1").await.unwrap();
        tx.commit().await.unwrap();
        token
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

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config), extra: Option<Routes>) -> TestApp {
    let db = TestDb::new().await;
    let mut config = test_config(&db);
    configure(&mut config);
    let conn = phos::connect_and_migrate(&config).await.expect("migrate");
    let state = phos::state(config.clone(), conn).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let running = phos::start(state.clone(), listener, extra, fast_worker(), false).expect("start");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    TestApp { url: running.url(), client, state, running: Some(running), db }
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

pub const STAFF_PASSWORD: &str = "kowloon peak sunrise walk";

/// One browser: a cookie jar, and forms posted with the CSRF token of the page.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

/// The TOTP key shown on an enrolment page, if any.
pub fn secret_on_page(html: &str) -> Option<String> {
    let i = html.find("id=\"totp-secret\"")?;
    let rest = &html[i..];
    let start = rest.find('>')? + 1;
    let end = rest.find("</code>")?;
    Some(rest[start..end].split_whitespace().collect())
}

/// The value of the hidden `csrf` input of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[i..].split('"').next()?.to_string())
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("request")
    }

    /// The CSRF token this browser's pages carry (fetched from a page with a form).
    pub async fn csrf(&self) -> String {
        let html = self.get("/staff/login").await.text().await.unwrap();
        csrf_of(&html).expect("a form with a csrf token")
    }

    /// Posts a form with this browser's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts a form exactly as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body = serde_urlencoded_string(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request")
    }
}

pub fn serde_urlencoded_string(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
