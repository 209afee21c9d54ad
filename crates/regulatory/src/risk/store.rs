//! Risk scores' SQL: the weights and their history, the signals a score is computed from (one
//! premises or all of them), the stored scores, and the due list.

use kernel::db::Tx;

use super::{StoredScore, WeightChange};

/// The current weights: (version, JSON), none when never changed (the defaults apply).
pub async fn current_weights(db: &kernel::Db) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as("SELECT version, weights FROM reg_risk_weights ORDER BY version DESC LIMIT 1")
        .fetch_optional(db.pool())
        .await
}

/// The changes, latest first.
pub async fn weight_history(db: &kernel::Db, limit: i64) -> sqlx::Result<Vec<WeightChange>> {
    sqlx::query_as(
        "SELECT version, weights, old_weights, changed_by, reason, changed_at FROM reg_risk_weights \
         ORDER BY version DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Records a new version; false when that version exists already (someone changed the weights
/// meanwhile).
pub async fn insert_weights(tx: &mut Tx, c: &WeightChange) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO reg_risk_weights (version, weights, old_weights, changed_by, reason, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (version) DO NOTHING",
    )
    .bind(c.version)
    .bind(&c.weights)
    .bind(&c.old_weights)
    .bind(&c.changed_by)
    .bind(&c.reason)
    .bind(c.changed_at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A premises' volume (none when there is no such premises).
pub async fn volume(db: &kernel::Db, premises: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT volume FROM reg_premises WHERE id = $1").bind(premises).fetch_optional(db.pool()).await
}

/// Every premises' id and volume.
pub async fn all_volumes(db: &kernel::Db) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT id, volume FROM reg_premises ORDER BY id").fetch_all(db.pool()).await
}

/// The licences of one premises' licences, or of all when `None`.
pub async fn licences(db: &kernel::Db, premises: Option<&str>) -> sqlx::Result<Vec<LicenceSignal>> {
    match premises {
        Some(p) => {
            sqlx::query_as("SELECT premises_id, id, type_code, status FROM reg_licences WHERE premises_id = $1")
                .bind(p)
                .fetch_all(db.pool())
                .await
        }
        None => {
            sqlx::query_as("SELECT premises_id, id, type_code, status FROM reg_licences").fetch_all(db.pool()).await
        }
    }
}

/// A licence as a risk signal.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LicenceSignal {
    pub premises_id: String,
    pub id: String,
    pub type_code: String,
    pub status: String,
}

/// (premises, done_at, outcome) of done inspections, of one premises or all.
pub async fn done_inspections(
    db: &kernel::Db,
    premises: Option<&str>,
) -> sqlx::Result<Vec<(String, i64, Option<String>)>> {
    let base =
        "SELECT premises_id, done_at, outcome FROM reg_inspections WHERE status = 'done' AND done_at IS NOT NULL";
    match premises {
        Some(p) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{base} AND premises_id = $1")))
                .bind(p)
                .fetch_all(db.pool())
                .await
        }
        None => sqlx::query_as(base).fetch_all(db.pool()).await,
    }
}

/// Complaints received since `since` (ms) and not rejected, per premises (of one or all).
pub async fn complaint_counts(db: &kernel::Db, premises: Option<&str>, since: i64) -> sqlx::Result<Vec<(String, i64)>> {
    let base = "SELECT premises_id, COUNT(*) FROM reg_complaints WHERE premises_id IS NOT NULL \
                AND status <> 'rejected' AND created_at >= $1";
    match premises {
        Some(p) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{base} AND premises_id = $2 GROUP BY premises_id")))
                .bind(since)
                .bind(p)
                .fetch_all(db.pool())
                .await
        }
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{base} GROUP BY premises_id")))
                .bind(since)
                .fetch_all(db.pool())
                .await
        }
    }
}

const SCORE_COLS: usize = 9;

