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

/// A due timer claimed for firing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueTimer {
    pub id: String,
    pub instance_id: String,
    pub node_id: String,
    pub due_at: i64,
}

/// Claims up to `limit` pending timers due at `now` that nobody holds (no claim, or a claim
/// that ran out), earliest first, until `until` (one statement; on PostgreSQL rows another
/// replica is claiming are skipped, and the condition is checked again on the row it locks, so
/// two replicas never hold the same timer at once). The claim only shares the work out: firing
/// is made exactly once by [`close_timer`].
pub async fn claim_due(db: &kernel::Db, now: i64, until: i64, limit: i64) -> sqlx::Result<Vec<DueTimer>> {
    let sql = format!(
        "UPDATE workflow_timers SET claimed_until = $1 \
         WHERE id IN (SELECT id FROM workflow_timers WHERE status = 'pending' AND due_at <= $2 \
                      AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY due_at, id LIMIT $3{}) \
         AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $2) \
         RETURNING id, instance_id, node_id, due_at",
        db.skip_locked()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(until).bind(now).bind(limit).fetch_all(db.pool()).await?;
    let mut due = rows
        .iter()
        .map(|r| {
            Ok(DueTimer {
                id: r.try_get("id")?,
                instance_id: r.try_get("instance_id")?,
                node_id: r.try_get("node_id")?,
                due_at: r.try_get("due_at")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    // RETURNING gives no order: earliest first.
    due.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
    Ok(due)
}

/// When the earliest pending timer that nobody holds at `now` is due (None: there is none).
pub async fn next_due(db: &kernel::Db, now: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT MIN(due_at) FROM workflow_timers WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $1)",
    )
    .bind(now)
    .fetch_one(db.pool())
    .await
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

/// Sets the due time of the open task of an instance at `node` (from its interrupting timer
/// boundary event).
pub async fn set_task_due(tx: &mut Tx, instance: &str, node: &str, due: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE workflow_tasks SET due_at = $1 WHERE instance_id = $2 AND node_id = $3 AND status = 'open'")
        .bind(due)
        .bind(instance)
        .bind(node)
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

/// An instance with its definition's key, version and names, as the instance pages list it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub instance: InstanceRow,
    pub process_key: String,
    pub version: i64,
    pub name: Option<String>,
    pub name_zh: Option<String>,
    /// When the instance became overdue: the earliest timer already due that is still pending,
    /// or that fired while a task open before it was set is still not done (a deadline passed).
    pub overdue_since: Option<i64>,
}

/// Instances, newest first, optionally of one process key and in one status.
pub async fn list(
    db: &kernel::Db,
    key: Option<&str>,
    status: Option<&str>,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<Listed>> {
    let cols = COLS.split(", ").map(|c| format!("i.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {cols}, d.process_key, d.version AS def_version, d.name AS def_name, d.name_zh AS def_name_zh, \
         (SELECT MIN(t.due_at) FROM workflow_timers t WHERE t.instance_id = i.id AND i.status = 'running' AND t.due_at <= $3 \
          AND (t.status = 'pending' OR (t.status = 'fired' AND EXISTS (SELECT 1 FROM workflow_tasks k \
          WHERE k.instance_id = i.id AND k.status IN ('open', 'claimed') AND k.created_at <= t.created_at)))) AS overdue_since \
         FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id \
         WHERE ($1 = '' OR d.process_key = $1) AND ($2 = '' OR i.status = $2) \
         ORDER BY i.started_at DESC, i.id DESC LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key.unwrap_or(""))
        .bind(status.unwrap_or(""))
        .bind(now)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Listed {
                instance: row(r)?,
                process_key: r.try_get("process_key")?,
                version: r.try_get("def_version")?,
                name: r.try_get("def_name")?,
                name_zh: r.try_get("def_name_zh")?,
                overdue_since: r.try_get("overdue_since")?,
            })
        })
        .collect()
}

/// One entry of an instance's timeline.
#[derive(Clone, Debug)]
pub struct TimelineRow {
    pub node_id: String,
    pub activity: String,
    pub lifecycle: String,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub at: i64,
}

/// The events of an instance, in time order.
pub async fn timeline(db: &kernel::Db, instance: &str) -> sqlx::Result<Vec<TimelineRow>> {
    let rows = sqlx::query(
        "SELECT node_id, activity, lifecycle, actor, role, at FROM workflow_events WHERE instance_id = $1 ORDER BY at, id",
    )
    .bind(instance)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TimelineRow {
                node_id: r.try_get("node_id")?,
                activity: r.try_get("activity")?,
                lifecycle: r.try_get("lifecycle")?,
                actor: r.try_get("actor")?,
                role: r.try_get("role")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
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

/// Ties an instance to a process's business key; false when the key already has one.
pub async fn insert_business_key(tx: &mut Tx, process: &str, key: &str, instance: &str) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO workflow_business_keys (process_key, business_key, instance_id) VALUES ($1, $2, $3) \
         ON CONFLICT (process_key, business_key) DO NOTHING",
    )
    .bind(process)
    .bind(key)
    .bind(instance)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The instance of `process` started for `key`.
pub async fn by_business_key(db: &kernel::Db, process: &str, key: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT instance_id FROM workflow_business_keys WHERE process_key = $1 AND business_key = $2")
        .bind(process)
        .bind(key)
        .fetch_optional(db.pool())
        .await
}

/// The business key and process of an instance, if it was started for one.
pub async fn business_key_of(tx: &mut Tx, instance: &str) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT process_key, business_key FROM workflow_business_keys WHERE instance_id = $1")
        .bind(instance)
        .fetch_optional(&mut **tx)
        .await
}
