//! SQL of need-to-know assignments.

use kernel::db::{Db, Tx};
use sqlx::Row;

use super::Assignment;

pub async fn is_assigned(db: &Db, staff_id: &str, case_id: &str, cluster_id: Option<&str>) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "SELECT 1 AS x FROM protection_assignments WHERE staff_id = $1 AND ended_at IS NULL \
         AND ((subject_type = 'case' AND subject_id = $2) OR (subject_type = 'cluster' AND subject_id = $3)) LIMIT 1",
    )
    .bind(staff_id)
    .bind(case_id)
    .bind(cluster_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.is_some())
}

pub async fn assign(tx: &mut Tx, staff_id: &str, subject_type: &str, subject_id: &str, by: &str) -> sqlx::Result<bool> {
    let existing = sqlx::query(
        "SELECT 1 AS x FROM protection_assignments WHERE staff_id = $1 AND subject_type = $2 AND subject_id = $3 AND ended_at IS NULL",
    )
    .bind(staff_id)
    .bind(subject_type)
    .bind(subject_id)
    .fetch_optional(&mut **tx)
    .await?;
    if existing.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO protection_assignments (id, staff_id, subject_type, subject_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(kernel::new_id())
    .bind(staff_id)
    .bind(subject_type)
    .bind(subject_id)
    .bind(by)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

pub async fn end_assignment(tx: &mut Tx, id: &str) -> sqlx::Result<Option<(String, String, String)>> {
    let r = sqlx::query(
        "UPDATE protection_assignments SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL RETURNING staff_id, subject_type, subject_id",
    )
    .bind(id)
    .bind(kernel::now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| Ok((r.try_get("staff_id")?, r.try_get("subject_type")?, r.try_get("subject_id")?))).transpose()
}

/// Active assignments, optionally of one subject.
pub async fn assignments(db: &Db, subject: Option<(&str, &str)>) -> sqlx::Result<Vec<Assignment>> {
    sqlx::query_as::<_, Assignment>(
        "SELECT a.id, a.staff_id, COALESCE(s.display_name, a.staff_id) AS staff_name, a.subject_type, a.subject_id, \
         COALESCE(c.reference, cl.reference, a.subject_id) AS subject_reference, COALESCE(b.display_name, a.assigned_by) AS assigned_by, \
         a.assigned_at FROM protection_assignments a LEFT JOIN staff_users s ON s.id = a.staff_id \
         LEFT JOIN staff_users b ON b.id = a.assigned_by \
         LEFT JOIN protection_cases c ON a.subject_type = 'case' AND c.id = a.subject_id \
         LEFT JOIN protection_clusters cl ON a.subject_type = 'cluster' AND cl.id = a.subject_id \
         WHERE a.ended_at IS NULL AND ($1 IS NULL OR (a.subject_type = $1 AND a.subject_id = $2)) \
         ORDER BY a.assigned_at DESC",
    )
    .bind(subject.map(|s| s.0))
    .bind(subject.map(|s| s.1))
    .fetch_all(db.pool())
    .await
}

/// The case with `reference` as a subject to assign: (id, person id).
pub async fn case_subject(db: &Db, reference: &str) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT id, person_id FROM protection_cases WHERE reference = $1")
        .bind(reference)
        .fetch_optional(db.pool())
        .await
}
