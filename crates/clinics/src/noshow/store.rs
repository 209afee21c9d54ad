//! SQL for noshow: no-shows: a person's record and excusing one.

use kernel::db::{Db, Tx};
use sqlx::Row;

/// A person's no-shows: `(reference, starts_at, point, service, excused_at, excuse)`, newest first.
pub async fn no_shows_of(db: &Db, citizen_id: &str) -> sqlx::Result<Vec<NoShow>> {
    let rows = sqlx::query(
        "SELECT b.reference, t.starts_at, b.service_point, b.service, b.excused_at, b.excuse FROM clinic_bookings b \
         JOIN clinic_slots t ON t.id = b.slot_id WHERE b.citizen_id = $1 AND b.status = 'no_show' ORDER BY t.starts_at DESC",
    )
    .bind(citizen_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoShow {
                reference: r.try_get("reference")?,
                starts_at: r.try_get("starts_at")?,
                service_point: r.try_get("service_point")?,
                service: r.try_get("service")?,
                excused_at: r.try_get("excused_at")?,
                excuse: r.try_get("excuse")?,
            })
        })
        .collect()
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct NoShow {
    pub reference: String,
    pub starts_at: i64,
    pub service_point: String,
    pub service: String,
    pub excused_at: Option<i64>,
    pub excuse: Option<String>,
}

/// Excuses a no-show on appeal; `false` when it is not an unexcused no-show.
pub async fn excuse_no_show(tx: &mut Tx, reference: &str, by: &str, reason: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE clinic_bookings SET excused_at = $1, excused_by = $2, excuse = $3, updated_at = $1 \
         WHERE reference = $4 AND status = 'no_show' AND excused_at IS NULL",
    )
    .bind(kernel::now_ms())
    .bind(by)
    .bind(reason)
    .bind(reference)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

// ---- Walk-in queue ----

/// When each of a person's unexcused no-shows was (inside the transaction that recorded one).
pub async fn unexcused_no_show_times(tx: &mut Tx, citizen_id: &str) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT t.starts_at FROM clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id \
         WHERE b.citizen_id = $1 AND b.status = 'no_show' AND b.excused_at IS NULL",
    )
    .bind(citizen_id)
    .fetch_all(&mut **tx)
    .await
}

/// The person booking `reference` is for.
pub async fn citizen_of_booking(db: &Db, reference: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT citizen_id FROM clinic_bookings WHERE reference = $1")
        .bind(reference)
        .fetch_optional(db.pool())
        .await
}
