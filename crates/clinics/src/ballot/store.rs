//! SQL for ballots: ballots with their entry counts, entries, the draw's writes and the
//! published ranking.

use kernel::db::{Db, Tx};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::rules::Registrant;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Ballot {
    pub id: String,
    pub slot_id: String,
    pub service_point: String,
    pub service: String,
    pub places: i64,
    pub opens_at: i64,
    pub closes_at: i64,
    pub commitment: String,
    /// Revealed only once drawn.
    pub seed: Option<String>,
    pub cap_fraction: f64,
    pub no_show_rate: Option<f64>,
    pub winners: Option<i64>,
    pub overflow_risk: Option<f64>,
    pub result_hash: Option<String>,
    pub status: String,
    pub entries: i64,
}

fn row_ballot(r: &AnyRow) -> sqlx::Result<Ballot> {
    let status: String = r.try_get("status")?;
    let seed: String = r.try_get("seed")?;
    Ok(Ballot {
        id: r.try_get("id")?,
        slot_id: r.try_get("slot_id")?,
        service_point: r.try_get("service_point")?,
        service: r.try_get("service")?,
        places: r.try_get("places")?,
        opens_at: r.try_get("opens_at")?,
        closes_at: r.try_get("closes_at")?,
        commitment: r.try_get("commitment")?,
        seed: (status == "drawn").then_some(seed),
        cap_fraction: r.try_get("cap_fraction")?,
        no_show_rate: r.try_get("no_show_rate")?,
        winners: r.try_get("winners")?,
        overflow_risk: r.try_get("overflow_risk")?,
        result_hash: r.try_get("result_hash")?,
        status,
        entries: r.try_get("entries")?,
    })
}

const BALLOT_SQL: &str = "SELECT b.*, (SELECT COUNT(*) FROM clinic_ballot_entries e WHERE e.ballot_id = b.id) AS entries FROM clinic_ballots b";

pub async fn ballot(db: &Db, id: &str) -> sqlx::Result<Option<Ballot>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{BALLOT_SQL} WHERE b.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_ballot).transpose()
}

pub async fn ballots(db: &Db) -> sqlx::Result<Vec<Ballot>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{BALLOT_SQL} ORDER BY b.closes_at DESC")))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(row_ballot).collect()
}

/// The secret seed (kept out of [`Ballot`] until the draw).
pub async fn seed(db: &Db, ballot_id: &str) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT seed FROM clinic_ballots WHERE id = $1").bind(ballot_id).fetch_one(db.pool()).await
}

/// What a new ballot stores.
pub struct NewBallot<'a> {
    pub id: &'a str,
    pub slot_id: &'a str,
    pub service_point: &'a str,
    pub service: &'a str,
    pub places: i64,
    pub opens_at: i64,
    pub closes_at: i64,
    pub commitment: &'a str,
    pub seed: &'a str,
    pub cap_fraction: f64,
    pub created_by: &'a str,
}

pub async fn insert_ballot(tx: &mut Tx, b: &NewBallot<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_ballots (id, slot_id, service_point, service, places, opens_at, closes_at, commitment, seed, cap_fraction, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12)",
    )
    .bind(b.id)
    .bind(b.slot_id)
    .bind(b.service_point)
    .bind(b.service)
    .bind(b.places)
    .bind(b.opens_at)
    .bind(b.closes_at)
    .bind(b.commitment)
    .bind(b.seed)
    .bind(b.cap_fraction)
    .bind(b.created_by)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes a slot to first-come booking (while its ballot runs, and after the draw).
pub async fn close_slot(tx: &mut Tx, slot_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE clinic_slots SET status = 'closed' WHERE id = $1").bind(slot_id).execute(&mut **tx).await?;
    Ok(())
}

/// Registers an entry; false when the person is already registered.
pub async fn insert_entry(
    tx: &mut Tx,
    ballot_id: &str,
    registrant: &str,
    citizen_id: &str,
    registered_by: &str,
    tier: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO clinic_ballot_entries (ballot_id, registrant, citizen_id, registered_by, tier, registered_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (ballot_id, citizen_id) DO NOTHING",
    )
    .bind(ballot_id)
    .bind(registrant)
    .bind(citizen_id)
    .bind(registered_by)
    .bind(tier)
    .bind(at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted > 0)
}

/// A person's registrant id in a ballot, if registered.
pub async fn registrant_of(db: &Db, ballot_id: &str, citizen_id: &str) -> sqlx::Result<Option<String>> {
    Ok(entry_of(db, ballot_id, citizen_id).await?.map(|e| e.0))
}

