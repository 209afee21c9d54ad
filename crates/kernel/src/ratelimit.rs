//! Fixed-window rate limits kept in the database, so that every replica counts together.

use sqlx::Row;

use crate::db::Db;

/// Counts one hit for `bucket` in the current window of `window_ms` and returns
/// `(hits so far in this window, milliseconds until the window ends)`.
pub async fn hit(db: &Db, bucket: &str, window_ms: i64) -> sqlx::Result<(i64, i64)> {
    let now = crate::now_ms();
    let start = now - now.rem_euclid(window_ms);
    let row = db
        .write_returning(
            sqlx::query(
                "INSERT INTO rate_windows (bucket, window_start, hits) VALUES ($1, $2, 1) \
                 ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_windows.hits + 1 RETURNING hits",
            )
            .bind(bucket)
            .bind(start),
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok((row.try_get("hits")?, start + window_ms - now))
}

/// Deletes windows that ended more than an hour ago (run by the daily prune).
pub async fn prune(db: &Db) -> sqlx::Result<u64> {
    let cutoff = crate::now_ms() - 3_600_000;
    Ok(sqlx::query("DELETE FROM rate_windows WHERE window_start < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?
        .rows_affected())
}
