//! Waitlists with automatic offers. A freed place (a cancellation, a "No" to a reminder, a ballot
//! winner withdrawing) is held in the same transaction that freed it and offered to the next
//! person: the ballot's waitlist first for a ballot slot, then the clinic's waitlist for the
//! service. The person has an accept window (`--offer-window-minutes`); accepting books the held
//! place, declining or not answering passes it to the next person. Someone who already holds a
//! booking for the service waits for an earlier time: accepting moves them, and their old place
//! is offered on in turn.

use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::db::Tx;
use kernel::i18n::Locale;
use kernel::jobs::{self, JobCtx, JobError, NewJob};
use kernel::notify;

use super::OfferStatus;
use super::rules;
use super::store;
use super::store::OfferView;
use crate::booking::rules::Refusal;

pub const NOTIFY_JOB: &str = "clinics.notify-offer";
pub const EXPIRE_JOB: &str = "clinics.expire-offers";
/// After this many unanswered offers a person leaves the waitlist (and is told so).
pub const MAX_UNANSWERED: i64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error("already on the waitlist")]
    AlreadyWaiting,
    #[error("offer not pending")]
    OfferNotPending,
    #[error("offer expired")]
    OfferExpired,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for WaitError {
    fn from(e: sqlx::Error) -> Self {
        WaitError::Other(e.into())
    }
}

impl WaitError {
    pub fn code(&self) -> &'static str {
        match self {
            WaitError::Refused(r) => r.code(),
            WaitError::AlreadyWaiting => "already_waiting",
            WaitError::OfferNotPending => "offer_not_pending",
            WaitError::OfferExpired => "offer_expired",
            WaitError::Other(_) => "internal",
        }
    }
}

