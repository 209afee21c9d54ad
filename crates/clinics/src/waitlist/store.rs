//! SQL for waitlist: waitlist entries and offers of freed places.

use kernel::db::{Db, Tx};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::OfferStatus;
use crate::booking::Slot;

/// A waitlist entry with what pages show about it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WaitEntry {
    pub id: String,
    pub service_point: String,
    pub point_en: String,
    pub point_zh: String,
    pub service: String,
    pub service_en: String,
    pub service_zh: String,
    pub slot_id: Option<String>,
    pub ballot_id: Option<String>,
    pub citizen_id: String,
    pub citizen_name: String,
    pub tier: i64,
    pub ranking: i64,
    pub status: String,
    pub joined_at: i64,
    pub booking_reference: Option<String>,
}

const WAIT_SQL: &str = "SELECT w.id, w.service_point, p.name_en AS p_en, p.name_zh AS p_zh, w.service, \
    s.name_en AS s_en, s.name_zh AS s_zh, w.slot_id, w.ballot_id, w.citizen_id, \
    w.tier, w.ranking, w.status, w.joined_at, w.booking_reference \
    FROM clinic_waitlist w JOIN service_points p ON p.code = w.service_point \
    JOIN clinic_services s ON s.code = w.service";

/// A waitlist entry without the person's name (`with_names` fills it in from `kernel::people`).
fn row_wait(r: &AnyRow) -> sqlx::Result<WaitEntry> {
    Ok(WaitEntry {
        id: r.try_get("id")?,
        service_point: r.try_get("service_point")?,
        point_en: r.try_get("p_en")?,
        point_zh: r.try_get("p_zh")?,
        service: r.try_get("service")?,
        service_en: r.try_get("s_en")?,
        service_zh: r.try_get("s_zh")?,
        slot_id: r.try_get("slot_id")?,
        ballot_id: r.try_get("ballot_id")?,
        citizen_id: r.try_get("citizen_id")?,
        citizen_name: String::new(),
        tier: r.try_get("tier")?,
        ranking: r.try_get("ranking")?,
        status: r.try_get("status")?,
        joined_at: r.try_get("joined_at")?,
        booking_reference: r.try_get("booking_reference")?,
    })
}

/// Adds a person to a waitlist; `false` when they are already on it.
// One argument per column the statement writes; a struct would only repeat the column list.
#[allow(clippy::too_many_arguments)]
pub async fn insert_wait_entry(
    tx: &mut Tx,
    id: &str,
    point: &str,
    service: &str,
    slot_and_ballot: Option<(&str, &str)>,
    citizen_id: &str,
    joined_by: &str,
    tier: i64,
    ranking: i64,
) -> sqlx::Result<bool> {
    let now = kernel::now_ms();
    let r = sqlx::query(
        "INSERT INTO clinic_waitlist (id, service_point, service, slot_id, ballot_id, citizen_id, joined_by, tier, ranking, \
         status, joined_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'waiting', $10, $10)",
    )
    .bind(id)
    .bind(point)
    .bind(service)
    .bind(slot_and_ballot.map(|(s, _)| s))
    .bind(slot_and_ballot.map(|(_, b)| b))
    .bind(citizen_id)
    .bind(joined_by)
    .bind(tier)
    .bind(ranking)
    .bind(now)
    .execute(&mut **tx)
    .await;
    match r {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn wait_entry(db: &Db, id: &str) -> sqlx::Result<Option<WaitEntry>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{WAIT_SQL} WHERE w.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let entries: Vec<WaitEntry> = r.as_ref().map(row_wait).transpose()?.into_iter().collect();
    Ok(with_names(db, entries).await?.pop())
}

/// Fills in each entry's person's names (Chinese first) from the citizen register.
async fn with_names(db: &Db, mut entries: Vec<WaitEntry>) -> sqlx::Result<Vec<WaitEntry>> {
    let ids: Vec<&str> = entries.iter().map(|e| e.citizen_id.as_str()).collect();
    let names = kernel::people::names_of(db, &ids).await?;
    for e in &mut entries {
        e.citizen_name = names.get(&e.citizen_id).map(|n| n.joined()).unwrap_or_default();
    }
    Ok(entries)
}

/// The current waitlist entries of a caregiver and the people they act for.
pub async fn wait_entries_of(db: &Db, caregiver: &str) -> sqlx::Result<Vec<WaitEntry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{WAIT_SQL} WHERE w.status IN ('waiting', 'offered') AND (w.citizen_id = $1 OR w.citizen_id IN \
         (SELECT dependant_id FROM caregiver_links WHERE caregiver_id = $1 AND status = 'active')) ORDER BY w.joined_at"
    )))
    .bind(caregiver)
    .fetch_all(db.pool())
    .await?;
    with_names(db, rows.iter().map(row_wait).collect::<sqlx::Result<_>>()?).await
}

