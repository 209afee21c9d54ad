//! Cold chain: registering fridges as devices, ingesting their readings (a batch is one
//! transaction: readings appended, alarms opened, extended or closed, the fridge's state saved,
//! the contact told), acknowledging alarms, quarantining vaccine lots, and the jobs that raise
//! offline alarms for silent sensors and escalate unacknowledged alarms to clinic managers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::i18n::Locale;
use kernel::identity::Role;
use kernel::jobs::{JobCtx, JobError};
use kernel::notify::{self, Channel};
use sha2::{Digest, Sha256};

use super::rules::{self, Change, Limits, Reading};
use super::store;
use super::{Fridge, FridgeAlarm, VaccineLot};

pub const WATCH_JOB: &str = "clinics.watch-fridges";
/// An alarm nobody acknowledged for this long goes to the clinic managers.
pub const ESCALATE_AFTER_MS: i64 = 15 * 60_000;

#[derive(Debug, thiserror::Error)]
pub enum ColdChainError {
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ColdChainError {
    fn from(e: sqlx::Error) -> Self {
        ColdChainError::Other(e.into())
    }
}

pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A new fridge; the device key is returned once and only its hash is kept.
pub struct NewFridge<'a> {
    pub point: &'a str,
    pub name: &'a str,
    pub device_id: &'a str,
    pub limits: Limits,
    pub contact: Option<&'a str>,
    pub contact_lang: Locale,
}

pub async fn register(
    state: &AppState,
    f: NewFridge<'_>,
    actor: &Actor,
    origin: &Origin,
) -> Result<(Fridge, String), ColdChainError> {
    let key = kernel::identity::session::random_token();
    let fridge = Fridge {
        id: kernel::new_id(),
        service_point: f.point.into(),
        name: f.name.into(),
        device_id: f.device_id.into(),
        min_c: f.limits.min_c,
        max_c: f.limits.max_c,
        contact: f.contact.map(str::to_string),
        contact_lang: f.contact_lang.tag().into(),
        last_reading_at: None,
        last_temp: None,
        excursion_kind: None,
        excursion_alarm_id: None,
        offline_alarm_id: None,
        created_at: kernel::now_ms(),
    };
    let db = &state.db;
    let mut tx = db.begin().await?;
    if !store::insert_fridge(&mut tx, &fridge, &key_hash(&key), actor.id()).await? {
        tx.rollback().await?;
        return Err(ColdChainError::Refused("device_id_taken"));
    }
    let detail = format!("{} ({}) at {}", fridge.name, fridge.device_id, fridge.service_point);
    audit::record(db, &mut tx, actor, origin, Event::new("fridge.register", "fridge", &fridge.id).detail(&detail))
        .await?;
    tx.commit().await?;
    Ok((fridge, key))
}

/// What a batch did.
#[derive(Debug, Default, PartialEq)]
pub struct Ingested {
    pub stored: usize,
    pub unknown: usize,
    pub alarms_opened: usize,
}

static LAST_UNKNOWN_WARNING: AtomicI64 = AtomicI64::new(0);

