//! Day plans' SQL: the open inspections to plan and their assignments.

use kernel::db::Tx;

/// An open inspection with what the planner needs: its premises' coordinates and the skill of
/// its licence's type (the licence type's JSON definition, empty when there is no licence).
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct OpenVisit {
    pub id: String,
    pub priority: i64,
    pub window_start: String,
    pub window_end: String,
    pub lat: f64,
    pub lon: f64,
    pub definition: String,
}

/// Inspections due or planned, due on or before `date` (YYYY-MM-DD).
pub async fn open_visits(tx: &mut Tx, date: &str) -> sqlx::Result<Vec<OpenVisit>> {
    sqlx::query_as(
        "SELECT i.id, i.priority, i.window_start, i.window_end, p.lat, p.lon, COALESCE(t.definition, '') AS definition \
         FROM reg_inspections i JOIN reg_premises p ON p.id = i.premises_id \
         LEFT JOIN reg_licences l ON l.id = i.licence_id \
         LEFT JOIN reg_licence_types t ON t.code = l.type_code \
         WHERE i.status IN ('due', 'planned') AND i.due_on <= $1 ORDER BY i.id",
    )
    .bind(date)
    .fetch_all(&mut **tx)
    .await
}

/// Assigns an inspection to an inspector on `date`.
pub async fn assign(tx: &mut Tx, id: &str, inspector: &str, date: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reg_inspections SET inspector = $2, planned_on = $3, status = 'planned' \
         WHERE id = $1 AND status IN ('due', 'planned')",
    )
    .bind(id)
    .bind(inspector)
    .bind(date)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes an inspection out of any plan (back to due).
pub async fn unassign(tx: &mut Tx, id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reg_inspections SET inspector = NULL, planned_on = NULL, status = 'due' \
         WHERE id = $1 AND status = 'planned'",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An inspector's planned inspections on `date`.
pub async fn planned_for(db: &kernel::Db, inspector: &str, date: &str) -> sqlx::Result<Vec<OpenVisit>> {
    sqlx::query_as(
        "SELECT i.id, i.priority, i.window_start, i.window_end, p.lat, p.lon, COALESCE(t.definition, '') AS definition \
         FROM reg_inspections i JOIN reg_premises p ON p.id = i.premises_id \
         LEFT JOIN reg_licences l ON l.id = i.licence_id \
         LEFT JOIN reg_licence_types t ON t.code = l.type_code \
         WHERE i.status = 'planned' AND i.inspector = $1 AND i.planned_on = $2 ORDER BY i.id",
    )
    .bind(inspector)
    .bind(date)
    .fetch_all(db.pool())
    .await
}

/// The `n` premises nearest to a point (squared degrees: enough to rank nearby premises).
pub async fn nearest_premises(db: &kernel::Db, lat: f64, lon: f64, n: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM reg_premises ORDER BY (lat - $1) * (lat - $1) + (lon - $2) * (lon - $2), id LIMIT $3",
    )
    .bind(lat)
    .bind(lon)
    .bind(n)
    .fetch_all(db.pool())
    .await
}

/// How many inspections a source reference asked for.
pub async fn count_by_source(db: &kernel::Db, source: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM reg_inspections WHERE source_ref = $1")
        .bind(source)
        .fetch_one(db.pool())
        .await
}

/// How many complaints there are (the demo seeds its complaints once).
pub async fn count_complaints(db: &kernel::Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM reg_complaints").fetch_one(db.pool()).await
}
