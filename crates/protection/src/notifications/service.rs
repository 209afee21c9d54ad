//! Taking in notifications: one transaction for any number of them (a web form, one API call,
//! a FHIR bundle or a batch). Intake transactions are serialised (an advisory lock on
//! PostgreSQL, the write lock on SQLite), so the reads that decide "same person, same episode"
//! cannot race a concurrent intake. Then: replays of a reporter reference are answered with the
//! first acknowledgement, the pure planner (`dedup::plan`) decides people and cases, and
//! everything is written with multi-row inserts, the weekly counts moved, one audit entry made.
//! The pure steps between the reads and the writes are in `intake.rs`.

use std::collections::{HashMap, HashSet};

use chrono::Datelike;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::web::FieldError;
use kernel::{AppState, Db, Tx};

use super::Channel;
use super::dedup::{self, CaseRef, Incoming, KnownPerson};
use super::intake::{self, Context, Rows, Sorted};
use super::store::{self, OpenCase};
use super::validate::ValidNotification;
pub use super::{Ack, Outcome, Reporter};
use crate::catalogue::Disease;
use crate::{cases, counts};

/// Where one request's notifications come from, and how to take them.
pub struct Submission<'a> {
    pub diseases: &'a [Disease],
    pub reporter: &'a Reporter,
    pub channel: Channel,
    pub actor: &'a Actor,
    pub origin: &'a Origin,
    /// When they were received (ms).
    pub received_at: i64,
    /// One refused item (invalid, or a reporter reference reused with other content) refuses
    /// them all: nothing is written and the others come back `Rejected` with no errors of their own.
    pub atomic: bool,
}

/// Takes in notifications. Invalid items come in as `Err` and go out as `Rejected`, untouched;
/// valid ones are written together, in one transaction.
pub async fn submit(
    state: &AppState,
    s: &Submission<'_>,
    items: Vec<Result<ValidNotification, Vec<FieldError>>>,
) -> anyhow::Result<Vec<Outcome>> {
    let by_code: HashMap<&str, &Disease> = s.diseases.iter().map(|d| (d.code.as_str(), d)).collect();
    let mut sorted = intake::sort(items);
    if s.atomic && sorted.any_rejected() {
        return Ok(intake::refuse_all(sorted.outcomes));
    }
    if sorted.todo.is_empty() {
        return Ok(intake::finish(sorted.outcomes, &sorted.repeats));
    }
    let db = &state.db;
    let mut tx = db.begin().await?;
    db.lock_in_tx(&mut tx, "protection_intake").await?;
    answer_replays(&mut tx, s.reporter, &mut sorted, &by_code).await?;
    if s.atomic && sorted.any_rejected() {
        tx.rollback().await?;
        return Ok(intake::refuse_all(sorted.outcomes));
    }
    if sorted.todo.is_empty() {
        tx.commit().await?;
        return Ok(intake::finish(sorted.outcomes, &sorted.repeats));
    }
    let Sorted { mut outcomes, todo, repeats } = sorted;
    let key = state.keys.hkid.as_slice();
    let hkids: Vec<Option<String>> = todo.iter().map(|(_, v)| v.person.hkid.as_ref().map(|h| h.hmac(key))).collect();
    let keys: Vec<Option<String>> = todo
        .iter()
        .map(|(_, v)| dedup::match_key(key, &v.person.name_en, &v.person.name_zh, v.person.birth_date, &v.person.sex))
        .collect();
    let (persons, open) = known(&mut tx, &hkids, &keys).await?;
    let report_date = intake::hk_date(s.received_at);
    let incoming: Vec<Incoming> = todo
        .iter()
        .enumerate()
        .map(|(k, (_, v))| Incoming {
            hkid_hmac: hkids[k].clone(),
            match_key: keys[k].clone(),
            disease: v.disease.clone(),
            episode_days: by_code.get(v.disease.as_str()).map(|d| d.episode_days).unwrap_or(90),
            date: v.onset.unwrap_or(report_date),
        })
        .collect();
    let known_cases: Vec<dedup::KnownCase> = open.iter().map(|c| c.known.clone()).collect();
    let plan = dedup::plan(&incoming, &persons, &known_cases);
    let cx = Context {
        by_code: &by_code,
        reporter: s.reporter,
        channel: s.channel,
        by: s.actor.id().to_string(),
        hkid_key: key,
        hkids: &hkids,
        keys: &keys,
        open_by_id: open.iter().map(|c| (c.known.id.as_str(), c)).collect(),
        report_date,
        received_at: s.received_at,
    };
    let new_cases = plan.iter().enumerate().filter(|(k, d)| d.case == CaseRef::New(*k)).count() as i64;
    let mut rows = number(&mut tx, report_date.year(), todo.len() as i64, new_cases).await?;
    rows.build(&cx, &todo, &plan);
    write(&mut tx, &cx, &rows).await?;
    let refused = outcomes.iter().filter(|o| o.is_some()).count() + repeats.len();
    record(db, &mut tx, s, &rows, refused).await?;
    tx.commit().await?;
    for (i, ack) in rows.acks {
        outcomes[i] = Some(Outcome::Created(ack));
    }
    Ok(intake::finish(outcomes, &repeats))
}

