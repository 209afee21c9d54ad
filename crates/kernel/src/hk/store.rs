//! SQL for closures.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::calendar::{Closure, ClosureKind};
use crate::db::{Db, Tx};

pub struct NewClosure {
    pub kind: ClosureKind,
    pub district: Option<String>,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub note: String,
    pub declared_by: String,
}

fn row_to_closure(r: &AnyRow) -> sqlx::Result<Closure> {
    let kind: String = r.try_get("kind")?;
    Ok(Closure {
        id: r.try_get("id")?,
        kind: ClosureKind::parse(&kind).unwrap_or(ClosureKind::Other),
        district: r.try_get("district")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        note: r.try_get("note")?,
        declared_by: r.try_get("declared_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn insert_closure(tx: &mut Tx, c: &NewClosure) -> sqlx::Result<Closure> {
    let closure = Closure {
        id: crate::new_id(),
        kind: c.kind,
        district: c.district.clone(),
        starts_at: c.starts_at,
        ends_at: c.ends_at,
        note: c.note.clone(),
        declared_by: c.declared_by.clone(),
        created_at: crate::now_ms(),
    };
    sqlx::query(
        "INSERT INTO closures (id, kind, district, starts_at, ends_at, note, declared_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&closure.id)
    .bind(closure.kind.code())
    .bind(&closure.district)
    .bind(closure.starts_at)
    .bind(closure.ends_at)
    .bind(&closure.note)
    .bind(&closure.declared_by)
    .bind(closure.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(closure)
}

/// Withdraws a closure that has not begun by `at` (declared for later, then called off): the row
/// is deleted, since a closure may not end before it starts. Returns it, or `None` when there is
/// no such closure still to come.
pub async fn withdraw_future_closure(tx: &mut Tx, id: &str, at: i64) -> sqlx::Result<Option<Closure>> {
    let sql = "DELETE FROM closures WHERE id = $2 AND starts_at >= $1 \
               RETURNING id, kind, district, starts_at, ends_at, note, declared_by, created_at";
    let row = sqlx::query(sql).bind(at).bind(id).fetch_optional(&mut **tx).await?;
    row.as_ref().map(row_to_closure).transpose()
}

/// Ends an open closure at `at` ("signal lowered"). Returns the closure, or `None` if there is
/// no such open closure.
pub async fn lift_closure(tx: &mut Tx, id: &str, at: i64) -> sqlx::Result<Option<Closure>> {
    let sql = "UPDATE closures SET ends_at = $1 WHERE id = $2 AND (ends_at IS NULL OR ends_at > $1) \
               RETURNING id, kind, district, starts_at, ends_at, note, declared_by, created_at";
    let row = sqlx::query(sql).bind(at).bind(id).fetch_optional(&mut **tx).await?;
    row.as_ref().map(row_to_closure).transpose()
}

/// Closures that have not ended by `now` (in force or still to come), soonest first.
pub async fn current_closures(db: &Db, now: i64) -> sqlx::Result<Vec<Closure>> {
    let sql = "SELECT id, kind, district, starts_at, ends_at, note, declared_by, created_at FROM closures \
               WHERE ends_at IS NULL OR ends_at > $1 ORDER BY starts_at";
    let rows = sqlx::query(sql).bind(now).fetch_all(db.pool()).await?;
    rows.iter().map(row_to_closure).collect()
}

/// Closures overlapping `[from, to)`.
pub async fn closures_between(db: &Db, from: i64, to: i64) -> sqlx::Result<Vec<Closure>> {
    let sql = "SELECT id, kind, district, starts_at, ends_at, note, declared_by, created_at FROM closures \
               WHERE starts_at < $2 AND (ends_at IS NULL OR ends_at > $1) ORDER BY starts_at";
    let rows = sqlx::query(sql).bind(from).bind(to).fetch_all(db.pool()).await?;
    rows.iter().map(row_to_closure).collect()
}

pub async fn recent_closures(db: &Db, limit: i64) -> sqlx::Result<Vec<Closure>> {
    let sql = "SELECT id, kind, district, starts_at, ends_at, note, declared_by, created_at FROM closures \
               ORDER BY starts_at DESC LIMIT $1";
    let rows = sqlx::query(sql).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(row_to_closure).collect()
}

pub async fn closure(db: &Db, id: &str) -> sqlx::Result<Option<Closure>> {
    let row = sqlx::query(
        "SELECT id, kind, district, starts_at, ends_at, note, declared_by, created_at FROM closures WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(row_to_closure).transpose()
}

/// The topic published when a closure is declared (payload `{"id": closure id}`).
pub const CLOSURE_DECLARED: &str = "closure.declared";
