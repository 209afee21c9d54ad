//! SQL of `rate_windows`.

use sqlx::Row;

use crate::db::Db;

/// Counts one hit in the window of `bucket` starting at `start`; returns the hits so far.
pub async fn hit(db: &Db, bucket: &str, start: i64) -> sqlx::Result<i64> {
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
    row.try_get("hits")
}

/// Deletes the windows that started before `cutoff`; returns how many.
pub async fn delete_windows_before(db: &Db, cutoff: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM rate_windows WHERE window_start < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?
        .rows_affected())
}
