//! Smart clinics: services with an eligibility statement shown before booking, recurring
//! sessions that generate slots (skipping holidays and closures), booking that never oversells
//! (one conditional update per place), reserved pools for walk-ins and people aged 65+,
//! per-service rules, confirmations in the person's language, cancel and reschedule, and the
//! staff's day list with capacity and attendance.

pub mod actions;
pub mod answer_pages;
pub mod api;
pub mod ballot;
pub mod ballot_pages;
pub mod ballots;
pub mod booking;
pub mod booking_group;
pub mod chart;
pub mod closures;
pub mod coldchain;
pub mod counter_pages;
pub mod demo;
pub mod fhir;
pub mod fridge_pages;
pub mod fridges;
pub mod model;
pub mod mqtt;
pub mod noshow;
pub mod noshows;
pub mod pages;
pub mod queue;
pub mod queue_pages;
pub mod queues;
pub mod reminders;
pub mod schedule;
pub mod store;
pub mod waitlist;
pub mod waitlist_pages;
pub mod waitlists;

use kernel::area::{Audience, HomeCard};
use kernel::identity::Routes;
use kernel::jobs::{JobCtx, JobError, Registry};
use kernel::{AppState, Area};

/// How far ahead slots are generated.
pub const HORIZON_DAYS: i64 = 28;
pub const GENERATE_JOB: &str = "clinics.generate-slots";

fluent_templates::static_loader! {
    pub static CATALOGUE = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub fn area() -> Area {
    Area {
        name: "clinics",
        migrations: vec![
            kernel::migration!("clinics", 1, "0001_clinics.sql"),
            kernel::migration!("clinics", 2, "0002_ballots.sql"),
            kernel::migration!("clinics", 3, "0003_reminders.sql"),
            kernel::migration!("clinics", 4, "0004_waitlist.sql"),
            kernel::migration!("clinics", 5, "0005_fhir.sql"),
            kernel::migration!("clinics", 6, "0006_queue.sql"),
            kernel::migration!("clinics", 7, "0007_coldchain.sql"),
        ],
        routes,
        jobs,
        home: vec![
            HomeCard {
                audience: Audience::Public,
                title_key: "clinics-home-book",
                description_key: "clinics-home-book-desc",
                href: "/service-points",
            },
            HomeCard {
                audience: Audience::Public,
                title_key: "clinics-home-mine",
                description_key: "clinics-home-mine-desc",
                href: "/bookings",
            },
            HomeCard {
                audience: Audience::Public,
                title_key: "clinics-home-ballots",
                description_key: "clinics-home-ballots-desc",
                href: "/ballots",
            },
            HomeCard {
                audience: Audience::Staff,
                title_key: "clinics-home-staff",
                description_key: "clinics-home-staff-desc",
                href: "/staff/clinics",
            },
        ],
        catalogue: Some(&CATALOGUE),
    }
}

fn routes() -> Routes {
    api::routes()
        .merge(pages::routes())
        .merge(ballot_pages::routes())
        .merge(answer_pages::routes())
        .merge(waitlist_pages::routes())
        .merge(counter_pages::routes())
        .merge(queue_pages::routes())
        .merge(fridge_pages::routes())
        .merge(fhir::routes())
}

pub const DRAW_JOB: &str = "clinics.draw-due-ballots";
pub const CLOSURE_JOB: &str = "clinics.cancel-for-closure";

fn jobs(r: &mut Registry) {
    r.handle(GENERATE_JOB, generate);
    r.every("clinics.generate-daily", "0 15 1 * * *", GENERATE_JOB, serde_json::json!({}));
    r.handle(DRAW_JOB, draw_due);
    r.handle(CLOSURE_JOB, closures::on_closure);
    r.handle(reminders::REMIND_JOB, reminders::send_due);
    r.every("clinics.reminders-every-5-minutes", "0 */5 * * * *", reminders::REMIND_JOB, serde_json::json!({}));
    r.subscribe(kernel::hk::store::CLOSURE_DECLARED, CLOSURE_JOB);
    r.every("clinics.draw-every-minute", "0 * * * * *", DRAW_JOB, serde_json::json!({}));
    r.handle(waitlists::NOTIFY_JOB, waitlists::notify_offer);
    r.handle(waitlists::EXPIRE_JOB, waitlists::expire_due);
    r.every("clinics.expire-offers-every-minute", "30 * * * * *", waitlists::EXPIRE_JOB, serde_json::json!({}));
    r.handle(fridges::WATCH_JOB, fridges::watch);
    r.every("clinics.watch-fridges-every-minute", "15 * * * * *", fridges::WATCH_JOB, serde_json::json!({}));
}

/// Draws every ballot whose registration has closed.
async fn draw_due(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let now = kernel::now_ms();
    for b in ballots::ballots(&ctx.state.db).await? {
        if b.status == "open" && b.closes_at <= now {
            ballots::draw(&ctx.state.db, &b.id, &kernel::audit::Actor::System, &kernel::audit::Origin::system())
                .await?;
            tracing::info!(ballot = %b.id, "ballot drawn");
        }
    }
    Ok(())
}

/// Creates the slots of the coming weeks (idempotent).
async fn generate(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let today = kernel::hk::today();
    let n = store::generate_slots(&ctx.state.db, None, today, today + chrono::Duration::days(HORIZON_DAYS)).await?;
    tracing::info!(created = n, "generated clinic slots");
    Ok(())
}

/// Demo data: a weekly timetable for every service at every service point, and its slots for
/// the coming weeks. Idempotent (session ids are derived from the service point and service).
pub async fn seed_demo(state: &AppState) -> anyhow::Result<u64> {
    let db = &state.db;
    let today = kernel::hk::today();
    let valid_from = today.to_string();
    let valid_to = (today + chrono::Duration::days(180)).to_string();
    let points = kernel::directory::service_points(db, None, None).await?;
    let services = store::services(db).await?;
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
                let session = model::Session {
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
                store::insert_session(&mut tx, &session, "demo").await?;
            }
        }
    }
    tx.commit().await?;
    let created = store::generate_slots(db, None, today, today + chrono::Duration::days(HORIZON_DAYS)).await?;
    seed_demo_ballots(db).await?;
    seed_demo_waitlist(state).await?;
    demo::seed_queues(state, 42).await?;
    demo::seed_fridges(state, 42).await?;
    let booked = demo::seed_bookings(state, 42).await?;
    tracing::info!(booked, "demo bookings for the coming ten days");
    Ok(created)
}

