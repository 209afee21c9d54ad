//! Waitlists with automatic offers over HTTP on the engine under test.

use super::{assert_consistent, book, citizen, reference_of, scalar_s, timetable};
use crate::harness::{TestApp, eventually, spawn_app};

fn job_ctx(app: &TestApp) -> kernel::jobs::JobCtx {
    kernel::jobs::JobCtx { state: app.state.clone(), job_id: "t".into(), attempt: 1, max_attempts: 1 }
}

/// The pending offer of a person: `(offer id, slot id)`.
async fn pending_offer(app: &TestApp, citizen_id: &str) -> Option<(String, String)> {
    sqlx::query_as(
        "SELECT o.id, o.slot_id FROM clinic_offers o JOIN clinic_waitlist w ON w.id = o.entry_id \
         WHERE w.citizen_id = $1 AND o.status = 'pending'",
    )
    .bind(citizen_id)
    .fetch_optional(app.state.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_freed_place_is_offered_in_order_with_an_accept_window() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 1, 0, 0).await;
    let slot = &slots[0];
    let a = citizen(&app, "holder@example.com", "1980-01-01").await;
    let b = citizen(&app, "first@example.com", "1981-01-01").await;
    let c = citizen(&app, "second@example.com", "1982-01-01").await;
    assert_eq!(book(&app, &a, &slot.id, None).await.status(), 201);

    // B then C join the clinic's waiting list for the service; joining twice is refused.
    let bb = app.browser_with_session(&b.1);
    let cb = app.browser_with_session(&c.1);
    let jb = [("point", "DC-KC"), ("service", "dental_gp"), ("for_citizen", b.0.as_str())];
    assert_eq!(bb.post_form("/waitlist", &jb).await.status(), 303);
    let again = bb.post_form("/waitlist", &jb).await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("already on the waiting list"));
    let jc = [("point", "DC-KC"), ("service", "dental_gp"), ("for_citizen", c.0.as_str())];
    assert_eq!(cb.post_form("/waitlist", &jc).await.status(), 303);
    let page = cb.get("/waitlist").await.text().await.unwrap();
    assert!(page.contains("<td>2</td>"), "C is second: {page}");
    assert!(page.contains("Not enough history yet"), "no history, no estimate");

    // A cancels: the place is held for B at once (nobody else can take it) and B is told.
    let reference = reference_of(&app, &a.0).await;
    let res = app
        .client
        .post(format!("{}/api/v1/bookings/{reference}/cancel", app.url))
        .header("cookie", format!("phos_session={}", a.1))
        .header("x-csrf-token", &a.2)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "cancel: {}", res.status());
    let (offer_b, held) = pending_offer(&app, &b.0).await.expect("B is offered the place");
    assert_eq!(held, slot.id);
    assert_eq!(clinics::booking::store::slot(&app.state.db, &slot.id).await.unwrap().unwrap().booked, 1, "held");
    let d = citizen(&app, "walkup@example.com", "1983-01-01").await;
    assert_eq!(book(&app, &d, &slot.id, None).await.status(), 409, "a held place is not bookable by others");
    assert_consistent(&app).await;
    let body = eventually(5, || async {
        scalar_s(
            &app,
            "SELECT body FROM outbox WHERE template = 'clinic-offer' AND recipient = $1",
            "first@example.com",
        )
        .await
    })
    .await
    .expect("B is sent the offer");
    assert!(body.contains(&format!("/offers/{offer_b}?sig=")), "{body}");
    assert!(body.contains("名額"), "in B's language (zh-Hant): {body}");

    // The link shows the offer; a forged signature is refused.
    let sig = clinics::waitlist::service::offer_sig(&app.state, &offer_b);
    let anon = app.browser();
    let open = anon.get(&format!("/offers/{offer_b}?sig={sig}")).await;
    assert_eq!(open.status(), 200);
    assert!(open.text().await.unwrap().contains("Accept this place"));
    assert_eq!(anon.get(&format!("/offers/{offer_b}?sig=00{sig}")).await.status(), 403);

    // B does not answer in time: the place passes to C; B waits again.
    sqlx::query("UPDATE clinic_offers SET expires_at = $1 WHERE id = $2")
        .bind(kernel::now_ms() - 1)
        .bind(&offer_b)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    clinics::waitlist::service::expire_due(job_ctx(&app), serde_json::json!({})).await.unwrap();
    let (offer_c, _) = pending_offer(&app, &c.0).await.expect("C is offered the place next");
    assert_eq!(scalar_s(&app, "SELECT status FROM clinic_offers WHERE id = $1", &offer_b).await.unwrap(), "expired");
    let late = anon.post_form(&format!("/offers/{offer_b}"), &[("sig", &sig), ("action", "accept")]).await;
    assert_eq!(late.status(), 409, "an expired offer cannot be accepted");
    assert_consistent(&app).await;

    // C declines: the place goes back to B (first in line again), C stays on the list.
    let sig_c = clinics::waitlist::service::offer_sig(&app.state, &offer_c);
    let res = anon.post_form(&format!("/offers/{offer_c}"), &[("sig", &sig_c), ("action", "decline")]).await;
    assert_eq!(res.status(), 200);
    let (offer_b2, _) = pending_offer(&app, &b.0).await.expect("B is offered again");
    let c_status = scalar_s(&app, "SELECT status FROM clinic_waitlist WHERE citizen_id = $1", &c.0).await.unwrap();
    assert_eq!(c_status, "waiting");

    // B accepts from the link: a booking in the held place, confirmed in B's language.
    let sig_b2 = clinics::waitlist::service::offer_sig(&app.state, &offer_b2);
    let res = anon.post_form(&format!("/offers/{offer_b2}"), &[("sig", &sig_b2), ("action", "accept")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Your booking is confirmed"));
    let b_ref = reference_of(&app, &b.0).await;
    let s = clinics::booking::store::slot(&app.state.db, &slot.id).await.unwrap().unwrap();
    assert_eq!(s.booked, 1, "the held place became B's booking, not a second one");
    assert_eq!(
        scalar_s(&app, "SELECT status FROM clinic_waitlist WHERE citizen_id = $1", &b.0).await.unwrap(),
        "booked"
    );
    eventually(5, || async {
        scalar_s(
            &app,
            "SELECT body FROM outbox WHERE template = 'clinic-booked' AND body LIKE '%' || $1 || '%'",
            &b_ref,
        )
        .await
    })
    .await
    .expect("B gets a booking confirmation");
    // Accepting twice does nothing.
    let twice = anon.post_form(&format!("/offers/{offer_b2}"), &[("sig", &sig_b2), ("action", "accept")]).await;
    assert_eq!(twice.status(), 409);
    assert_consistent(&app).await;
    // C leaves the list.
    let entry = scalar_s(&app, "SELECT id FROM clinic_waitlist WHERE citizen_id = $1", &c.0).await.unwrap();
    assert_eq!(cb.post_form(&format!("/waitlist/{entry}/leave"), &[]).await.status(), 303);
    assert_eq!(scalar_s(&app, "SELECT status FROM clinic_waitlist WHERE id = $1", &entry).await.unwrap(), "left");
    app.shutdown().await;
}

#[tokio::test]
async fn an_earlier_time_moves_an_existing_booking_and_offers_its_place_on() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 1, 0, 0).await;
    let (early, late) = (&slots[0], &slots[3]);
    let d = citizen(&app, "early@example.com", "1980-01-01").await;
    let e = citizen(&app, "holder@example.com", "1980-01-01").await;
    let f = citizen(&app, "later@example.com", "1980-01-01").await;
    assert_eq!(book(&app, &e, &early.id, None).await.status(), 201);
    assert_eq!(book(&app, &d, &late.id, None).await.status(), 201);
    for p in [&d, &f] {
        let fields = [("point", "DC-KC"), ("service", "dental_gp"), ("for_citizen", p.0.as_str())];
        assert_eq!(app.browser_with_session(&p.1).post_form("/waitlist", &fields).await.status(), 303);
    }
    let cancel = reference_of(&app, &e.0).await;
    clinics::booking::service::cancel(
        &app.state,
        &cancel,
        &kernel::audit::Actor::Citizen(e.0.clone()),
        &kernel::audit::Origin::system(),
    )
    .await
    .unwrap();
    let (offer, slot) = pending_offer(&app, &d.0).await.expect("D (first in line) is offered the earlier time");
    assert_eq!(slot, early.id);
    let reference = clinics::waitlist::service::accept(
        &app.state,
        &offer,
        &kernel::audit::Actor::Citizen(d.0.clone()),
        &kernel::audit::Origin::system(),
    )
    .await
    .unwrap();
    let active: Vec<String> =
        sqlx::query_scalar("SELECT slot_id FROM clinic_bookings WHERE citizen_id = $1 AND status = 'booked'")
            .bind(&d.0)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(active, vec![early.id.clone()], "one active booking, at the earlier time ({reference})");
    // D's old place went on to F, the next in line.
    let (_, f_slot) = pending_offer(&app, &f.0).await.expect("F is offered D's old place");
    assert_eq!(f_slot, late.id);
    assert_consistent(&app).await;
    app.shutdown().await;
}

