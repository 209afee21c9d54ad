//! Mass cancellation: when a closure is declared (typhoon signal No. 8, black rainstorm), every
//! booking in the closed period at the clinics it covers is cancelled, its slot closed, and the
//! person is given priority: a place in the next suitable slot of the same service at the same
//! clinic is booked for them before anyone else can take it, and they are told in their language,
//! with one click to keep, change or cancel it.

use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::i18n::Locale;
use kernel::jobs::{JobCtx, JobError};
use kernel::notify;

use super::store::{self, Affected};

/// Handles `closure.declared`. Idempotent: a second run finds nothing left to cancel.
pub async fn on_closure(ctx: JobCtx, payload: serde_json::Value) -> Result<(), JobError> {
    let id = payload["id"].as_str().ok_or_else(|| JobError::Permanent("payload has no closure id".into()))?;
    let state = &ctx.state;
    let db = &state.db;
    let Some(closure) = kernel::hk::store::closure(db, id).await? else {
        return Err(JobError::Permanent(format!("no closure {id}")));
    };
    let end = closure.ends_at.unwrap_or(i64::MAX);
    // Close the affected slots first, so nobody books into the closed period meanwhile.
    store::close_slots_between(db, closure.starts_at, end, closure.district.as_deref()).await?;
    let affected = store::booked_between(db, closure.starts_at, end, closure.district.as_deref()).await?;
    let mut rebooked = 0;
    for a in &affected {
        if rebook_one(state, a, closure.ends_at, closure.kind.label_key()).await? {
            rebooked += 1;
        }
    }
    tracing::info!(closure = %id, cancelled = affected.len(), rebooked, "closure handled");
    Ok(())
}

/// Cancels one booking and books the next suitable slot; returns whether a new place was found.
async fn rebook_one(
    state: &AppState,
    a: &Affected,
    closure_end: Option<i64>,
    reason_key: &str,
) -> Result<bool, JobError> {
    let db = &state.db;
    let service = store::service(db, &a.service).await?.ok_or_else(|| JobError::Permanent("service gone".into()))?;
    let earliest = (kernel::now_ms() + service.min_notice_minutes * 60_000)
        .max(closure_end.unwrap_or(a.starts_at + 24 * 3_600_000));
    let candidates = store::open_general_slots_from(db, &a.service_point, &a.service, earliest, 10).await?;
    let origin = Origin::system();
    let mut tx = db.begin().await?;
    let Some((old_slot, old_pool)) = store::cancel_booking(&mut tx, &a.reference).await? else {
        tx.rollback().await?;
        return Ok(false); // already cancelled by its holder
    };
    store::release_place(&mut tx, &old_slot, &old_pool).await?;
    let mut new_booking = None;
    for slot_id in &candidates {
        if let Some(pool) = store::take_place(&mut tx, slot_id, false, earliest).await? {
            let slot = store::slot(db, slot_id).await?.ok_or_else(|| JobError::Retry("slot vanished".into()))?;
            match store::insert_booking(
                &mut tx,
                &slot,
                &a.citizen_id,
                "closure-rebooking",
                super::BookingChannel::Online,
                pool,
            )
            .await
            {
                Ok(b) => {
                    new_booking = Some(b);
                    break;
                }
                Err(_) => store::release_place(&mut tx, slot_id, pool).await?,
            }
        }
    }
    audit::record(
        db,
        &mut tx,
        &Actor::System,
        &origin,
        Event::new("booking.cancel_closure", "booking", &a.reference)
            .person(&a.citizen_id)
            .detail(&format!("rebooked as {}", new_booking.as_ref().map(|b| b.reference.as_str()).unwrap_or("none"))),
    )
    .await?;
    // Tell whoever booked (a caregiver), else the person, in their language.
    let notify_id = a.booked_by.clone();
    if let Some(kernel::people::Contact { channel, recipient, locale, .. }) =
        kernel::people::contact(db, &notify_id, &a.citizen_id).await?
    {
        let reason = locale.t(reason_key);
        let when = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t.with_timezone(&kernel::hk::tz()).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default()
        };
        let svc = if locale == Locale::ZhHant { service.name_zh.clone() } else { service.name_en.clone() };
        let base = state.config.base_url();
        let old_when = when(a.starts_at);
        match &new_booking {
            Some(b) => {
                let new_when = when(b.starts_at);
                let link = format!("{base}/bookings/{}", b.reference);
                let change = format!("{base}/clinics/{}/{}", a.service_point, a.service);
                notify::enqueue(
                    &mut tx,
                    &notify::Message {
                        channel,
                        recipient: &recipient,
                        locale,
                        template: "clinic-closure-rebooked",
                        values: &[
                            ("reason", &reason),
                            ("service", &svc),
                            ("old", &old_when),
                            ("new", &new_when),
                            ("reference", &b.reference),
                            ("link", &link),
                            ("change", &change),
                        ],
                    },
                )
                .await?;
            }
            None => {
                let find = format!("{base}/clinics/{}/{}", a.service_point, a.service);
                notify::enqueue(
                    &mut tx,
                    &notify::Message {
                        channel,
                        recipient: &recipient,
                        locale,
                        template: "clinic-closure-cancelled",
                        values: &[("reason", &reason), ("service", &svc), ("old", &old_when), ("link", &find)],
                    },
                )
                .await?;
            }
        }
    }
    tx.commit().await?;
    state.wake_worker();
    Ok(new_booking.is_some())
}
