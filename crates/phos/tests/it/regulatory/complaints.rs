//! Complaints over HTTP: the public form (register search, every problem at once, nothing
//! written on bad input), the reference and acknowledgement in the complainant's language,
//! automatic grouping against an open complaint about the same premises, staff triage (link,
//! unlink, reject with a reason, send to inspection) with audit entries, and the group closed
//! with each complainant told the outcome in their own language when the inspection is recorded.

use kernel::identity::Role;
use serde_json::{Value, json};

use super::field::{count, outbox, premises};
use crate::harness::{Browser, eventually, spawn_app};

/// Posts the public form in a language (as a browser whose Accept-Language says so).
async fn complain(b: &Browser, lang: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let token = b.csrf().await;
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    b.client
        .post(format!("{}/complaints/new", b.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", lang)
        .body(crate::harness::serde_urlencoded_string(&all))
        .send()
        .await
        .unwrap()
}

fn reference_of(location: &str) -> String {
    let r = location.split("ref=").nth(1).unwrap().split('&').next().unwrap().to_string();
    assert!(r.starts_with("CMP-") && r.len() == 15, "{r}");
    r
}

async fn id_of(app: &crate::harness::TestApp, reference: &str) -> (String, String, String) {
    sqlx::query_as("SELECT id, COALESCE(group_id, id), status FROM reg_complaints WHERE ref = $1")
        .bind(reference)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn complaints_from_the_form_to_the_outcome() {
    let app = spawn_app().await;
    let shop = premises(&app, "Happy Harbour Pharmacy", "YTM").await;
    let public = app.browser();

    // The register search offers the premises.
    let html = public.get("/complaints/new?q=happy+harbour").await.text().await.unwrap();
    assert!(
        html.contains("Happy Harbour Pharmacy") && html.contains(&format!("value=\"{shop}\"")),
        "search result shown"
    );

    // Bad input: every problem at once, nothing written.
    let res = complain(&public, "en", &[("category", "gossip"), ("email", "not-an-email"), ("phone", "12")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for msg in [
        "Choose the premises from the register, or describe it",
        "Choose what the complaint is about",
        "Tell us what happened",
        "Enter an email address like name@example.com",
        "Enter a Hong Kong phone number of 8 digits",
    ] {
        assert!(html.contains(msg), "missing error: {msg}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reg_complaints WHERE category <> $1", "").await, 0);
    let res = complain(&public, "zh-HK", &[("premises_text", "某藥房"), ("category", "other")]).await;
    assert!(res.text().await.unwrap().contains("請告訴我們事件經過"), "errors in Chinese");

    // A complaint with an email, in English: a reference and an acknowledgement.
    let res = complain(
        &public,
        "en",
        &[
            ("premises_id", &shop),
            ("category", "prescription"),
            ("description", "Sold antibiotics without a prescription."),
            ("email", "mei@example.hk"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let first = reference_of(&location);
    let page = public.get(&location).await.text().await.unwrap();
    assert!(page.contains("Complaint received") && page.contains(&first));
    let ack = outbox(&app, "mei@example.hk").await;
    assert_eq!(ack.len(), 1);
    assert_eq!((ack[0].0.as_str(), ack[0].1.as_str()), ("reg-cmp-ack", "en"));
    assert!(ack[0].2.contains(&first));

    // A second one about the same premises, in Chinese with a phone: it joins the group.
    let res = complain(
        &public,
        "zh-HK",
        &[("premises_id", &shop), ("category", "hygiene"), ("description", "藥物放在陽光下。"), ("phone", "9123 4567")],
    )
    .await;
    let second = reference_of(res.headers()["location"].to_str().unwrap());
    let sms = outbox(&app, "91234567").await;
    assert_eq!((sms[0].0.as_str(), sms[0].1.as_str()), ("reg-cmp-ack", "zh-Hant-HK"));
    assert!(sms[0].2.contains("參考編號") && sms[0].2.contains(&second));
    let (first_id, first_group, _) = id_of(&app, &first).await;
    let (second_id, second_group, _) = id_of(&app, &second).await;
    assert_eq!(first_group, first_id);
    assert_eq!(second_group, first_id, "a new complaint about a premises with an open complaint joins its group");

    // A third, anonymous, describing the premises only: a group of its own.
    let res = complain(
        &public,
        "en",
        &[
            ("premises_text", "A shop near the MTR exit"),
            ("district", "YTM"),
            ("category", "counterfeit"),
            ("description", "Fake slimming pills."),
        ],
    )
    .await;
    let third = reference_of(res.headers()["location"].to_str().unwrap());
    let (third_id, third_group, _) = id_of(&app, &third).await;
    assert_eq!(third_group, third_id);
    let anonymous: i64 = sqlx::query_scalar("SELECT anonymous FROM reg_complaints WHERE id = $1")
        .bind(&third_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(anonymous, 1);

    // The public status page by reference, and an unknown reference.
    let html = public.get(&format!("/complaints/status?ref={}", third.to_lowercase())).await.text().await.unwrap();
    assert!(html.contains("Received") && !html.contains("Fake slimming pills"), "status only, not the text");
    assert_eq!(public.get("/complaints/status?ref=CMP-2026-222222").await.status(), 404);

    // Staff only.
    assert_ne!(public.get("/staff/regulatory/complaints").await.status(), 200);
    let officer = app.staff_browser(&[Role::LicensingOfficer]).await;
    let html = officer.get("/staff/regulatory/complaints").await.text().await.unwrap();
    assert!(html.contains(&first) && html.contains(&second) && html.contains(&third) && html.contains("Group of 2"));
    let html = officer.get("/staff/regulatory/complaints?status=received&q=mtr").await.text().await.unwrap();
    assert!(html.contains(&third) && !html.contains(&first), "filters");

    // Link the third to the first's group, then take it out again.
    let link = format!("/staff/regulatory/complaints/{third_id}/link");
    let res = officer.post_form(&link, &[("other", "CMP-2026-ZZZZZZ")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("There is no complaint with this reference"));
    assert_eq!(officer.post_form(&link, &[("other", &first)]).await.status(), 303);
    assert_eq!(id_of(&app, &third).await.1, first_id);
    assert_eq!(officer.post_form(&format!("/staff/regulatory/complaints/{third_id}/unlink"), &[]).await.status(), 303);
    assert_eq!(id_of(&app, &third).await.1, third_id);

    // Reject the third: a reason is needed.
    let reject = format!("/staff/regulatory/complaints/{third_id}/reject");
    let res = officer.post_form(&reject, &[("reason", " ")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(id_of(&app, &third).await.2, "received", "nothing written");
    assert_eq!(officer.post_form(&reject, &[("reason", "Not a licensed premises")]).await.status(), 303);
    assert_eq!(id_of(&app, &third).await.2, "rejected");

    // Sending an unmatched complaint to inspection is refused, with nothing written.
    let res = officer
        .post_form(
            &format!("/staff/regulatory/complaints/{third_id}/triage"),
            &[("priority", "1"), ("action", "inspect")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reg_inspections WHERE premises_id <> $1", "").await, 0);

    // Triage the first as urgent and send the group to inspection.
    let res = officer
        .post_form(
            &format!("/staff/regulatory/complaints/{first_id}/triage"),
            &[("priority", "1"), ("action", "inspect")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (insp_id, kind, priority, due): (String, String, i64, String) =
        sqlx::query_as("SELECT id, kind, priority, due_on FROM reg_inspections WHERE premises_id = $1")
            .bind(&shop)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((kind.as_str(), priority), ("complaint", 1));
    assert_eq!(due, (kernel::hk::today() + chrono::Duration::days(1)).format("%Y-%m-%d").to_string());
    for r in [&first, &second] {
        assert_eq!(id_of(&app, r).await.2, "inspection");
    }
    let audited = count(&app, "SELECT COUNT(*) FROM audit_log WHERE action LIKE $1", "regulatory.complaint.%").await;
    assert!(audited >= 8, "every action audited ({audited})");

    // The inspector records the outcome (a day early, marked late with a reason): the group is
    // closed and each complainant told in their own language.
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    let token = inspector.csrf().await;
    let body = json!({
        "submission_id": "sync-1",
        "items": [
            {"item": "premises_clean", "result": "not_compliant", "note": "Medicines in direct sunlight"},
            {"item": "licence_displayed", "result": "compliant"}
        ],
        "outcome": "warning",
        "signed_by": "Chan Tai Man",
        "late": true,
        "late_reason": "Urgent complaint: inspected on the day it came in"
    });
    let res = inspector
        .client
        .post(format!("{}/api/v1/regulatory/inspections/{insp_id}/record", inspector.base))
        .header("x-csrf-token", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let done: Value = res.json().await.unwrap();
    let mut closed: Vec<String> =
        done["complaints_closed"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    closed.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(closed, expected);
    // The complaints job closes them at once after the commit.
    let mail = eventually(20, || async {
        let m = outbox(&app, "mei@example.hk").await;
        (m.len() == 2).then_some(m)
    })
    .await
    .expect("the complainant is told the outcome");
    assert_eq!((mail[1].0.as_str(), mail[1].1.as_str()), ("reg-cmp-outcome", "en"));
    assert!(mail[1].2.contains("Outcome: Warning"), "{}", mail[1].2);
    let sms = eventually(20, || async {
        let m = outbox(&app, "91234567").await;
        (m.len() == 2).then_some(m)
    })
    .await
    .expect("the other complainant is told too");
    assert_eq!((sms[1].0.as_str(), sms[1].1.as_str()), ("reg-cmp-outcome", "zh-Hant-HK"));
    assert!(sms[1].2.contains("結果：警告"), "{}", sms[1].2);
    let html = public.get(&format!("/complaints/status?ref={first}")).await.text().await.unwrap();
    assert!(html.contains("Closed") && html.contains("Warning"));

    // A new complaint about the premises now starts a new group.
    let res =
        complain(&public, "en", &[("premises_id", &shop), ("category", "other"), ("description", "Again.")]).await;
    let fourth = reference_of(res.headers()["location"].to_str().unwrap());
    let (fourth_id, fourth_group, status) = id_of(&app, &fourth).await;
    assert_eq!((fourth_group, status.as_str()), (fourth_id, "received"));
    let _ = second_id;
    app.shutdown().await;
}