#[tokio::test]
async fn the_wait_is_estimated_from_places_recently_freed() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 40, 0, 0).await;
    let g = citizen(&app, "history@example.com", "1970-01-01").await;
    // 18 places freed in the last 90 days: λ = 0.2 a day.
    for _ in 0..18 {
        sqlx::query(
            "INSERT INTO clinic_bookings (id, reference, slot_id, service, service_point, citizen_id, booked_by, channel, pool, status, \
             reschedules, created_at, updated_at) VALUES ($1, $2, $3, 'dental_gp', 'DC-KC', $4, 'test', 'online', 'general', 'cancelled', 0, $5, $5)",
        )
        .bind(kernel::new_id())
        .bind(clinics::booking::rules::new_reference())
        .bind(&slots[0].id)
        .bind(&g.0)
        .bind(kernel::now_ms() - 86_400_000)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    }
    let first = citizen(&app, "w1@example.com", "1980-01-01").await;
    let second = citizen(&app, "w2@example.com", "1980-01-01").await;
    for p in [&first, &second] {
        let fields = [("point", "DC-KC"), ("service", "dental_gp"), ("for_citizen", p.0.as_str())];
        assert_eq!(app.browser_with_session(&p.1).post_form("/waitlist", &fields).await.status(), 303);
    }
    // Position 2: Erlang(2, 0.2/day) has median 1.678/0.2 = 8.4 days, 10 % 2.7 days, 90 % 19.4 days.
    let page = app.browser_with_session(&second.1).get("/waitlist").await.text().await.unwrap();
    assert!(page.contains("<td>2</td>"), "{page}");
    assert!(page.contains("about 8 days"), "median: {page}");
    assert!(page.contains("about 3 days – about 3 weeks"), "range: {page}");
    assert!(page.contains("based on 18 places freed"), "{page}");
    app.shutdown().await;
}

