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

pub async fn get_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<Inspection>> {
    let sql = format!("SELECT {COLS} FROM reg_inspections WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await
}

/// The inspection a client's submission id recorded, if any.
pub async fn by_submission(db: &kernel::Db, submission: &str) -> sqlx::Result<Option<Inspection>> {
    let sql = format!("SELECT {COLS} FROM reg_inspections WHERE submission_id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(submission).fetch_optional(db.pool()).await
}

/// The licence type code of an inspection's licence (or of the premises' first licence).
pub async fn licence_type(db: &kernel::Db, i: &Inspection) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT type_code FROM reg_licences WHERE id = $1 OR (premises_id = $2 AND $1 = '') ORDER BY issued_on LIMIT 1",
    )
    .bind(i.licence_id.as_deref().unwrap_or(""))
    .bind(&i.premises_id)
    .fetch_optional(db.pool())
    .await
}

/// How an outcome was recorded, beside the inspection.
#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct Recording {
    pub submission_id: Option<String>,
    pub signed_by: Option<String>,
    pub signature_key: Option<String>,
    pub late_reason: Option<String>,
}

pub async fn recording(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Recording>> {
    sqlx::query_as("SELECT submission_id, signed_by, signature_key, late_reason FROM reg_inspections WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

/// What recording an outcome writes.
pub struct Done<'a> {
    pub id: &'a str,
    pub outcome: &'a str,
    pub findings: &'a str,
    pub by: &'a str,
    pub at: i64,
    pub publish_after: &'a str,
    pub submission_id: Option<&'a str>,
    pub signed_by: &'a str,
    pub signature_key: Option<&'a str>,
    pub late_reason: Option<&'a str>,
}

/// Records the outcome of an open (due or planned) inspection; false when it is not open.
pub async fn record(tx: &mut Tx, d: &Done<'_>) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE reg_inspections SET status = 'done', outcome = $2, findings = $3, done_by = $4, done_at = $5, \
         publish_after = $6, submission_id = $7, signed_by = $8, signature_key = $9, late_reason = $10 \
         WHERE id = $1 AND status IN ('due', 'planned')",
    )
    .bind(d.id)
    .bind(d.outcome)
    .bind(d.findings)
    .bind(d.by)
    .bind(d.at)
    .bind(d.publish_after)
    .bind(d.submission_id)
    .bind(d.signed_by)
    .bind(d.signature_key)
    .bind(d.late_reason)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A photo taken during an inspection (bytes in the kernel file store).
#[derive(Clone, Debug, PartialEq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Photo {
    pub id: String,
    pub inspection_id: String,
    #[serde(skip)]
    pub file_key: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

pub async fn insert_photo(tx: &mut Tx, p: &Photo) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_inspection_photos (id, inspection_id, file_key, file_name, media_type, size_bytes, sha256, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&p.id)
    .bind(&p.inspection_id)
    .bind(&p.file_key)
    .bind(&p.file_name)
    .bind(&p.media_type)
    .bind(p.size_bytes)
    .bind(&p.sha256)
    .bind(&p.uploaded_by)
    .bind(p.uploaded_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn photos(db: &kernel::Db, inspection: &str) -> sqlx::Result<Vec<Photo>> {
    sqlx::query_as(
        "SELECT id, inspection_id, file_key, file_name, media_type, size_bytes, sha256, uploaded_by, uploaded_at \
         FROM reg_inspection_photos WHERE inspection_id = $1 ORDER BY uploaded_at, id",
    )
    .bind(inspection)
    .fetch_all(db.pool())
    .await
}

pub async fn photo(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Photo>> {
    sqlx::query_as(
        "SELECT id, inspection_id, file_key, file_name, media_type, size_bytes, sha256, uploaded_by, uploaded_at \
         FROM reg_inspection_photos WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await
}

/// An enforcement case note on a premises.
#[derive(Clone, Debug, PartialEq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EnforcementNote {
    pub id: String,
    pub premises_id: String,
    pub inspection_id: Option<String>,
    /// prosecution_referral or warning.
    pub kind: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

pub async fn insert_note(tx: &mut Tx, n: &EnforcementNote) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_enforcement_notes (id, premises_id, inspection_id, kind, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&n.id)
    .bind(&n.premises_id)
    .bind(&n.inspection_id)
    .bind(&n.kind)
    .bind(&n.note)
    .bind(&n.created_by)
    .bind(n.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A premises' enforcement case notes, latest first (for the premises page).
pub async fn notes_of_premises(db: &kernel::Db, premises: &str) -> sqlx::Result<Vec<EnforcementNote>> {
    sqlx::query_as(
        "SELECT id, premises_id, inspection_id, kind, note, created_by, created_at FROM reg_enforcement_notes \
         WHERE premises_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(premises)
    .fetch_all(db.pool())
    .await
}

/// An inspector's open inspections from `from` (YYYY-MM-DD) on, by day (planned day, else due
/// day), with the premises' name and address.
pub async fn mine(
    db: &kernel::Db,
    inspector: &str,
    from: &str,
    limit: i64,
) -> sqlx::Result<Vec<(Inspection, String, String, String, String)>> {
    let cols = COLS.split(", ").map(|c| format!("i.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {cols}, p.name_en, p.name_zh, p.address_en, p.address_zh FROM reg_inspections i \
         JOIN reg_premises p ON p.id = i.premises_id \
         WHERE i.inspector = $1 AND i.status IN ('due', 'planned') AND COALESCE(i.planned_on, i.due_on) >= $2 \
         ORDER BY COALESCE(i.planned_on, i.due_on), i.window_start, i.priority, i.id LIMIT $3"
    );
    use sqlx::Row;
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(inspector).bind(from).bind(limit).fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let i = <Inspection as sqlx::FromRow<_>>::from_row(&r)?;
        out.push((i, r.try_get("name_en")?, r.try_get("name_zh")?, r.try_get("address_en")?, r.try_get("address_zh")?));
    }
    Ok(out)
}

/// References of the complaints waiting on an inspection (closed when its outcome is recorded).
pub async fn complaint_refs_waiting(tx: &mut Tx, inspection: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT ref FROM reg_complaints WHERE inspection_id = $1 AND status = 'inspection' ORDER BY ref")
        .bind(inspection)
        .fetch_all(&mut **tx)
        .await
}
