//! The one-time codes' SQL (`citizen_otps`), and nothing else.

use sqlx::Row;

use crate::db::{Db, Tx};

/// How many codes were sent to `destination` since `since_ms`.
pub async fn codes_sent_since(tx: &mut Tx, destination: &str, since_ms: i64) -> sqlx::Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM citizen_otps WHERE destination = $1 AND created_at > $2")
        .bind(destination)
        .bind(since_ms)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")
}

/// A new code (by its keyed hash).
pub struct NewCode<'a> {
    pub id: &'a str,
    pub channel: &'a str,
    pub destination: &'a str,
    pub code_hash: &'a str,
    pub expires_at: i64,
    pub created_at: i64,
}

pub async fn insert_code(tx: &mut Tx, c: &NewCode<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO citizen_otps (id, channel, destination, code_hash, attempts, expires_at, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6)",
    )
    .bind(c.id)
    .bind(c.channel)
    .bind(c.destination)
    .bind(c.code_hash)
    .bind(c.expires_at)
    .bind(c.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A code being tried, after its attempt was counted.
pub struct Attempt {
    pub attempts: i64,
    pub code_hash: String,
    pub expires_at: i64,
    pub destination: String,
    pub channel: String,
}

/// Counts one try of an unused code, atomically; `None` when the code is used or unknown.
pub async fn count_attempt(db: &Db, otp_id: &str) -> sqlx::Result<Option<Attempt>> {
    let row = sqlx::query(
        "UPDATE citizen_otps SET attempts = attempts + 1 WHERE id = $1 AND consumed_at IS NULL \
         RETURNING attempts, code_hash, expires_at, destination, channel",
    )
    .bind(otp_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(Attempt {
            attempts: r.try_get("attempts")?,
            code_hash: r.try_get("code_hash")?,
            expires_at: r.try_get("expires_at")?,
            destination: r.try_get("destination")?,
            channel: r.try_get("channel")?,
        })
    })
    .transpose()
}

pub async fn code_exists(db: &Db, otp_id: &str) -> sqlx::Result<bool> {
    Ok(sqlx::query("SELECT 1 AS x FROM citizen_otps WHERE id = $1")
        .bind(otp_id)
        .fetch_optional(db.pool())
        .await?
        .is_some())
}

/// Marks a code used; false when another request used it first.
pub async fn consume(db: &Db, otp_id: &str, now: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query("UPDATE citizen_otps SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL")
        .bind(now)
        .bind(otp_id)
        .execute(db.pool())
        .await?
        .rows_affected()
        == 1)
}

/// Deletes the codes that expired before `cutoff` (run by the daily prune); returns how many.
pub async fn delete_codes_expired_before(db: &Db, cutoff: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM citizen_otps WHERE expires_at < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?
        .rows_affected())
}
