//! Booking over HTTP: eligibility before booking, slots from sessions, booking that never
//! oversells under concurrency, per-service rules, pools, cancel, staff capacity and attendance,
//! closures, reminders, counter booking and changing a time.

use kernel::identity::Role;
use serde_json::Value;

use super::{assert_consistent, book, citizen, reference_of, scalar_s, timetable};
use crate::harness::spawn_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_booking_never_oversells() {
    let app = spawn_app().await;
    // 6 places: 1 kept for walk-ins, so 5 bookable online.
    let slots = timetable(&app, "DC-KC", "dental_gp", 6, 1, 0).await;
    let slot = slots[0].id.clone();
    let mut people = vec![];
    for i in 0..40 {
        people.push(citizen(&app, &format!("rush{i}@example.com"), "1980-01-01").await);
    }
    let mut handles = vec![];
    for p in people {
        let client = app.client.clone();
        let url = format!("{}/api/v1/bookings", app.url);
        let slot = slot.clone();
        handles.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .header("cookie", format!("phos_session={}", p.1))
                .header("x-csrf-token", &p.2)
                .json(&serde_json::json!({ "slot_id": slot }))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            (status, body)
        }));
    }
    let mut ok = 0;
    let mut full = 0;
    for h in handles {
        let (status, body) = h.await.unwrap();
        match status {
            201 => ok += 1,
            409 => {
                assert_eq!(body["code"], "slot_full", "{body}");
                assert!(body["titles"]["zh-Hant-HK"].as_str().unwrap().contains("已滿"));
                full += 1
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((ok, full), (5, 35));
    let s = clinics::booking::store::slot(&app.state.db, &slot).await.unwrap().unwrap();
    assert_eq!(s.booked, 5);
    assert!(clinics::booking::store::inconsistent_slots(&app.state.db).await.unwrap().is_empty());
    app.shutdown().await;
}

/// A burst written in groups (one transaction for many bookings) keeps every rule: capacity,
/// one active booking per person per service (even for two requests of the same person in one
/// group), one confirmation and one audit entry per booking, an intact audit chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_bookings_keeps_every_rule_in_groups() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 10, 0, 0).await;
    let slots: Vec<String> = slots.iter().take(3).map(|s| s.id.clone()).collect();
    let mut people = vec![];
    for i in 0..50 {
        people.push(citizen(&app, &format!("burst{i}@example.com"), "1980-01-01").await);
    }
    let mut handles = vec![];
    for (i, p) in people.iter().enumerate() {
        // Each person tries two different times of the same service at once.
        for k in 0..2 {
            let (client, url, p, slot) =
                (app.client.clone(), format!("{}/api/v1/bookings", app.url), p.clone(), slots[(i + k) % 3].clone());
            handles.push(tokio::spawn(async move {
                let res = client
                    .post(url)
                    .header("cookie", format!("phos_session={}", p.1))
                    .header("x-csrf-token", &p.2)
                    .json(&serde_json::json!({ "slot_id": slot }))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                (p.0, status, body)
            }));
        }
    }
    let mut booked = std::collections::BTreeMap::<String, usize>::new();
    for h in handles {
        let (who, status, body) = h.await.unwrap();
        match status {
            201 => *booked.entry(who).or_default() += 1,
            409 | 422 => assert!(["slot_full", "already_booked"].contains(&body["code"].as_str().unwrap()), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(booked.values().sum::<usize>(), 30, "every place taken once");
    assert!(booked.values().all(|n| *n == 1), "nobody holds two bookings for the service");
    let db = &app.state.db;
    assert!(clinics::booking::store::inconsistent_slots(db).await.unwrap().is_empty());
    let count =
        |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(db.pool()).await.unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM clinic_bookings WHERE status = 'booked'").await, 30);
    assert_eq!(count("SELECT COUNT(*) FROM outbox WHERE template = 'clinic-booked'").await, 30);
    assert_eq!(count("SELECT COUNT(*) FROM audit_log WHERE action = 'booking.create'").await, 30);
    assert!(matches!(kernel::audit::verify(db).await.unwrap(), kernel::audit::Verdict::Intact { .. }));
    app.shutdown().await;
}

#[tokio::test]
async fn rules_eligibility_pools_and_cancel() {
    let app = spawn_app().await;
    // EHC assessment is for people aged 65+. Capacity 3 with 1 place kept for 65+.
    let slots = timetable(&app, "EHC-LT", "ehc_assessment", 3, 0, 1).await;
    let young = citizen(&app, "young@example.com", "1990-05-05").await;
    let res = book(&app, &young, &slots[0].id, None).await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "not_eligible_age");
    // Three elders fill the slot: the 65+ pool first, then the general pool.
    let mut elders = vec![];
    for i in 0..4 {
        elders.push(citizen(&app, &format!("elder{i}@example.com"), "1950-01-01").await);
    }
    for e in &elders[..3] {
        assert_eq!(book(&app, e, &slots[0].id, None).await.status(), 201);
    }
    let res = book(&app, &elders[3], &slots[0].id, None).await;
    assert_eq!(res.status(), 409);
    let s = clinics::booking::store::slot(&app.state.db, &slots[0].id).await.unwrap().unwrap();
    assert_eq!((s.booked, s.booked_elderly), (3, 1));
    // One active booking per person per service.
    let res = book(&app, &elders[0], &slots[1].id, None).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "already_booked");
    // Cancelling frees the place at once for someone else.
    let reference: String = sqlx::query_scalar("SELECT reference FROM clinic_bookings WHERE citizen_id = $1")
        .bind(&elders[0].0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = app
        .client
        .post(format!("{}/api/v1/bookings/{reference}/cancel", app.url))
        .header("cookie", format!("phos_session={}", elders[0].1))
        .header("x-csrf-token", &elders[0].2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(book(&app, &elders[3], &slots[0].id, None).await.status(), 201);
    // Someone else's booking cannot be cancelled.
    let theirs: String = sqlx::query_scalar("SELECT reference FROM clinic_bookings WHERE citizen_id = $1")
        .bind(&elders[3].0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = app
        .client
        .post(format!("{}/api/v1/bookings/{theirs}/cancel", app.url))
        .header("cookie", format!("phos_session={}", young.1))
        .header("x-csrf-token", &young.2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Minimum notice: a slot starting within the service's notice cannot be booked.
    sqlx::query("UPDATE clinic_slots SET starts_at = $1 WHERE id = $2")
        .bind(kernel::now_ms() + 10 * 60_000)
        .bind(&slots[2].id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = book(&app, &elders[0], &slots[2].id, None).await;
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "too_late");
    // A slot that does not exist, and a booking for someone you do not act for.
    assert_eq!(book(&app, &elders[0], "nope", None).await.status(), 404);
    assert_eq!(book(&app, &elders[0], &slots[3].id, Some(&young.0)).await.status(), 403);
    // Every booking was audited against the person, and confirmations are queued in Chinese.
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'booking.create'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(audited, 4);
    let subject: String =
        sqlx::query_scalar("SELECT subject FROM outbox WHERE template = 'clinic-booked' ORDER BY created_at LIMIT 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(subject.starts_with("預約已確認：長者健康評估"), "{subject}");
    app.shutdown().await;
}

#[tokio::test]
async fn booking_pages_caregivers_and_staff_capacity() {
    let app = spawn_app().await;
    let slots = timetable(&app, "MCHC-KT", "mchc_child", 2, 0, 0).await;
    assert!(!slots.is_empty(), "MCHC-KT offers child health sessions");
    // The eligibility statement comes before the times.
    let html = app.get("/clinics/MCHC-KT/mchc_child").await.text().await.unwrap();
    let eligibility = html.find("Before you book").unwrap();
    let times = html.find("Available times").unwrap();
    assert!(eligibility < times && html.contains("from birth to 5 years"));
    assert!(html.contains("Sign in to book"));
    // A parent books for a child through the page.
    let b = app.browser();
    let parent = citizen(&app, "parent@example.com", "1988-02-02").await;
    let mut tx = app.state.db.begin().await.unwrap();
    let child = kernel::identity::citizen::add_dependant(
        &mut tx,
        &parent.0,
        "CHAN Siu Bo",
        &(kernel::hk::today() - chrono::Duration::days(400)).to_string(),
        "child",
        "consent",
        kernel::i18n::Locale::En,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = b
        .client
        .get(format!("{}/clinics/MCHC-KT/mchc_child", app.url))
        .header("cookie", format!("phos_session={}", parent.1))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("CHAN Siu Bo"), "the dependant is offered");
    // "Check your answers" first: who, what, where and when, nothing booked yet.
    let post = |fields: Vec<(&'static str, String)>| {
        let form =
            crate::harness::serde_urlencoded_string(&fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        app.client
            .post(format!("{}/bookings", app.url))
            .header("cookie", format!("phos_session={}", parent.1))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    let fields = vec![("csrf", parent.2.clone()), ("slot_id", slots[0].id.clone()), ("for_citizen", child.clone())];
    let res = post(fields.clone()).await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Check your booking") && html.contains("CHAN Siu Bo"), "{html}");
    let booked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clinic_bookings WHERE citizen_id = $1")
        .bind(&child)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(booked, 0, "nothing booked before the confirmation");
    let mut confirmed = fields.clone();
    confirmed.push(("confirm", "yes".into()));
    let res = post(confirmed).await.unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/bookings/DH-"));
    let page = app
        .client
        .get(format!("{}{location}", app.url))
        .header("cookie", format!("phos_session={}", parent.1))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("CHAN Siu Bo"), "QR code and the child's name");
    // A full slot shows a clear error on the page and books nothing.
    let other = citizen(&app, "other@example.com", "1988-02-02").await;
    let mut tx = app.state.db.begin().await.unwrap();
    let kid2 = kernel::identity::citizen::add_dependant(
        &mut tx,
        &other.0,
        "LEE Bo Bo",
        &(kernel::hk::today() - chrono::Duration::days(300)).to_string(),
        "child",
        "consent",
        kernel::i18n::Locale::En,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(book(&app, &other, &slots[0].id, Some(&kid2)).await.status(), 201);
    let third = citizen(&app, "third@example.com", "1988-02-02").await;
    let mut tx = app.state.db.begin().await.unwrap();
    let kid3 = kernel::identity::citizen::add_dependant(
        &mut tx,
        &third.0,
        "HO Bo Bo",
        &(kernel::hk::today() - chrono::Duration::days(200)).to_string(),
        "child",
        "consent",
        kernel::i18n::Locale::En,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let form = crate::harness::serde_urlencoded_string(&[
        ("csrf", &third.2),
        ("slot_id", &slots[0].id),
        ("for_citizen", &kid3),
        ("confirm", "yes"),
    ]);
    let res = app
        .client
        .post(format!("{}/bookings", app.url))
        .header("cookie", format!("phos_session={}", third.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("This time is fully booked"));
    // Staff: capacity cannot drop below the bookings.
    let manager = app.staff_browser(&[kernel::identity::Role::ClinicManager]).await;
    let res = manager.post_form(&format!("/staff/slots/{}/capacity", slots[0].id), &[("capacity", "1")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("cannot go below the 2 places already booked"));
    let res = manager.post_form(&format!("/staff/slots/{}/capacity", slots[0].id), &[("capacity", "4")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(clinics::booking::store::slot(&app.state.db, &slots[0].id).await.unwrap().unwrap().capacity, 4);
    // The day list shows the booking, and attendance is recorded.
    let day = &slots[0].day;
    let html = manager.get(&format!("/staff/clinics/MCHC-KT?day={day}")).await.text().await.unwrap();
    assert!(html.contains("CHAN Siu Bo"));
    let reference = location.trim_start_matches("/bookings/").split('?').next().unwrap().to_string();
    let res = manager.post_form(&format!("/staff/bookings/{reference}/attendance"), &[("status", "attended")]).await;
    assert_eq!(res.status(), 303);
    let status: String = sqlx::query_scalar("SELECT status FROM clinic_bookings WHERE reference = $1")
        .bind(&reference)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "attended");
    // The day list finds a booking by its reference, typed in lower case or scanned as a link.
    let scanned = format!("https://phos.example/bookings/{}", reference.to_lowercase());
    let res = manager.get(&format!("/staff/clinics/MCHC-KT?find={}", kernel::web::url::percent_encode(&scanned))).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/staff/clinics/MCHC-KT?day={day}#booking-{reference}"));
    let html = manager.get(&to).await.text().await.unwrap();
    assert!(html.contains(&format!("id=\"booking-{reference}\"")));
    let res = manager.get("/staff/clinics/MCHC-KT?find=NOSUCHREF").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("No booking has the reference NOSUCHREF") && html.contains("href=\"#find\""), "{html}");
    // Clinic staff cannot change capacity; citizens cannot see the day list.
    let front = app.staff_browser(&[kernel::identity::Role::ClinicStaff]).await;
    assert_eq!(
        front.post_form(&format!("/staff/slots/{}/capacity", slots[0].id), &[("capacity", "9")]).await.status(),
        403
    );
    app.shutdown().await;
}

#[tokio::test]
async fn staff_define_sessions_that_skip_holidays() {
    let app = spawn_app().await;
    phos::demo::seed(&app.state, 1, 0).await.unwrap();
    let manager = app.staff_browser(&[kernel::identity::Role::ClinicManager]).await;
    // Bad input: end before start, pools over capacity.
    let mut f = vec![
        ("service", "ehc_assessment"),
        ("weekday", "5"),
        ("start_time", "11:00"),
        ("end_time", "10:00"),
        ("slot_minutes", "30"),
        ("capacity", "2"),
        ("pool_walkin", "2"),
        ("pool_elderly", "1"),
        ("valid_from", "2027-03-01"),
        ("valid_to", "2027-04-30"),
    ];
    let res = manager.post_form("/staff/clinics/EHC-NS/sessions", &f).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("The end time must be after the start time") && html.contains("reserved places cannot be more")
    );
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clinic_sessions WHERE service_point = 'EHC-NS'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    f[3] = ("end_time", "12:00");
    f[6] = ("pool_walkin", "0");
    f[7] = ("pool_elderly", "0");
    let res = manager.post_form("/staff/clinics/EHC-NS/sessions", &f).await;
    assert_eq!(res.status(), 303);
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clinic_sessions WHERE service_point = 'EHC-NS'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(after, before + 1);
    // Slots are generated only within the horizon; far-future sessions get theirs from the daily job.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clinic_slots WHERE day = '2027-03-26'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "Good Friday 2027 has no slots");
    app.shutdown().await;
}

#[tokio::test]
async fn a_typhoon_closure_cancels_and_rebooks_with_priority() {
    let app = spawn_app().await;
    let kc = timetable(&app, "DC-KC", "dental_gp", 2, 0, 0).await;
    let kt = timetable(&app, "DC-KT", "dental_gp", 2, 0, 0).await;
    let in_kc = citizen(&app, "kc@example.com", "1980-01-01").await;
    let in_kt = citizen(&app, "kt@example.com", "1980-01-01").await;
    assert_eq!(book(&app, &in_kc, &kc[0].id, None).await.status(), 201);
    assert_eq!(book(&app, &in_kt, &kt[0].id, None).await.status(), 201);
    // Typhoon signal No. 8 in Kowloon City covering the first slot.
    let local = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .with_timezone(&kernel::hk::tz())
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let (from, until) = (local(kc[0].starts_at - 3_600_000), local(kc[0].ends_at + 3_600_000));
    let duty = app.staff_browser(&[kernel::identity::Role::CommsOfficer]).await;
    // Bad input first: the end before the start.
    let res = duty
        .post_form(
            "/staff/closures",
            &[("kind", "typhoon_8"), ("district", "KC"), ("starts", &until), ("ends", &from), ("note", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM closures").fetch_one(app.state.db.pool()).await.unwrap(),
        0
    );
    let res = duty
        .post_form(
            "/staff/closures",
            &[("kind", "typhoon_8"), ("district", "KC"), ("starts", &from), ("ends", &until), ("note", "T8")],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The worker carries out the reaction: the Kowloon City booking is cancelled and rebooked.
    let rebooked = crate::harness::eventually(15, || async {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT status, slot_id FROM clinic_bookings WHERE citizen_id = $1 ORDER BY created_at")
                .bind(&in_kc.0)
                .fetch_all(app.state.db.pool())
                .await
                .unwrap();
        (rows.len() == 2).then_some(rows)
    })
    .await
    .expect("cancelled and rebooked");
    assert_eq!(rebooked[0], ("cancelled".to_string(), kc[0].id.clone()));
    assert_eq!(rebooked[1].0, "booked");
    let new_slot = clinics::booking::store::slot(&app.state.db, &rebooked[1].1).await.unwrap().unwrap();
    assert!(new_slot.starts_at >= kc[0].ends_at, "the new place is after the closure");
    let old_slot = clinics::booking::store::slot(&app.state.db, &kc[0].id).await.unwrap().unwrap();
    assert_eq!(old_slot.status, "closed");
    // Told in Chinese (the person's language), with the new time.
    let subject: String = sqlx::query_scalar(
        "SELECT subject FROM outbox WHERE template = 'clinic-closure-rebooked' AND recipient = 'kc@example.com'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert!(subject.contains("八號或以上熱帶氣旋警告信號") && subject.contains("已改期"), "{subject}");
    // Kwun Tong is not affected.
    let kt_status: String = sqlx::query_scalar("SELECT status FROM clinic_bookings WHERE citizen_id = $1")
        .bind(&in_kt.0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(kt_status, "booked");
    assert!(clinics::booking::store::inconsistent_slots(&app.state.db).await.unwrap().is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn reminders_with_signed_answer_links() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KT", "dental_gp", 3, 0, 0).await;
    let p = citizen(&app, "remind@example.com", "1980-01-01").await;
    assert_eq!(book(&app, &p, &slots[0].id, None).await.status(), 201);
    // The appointment is now 20 hours away: the 24-hour reminder is due.
    sqlx::query("UPDATE clinic_slots SET starts_at = $1, ends_at = $2 WHERE id = $3")
        .bind(kernel::now_ms() + 20 * 3_600_000)
        .bind(kernel::now_ms() + 21 * 3_600_000)
        .bind(&slots[0].id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let ctx = kernel::jobs::JobCtx { state: app.state.clone(), job_id: "t".into(), attempt: 1, max_attempts: 1 };
    clinics::booking::reminders::send_due(ctx.clone(), serde_json::json!({})).await.unwrap();
    clinics::booking::reminders::send_due(ctx, serde_json::json!({})).await.unwrap();
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox WHERE template = 'clinic-reminder-24h'")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(bodies.len(), 1, "sent once");
    assert!(bodies[0].contains("你會出席嗎"), "in the person's language: {}", bodies[0]);
    let link = |kind: &str| {
        let start = bodies[0].find(&format!("/answer?a={kind}")).unwrap();
        let begin = bodies[0][..start].rfind("http").unwrap();
        let end = bodies[0][start..].find(char::is_whitespace).map(|e| start + e).unwrap_or(bodies[0].len());
        bodies[0][begin..end].trim_start_matches(&app.state.config.base_url()).to_string()
    };
    let no = link("no");
    // Opening the link changes nothing (mail scanners open links too).
    let b = app.browser();
    let page = b.get(&no).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("No, cancel my appointment"));
    let status: String = sqlx::query_scalar("SELECT status FROM clinic_bookings WHERE citizen_id = $1")
        .bind(&p.0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "booked");
    // A forged link is refused; so is an expired one.
    let forged = no.replace("&sig=", "&sig=00");
    let res = b.get(&forged).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("This link is not valid"));
    let reference: String = sqlx::query_scalar("SELECT reference FROM clinic_bookings WHERE citizen_id = $1")
        .bind(&p.0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let past = kernel::now_ms() - 1;
    let sig = clinics::booking::reminders::sign(&app.state.keys.csrf, &reference, "no", past);
    assert_eq!(b.get(&format!("/bookings/{reference}/answer?a=no&exp={past}&sig={sig}")).await.status(), 410);
    // "No" on the page cancels and frees the place at once.
    let query = no.split_once('?').unwrap().1.to_string();
    let fields: Vec<(String, String)> =
        query.split('&').map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap()).collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = b.post_form(&format!("/bookings/{reference}/answer"), &fields).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("the place has been given back"));
    let s = clinics::booking::store::slot(&app.state.db, &slots[0].id).await.unwrap().unwrap();
    assert_eq!(s.booked, 0);
    // The same link cannot act twice.
    assert_eq!(b.post_form(&format!("/bookings/{reference}/answer"), &fields).await.status(), 409);
    app.shutdown().await;
}

#[tokio::test]
async fn counter_staff_find_or_register_a_person_and_book_for_them() {
    let app = spawn_app().await;
    let slots = timetable(&app, "DC-KC", "dental_gp", 3, 0, 0).await;
    let desk = app.staff_browser(&[Role::ClinicStaff]).await;
    let base = "/staff/clinics/DC-KC/counter";
    assert_eq!(desk.get(base).await.status(), 200);
    let bad = desk.post_form(&format!("{base}/find"), &[("hkid", "A123456(4)"), ("service", "dental_gp")]).await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("This HKID number is not valid"));
    // Unknown HKID: the registration form, which checks its fields.
    let unknown = desk.post_form(&format!("{base}/find"), &[("hkid", "A123456(3)"), ("service", "dental_gp")]).await;
    assert_eq!(unknown.status(), 200);
    assert!(unknown.text().await.unwrap().contains("Register the person"));
    let reg = [
        ("hkid", "A123456(3)"),
        ("name_en", "CHAN Tai Man"),
        ("name_zh", "陳大文"),
        ("birth_date", "1950-02-03"),
        ("sex", "M"),
        ("phone", "9123 4567"),
        ("service", "dental_gp"),
    ];
    let mut wrong = reg.to_vec();
    wrong[5] = ("phone", "1234");
    let res = desk.post_form(&format!("{base}/register"), &wrong).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Hong Kong mobile number of 8 digits"));
    let res = desk.post_form(&format!("{base}/register"), &reg).await;
    assert_eq!(res.status(), 303);
    let person = res.headers()["location"].to_str().unwrap().to_string();
    let id = person.split("citizen=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let masked = scalar_s(&app, "SELECT hkid_masked FROM citizens WHERE id = $1", &id).await.unwrap();
    assert!(!masked.contains("123456"), "stored masked: {masked}");
    // Found again by HKID next time.
    let found = desk.post_form(&format!("{base}/find"), &[("hkid", "a123456(3)"), ("service", "dental_gp")]).await;
    assert_eq!(found.headers()["location"].to_str().unwrap(), person);
    let page = desk.get(&person).await.text().await.unwrap();
    assert!(page.contains("陳大文") && page.contains("In good standing"));
    // Book at the counter: channel and actor are recorded.
    let res = desk.post_form(&format!("{base}/book"), &[("citizen_id", &id), ("slot_id", &slots[0].id)]).await;
    assert_eq!(res.status(), 303);
    let (channel, booked_by): (String, String) =
        sqlx::query_as("SELECT channel, booked_by FROM clinic_bookings WHERE citizen_id = $1")
            .bind(&id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(channel, "counter");
    assert!(booked_by != id, "booked by the staff member");
    let done = desk.get(res.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
    assert!(done.contains("Booking confirmed") || done.contains("<svg"), "{done}");
    // A second active booking for the service is refused with a clear message.
    let again = desk.post_form(&format!("{base}/book"), &[("citizen_id", &id), ("slot_id", &slots[1].id)]).await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("already an active booking"));
    app.shutdown().await;
}

#[tokio::test]
async fn citizens_change_their_time_within_the_limit() {
    let app = spawn_app().await;
    let slots = timetable(&app, "EHC-WC", "ehc_assessment", 2, 0, 0).await;
    let p = citizen(&app, "elder@example.com", "1950-01-01").await;
    assert_eq!(book(&app, &p, &slots[0].id, None).await.status(), 201);
    let reference = reference_of(&app, &p.0).await;
    let b = app.browser_with_session(&p.1);
    let page = b.get(&format!("/bookings/{reference}/change")).await.text().await.unwrap();
    assert!(page.contains("Changes left: 2"), "{page}");
    for (i, target) in [&slots[1], &slots[2]].iter().enumerate() {
        let res = b.post_form(&format!("/bookings/{reference}/change"), &[("slot_id", &target.id)]).await;
        assert_eq!(res.status(), 303, "change {i}");
    }
    let (slot, n): (String, i64) =
        sqlx::query_as("SELECT slot_id, reschedules FROM clinic_bookings WHERE reference = $1")
            .bind(&reference)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((slot.as_str(), n), (slots[2].id.as_str(), 2));
    assert_eq!(
        clinics::booking::store::slot(&app.state.db, &slots[0].id).await.unwrap().unwrap().booked,
        0,
        "old places freed"
    );
    let res = b.post_form(&format!("/bookings/{reference}/change"), &[("slot_id", &slots[3].id)]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("cannot be changed again"));
    // Someone else's booking is not found.
    let other = citizen(&app, "other@example.com", "1950-01-01").await;
    assert_eq!(app.browser_with_session(&other.1).get(&format!("/bookings/{reference}/change")).await.status(), 404);
    assert_consistent(&app).await;
    app.shutdown().await;
}
