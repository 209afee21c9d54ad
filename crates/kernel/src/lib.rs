//! PHOS kernel: the shared platform every area stands on.
//!
//! Storage (`db`, with `db::migrate` and `db::backup`), background jobs (`jobs`), the notification outbox
//! (`notify`), Hong Kong context (`hk`), the service-point directory (`directory`), the
//! citizen register (`people`), identity (`identity`), i18n (`i18n`), metrics and the web shell
//! (`web`: routes, access, guard, errors, forms, layout).

pub mod area;
pub mod audit;
pub mod config;
pub mod db;
pub mod directory;
pub mod files;
pub mod hk;
pub mod hkid;
pub mod i18n;
pub mod identity;
pub mod jobs;
pub mod metrics;
pub mod notify;
pub mod people;
pub mod process;
pub mod ratelimit;
pub mod settings;
pub mod web;

pub use area::Area;
pub use config::Config;
pub use db::{Db, Engine, Tx};

use std::sync::{Arc, OnceLock};

use tokio::sync::Notify;

use crate::area::{HomeCard, all_migrations};
use crate::db::migrate::Migration;
use crate::jobs::Registry;
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::web::access::AccessTable;

// The state lives at the crate root, not in a module: its fields come from `db`, `jobs`,
// `notify`, `web` and `metrics`, and every one of those hands it to handlers, so any module that
// held it would import them and be imported back (scripts/check-structure).

/// Everything a handler or job needs. Cheap to clone; nothing here holds state that matters
/// across replicas (that lives in the database).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub notifier: Arc<Notifier>,
    pub metrics: Arc<Metrics>,
    pub jobs: Arc<Registry>,
    pub migrations: Arc<Vec<Migration>>,
    pub home: Arc<Vec<HomeCard>>,
    /// Wakes this process's job worker when a job is enqueued here.
    pub wake: Arc<Notify>,
    pub keys: Arc<Keys>,
    /// Every route's declared access (set when the router is built).
    pub access: Arc<OnceLock<AccessTable>>,
    /// Things an area keeps for this state alone, created on first use (e.g. the queue of
    /// bookings waiting for the next group commit). Never the truth: that is in the database.
    pub ext: Arc<Extensions>,
    /// Turns true when this process starts shutting down, so that long-lived responses (live
    /// pages over server-sent events) end instead of holding the shutdown up.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

/// Per-state values by type, created on first use.
#[derive(Default)]
pub struct Extensions(
    std::sync::Mutex<std::collections::HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>,
);

impl Extensions {
    /// The state's `T`, made by `init` the first time it is asked for.
    pub fn get_or_init<T: std::any::Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let any = map.entry(std::any::TypeId::of::<T>()).or_insert_with(|| Arc::new(init())).clone();
        any.downcast::<T>().unwrap_or_else(|_| unreachable!("keyed by its own type id"))
    }
}

/// Installation-wide secrets, the same on every replica (kept in the `settings` table).
pub struct Keys {
    pub csrf: Vec<u8>,
    pub hkid: Vec<u8>,
    pub otp: Vec<u8>,
}

impl Keys {
    pub async fn load(db: &Db) -> sqlx::Result<Keys> {
        Ok(Keys {
            csrf: crate::settings::secret(db, "csrf").await?,
            hkid: crate::settings::secret(db, "hkid").await?,
            otp: crate::settings::secret(db, "otp").await?,
        })
    }
}

impl AppState {
    pub fn new(config: Config, db: Db, keys: Keys, areas: &[Area]) -> anyhow::Result<AppState> {
        let mut registry = Registry::default();
        crate::area::register_processes(areas);
        for a in areas {
            (a.jobs)(&mut registry);
            if let Some(c) = a.catalogue {
                crate::i18n::register_catalogue(c);
            }
        }
        Ok(AppState {
            notifier: Arc::new(Notifier::from_config(&config)?),
            db,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            jobs: Arc::new(registry),
            migrations: Arc::new(all_migrations(areas)),
            // The areas' services first, the kernel's (accounts, audit, directory) after them.
            home: Arc::new(
                areas
                    .iter()
                    .filter(|a| a.name != "kernel")
                    .chain(areas.iter().filter(|a| a.name == "kernel"))
                    .flat_map(|a| a.home.iter().cloned())
                    .collect(),
            ),
            wake: Arc::new(Notify::new()),
            keys: Arc::new(keys),
            access: Arc::new(OnceLock::new()),
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
            ext: Arc::new(Extensions::default()),
        })
    }

