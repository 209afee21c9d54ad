//! Demo data for the walk-in queue: rooms at a few clinics, two weeks of queue history for the
//! analytics, and a live queue this morning (some people served, some called, some waiting).
//! Deterministic: the same seed gives the same queues.

pub mod store;

use chrono::Datelike;
use kernel::AppState;
use kernel::people::SyntheticFilter;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::queue::rules::Priority;
use crate::queue::service as queues;
use crate::queue::{Room, Ticket, TicketChannel, TicketStatus};

/// A room: (English name, Chinese name, queue services it calls).
type DemoRoom = (&'static str, &'static str, &'static [&'static str]);

/// Service points with a demo queue, and their rooms.
const QUEUES: &[(&str, &[DemoRoom])] = &[
    (
        "MCHC-KT",
        &[
            ("Registration counter", "登記櫃位", &[crate::queue::rules::ENQUIRY]),
            ("Room 1", "一號房", &["mchc_child", "mchc_antenatal"]),
            ("Room 2", "二號房", &["mchc_child"]),
        ],
    ),
    (
        "EHC-WC",
        &[
            ("Registration counter", "登記櫃位", &[crate::queue::rules::ENQUIRY]),
            ("Room 1", "一號房", &["ehc_assessment"]),
        ],
    ),
    (
        "DC-KT",
        &[
            ("Registration counter", "登記櫃位", &[crate::queue::rules::ENQUIRY]),
            ("Surgery 1", "一號診症室", &["dental_gp"]),
        ],
    ),
];

/// A clinic's demo rooms, registered a month ago.
async fn insert_rooms(tx: &mut kernel::Tx, code: &str, rooms: &[DemoRoom], now: i64) -> anyhow::Result<Vec<Room>> {
    let mut made = vec![];
    for (i, (en, zh, svcs)) in rooms.iter().enumerate() {
        let room = Room {
            id: format!("demo-{code}-{i}"),
            service_point: code.to_string(),
            name_en: en.to_string(),
            name_zh: zh.to_string(),
            services: svcs.iter().map(|s| s.to_string()).collect(),
        };
        crate::queue::store::insert_room(tx, &room, now - 30 * 86_400_000).await?;
        made.push(room);
    }
    Ok(made)
}

/// When a demo morning's queue runs: 09:00 to 12:00, and today up to now (in the last two hours
/// if it is not morning).
fn morning(day: chrono::NaiveDate, back: i64, now: i64) -> (i64, i64) {
    let mut opens = kernel::hk::day_range(day, 1).0 + 9 * 3_600_000;
    let mut until = opens + 3 * 3_600_000;
    if back == 0 {
        until = until.min(now);
        if until <= opens + 30 * 60_000 {
            (opens, until) = (now - 2 * 3_600_000, now);
        }
    }
    (opens, until)
}

/// Arrivals of every service through the morning, one every few minutes (faster than people
/// are seen this morning, so that a queue is waiting).
fn arrivals<'a>(
    rng: &mut StdRng,
    services: &'a [queues::QueueService],
    made: &[Room],
    opens: i64,
    until: i64,
    today: bool,
) -> Vec<(i64, &'a queues::QueueService)> {
    let mut arrivals = vec![];
    for s in services {
        let rooms_for = made.iter().filter(|r| r.services.contains(&s.code)).count().max(1) as f64;
        let mut at = opens + rng.random_range(0..10) * 60_000;
        while at < until {
            arrivals.push((at, s));
            let pace = if today { rng.random_range(0.4..0.9) } else { rng.random_range(0.7..1.5) };
            at += (crate::queue::rules::typical_minutes(&s.code) / rooms_for * pace * 60_000.0) as i64;
        }
    }
    arrivals
}

