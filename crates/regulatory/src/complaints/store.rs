//! Complaints' SQL.

use kernel::db::Tx;

use super::Complaint;
use crate::premises::Premises;

pub const COLS: &str = "id, ref, premises_id, premises_text, district, category, description, anonymous, contact_email, \
contact_phone, lang, account, status, priority, group_id, inspection_id, outcome, outcome_note, triaged_by, closed_at, \
created_at, updated_at";

pub async fn insert(tx: &mut Tx, c: &Complaint) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_complaints (id, ref, premises_id, premises_text, district, category, description, anonymous, \
         contact_email, contact_phone, lang, account, status, priority, group_id, inspection_id, outcome, outcome_note, \
         triaged_by, closed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
    )
    .bind(&c.id)
    .bind(&c.reference)
    .bind(&c.premises_id)
    .bind(&c.premises_text)
    .bind(&c.district)
    .bind(&c.category)
    .bind(&c.description)
    .bind(c.anonymous)
    .bind(&c.contact_email)
    .bind(&c.contact_phone)
    .bind(&c.lang)
    .bind(&c.account)
    .bind(&c.status)
    .bind(c.priority)
    .bind(&c.group_id)
    .bind(&c.inspection_id)
    .bind(&c.outcome)
    .bind(&c.outcome_note)
    .bind(&c.triaged_by)
    .bind(c.closed_at)
    .bind(c.created_at)
    .bind(c.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn get(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Complaint>> {
    let sql = format!("SELECT {COLS} FROM reg_complaints WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await
}

pub async fn get_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<Complaint>> {
    let sql = format!("SELECT {COLS} FROM reg_complaints WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await
}

pub async fn by_ref(db: &kernel::Db, r: &str) -> sqlx::Result<Option<Complaint>> {
    let sql = format!("SELECT {COLS} FROM reg_complaints WHERE ref = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(r).fetch_optional(db.pool()).await
}

pub async fn by_ref_in(tx: &mut Tx, r: &str) -> sqlx::Result<Option<Complaint>> {
    let sql = format!("SELECT {COLS} FROM reg_complaints WHERE ref = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(r).fetch_optional(&mut **tx).await
}

pub async fn ref_taken(tx: &mut Tx, r: &str) -> sqlx::Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reg_complaints WHERE ref = $1").bind(r).fetch_one(&mut **tx).await?;
    Ok(n > 0)
}

/// The oldest open complaint about a premises other than `except` (the group a new one joins).
pub async fn open_on_premises(tx: &mut Tx, premises: &str, except: &str) -> sqlx::Result<Option<Complaint>> {
    let sql = format!(
        "SELECT {COLS} FROM reg_complaints WHERE premises_id = $1 AND id <> $2 \
         AND status IN ('received', 'triaged', 'inspection') ORDER BY created_at, id LIMIT 1"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(premises).bind(except).fetch_optional(&mut **tx).await
}

/// The complaints of a group, oldest first.
pub async fn group(db: &kernel::Db, group: &str) -> sqlx::Result<Vec<Complaint>> {
    let sql = format!("SELECT {COLS} FROM reg_complaints WHERE group_id = $1 OR id = $1 ORDER BY created_at, id");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(group).fetch_all(db.pool()).await
}

pub async fn group_in(tx: &mut Tx, group: &str) -> sqlx::Result<Vec<Complaint>> {
    let sql = format!("SELECT {COLS} FROM reg_complaints WHERE group_id = $1 OR id = $1 ORDER BY created_at, id");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(group).fetch_all(&mut **tx).await
}

/// Staff's list: filters by status, district and text (reference, premises, description).
pub async fn list(
    db: &kernel::Db,
    status: Option<&str>,
    district: Option<&str>,
    q: &str,
    limit: i64,
) -> sqlx::Result<Vec<Complaint>> {
    let cols = COLS.split(", ").map(|c| format!("c.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {cols} FROM reg_complaints c LEFT JOIN reg_premises p ON p.id = c.premises_id \
         WHERE ($1 = '' OR c.status = $1) AND ($2 = '' OR c.district = $2 OR p.district = $2) \
         AND ($3 = '' OR LOWER(c.ref) LIKE $3 OR LOWER(c.premises_text) LIKE $3 OR LOWER(c.description) LIKE $3 \
              OR LOWER(p.name_en) LIKE $3 OR p.name_zh LIKE $3) \
         ORDER BY COALESCE(c.group_id, c.id), c.created_at LIMIT $4"
    );
    let like = if q.trim().is_empty() { String::new() } else { format!("%{}%", q.trim().to_lowercase()) };
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(status.unwrap_or(""))
        .bind(district.unwrap_or(""))
        .bind(like)
        .bind(limit)
        .fetch_all(db.pool())
        .await
}

/// Premises of the register matching a name (EN or Chinese) and a district, for choosing.
pub async fn search_premises(db: &kernel::Db, q: &str, district: &str, limit: i64) -> sqlx::Result<Vec<Premises>> {
    let like = format!("%{}%", q.trim().to_lowercase());
    sqlx::query_as(
        "SELECT id, name_en, name_zh, address_en, address_zh, district, lat, lon, volume, created_at FROM reg_premises \
         WHERE (LOWER(name_en) LIKE $1 OR name_zh LIKE $1 OR LOWER(address_en) LIKE $1) AND ($2 = '' OR district = $2) \
         ORDER BY name_en, id LIMIT $3",
    )
    .bind(like)
    .bind(district.trim())
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// A premises' first active licence (for an inspection sent from a complaint).
pub async fn active_licence(tx: &mut Tx, premises: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT id FROM reg_licences WHERE premises_id = $1 AND status = 'active' ORDER BY issued_on, id LIMIT 1",
    )
    .bind(premises)
    .fetch_optional(&mut **tx)
    .await
}

/// Sets the premises (and the district, when none was given) of a complaint.
pub async fn set_premises(
    tx: &mut Tx,
    id: &str,
    premises: &str,
    district: &str,
    by: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reg_complaints SET premises_id = $2, district = COALESCE(district, $3), triaged_by = $4, updated_at = $5, \
         status = CASE WHEN status = 'received' THEN 'triaged' ELSE status END WHERE id = $1",
    )
    .bind(id)
    .bind(premises)
    .bind(district)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_group(tx: &mut Tx, id: &str, group: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE reg_complaints SET group_id = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(group)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves the other members of group `from` to group `to`.
pub async fn regroup(tx: &mut Tx, from: &str, to: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE reg_complaints SET group_id = $2, updated_at = $3 WHERE group_id = $1 AND id <> $1")
        .bind(from)
        .bind(to)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Triages an open complaint (received or triaged): its priority. False when it is not open
/// for triage any more.
pub async fn triage(tx: &mut Tx, id: &str, priority: i64, by: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE reg_complaints SET priority = $2, status = 'triaged', triaged_by = $3, updated_at = $4 \
         WHERE id = $1 AND status IN ('received', 'triaged')",
    )
    .bind(id)
    .bind(priority)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn reject(tx: &mut Tx, id: &str, reason: &str, by: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE reg_complaints SET status = 'rejected', outcome = 'rejected', outcome_note = $2, triaged_by = $3, \
         closed_at = $4, updated_at = $4 WHERE id = $1 AND status IN ('received', 'triaged')",
    )
    .bind(id)
    .bind(reason)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Puts the open (received or triaged) complaints of a group under an inspection.
pub async fn to_inspection(tx: &mut Tx, group: &str, inspection: &str, by: &str, now: i64) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "UPDATE reg_complaints SET status = 'inspection', inspection_id = $2, triaged_by = COALESCE(triaged_by, $3), \
         updated_at = $4 WHERE (group_id = $1 OR id = $1) AND status IN ('received', 'triaged')",
    )
    .bind(group)
    .bind(inspection)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// Closes the complaints waiting on an inspection, returning them.
pub async fn close_for_inspection(
    tx: &mut Tx,
    inspection: &str,
    outcome: &str,
    now: i64,
) -> sqlx::Result<Vec<Complaint>> {
    let sql = format!(
        "UPDATE reg_complaints SET status = 'closed', outcome = $2, closed_at = $3, updated_at = $3 \
         WHERE inspection_id = $1 AND status = 'inspection' RETURNING {COLS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(inspection).bind(outcome).bind(now).fetch_all(&mut **tx).await
}
