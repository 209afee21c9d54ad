//! Instances' and timers' SQL.

use kernel::db::Tx;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A process instance as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstanceRow {
    pub id: String,
    pub definition_id: String,
    pub status: String,
    /// JSON array of node ids.
    pub waiting: String,
    /// JSON object.
    pub variables: String,
    pub revision: i64,
    pub started_by: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub reason: Option<String>,
}

const COLS: &str = "id, definition_id, status, waiting, variables, revision, started_by, started_at, ended_at, reason";

fn row(r: &AnyRow) -> sqlx::Result<InstanceRow> {
    Ok(InstanceRow {
        id: r.try_get("id")?,
        definition_id: r.try_get("definition_id")?,
        status: r.try_get("status")?,
        waiting: r.try_get("waiting")?,
        variables: r.try_get("variables")?,
        revision: r.try_get("revision")?,
        started_by: r.try_get("started_by")?,
        started_at: r.try_get("started_at")?,
        ended_at: r.try_get("ended_at")?,
        reason: r.try_get("reason")?,
    })
}

pub async fn insert(tx: &mut Tx, i: &InstanceRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO workflow_instances (id, definition_id, status, waiting, variables, revision, started_by, started_at, ended_at, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&i.id)
    .bind(&i.definition_id)
    .bind(&i.status)
    .bind(&i.waiting)
    .bind(&i.variables)
    .bind(i.revision)
    .bind(&i.started_by)
    .bind(i.started_at)
    .bind(i.ended_at)
    .bind(&i.reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn get(db: &kernel::Db, id: &str) -> sqlx::Result<Option<InstanceRow>> {
    let sql = format!("SELECT {COLS} FROM workflow_instances WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await?.as_ref().map(row).transpose()
}

pub async fn get_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<InstanceRow>> {
    let sql = format!("SELECT {COLS} FROM workflow_instances WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await?.as_ref().map(row).transpose()
}

/// Writes the instance's new state, only if it is still at `revision` and running (one
/// conditional statement); false when someone else changed it first.
pub async fn advance(tx: &mut Tx, i: &InstanceRow, revision: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_instances SET status = $1, waiting = $2, variables = $3, revision = $4, ended_at = $5, reason = $6 \
         WHERE id = $7 AND revision = $8 AND status = 'running'",
    )
    .bind(&i.status)
    .bind(&i.waiting)
    .bind(&i.variables)
    .bind(revision + 1)
    .bind(i.ended_at)
    .bind(&i.reason)
    .bind(&i.id)
    .bind(revision)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_timer(tx: &mut Tx, instance: &str, node: &str, due_at: i64, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO workflow_timers (id, instance_id, node_id, due_at, status, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)",
    )
    .bind(kernel::new_id())
    .bind(instance)
    .bind(node)
    .bind(due_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Pending timers of an instance: (node, due_at).
pub async fn timers(db: &kernel::Db, instance: &str) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT node_id, due_at FROM workflow_timers WHERE instance_id = $1 AND status = 'pending' ORDER BY due_at",
    )
    .bind(instance)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("node_id")?, r.try_get("due_at")?))).collect()
}

/// A timer that is due: (timer id, instance id, node id).
pub async fn due_timers(db: &kernel::Db, now: i64, limit: i64) -> sqlx::Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT id, instance_id, node_id FROM workflow_timers WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("instance_id")?, r.try_get("node_id")?))).collect()
}

/// Marks a pending timer fired or cancelled; false when it was no longer pending (another
/// worker got it first): each timer fires once.
pub async fn close_timer(tx: &mut Tx, id: &str, status: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE workflow_timers SET status = $1 WHERE id = $2 AND status = 'pending'")
        .bind(status)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Cancels the open and claimed tasks and the pending timers of an instance.
pub async fn cancel_waits(tx: &mut Tx, instance: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE workflow_tasks SET status = 'cancelled' WHERE instance_id = $1 AND status IN ('open', 'claimed')",
    )
    .bind(instance)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE workflow_timers SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending'")
        .bind(instance)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Cancels the open tasks and pending timers of an instance at nodes where it no longer waits
/// (an interrupting boundary event aborted them, or their activity finished).
pub async fn cancel_stale(tx: &mut Tx, instance: &str, waiting: &[String]) -> sqlx::Result<()> {
    let tasks =
        sqlx::query("SELECT id, node_id FROM workflow_tasks WHERE instance_id = $1 AND status IN ('open', 'claimed')")
            .bind(instance)
            .fetch_all(&mut **tx)
            .await?;
    for r in &tasks {
        let (id, node): (String, String) = (r.try_get("id")?, r.try_get("node_id")?);
        if !waiting.contains(&node) {
            sqlx::query(
                "UPDATE workflow_tasks SET status = 'cancelled' WHERE id = $1 AND status IN ('open', 'claimed')",
            )
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
    }
    let timers = sqlx::query("SELECT id, node_id FROM workflow_timers WHERE instance_id = $1 AND status = 'pending'")
        .bind(instance)
        .fetch_all(&mut **tx)
        .await?;
    for r in &timers {
        let (id, node): (String, String) = (r.try_get("id")?, r.try_get("node_id")?);
        if !waiting.contains(&node) {
            close_timer(tx, &id, "cancelled").await?;
        }
    }
    Ok(())
}

/// The columns of a [`TaskRow`](super::TaskRow), in its order.
pub const TASK_COLUMNS: &str = "id, instance_id, node_id, name, name_zh, roles, status, assignee, created_at, claimed_at, completed_at, completed_by";

/// Inserts an open user task (the interpreter reached it).
pub async fn insert_task(tx: &mut Tx, t: &super::TaskRow) -> sqlx::Result<()> {
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

/// The user tasks of an instance, oldest first.
pub async fn tasks_of_instance(db: &kernel::Db, instance: &str) -> sqlx::Result<Vec<super::TaskRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLUMNS} FROM workflow_tasks WHERE instance_id = $1 ORDER BY created_at, id"
    )))
    .bind(instance)
    .fetch_all(db.pool())
    .await
}

/// Running instances of a definition (for a migration), with the nodes of their open tasks
/// and pending timers: (instance, task and timer nodes).
pub async fn running_of(tx: &mut Tx, definition: &str) -> sqlx::Result<Vec<(InstanceRow, Vec<String>)>> {
    let sql =
        format!("SELECT {COLS} FROM workflow_instances WHERE definition_id = $1 AND status = 'running' ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(definition).fetch_all(&mut **tx).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let i = row(r)?;
        let nodes = sqlx::query(
            "SELECT node_id FROM workflow_tasks WHERE instance_id = $1 AND status IN ('open', 'claimed') \
             UNION SELECT node_id FROM workflow_timers WHERE instance_id = $1 AND status = 'pending'",
        )
        .bind(&i.id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("node_id"))
        .collect::<sqlx::Result<Vec<String>>>()?;
        out.push((i, nodes));
    }
    Ok(out)
}

/// Moves a running instance to another version of its definition, only if it is still at
/// `revision` (false otherwise); its SLA clocks follow.
pub async fn move_to(tx: &mut Tx, id: &str, definition: &str, revision: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_instances SET definition_id = $1, revision = $2 WHERE id = $3 AND revision = $4 AND status = 'running'",
    )
    .bind(definition)
    .bind(revision + 1)
    .bind(id)
    .bind(revision)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE workflow_sla_clocks SET definition_id = $1 WHERE instance_id = $2")
        .bind(definition)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}
