//! Risk scores as use cases: recompute one premises (on a signal) or all of them (nightly and
//! after a weights change), each in one transaction that also puts the premises whose routine
//! inspection falls due on the due list; and changing the weights (audited, with a reason).

use std::collections::HashMap;

use chrono::NaiveDate;
use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::jobs::{JobCtx, JobError, NewJob};

use super::rules::{self, Inputs, Weights};
use super::store::{self, LicenceSignal};
use super::{FULL_JOB, StoredScore, WeightChange};
use crate::inspections::Inspection;

/// Days counted as "the last 12 months" of complaints.
const COMPLAINT_DAYS: i64 = 365;

/// The weights in force and their version (0: the defaults, never changed).
pub async fn weights(db: &kernel::Db) -> sqlx::Result<(i64, Weights)> {
    Ok(match store::current_weights(db).await? {
        Some((v, json)) => (v, serde_json::from_str(&json).unwrap_or_default()),
        None => (0, Weights::default()),
    })
}

/// Risk class by licence type code.
async fn risk_classes(db: &kernel::Db) -> sqlx::Result<HashMap<String, u8>> {
    Ok(crate::licence_types::store::all(db).await?.into_iter().map(|t| (t.code, t.definition.risk_class)).collect())
}

/// The Hong Kong day of an instant.
fn day_of(ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&kernel::hk::tz()).date_naive())
}

/// What one premises is scored from, gathered from its rows. Returns the inputs and the licence
/// a routine inspection is for (its riskiest licence that is active or suspended; none when it
/// holds no such licence, and then it is not put on the due list).
pub fn gather(
    volume: i64,
    licences: &[&LicenceSignal],
    inspections: &[(i64, Option<String>)],
    complaints_12m: i64,
    classes: &HashMap<String, u8>,
) -> (Inputs, Option<String>) {
    let class = |l: &LicenceSignal| classes.get(&l.type_code).copied().unwrap_or(1);
    let live = |l: &&&LicenceSignal| matches!(l.status.as_str(), "active" | "suspended");
    let riskiest = |it: &mut dyn Iterator<Item = &&LicenceSignal>| -> Option<LicenceSignal> {
        it.max_by(|a, b| class(a).cmp(&class(b)).then(b.type_code.cmp(&a.type_code))).map(|l| (*l).clone())
    };
    let current = riskiest(&mut licences.iter().filter(live));
    let chosen = current.clone().or_else(|| riskiest(&mut licences.iter()));
    let mut outcomes = vec![];
    let mut last = None;
    for (at, outcome) in inspections {
        let Some(day) = day_of(*at) else { continue };
        last = last.max(Some(day));
        if let Some(o) = outcome {
            outcomes.push((day, o.clone()));
        }
    }
    let inputs = Inputs {
        outcomes,
        last_inspection: last,
        complaints_12m: u32::try_from(complaints_12m.max(0)).unwrap_or(u32::MAX),
        risk_class: chosen.as_ref().map_or(1, class),
        volume,
        licence_type: chosen.map(|l| l.type_code),
    };
    (inputs, current.map(|l| l.id))
}

fn stored(premises: &str, inputs: &Inputs, s: &rules::Score, version: i64, now: i64) -> StoredScore {
    StoredScore {
        premises_id: premises.to_string(),
        total: s.total,
        band: s.band.code().to_string(),
        frequency_months: i64::from(s.frequency_months),
        last_inspection_on: inputs.last_inspection.map(|d| d.to_string()),
        next_due_on: s.next_due.to_string(),
        factors: s.factors.clone(),
        weights_version: version,
        computed_at: now,
    }
}

/// A premises' score computed now from its rows, not stored (none: no such premises).
pub async fn compute(db: &kernel::Db, premises: &str, today: NaiveDate, now: i64) -> sqlx::Result<Option<StoredScore>> {
    Ok(prepare(db, premises, today, now).await?.map(|(s, _)| s))
}

