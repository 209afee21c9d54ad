//! SQL of the open data: the published cells.

use kernel::db::Db;
use sqlx::Row;

/// Confirmed and probable cases per disease, report week and district (the open data), over
/// report weeks `from`..=`to`: (disease, week_start, iso_week, district, cases).
pub async fn public_cells(
    db: &Db,
    from: &str,
    to: &str,
    disease: Option<&str>,
    district: Option<&str>,
) -> sqlx::Result<Vec<(String, String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, week_start, iso_week, district, CAST(SUM(n) AS BIGINT) AS n FROM protection_weekly_counts \
         WHERE week_start >= $1 AND week_start <= $2 AND ($3 IS NULL OR disease = $3) AND ($4 IS NULL OR district = $4) \
         AND classification IN ('confirmed', 'probable') \
         GROUP BY disease, week_start, iso_week, district HAVING SUM(n) <> 0 ORDER BY disease, week_start, district",
    )
    .bind(from)
    .bind(to)
    .bind(disease)
    .bind(district)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("disease")?,
                r.try_get("week_start")?,
                r.try_get("iso_week")?,
                r.try_get("district")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}
