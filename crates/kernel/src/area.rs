//! Areas and the application state. Each area (clinics, protection, …) is one crate exposing an
//! `Area`; the composition root in `crates/phos` collects them. The kernel is an area too.

use std::sync::Arc;

use std::sync::OnceLock;

use tokio::sync::Notify;

use crate::config::Config;
use crate::db::Db;
use crate::jobs::Registry;
use crate::metrics::Metrics;
use crate::migrate::Migration;
use crate::notify::Notifier;
use crate::web::access::AccessTable;
use crate::web::routes::Routes;

/// Who a home-page service is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Public,
    Staff,
    Partner,
}

/// A service shown on the home page: only services that work are listed.
#[derive(Clone, Debug)]
pub struct HomeCard {
    pub audience: Audience,
    pub title_key: &'static str,
    pub description_key: &'static str,
    pub href: &'static str,
}

/// One vertical slice of PHOS.
pub struct Area {
    pub name: &'static str,
    pub migrations: Vec<Migration>,
    pub routes: fn() -> Routes,
    pub jobs: fn(&mut Registry),
    pub home: Vec<HomeCard>,
    /// The area's Fluent catalogue (the kernel's own is built in).
    pub catalogue: Option<&'static fluent_templates::StaticLoader>,
}

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
            home: Arc::new(areas.iter().flat_map(|a| a.home.iter().cloned()).collect()),
            wake: Arc::new(Notify::new()),
            keys: Arc::new(keys),
            access: Arc::new(OnceLock::new()),
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
            ext: Arc::new(Extensions::default()),
        })
    }

    /// Wakes the local job worker (after committing a transaction that enqueued jobs).
    pub fn wake_worker(&self) {
        self.wake.notify_one();
    }
}

/// Every area's migrations, in area order then version order.
pub fn all_migrations(areas: &[Area]) -> Vec<Migration> {
    areas
        .iter()
        .flat_map(|a| {
            let mut m = a.migrations.clone();
            m.sort_by_key(|m| m.version);
            m
        })
        .collect()
}

/// The kernel's own area: platform tables, the public calendar and service-point directory,
/// the outbox, and the jobs that deliver notifications and prune old jobs.
pub fn kernel() -> Area {
    Area {
        name: "kernel",
        migrations: vec![
            crate::migration!("kernel", 1, "0001_platform.sql"),
            crate::migration!("kernel", 2, "0002_directory.sql"),
            crate::migration!("kernel", 3, "0003_identity.sql"),
            crate::migration!("kernel", 4, "0004_outbox_dispatch.sql"),
            crate::migration!("kernel", 5, "0005_staff_admin.sql"),
        ],
        routes: crate::routes,
        jobs: |r| {
            crate::notify::register(r);
            r.handle(PRUNE_JOB, prune);
            r.every("kernel.prune-daily", "0 30 3 * * *", PRUNE_JOB, serde_json::json!({}));
        },
        home: vec![
            HomeCard {
                audience: Audience::Public,
                title_key: "home-card-service-points",
                description_key: "home-card-service-points-desc",
                href: "/service-points",
            },
            HomeCard {
                audience: Audience::Public,
                title_key: "home-card-calendar",
                description_key: "home-card-calendar-desc",
                href: "/calendar",
            },
            HomeCard {
                audience: Audience::Public,
                title_key: "home-card-account",
                description_key: "home-card-account-desc",
                href: "/me",
            },
            HomeCard {
                audience: Audience::Staff,
                title_key: "home-card-staff",
                description_key: "home-card-staff-desc",
                href: "/staff",
            },
            HomeCard {
                audience: Audience::Staff,
                title_key: "home-card-closures",
                description_key: "home-card-closures-desc",
                href: "/staff/closures",
            },
            HomeCard {
                audience: Audience::Partner,
                title_key: "home-card-api",
                description_key: "home-card-api-desc",
                href: "/api/v1/openapi.json",
            },
            HomeCard {
                audience: Audience::Staff,
                title_key: "home-card-outbox",
                description_key: "home-card-outbox-desc",
                href: "/staff/outbox",
            },
        ],
        catalogue: None,
    }
}

pub const PRUNE_JOB: &str = "kernel.prune";

/// Deletes finished jobs older than a week.
async fn prune(ctx: crate::jobs::JobCtx, _payload: serde_json::Value) -> Result<(), crate::jobs::JobError> {
    let cutoff = crate::now_ms() - 7 * 24 * 3600 * 1000;
    let db = ctx.state.db.pool();
    let jobs =
        sqlx::query("DELETE FROM jobs WHERE status = 'done' AND updated_at < $1").bind(cutoff).execute(db).await?;
    let now = crate::now_ms();
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(db).await?;
    let otps =
        sqlx::query("DELETE FROM citizen_otps WHERE expires_at < $1").bind(now - 24 * 3600 * 1000).execute(db).await?;
    let windows = crate::ratelimit::prune(&ctx.state.db).await?;
    tracing::info!(
        jobs = jobs.rows_affected(),
        sessions = sessions.rows_affected(),
        codes = otps.rows_affected(),
        rate_windows = windows,
        "pruned expired rows"
    );
    Ok(())
}