/// A clinic's waiting people in the order places are offered (per service).
pub async fn waitlist_at(db: &Db, point: &str, limit: i64) -> sqlx::Result<Vec<WaitEntry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{WAIT_SQL} WHERE w.service_point = $1 AND w.status IN ('waiting', 'offered') \
         ORDER BY w.service, CASE WHEN w.slot_id IS NULL THEN 1 ELSE 0 END, w.slot_id, w.tier, w.ranking LIMIT $2"
    )))
    .bind(point)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    with_names(db, rows.iter().map(row_wait).collect::<sqlx::Result<_>>()?).await
}

/// How many people are ahead of an entry in its queue.
pub async fn ahead_of(db: &Db, e: &WaitEntry) -> sqlx::Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM clinic_waitlist WHERE status IN ('waiting', 'offered') AND service_point = $1 AND service = $2 \
         AND ((slot_id IS NULL AND $3 = '') OR slot_id = $3) AND (tier < $4 OR (tier = $4 AND ranking < $5))",
    )
    .bind(&e.service_point)
    .bind(&e.service)
    .bind(e.slot_id.clone().unwrap_or_default())
    .bind(e.tier)
    .bind(e.ranking)
    .fetch_one(db.pool())
    .await?;
    Ok(n)
}

/// Places freed (bookings cancelled before their time) of a service at a clinic since `since`.
pub async fn places_freed(db: &Db, point: &str, service: &str, since: i64) -> sqlx::Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id WHERE b.service_point = $1 \
         AND b.service = $2 AND b.status = 'cancelled' AND b.updated_at >= $3 AND b.updated_at < t.starts_at",
    )
    .bind(point)
    .bind(service)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok(n)
}

/// The next people a place in `slot` may be offered to: its ballot's waitlist first (in draw
/// order), then the clinic's waitlist for the service (by tier, then time of joining). People
/// who already hold a booking for the service are offered only an earlier time. (entry id,
/// citizen id)
pub async fn next_candidates(tx: &mut Tx, slot: &Slot, limit: i64) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT w.id, w.citizen_id FROM clinic_waitlist w \
         WHERE w.status = 'waiting' AND (w.slot_id = $1 OR (w.slot_id IS NULL AND w.service_point = $2 AND w.service = $3)) \
         AND NOT EXISTS (SELECT 1 FROM clinic_bookings b JOIN clinic_slots bs ON bs.id = b.slot_id \
           WHERE b.citizen_id = w.citizen_id AND b.service = w.service AND b.status = 'booked' AND bs.starts_at <= $4) \
         ORDER BY CASE WHEN w.slot_id IS NULL THEN 1 ELSE 0 END, w.tier, w.ranking LIMIT $5",
    )
    .bind(&slot.id)
    .bind(&slot.service_point)
    .bind(&slot.service)
    .bind(slot.starts_at)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("citizen_id")?))).collect()
}

/// Moves a waitlist entry between states; `false` when it was not in `from`.
pub async fn set_wait_status(
    tx: &mut Tx,
    entry_id: &str,
    from: &[&str],
    to: &str,
    booking_reference: Option<&str>,
) -> sqlx::Result<bool> {
    let sql = format!(
        "UPDATE clinic_waitlist SET status = $1, updated_at = $2, booking_reference = COALESCE($3, booking_reference) \
         WHERE id = $4 AND status IN ({})",
        kernel::db::list_placeholders(5, from.len())
    );
    let mut q =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to).bind(kernel::now_ms()).bind(booking_reference).bind(entry_id);
    for f in from {
        q = q.bind(*f);
    }
    Ok(q.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Holds a place for an offer: like [`take_place`], and also in a drawn ballot's slot (closed to
/// first-come booking, but its freed places go to the ballot's waitlist).
pub async fn hold_place(
    tx: &mut Tx,
    slot_id: &str,
    elderly: bool,
    earliest_start: i64,
) -> sqlx::Result<Option<&'static str>> {
    const OPEN: &str = "(status = 'open' OR EXISTS (SELECT 1 FROM clinic_ballots b WHERE b.slot_id = clinic_slots.id AND b.status = 'drawn'))";
    if elderly {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE clinic_slots SET booked = booked + 1, booked_elderly = booked_elderly + 1 \
             WHERE id = $1 AND {OPEN} AND starts_at >= $2 AND booked_elderly < pool_elderly AND booked < capacity - pool_walkin"
        )))
        .bind(slot_id)
        .bind(earliest_start)
        .execute(&mut **tx)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(Some("elderly"));
        }
    }
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE clinic_slots SET booked = booked + 1 \
         WHERE id = $1 AND {OPEN} AND starts_at >= $2 AND booked - booked_elderly < capacity - pool_walkin - pool_elderly"
    )))
    .bind(slot_id)
    .bind(earliest_start)
    .execute(&mut **tx)
    .await?;
    Ok((r.rows_affected() == 1).then_some("general"))
}

