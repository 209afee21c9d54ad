//! Smart clinics over HTTP, one file per sub-domain (mirroring `crates/clinics/src/`), with the
//! helpers they share: a signed-in citizen, a timetable with its slots, a booking through the API.

mod ballot;
mod booking;
mod coldchain;
mod fhir;
mod noshow;
mod queue;
mod waitlist;

use clinics::booking::Session;

use crate::harness::{TestApp, csrf_of};

/// A citizen with a date of birth and a signed-in session: `(id, session token, csrf token)`.
pub(crate) async fn citizen(app: &TestApp, email: &str, birth: &str) -> (String, String, String) {
    let id = kernel::new_id();
    sqlx::query(
        "INSERT INTO citizens (id, name_en, name_zh, sex, birth_date, district, email, preferred_lang, contact_channel, synthetic, created_at) \
         VALUES ($1, $2, '', 'F', $3, 'KT', $4, 'zh-Hant-HK', 'email', 0, 1)",
    )
    .bind(&id)
    .bind(format!("TEST {email}"))
    .bind(birth)
    .bind(email)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let token = app.session_cookie("citizen", &id).await;
    let page = app
        .client
        .get(format!("{}/signin", app.url))
        .header("cookie", format!("phos_session={token}"))
        .send()
        .await
        .unwrap();
    let csrf = csrf_of(&page.text().await.unwrap()).unwrap();
    (id, token, csrf)
}

/// A session at EHC-KT (or DC-KC for dental) on every weekday, starting tomorrow, and its slots.
pub(crate) async fn timetable(
    app: &TestApp,
    point: &str,
    service: &str,
    capacity: i64,
    walkin: i64,
    elderly: i64,
) -> Vec<clinics::booking::Slot> {
    let today = kernel::hk::today();
    let mut tx = app.state.db.begin().await.unwrap();
    kernel::directory::upsert_service_points(&mut tx, synth::service_points()).await.unwrap();
    for weekday in 1..=7 {
        let s = Session {
            id: format!("t-{point}-{service}-{weekday}"),
            service_point: point.into(),
            service: service.into(),
            weekday,
            start_time: "09:00".into(),
            end_time: "10:00".into(),
            slot_minutes: 60,
            capacity,
            pool_walkin: walkin,
            pool_elderly: elderly,
            valid_from: today.to_string(),
            valid_to: (today + chrono::Duration::days(30)).to_string(),
        };
        clinics::booking::store::insert_session(&mut tx, &s, "test").await.unwrap();
    }
    tx.commit().await.unwrap();
    clinics::booking::store::generate_slots(&app.state.db, None, today, today + chrono::Duration::days(14))
        .await
        .unwrap();
    let (from, to) = kernel::hk::day_range(today + chrono::Duration::days(2), 12);
    clinics::booking::store::slots(&app.state.db, point, service, from, to).await.unwrap()
}

pub(crate) async fn book(
    app: &TestApp,
    who: &(String, String, String),
    slot: &str,
    for_citizen: Option<&str>,
) -> reqwest::Response {
    let mut body = serde_json::json!({ "slot_id": slot });
    if let Some(f) = for_citizen {
        body["for_citizen"] = f.into();
    }
    app.client
        .post(format!("{}/api/v1/bookings", app.url))
        .header("cookie", format!("phos_session={}", who.1))
        .header("x-csrf-token", &who.2)
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn scalar_s(app: &TestApp, sql: &'static str, arg: &str) -> Option<String> {
    sqlx::query_scalar(sql).bind(arg).fetch_optional(app.state.db.pool()).await.unwrap()
}

pub(crate) async fn reference_of(app: &TestApp, citizen_id: &str) -> String {
    scalar_s(app, "SELECT reference FROM clinic_bookings WHERE citizen_id = $1 AND status = 'booked'", citizen_id)
        .await
        .expect("an active booking")
}

pub(crate) async fn assert_consistent(app: &TestApp) {
    let bad = clinics::booking::store::inconsistent_slots(&app.state.db).await.unwrap();
    assert!(bad.is_empty(), "slot counters disagree with bookings and held offers: {bad:?}");
}
