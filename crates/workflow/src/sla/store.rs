//! SLA clocks' SQL.

use kernel::db::Tx;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One SLA clock as stored (with its definition's key and names, joined).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockRow {
    pub id: String,
    pub instance_id: String,
    pub definition_id: String,
    pub sla_id: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub escalate_to: String,
    pub wait_kind: String,
    pub wait_amount: i64,
    pub status: String,
    pub district: String,
    pub started_at: i64,
    pub stopped_at: Option<i64>,
    /// JSON array of [from, to|null].
    pub pauses: String,
    pub due_at: Option<i64>,
    pub m50_at: Option<i64>,
    pub m75_at: Option<i64>,
    pub reached_50: Option<i64>,
    pub reached_75: Option<i64>,
    pub reached_100: Option<i64>,
    /// JSON array of shifts.
    pub shifts: String,
    pub updated_at: i64,
    /// Joined from the definition.
    pub process_key: String,
    pub version: i64,
    pub process_name: Option<String>,
    pub process_name_zh: Option<String>,
}

const COLS: &str = "c.id, c.instance_id, c.definition_id, c.sla_id, c.name, c.name_zh, c.escalate_to, c.wait_kind, \
c.wait_amount, c.status, c.district, c.started_at, c.stopped_at, c.pauses, c.due_at, c.m50_at, c.m75_at, c.reached_50, \
c.reached_75, c.reached_100, c.shifts, c.updated_at, d.process_key, d.version, d.name AS process_name, \
d.name_zh AS process_name_zh";
const FROM: &str = "FROM workflow_sla_clocks c JOIN workflow_definitions d ON d.id = c.definition_id";

fn row(r: &AnyRow) -> sqlx::Result<ClockRow> {
    Ok(ClockRow {
        id: r.try_get("id")?,
        instance_id: r.try_get("instance_id")?,
        definition_id: r.try_get("definition_id")?,
        sla_id: r.try_get("sla_id")?,
        name: r.try_get("name")?,
        name_zh: r.try_get("name_zh")?,
        escalate_to: r.try_get("escalate_to")?,
        wait_kind: r.try_get("wait_kind")?,
        wait_amount: r.try_get("wait_amount")?,
        status: r.try_get("status")?,
        district: r.try_get("district")?,
        started_at: r.try_get("started_at")?,
        stopped_at: r.try_get("stopped_at")?,
        pauses: r.try_get("pauses")?,
        due_at: r.try_get("due_at")?,
        m50_at: r.try_get("m50_at")?,
        m75_at: r.try_get("m75_at")?,
        reached_50: r.try_get("reached_50")?,
        reached_75: r.try_get("reached_75")?,
        reached_100: r.try_get("reached_100")?,
        shifts: r.try_get("shifts")?,
        updated_at: r.try_get("updated_at")?,
        process_key: r.try_get("process_key")?,
        version: r.try_get("version")?,
        process_name: r.try_get("process_name")?,
        process_name_zh: r.try_get("process_name_zh")?,
    })
}

/// The clocks of an instance, read inside a transaction.
pub async fn of_instance_in(tx: &mut Tx, instance: &str) -> sqlx::Result<Vec<ClockRow>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE c.instance_id = $1 ORDER BY c.sla_id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(instance).fetch_all(&mut **tx).await?.iter().map(row).collect()
}

/// The clocks of an instance.
pub async fn of_instance(db: &kernel::Db, instance: &str) -> sqlx::Result<Vec<ClockRow>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE c.instance_id = $1 ORDER BY c.sla_id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(instance).fetch_all(db.pool()).await?.iter().map(row).collect()
}

