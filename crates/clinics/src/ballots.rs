//! Ballots over the database: create with a commitment, register in the window, draw (with
//! over-allocation from the clinic's measured no-show rate, winners booked through the same
//! capacity guard as every booking), and verify from the published inputs.

use kernel::audit::{self, Actor, Event, Origin};
use kernel::db::Db;
use rand::RngCore;
use serde::Serialize;
use sqlx::Row;

use crate::ballot::{self, OverAllocation, Registrant, VerifyError};
use crate::booking::Refusal;

/// Extra winners are capped at this share of the places.
pub const CAP_FRACTION: f64 = 0.25;
/// The no-show rate is measured over this many past days.
pub const NO_SHOW_WINDOW_DAYS: i64 = 90;

#[derive(Clone, Debug, Serialize)]
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

fn row_ballot(r: &sqlx::any::AnyRow) -> sqlx::Result<Ballot> {
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

/// Opens a ballot for a slot: a fresh secret seed, its commitment published now. The slot is
/// closed to first-come booking while the ballot runs.
pub async fn create(
    db: &Db,
    slot_id: &str,
    places: i64,
    opens_at: i64,
    closes_at: i64,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let seed = hex::encode(seed);
    let id = kernel::new_id();
    let slot = crate::store::slot(db, slot_id).await?.ok_or_else(|| anyhow::anyhow!("no such slot"))?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO clinic_ballots (id, slot_id, service_point, service, places, opens_at, closes_at, commitment, seed, cap_fraction, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12)",
    )
    .bind(&id)
    .bind(slot_id)
    .bind(&slot.service_point)
    .bind(&slot.service)
    .bind(places)
    .bind(opens_at)
    .bind(closes_at)
    .bind(ballot::commitment(seed.as_bytes()))
    .bind(&seed)
    .bind(CAP_FRACTION)
    .bind(actor.id())
    .bind(kernel::now_ms())
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE clinic_slots SET status = 'closed' WHERE id = $1").bind(slot_id).execute(&mut *tx).await?;
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("ballot.create", "ballot", &id).detail(&format!("slot {slot_id}, {places} places")),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Registers a person in an open ballot. People aged 65 or above are in the first tier.
pub async fn register(
    db: &Db,
    ballot_id: &str,
    citizen_id: &str,
    actor: &Actor,
    origin: &Origin,
) -> Result<String, RegisterError> {
    let b = ballot(db, ballot_id).await?.ok_or(RegisterError::NotFound)?;
    let now = kernel::now_ms();
    if b.status != "open" || now < b.opens_at || now >= b.closes_at {
        return Err(RegisterError::Closed);
    }
    let birth: Option<String> = sqlx::query_scalar("SELECT birth_date FROM citizens WHERE id = $1")
        .bind(citizen_id)
        .fetch_optional(db.pool())
        .await?;
    let age = birth.as_deref().and_then(|d| crate::booking::age_on(d, kernel::hk::today()));
    // People aged 65+ first; a running no-show penalty puts a person after everyone else.
    let standing = crate::noshows::standing_of(db, citizen_id).await?;
    let tier = crate::noshow::ballot_tier(age.is_some_and(|a| a >= 65), standing);
    let registrant = format!("R-{}", &kernel::identity::session::random_token()[..12].to_uppercase());
    let mut tx = db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO clinic_ballot_entries (ballot_id, registrant, citizen_id, registered_by, tier, registered_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (ballot_id, citizen_id) DO NOTHING",
    )
    .bind(ballot_id)
    .bind(&registrant)
    .bind(citizen_id)
    .bind(actor.id())
    .bind(tier)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        tx.rollback().await?;
        return Err(RegisterError::AlreadyRegistered);
    }
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("ballot.register", "ballot", ballot_id).person(citizen_id).detail(&registrant),
    )
    .await?;
    tx.commit().await?;
    Ok(registrant)
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("no such ballot")]
    NotFound,
    #[error("registration is not open")]
    Closed,
    #[error("already registered")]
    AlreadyRegistered,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl RegisterError {
    pub fn code(&self) -> &'static str {
        match self {
            RegisterError::NotFound => "ballot_not_found",
            RegisterError::Closed => "ballot_closed",
            RegisterError::AlreadyRegistered => "ballot_already_registered",
            RegisterError::Db(_) => "internal",
        }
    }
}

/// The clinic's share of no-shows among recorded attendances in the last 90 days (0 when none).
pub async fn no_show_rate(db: &Db, service_point: &str) -> sqlx::Result<f64> {
    let since = kernel::now_ms() - NO_SHOW_WINDOW_DAYS * 24 * 3_600_000;
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
    Ok(if total == 0 { 0.0 } else { missed.unwrap_or(0) as f64 / total as f64 })
}

