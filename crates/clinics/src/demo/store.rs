//! SQL for demo: demo data: the few statements only the demo seeders need.

use kernel::db::{Db, Tx, rows_per_statement, values_placeholders};
use sqlx::Row;

/// Open slots starting between `from_ms` and `to_ms` with no booking yet, soonest first:
/// (slot id, service, service point, general places = capacity less the walk-in and 65+ pools).
pub async fn unbooked_slots_between(
    db: &Db,
    from_ms: i64,
    to_ms: i64,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT s.id, s.service, s.service_point, s.capacity - s.pool_walkin - s.pool_elderly AS general FROM clinic_slots s \
         WHERE s.status = 'open' AND s.booked = 0 AND s.starts_at >= $1 AND s.starts_at < $2 \
         AND NOT EXISTS (SELECT 1 FROM clinic_ballots b WHERE b.slot_id = s.id) ORDER BY s.starts_at, s.id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("service")?, r.try_get("service_point")?, r.try_get("general")?)))
        .collect()
}

/// Citizens with an active booking for `service` or on one of its waitlists.
pub async fn engaged_in(db: &Db, service: &str) -> sqlx::Result<std::collections::HashSet<String>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT citizen_id FROM clinic_bookings WHERE service = $1 AND status = 'booked' \
         UNION SELECT citizen_id FROM clinic_waitlist WHERE service = $1",
    )
    .bind(service)
    .fetch_all(db.pool())
    .await?;
    Ok(ids.into_iter().collect())
}

/// Demo bookings made at the counter or online in the past few days: (slot id, service,
/// service point, citizen id, channel, made at). Counts each slot's places in the same transaction.
pub async fn insert_demo_bookings(
    tx: &mut Tx,
    rows: &[(String, String, String, String, &str, i64)],
) -> sqlx::Result<()> {
    const COLS: usize = 12;
    for chunk in rows.chunks(rows_per_statement(COLS)) {
        let sql = format!(
            "INSERT INTO clinic_bookings (id, reference, slot_id, service, service_point, citizen_id, booked_by, channel, pool, status, \
             created_at, updated_at) VALUES {}",
            values_placeholders(chunk.len(), COLS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (slot, service, point, citizen, channel, at) in chunk {
            q = q
                .bind(kernel::new_id())
                .bind(crate::booking::rules::new_reference())
                .bind(slot)
                .bind(service)
                .bind(point)
                .bind(citizen)
                .bind("demo")
                .bind(*channel)
                .bind("general")
                .bind("booked")
                .bind(*at)
                .bind(*at);
        }
        q.execute(&mut **tx).await?;
    }
    let mut per_slot: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for r in rows {
        *per_slot.entry(r.0.as_str()).or_insert(0) += 1;
    }
    for (slot, n) in per_slot {
        let done = sqlx::query(
            "UPDATE clinic_slots SET booked = booked + $1 WHERE id = $2 AND booked + $1 <= capacity - pool_walkin - pool_elderly",
        )
        .bind(n)
        .bind(slot)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(sqlx::Error::Protocol(format!("slot {slot} has no room for {n} demo bookings")));
        }
    }
    Ok(())
}

/// Back-dates a demo fridge's registration.
pub async fn set_fridge_created_at(tx: &mut Tx, fridge_id: &str, at: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE clinic_fridges SET created_at = $2 WHERE id = $1")
        .bind(fridge_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The first slots of a service at a clinic.
pub async fn first_slots_of(db: &Db, point: &str, service: &str, limit: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM clinic_slots WHERE service_point = $1 AND service = $2 ORDER BY starts_at LIMIT $3",
    )
    .bind(point)
    .bind(service)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// The first open slot of a service at a clinic after `after`.
pub async fn first_open_slot_after(db: &Db, point: &str, service: &str, after: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT id FROM clinic_slots WHERE service_point = $1 AND service = $2 AND status = 'open' AND starts_at > $3 ORDER BY starts_at LIMIT 1",
    )
    .bind(point)
    .bind(service)
    .bind(after)
    .fetch_optional(db.pool())
    .await
}

/// A cancelled elderly health assessment booking: a place freed in the past.
pub async fn insert_cancelled_assessment(
    tx: &mut Tx,
    slot_id: &str,
    point: &str,
    citizen_id: &str,
    reference: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_bookings (id, reference, slot_id, service, service_point, citizen_id, booked_by, channel, pool, status, \
         reschedules, created_at, updated_at) VALUES ($1, $2, $3, 'ehc_assessment', $4, $5, 'demo', 'online', 'general', 'cancelled', 0, $6, $6)",
    )
    .bind(kernel::new_id())
    .bind(reference)
    .bind(slot_id)
    .bind(point)
    .bind(citizen_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