pub async fn seed_queues(state: &AppState, seed: u64) -> anyhow::Result<()> {
    let db = &state.db;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5155_4555);
    let now = kernel::now_ms();
    let today = kernel::hk::today();
    for (code, rooms) in QUEUES {
        let Some(point) = kernel::directory::service_point(db, code).await? else { continue };
        if !crate::queue::store::queue_rooms(db, code).await?.is_empty() {
            continue; // seeded before
        }
        let services = queues::services_of(state, &point.kind).await?;
        let mut tx = db.begin().await?;
        let made = insert_rooms(&mut tx, code, rooms, now).await?;
        // Two weeks of mornings, then this morning up to now.
        for back in (0..=14).rev() {
            let day = today - chrono::Duration::days(back);
            let (opens, until) = morning(day, back, now);
            let mut arrivals = arrivals(&mut rng, &services, &made, opens, until, back == 0);
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
                let serve =
                    (crate::queue::rules::typical_minutes(&s.code) * rng.random_range(0.6..1.4) * 60_000.0) as i64;
                let (status, called, done) = if start + serve <= now {
                    (TicketStatus::Done, Some(start), Some(start + serve))
                } else if start <= now && holding.insert(room.id.as_str()) {
                    (TicketStatus::Called, Some(start), None)
                } else {
                    (TicketStatus::Waiting, None, None)
                };
                if status != TicketStatus::Waiting {
                    free_at.insert(room.id.as_str(), start + serve);
                }
                let priority = if rng.random_bool(0.2) { Priority::Elderly } else { Priority::General };
                let t = Ticket {
                    id: kernel::new_id(),
                    token: kernel::identity::session::random_token(),
                    service_point: code.to_string(),
                    service: s.code.clone(),
                    day: day.to_string(),
                    number: crate::queue::rules::number(s.letter, *n),
                    priority: priority.code().into(),
                    rank: priority.rank(),
                    channel: if rng.random_bool(0.8) { TicketChannel::Kiosk } else { TicketChannel::Counter },
                    status,
                    room_id: called.map(|_| room.id.clone()),
                    lang: if rng.random_bool(0.7) { "zh-Hant-HK".into() } else { "en".into() },
                    issued_at: at,
                    queued_at: at,
                    first_called_at: called,
                    called_at: called,
                    done_at: done,
                    calls: called.map_or(0, |_| 1),
                };
                crate::queue::store::insert_ticket(&mut tx, &t, "demo").await?;
                crate::queue::store::insert_queue_event(&mut tx, &t, "issued", "demo", at).await?;
                if let Some(c) = called {
                    crate::queue::store::insert_queue_event(&mut tx, &t, "called", "demo", c).await?;
                }
                if let Some(d) = done {
                    crate::queue::store::insert_queue_event(&mut tx, &t, "done", "demo", d).await?;
                }
            }
            for (letter, last) in numbers {
                crate::queue::store::set_ticket_number(&mut tx, code, &day.to_string(), letter, last).await?;
            }
        }
        crate::queue::store::bump_queue_version(&mut tx, code).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Demo fridges: (clinic, name, device id, what happens to it).
const FRIDGES: &[(&str, &str, &str, Story)] = &[
    ("MCHC-KT", "Vaccine fridge A", "FR-MCHC-KT-A", Story::PastExcursion),
    ("MCHC-KT", "Vaccine fridge B", "FR-MCHC-KT-B", Story::WarmingNow),
    ("EHC-WC", "Influenza vaccine fridge", "FR-EHC-WC-1", Story::Silent),
    ("MCHC-YMT", "Vaccine fridge", "FR-MCHC-YMT-1", Story::Steady),
];

#[derive(Clone, Copy, PartialEq)]
enum Story {
    Steady,
    /// Door left open two days ago: 35 minutes up to about 10.4 °C, acknowledged, a lot quarantined.
    PastExcursion,
    /// Warming for the last 25 minutes: an alarm nobody has acknowledged yet.
    WarmingNow,
    /// The sensor stopped 40 minutes ago: an offline alarm opens within a minute of starting.
    Silent,
}