async fn prepare(
    db: &kernel::Db,
    premises: &str,
    today: NaiveDate,
    now: i64,
) -> sqlx::Result<Option<(StoredScore, Option<(String, NaiveDate, rules::Band)>)>> {
    let Some(volume) = store::volume(db, premises).await? else { return Ok(None) };
    let (version, w) = weights(db).await?;
    let classes = risk_classes(db).await?;
    let licences = store::licences(db, Some(premises)).await?;
    let inspections: Vec<(i64, Option<String>)> =
        store::done_inspections(db, Some(premises)).await?.into_iter().map(|(_, at, o)| (at, o)).collect();
    let since = now - COMPLAINT_DAYS * 86_400_000;
    let complaints = store::complaint_counts(db, Some(premises), since).await?.first().map_or(0, |c| c.1);
    let refs: Vec<&LicenceSignal> = licences.iter().collect();
    let (inputs, licence) = gather(volume, &refs, &inspections, complaints, &classes);
    let s = rules::score(&inputs, &w, today);
    let due = licence.and_then(|l| rules::due_on(&s, today).map(|d| (l, d, s.band)));
    Ok(Some((stored(premises, &inputs, &s, version, now), due)))
}

/// What a recompute did.
#[derive(Debug, Default, PartialEq)]
pub struct Recomputed {
    pub scored: usize,
    /// Routine inspections put on the due list.
    pub due_added: usize,
}

fn routine(premises: &str, licence: &str, day: NaiveDate, band: rules::Band, now: i64) -> Inspection {
    Inspection {
        id: kernel::new_id(),
        premises_id: premises.to_string(),
        licence_id: Some(licence.to_string()),
        kind: "routine".into(),
        priority: if band == rules::Band::A { 2 } else { 3 },
        due_on: day.to_string(),
        window_start: "09:00".into(),
        window_end: "17:00".into(),
        inspector: None,
        planned_on: None,
        status: "due".into(),
        outcome: None,
        findings: "[]".into(),
        done_by: None,
        done_at: None,
        publish_after: None,
        source_ref: Some(format!("risk-band-{}", band.code())),
        created_at: now,
    }
}

