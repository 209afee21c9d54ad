//! Group commit for bookings. On a surge, bookings that arrive while a transaction is being
//! written wait for the next one and are written together: one transaction takes each place
//! with its own conditional update (so capacity is guarded exactly as for a single booking),
//! then inserts the bookings, their confirmations and their audit entries with multi-row
//! statements. A single database writer (SQLite) then spends its time on bookings rather than
//! on a transaction's round trips. Nothing waits for a group when nothing else is pending.
//!
//! Each waiting booking carries everything it needs (checked and rendered beforehand); the
//! outcome comes back to its request. A group that fails as a whole is retried one booking at a
//! time, so one bad booking cannot fail the others.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::i18n::Locale;
use kernel::notify::{self, Channel};
use tokio::sync::oneshot;

use super::Booking;
use super::rules::Refusal;
use super::store;

/// Most bookings written in one transaction.
pub const MAX_GROUP: usize = 200;

/// A confirmation to send when the booking is written.
pub struct Notice {
    pub channel: Channel,
    pub recipient: String,
    pub locale: Locale,
    pub values: Vec<(&'static str, String)>,
}

/// A booking checked and ready to write.
pub struct Prepared {
    /// The booking as it will be stored (id and reference already chosen).
    pub booking: Booking,
    pub elderly: bool,
    /// The latest start the service's minimum notice allows.
    pub earliest: i64,
    pub booked_by: Actor,
    pub origin: Origin,
    pub notice: Option<Notice>,
}

/// What became of a booking.
#[derive(Debug)]
pub enum Outcome {
    /// Written, from this pool (`general`, `elderly`).
    Booked(&'static str),
    /// The conditional update found no room (or the slot closed): explain from a fresh read.
    NoRoom,
    Refused(Refusal),
}

struct Pending {
    p: Prepared,
    reply: oneshot::Sender<anyhow::Result<Outcome>>,
}

#[derive(Default)]
struct Group {
    queue: Mutex<Vec<Pending>>,
    running: AtomicBool,
}

/// Writes a prepared booking with whatever else is waiting, and returns its outcome.
pub async fn submit(state: &AppState, p: Prepared) -> anyhow::Result<Outcome> {
    let group = state.ext.get_or_init(Group::default);
    let (reply, outcome) = oneshot::channel();
    group.queue.lock().unwrap_or_else(|e| e.into_inner()).push(Pending { p, reply });
    if !group.running.swap(true, Ordering::SeqCst) {
        // The writer runs in its own task: a request that goes away mid-write (a closed
        // connection) cannot abandon the others' bookings.
        tokio::spawn(run(state.clone(), group.clone()));
    }
    outcome.await.map_err(|_| anyhow::anyhow!("the booking writer stopped"))?
}

async fn run(state: AppState, group: std::sync::Arc<Group>) {
    loop {
        let batch: Vec<Pending> = {
            let mut q = group.queue.lock().unwrap_or_else(|e| e.into_inner());
            let n = q.len().min(MAX_GROUP);
            q.drain(..n).collect()
        };
        if batch.is_empty() {
            group.running.store(false, Ordering::SeqCst);
            // A booking queued just before `running` went false would otherwise wait for ever.
            let more = !group.queue.lock().unwrap_or_else(|e| e.into_inner()).is_empty();
            if more && !group.running.swap(true, Ordering::SeqCst) {
                continue;
            }
            return;
        }
        write_group(&state, batch).await;
    }
}

async fn write_group(state: &AppState, batch: Vec<Pending>) {
    let (prepared, replies): (Vec<Prepared>, Vec<_>) = batch.into_iter().map(|b| (b.p, b.reply)).unzip();
    match write(state, &prepared).await {
        Ok(outcomes) => {
            state.wake_worker();
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) if prepared.len() > 1 => {
            tracing::warn!(error = %format!("{e:#}"), bookings = prepared.len(), "a booking group failed; writing one by one");
            for (p, reply) in prepared.into_iter().zip(replies) {
                let one = std::slice::from_ref(&p);
                let r = write(state, one).await.map(|mut o| o.remove(0));
                if r.is_ok() {
                    state.wake_worker();
                }
                let _ = reply.send(r);
            }
        }
        Err(e) => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(e));
            }
        }
    }
}