/// Stores a batch of readings `(device id, reading)` and evaluates alarms, in one transaction.
/// Readings of unknown or inactive devices are counted and logged (at most one warning every
/// ten seconds), never stored.
pub async fn ingest(
    state: &AppState,
    batch: &[(String, Reading)],
    transport: &str,
) -> Result<Ingested, ColdChainError> {
    if batch.is_empty() {
        return Ok(Ingested::default());
    }
    let db = &state.db;
    let now = kernel::now_ms();
    let mut devices: Vec<&str> = batch.iter().map(|(d, _)| d.as_str()).collect();
    devices.sort_unstable();
    devices.dedup();
    let mut tx = db.begin().await?;
    let fridges = store::fridge_states(&mut tx, &devices).await?;
    let by_device: HashMap<&str, usize> =
        fridges.iter().enumerate().map(|(i, (f, _))| (f.device_id.as_str(), i)).collect();
    let mut per_fridge: Vec<Vec<(i64, f64)>> = vec![vec![]; fridges.len()];
    let mut rows = Vec::with_capacity(batch.len());
    let mut unknown = 0;
    for (device, r) in batch {
        match by_device.get(device.as_str()) {
            Some(&i) => {
                per_fridge[i].push((r.at, r.temp_c));
                rows.push((fridges[i].0.id.as_str(), r.at, r.temp_c, now));
            }
            None => unknown += 1,
        }
    }
    store::insert_readings(&mut tx, &rows).await?;
    let mut opened = 0;
    let mut latest = vec![];
    for ((fridge, before), readings) in fridges.iter().zip(&per_fridge) {
        if readings.is_empty() {
            continue;
        }
        let limits = Limits { min_c: fridge.min_c, max_c: fridge.max_c };
        let (after, changes) = rules::apply(limits, before.clone(), readings, &mut kernel::new_id);
        opened += record_changes(state, &mut tx, fridge, &changes, now).await?;
        if after.excursion == before.excursion && after.offline_alarm == before.offline_alarm {
            if let (Some(at), Some(t)) = (after.last_reading_at, after.last_temp)
                && after.last_reading_at != before.last_reading_at
            {
                latest.push((fridge.id.as_str(), at, t));
            }
        } else {
            store::save_fridge_state(&mut tx, &fridge.id, &after).await?;
        }
    }
    store::save_last_readings(&mut tx, &latest).await?;
    tx.commit().await?;
    if opened > 0 {
        state.wake_worker();
    }
    state.metrics.iot(transport, "stored", rows.len() as u64);
    if unknown > 0 {
        warn_unknown(state, batch, &by_device, unknown, transport, now);
    }
    Ok(Ingested { stored: rows.len(), unknown, alarms_opened: opened })
}

/// Writes what applying readings changed for one fridge: opened alarms (audited, and the contact
/// told), extended and closed ones. Returns how many alarms opened.
async fn record_changes(
    state: &AppState,
    tx: &mut kernel::Tx,
    fridge: &Fridge,
    changes: &[Change],
    now: i64,
) -> Result<usize, ColdChainError> {
    let db = &state.db;
    let mut opened = 0;
    for c in changes {
        match c {
            Change::Open { id, kind, started_at, min, max } => {
                opened += 1;
                store::insert_alarm(
                    tx,
                    id,
                    &fridge.id,
                    &fridge.service_point,
                    kind.code(),
                    *started_at,
                    Some((*min, *max)),
                    now,
                )
                .await?;
                let detail = format!(
                    "{} {} {:.1}°C",
                    fridge.name,
                    kind.code(),
                    if kind == &rules::Kind::High { max } else { min }
                );
                audit::record(
                    db,
                    tx,
                    &Actor::System,
                    &Origin::system(),
                    Event::new("fridge.alarm.open", "fridge_alarm", id).detail(&detail),
                )
                .await?;
                tell(
                    tx,
                    state,
                    fridge,
                    "fridge-alarm",
                    kind.code(),
                    if kind == &rules::Kind::High { *max } else { *min },
                    *started_at,
                )
                .await?;
            }
            Change::Extend { id, min, max } => store::update_alarm(tx, id, Some((*min, *max)), None).await?,
            Change::Close { id, ended_at, min, max } => {
                store::update_alarm(tx, id, Some((*min, *max)), Some(*ended_at)).await?;
                audit::record(
                    db,
                    tx,
                    &Actor::System,
                    &Origin::system(),
                    Event::new("fridge.alarm.end", "fridge_alarm", id),
                )
                .await?;
            }
            Change::CloseOffline { id, ended_at } => {
                store::update_alarm(tx, id, None, Some(*ended_at)).await?;
                audit::record(
                    db,
                    tx,
                    &Actor::System,
                    &Origin::system(),
                    Event::new("fridge.alarm.end", "fridge_alarm", id),
                )
                .await?;
            }
        }
    }
    Ok(opened)
}

