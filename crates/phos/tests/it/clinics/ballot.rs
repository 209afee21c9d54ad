//! Ballots over HTTP: commitment, registration, draw and verification.

use super::{book, citizen, timetable};
use crate::harness::spawn_app;

#[tokio::test]
async fn ballot_commit_register_draw_and_verify() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 4, 0, 0).await;
    let slot = &slots[0];
    // A manager opens a ballot for the slot; its commitment is public at once.
    let manager = app.staff_browser(&[kernel::identity::Role::ClinicManager]).await;
    let closes = chrono::DateTime::from_timestamp_millis(kernel::now_ms() + 3_600_000)
        .unwrap()
        .with_timezone(&kernel::hk::tz())
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let res = manager.post_form(&format!("/staff/slots/{}/ballot", slot.id), &[("closes_at", &closes)]).await;
    assert_eq!(res.status(), 303);
    let id = res.headers()["location"].to_str().unwrap().trim_start_matches("/ballots/").to_string();
    let page = app.get(&format!("/ballots/{id}")).await.text().await.unwrap();
    let b = clinics::ballot::store::ballot(&app.state.db, &id).await.unwrap().unwrap();
    assert!(page.contains(&b.commitment) && b.seed.is_none(), "commitment shown, seed kept secret");
    // The service's times list shows the session as "by ballot" with a link to register.
    let times = app.get("/clinics/DC-KC/dental_gp").await.text().await.unwrap();
    assert!(times.contains("Sessions by ballot") && times.contains(&format!("href=\"/ballots/{id}\"")), "{times}");
    // The page says what the ballot is for: service, clinic and the session's date and time.
    assert!(page.contains("Dental general public session"), "{page}");
    assert!(page.contains(&kernel::hk::local_datetime(slot.starts_at)), "the session's time");
    // First come, first served is off while the ballot runs.
    let early = citizen(&app, "early@example.com", "1980-01-01").await;
    assert_eq!(book(&app, &early, &slot.id, None).await.status(), 422);
    // Ten people register (two aged 65+); registering twice is refused.
    let mut people = vec![];
    for i in 0..10 {
        let birth = if i < 2 { "1950-01-01" } else { "1985-01-01" };
        people.push(citizen(&app, &format!("ballot{i}@example.com"), birth).await);
    }
    for p in &people {
        let form = crate::harness::serde_urlencoded_string(&[("csrf", &p.2), ("for_citizen", &p.0)]);
        let res = app
            .client
            .post(format!("{}/ballots/{id}/register", app.url))
            .header("cookie", format!("phos_session={}", p.1))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
    }
    let again = crate::harness::serde_urlencoded_string(&[("csrf", &people[0].2), ("for_citizen", &people[0].0)]);
    let res = app
        .client
        .post(format!("{}/ballots/{id}/register", app.url))
        .header("cookie", format!("phos_session={}", people[0].1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(again)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already registered"));
    // "Your registrations" shows each entry, waiting for the draw.
    let mine = app.browser_with_session(&people[2].1).get(&format!("/ballots/{id}")).await.text().await.unwrap();
    assert!(mine.contains("Your registrations") && mine.contains("Waiting for the draw"), "{mine}");
    // Each registration is acknowledged at once, in the person's language (zh-Hant), once.
    let receipts: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT recipient, body, created_at, next_attempt_at FROM outbox WHERE template = 'clinic-ballot-registered'",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(receipts.len(), 10, "one receipt per registration, none for the refused second one");
    assert!(receipts.iter().all(|r| r.1.contains("抽籤") && r.2 == r.3), "in Chinese, sent at once: {receipts:?}");
    // Drawing before the window closes is refused.
    assert_eq!(manager.post_form(&format!("/staff/ballots/{id}/draw"), &[]).await.status(), 409);
    // The window closes; the draw allocates 4 places (no no-show history: no extra winners).
    sqlx::query("UPDATE clinic_ballots SET closes_at = $1 WHERE id = $2")
        .bind(kernel::now_ms() - 1)
        .bind(&id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let late = citizen(&app, "late@example.com", "1980-01-01").await;
    let form = crate::harness::serde_urlencoded_string(&[("csrf", &late.2), ("for_citizen", &late.0)]);
    let res = app
        .client
        .post(format!("{}/ballots/{id}/register", app.url))
        .header("cookie", format!("phos_session={}", late.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert!(
        res.text().await.unwrap().contains("Registration for this ballot is not open"),
        "late registration refused"
    );
    assert_eq!(manager.post_form(&format!("/staff/ballots/{id}/draw"), &[]).await.status(), 303);
    let b = clinics::ballot::store::ballot(&app.state.db, &id).await.unwrap().unwrap();
    assert_eq!((b.status.as_str(), b.winners), ("drawn", Some(4)));
    let won: Vec<(String, i64)> =
        sqlx::query_as("SELECT citizen_id, tier FROM clinic_ballot_entries WHERE ballot_id = $1 AND outcome = 'won'")
            .bind(&id)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(won.len(), 4);
    // Each person's outcome is on the ballot page, with the booking of a place won.
    for p in &people {
        let page = app.browser_with_session(&p.1).get(&format!("/ballots/{id}")).await.text().await.unwrap();
        let winner = won.iter().any(|(c, _)| *c == p.0);
        if winner {
            assert!(page.contains("Place allocated") && page.contains("href=\"/bookings/DH-"), "{page}");
        } else {
            assert!(page.contains("Waitlist") && !page.contains("Waiting for the draw"), "{page}");
        }
    }
    // Everyone hears the result, held until the quiet hours (22:00–08:00 HKT) end: four places with
    // their references, six places on the waiting list (numbers 1 to 6).
    let results: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT template, body, created_at, next_attempt_at FROM outbox WHERE template LIKE 'clinic-ballot-%n'          ORDER BY template, body",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let won_msgs: Vec<_> = results.iter().filter(|r| r.0 == "clinic-ballot-won").collect();
    let lost_msgs: Vec<_> = results.iter().filter(|r| r.0 == "clinic-ballot-not-won").collect();
    assert_eq!((won_msgs.len(), lost_msgs.len()), (4, 6), "{results:?}");
    assert!(won_msgs.iter().all(|r| r.1.contains("預約編號：DH-")), "{won_msgs:?}");
    for n in 1..=6 {
        assert!(lost_msgs.iter().any(|r| r.1.contains(&format!("排第{n}位"))), "waiting-list number {n}");
    }
    assert!(results.iter().all(|r| r.3 == kernel::notify::after_quiet_hours(r.2)), "results respect the quiet hours");
    assert_eq!(won.iter().filter(|(_, t)| *t == 0).count(), 2, "both people aged 65+ won (priority tier)");
    let booked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM clinic_bookings WHERE slot_id = $1 AND status = 'booked'")
            .bind(&slot.id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(booked, 4);
    assert!(clinics::booking::store::inconsistent_slots(&app.state.db).await.unwrap().is_empty());
    // Published: the seed, and a verification anyone can redo.
    let page = app.get(&format!("/ballots/{id}")).await.text().await.unwrap();
    assert!(page.contains(b.seed.as_deref().unwrap()) && page.contains("Verified"));
    assert_eq!(
        kernel::identity::session::token_hash(b.seed.as_deref().unwrap()),
        b.commitment,
        "SHA-256(seed) = commitment"
    );
    assert!(clinics::ballot::service::verify(&app.state.db, &id).await.unwrap().is_ok());
    // Tampering with a registration after the draw is detected.
    sqlx::query(
        "UPDATE clinic_ballot_entries SET tier = 0 WHERE ballot_id = $1 AND outcome = 'waitlist' AND ranking = 10",
    )
    .bind(&id)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    assert!(clinics::ballot::service::verify(&app.state.db, &id).await.unwrap().is_err());
    assert!(app.get(&format!("/ballots/{id}")).await.text().await.unwrap().contains("Not verified"));
    app.shutdown().await;
}
