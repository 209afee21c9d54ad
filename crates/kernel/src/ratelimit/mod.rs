//! Fixed-window rate limits kept in the database, so that every replica counts together.

mod store;

use crate::db::Db;

/// Counts one hit for `bucket` in the current window of `window_ms` and returns
/// `(hits so far in this window, milliseconds until the window ends)`.
pub async fn hit(db: &Db, bucket: &str, window_ms: i64) -> sqlx::Result<(i64, i64)> {
    let now = crate::now_ms();
    let start = now - now.rem_euclid(window_ms);
    let hits = store::hit(db, bucket, start).await?;
    Ok((hits, start + window_ms - now))
}

/// Deletes windows that ended more than an hour ago (run by the daily prune).
pub async fn prune(db: &Db) -> sqlx::Result<u64> {
    store::delete_windows_before(db, crate::now_ms() - 3_600_000).await
}