/// Counts readings from unknown or inactive devices and logs a sample (at most one warning every
/// ten seconds).
fn warn_unknown(
    state: &AppState,
    batch: &[(String, Reading)],
    by_device: &HashMap<&str, usize>,
    unknown: usize,
    transport: &str,
    now: i64,
) {
    state.metrics.iot(transport, "unknown_device", unknown as u64);
    let last = LAST_UNKNOWN_WARNING.load(Ordering::Relaxed);
    if now - last > 10_000
        && LAST_UNKNOWN_WARNING.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    {
        let sample: Vec<&str> =
            batch.iter().map(|(d, _)| d.as_str()).filter(|d| !by_device.contains_key(d)).take(5).collect();
        tracing::warn!(count = unknown, devices = ?sample, transport, "readings from unknown devices dropped");
    }
}

/// Tells a fridge's contact about an alarm, in their language.
async fn tell(
    tx: &mut kernel::Tx,
    state: &AppState,
    fridge: &Fridge,
    template: &str,
    kind: &str,
    temp: f64,
    since: i64,
) -> anyhow::Result<()> {
    let Some(contact) = fridge.contact.as_deref() else { return Ok(()) };
    let locale = Locale::parse(&fridge.contact_lang).unwrap_or_default();
    send(tx, state, fridge, contact, locale, template, kind, temp, since).await
}

