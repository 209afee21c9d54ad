//! What booking does, as one transaction: take a place (conditional update), write the booking,
//! queue the confirmation in the person's language, and audit it. Used by pages and the API.

use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::i18n::Locale;

use super::group_commit;
use super::rules::{self, Refusal};
use super::store;
use super::store::BookingView;
use super::{Booking, BookingChannel, BookingStatus, Session, Slot};

/// Who books, for whom, and through which channel.
pub struct BookRequest<'a> {
    pub slot_id: &'a str,
    pub citizen_id: &'a str,
    /// The citizen (caregiver or self) or staff member who books.
    pub actor: Actor,
    pub channel: BookingChannel,
    pub origin: &'a Origin,
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ActionError {
    fn from(e: sqlx::Error) -> Self {
        ActionError::Other(e.into())
    }
}

impl From<Refusal> for ActionError {
    fn from(r: Refusal) -> Self {
        ActionError::Refused(r)
    }
}

pub async fn book(state: &AppState, req: BookRequest<'_>) -> Result<Booking, ActionError> {
    let db = &state.db;
    let now = kernel::now_ms();
    // Everything the checks and the confirmation need, read before the transaction, which only
    // writes. The slot first: when nobody could take it (past, closed, no place left in any
    // pool) the attempt is refused without reading the person, which is what most attempts
    // of a surge meet. The confirmation goes to whoever booked (a caregiver hears about their
    // dependant's booking).
    let notify_id = match &req.actor {
        Actor::Citizen(id) => id.as_str(),
        _ => req.citizen_id,
    };
    let Some(ctx) = store::slot_context(db, req.slot_id).await? else {
        return Err(Refusal::SlotNotFound.into());
    };
    let (slot_before, service) = (&ctx.slot, &ctx.service);
    let earliest = now + service.min_notice_minutes * 60_000;
    // Fast refusal without queueing for a write when the slot is visibly full, past or closed;
    // the conditional update below stays the authority when it looks bookable.
    let hopeless = |elderly: bool| {
        let room = if elderly { slot_before.elderly_left() } else { slot_before.general_left() };
        room == 0 || slot_before.status != "open" || slot_before.starts_at < earliest
    };
    if hopeless(true) {
        return Err(rules::explain(Some(slot_before), service, true, now).into());
    }
    let (birth_date, contact) = kernel::people::birth_date_and_contact(db, req.citizen_id, notify_id).await?;
    let day = chrono::DateTime::from_timestamp_millis(slot_before.starts_at)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive())
        .unwrap_or_default();
    let age = birth_date.as_deref().and_then(|b| rules::age_on(b, day));
    rules::check_age(service, age)?;
    let elderly = age.is_some_and(|a| a >= 65);
    if hopeless(elderly) {
        return Err(rules::explain(Some(slot_before), service, elderly, now).into());
    }
    let booking = Booking {
        id: kernel::new_id(),
        reference: rules::new_reference(),
        slot_id: slot_before.id.clone(),
        service: slot_before.service.clone(),
        service_point: slot_before.service_point.clone(),
        citizen_id: req.citizen_id.to_string(),
        status: BookingStatus::Booked,
        channel: req.channel,
        reschedules: 0,
        starts_at: slot_before.starts_at,
        ends_at: slot_before.ends_at,
    };
    // The confirmation goes to whoever booked (a caregiver hears about their dependant's booking).
    let notice = contact.map(|kernel::people::Contact { channel, recipient, locale, name }| {
        let zh = locale == Locale::ZhHant;
        let when = chrono::DateTime::from_timestamp_millis(booking.starts_at)
            .map(|t| t.with_timezone(&kernel::hk::tz()).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        group_commit::Notice {
            channel,
            recipient,
            locale,
            values: vec![
                ("name", name),
                ("service", if zh { service.name_zh.clone() } else { service.name_en.clone() }),
                ("clinic", if zh { ctx.clinic_zh.clone() } else { ctx.clinic_en.clone() }),
                ("when", when),
                ("reference", booking.reference.clone()),
                ("link", format!("{}/bookings/{}", state.config.base_url(), booking.reference)),
            ],
        }
    });
    let prepared = group_commit::Prepared {
        booking: booking.clone(),
        elderly,
        earliest,
        booked_by: req.actor.clone(),
        origin: req.origin.clone(),
        notice,
    };
    match group_commit::submit(state, prepared).await? {
        group_commit::Outcome::Booked(_) => Ok(booking),
        group_commit::Outcome::Refused(r) => Err(r.into()),
        group_commit::Outcome::NoRoom => {
            let current = store::slot(db, req.slot_id).await?;
            Err(rules::explain(current.as_ref(), service, elderly, now).into())
        }
    }
}

