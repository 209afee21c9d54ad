//! Ballots over the database: create with a commitment, register in the window, draw (with
//! over-allocation from the clinic's measured no-show rate, winners booked through the same
//! capacity guard as every booking), and verify from the published inputs.

use kernel::audit::{self, Actor, Event, Origin};
use kernel::db::Db;
use rand::RngCore;

use super::rules::{self, OverAllocation, Registrant, VerifyError};
use super::store::{self, DrawResult, NewBallot};
use crate::booking::rules::Refusal;

/// Extra winners are capped at this share of the places.
pub const CAP_FRACTION: f64 = 0.25;
/// The no-show rate is measured over this many past days.
pub const NO_SHOW_WINDOW_DAYS: i64 = 90;

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
    let slot = crate::booking::store::slot(db, slot_id).await?.ok_or_else(|| anyhow::anyhow!("no such slot"))?;
    let commitment = rules::commitment(seed.as_bytes());
    let new = NewBallot {
        id: &id,
        slot_id,
        service_point: &slot.service_point,
        service: &slot.service,
        places,
        opens_at,
        closes_at,
        commitment: &commitment,
        seed: &seed,
        cap_fraction: CAP_FRACTION,
        created_by: actor.id(),
    };
    let mut tx = db.begin().await?;
    store::insert_ballot(&mut tx, &new).await?;
    store::close_slot(&mut tx, slot_id).await?;
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
    let b = store::ballot(db, ballot_id).await?.ok_or(RegisterError::NotFound)?;
    let now = kernel::now_ms();
    if b.status != "open" || now < b.opens_at || now >= b.closes_at {
        return Err(RegisterError::Closed);
    }
    let birth = kernel::people::birth_date(db, citizen_id).await?;
    let age = birth.as_deref().and_then(|d| crate::booking::rules::age_on(d, kernel::hk::today()));
    // People aged 65+ first; a running no-show penalty puts a person after everyone else.
    let standing = crate::noshow::service::standing_of(db, citizen_id).await?;
    let tier = crate::noshow::rules::ballot_tier(age.is_some_and(|a| a >= 65), standing);
    let registrant = format!("R-{}", &kernel::identity::session::random_token()[..12].to_uppercase());
    let about = About::of(db, &b).await?;
    let mut tx = db.begin().await?;
    let inserted = store::insert_entry(&mut tx, ballot_id, &registrant, citizen_id, actor.id(), tier, now).await?;
    if !inserted {
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
    if let Some(c) = kernel::people::contact_in_tx(&mut tx, actor.id(), citizen_id).await? {
        let draw = kernel::hk::local_datetime(b.closes_at);
        let extra = [("registrant", registrant.as_str()), ("draw", draw.as_str())];
        about.tell(&mut tx, &c, "clinic-ballot-registered", &extra, false).await.map_err(RegisterError::Other)?;
    }
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
    #[error(transparent)]
    Other(anyhow::Error),
}

/// What a message about a ballot says: the service's and clinic's names and the session's time.
struct About {
    service: (String, String),
    clinic: (String, String),
    starts_at: i64,
}

impl About {
    async fn of(db: &Db, b: &store::Ballot) -> sqlx::Result<About> {
        let service = crate::booking::store::service(db, &b.service).await?;
        let point = kernel::directory::service_point(db, &b.service_point).await?;
        let slot = crate::booking::store::slot(db, &b.slot_id).await?;
        Ok(About {
            service: service.map(|s| (s.name_en, s.name_zh)).unwrap_or_default(),
            clinic: point.map(|p| (p.name_en, p.name_zh)).unwrap_or_default(),
            starts_at: slot.map(|s| s.starts_at).unwrap_or_default(),
        })
    }

    /// Queues `template` for `c` with the names in their language plus `extra`; a result waits
    /// for the quiet hours to end (`polite`), a registration receipt does not.
    async fn tell(
        &self,
        tx: &mut kernel::Tx,
        c: &kernel::people::Contact,
        template: &str,
        extra: &[(&str, &str)],
        polite: bool,
    ) -> anyhow::Result<()> {
        let zh = c.locale == kernel::i18n::Locale::ZhHant;
        let pick = |p: &(String, String)| if zh { p.1.clone() } else { p.0.clone() };
        let (service, clinic) = (pick(&self.service), pick(&self.clinic));
        let when = kernel::hk::local_datetime(self.starts_at);
        let mut values: Vec<(&str, &str)> =
            vec![("name", &c.name), ("service", &service), ("clinic", &clinic), ("when", &when)];
        values.extend_from_slice(extra);
        let msg = kernel::notify::Message {
            channel: c.channel,
            recipient: &c.recipient,
            locale: c.locale,
            template,
            values: &values,
        };
        if polite {
            kernel::notify::enqueue_polite(tx, &msg).await?;
        } else {
            kernel::notify::enqueue(tx, &msg).await?;
        }
        Ok(())
    }
}

impl RegisterError {
    pub fn code(&self) -> &'static str {
        match self {
            RegisterError::NotFound => "ballot_not_found",
            RegisterError::Closed => "ballot_closed",
            RegisterError::AlreadyRegistered => "ballot_already_registered",
            RegisterError::Db(_) | RegisterError::Other(_) => "internal",
        }
    }
}