/// Puts a person on a clinic's waitlist for a service (any time; offered in order of joining).
pub async fn join(
    state: &AppState,
    point: &str,
    service_code: &str,
    citizen_id: &str,
    actor: &Actor,
    origin: &Origin,
) -> Result<String, WaitError> {
    let db = &state.db;
    let p = kernel::directory::service_point(db, point).await?.ok_or(WaitError::Refused(Refusal::SlotNotFound))?;
    let service = crate::booking::store::service(db, service_code)
        .await?
        .filter(|s| s.point_kind == p.kind)
        .ok_or(WaitError::Refused(Refusal::SlotNotFound))?;
    let birth = kernel::people::birth_date(db, citizen_id).await?;
    let age = birth.as_deref().and_then(|b| crate::booking::rules::age_on(b, kernel::hk::today()));
    crate::booking::rules::check_age(&service, age).map_err(WaitError::Refused)?;
    let id = kernel::new_id();
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    if !store::insert_wait_entry(&mut tx, &id, point, service_code, None, citizen_id, actor.id(), 0, now).await? {
        tx.rollback().await?;
        return Err(WaitError::AlreadyWaiting);
    }
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("waitlist.join", "waitlist", &id).person(citizen_id).detail(point),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Takes a person off a waitlist; a pending offer is passed on.
pub async fn leave(state: &AppState, entry_id: &str, actor: &Actor, origin: &Origin) -> Result<(), WaitError> {
    let db = &state.db;
    let entry = store::wait_entry(db, entry_id).await?.ok_or(WaitError::OfferNotPending)?;
    let pending = store::pending_offer_of_entry(db, entry_id).await?;
    let pending = match pending {
        Some(id) => store::offer(db, &id).await?,
        None => None,
    };
    let mut tx = db.begin().await?;
    if let Some(o) = &pending {
        pass_on(state, &mut tx, o, OfferStatus::Withdrawn).await?;
    }
    let event = if matches!(actor, Actor::Staff(_)) { "waitlist.remove" } else { "waitlist.leave" };
    let to = if matches!(actor, Actor::Staff(_)) { "removed" } else { "left" };
    if !store::set_wait_status(&mut tx, entry_id, &["waiting", "offered"], to, None).await? {
        tx.rollback().await?;
        return Err(WaitError::OfferNotPending);
    }
    audit::record(db, &mut tx, actor, origin, Event::new(event, "waitlist", entry_id).person(&entry.citizen_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Called inside the transaction that freed a place in `slot_id`: holds the place for the next
/// person on the waitlist and queues their offer. Returns the offer id, or `None` when nobody
/// is waiting (the place stays free for anyone) or it is too late to offer.
pub async fn offer_freed(
    state: &AppState,
    tx: &mut Tx,
    slot_id: &str,
    gave_up: Option<&str>,
) -> anyhow::Result<Option<String>> {
    let Some(slot) = crate::booking::store::slot_in_tx(tx, slot_id).await? else { return Ok(None) };
    let Some(service) = crate::booking::store::service_in_tx(tx, &slot.service).await? else { return Ok(None) };
    let now = kernel::now_ms();
    let notice = service.min_notice_minutes * 60_000;
    let window = state.config.offer_window_minutes as i64 * 60_000;
    // The offer goes out after the quiet hours; the window to answer starts then.
    let sent = kernel::notify::after_quiet_hours(now);
    let Some(expires) = rules::offer_expiry(sent, window, slot.starts_at, notice) else { return Ok(None) };
    let day = chrono::DateTime::from_timestamp_millis(slot.starts_at)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive())
        .unwrap_or_default();
    let candidates = store::next_candidates(tx, &slot, 20).await?;
    let ids: Vec<&str> = candidates.iter().map(|(_, c)| c.as_str()).collect();
    let births = kernel::people::birth_dates_in_tx(tx, &ids).await?;
    for (entry, citizen) in candidates {
        if gave_up == Some(citizen.as_str()) {
            continue;
        }
        let birth = births.get(&citizen).cloned().unwrap_or_default();
        if !store::set_wait_status(tx, &entry, &["waiting"], "offered", None).await? {
            continue;
        }
        let elderly = crate::booking::rules::age_on(&birth, day).is_some_and(|a| a >= 65);
        let Some(pool) = store::hold_place(tx, slot_id, elderly, now + notice).await? else {
            store::set_wait_status(tx, &entry, &["offered"], "waiting", None).await?;
            return Ok(None);
        };
        let id = kernel::new_id();
        store::insert_offer(tx, &id, &entry, slot_id, pool, expires).await?;
        jobs::enqueue(tx, NewJob::new(NOTIFY_JOB, serde_json::json!({ "offer": id }))).await?;
        jobs::enqueue(tx, NewJob::new(EXPIRE_JOB, serde_json::json!({})).at(expires)).await?;
        let detail = format!("slot {slot_id}, answer by {expires}");
        audit::record(
            &state.db,
            tx,
            &Actor::System,
            &Origin::system(),
            Event::new("waitlist.offer", "offer", &id).person(&citizen).detail(&detail),
        )
        .await?;
        return Ok(Some(id));
    }
    Ok(None)
}

/// Ends a pending offer without a booking (declined, expired, withdrawn): the held place goes to
/// the next person (or back to the pool), then the person waits again — unless they left
/// too many offers unanswered.
async fn pass_on(state: &AppState, tx: &mut Tx, o: &OfferView, status: OfferStatus) -> anyhow::Result<bool> {
    Ok(pass_on_to(state, tx, o, status).await?.is_some())
}

/// [`pass_on`], saying where the person stands afterwards (`waiting` or `removed`).
async fn pass_on_to(
    state: &AppState,
    tx: &mut Tx,
    o: &OfferView,
    status: OfferStatus,
) -> anyhow::Result<Option<&'static str>> {
    if !store::close_offer(tx, &o.id, status, None).await? {
        return Ok(None);
    }
    crate::booking::store::release_place(tx, &o.slot_id, &o.pool).await?;
    // Offered on while this person is still marked "offered", so it cannot come back to them.
    offer_freed(state, tx, &o.slot_id, None).await?;
    let unanswered = store::expired_offers_of_entry(tx, &o.entry_id).await?;
    let next = if status == OfferStatus::Expired && unanswered >= MAX_UNANSWERED { "removed" } else { "waiting" };
    store::set_wait_status(tx, &o.entry_id, &["offered"], next, None).await?;
    Ok(Some(next))
}

/// Checks that an offer can still be answered.
fn answerable(o: &OfferView, now: i64) -> Result<(), WaitError> {
    if o.status != OfferStatus::Pending {
        return Err(WaitError::OfferNotPending);
    }
    if now >= o.expires_at {
        return Err(WaitError::OfferExpired);
    }
    Ok(())
}

/// Accepts an offer: the held place becomes a booking (moving an existing one for the service).
pub async fn accept(state: &AppState, offer_id: &str, actor: &Actor, origin: &Origin) -> Result<String, WaitError> {
    let db = &state.db;
    let o = store::offer(db, offer_id).await?.ok_or(WaitError::OfferNotPending)?;
    answerable(&o, kernel::now_ms())?;
    let slot = crate::booking::store::slot(db, &o.slot_id).await?.ok_or(WaitError::OfferNotPending)?;
    let service = crate::booking::store::service(db, &o.service).await?.ok_or(WaitError::OfferNotPending)?;
    let entry = store::wait_entry(db, &o.entry_id).await?.ok_or(WaitError::OfferNotPending)?;
    let who = kernel::people::contact(db, actor.id(), &o.citizen_id).await?;
    let point = kernel::directory::service_point(db, &o.service_point).await?;
    let mut tx = db.begin().await?;
    if let Some((old, old_slot, old_pool)) =
        crate::booking::store::active_booking_in_tx(&mut tx, &o.citizen_id, &o.service).await?
    {
        crate::booking::store::cancel_booking(&mut tx, &old).await?;
        crate::booking::store::release_place(&mut tx, &old_slot, &old_pool).await?;
        audit::record(
            db,
            &mut tx,
            actor,
            origin,
            Event::new("booking.cancel", "booking", &old)
                .person(&o.citizen_id)
                .detail("moved to an earlier time offered from the waitlist"),
        )
        .await?;
        offer_freed(state, &mut tx, &old_slot, Some(&o.citizen_id)).await?;
    }
    let b = match crate::booking::store::insert_booking(
        &mut tx,
        &slot,
        &o.citizen_id,
        actor.id(),
        crate::booking::BookingChannel::Online,
        &o.pool,
    )
    .await
    {
        Ok(b) => b,
        Err(r) => {
            tx.rollback().await?;
            return Err(WaitError::Refused(r));
        }
    };
    if !store::close_offer(&mut tx, offer_id, OfferStatus::Accepted, Some(&b.reference)).await? {
        tx.rollback().await?;
        return Err(WaitError::OfferNotPending);
    }
    store::set_wait_status(&mut tx, &o.entry_id, &["offered"], "booked", Some(&b.reference)).await?;
    if let Some(c) = who {
        let clinic = point.map(|p| if c.locale == Locale::ZhHant { p.name_zh } else { p.name_en }).unwrap_or_default();
        let svc = if c.locale == Locale::ZhHant { &service.name_zh } else { &service.name_en };
        let when = kernel::hk::local_datetime(b.starts_at);
        let link = format!("{}/bookings/{}", state.config.base_url(), b.reference);
        notify::enqueue(
            &mut tx,
            &notify::Message {
                channel: c.channel,
                recipient: &c.recipient,
                locale: c.locale,
                template: "clinic-booked",
                values: &[
                    ("name", &c.name),
                    ("service", svc),
                    ("clinic", &clinic),
                    ("when", &when),
                    ("reference", &b.reference),
                    ("link", &link),
                ],
            },
        )
        .await?;
    }
    let detail = format!("{} from waitlist {}", b.reference, entry.id);
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("waitlist.accept", "offer", offer_id).person(&o.citizen_id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(b.reference)
}

/// Declines an offer; the person stays on the waitlist for another time.
pub async fn decline(state: &AppState, offer_id: &str, actor: &Actor, origin: &Origin) -> Result<(), WaitError> {
    let db = &state.db;
    let o = store::offer(db, offer_id).await?.ok_or(WaitError::OfferNotPending)?;
    answerable(&o, kernel::now_ms())?;
    let mut tx = db.begin().await?;
    if !pass_on(state, &mut tx, &o, OfferStatus::Declined).await? {
        tx.rollback().await?;
        return Err(WaitError::OfferNotPending);
    }
    audit::record(db, &mut tx, actor, origin, Event::new("waitlist.decline", "offer", offer_id).person(&o.citizen_id))
        .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// Passes on every offer whose accept window has closed (runs every minute and at each expiry).
pub async fn expire_due(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let state = &ctx.state;
    for id in store::due_offers(&state.db, kernel::now_ms()).await? {
        let Some(o) = store::offer(&state.db, &id).await? else { continue };
        let joined_by = store::joined_by(&state.db, &o.entry_id).await?;
        let contact = kernel::people::contact(&state.db, &joined_by, &o.citizen_id).await?;
        let names = offer_names(state, &o, contact.as_ref().map(|c| c.locale)).await?;
        let mut tx = state.db.begin().await?;
        if let Some(next) = pass_on_to(state, &mut tx, &o, OfferStatus::Expired).await? {
            // The person hears that the place went on, and whether they still wait.
            if let Some(c) = &contact {
                let (svc, clinic) = &names;
                let then = c.locale.t(&format!("clinic-offer-expired-{next}"));
                let msg = notify::Message {
                    channel: c.channel,
                    recipient: &c.recipient,
                    locale: c.locale,
                    template: "clinic-offer-expired",
                    values: &[
                        ("name", &c.name),
                        ("service", svc),
                        ("clinic", clinic),
                        ("when", &kernel::hk::local_datetime(o.starts_at)),
                        ("then", &then),
                    ],
                };
                notify::enqueue_polite(&mut tx, &msg).await?;
            }
            audit::record(
                &state.db,
                &mut tx,
                &Actor::System,
                &Origin::system(),
                Event::new("waitlist.expire", "offer", &id).person(&o.citizen_id),
            )
            .await?;
        }
        tx.commit().await?;
    }
    state.wake_worker();
    Ok(())
}

/// The link in an offer message: the offer id with an HMAC, so it works without signing in.
pub fn offer_link(state: &AppState, offer_id: &str) -> String {
    format!("{}/offers/{offer_id}?sig={}", state.config.base_url(), offer_sig(state, offer_id))
}

pub fn offer_sig(state: &AppState, offer_id: &str) -> String {
    crate::booking::reminders::sign(&state.keys.csrf, offer_id, "offer", 0)
}

/// The service's and the clinic's names of an offer in `locale` (empty when nobody is told).
async fn offer_names(state: &AppState, o: &OfferView, locale: Option<Locale>) -> sqlx::Result<(String, String)> {
    let Some(locale) = locale else { return Ok(Default::default()) };
    let zh = locale == Locale::ZhHant;
    let service = crate::booking::store::service(&state.db, &o.service).await?;
    let point = kernel::directory::service_point(&state.db, &o.service_point).await?;
    let svc = service.map(|s| if zh { s.name_zh } else { s.name_en }).unwrap_or_default();
    let clinic = point.map(|p| if zh { p.name_zh } else { p.name_en }).unwrap_or_default();
    Ok((svc, clinic))
}

/// Sends an offer to the person who joined the waitlist, in their language.
pub async fn notify_offer(ctx: JobCtx, payload: serde_json::Value) -> Result<(), JobError> {
    let state = &ctx.state;
    let db = &state.db;
    let Some(id) = payload.get("offer").and_then(|v| v.as_str()) else { return Ok(()) };
    let Some(o) = store::offer(db, id).await? else { return Ok(()) };
    if o.status != OfferStatus::Pending {
        return Ok(());
    }
    let joined_by = store::joined_by(db, &o.entry_id).await?;
    let Some(c) = kernel::people::contact(db, &joined_by, &o.citizen_id).await? else { return Ok(()) };
    let (svc, clinic) = offer_names(state, &o, Some(c.locale)).await?;
    let link = offer_link(state, id);
    let mut tx = db.begin().await?;
    notify::enqueue_polite(
        &mut tx,
        &notify::Message {
            channel: c.channel,
            recipient: &c.recipient,
            locale: c.locale,
            template: "clinic-offer",
            values: &[
                ("name", &c.name),
                ("service", &svc),
                ("clinic", &clinic),
                ("when", &kernel::hk::local_datetime(o.starts_at)),
                ("expires", &kernel::hk::local_datetime(o.expires_at)),
                ("link", &link),
            ],
        },
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// Records that a citizen saw their waiting lists and offers (a read of personal data).
pub async fn list_viewed(state: &AppState, me: &str, actor: &Actor, origin: &Origin) -> sqlx::Result<()> {
    audit::record_now(&state.db, actor, origin, Event::new("waitlist.list", "citizen", me).person(me)).await?;
    Ok(())
}

/// Records that staff saw a clinic's waitlist (a read of personal data).
pub async fn staff_list_viewed(state: &AppState, code: &str, actor: &Actor, origin: &Origin) -> sqlx::Result<()> {
    audit::record_now(
        &state.db,
        actor,
        origin,
        Event::new("waitlist.staff_list", "service_point", code).purpose("clinic operations"),
    )
    .await?;
    Ok(())
}
