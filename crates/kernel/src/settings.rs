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
