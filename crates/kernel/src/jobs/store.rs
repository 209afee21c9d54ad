//! SQL of `jobs` and `job_schedules`.

use sqlx::Row;

use super::{Claimed, NewJob, Recurring};
use crate::db::{Db, Tx};

/// Inserts a queued job; `false` when a job with its dedupe key exists already.
pub async fn insert(tx: &mut Tx, job: &NewJob, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, run_at, attempts, max_attempts, dedupe_key, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $7, $7) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(crate::new_id())
    .bind(&job.kind)
    .bind(job.payload.to_string())
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(&job.dedupe_key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Upserts a recurring job's schedule; a changed cron expression restarts it at `next`.
pub async fn upsert_schedule(tx: &mut Tx, r: &Recurring, next: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO job_schedules (name, cron, kind, payload, next_run_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, \
         next_run_at = CASE WHEN job_schedules.cron = excluded.cron THEN job_schedules.next_run_at ELSE excluded.next_run_at END, \
         cron = excluded.cron",
    )
    .bind(&r.name)
    .bind(&r.cron)
    .bind(&r.kind)
    .bind(r.payload.to_string())
    .bind(next)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Jobs by status.
pub async fn depth(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((r.try_get("status")?, r.try_get("n")?))).collect()
}

pub async fn delete_done_before(db: &Db, cutoff: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM jobs WHERE status = 'done' AND updated_at < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?
        .rows_affected())
}

/// The statement that claims one due (or abandoned) job of `kinds` kinds: binds `$1` worker,
/// `$2` locked until, `$3` now, then the kinds.
pub fn claim_sql(db: &Db, kinds: usize) -> String {
    let list = crate::db::list_placeholders(4, kinds);
    let list = if list.is_empty() { "NULL".to_string() } else { list };
    format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs WHERE kind IN ({list}) AND \
         ((status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3)) \
         ORDER BY run_at LIMIT 1{}) \
         RETURNING id, kind, payload, attempts, max_attempts",
        db.skip_locked()
    )
}

/// Claims one job with `sql` (from [`claim_sql`]).
pub async fn claim(
    db: &Db,
    sql: &str,
    worker: &str,
    until: i64,
    now: i64,
    kinds: &[String],
) -> sqlx::Result<Option<Claimed>> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).bind(worker).bind(until).bind(now);
    for k in kinds {
        q = q.bind(k);
    }
    let Some(r) = db.write_returning(q).await? else {
        return Ok(None);
    };
    Ok(Some(<Claimed as sqlx::FromRow<_>>::from_row(&r)?))
}

pub async fn mark_done(db: &Db, id: &str, worker: &str, now: i64) -> sqlx::Result<()> {
    db.write(
        sqlx::query("UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, updated_at = $1 WHERE id = $2 AND locked_by = $3")
            .bind(now)
            .bind(id)
            .bind(worker),
    )
    .await?;
    Ok(())
}

pub async fn mark_retry(db: &Db, id: &str, worker: &str, run_at: i64, error: &str, now: i64) -> sqlx::Result<()> {
    db.write(
        sqlx::query("UPDATE jobs SET status = 'queued', run_at = $1, last_error = $2, locked_by = NULL, locked_until = NULL, updated_at = $3 WHERE id = $4 AND locked_by = $5")
            .bind(run_at)
            .bind(error)
            .bind(now)
            .bind(id)
            .bind(worker),
    )
    .await?;
    Ok(())
}

pub async fn mark_failed(db: &Db, id: &str, worker: &str, error: &str, now: i64) -> sqlx::Result<()> {
    db.write(
        sqlx::query("UPDATE jobs SET status = 'failed', last_error = $1, locked_by = NULL, locked_until = NULL, updated_at = $2 WHERE id = $3 AND locked_by = $4")
            .bind(error)
            .bind(now)
            .bind(id)
            .bind(worker),
    )
    .await?;
    Ok(())
}

/// A schedule whose next run is due.
#[derive(sqlx::FromRow)]
pub struct DueSchedule {
    pub name: String,
    pub cron: String,
    pub kind: String,
    pub payload: String,
    pub next_run_at: i64,
}

pub async fn due_schedules(db: &Db, now: i64) -> sqlx::Result<Vec<DueSchedule>> {
    sqlx::query_as("SELECT name, cron, kind, payload, next_run_at FROM job_schedules WHERE next_run_at <= $1")
        .bind(now)
        .fetch_all(db.pool())
        .await
}

/// Moves a schedule from `due_at` to `next` (compare-and-set): `true` for the one replica that won.
pub async fn advance_schedule(tx: &mut Tx, name: &str, due_at: i64, next: i64, now: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query("UPDATE job_schedules SET next_run_at = $1, last_run_at = $2 WHERE name = $3 AND next_run_at = $4")
        .bind(next)
        .bind(now)
        .bind(name)
        .bind(due_at)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        == 1)
}
