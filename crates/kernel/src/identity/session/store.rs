//! SQL of `sessions`.

use sqlx::Row;

use super::{Holder, SessionRow, SessionWithHolder};
use crate::db::{Db, Tx};

pub async fn insert(
    tx: &mut Tx,
    id_hash: &str,
    kind: &str,
    subject_id: &str,
    now: i64,
    expires_at: i64,
    ip: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, kind, subject_id, created_at, last_seen_at, expires_at, ip) VALUES ($1, $2, $3, $4, $4, $5, $6)",
    )
    .bind(id_hash)
    .bind(kind)
    .bind(subject_id)
    .bind(now)
    .bind(expires_at)
    .bind(ip)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn by_hash(db: &Db, id_hash: &str) -> sqlx::Result<Option<SessionRow>> {
    let row = sqlx::query(
        "SELECT id_hash, kind, subject_id, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(session_row).transpose()
}

/// The session with who holds it, in one query: this runs on every signed-in request. It is the
/// one place outside `people` that reads `citizens` (the four name and contact columns, for the
/// display name): a second query per request cost about a fifth of the booking surge's
/// throughput (docs/benchmarks.md).
pub async fn with_holder(db: &Db, id_hash: &str) -> sqlx::Result<Option<SessionWithHolder>> {
    let row = sqlx::query(
        "SELECT s.id_hash, s.kind, s.subject_id, s.created_at, s.last_seen_at, s.expires_at, \
         u.email AS u_email, u.display_name AS u_name, u.roles AS u_roles, u.status AS u_status, \
         c.id AS c_id, c.name_en AS c_en, c.name_zh AS c_zh, c.email AS c_email, c.phone AS c_phone \
         FROM sessions s \
         LEFT JOIN staff_users u ON s.kind = 'staff' AND u.id = s.subject_id \
         LEFT JOIN citizens c ON s.kind <> 'staff' AND c.id = s.subject_id \
         WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let text = |col: &str| -> sqlx::Result<String> { Ok(r.try_get::<Option<String>, _>(col)?.unwrap_or_default()) };
    let holder = if let Some(status) = r.try_get::<Option<String>, _>("u_status")? {
        Holder::Staff(text("u_email")?, text("u_name")?, text("u_roles")?, status)
    } else if r.try_get::<Option<String>, _>("c_id")?.is_some() {
        Holder::Citizen(crate::people::display_name(
            &text("c_en")?,
            &text("c_zh")?,
            r.try_get("c_email")?,
            r.try_get("c_phone")?,
        ))
    } else {
        Holder::Gone
    };
    Ok(Some(SessionWithHolder { session: session_row(&r)?, holder }))
}

/// The session columns of a row (`id_hash, kind, subject_id, created_at, last_seen_at,
/// expires_at`), e.g. of a query that also joins who the session belongs to.
fn session_row(r: &sqlx::any::AnyRow) -> sqlx::Result<SessionRow> {
    Ok(SessionRow {
        id_hash: r.try_get("id_hash")?,
        kind: r.try_get("kind")?,
        subject_id: r.try_get("subject_id")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

/// Deletes a session (a write in the writers' turn: see `Db::write`).
pub async fn delete(db: &Db, id_hash: &str) -> sqlx::Result<()> {
    db.write(sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash)).await?;
    Ok(())
}

/// Deletes a session straight on the pool (sign-out).
pub async fn delete_unqueued(db: &Db, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(db.pool()).await?;
    Ok(())
}

pub async fn touch(db: &Db, id_hash: &str, now: i64) -> sqlx::Result<()> {
    db.write(sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(id_hash)).await?;
    Ok(())
}

pub async fn delete_all_for(tx: &mut Tx, subject_id: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE subject_id = $1")
        .bind(subject_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

pub async fn delete_expired(db: &Db, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(db.pool()).await?.rows_affected())
}