#[tokio::test]
async fn a_ballot_waitlist_gets_a_withdrawn_winners_place_in_draw_order() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 2, 0, 0).await;
    let slot = &slots[0];
    let now = kernel::now_ms();
    let system = kernel::audit::Actor::System;
    let origin = kernel::audit::Origin::system();
    let ballot =
        clinics::ballot::service::create(&app.state.db, &slot.id, 1, now - 1000, now + 60_000, &system, &origin)
            .await
            .unwrap();
    let mut people = vec![];
    for i in 0..4 {
        let p = citizen(&app, &format!("ballot{i}@example.com"), "1980-01-01").await;
        clinics::ballot::service::register(
            &app.state.db,
            &ballot,
            &p.0,
            &kernel::audit::Actor::Citizen(p.0.clone()),
            &origin,
        )
        .await
        .unwrap();
        people.push(p);
    }
    sqlx::query("UPDATE clinic_ballots SET closes_at = $1 WHERE id = $2")
        .bind(now - 1)
        .bind(&ballot)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    clinics::ballot::service::draw(&app.state.db, &ballot, &system, &origin).await.unwrap();
    let order: Vec<(String, String)> =
        sqlx::query_as("SELECT citizen_id, outcome FROM clinic_ballot_entries WHERE ballot_id = $1 ORDER BY ranking")
            .bind(&ballot)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    let winners: Vec<&String> = order.iter().filter(|(_, o)| o == "won").map(|(c, _)| c).collect();
    let first_waiting = order.iter().find(|(_, o)| o == "waitlist").map(|(c, _)| c.clone()).unwrap();
    let waiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM clinic_waitlist WHERE ballot_id = $1 AND status = 'waiting'")
            .bind(&ballot)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(waiting as usize, order.len() - winners.len(), "everyone not drawn waits, in draw order");
    // A winner withdraws: the place (in a slot closed to first-come booking) goes to the first on the ballot's list.
    let reference = reference_of(&app, winners[0]).await;
    clinics::booking::service::cancel(
        &app.state,
        &reference,
        &kernel::audit::Actor::Citizen(winners[0].clone()),
        &origin,
    )
    .await
    .unwrap();
    let (_, held) = pending_offer(&app, &first_waiting).await.expect("the first on the ballot's waitlist is offered");
    assert_eq!(held, slot.id);
    assert_consistent(&app).await;
    app.shutdown().await;
}

