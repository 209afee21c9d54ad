//! Installation-wide settings kept in the database, shared by every replica.

use rand::RngCore;
use sqlx::Row;

use crate::db::Db;

/// A random 256-bit secret named `name`, created on first use and the same for every replica.
pub async fn secret(db: &Db, name: &str) -> sqlx::Result<Vec<u8>> {
    let key = format!("secret:{name}");
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
        .bind(&key)
        .bind(hex::encode(bytes))
        .bind(crate::now_ms())
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(&key).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    let value: String = row.try_get("value")?;
    hex::decode(value).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// The value of setting `key`, if set.
pub async fn get(db: &Db, key: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(db.pool()).await?;
    row.map(|r| r.try_get("value")).transpose()
}

/// Sets `key` to `value` in the caller's transaction (so the change and its audit entry commit together).
pub async fn set(tx: &mut crate::db::Tx, key: &str, value: &str) -> sqlx::Result<()> {
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
