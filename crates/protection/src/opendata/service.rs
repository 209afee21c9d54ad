//! Use cases of the open data: one transaction each, with its audit entry.

use kernel::Db;
use kernel::audit::{self, Actor, Event, Origin};

use super::THRESHOLD_SETTING;

/// Sets the suppression threshold (`old` is the one in force, for the audit entry).
pub async fn save_threshold(db: &Db, actor: &Actor, origin: &Origin, old: i64, t: i64) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    kernel::settings::set(&mut tx, THRESHOLD_SETTING, &t.to_string()).await?;
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("open_data.threshold", "setting", THRESHOLD_SETTING)
            .purpose("open data")
            .detail(&format!("{old} -> {t}")),
    )
    .await?;
    tx.commit().await
}
