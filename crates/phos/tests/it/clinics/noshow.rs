//! The no-show policy over HTTP: warnings, lower ballot priority, excusing on appeal.

use kernel::identity::Role;

use super::{book, citizen, reference_of, timetable};
use crate::harness::spawn_app;

#[tokio::test]
async fn no_shows_warn_then_lower_ballot_priority_and_can_be_excused() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 5, 0, 0).await;
    let p = citizen(&app, "absent@example.com", "1980-01-01").await;
    let desk = app.staff_browser(&[Role::ClinicStaff]).await;
    let manager = app.staff_browser(&[Role::ClinicManager]).await;
    for (i, slot) in slots.iter().take(2).enumerate() {
        assert_eq!(book(&app, &p, &slot.id, None).await.status(), 201);
        let reference = reference_of(&app, &p.0).await;
        // The appointment was in the past.
        sqlx::query("UPDATE clinic_slots SET starts_at = $1 WHERE id = $2")
            .bind(kernel::now_ms() - (i as i64 + 1) * 86_400_000)
            .bind(&slot.id)
            .execute(app.state.db.pool())
            .await
            .unwrap();
        let res = desk.post_form(&format!("/staff/bookings/{reference}/attendance"), &[("status", "no_show")]).await;
        assert_eq!(res.status(), 303);
    }
    let templates: Vec<String> = sqlx::query_scalar(
        "SELECT template FROM outbox WHERE recipient = 'absent@example.com' AND template LIKE 'clinic-no-show%' ORDER BY created_at",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(templates, vec!["clinic-no-show-warning", "clinic-no-show-penalty"]);
    // The penalty puts the person after everyone in a ballot (tier 3: not 65+, penalised).
    let now = kernel::now_ms();
    let origin = kernel::audit::Origin::system();
    let ballot = clinics::ballot::service::create(
        &app.state.db,
        &slots[5].id,
        1,
        now - 1000,
        now + 60_000,
        &kernel::audit::Actor::System,
        &origin,
    )
    .await
    .unwrap();
    clinics::ballot::service::register(
        &app.state.db,
        &ballot,
        &p.0,
        &kernel::audit::Actor::Citizen(p.0.clone()),
        &origin,
    )
    .await
    .unwrap();
    let tier: i64 = sqlx::query_scalar("SELECT tier FROM clinic_ballot_entries WHERE citizen_id = $1")
        .bind(&p.0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(tier, 3);
    // The record page shows it; front-desk staff cannot excuse, a manager can (with a reason).
    let record = format!("/staff/people/{}/no-shows", p.0);
    let page = desk.get(&record).await.text().await.unwrap();
    assert!(page.contains("Lower ballot priority until"), "{page}");
    let first: String = sqlx::query_scalar(
        "SELECT reference FROM clinic_bookings WHERE citizen_id = $1 AND status = 'no_show' ORDER BY created_at",
    )
    .bind(&p.0)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
    .remove(0);
    let excuse = format!("/staff/bookings/{first}/excuse");
    assert_eq!(desk.post_form(&excuse, &[("reason", "hospitalised that day")]).await.status(), 403);
    let blank = manager.post_form(&excuse, &[("reason", " ")]).await;
    assert_eq!(blank.status(), 422);
    assert!(blank.text().await.unwrap().contains("Give a reason"));
    assert_eq!(manager.post_form(&excuse, &[("reason", "hospitalised that day")]).await.status(), 303);
    let page = desk.get(&record).await.text().await.unwrap();
    assert!(page.contains("Warned: 1 unexcused"), "{page}");
    assert!(page.contains("hospitalised that day"));
    assert_eq!(manager.post_form(&excuse, &[("reason", "again")]).await.status(), 409, "excused once");
    app.shutdown().await;
}

/// Slip-proofing: attendance has no default (nothing chosen is a field error) and a no-show
/// cannot be recorded before the appointment's time; neither writes anything.
#[tokio::test]
async fn a_no_show_before_the_appointment_or_no_choice_is_refused_on_the_day_list() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 2, 0, 0).await;
    let p = citizen(&app, "early@example.com", "1980-01-01").await;
    let desk = app.staff_browser(&[Role::ClinicStaff]).await;
    assert_eq!(book(&app, &p, &slots[0].id, None).await.status(), 201);
    let reference = reference_of(&app, &p.0).await;
    let url = format!("/staff/bookings/{reference}/attendance");
    let res = desk.post_form(&url, &[("status", "no_show")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("cannot be a no-show before the appointment time"), "{html}");
    assert!(html.contains(&format!("href=\"#att-{reference}\"")), "the summary links to the field");
    let res = desk.post_form(&url, &[("status", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Choose attended, late or no-show"));
    let status: String = sqlx::query_scalar("SELECT status FROM clinic_bookings WHERE reference = $1")
        .bind(&reference)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "booked", "nothing written");
    // An early arrival can be recorded as attended.
    assert_eq!(desk.post_form(&url, &[("status", "attended")]).await.status(), 303);
    app.shutdown().await;
}

/// Cancelling from the booking page asks first: the confirmation page shows what will be
/// cancelled; a post without the confirmation changes nothing.
#[tokio::test]
async fn cancelling_a_booking_on_its_page_needs_a_confirmation() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 2, 0, 0).await;
    let p = citizen(&app, "careful@example.com", "1980-01-01").await;
    assert_eq!(book(&app, &p, &slots[0].id, None).await.status(), 201);
    let reference = reference_of(&app, &p.0).await;
    let me = app.browser_with_session(&p.1);
    let page = me.get(&format!("/bookings/{reference}")).await.text().await.unwrap();
    assert!(page.contains(&format!("href=\"/bookings/{reference}/cancel\"")), "a link to the confirmation");
    let confirm = me.get(&format!("/bookings/{reference}/cancel")).await;
    assert_eq!(confirm.status(), 200);
    let html = confirm.text().await.unwrap();
    assert!(html.contains("Cancel this booking?") && html.contains(&reference), "{html}");
    let res = me.post_form(&format!("/bookings/{reference}/cancel"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/bookings/{reference}/cancel").as_str());
    assert_eq!(reference_of(&app, &p.0).await, reference, "still booked");
    let res = me.post_form(&format!("/bookings/{reference}/cancel"), &[("confirm", "yes")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/bookings?cancelled=1");
    let status: String = sqlx::query_scalar("SELECT status FROM clinic_bookings WHERE reference = $1")
        .bind(&reference)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "cancelled");
    app.shutdown().await;
}

/// People book for themselves: a person records or corrects their date of birth on their
/// account page, typed the Hong Kong way (30/06/1950), and can then book an age-limited service
/// (Elderly Health Centre assessment, 65+) for themselves; an impossible date is a field error
/// and changes nothing.
#[tokio::test]
async fn a_person_corrects_their_date_of_birth_and_books_an_age_limited_service() {
    let app = spawn_app().await;
    let slots = timetable(&app, "EHC-WC", "ehc_assessment", 2, 0, 0).await;
    let p = citizen(&app, "elder@example.com", "1980-01-01").await;
    assert_eq!(book(&app, &p, &slots[0].id, None).await.status(), 422, "too young on the record");
    let me = app.browser_with_session(&p.1);
    let form = |birth: &'static str| {
        [
            ("name_en", "TEST elder"),
            ("name_zh", ""),
            ("preferred_lang", "en"),
            ("contact_channel", "email"),
            ("birth_date", birth),
        ]
    };
    let res = me.post_form("/me", &form("31/02/1950")).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#birth_date\""), "{html}");
    let stored: String = sqlx::query_scalar("SELECT birth_date FROM citizens WHERE id = $1")
        .bind(&p.0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, "1980-01-01", "nothing written");
    let res = me.post_form("/me", &form("30/06/1950")).await;
    assert_eq!(res.status(), 303);
    let stored: String = sqlx::query_scalar("SELECT birth_date FROM citizens WHERE id = $1")
        .bind(&p.0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, "1950-06-30");
    let page = me.get("/me").await.text().await.unwrap();
    assert!(page.contains("value=\"30/06/1950\""), "shown day first");
    assert_eq!(book(&app, &p, &slots[0].id, None).await.status(), 201, "now bookable for oneself");
    app.shutdown().await;
}
