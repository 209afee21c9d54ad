//! Smart clinics: services with an eligibility statement shown before booking, recurring
//! sessions that generate slots (skipping holidays and closures), booking that never oversells
//! (one conditional update per place), reserved pools for walk-ins and people aged 65+,
//! per-service rules, confirmations in the person's language, cancel and reschedule, and the
//! staff's day list with capacity and attendance.

pub mod actions;
pub mod api;
pub mod ballot;
pub mod booking;
pub mod model;
pub mod pages;
pub mod schedule;
pub mod store;

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
        migrations: vec![kernel::migration!("clinics", 1, "0001_clinics.sql")],
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
    api::routes().merge(pages::routes())
}

fn jobs(r: &mut Registry) {
    r.handle(GENERATE_JOB, generate);
    r.every("clinics.generate-daily", "0 15 1 * * *", GENERATE_JOB, serde_json::json!({}));
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
    Ok(store::generate_slots(db, None, today, today + chrono::Duration::days(HORIZON_DAYS)).await?)
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