/// One transaction for the whole group.
async fn write(state: &AppState, group: &[Prepared]) -> anyhow::Result<Vec<Outcome>> {
    let db = &state.db;
    let mut tx = db.begin().await?;
    // The group ends by appending to the audit chain, which replicas take in turn; taking that
    // turn first means two replicas' groups never hold places the other is waiting for.
    db.lock_in_tx(&mut tx, "audit_log").await?;
    let (mut outcomes, taken) = take_places(&mut tx, group).await?;
    let rows: Vec<(&Booking, &str, &str)> = taken
        .iter()
        .map(|&i| {
            let pool = match outcomes[i] {
                Outcome::Booked(pool) => pool,
                _ => "general",
            };
            (&group[i].booking, group[i].booked_by.id(), pool)
        })
        .collect();
    let inserted = store::insert_bookings(&mut tx, &rows).await?;
    // Should the unique index still say no (a booking written meanwhile by another replica),
    // the place goes back.
    let mut written = vec![];
    for &i in &taken {
        if inserted.contains(&group[i].booking.id) {
            written.push(i);
        } else {
            if let Outcome::Booked(pool) = outcomes[i] {
                store::release_place(&mut tx, &group[i].booking.slot_id, pool).await?;
            }
            outcomes[i] = Outcome::Refused(Refusal::AlreadyBooked);
        }
    }
    confirm_and_audit(db, &mut tx, group, &written, &outcomes).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Takes the group's places: refuses people who already hold a booking of the service, then
/// takes places round by round (slot by slot within a round). Returns each request's outcome and
/// the requests that took a place, in order.
async fn take_places(tx: &mut kernel::Tx, group: &[Prepared]) -> anyhow::Result<(Vec<Outcome>, Vec<usize>)> {
    let mut outcomes: Vec<Option<Outcome>> = (0..group.len()).map(|_| None).collect();
    let mut taken = vec![];
    // One active booking per person and service: refuse before taking a place, so that no
    // place is held (and others turned away) for a booking that cannot stand — whether the
    // person booked earlier or twice in this group.
    let people: Vec<&str> = group.iter().map(|p| p.booking.citizen_id.as_str()).collect();
    let holding: std::collections::HashSet<(String, String)> =
        store::active_bookings_of(tx, &people).await?.into_iter().collect();
    // A person asking for several times of the same service in this group gets the first one
    // (in order of arrival) that has room: round r tries each person's r-th request. Within a
    // round, places are taken slot by slot in one order, so that groups written at the same
    // time by several replicas do not wait on each other in a circle.
    let mut requests: std::collections::HashMap<(&str, &str), Vec<usize>> = Default::default();
    for (i, p) in group.iter().enumerate() {
        let key = (p.booking.citizen_id.as_str(), p.booking.service.as_str());
        if holding.contains(&(key.0.to_string(), key.1.to_string())) {
            outcomes[i] = Some(Outcome::Refused(Refusal::AlreadyBooked));
        } else {
            requests.entry(key).or_default().push(i);
        }
    }
    let rounds = requests.values().map(Vec::len).max().unwrap_or(0);
    let mut booked_people: std::collections::HashSet<(&str, &str)> = Default::default();
    for r in 0..rounds {
        let mut round: Vec<usize> = requests
            .iter()
            .filter(|(key, _)| !booked_people.contains(*key))
            .filter_map(|(_, reqs)| reqs.get(r).copied())
            .collect();
        round.sort_by(|a, b| group[*a].booking.slot_id.cmp(&group[*b].booking.slot_id).then(a.cmp(b)));
        for i in round {
            let p = &group[i];
            outcomes[i] = Some(match store::take_place(tx, &p.booking.slot_id, p.elderly, p.earliest).await? {
                Some(pool) => {
                    taken.push(i);
                    booked_people.insert((p.booking.citizen_id.as_str(), p.booking.service.as_str()));
                    Outcome::Booked(pool)
                }
                None => Outcome::NoRoom,
            });
        }
    }
    // Requests of people who got an earlier one in this group.
    for o in outcomes.iter_mut().filter(|o| o.is_none()) {
        *o = Some(Outcome::Refused(Refusal::AlreadyBooked));
    }
    taken.sort_unstable();
    let outcomes: Vec<Outcome> = outcomes.into_iter().map(|o| o.unwrap_or(Outcome::NoRoom)).collect();
    Ok((outcomes, taken))
}

/// Queues the written bookings' confirmations and appends their audit entries.
async fn confirm_and_audit(
    db: &kernel::Db,
    tx: &mut kernel::Tx,
    group: &[Prepared],
    written: &[usize],
    outcomes: &[Outcome],
) -> anyhow::Result<()> {
    let messages: Vec<(Vec<(&str, &str)>, &Notice)> = written
        .iter()
        .filter_map(|&i| group[i].notice.as_ref())
        .map(|n| (n.values.iter().map(|(k, v)| (*k, v.as_str())).collect(), n))
        .collect();
    let messages: Vec<notify::Message> = messages
        .iter()
        .map(|(values, n)| notify::Message {
            channel: n.channel,
            recipient: &n.recipient,
            locale: n.locale,
            template: "clinic-booked",
            values,
        })
        .collect();
    notify::enqueue_many(tx, &messages).await?;
    let details: Vec<String> = written
        .iter()
        .map(|&i| {
            let b = &group[i].booking;
            let pool = match outcomes[i] {
                Outcome::Booked(pool) => pool,
                _ => "",
            };
            format!("{} at {} ({}, {pool} pool)", b.reference, b.service_point, b.channel)
        })
        .collect();
    let events: Vec<(Actor, Origin, Event)> = written
        .iter()
        .zip(&details)
        .map(|(&i, detail)| {
            let p = &group[i];
            (
                p.booked_by.clone(),
                p.origin.clone(),
                Event::new("booking.create", "booking", &p.booking.id).person(&p.booking.citizen_id).detail(detail),
            )
        })
        .collect();
    audit::record_many(db, tx, &events).await?;
    Ok(())
}
