//! User tasks' SQL. Claims and completions are single conditional statements: of two people
//! claiming one task at once, exactly one statement changes the row.

use kernel::db::Tx;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use crate::instances::TaskRow;
use crate::instances::store::TASK_COLUMNS;

const COLS: &str = TASK_COLUMNS;

fn row(r: &AnyRow) -> sqlx::Result<TaskRow> {
    TaskRow::from_row(r)
}

pub async fn get(db: &kernel::Db, id: &str) -> sqlx::Result<Option<TaskRow>> {
    let sql = format!("SELECT {COLS} FROM workflow_tasks WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await?.as_ref().map(row).transpose()
}

pub async fn get_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<TaskRow>> {
    let sql = format!("SELECT {COLS} FROM workflow_tasks WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await?.as_ref().map(row).transpose()
}

/// Claims an open task for `who`; false when it was not open (someone else was first).
pub async fn claim(tx: &mut Tx, id: &str, who: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_tasks SET status = 'claimed', assignee = $1, claimed_at = $2 WHERE id = $3 AND status = 'open'",
    )
    .bind(who)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives a task claimed by `who` back; false when it was not theirs.
pub async fn release(tx: &mut Tx, id: &str, who: &str) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_tasks SET status = 'open', assignee = NULL, claimed_at = NULL \
         WHERE id = $1 AND status = 'claimed' AND assignee = $2",
    )
    .bind(id)
    .bind(who)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Completes a task claimed by `who`; false when it was not theirs (or no longer claimed).
pub async fn complete(tx: &mut Tx, id: &str, who: &str, form: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_tasks SET status = 'completed', completed_at = $1, completed_by = $2, form = $3 \
         WHERE id = $4 AND status = 'claimed' AND assignee = $2",
    )
    .bind(now)
    .bind(who)
    .bind(form)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Who completed the latest completed task at `node` of an instance.
pub async fn last_completer(tx: &mut Tx, instance: &str, node: &str) -> sqlx::Result<Option<String>> {
    let r = sqlx::query(
        "SELECT completed_by FROM workflow_tasks WHERE instance_id = $1 AND node_id = $2 AND status = 'completed' \
         ORDER BY completed_at DESC LIMIT 1",
    )
    .bind(instance)
    .bind(node)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.try_get("completed_by")).transpose()?.flatten())
}

/// Open and claimed tasks, oldest first (at most `limit`).
pub async fn active(db: &kernel::Db, limit: i64) -> sqlx::Result<Vec<TaskRow>> {
    let sql = format!(
        "SELECT {COLS} FROM workflow_tasks WHERE status IN ('open', 'claimed') ORDER BY created_at, id LIMIT $1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(db.pool()).await?.iter().map(row).collect()
}
