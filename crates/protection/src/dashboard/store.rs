//! SQL of the dashboard's aggregates over the weekly counts and the delay counts.

use kernel::db::Db;
use sqlx::Row;

/// Weekly counts summed over diseases (or one), per week, district and classification, for
/// report weeks from `from` to `to` (Mondays, inclusive).
pub async fn week_district_sums(
    db: &Db,
    from: &str,
    to: &str,
    disease: Option<&str>,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT week_start, district, classification, CAST(SUM(n) AS BIGINT) AS n FROM protection_weekly_counts \
         WHERE week_start >= $1 AND week_start <= $2 AND ($3 IS NULL OR disease = $3) \
         GROUP BY week_start, district, classification HAVING SUM(n) <> 0",
    )
    .bind(from)
    .bind(to)
    .bind(disease)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("week_start")?, r.try_get("district")?, r.try_get("classification")?, r.try_get("n")?)))
        .collect()
}

/// Weekly counts per disease and classification in one report week (one district or all).
pub async fn disease_sums(db: &Db, week: &str, district: Option<&str>) -> sqlx::Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, classification, CAST(SUM(n) AS BIGINT) AS n FROM protection_weekly_counts \
         WHERE week_start = $1 AND ($2 IS NULL OR district = $2) GROUP BY disease, classification HAVING SUM(n) <> 0",
    )
    .bind(week)
    .bind(district)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("disease")?, r.try_get("classification")?, r.try_get("n")?))).collect()
}

/// Delay histograms per disease, classification and kind over report weeks `from`..=`to`, all
/// districts:
/// (disease, classification, kind, days, cases).
pub async fn delay_sums(
    db: &Db,
    from: &str,
    to: &str,
    disease: Option<&str>,
) -> sqlx::Result<Vec<(String, String, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, classification, kind, delay_days, CAST(SUM(n) AS BIGINT) AS n FROM protection_delay_counts \
         WHERE week_start >= $1 AND week_start <= $2 AND ($3 IS NULL OR disease = $3) \
         GROUP BY disease, classification, kind, delay_days HAVING SUM(n) <> 0",
    )
    .bind(from)
    .bind(to)
    .bind(disease)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("disease")?,
                r.try_get("classification")?,
                r.try_get("kind")?,
                r.try_get("delay_days")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}
