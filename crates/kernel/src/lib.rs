//! PHOS kernel: the shared platform every area stands on.
//!
//! Storage (`db`, `migrate`), background jobs (`jobs`), the notification outbox
//! (`notify`), Hong Kong context (`hk`), the service-point directory (`directory`), the
//! citizen register (`people`), identity (`identity`), i18n (`i18n`), metrics and the web shell
//! (`web`: routes, access, guard, errors, forms, layout).

pub mod area;
pub mod audit;
pub mod backup;
pub mod config;
pub mod db;
pub mod directory;
pub mod hk;
pub mod hkid;
pub mod i18n;
pub mod identity;
pub mod jobs;
pub mod metrics;
pub mod migrate;
pub mod notify;
pub mod people;
pub mod ratelimit;
pub mod settings;
pub mod web;

pub use area::{AppState, Area, Keys};
pub use config::Config;
pub use db::{Db, Engine, Tx};

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