pub async fn insert(tx: &mut Tx, c: &ClockRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO workflow_sla_clocks (id, instance_id, definition_id, sla_id, name, name_zh, escalate_to, wait_kind, \
         wait_amount, status, district, started_at, stopped_at, pauses, due_at, m50_at, m75_at, shifts, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(&c.id)
    .bind(&c.instance_id)
    .bind(&c.definition_id)
    .bind(&c.sla_id)
    .bind(&c.name)
    .bind(&c.name_zh)
    .bind(&c.escalate_to)
    .bind(&c.wait_kind)
    .bind(c.wait_amount)
    .bind(&c.status)
    .bind(&c.district)
    .bind(c.started_at)
    .bind(c.stopped_at)
    .bind(&c.pauses)
    .bind(c.due_at)
    .bind(c.m50_at)
    .bind(c.m75_at)
    .bind(&c.shifts)
    .bind(c.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a clock's bookkeeping and deadlines, only if nobody changed it since `updated_at`
/// (false otherwise).
pub async fn update(tx: &mut Tx, c: &ClockRow, updated_at: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_sla_clocks SET status = $1, stopped_at = $2, pauses = $3, due_at = $4, m50_at = $5, \
         m75_at = $6, shifts = $7, updated_at = $8, definition_id = $9 WHERE id = $10 AND updated_at = $11",
    )
    .bind(&c.status)
    .bind(c.stopped_at)
    .bind(&c.pauses)
    .bind(c.due_at)
    .bind(c.m50_at)
    .bind(c.m75_at)
    .bind(&c.shifts)
    .bind(c.updated_at)
    .bind(&c.definition_id)
    .bind(&c.id)
    .bind(updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Running clocks with a milestone due at `now` and not yet recorded.
pub async fn with_due_milestones(db: &kernel::Db, now: i64, limit: i64) -> sqlx::Result<Vec<ClockRow>> {
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE c.status = 'running' AND ((c.reached_50 IS NULL AND c.m50_at <= $1) \
         OR (c.reached_75 IS NULL AND c.m75_at <= $1) OR (c.reached_100 IS NULL AND c.due_at <= $1)) \
         ORDER BY c.due_at, c.id LIMIT $2"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now).bind(limit).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// Records a milestone (50, 75 or 100) of a running clock; false when it was already recorded
/// (another replica got there first) or the clock no longer runs. One conditional statement.
pub async fn reach(tx: &mut Tx, id: &str, percent: u32, now: i64) -> sqlx::Result<bool> {
    let col = match percent {
        50 => "reached_50",
        75 => "reached_75",
        _ => "reached_100",
    };
    let sql =
        format!("UPDATE workflow_sla_clocks SET {col} = $1 WHERE id = $2 AND {col} IS NULL AND status = 'running'");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now).bind(id).execute(&mut **tx).await?;
    Ok(r.rows_affected() == 1)
}

/// Clocks that are not stopped (their deadlines move with closures).
pub async fn live(db: &kernel::Db) -> sqlx::Result<Vec<ClockRow>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE c.status IN ('running', 'paused') ORDER BY c.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// Clocks not stopped whose deadline is at or before `until`, soonest first.
pub async fn due_by(db: &kernel::Db, until: i64, limit: i64) -> sqlx::Result<Vec<ClockRow>> {
    let sql =
        format!("SELECT {COLS} {FROM} WHERE c.status = 'running' AND c.due_at <= $1 ORDER BY c.due_at, c.id LIMIT $2");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(until).bind(limit).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// Breached clocks (the 100 % milestone recorded, or stopped after the deadline) whose deadline
/// is in `[from, to)`: (process key, SLA id, deadline).
pub async fn breaches(db: &kernel::Db, from: i64, to: i64) -> sqlx::Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT d.process_key, c.sla_id, c.due_at FROM workflow_sla_clocks c JOIN workflow_definitions d ON d.id = c.definition_id \
         WHERE c.due_at >= $1 AND c.due_at < $2 AND (c.reached_100 IS NOT NULL OR c.stopped_at > c.due_at)",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("process_key")?, r.try_get("sla_id")?, r.try_get("due_at")?))).collect()
}

/// An instance's variables (for the district and the language of messages).
pub async fn instance_variables(db: &kernel::Db, instance: &str) -> sqlx::Result<Option<String>> {
    let r = sqlx::query("SELECT variables FROM workflow_instances WHERE id = $1")
        .bind(instance)
        .fetch_optional(db.pool())
        .await?;
    r.map(|r| r.try_get("variables")).transpose()
}