/// Writes scores (insert or replace), in statements that keep under the bind limit.
pub async fn upsert_scores(tx: &mut Tx, scores: &[StoredScore]) -> sqlx::Result<()> {
    for chunk in scores.chunks(kernel::db::rows_per_statement(SCORE_COLS)) {
        let sql = format!(
            "INSERT INTO reg_risk_scores (premises_id, total, band, frequency_months, last_inspection_on, next_due_on, \
             factors, weights_version, computed_at) VALUES {} ON CONFLICT (premises_id) DO UPDATE SET \
             total = excluded.total, band = excluded.band, frequency_months = excluded.frequency_months, \
             last_inspection_on = excluded.last_inspection_on, next_due_on = excluded.next_due_on, \
             factors = excluded.factors, weights_version = excluded.weights_version, computed_at = excluded.computed_at",
            kernel::db::values_placeholders(chunk.len(), SCORE_COLS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in chunk {
            q = q
                .bind(&s.premises_id)
                .bind(s.total)
                .bind(&s.band)
                .bind(s.frequency_months)
                .bind(&s.last_inspection_on)
                .bind(&s.next_due_on)
                .bind(serde_json::to_string(&s.factors).unwrap_or_else(|_| "[]".into()))
                .bind(s.weights_version)
                .bind(s.computed_at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ScoreRow {
    premises_id: String,
    total: f64,
    band: String,
    frequency_months: i64,
    last_inspection_on: Option<String>,
    next_due_on: String,
    factors: String,
    weights_version: i64,
    computed_at: i64,
}

impl From<ScoreRow> for StoredScore {
    fn from(r: ScoreRow) -> Self {
        StoredScore {
            premises_id: r.premises_id,
            total: r.total,
            band: r.band,
            frequency_months: r.frequency_months,
            last_inspection_on: r.last_inspection_on,
            next_due_on: r.next_due_on,
            factors: serde_json::from_str(&r.factors).unwrap_or_default(),
            weights_version: r.weights_version,
            computed_at: r.computed_at,
        }
    }
}

pub async fn score(db: &kernel::Db, premises: &str) -> sqlx::Result<Option<StoredScore>> {
    let row: Option<ScoreRow> = sqlx::query_as(
        "SELECT premises_id, total, band, frequency_months, last_inspection_on, next_due_on, factors, weights_version, \
         computed_at FROM reg_risk_scores WHERE premises_id = $1",
    )
    .bind(premises)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(StoredScore::from))
}

/// Premises (of `among`) that have an inspection due or planned.
pub async fn with_open_inspection(tx: &mut Tx, among: &[String]) -> sqlx::Result<Vec<String>> {
    let mut out = vec![];
    for chunk in among.chunks(kernel::db::MAX_BINDS) {
        let sql = format!(
            "SELECT DISTINCT premises_id FROM reg_inspections WHERE status IN ('due', 'planned') AND premises_id IN ({})",
            kernel::db::list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for p in chunk {
            q = q.bind(p);
        }
        out.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// One row of the due list.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DueRow {
    pub id: String,
    pub premises_id: String,
    pub name_en: String,
    pub name_zh: String,
    pub district: String,
    pub kind: String,
    pub priority: i64,
    pub due_on: String,
    pub status: String,
    pub band: Option<String>,
    pub total: Option<f64>,
}

/// Inspections due (not yet planned), soonest and most urgent first, with the premises' band;
/// and how many there are.
pub async fn due_list(
    db: &kernel::Db,
    district: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<DueRow>, i64)> {
    let filter = if district.is_some() { " AND p.district = $1" } else { " AND $1 = ''" };
    let from = format!(
        "FROM reg_inspections i JOIN reg_premises p ON p.id = i.premises_id \
         LEFT JOIN reg_risk_scores s ON s.premises_id = i.premises_id WHERE i.status = 'due'{filter}"
    );
    let d = district.unwrap_or("");
    let total: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}"))).bind(d).fetch_one(db.pool()).await?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT i.id, i.premises_id, p.name_en, p.name_zh, p.district, i.kind, i.priority, i.due_on, i.status, \
         s.band, s.total {from} ORDER BY i.due_on, i.priority, COALESCE(s.total, 0) DESC, i.id LIMIT $2 OFFSET $3"
    )))
    .bind(d)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok((rows, total))
}