/// Stores the scores and adds the due inspections that are missing (a premises with an
/// inspection already due or planned gets none): one transaction, serialised with any other
/// recompute so the due list never gets a premises twice.
async fn save(
    db: &kernel::Db,
    scores: &[StoredScore],
    due: Vec<(String, String, NaiveDate, rules::Band)>,
    subject: &str,
    now: i64,
) -> sqlx::Result<Recomputed> {
    let mut tx = db.begin().await?;
    db.lock_in_tx(&mut tx, "regulatory.risk").await?;
    store::upsert_scores(&mut tx, scores).await?;
    let ids: Vec<String> = due.iter().map(|d| d.0.clone()).collect();
    let open: std::collections::HashSet<String> =
        store::with_open_inspection(&mut tx, &ids).await?.into_iter().collect();
    let mut added = 0;
    for (premises, licence, day, band) in due {
        if open.contains(&premises) {
            continue;
        }
        crate::inspections::store::insert(&mut tx, &routine(&premises, &licence, day, band, now)).await?;
        added += 1;
    }
    if added > 0 {
        let detail = format!("{added} routine inspections put on the due list");
        audit::record(
            db,
            &mut tx,
            &Actor::System,
            &Origin::system(),
            Event::new("regulatory.risk.due", "premises", subject).detail(&detail),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Recomputed { scored: scores.len(), due_added: added })
}

/// Recomputes and stores one premises' score (and puts it on the due list if it falls due).
/// `None` when there is no such premises.
pub async fn recompute_one(
    db: &kernel::Db,
    premises: &str,
    today: NaiveDate,
    now: i64,
) -> sqlx::Result<Option<(StoredScore, Recomputed)>> {
    let Some((s, due)) = prepare(db, premises, today, now).await? else { return Ok(None) };
    let due = due.map(|(l, d, b)| (premises.to_string(), l, d, b)).into_iter().collect();
    let r = save(db, std::slice::from_ref(&s), due, premises, now).await?;
    Ok(Some((s, r)))
}

/// Everything a full recompute reads, loaded in a few queries.
pub struct World {
    pub volumes: Vec<(String, i64)>,
    pub licences: Vec<LicenceSignal>,
    pub inspections: Vec<(String, i64, Option<String>)>,
    pub complaints: Vec<(String, i64)>,
    pub classes: HashMap<String, u8>,
}

/// Loads every premises' signals.
pub async fn load_world(db: &kernel::Db, now: i64) -> sqlx::Result<World> {
    Ok(World {
        volumes: store::all_volumes(db).await?,
        licences: store::licences(db, None).await?,
        inspections: store::done_inspections(db, None).await?,
        complaints: store::complaint_counts(db, None, now - COMPLAINT_DAYS * 86_400_000).await?,
        classes: risk_classes(db).await?,
    })
}

/// Every premises' inputs and the licence its routine inspection would be for.
pub fn all_inputs(world: &World) -> Vec<(String, Inputs, Option<String>)> {
    let mut licences: HashMap<&str, Vec<&LicenceSignal>> = HashMap::new();
    for l in &world.licences {
        licences.entry(l.premises_id.as_str()).or_default().push(l);
    }
    let mut inspections: HashMap<&str, Vec<(i64, Option<String>)>> = HashMap::new();
    for (p, at, o) in &world.inspections {
        inspections.entry(p.as_str()).or_default().push((*at, o.clone()));
    }
    let complaints: HashMap<&str, i64> = world.complaints.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    world
        .volumes
        .iter()
        .map(|(id, volume)| {
            let (inputs, licence) = gather(
                *volume,
                licences.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]),
                inspections.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]),
                complaints.get(id.as_str()).copied().unwrap_or(0),
                &world.classes,
            );
            (id.clone(), inputs, licence)
        })
        .collect()
}

/// Recomputes and stores every premises' score, and fills the due list.
pub async fn recompute_all(db: &kernel::Db, today: NaiveDate, now: i64) -> sqlx::Result<Recomputed> {
    let (version, w) = weights(db).await?;
    let world = load_world(db, now).await?;
    let mut scores = Vec::with_capacity(world.volumes.len());
    let mut due = vec![];
    for (id, inputs, licence) in all_inputs(&world) {
        let s = rules::score(&inputs, &w, today);
        if let (Some(l), Some(day)) = (licence, rules::due_on(&s, today)) {
            due.push((id.clone(), l, day, s.band));
        }
        scores.push(stored(&id, &inputs, &s, version, now));
    }
    save(db, &scores, due, "all", now).await
}

/// Why a weights change was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("invalid weights")]
    Invalid(Vec<rules::WeightProblem>),
    #[error("reason missing")]
    NoReason,
    /// Someone changed the weights after the form was shown.
    #[error("stale version")]
    Stale,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The longest reason kept.
pub const MAX_REASON: usize = 500;

/// Changes the weights (version `seen` + 1) with a reason: recorded with the old and new
/// weights, audited, and a full recompute queued in the same transaction. Returns the version.
pub async fn change_weights(
    state: &AppState,
    actor: &Actor,
    origin: &Origin,
    seen: i64,
    new: &Weights,
    reason: &str,
) -> Result<i64, ChangeError> {
    let problems = new.problems();
    if !problems.is_empty() {
        return Err(ChangeError::Invalid(problems));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ChangeError::NoReason);
    }
    let (current, old) = weights(&state.db).await?;
    if current != seen {
        return Err(ChangeError::Stale);
    }
    let now = kernel::now_ms();
    let change = WeightChange {
        version: seen + 1,
        weights: serde_json::to_string(new).map_err(|e| sqlx::Error::Protocol(e.to_string()))?,
        old_weights: Some(serde_json::to_string(&old).map_err(|e| sqlx::Error::Protocol(e.to_string()))?),
        changed_by: match actor {
            Actor::Staff(id) => id.clone(),
            _ => actor.kind().to_string(),
        },
        reason: reason.chars().take(MAX_REASON).collect(),
        changed_at: now,
    };
    let mut tx = state.db.begin().await?;
    if !store::insert_weights(&mut tx, &change).await? {
        return Err(ChangeError::Stale);
    }
    let version = change.version.to_string();
    audit::record(
        &state.db,
        &mut tx,
        actor,
        origin,
        Event::new("regulatory.risk.weights", "risk_weights", &version).detail(&change.reason),
    )
    .await?;
    kernel::jobs::enqueue(
        &mut tx,
        NewJob::new(FULL_JOB, serde_json::json!({ "after": "weights", "version": change.version })),
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(change.version)
}