/// Cancels a booking and frees its place at once.
pub async fn cancel(state: &AppState, reference: &str, actor: &Actor, origin: &Origin) -> Result<(), ActionError> {
    let db = &state.db;
    let view = store::booking_by_reference(db, reference).await?.ok_or(Refusal::SlotNotFound)?;
    let mut tx = db.begin().await?;
    let Some((slot_id, pool)) = store::cancel_booking(&mut tx, reference).await? else {
        tx.rollback().await?;
        return Err(Refusal::NotActive.into());
    };
    store::release_place(&mut tx, &slot_id, &pool).await?;
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("booking.cancel", "booking", reference).person(&view.citizen_id),
    )
    .await?;
    super::notices::tell(state, &mut tx, &view, "clinic-cancelled", &[]).await?;
    // The freed place goes to the next person on the waitlist, if anyone is waiting (never
    // back to the person who gave it up).
    crate::waitlist::service::offer_freed(state, &mut tx, &slot_id, Some(&view.citizen_id)).await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// Moves a booking to another slot of the same service, within the service's reschedule limit.
pub async fn reschedule(
    state: &AppState,
    reference: &str,
    new_slot: &str,
    actor: &Actor,
    origin: &Origin,
) -> Result<(), ActionError> {
    let db = &state.db;
    let view = store::booking_by_reference(db, reference).await?.ok_or(Refusal::SlotNotFound)?;
    if view.status != BookingStatus::Booked {
        return Err(Refusal::NotActive.into());
    }
    if view.slot_id == new_slot {
        return Err(Refusal::SameSlot.into());
    }
    let service = store::service(db, &view.service).await?.ok_or(Refusal::SlotNotFound)?;
    if view.reschedules >= service.max_reschedules {
        return Err(Refusal::TooManyReschedules.into());
    }
    let target = store::slot(db, new_slot).await?.ok_or(Refusal::SlotNotFound)?;
    if target.service != view.service {
        return Err(Refusal::DifferentService.into());
    }
    let now = kernel::now_ms();
    let elderly = view.pool == "elderly";
    let mut tx = db.begin().await?;
    let Some(pool) = store::take_place(&mut tx, new_slot, elderly, now + service.min_notice_minutes * 60_000).await?
    else {
        tx.rollback().await?;
        let current = store::slot(db, new_slot).await?;
        return Err(rules::explain(current.as_ref(), &service, elderly, now).into());
    };
    if !store::move_booking(&mut tx, reference, new_slot, pool, service.max_reschedules).await? {
        tx.rollback().await?;
        return Err(Refusal::TooManyReschedules.into());
    }
    store::release_place(&mut tx, &view.slot_id, &view.pool).await?;
    crate::waitlist::service::offer_freed(state, &mut tx, &view.slot_id, Some(&view.citizen_id)).await?;
    let old = kernel::hk::local_datetime(view.starts_at);
    let moved = BookingView { slot_id: target.id.clone(), starts_at: target.starts_at, ..view.clone() };
    super::notices::tell(state, &mut tx, &moved, "clinic-changed", &[("old", &old)]).await?;
    let detail = format!("to slot {new_slot}");
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("booking.reschedule", "booking", reference).person(&view.citizen_id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// A person confirms their booking from a reminder link.
pub async fn confirm(
    state: &AppState,
    reference: &str,
    citizen_id: &str,
    actor: &Actor,
    origin: &Origin,
) -> Result<(), ActionError> {
    let mut tx = state.db.begin().await?;
    store::confirm_booking(&mut tx, reference, kernel::now_ms()).await?;
    audit::record(
        &state.db,
        &mut tx,
        actor,
        origin,
        Event::new("booking.confirm", "booking", reference).person(citizen_id).detail("reminder link"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Staff at the counter open a person's card: (English name, Chinese name, masked HKID, date of
/// birth), audited as a read of personal data.
pub async fn counter_person(
    state: &AppState,
    citizen_id: &str,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<Option<(String, String, Option<String>, String)>> {
    let Some(p) = kernel::people::summary(&state.db, citizen_id).await? else { return Ok(None) };
    let card = (p.name_en, p.name_zh, p.hkid_masked, p.birth_date);
    audit::record_now(
        &state.db,
        actor,
        origin,
        Event::new("counter.person", "citizen", citizen_id).person(citizen_id).purpose("assisted booking"),
    )
    .await?;
    Ok(Some(card))
}

/// Registers a person at the counter; false when the HKID is already registered.
pub async fn register_at_counter(
    state: &AppState,
    citizen: &kernel::people::NewCitizen,
    point: &str,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    if kernel::people::insert_citizens(&mut tx, std::slice::from_ref(citizen)).await? == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    audit::record(
        &state.db,
        &mut tx,
        actor,
        origin,
        Event::new("citizen.register_counter", "citizen", &citizen.id).person(&citizen.id).detail(point),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Staff change a slot's capacity; false when it would fall below the places already booked.
pub async fn set_capacity(
    state: &AppState,
    slot: &Slot,
    capacity: i64,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    if !store::set_capacity(&mut tx, &slot.id, capacity).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let detail = format!("{} -> {capacity}", slot.capacity);
    audit::record(&state.db, &mut tx, actor, origin, Event::new("slot.capacity", "slot", &slot.id).detail(&detail))
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Staff record attendance (attended, late, no_show); false when the booking is not active. A
/// new no-show tells the person (in the same transaction).
pub async fn record_attendance(
    state: &AppState,
    b: &BookingView,
    status: BookingStatus,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    if !store::set_attendance(&mut tx, &b.reference, status).await? {
        return Ok(false);
    }
    audit::record(
        &state.db,
        &mut tx,
        actor,
        origin,
        Event::new("booking.attendance", "booking", &b.reference).person(&b.citizen_id).detail(status.as_str()),
    )
    .await?;
    if status == BookingStatus::NoShow && b.status != BookingStatus::NoShow {
        crate::noshow::service::notify_no_show(&mut tx, &b.citizen_id).await?;
    }
    tx.commit().await?;
    state.wake_worker();
    Ok(true)
}

/// Staff add a recurring session; its slots are generated up to the horizon.
pub async fn add_session(state: &AppState, session: &Session, actor: &Actor, origin: &Origin) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    store::insert_session(&mut tx, session, actor.id()).await?;
    let detail = format!(
        "{} weekday {} {}-{} x{}",
        session.service, session.weekday, session.start_time, session.end_time, session.capacity
    );
    audit::record(
        &state.db,
        &mut tx,
        actor,
        origin,
        Event::new("session.create", "session", &session.id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    let from = session.valid_from.parse().unwrap_or_else(|_| kernel::hk::today()).max(kernel::hk::today());
    let to =
        session.valid_to.parse().unwrap_or(from).min(kernel::hk::today() + chrono::Duration::days(crate::HORIZON_DAYS));
    store::generate_slots(&state.db, Some(&session.id), from, to).await?;
    Ok(())
}

/// A citizen lists the bookings they may act for (audited as a read of personal data).
pub async fn bookings_of(state: &AppState, me: &str, actor: &Actor, origin: &Origin) -> sqlx::Result<Vec<BookingView>> {
    let bookings = store::bookings_of(&state.db, me).await?;
    audit::record_now(&state.db, actor, origin, Event::new("booking.list", "citizen", me).person(me)).await?;
    Ok(bookings)
}

/// A citizen opens one booking; `None` when there is none they may act for (audited when shown).
pub async fn booking_for(
    state: &AppState,
    me: &str,
    reference: &str,
    actor: &Actor,
    origin: &Origin,
) -> sqlx::Result<Option<BookingView>> {
    let Some(b) = store::booking_by_reference(&state.db, reference).await? else { return Ok(None) };
    if !kernel::identity::citizen::can_act_for(&state.db, me, &b.citizen_id).await? {
        return Ok(None);
    }
    audit::record_now(&state.db, actor, origin, Event::new("booking.view", "booking", reference).person(&b.citizen_id))
        .await?;
    Ok(Some(b))
}

/// Staff open a clinic's day: its slots and bookings (audited as a read of personal data).
pub async fn day_list(
    state: &AppState,
    code: &str,
    day: &str,
    actor: &Actor,
    origin: &Origin,
) -> sqlx::Result<(Vec<Slot>, Vec<BookingView>)> {
    let slots = store::slots_on_day(&state.db, code, day).await?;
    let bookings = store::bookings_in_slots(&state.db, code, day).await?;
    let detail = format!("{code} {day}");
    audit::record_now(
        &state.db,
        actor,
        origin,
        Event::new("clinic.day_list", "service_point", code).detail(&detail).purpose("clinic operations"),
    )
    .await?;
    Ok((slots, bookings))
}