    /// The cards of one audience (public or partner cards: for everyone).
    pub fn cards_for(&self, audience: area::Audience) -> Vec<HomeCard> {
        self.home.iter().filter(|c| c.audience == audience).cloned().collect()
    }

    /// The staff cards `identity` may use: those whose link leads to a route that the declared
    /// access allows it (none before the router is built, none for anyone but staff).
    pub fn staff_cards(&self, identity: &crate::identity::Identity) -> Vec<HomeCard> {
        let Some(table) = self.access.get() else { return vec![] };
        if identity.staff().is_none() {
            return vec![];
        }
        self.home
            .iter()
            .filter(|c| c.audience == area::Audience::Staff && table.allows_link(identity, c.href))
            .cloned()
            .collect()
    }

    /// Wakes the local job worker (after committing a transaction that enqueued jobs).
    pub fn wake_worker(&self) {
        self.wake.notify_one();
    }
}

/// Milliseconds since the Unix epoch, UTC: the one representation of instants in storage.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A new time-ordered identifier (UUIDv7), as stored in `TEXT` id columns.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub mod api;
pub mod pages;

/// The kernel's cards on the home pages (the public directory and calendar, the citizen's
/// account, the API; for staff: accounts, audit, partners, outbox, closures, the access matrix).
pub fn cards() -> Vec<area::HomeCard> {
    use crate::area::HomeCard;
    vec![
        HomeCard::public("home-card-service-points", "home-card-service-points-desc", "/service-points"),
        HomeCard::public("home-card-calendar", "home-card-calendar-desc", "/calendar"),
        HomeCard::public("home-card-account", "home-card-account-desc", "/me"),
        HomeCard::partner("home-card-api", "home-card-api-desc", "/api/v1/openapi.json"),
        HomeCard::staff("home-card-closures", "home-card-closures-desc", "/staff/closures"),
        HomeCard::staff("outbox-title", "home-card-outbox-desc", "/staff/outbox"),
        HomeCard::staff("staff-users-title", "staff-users-desc", "/staff/users"),
        HomeCard::staff("audit-title", "audit-desc", "/staff/audit"),
        HomeCard::staff("partners-title", "partners-desc", "/staff/partners"),
        HomeCard::staff("access-title", "access-desc", "/staff/access"),
    ]
}

/// The kernel's own routes (public pages, JSON API, identity pages and the partners' OAuth API).
pub fn routes() -> web::Routes {
    api::routes()
        .merge(pages::routes())
        .merge(identity::staff::pages::routes())
        .merge(identity::staff::mfa::pages::routes())
        .merge(identity::staff::accounts::routes())
        .merge(audit::pages::routes())
        .merge(notify::pages::routes())
        .merge(identity::citizen::pages::routes())
        .merge(identity::partner::pages::routes())
        .merge(identity::partner::api::routes())
}

pub const PRUNE_JOB: &str = "kernel.prune";

/// Deletes finished jobs older than a week, expired sessions, one-time codes that expired more
/// than a day ago and old rate-limit windows.
async fn prune(ctx: crate::jobs::JobCtx, _payload: serde_json::Value) -> Result<(), crate::jobs::JobError> {
    let db = &ctx.state.db;
    let now = crate::now_ms();
    let jobs = crate::jobs::prune_done(db, now - 7 * 24 * 3600 * 1000).await?;
    let sessions = crate::identity::session::prune(db).await?;
    let otps = crate::identity::citizen::store::delete_codes_expired_before(db, now - 24 * 3600 * 1000).await?;
    let windows = crate::ratelimit::prune(db).await?;
    tracing::info!(jobs, sessions, codes = otps, rate_windows = windows, "pruned expired rows");
    Ok(())
}