/// A person's entry in a ballot: registration number, outcome once drawn (`won`, `waitlist`) and
/// the booking reference of a place won.
pub async fn entry_of(
    db: &Db,
    ballot_id: &str,
    citizen_id: &str,
) -> sqlx::Result<Option<(String, Option<String>, Option<String>)>> {
    let r = sqlx::query(
        "SELECT registrant, outcome, booking_reference FROM clinic_ballot_entries WHERE ballot_id = $1 AND citizen_id = $2",
    )
    .bind(ballot_id)
    .bind(citizen_id)
    .fetch_optional(db.pool())
    .await?;
    r.map(|r| Ok((r.try_get("registrant")?, r.try_get("outcome")?, r.try_get("booking_reference")?))).transpose()
}

/// Booked and missed appointments at a clinic since `since`: (recorded attendances, no-shows).
pub async fn attendance_since(db: &Db, service_point: &str, since: i64) -> sqlx::Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS total, SUM(CASE WHEN b.status = 'no_show' THEN 1 ELSE 0 END) AS missed FROM clinic_bookings b \
         JOIN clinic_slots t ON t.id = b.slot_id WHERE b.service_point = $1 AND b.status IN ('attended', 'late', 'no_show') AND t.starts_at >= $2",
    )
    .bind(service_point)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    let total: i64 = r.try_get("total")?;
    let missed: Option<i64> = r
        .try_get::<Option<i64>, _>("missed")
        .or_else(|_| r.try_get::<Option<f64>, _>("missed").map(|v| v.map(|f| f as i64)))?;
    Ok((total, missed.unwrap_or(0)))
}

pub async fn entries(db: &Db, ballot_id: &str) -> sqlx::Result<Vec<(Registrant, String)>> {
    let rows = sqlx::query(
        "SELECT registrant, tier, citizen_id FROM clinic_ballot_entries WHERE ballot_id = $1 ORDER BY registrant",
    )
    .bind(ballot_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                Registrant { id: r.try_get("registrant")?, tier: r.try_get::<i64, _>("tier")? as u8 },
                r.try_get("citizen_id")?,
            ))
        })
        .collect()
}

/// The calibrated capacity for a draw: places already booked plus the draw's winners, open.
pub async fn open_for_draw(tx: &mut Tx, slot_id: &str, winners: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE clinic_slots SET capacity = booked + pool_walkin + pool_elderly + $1, status = 'open' WHERE id = $2",
    )
    .bind(winners)
    .bind(slot_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_entry_outcome(
    tx: &mut Tx,
    ballot_id: &str,
    registrant: &str,
    ranking: i64,
    outcome: &str,
    booking_reference: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE clinic_ballot_entries SET ranking = $1, outcome = $2, booking_reference = $3 WHERE ballot_id = $4 AND registrant = $5")
        .bind(ranking)
        .bind(outcome)
        .bind(booking_reference)
        .bind(ballot_id)
        .bind(registrant)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a draw publishes.
pub struct DrawResult<'a> {
    pub no_show_rate: f64,
    pub winners: i64,
    pub overflow_risk: f64,
    pub result_hash: &'a str,
}

pub async fn mark_drawn(tx: &mut Tx, ballot_id: &str, r: &DrawResult<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE clinic_ballots SET status = 'drawn', drawn_at = $1, no_show_rate = $2, winners = $3, overflow_risk = $4, result_hash = $5 \
         WHERE id = $6 AND status = 'open'",
    )
    .bind(kernel::now_ms())
    .bind(r.no_show_rate)
    .bind(r.winners)
    .bind(r.overflow_risk)
    .bind(r.result_hash)
    .bind(ballot_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The published draw: ranked pseudonymous registrants with outcomes (no names).
pub async fn published_ranking(db: &Db, ballot_id: &str) -> sqlx::Result<Vec<(i64, String, i64, String)>> {
    let rows = sqlx::query("SELECT ranking, registrant, tier, outcome FROM clinic_ballot_entries WHERE ballot_id = $1 AND ranking IS NOT NULL ORDER BY ranking")
        .bind(ballot_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("ranking")?, r.try_get("registrant")?, r.try_get("tier")?, r.try_get("outcome")?)))
        .collect()
}

/// Moves a ballot's closing time (the demo uses it to draw a ballot at once).
pub async fn set_closes_at(db: &Db, ballot_id: &str, closes_at: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE clinic_ballots SET closes_at = $1 WHERE id = $2")
        .bind(closes_at)
        .bind(ballot_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Who registered each citizen in a ballot (the person, a caregiver or staff): citizen → id.
pub async fn registered_by(db: &Db, ballot_id: &str) -> sqlx::Result<std::collections::HashMap<String, String>> {
    let rows = sqlx::query("SELECT citizen_id, registered_by FROM clinic_ballot_entries WHERE ballot_id = $1")
        .bind(ballot_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok((r.try_get("citizen_id")?, r.try_get("registered_by")?))).collect()
}