/// Reads this reporter's earlier notifications with the request's reporter references, and
/// answers the replays among the items.
async fn answer_replays(
    tx: &mut Tx,
    reporter: &Reporter,
    sorted: &mut Sorted,
    by_code: &HashMap<&str, &Disease>,
) -> sqlx::Result<()> {
    let refs: Vec<String> = sorted.todo.iter().filter_map(|(_, v)| v.reporter_ref.clone()).collect();
    if refs.is_empty() {
        return Ok(());
    }
    let prior: HashMap<String, store::PriorNotification> = store::prior_notifications(tx, &reporter.id, &refs)
        .await?
        .into_iter()
        .map(|p| (p.reporter_ref.clone(), p))
        .collect();
    intake::answer_replays(sorted, &prior, by_code);
    Ok(())
}

/// The people matching the items' HKIDs or match keys, and their open cases.
async fn known(
    tx: &mut Tx,
    hkids: &[Option<String>],
    keys: &[Option<String>],
) -> sqlx::Result<(Vec<KnownPerson>, Vec<OpenCase>)> {
    let unique = |xs: &[Option<String>]| -> Vec<String> {
        let set: HashSet<&String> = xs.iter().flatten().collect();
        set.into_iter().cloned().collect()
    };
    let persons = store::persons_matching(tx, &unique(hkids), &unique(keys)).await?;
    let open = store::open_cases_of(tx, &persons.iter().map(|p| p.id.clone()).collect::<Vec<_>>()).await?;
    Ok((persons, open))
}

/// Takes the reference numbers: `notifications` notification numbers and `new_cases` case
/// numbers of `year`.
async fn number(tx: &mut Tx, year: i32, notifications: i64, new_cases: i64) -> sqlx::Result<Rows> {
    let last_nid = crate::store::take_numbers(tx, &format!("NID-{year}"), notifications).await?;
    let last_case =
        if new_cases > 0 { crate::store::take_numbers(tx, &format!("CASE-{year}"), new_cases).await? } else { 0 };
    Ok(Rows::numbered(year, last_nid - notifications, last_case - new_cases))
}

/// Writes every row, and moves the weekly counts and delay counts.
async fn write(tx: &mut Tx, cx: &Context<'_>, rows: &Rows) -> sqlx::Result<()> {
    store::insert_persons(tx, &rows.persons).await?;
    for (id, hmac, masked) in &rows.attach {
        store::attach_hkid(tx, id, hmac, masked).await?;
    }
    store::insert_cases(tx, &rows.cases).await?;
    for (id, (added, class, onset)) in &rows.merged_existing {
        store::merge_into_case(tx, id, *added, *class, onset.as_deref(), cx.received_at).await?;
    }
    cases::store::insert_classifications(tx, &rows.history).await?;
    store::insert_notifications(tx, &rows.notifications).await?;
    cases::store::insert_lab_results(tx, &rows.labs).await?;
    counts::store::apply_deltas(tx, &rows.weekly_deltas(cx).into_vec()).await?;
    counts::store::apply_delay_deltas(tx, &rows.delay_deltas(cx).into_vec()).await?;
    Ok(())
}

/// The audit entry: one notification names its person; a batch is summed up (`refused` items
/// were refused or repeated).
async fn record(db: &Db, tx: &mut Tx, s: &Submission<'_>, rows: &Rows, refused: usize) -> sqlx::Result<()> {
    let channel = s.channel.code();
    if rows.acks.len() == 1 {
        let n = &rows.notifications[0];
        let merged = if n.merged { " merged" } else { "" };
        let detail = format!("{channel} {} {}{merged}", n.disease, rows.acks[0].1.case_reference);
        let event = Event::new("notification.create", "notification", &n.reference)
            .person(&rows.ack_persons[0])
            .purpose("disease notification")
            .detail(&detail);
        audit::record(db, tx, s.actor, s.origin, event).await?;
    } else {
        let merged = rows.acks.iter().filter(|(_, a)| a.merged).count();
        let detail = format!(
            "{} notifications via {channel}: {} new cases, {merged} merged, {refused} refused or repeated",
            rows.acks.len(),
            rows.cases.len(),
        );
        let first = rows.acks.first().map(|a| a.1.reference.clone()).unwrap_or_default();
        let event =
            Event::new("notification.batch", "notification", &first).purpose("disease notification").detail(&detail);
        audit::record(db, tx, s.actor, s.origin, event).await?;
    }
    Ok(())
}
