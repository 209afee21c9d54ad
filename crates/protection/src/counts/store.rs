//! SQL of the weekly counts and the delay counts, kept in step with every change of a case.

use kernel::db::{Db, Tx, rows_per_statement, values_placeholders};
use sqlx::{AssertSqlSafe, Row};

use super::delays::DelayCell;
use super::weeks::Cell;

/// Applies summed deltas to the weekly counts in one statement per chunk.
pub async fn apply_deltas(tx: &mut Tx, deltas: &[(Cell, i64)]) -> sqlx::Result<()> {
    for chunk in deltas.chunks(rows_per_statement(6)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_weekly_counts (disease, week_start, iso_week, district, classification, n) VALUES {} \
             ON CONFLICT (disease, week_start, district, classification) \
             DO UPDATE SET n = protection_weekly_counts.n + excluded.n",
            values_placeholders(chunk.len(), 6)
        )));
        for (c, n) in chunk {
            q = q
                .bind(&c.disease)
                .bind(&c.week_start)
                .bind(&c.iso_week)
                .bind(&c.district)
                .bind(&c.classification)
                .bind(*n);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Every non-zero cell of the weekly counts.
pub async fn weekly_counts(db: &Db, disease: Option<&str>) -> sqlx::Result<Vec<(Cell, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, week_start, iso_week, district, classification, n FROM protection_weekly_counts \
         WHERE n <> 0 AND ($1 IS NULL OR disease = $1) ORDER BY disease, week_start, district, classification",
    )
    .bind(disease)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                Cell {
                    disease: r.try_get("disease")?,
                    week_start: r.try_get("week_start")?,
                    iso_week: r.try_get("iso_week")?,
                    district: r.try_get("district")?,
                    classification: r.try_get("classification")?,
                },
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Cases per (disease, report date, district, classification), counted from the cases
/// themselves (to check the weekly counts).
pub async fn case_day_counts(db: &Db) -> sqlx::Result<Vec<(String, String, String, String, i64)>> {
    let mut conn = db.pool().acquire().await?;
    case_day_counts_on(&mut conn).await
}

/// The same, inside a transaction.
pub async fn case_day_counts_in(tx: &mut Tx) -> sqlx::Result<Vec<(String, String, String, String, i64)>> {
    case_day_counts_on(tx).await
}

async fn case_day_counts_on(
    conn: &mut sqlx::AnyConnection,
) -> sqlx::Result<Vec<(String, String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, notified_date, district, classification, COUNT(*) AS n FROM protection_cases \
         GROUP BY disease, notified_date, district, classification",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("disease")?,
                r.try_get("notified_date")?,
                r.try_get("district")?,
                r.try_get("classification")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Cases with a notification in the last `days` days, by classification (overview page).
pub async fn recent_counts(db: &Db, since: &str) -> sqlx::Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, classification, CAST(SUM(n) AS BIGINT) AS n FROM protection_weekly_counts WHERE week_start >= $1 \
         GROUP BY disease, classification HAVING SUM(n) <> 0 ORDER BY disease",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("disease")?, r.try_get("classification")?, r.try_get("n")?))).collect()
}

/// Rewrites the weekly counts from the cases (repair after a manual data fix).
pub async fn rebuild_weekly_counts(tx: &mut Tx, cells: &[(Cell, i64)]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM protection_weekly_counts").execute(&mut **tx).await?;
    apply_deltas(tx, cells).await
}

/// Applies summed delay deltas in one statement per chunk.
pub async fn apply_delay_deltas(tx: &mut Tx, deltas: &[(DelayCell, i64)]) -> sqlx::Result<()> {
    for chunk in deltas.chunks(rows_per_statement(6)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_delay_counts (disease, week_start, classification, kind, delay_days, n) VALUES {} \
             ON CONFLICT (disease, week_start, classification, kind, delay_days) \
             DO UPDATE SET n = protection_delay_counts.n + excluded.n",
            values_placeholders(chunk.len(), 6)
        )));
        for (c, n) in chunk {
            q = q.bind(&c.disease).bind(&c.week_start).bind(&c.classification).bind(c.kind).bind(c.days).bind(*n);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Records `day` as the case's first follow-up day if it has none or a later one.
pub async fn set_first_followup(tx: &mut Tx, case_id: &str, day: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE protection_cases SET first_followup_date = $2 WHERE id = $1 \
         AND (first_followup_date IS NULL OR first_followup_date > $2)",
    )
    .bind(case_id)
    .bind(day)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Every non-zero cell of the delay counts.
pub async fn delay_counts(db: &Db) -> sqlx::Result<Vec<(DelayCell, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, week_start, classification, kind, delay_days, n FROM protection_delay_counts WHERE n <> 0",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok((
                DelayCell {
                    disease: r.try_get("disease")?,
                    week_start: r.try_get("week_start")?,
                    classification: r.try_get("classification")?,
                    kind: if kind == super::delays::ONSET_TO_NOTIFICATION {
                        super::delays::ONSET_TO_NOTIFICATION
                    } else {
                        super::delays::NOTIFICATION_TO_FOLLOWUP
                    },
                    days: r.try_get("delay_days")?,
                },
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// The cases grouped by what their delays depend on (to recount the delay counts):
/// (disease, notified, district, classification, onset, first follow-up, cases).
pub type CaseTimesRow = (String, String, String, String, Option<String>, Option<String>, i64);

async fn case_times_on(conn: &mut sqlx::AnyConnection) -> sqlx::Result<Vec<CaseTimesRow>> {
    let rows = sqlx::query(
        "SELECT disease, notified_date, district, classification, onset_date, first_followup_date, COUNT(*) AS n \
         FROM protection_cases WHERE onset_date IS NOT NULL OR first_followup_date IS NOT NULL \
         GROUP BY disease, notified_date, district, classification, onset_date, first_followup_date",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("disease")?,
                r.try_get("notified_date")?,
                r.try_get("district")?,
                r.try_get("classification")?,
                r.try_get("onset_date")?,
                r.try_get("first_followup_date")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

pub async fn case_times(db: &Db) -> sqlx::Result<Vec<CaseTimesRow>> {
    let mut conn = db.pool().acquire().await?;
    case_times_on(&mut conn).await
}

pub async fn case_times_in(tx: &mut Tx) -> sqlx::Result<Vec<CaseTimesRow>> {
    case_times_on(tx).await
}

/// Cases whose recorded first follow-up day differs from their contacts' follow-ups.
pub async fn stale_first_followups(db: &Db) -> sqlx::Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM protection_cases c WHERE COALESCE(c.first_followup_date, '') <> COALESCE((SELECT MIN(f.day) \
         FROM protection_followups f JOIN protection_contacts ct ON ct.id = f.contact_id WHERE ct.case_id = c.id), '')",
    )
    .fetch_one(db.pool())
    .await?;
    r.try_get("n")
}

/// Rewrites every case's first follow-up day from the follow-up records, then the delay counts.
pub async fn rebuild_delay_counts(tx: &mut Tx, cells: &[(DelayCell, i64)]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM protection_delay_counts").execute(&mut **tx).await?;
    apply_delay_deltas(tx, cells).await
}

pub async fn refresh_first_followups(tx: &mut Tx) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE protection_cases SET first_followup_date = (SELECT MIN(f.day) FROM protection_followups f \
         JOIN protection_contacts ct ON ct.id = f.contact_id WHERE ct.case_id = protection_cases.id)",
    )
    .execute(&mut **tx)
    .await?
    .rows_affected())
}
