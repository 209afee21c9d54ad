//! User tasks' SQL. Claims and completions are single conditional statements: of two people
//! claiming one task at once, exactly one statement changes the row.

use kernel::db::Tx;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A user task as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    pub id: String,
    pub instance_id: String,
    pub node_id: String,
    pub name: String,
    pub name_zh: Option<String>,
    /// Comma-separated candidate role codes.
    pub roles: String,
    pub status: String,
    pub assignee: Option<String>,
    pub created_at: i64,
    pub claimed_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub completed_by: Option<String>,
}

const COLS: &str = "id, instance_id, node_id, name, name_zh, roles, status, assignee, created_at, claimed_at, completed_at, completed_by";

fn row(r: &AnyRow) -> sqlx::Result<TaskRow> {
    Ok(TaskRow {
        id: r.try_get("id")?,
        instance_id: r.try_get("instance_id")?,
        node_id: r.try_get("node_id")?,
        name: r.try_get("name")?,
        name_zh: r.try_get("name_zh")?,
        roles: r.try_get("roles")?,
        status: r.try_get("status")?,
        assignee: r.try_get("assignee")?,
        created_at: r.try_get("created_at")?,
        claimed_at: r.try_get("claimed_at")?,
        completed_at: r.try_get("completed_at")?,
        completed_by: r.try_get("completed_by")?,
    })
}

pub async fn insert(tx: &mut Tx, t: &TaskRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO workflow_tasks (id, instance_id, node_id, name, name_zh, roles, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
    )
    .bind(&t.id)
    .bind(&t.instance_id)
    .bind(&t.node_id)
    .bind(&t.name)
    .bind(&t.name_zh)
    .bind(&t.roles)
    .bind(t.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
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

/// The tasks of an instance, oldest first.
pub async fn of_instance(db: &kernel::Db, instance: &str) -> sqlx::Result<Vec<TaskRow>> {
    let sql = format!("SELECT {COLS} FROM workflow_tasks WHERE instance_id = $1 ORDER BY created_at, id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(instance).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// Open and claimed tasks, oldest first (at most `limit`).
pub async fn active(db: &kernel::Db, limit: i64) -> sqlx::Result<Vec<TaskRow>> {
    let sql = format!(
        "SELECT {COLS} FROM workflow_tasks WHERE status IN ('open', 'claimed') ORDER BY created_at, id LIMIT $1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(db.pool()).await?.iter().map(row).collect()
}