/// Queues a full recompute now (a manager's request), audited.
pub async fn queue_full(state: &AppState, actor: &Actor, origin: &Origin) -> sqlx::Result<()> {
    let mut tx = state.db.begin().await?;
    kernel::jobs::enqueue(&mut tx, NewJob::new(FULL_JOB, serde_json::json!({ "after": "request" }))).await?;
    audit::record(&state.db, &mut tx, actor, origin, Event::new("regulatory.risk.recompute", "premises", "all"))
        .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// The job on a signal: recompute that premises now.
pub async fn on_signal(ctx: JobCtx, payload: serde_json::Value) -> Result<(), JobError> {
    let Some(premises) = payload.get("premises_id").and_then(serde_json::Value::as_str) else {
        return Err(JobError::Permanent(format!("no premises_id in {payload}")));
    };
    match recompute_one(&ctx.state.db, premises, kernel::hk::today(), kernel::now_ms()).await? {
        Some((s, r)) => {
            tracing::info!(premises, total = s.total, band = %s.band, due_added = r.due_added, "risk score recomputed");
            Ok(())
        }
        None => Err(JobError::Permanent(format!("no premises {premises}"))),
    }
}

/// The nightly (and after a weights change) full recompute.
pub async fn on_full(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let r = recompute_all(&ctx.state.db, kernel::hk::today(), kernel::now_ms()).await?;
    tracing::info!(scored = r.scored, due_added = r.due_added, "risk scores recomputed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lic(id: &str, t: &str, status: &str) -> LicenceSignal {
        LicenceSignal { premises_id: "p".into(), id: id.into(), type_code: t.into(), status: status.into() }
    }

    #[test]
    fn gathers_the_riskiest_live_licence_and_the_last_inspection() {
        let classes: HashMap<String, u8> =
            [("cm_retail".to_string(), 1), ("phf_hospital".to_string(), 3), ("pharmacy_retail".to_string(), 3)].into();
        let a = lic("a", "cm_retail", "active");
        let b = lic("b", "phf_hospital", "revoked");
        let c = lic("c", "pharmacy_retail", "suspended");
        let day = |s: &str| kernel::hk::start_of_day_ms(s.parse().unwrap()) + 11 * 3_600_000;
        let insp = vec![(day("2026-01-05"), Some("advice".to_string())), (day("2026-03-01"), None)];
        let (i, l) = gather(3, &[&a, &b, &c], &insp, 2, &classes);
        assert_eq!(l.as_deref(), Some("c"));
        assert_eq!(i.licence_type.as_deref(), Some("pharmacy_retail"));
        assert_eq!(i.risk_class, 3);
        assert_eq!(i.last_inspection, Some("2026-03-01".parse().unwrap()));
        assert_eq!(i.outcomes, vec![("2026-01-05".parse().unwrap(), "advice".to_string())]);
        assert_eq!(i.complaints_12m, 2);
        // Only a revoked licence: scored on it, but no routine inspection.
        let (i, l) = gather(1, &[&b], &[], 0, &classes);
        assert_eq!((i.licence_type.as_deref(), l), (Some("phf_hospital"), None));
    }
}
