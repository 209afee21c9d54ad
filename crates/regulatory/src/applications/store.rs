//! Applications' SQL.

use kernel::db::Tx;

use super::{Application, Document};

const COLS: &str = "id, case_ref, kind, type_code, account, licence_id, status, data, fee_cents, payment_ref, paid_at, \
waiting_for, created_at, submitted_at, decided_at, updated_at, revision, process_seq";

pub async fn insert(tx: &mut Tx, a: &Application) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_applications (id, case_ref, kind, type_code, account, licence_id, status, data, fee_cents, \
         payment_ref, paid_at, waiting_for, created_at, submitted_at, decided_at, updated_at, revision) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(&a.id)
    .bind(&a.case_ref)
    .bind(&a.kind)
    .bind(&a.type_code)
    .bind(&a.account)
    .bind(&a.licence_id)
    .bind(&a.status)
    .bind(&a.data)
    .bind(a.fee_cents)
    .bind(&a.payment_ref)
    .bind(a.paid_at)
    .bind(&a.waiting_for)
    .bind(a.created_at)
    .bind(a.submitted_at)
    .bind(a.decided_at)
    .bind(a.updated_at)
    .bind(a.revision)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn by_ref(db: &kernel::Db, case_ref: &str) -> sqlx::Result<Option<Application>> {
    let sql = format!("SELECT {COLS} FROM reg_applications WHERE case_ref = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case_ref).fetch_optional(db.pool()).await
}

pub async fn by_ref_in(tx: &mut Tx, case_ref: &str) -> sqlx::Result<Option<Application>> {
    let sql = format!("SELECT {COLS} FROM reg_applications WHERE case_ref = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case_ref).fetch_optional(&mut **tx).await
}

pub async fn of_account(db: &kernel::Db, account: &str) -> sqlx::Result<Vec<Application>> {
    let sql = format!("SELECT {COLS} FROM reg_applications WHERE account = $1 ORDER BY updated_at DESC");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account).fetch_all(db.pool()).await
}

/// Applications in a status (staff lists), newest first.
pub async fn in_status(db: &kernel::Db, statuses: &[&str], limit: i64) -> sqlx::Result<Vec<Application>> {
    let marks: Vec<String> = (0..statuses.len()).map(|i| format!("${}", i + 1)).collect();
    let sql = format!(
        "SELECT {COLS} FROM reg_applications WHERE status IN ({}) ORDER BY updated_at DESC LIMIT ${}",
        marks.join(", "),
        statuses.len() + 1
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for s in statuses {
        q = q.bind(*s);
    }
    q.bind(limit).fetch_all(db.pool()).await
}

/// Writes an application's changeable fields if its revision is still `revision`.
pub async fn update(tx: &mut Tx, a: &Application, revision: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE reg_applications SET status = $1, data = $2, fee_cents = $3, payment_ref = $4, paid_at = $5, \
         waiting_for = $6, submitted_at = $7, decided_at = $8, licence_id = $9, updated_at = $10, revision = revision + 1, \
         process_seq = $13 WHERE id = $11 AND revision = $12",
    )
    .bind(&a.status)
    .bind(&a.data)
    .bind(a.fee_cents)
    .bind(&a.payment_ref)
    .bind(a.paid_at)
    .bind(&a.waiting_for)
    .bind(a.submitted_at)
    .bind(a.decided_at)
    .bind(&a.licence_id)
    .bind(a.updated_at)
    .bind(&a.id)
    .bind(revision)
    .bind(a.process_seq)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_document(tx: &mut Tx, d: &Document) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_application_documents (id, application_id, requirement, file_key, file_name, media_type, \
         size_bytes, sha256, ocr_status, ocr_text, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&d.id)
    .bind(&d.application_id)
    .bind(&d.requirement)
    .bind(&d.file_key)
    .bind(&d.file_name)
    .bind(&d.media_type)
    .bind(d.size_bytes)
    .bind(&d.sha256)
    .bind(&d.ocr_status)
    .bind(&d.ocr_text)
    .bind(d.uploaded_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes the earlier uploads for a requirement (a new upload replaces them); their file keys.
pub async fn replace_documents(tx: &mut Tx, application: &str, requirement: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "DELETE FROM reg_application_documents WHERE application_id = $1 AND requirement = $2 RETURNING file_key",
    )
    .bind(application)
    .bind(requirement)
    .fetch_all(&mut **tx)
    .await
}

pub async fn documents(db: &kernel::Db, application: &str) -> sqlx::Result<Vec<Document>> {
    sqlx::query_as(
        "SELECT id, application_id, requirement, file_key, file_name, media_type, size_bytes, sha256, ocr_status, \
         ocr_text, uploaded_at FROM reg_application_documents WHERE application_id = $1 ORDER BY uploaded_at",
    )
    .bind(application)
    .fetch_all(db.pool())
    .await
}

pub async fn document(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Document>> {
    sqlx::query_as(
        "SELECT id, application_id, requirement, file_key, file_name, media_type, size_bytes, sha256, ocr_status, \
         ocr_text, uploaded_at FROM reg_application_documents WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await
}

pub async fn count(db: &kernel::Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM reg_applications").fetch_one(db.pool()).await
}
