//! SQL of `settings`.

use sqlx::Row;

use crate::db::{Db, Tx};

/// Sets `key` to `value` in `tx` unless it is set already.
pub async fn insert_if_absent(tx: &mut Tx, key: &str, value: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .bind(crate::now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The value of setting `key` read in `tx`, if set.
pub async fn get_in(tx: &mut Tx, key: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&mut **tx).await?;
    row.map(|r| r.try_get("value")).transpose()
}

/// The value of setting `key`, if set.
pub async fn get(db: &Db, key: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(db.pool()).await?;
    row.map(|r| r.try_get("value")).transpose()
}

/// Sets `key` to `value` in `tx` (the transaction of the change, with its audit entry).
pub async fn set(tx: &mut Tx, key: &str, value: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(crate::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