async fn entries(db: &Db, ballot_id: &str) -> sqlx::Result<Vec<(Registrant, String)>> {
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

/// Draws a closed ballot: computes the over-allocation, ranks the entries, gives the winners
/// bookings (the slot's capacity becomes the calibrated number of winners) and publishes the seed
/// and result hash. Everything in one transaction.
pub async fn draw(db: &Db, ballot_id: &str, actor: &Actor, origin: &Origin) -> anyhow::Result<OverAllocation> {
    let b = ballot(db, ballot_id).await?.ok_or_else(|| anyhow::anyhow!("no such ballot"))?;
    anyhow::ensure!(b.status == "open", "this ballot has already been drawn");
    anyhow::ensure!(kernel::now_ms() >= b.closes_at, "registration is still open");
    let seed: String = sqlx::query_scalar("SELECT seed FROM clinic_ballots WHERE id = $1")
        .bind(ballot_id)
        .fetch_one(db.pool())
        .await?;
    let rate = no_show_rate(db, &b.service_point).await?;
    let over = ballot::over_allocate(b.places as u32, rate, b.cap_fraction);
    let list = entries(db, ballot_id).await?;
    let registrants: Vec<Registrant> = list.iter().map(|(r, _)| r.clone()).collect();
    let result = ballot::draw(&registrants, seed.as_bytes(), over.winners as usize);
    let slot = crate::store::slot(db, &b.slot_id).await?.ok_or_else(|| anyhow::anyhow!("slot gone"))?;
    let mut tx = db.begin().await?;
    // The calibrated capacity: places already booked plus this draw's winners, open for the draw.
    sqlx::query(
        "UPDATE clinic_slots SET capacity = booked + pool_walkin + pool_elderly + $1, status = 'open' WHERE id = $2",
    )
    .bind(result.winners as i64)
    .bind(&b.slot_id)
    .execute(&mut *tx)
    .await?;
    for (rank, idx) in result.ranking.iter().enumerate() {
        let (reg, citizen) = &list[*idx];
        let won = rank < result.winners;
        let mut reference: Option<String> = None;
        if won {
            let Some(pool) = crate::store::take_place(&mut tx, &b.slot_id, false, 0).await? else {
                anyhow::bail!("slot full while allocating winners");
            };
            match crate::store::insert_booking(&mut tx, &slot, citizen, "ballot", "online", pool).await {
                Ok(booking) => reference = Some(booking.reference),
                Err(Refusal::AlreadyBooked) => {
                    // Already holds a booking for this service: the place goes back to the pool.
                    crate::store::release_place(&mut tx, &b.slot_id, pool).await?;
                }
                Err(r) => anyhow::bail!("allocating a winner failed: {r:?}"),
            }
        }
        if !won {
            // The rest wait, in draw order, for places winners give up.
            let entry = kernel::new_id();
            crate::store::insert_wait_entry(
                &mut tx,
                &entry,
                &b.service_point,
                &b.service,
                Some((&b.slot_id, ballot_id)),
                citizen,
                "ballot",
                0,
                rank as i64 + 1,
            )
            .await?;
        }
        sqlx::query("UPDATE clinic_ballot_entries SET ranking = $1, outcome = $2, booking_reference = $3 WHERE ballot_id = $4 AND registrant = $5")
            .bind(rank as i64 + 1)
            .bind(if won { "won" } else { "waitlist" })
            .bind(reference)
            .bind(ballot_id)
            .bind(&reg.id)
            .execute(&mut *tx)
            .await?;
    }
    // No first-come booking of leftover places: the slot closes again after allocation.
    sqlx::query("UPDATE clinic_slots SET status = 'closed' WHERE id = $1").bind(&b.slot_id).execute(&mut *tx).await?;
    sqlx::query(
        "UPDATE clinic_ballots SET status = 'drawn', drawn_at = $1, no_show_rate = $2, winners = $3, overflow_risk = $4, result_hash = $5 \
         WHERE id = $6 AND status = 'open'",
    )
    .bind(kernel::now_ms())
    .bind(over.no_show_rate)
    .bind(result.winners as i64)
    .bind(over.overflow_risk)
    .bind(&result.result_hash)
    .bind(ballot_id)
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "{} entries, {} places, no-show rate {:.3}, {} winners, result {}",
        list.len(),
        b.places,
        over.no_show_rate,
        result.winners,
        result.result_hash
    );
    audit::record(db, &mut tx, actor, origin, Event::new("ballot.draw", "ballot", ballot_id).detail(&detail)).await?;
    tx.commit().await?;
    Ok(over)
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

/// Recomputes a drawn ballot from what is published (seed, commitment, entries, winners) and
/// compares with the published result hash.
pub async fn verify(db: &Db, ballot_id: &str) -> anyhow::Result<Result<String, VerifyError>> {
    let b = ballot(db, ballot_id).await?.ok_or_else(|| anyhow::anyhow!("no ballot {ballot_id}"))?;
    anyhow::ensure!(b.status == "drawn", "ballot {ballot_id} has not been drawn yet");
    let list = entries(db, ballot_id).await?;
    let registrants: Vec<Registrant> = list.into_iter().map(|(r, _)| r).collect();
    let seed = b.seed.unwrap_or_default();
    let published = b.result_hash.unwrap_or_default();
    Ok(ballot::verify(&registrants, seed.as_bytes(), &b.commitment, b.winners.unwrap_or(0) as usize, &published)
        .map(|d| d.result_hash))
}
