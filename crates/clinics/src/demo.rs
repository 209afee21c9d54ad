//! Demo data for the walk-in queue: rooms at a few clinics, two weeks of queue history for the
//! analytics, and a live queue this morning (some people served, some called, some waiting).
//! Deterministic: the same seed gives the same queues.

use kernel::AppState;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::model::{Room, Ticket};
use crate::queue::{self, Priority};
use crate::{queues, store};

/// Service points with a demo queue, and their rooms: (English, Chinese, services).
const QUEUES: &[(&str, &[(&str, &str, &[&str])])] = &[
    (
        "MCHC-KT",
        &[
            ("Registration counter", "登記櫃位", &[queue::ENQUIRY]),
            ("Room 1", "一號房", &["mchc_child", "mchc_antenatal"]),
            ("Room 2", "二號房", &["mchc_child"]),
        ],
    ),
    ("EHC-WC", &[("Registration counter", "登記櫃位", &[queue::ENQUIRY]), ("Room 1", "一號房", &["ehc_assessment"])]),
    ("DC-KT", &[("Registration counter", "登記櫃位", &[queue::ENQUIRY]), ("Surgery 1", "一號診症室", &["dental_gp"])]),
];

pub async fn seed_queues(state: &AppState, seed: u64) -> anyhow::Result<()> {
    let db = &state.db;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5155_4555);
    let now = kernel::now_ms();
    let today = kernel::hk::today();
    for (code, rooms) in QUEUES {
        let Some(point) = kernel::directory::service_point(db, code).await? else { continue };
        if !store::queue_rooms(db, code).await?.is_empty() {
            continue; // seeded before
        }
        let services = queues::services_of(state, &point.kind).await?;
        let mut tx = db.begin().await?;
        let mut made = vec![];
        for (i, (en, zh, svcs)) in rooms.iter().enumerate() {
            let room = Room {
                id: format!("demo-{code}-{i}"),
                service_point: code.to_string(),
                name_en: en.to_string(),
                name_zh: zh.to_string(),
                services: svcs.iter().map(|s| s.to_string()).collect(),
            };
            store::insert_room(&mut tx, &room, now - 30 * 86_400_000).await?;
            made.push(room);
        }
        // Two weeks of mornings, then this morning up to now.
        for back in (0..=14).rev() {
            let day = today - chrono::Duration::days(back);
            let mut opens = crate::api::day_range(day, 1).0 + 9 * 3_600_000;
            let mut until = opens + 3 * 3_600_000;
            if back == 0 {
                // Today's queue runs up to now (in the last two hours if it is not morning).
                until = until.min(now);
                if until <= opens + 30 * 60_000 {
                    (opens, until) = (now - 2 * 3_600_000, now);
                }
            }
            // Arrivals of every service through the morning, one every few minutes.
            let mut arrivals: Vec<(i64, &queues::QueueService)> = vec![];
            for s in &services {
                let rooms_for = made.iter().filter(|r| r.services.contains(&s.code)).count().max(1) as f64;
                let mut at = opens + rng.random_range(0..10) * 60_000;
                while at < until {
                    arrivals.push((at, s));
                    // This morning people come faster than they are seen, so a queue is waiting.
                    let pace = if back == 0 { rng.random_range(0.4..0.9) } else { rng.random_range(0.7..1.5) };
                    at += (queue::typical_minutes(&s.code) / rooms_for * pace * 60_000.0) as i64;
                }
            }
            arrivals.sort_by_key(|a| a.0);
            let mut free_at: std::collections::HashMap<&str, i64> =
                made.iter().map(|r| (r.id.as_str(), opens)).collect();
            let mut holding: std::collections::HashSet<&str> = Default::default();
            let mut numbers = std::collections::HashMap::new();
            for (at, s) in arrivals {
                let n = numbers.entry(s.letter).or_insert(0i64);
                *n += 1;
                // The room serving this service that frees up first takes the person.
                let Some(room) =
                    made.iter().filter(|r| r.services.contains(&s.code)).min_by_key(|r| free_at[r.id.as_str()])
                else {
                    continue;
                };
                let start = free_at[room.id.as_str()].max(at) + rng.random_range(0..3) * 60_000;
                let serve = (queue::typical_minutes(&s.code) * rng.random_range(0.6..1.4) * 60_000.0) as i64;
                let (status, called, done) = if start + serve <= now {
                    ("done", Some(start), Some(start + serve))
                } else if start <= now && holding.insert(room.id.as_str()) {
                    ("called", Some(start), None)
                } else {
                    ("waiting", None, None)
                };
                if status != "waiting" {
                    free_at.insert(room.id.as_str(), start + serve);
                }
                let priority = if rng.random_bool(0.2) { Priority::Elderly } else { Priority::General };
                let t = Ticket {
                    id: kernel::new_id(),
                    token: kernel::identity::session::random_token(),
                    service_point: code.to_string(),
                    service: s.code.clone(),
                    day: day.to_string(),
                    number: queue::number(s.letter, *n),
                    priority: priority.code().into(),
                    rank: priority.rank(),
                    channel: if rng.random_bool(0.8) { "kiosk".into() } else { "counter".into() },
                    status: status.into(),
                    room_id: called.map(|_| room.id.clone()),
                    lang: if rng.random_bool(0.7) { "zh-Hant-HK".into() } else { "en".into() },
                    issued_at: at,
                    queued_at: at,
                    first_called_at: called,
                    called_at: called,
                    done_at: done,
                    calls: called.map_or(0, |_| 1),
                };
                store::insert_ticket(&mut tx, &t, "demo").await?;
                store::insert_queue_event(&mut tx, &t, "issued", "demo", at).await?;
                if let Some(c) = called {
                    store::insert_queue_event(&mut tx, &t, "called", "demo", c).await?;
                }
                if let Some(d) = done {
                    store::insert_queue_event(&mut tx, &t, "done", "demo", d).await?;
                }
            }
            for (letter, last) in numbers {
                store::set_ticket_number(&mut tx, code, &day.to_string(), letter, last).await?;
            }
        }
        store::bump_queue_version(&mut tx, code).await?;
        tx.commit().await?;
    }
    Ok(())
}