pub async fn insert_offer(
    tx: &mut Tx,
    id: &str,
    entry_id: &str,
    slot_id: &str,
    pool: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_offers (id, entry_id, slot_id, pool, status, offered_at, expires_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
    )
    .bind(id)
    .bind(entry_id)
    .bind(slot_id)
    .bind(pool)
    .bind(kernel::now_ms())
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An offer with its slot and waitlist entry.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct OfferView {
    pub id: String,
    pub entry_id: String,
    pub slot_id: String,
    pub pool: String,
    #[sqlx(try_from = "String")]
    pub status: OfferStatus,
    pub offered_at: i64,
    pub expires_at: i64,
    pub booking_reference: Option<String>,
    pub citizen_id: String,
    pub starts_at: i64,
    pub service_point: String,
    pub service: String,
}

const OFFER_SQL: &str = "SELECT o.id, o.entry_id, o.slot_id, o.pool, o.status, o.offered_at, o.expires_at, o.booking_reference, \
    w.citizen_id, t.starts_at, t.service_point, t.service FROM clinic_offers o JOIN clinic_waitlist w ON w.id = o.entry_id \
    JOIN clinic_slots t ON t.id = o.slot_id";

pub async fn offer(db: &Db, id: &str) -> sqlx::Result<Option<OfferView>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{OFFER_SQL} WHERE o.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(OfferView::from_row).transpose()
}

/// Pending offers of a waitlist entry's holder (and the people they act for).
pub async fn pending_offers_of(db: &Db, caregiver: &str) -> sqlx::Result<Vec<OfferView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{OFFER_SQL} WHERE o.status = 'pending' AND (w.citizen_id = $1 OR w.citizen_id IN \
         (SELECT dependant_id FROM caregiver_links WHERE caregiver_id = $1 AND status = 'active')) ORDER BY o.expires_at"
    )))
    .bind(caregiver)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(OfferView::from_row).collect()
}

/// Recent offers at a clinic (staff view).
pub async fn offers_at(db: &Db, point: &str, limit: i64) -> sqlx::Result<Vec<OfferView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{OFFER_SQL} WHERE t.service_point = $1 ORDER BY o.offered_at DESC LIMIT $2"
    )))
    .bind(point)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(OfferView::from_row).collect()
}

/// Ends a pending offer (accepted, declined, expired or withdrawn); `false` when it was no longer pending.
pub async fn close_offer(
    tx: &mut Tx,
    id: &str,
    status: OfferStatus,
    booking_reference: Option<&str>,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE clinic_offers SET status = $1, answered_at = $2, booking_reference = $3 WHERE id = $4 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(kernel::now_ms())
    .bind(booking_reference)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Pending offers whose accept window has passed.
pub async fn due_offers(db: &Db, now: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT id FROM clinic_offers WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at")
        .bind(now)
        .fetch_all(db.pool())
        .await
}

/// The pending offer made to a waitlist entry, if any.
pub async fn pending_offer_of_entry(db: &Db, entry_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM clinic_offers WHERE entry_id = $1 AND status = 'pending'")
        .bind(entry_id)
        .fetch_optional(db.pool())
        .await
}

/// How many offers to a waitlist entry went unanswered.
pub async fn expired_offers_of_entry(tx: &mut Tx, entry_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM clinic_offers WHERE entry_id = $1 AND status = 'expired'")
        .bind(entry_id)
        .fetch_one(&mut **tx)
        .await
}

/// Who put a waitlist entry on the list (the person or their caregiver).
pub async fn joined_by(db: &Db, entry_id: &str) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT joined_by FROM clinic_waitlist WHERE id = $1").bind(entry_id).fetch_one(db.pool()).await
}
