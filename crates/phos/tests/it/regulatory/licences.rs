//! Licences over HTTP and through the daily job: reminders 90/60/30 days before expiry sent
//! once, lapse with a notice, online renewal with the fake payment provider, and staff actions
//! with reason and legal basis, revocation only with a second licensing manager.

use chrono::Duration;
use kernel::identity::Role;
use regulatory::licences::{Licence, store};
use regulatory::premises::{Licensee, Premises};

use crate::harness::TestApp;

/// A licence of `account` expiring `days` from today, and its number.
async fn licence(app: &TestApp, account: &str, days: i64) -> Licence {
    let db = &app.state.db;
    regulatory::licence_types::seed(db).await.unwrap();
    let now = kernel::now_ms();
    let today = kernel::hk::today();
    let p = Premises {
        id: kernel::new_id(),
        name_en: "Lion Rock Pharmacy".into(),
        name_zh: "獅子山藥房".into(),
        address_en: "G/F, 12 Lok Fu Road, Wong Tai Sin".into(),
        address_zh: "黃大仙樂富道12號地下".into(),
        district: "WTS".into(),
        lat: 22.34,
        lon: 114.19,
        volume: 3,
        created_at: now,
    };
    let e = Licensee {
        id: kernel::new_id(),
        kind: "company".into(),
        name_en: "Lion Rock Pharmacy Limited".into(),
        name_zh: "獅子山藥房有限公司".into(),
        br_number: Some("87654321".into()),
        account: Some(account.into()),
        created_at: now,
    };
    let l = Licence {
        id: kernel::new_id(),
        number: regulatory::licences::rules::new_number("RP", 2026),
        type_code: "pharmacy_retail".into(),
        premises_id: p.id.clone(),
        licensee_id: e.id.clone(),
        responsible_register: None,
        responsible_number: None,
        status: "active".into(),
        provisional: 0,
        conditions: "[]".into(),
        issued_on: (today - Duration::days(300)).to_string(),
        expires_on: (today + Duration::days(days)).to_string(),
        case_ref: "REG-2025-TESTTEST".into(),
        revision: 1,
        updated_at: now,
    };
    let mut tx = db.begin().await.unwrap();
    regulatory::premises::store::insert(&mut tx, &p).await.unwrap();
    regulatory::premises::store::insert_licensee(&mut tx, &e).await.unwrap();
    store::insert(&mut tx, &l).await.unwrap();
    tx.commit().await.unwrap();
    l
}