/// A long waitlist for elderly health assessments at Wan Chai Elderly Health Centre (150 people
/// aged 65+), with 90 days of places freed by cancellations so positions come with an estimate.
async fn seed_demo_waitlist(state: &AppState) -> anyhow::Result<()> {
    use kernel::audit::{Actor, Origin};
    let db = &state.db;
    let point = "EHC-WC";
    let slots: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM clinic_slots WHERE service_point = $1 AND service = 'ehc_assessment' ORDER BY starts_at LIMIT 26",
    )
    .bind(point)
    .fetch_all(db.pool())
    .await?;
    let elders: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM citizens WHERE synthetic = 1 AND birth_date <= '1955-01-01' ORDER BY id LIMIT 176",
    )
    .fetch_all(db.pool())
    .await?;
    let history = slots.len().min(elders.len() / 4);
    if history == 0 {
        return Ok(());
    }
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    for (i, (slot, who)) in slots.iter().zip(&elders).take(history).enumerate() {
        // Booked, then cancelled some time in the last 90 days: a place freed.
        sqlx::query(
            "INSERT INTO clinic_bookings (id, reference, slot_id, service, service_point, citizen_id, booked_by, channel, pool, status, \
             reschedules, created_at, updated_at) VALUES ($1, $2, $3, 'ehc_assessment', $4, $5, 'demo', 'online', 'general', 'cancelled', 0, $6, $6)",
        )
        .bind(kernel::new_id())
        .bind(booking::new_reference())
        .bind(slot)
        .bind(point)
        .bind(who)
        .bind(now - (i as i64 * 3 + 1) * 86_400_000)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    for who in &elders[history..] {
        waitlists::join(state, point, "ehc_assessment", who, &Actor::Citizen(who.clone()), &Origin::system())
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
    let pick = |point: &'static str| {
        sqlx::query_scalar::<_, String>(
            "SELECT id FROM clinic_slots WHERE service_point = $1 AND service = 'dental_gp' AND status = 'open' AND starts_at > $2 ORDER BY starts_at LIMIT 1",
        )
        .bind(point)
        .bind(now + 4 * 24 * 3_600_000)
        .fetch_optional(db.pool())
    };
    if let Some(slot) = pick("DC-KT").await? {
        ballots::create(db, &slot, 24, now, now + 3 * 24 * 3_600_000, &Actor::System, &Origin::system()).await?;
    }
    if let Some(slot) = pick("DC-KC").await? {
        let id =
            ballots::create(db, &slot, 24, now - 3_600_000, now + 60_000, &Actor::System, &Origin::system()).await?;
        let people: Vec<String> =
            sqlx::query_scalar("SELECT id FROM citizens WHERE synthetic = 1 AND district = 'KC' ORDER BY id LIMIT 300")
                .fetch_all(db.pool())
                .await?;
        for p in &people {
            ballots::register(db, &id, p, &Actor::Citizen(p.clone()), &Origin::system()).await?;
        }
        sqlx::query("UPDATE clinic_ballots SET closes_at = $1 WHERE id = $2")
            .bind(now - 1)
            .bind(&id)
            .execute(db.pool())
            .await?;
        ballots::draw(db, &id, &Actor::System, &Origin::system()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_is_complete_in_both_languages() {
        kernel::i18n::register_catalogue(&super::CATALOGUE);
        let problems = kernel::i18n::check_catalogue(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