/// Every change tells the person: a change of time and a cancellation are confirmed at once in
/// their language; a place given up is never offered back to the person who gave it up; an
/// offer left unanswered tells the person it went on (after the quiet hours).
#[tokio::test]
async fn changes_are_told_and_a_place_given_up_is_not_offered_back() {
    let app = spawn_app().await;
    let slots = timetable(&app, "EHC-WC", "ehc_assessment", 1, 0, 0).await;
    let a = citizen(&app, "mover@example.com", "1950-01-01").await;
    let b = citizen(&app, "waiting@example.com", "1951-01-01").await;
    assert_eq!(book(&app, &a, &slots[0].id, None).await.status(), 201);
    // A also waits for the service (hoping for another time), then moves to a later slot.
    let ab = app.browser_with_session(&a.1);
    let ja = [("point", "EHC-WC"), ("service", "ehc_assessment"), ("for_citizen", a.0.as_str())];
    assert_eq!(ab.post_form("/waitlist", &ja).await.status(), 303);
    let reference = reference_of(&app, &a.0).await;
    let res = ab.post_form(&format!("/bookings/{reference}/change"), &[("slot_id", &slots[1].id)]).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(pending_offer(&app, &a.0).await.is_none(), "the place A gave up is not offered back to A");
    let (body, created, due): (String, i64, i64) = sqlx::query_as(
        "SELECT body, created_at, next_attempt_at FROM outbox WHERE template = 'clinic-changed' AND recipient = $1",
    )
    .bind("mover@example.com")
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let old = kernel::hk::local_datetime(slots[0].starts_at);
    let new = kernel::hk::local_datetime(slots[1].starts_at);
    assert!(body.contains(&format!("新時間：{new}")) && body.contains(&format!("原來時間：{old}")), "{body}");
    assert_eq!(created, due, "a change the person made is confirmed at once");
    // "Add to calendar": the booking as one iCalendar event at its new time (UTC).
    let res = ab.get(&format!("/bookings/{reference}/calendar")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = res.text().await.unwrap();
    let start = chrono::DateTime::from_timestamp_millis(slots[1].starts_at).unwrap().format("%Y%m%dT%H%M%SZ");
    assert!(
        ics.contains(&format!("\r\nDTSTART:{start}\r\n")) && ics.contains(&format!("UID:{reference}@phos")),
        "{ics}"
    );
    assert_eq!(app.browser().get(&format!("/bookings/{reference}/calendar")).await.status(), 303, "sign in first");

    // B joins; A cancels the later booking: B is offered it, A is told of the cancellation.
    let bb = app.browser_with_session(&b.1);
    let jb = [("point", "EHC-WC"), ("service", "ehc_assessment"), ("for_citizen", b.0.as_str())];
    assert_eq!(bb.post_form("/waitlist", &jb).await.status(), 303);
    let res = app
        .client
        .post(format!("{}/api/v1/bookings/{reference}/cancel", app.url))
        .header("cookie", format!("phos_session={}", a.1))
        .header("x-csrf-token", &a.2)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert!(pending_offer(&app, &a.0).await.is_none(), "not offered back after cancelling either");
    let (offer, _) = pending_offer(&app, &b.0).await.expect("B is offered the place");
    let cancelled = scalar_s(
        &app,
        "SELECT body FROM outbox WHERE template = 'clinic-cancelled' AND recipient = $1",
        "mover@example.com",
    )
    .await
    .expect("A is told of the cancellation");
    assert!(cancelled.contains(&reference) && cancelled.contains("已取消"), "{cancelled}");
    // A cancelled booking shows no QR code and has no calendar file.
    let page = ab.get(&format!("/bookings/{reference}")).await.text().await.unwrap();
    assert!(page.contains(&reference) && !page.contains("class=\"qr\""), "{page}");
    assert_eq!(ab.get(&format!("/bookings/{reference}/calendar")).await.status(), 404);
    // The offer's window opens when its message goes out (after the quiet hours).
    let (expires, made): (i64, i64) = sqlx::query_as("SELECT expires_at, offered_at FROM clinic_offers WHERE id = $1")
        .bind(&offer)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(expires > kernel::notify::after_quiet_hours(made), "answerable after the quiet hours");

    // B does not answer: the offer expires, B hears so (held until the quiet hours end) and waits on.
    sqlx::query("UPDATE clinic_offers SET expires_at = $1 WHERE id = $2")
        .bind(kernel::now_ms() - 1)
        .bind(&offer)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    clinics::waitlist::service::expire_due(job_ctx(&app), serde_json::json!({})).await.unwrap();
    let (body, created, due): (String, i64, i64) = sqlx::query_as(
        "SELECT body, created_at, next_attempt_at FROM outbox WHERE template = 'clinic-offer-expired' AND recipient = $1",
    )
    .bind("waiting@example.com")
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert!(body.contains("你仍在輪候名單上"), "{body}");
    assert_eq!(due, kernel::notify::after_quiet_hours(created));
    assert_consistent(&app).await;
    app.shutdown().await;
}