// The transaction, the recipient and the message's values, one argument each; called from the
// two places that tell a fridge's contact (alarm opened, alarm escalated).
#[allow(clippy::too_many_arguments)]
async fn send(
    tx: &mut kernel::Tx,
    state: &AppState,
    fridge: &Fridge,
    to: &str,
    locale: Locale,
    template: &str,
    kind: &str,
    temp: f64,
    since: i64,
) -> anyhow::Result<()> {
    let channel = if to.contains('@') { Channel::Email } else { Channel::Sms };
    let point = kernel::directory::service_point(&state.db, &fridge.service_point).await?;
    let clinic = point.map(|p| if locale == Locale::ZhHant { p.name_zh } else { p.name_en }).unwrap_or_default();
    let what = locale.t(&format!("fridge-kind-{kind}"));
    let when = chrono::DateTime::from_timestamp_millis(since)
        .map(|t| t.with_timezone(&kernel::hk::tz()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let link = format!("{}/staff/fridges/{}", state.config.base_url(), fridge.id);
    let temp = format!("{temp:.1}");
    notify::enqueue(
        tx,
        &notify::Message {
            channel,
            recipient: to,
            locale,
            template,
            values: &[
                ("fridge", &fridge.name),
                ("clinic", &clinic),
                ("what", &what),
                ("temp", &temp),
                ("since", &when),
                ("link", &link),
            ],
        },
    )
    .await?;
    Ok(())
}

/// A staff member acknowledges an alarm, with what they did.
pub async fn acknowledge(
    state: &AppState,
    alarm: &FridgeAlarm,
    note: &str,
    actor: &Actor,
    origin: &Origin,
) -> Result<(), ColdChainError> {
    let db = &state.db;
    let mut tx = db.begin().await?;
    if !store::acknowledge_alarm(&mut tx, &alarm.id, actor.id(), note, kernel::now_ms()).await? {
        tx.rollback().await?;
        return Err(ColdChainError::Refused("alarm_already_acknowledged"));
    }
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("fridge.alarm.acknowledge", "fridge_alarm", &alarm.id).detail(note),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Quarantine, release or discard a vaccine lot (with a reason; quarantine may name the alarm).
pub async fn set_lot(
    state: &AppState,
    lot_id: &str,
    to: &str,
    alarm: Option<&str>,
    reason: &str,
    actor: &Actor,
    origin: &Origin,
) -> Result<(), ColdChainError> {
    let from: &[&str] = match to {
        "quarantined" => &["available"],
        "released" | "discarded" => &["quarantined"],
        _ => return Err(ColdChainError::Refused("invalid_choice")),
    };
    let db = &state.db;
    let mut tx = db.begin().await?;
    if !store::set_lot_status(&mut tx, lot_id, from, to, alarm, actor.id(), reason, kernel::now_ms()).await? {
        tx.rollback().await?;
        return Err(ColdChainError::Refused("lot_status_changed"));
    }
    let detail = format!("{to}: {reason}");
    audit::record(db, &mut tx, actor, origin, Event::new("vaccine_lot.status", "vaccine_lot", lot_id).detail(&detail))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Every minute: offline alarms for sensors silent for 15 minutes, and escalation of alarms
/// nobody acknowledged within 15 minutes to every active clinic manager.
pub async fn watch(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let state = &ctx.state;
    let db = &state.db;
    let now = kernel::now_ms();
    let before = now - rules::SILENCE_MS;
    for f in store::silent_fridges(db, before).await? {
        let id = kernel::new_id();
        let since = f.last_reading_at.unwrap_or(f.created_at);
        let mut tx = db.begin().await?;
        if !store::set_offline(&mut tx, &f.id, &id, before).await? {
            tx.rollback().await?;
            continue;
        }
        store::insert_alarm(&mut tx, &id, &f.id, &f.service_point, "offline", since, None, now).await?;
        audit::record(
            db,
            &mut tx,
            &Actor::System,
            &Origin::system(),
            Event::new("fridge.alarm.open", "fridge_alarm", &id).detail(&f.name),
        )
        .await?;
        tell(&mut tx, state, &f, "fridge-alarm", "offline", f.last_temp.unwrap_or(0.0), since).await?;
        tx.commit().await?;
        tracing::warn!(fridge = %f.id, "fridge sensor silent; offline alarm opened");
    }
    let due = store::alarms_to_escalate(db, now - ESCALATE_AFTER_MS).await?;
    if !due.is_empty() {
        let managers: Vec<_> = kernel::identity::staff::list(db)
            .await?
            .into_iter()
            .filter(|s| s.status == "active" && s.roles.contains(&Role::ClinicManager))
            .collect();
        for a in due {
            let Some(f) = store::fridge(db, &a.fridge_id).await? else { continue };
            let mut tx = db.begin().await?;
            if !store::mark_escalated(&mut tx, &a.id, now).await? {
                tx.rollback().await?;
                continue;
            }
            let temp = if a.kind == "low" { a.min_c } else { a.max_c }.or(f.last_temp).unwrap_or(0.0);
            for m in &managers {
                // Staff have no language of their own: the clinic's language (the fridge contact's).
                let locale = Locale::parse(&f.contact_lang).unwrap_or_default();
                send(&mut tx, state, &f, &m.email, locale, "fridge-escalation", &a.kind, temp, a.started_at).await?;
            }
            let detail = format!("to {} clinic managers", managers.len());
            audit::record(
                db,
                &mut tx,
                &Actor::System,
                &Origin::system(),
                Event::new("fridge.alarm.escalate", "fridge_alarm", &a.id).detail(&detail),
            )
            .await?;
            tx.commit().await?;
        }
        state.wake_worker();
    }
    Ok(())
}

/// Staff add a vaccine lot to a fridge.
pub async fn add_lot(
    state: &AppState,
    lot: &VaccineLot,
    fridge_name: &str,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<()> {
    let db = &state.db;
    let mut tx = db.begin().await?;
    store::insert_lot(&mut tx, lot, kernel::now_ms()).await?;
    let detail = format!("{} {} ({} doses) in {}", lot.product, lot.lot_number, lot.doses, fridge_name);
    audit::record(db, &mut tx, actor, origin, Event::new("vaccine_lot.add", "vaccine_lot", &lot.id).detail(&detail))
        .await?;
    tx.commit().await?;
    Ok(())
}