async fn outbox(app: &TestApp, template: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE template = $1")
        .bind(template)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

async fn status(app: &TestApp, number: &str) -> Licence {
    store::by_number(&app.state.db, number).await.unwrap().unwrap()
}

#[tokio::test]
async fn reminders_lapse_and_online_renewal() {
    let app = crate::harness::spawn_app().await;
    let (me, token, _) = crate::clinics::citizen(&app, "holder@example.hk", "1975-05-05").await;
    let soon = licence(&app, &me, 30).await;
    let gone = licence(&app, &me, -1).await;
    let later = licence(&app, &me, 200).await;
    let today = kernel::hk::today();
    let (reminded, lapsed) = regulatory::licences::service::renewal_round(&app.state, today).await.unwrap();
    assert_eq!((reminded, lapsed), (1, 1));
    // Run again the same day: nothing is sent twice.
    assert_eq!(regulatory::licences::service::renewal_round(&app.state, today).await.unwrap(), (0, 0));
    assert_eq!(outbox(&app, "regulatory-renewal-reminder").await, 1);
    assert_eq!(outbox(&app, "regulatory-licence-lapse").await, 1);
    assert_eq!(status(&app, &gone.number).await.status, "lapsed");
    let events = store::events(&app.state.db, &gone.id).await.unwrap();
    assert_eq!(events.last().unwrap().action, "lapse");

    let b = app.browser_with_session(&token);
    // Renewal is open 30 days before expiry, and for a lapsed licence within 30 days.
    let html = b.get(&format!("/licensing/licences/{}/renew", soon.number)).await.text().await.unwrap();
    assert!(html.contains("HK$2,200.00"), "{html}");
    let res = b.post_form(&format!("/licensing/licences/{}/renew", soon.number), &[]).await;
    assert_eq!(res.status(), 303);
    let renewed = status(&app, &soon.number).await;
    assert_eq!(renewed.expires_on, regulatory::licences::rules::expiry(today + Duration::days(31), 12).to_string());
    assert_eq!(store::events(&app.state.db, &soon.id).await.unwrap().last().unwrap().action, "renew");
    let res = b.post_form(&format!("/licensing/licences/{}/renew", gone.number), &[]).await;
    assert_eq!(res.status(), 303);
    let back = status(&app, &gone.number).await;
    assert_eq!(back.status, "active");
    assert_eq!(back.expires_on, regulatory::licences::rules::expiry(today, 12).to_string());
    // Not yet open 200 days ahead: refused with a message, nothing charged.
    let res = b.post_form(&format!("/licensing/licences/{}/renew", later.number), &[]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("error-summary"));
    assert_eq!(status(&app, &later.number).await.expires_on, later.expires_on);
    let renewals: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reg_applications WHERE kind = 'renew' AND status = 'granted'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(renewals, 2);
    // Someone else's licence is not found.
    let (_, other, _) = crate::clinics::citizen(&app, "other@example.hk", "1990-01-01").await;
    assert_eq!(
        app.browser_with_session(&other).get(&format!("/licensing/licences/{}/renew", later.number)).await.status(),
        404
    );
    app.shutdown().await;
}

#[tokio::test]
async fn staff_act_with_reasons_and_revocation_needs_a_second_manager() {
    let app = crate::harness::spawn_app().await;
    let (me, _, _) = crate::clinics::citizen(&app, "holder2@example.hk", "1975-05-05").await;
    let l = licence(&app, &me, 150).await;
    let path = format!("/staff/regulatory/licences/{}/actions", l.number);
    let officer = app.staff_browser(&[Role::LicensingOfficer, Role::LicensingManager]).await;
    assert_eq!(officer.get(&format!("/staff/regulatory/licences/{}", l.number)).await.status(), 200);
    // No reason, no legal basis: both listed, nothing changed.
    let res = officer.post_form(&path, &[("action", "suspend")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter the reason") && html.contains("Enter the legal basis"), "{html}");
    assert_eq!(status(&app, &l.number).await.status, "active");
    let res = officer
        .post_form(
            &path,
            &[("action", "suspend"), ("reason", "Unlicensed sale of Part 1 poisons"), ("legal_basis", "Cap. 138 s.14")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(status(&app, &l.number).await.status, "suspended");
    assert_eq!(outbox(&app, "regulatory-licence-suspend").await, 1);
    // Revocation straight away is refused: it needs a second officer.
    let res = officer.post_form(&path, &[("action", "revoke"), ("reason", "x"), ("legal_basis", "y")]).await;
    assert_eq!(res.status(), 409);
    let res = officer
        .post_form(
            &path,
            &[("action", "propose-revoke"), ("reason", "Repeated breaches"), ("legal_basis", "Cap. 138 s.14")],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The proposer cannot approve it, even as a manager.
    let res = officer.post_form(&path, &[("action", "approve-revoke")]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(status(&app, &l.number).await.status, "suspended");
    // An officer without the manager role cannot decide either.
    let plain = app.staff_browser(&[Role::LicensingOfficer]).await;
    assert_eq!(plain.post_form(&path, &[("action", "approve-revoke")]).await.status(), 403);
    let manager = app.staff_browser(&[Role::LicensingManager]).await;
    assert_eq!(manager.post_form(&path, &[("action", "approve-revoke")]).await.status(), 303);
    let revoked = status(&app, &l.number).await;
    assert_eq!(revoked.status, "revoked");
    let events = store::events(&app.state.db, &l.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.reason.as_str(), last.legal_basis.as_str()),
        ("revoke", "Repeated breaches", "Cap. 138 s.14")
    );
    // Nothing more can happen to a revoked licence.
    let res = manager.post_form(&path, &[("action", "reinstate"), ("reason", "x"), ("legal_basis", "y")]).await;
    assert_eq!(res.status(), 409);
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'regulatory.licence.%'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(audited, 3);
    app.shutdown().await;
}
