//! Inspections' SQL.

use kernel::db::Tx;

use super::Inspection;

pub const COLS: &str = "id, premises_id, licence_id, kind, priority, due_on, window_start, window_end, inspector, \
planned_on, status, outcome, findings, done_by, done_at, publish_after, source_ref, created_at";

pub async fn insert(tx: &mut Tx, i: &Inspection) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_inspections (id, premises_id, licence_id, kind, priority, due_on, window_start, window_end, \
         inspector, planned_on, status, outcome, findings, done_by, done_at, publish_after, source_ref, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(&i.id)
    .bind(&i.premises_id)
    .bind(&i.licence_id)
    .bind(&i.kind)
    .bind(i.priority)
    .bind(&i.due_on)
    .bind(&i.window_start)
    .bind(&i.window_end)
    .bind(&i.inspector)
    .bind(&i.planned_on)
    .bind(&i.status)
    .bind(&i.outcome)
    .bind(&i.findings)
    .bind(&i.done_by)
    .bind(i.done_at)
    .bind(&i.publish_after)
    .bind(&i.source_ref)
    .bind(i.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn get(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Inspection>> {
    let sql = format!("SELECT {COLS} FROM reg_inspections WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await
}

/// A premises' inspections, latest first.
pub async fn of_premises(db: &kernel::Db, premises: &str) -> sqlx::Result<Vec<Inspection>> {
    let sql =
        format!("SELECT {COLS} FROM reg_inspections WHERE premises_id = $1 ORDER BY due_on DESC, created_at DESC");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(premises).fetch_all(db.pool()).await
}