/// The clinic's share of no-shows among recorded attendances in the last 90 days (0 when none).
pub async fn no_show_rate(db: &Db, service_point: &str) -> sqlx::Result<f64> {
    let since = kernel::now_ms() - NO_SHOW_WINDOW_DAYS * 24 * 3_600_000;
    let (total, missed) = store::attendance_since(db, service_point, since).await?;
    Ok(if total == 0 { 0.0 } else { missed as f64 / total as f64 })
}

/// Draws a closed ballot: computes the over-allocation, ranks the entries, gives the winners
/// bookings (the slot's capacity becomes the calibrated number of winners) and publishes the seed
/// and result hash. Everything in one transaction.
pub async fn draw(db: &Db, ballot_id: &str, actor: &Actor, origin: &Origin) -> anyhow::Result<OverAllocation> {
    let b = store::ballot(db, ballot_id).await?.ok_or_else(|| anyhow::anyhow!("no such ballot"))?;
    anyhow::ensure!(b.status == "open", "this ballot has already been drawn");
    anyhow::ensure!(kernel::now_ms() >= b.closes_at, "registration is still open");
    let seed = store::seed(db, ballot_id).await?;
    let rate = no_show_rate(db, &b.service_point).await?;
    let over = rules::over_allocate(b.places as u32, rate, b.cap_fraction);
    let list = store::entries(db, ballot_id).await?;
    let registrants: Vec<Registrant> = list.iter().map(|(r, _)| r.clone()).collect();
    let result = rules::draw(&registrants, seed.as_bytes(), over.winners as usize);
    let slot = crate::booking::store::slot(db, &b.slot_id).await?.ok_or_else(|| anyhow::anyhow!("slot gone"))?;
    let about = About::of(db, &b).await?;
    let registered_by = store::registered_by(db, ballot_id).await?;
    let mut contacts = std::collections::HashMap::new();
    for (_, citizen) in &list {
        let by = registered_by.get(citizen).map(String::as_str).unwrap_or(citizen);
        if let Some(c) = kernel::people::contact(db, by, citizen).await? {
            contacts.insert(citizen.clone(), c);
        }
    }
    let mut tx = db.begin().await?;
    // The calibrated capacity: places already booked plus this draw's winners, open for the draw.
    store::open_for_draw(&mut tx, &b.slot_id, result.winners as i64).await?;
    for (rank, idx) in result.ranking.iter().enumerate() {
        let (reg, citizen) = &list[*idx];
        let won = rank < result.winners;
        let mut reference: Option<String> = None;
        if won {
            let Some(pool) = crate::booking::store::take_place(&mut tx, &b.slot_id, false, 0).await? else {
                anyhow::bail!("slot full while allocating winners");
            };
            match crate::booking::store::insert_booking(
                &mut tx,
                &slot,
                citizen,
                "ballot",
                crate::booking::BookingChannel::Online,
                pool,
            )
            .await
            {
                Ok(booking) => reference = Some(booking.reference),
                Err(Refusal::AlreadyBooked) => {
                    // Already holds a booking for this service: the place goes back to the pool.
                    crate::booking::store::release_place(&mut tx, &b.slot_id, pool).await?;
                }
                Err(r) => anyhow::bail!("allocating a winner failed: {r:?}"),
            }
        }
        if !won {
            // The rest wait, in draw order, for places winners give up.
            let entry = kernel::new_id();
            crate::waitlist::store::insert_wait_entry(
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
        let outcome = if won { "won" } else { "waitlist" };
        store::set_entry_outcome(&mut tx, ballot_id, &reg.id, rank as i64 + 1, outcome, reference.as_deref()).await?;
        // Each person hears the result: a place (with its reference), or a place on the
        // waiting list in draw order.
        if let Some(c) = contacts.get(citizen) {
            let position = (rank + 1 - result.winners.min(rank + 1)).to_string();
            match &reference {
                Some(r) => about.tell(&mut tx, c, "clinic-ballot-won", &[("reference", r)], true).await?,
                None if won => {}
                None => about.tell(&mut tx, c, "clinic-ballot-not-won", &[("position", &position)], true).await?,
            }
        }
    }
    // No first-come booking of leftover places: the slot closes again after allocation.
    store::close_slot(&mut tx, &b.slot_id).await?;
    let published = DrawResult {
        no_show_rate: over.no_show_rate,
        winners: result.winners as i64,
        overflow_risk: over.overflow_risk,
        result_hash: &result.result_hash,
    };
    store::mark_drawn(&mut tx, ballot_id, &published).await?;
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

/// Recomputes a drawn ballot from what is published (seed, commitment, entries, winners) and
/// compares with the published result hash.
pub async fn verify(db: &Db, ballot_id: &str) -> anyhow::Result<Result<String, VerifyError>> {
    let b = store::ballot(db, ballot_id).await?.ok_or_else(|| anyhow::anyhow!("no ballot {ballot_id}"))?;
    anyhow::ensure!(b.status == "drawn", "ballot {ballot_id} has not been drawn yet");
    let list = store::entries(db, ballot_id).await?;
    let registrants: Vec<Registrant> = list.into_iter().map(|(r, _)| r).collect();
    let seed = b.seed.unwrap_or_default();
    let published = b.result_hash.unwrap_or_default();
    Ok(rules::verify(&registrants, seed.as_bytes(), &b.commitment, b.winners.unwrap_or(0) as usize, &published)
        .map(|d| d.result_hash))
}