/// A fridge's temperature at `at` under its story: 5 °C with a daily swing and a little noise.
fn temperature(story: Story, at: i64, now: i64, rng: &mut StdRng) -> f64 {
    let day = 86_400_000.0;
    let base = 5.0 + 0.6 * (2.0 * std::f64::consts::PI * (at as f64 % day) / day).sin() + rng.random_range(-0.25..0.25);
    let minutes_ago = (now - at) as f64 / 60_000.0;
    match story {
        Story::PastExcursion => {
            let into = 2.0 * 24.0 * 60.0 - minutes_ago; // minutes since the door opened
            if (0.0..35.0).contains(&into) { 8.6 + 1.8 * (into / 35.0 * std::f64::consts::PI).sin() } else { base }
        }
        Story::WarmingNow if minutes_ago < 25.0 => {
            7.6 + (25.0 - minutes_ago) / 25.0 * 1.8 + rng.random_range(-0.1..0.1)
        }
        _ => base,
    }
}

/// Four fridges with seven days of readings every five minutes, their alarms and vaccine lots.
pub async fn seed_fridges(state: &AppState, seed: u64) -> anyhow::Result<()> {
    use kernel::audit::{Actor, Origin};
    let db = &state.db;
    if crate::coldchain::store::fridge_by_device(db, FRIDGES[0].2).await?.is_some() {
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0xC0FF_EE00);
    let now = kernel::now_ms();
    let start = now - 7 * 86_400_000;
    let mut batch = vec![];
    for (point, name, device, story) in FRIDGES {
        if kernel::directory::service_point(db, point).await?.is_none() {
            continue;
        }
        let new = crate::coldchain::service::NewFridge {
            point,
            name,
            device_id: device,
            limits: crate::coldchain::rules::VACCINE,
            contact: Some("clinic.manager@phos.example"),
            contact_lang: kernel::i18n::Locale::En,
        };
        let (fridge, _key) = crate::coldchain::service::register(state, new, &Actor::System, &Origin::system()).await?;
        let mut tx = db.begin().await?;
        // Registered a month ago.
        store::set_fridge_created_at(&mut tx, &fridge.id, now - 30 * 86_400_000).await?;
        for (i, (product, doses)) in
            [("MMR (measles, mumps, rubella)", 60), ("DTaP-IPV", 80), ("Influenza 2026/27", 120)].iter().enumerate()
        {
            let lot = crate::coldchain::VaccineLot {
                id: kernel::new_id(),
                fridge_id: fridge.id.clone(),
                product: product.to_string(),
                lot_number: format!("{}{:04}", &device[3..5], 1200 + i * 37),
                doses: *doses,
                expiry: (kernel::hk::today() + chrono::Duration::days(200 + 30 * i as i64)).to_string(),
                status: "available".into(),
                alarm_id: None,
                status_at: None,
                reason: None,
            };
            crate::coldchain::store::insert_lot(&mut tx, &lot, now - 20 * 86_400_000).await?;
        }
        tx.commit().await?;
        let until = if *story == Story::Silent { now - 40 * 60_000 } else { now };
        let mut at = start;
        while at <= until {
            let t = (temperature(*story, at, now, &mut rng) * 10.0).round() / 10.0;
            batch.push((device.to_string(), crate::coldchain::rules::Reading { at, temp_c: t }));
            at += 5 * 60_000;
        }
    }
    crate::coldchain::service::ingest(state, &batch, "demo").await?;
    // The door left open two days ago was dealt with: acknowledged, its MMR lot quarantined.
    if let Some((f, _)) = crate::coldchain::store::fridge_by_device(db, FRIDGES[0].2).await?
        && let Some(alarm) =
            crate::coldchain::store::alarms_of(db, &f.id, 10).await?.into_iter().find(|a| a.ended_at.is_some())
    {
        let note = "Door left ajar after a delivery; closed and checked the thermometer.";
        crate::coldchain::service::acknowledge(state, &alarm, note, &Actor::System, &Origin::system())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(lot) = crate::coldchain::store::lots_of(db, &f.id).await?.into_iter().next() {
            crate::coldchain::service::set_lot(
                state,
                &lot.id,
                "quarantined",
                Some(&alarm.id),
                "Excursion to 10.4 °C for 35 minutes; awaiting the manufacturer's advice",
                &Actor::System,
                &Origin::system(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}

/// Keeps the demo fridges reporting once a minute while `phos demo` runs (the silent one stays
/// silent), so their pages and alarms stay live.
pub async fn simulate_fridges(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut rng = StdRng::seed_from_u64(kernel::now_ms() as u64);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let now = kernel::now_ms();
        let batch: Vec<_> = FRIDGES
            .iter()
            .filter(|f| f.3 != Story::Silent)
            .map(|(_, _, device, story)| {
                // The warming fridge stays warm until someone deals with it.
                let t = if *story == Story::WarmingNow {
                    9.2 + rng.random_range(-0.2..0.2)
                } else {
                    temperature(Story::Steady, now, now, &mut rng)
                };
                (device.to_string(), crate::coldchain::rules::Reading { at: now, temp_c: (t * 10.0).round() / 10.0 })
            })
            .collect();
        if let Err(e) = crate::coldchain::service::ingest(&state, &batch, "demo").await {
            tracing::warn!(error = %e, "demo fridge readings not stored");
        }
    }
}

/// Bookings for the coming ten days: each slot's general places filled to between 30 % and 90 %
/// by eligible synthetic citizens (65+ for elderly health assessments, children up to 5 for child
/// health), one active booking per person per service, mostly online and some at the counter.
/// Slots that already have bookings or a ballot are left alone, so a second run adds nothing.
pub async fn seed_bookings(state: &AppState, seed: u64) -> anyhow::Result<usize> {
    let db = &state.db;
    let now = kernel::now_ms();
    let today = kernel::hk::today();
    let years_ago = |y: i32| today.with_year(today.year() - y).unwrap_or(today).to_string();
    let mut rng = StdRng::seed_from_u64(seed ^ 0xB00C);
    let slots = store::unbooked_slots_between(db, now + 3_600_000, now + 10 * 86_400_000).await?;
    let mut people: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    let mut rows = vec![];
    for (slot, service, point, general) in slots {
        if !people.contains_key(&service) {
            let (from, to) = match service.as_str() {
                "ehc_assessment" => ("1900-01-01".to_string(), years_ago(65)),
                "mchc_child" => (years_ago(5), today.to_string()),
                _ => ("1900-01-01".to_string(), years_ago(18)),
            };
            let engaged = store::engaged_in(db, &service).await?;
            let filter =
                SyntheticFilter { born_from: Some(&from), born_to: Some(&to), descending: true, ..Default::default() };
            let free = kernel::people::synthetic_ids(db, &filter).await?.into_iter().filter(|id| !engaged.contains(id));
            people.insert(service.clone(), free.collect());
        }
        let pool = people.get_mut(&service).expect("filled above");
        let want = ((general as f64) * rng.random_range(0.3..0.9)).round() as usize;
        for _ in 0..want.min(pool.len()) {
            let who = pool.pop().expect("checked length");
            let channel = if rng.random_bool(0.15) { "counter" } else { "online" };
            let made = now - rng.random_range(0..5 * 86_400_000);
            rows.push((slot.clone(), service.clone(), point.clone(), who, channel, made));
        }
    }
    let mut tx = db.begin().await?;
    store::insert_demo_bookings(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// Demo data: a weekly timetable for every service at every service point, and its slots for
/// the coming weeks. Idempotent (session ids are derived from the service point and service).
pub async fn seed_demo(state: &AppState) -> anyhow::Result<u64> {
    let db = &state.db;
    let today = kernel::hk::today();
    let valid_from = today.to_string();
    let valid_to = (today + chrono::Duration::days(180)).to_string();
    let points = kernel::directory::service_points(db, None, None).await?;
    let services = crate::booking::store::services(db).await?;
    let mut tx = db.begin().await?;
    for p in &points {
        for s in services.iter().filter(|s| s.point_kind == p.kind) {
            // (weekdays, start, end, slot minutes, capacity, walk-in pool, 65+ pool)
            let plan: (&[i64], &str, &str, i64, i64, i64, i64) = match s.code.as_str() {
                "dental_gp" => (&[1, 2, 3, 4, 5], "09:00", "12:00", 180, 40, 8, 8),
                "ehc_assessment" => (&[1, 2, 3, 4, 5], "09:00", "12:00", 30, 2, 0, 0),
                "mchc_child" => (&[1, 2, 3, 4, 5], "09:00", "12:00", 15, 3, 1, 0),
                _ => (&[2, 4], "14:00", "16:00", 20, 2, 0, 0),
            };
            for weekday in plan.0 {
                let session = crate::booking::Session {
                    id: format!("demo-{}-{}-{weekday}", p.code, s.code),
                    service_point: p.code.clone(),
                    service: s.code.clone(),
                    weekday: *weekday,
                    start_time: plan.1.into(),
                    end_time: plan.2.into(),
                    slot_minutes: plan.3,
                    capacity: plan.4,
                    pool_walkin: plan.5,
                    pool_elderly: plan.6,
                    valid_from: valid_from.clone(),
                    valid_to: valid_to.clone(),
                };
                crate::booking::store::insert_session(&mut tx, &session, "demo").await?;
            }
        }
    }
    tx.commit().await?;
    let created =
        crate::booking::store::generate_slots(db, None, today, today + chrono::Duration::days(crate::HORIZON_DAYS))
            .await?;
    seed_demo_ballots(db).await?;
    seed_demo_waitlist(state).await?;
    seed_queues(state, 42).await?;
    seed_fridges(state, 42).await?;
    let booked = seed_bookings(state, 42).await?;
    tracing::info!(booked, "demo bookings for the coming ten days");
    Ok(created)
}

/// A long waitlist for elderly health assessments at Wan Chai Elderly Health Centre (150 people
/// aged 65+), with 90 days of places freed by cancellations so positions come with an estimate.
async fn seed_demo_waitlist(state: &AppState) -> anyhow::Result<()> {
    use kernel::audit::{Actor, Origin};
    let db = &state.db;
    let point = "EHC-WC";
    let slots = store::first_slots_of(db, point, "ehc_assessment", 26).await?;
    let elders = kernel::people::synthetic_ids(
        db,
        &SyntheticFilter { born_to: Some("1955-01-01"), limit: Some(176), ..Default::default() },
    )
    .await?;
    let history = slots.len().min(elders.len() / 4);
    if history == 0 {
        return Ok(());
    }
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    for (i, (slot, who)) in slots.iter().zip(&elders).take(history).enumerate() {
        // Booked, then cancelled some time in the last 90 days: a place freed.
        let at = now - (i as i64 * 3 + 1) * 86_400_000;
        store::insert_cancelled_assessment(&mut tx, slot, point, who, &crate::booking::rules::new_reference(), at)
            .await?;
    }
    tx.commit().await?;
    for who in &elders[history..] {
        crate::waitlist::service::join(
            state,
            point,
            "ehc_assessment",
            who,
            &Actor::Citizen(who.clone()),
            &Origin::system(),
        )
        .await
        .ok();
    }
    Ok(())
}

/// One ballot open for registration at Kwun Tong Dental Clinic, and one already drawn at
/// Kowloon City Dental Clinic with a few hundred synthetic registrants.
async fn seed_demo_ballots(db: &kernel::Db) -> anyhow::Result<()> {
    use kernel::audit::{Actor, Origin};
    let now = kernel::now_ms();
    let pick = |point: &'static str| store::first_open_slot_after(db, point, "dental_gp", now + 4 * 24 * 3_600_000);
    if let Some(slot) = pick("DC-KT").await? {
        crate::ballot::service::create(db, &slot, 24, now, now + 3 * 24 * 3_600_000, &Actor::System, &Origin::system())
            .await?;
    }
    if let Some(slot) = pick("DC-KC").await? {
        let id = crate::ballot::service::create(
            db,
            &slot,
            24,
            now - 3_600_000,
            now + 60_000,
            &Actor::System,
            &Origin::system(),
        )
        .await?;
        let people = kernel::people::synthetic_ids(
            db,
            &SyntheticFilter { district: Some("KC"), limit: Some(300), ..Default::default() },
        )
        .await?;
        for p in &people {
            crate::ballot::service::register(db, &id, p, &Actor::Citizen(p.clone()), &Origin::system()).await?;
        }
        crate::ballot::store::set_closes_at(db, &id, now - 1).await?;
        crate::ballot::service::draw(db, &id, &Actor::System, &Origin::system()).await?;
    }
    Ok(())
}
