//! SQL of the demo seeders.

use kernel::db::Db;

/// Whether the demo's notifications are already in.
pub async fn has_demo_notifications(db: &Db) -> sqlx::Result<bool> {
    Ok(sqlx::query("SELECT 1 AS x FROM protection_notifications WHERE channel = 'demo' LIMIT 1")
        .fetch_optional(db.pool())
        .await?
        .is_some())
}
