//! Inspections in the field over HTTP: the inspector's list, the no-JavaScript checklist page
//! (multipart: findings, notes, photos, the typed signature, the outcome), its bad input
//! (every problem at once, nothing written: no row changed, no photo stored), the outcome's
//! effects (done, publish-after, follow-up, enforcement note), the window rule, the JSON API
//! the offline page syncs to (bilingual problem+json, idempotent by submission id), photo type
//! and size limits, and who may record.

use base64::Engine;
use kernel::identity::Role;
use serde_json::{Value, json};

use super::field::{count, inspection, premises};
use crate::harness::{Browser, STAFF_PASSWORD, TestApp, spawn_app, spawn_app_with};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-test-bytes";

/// The checklist form as multipart: text fields, then files in part `photos`.
async fn post_checklist(b: &Browser, id: &str, fields: &[(&str, &str)], photos: &[(&str, &[u8])]) -> reqwest::Response {
    let html = b.get(&format!("/staff/regulatory/inspections/{id}/checklist")).await.text().await.unwrap();
    let token = crate::harness::csrf_of(&html).unwrap();
    // The page's submission id (a done inspection's page has no form: a fresh one then).
    let sub = html
        .split("name=\"submission_id\" value=\"")
        .nth(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .unwrap_or_else(kernel::new_id);
    let boundary = "----phos-field-boundary";
    let mut body = Vec::new();
    let mut part = |name: &str, value: &str| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    };
    part("csrf", &token);
    part("submission_id", &sub);
    for (k, v) in fields {
        part(k, v);
    }
    for (name, bytes) in photos {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    b.client
        .post(format!("{}/staff/regulatory/inspections/{id}/checklist", b.base))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn api(b: &Browser, id: &str, body: &Value) -> (u16, Value) {
    let token = b.csrf().await;
    let res = b
        .client
        .post(format!("{}/api/v1/regulatory/inspections/{id}/record", b.base))
        .header("x-csrf-token", token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn status_of(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM reg_inspections WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

fn general(outcome: &str, clean: &str, note: &str) -> Value {
    json!({
        "items": [{"item": "premises_clean", "result": clean, "note": note}, {"item": "licence_displayed", "result": "compliant"}],
        "outcome": outcome,
        "signed_by": "Wong Siu Ming",
    })
}

#[tokio::test]
async fn the_checklist_page_records_an_outcome_without_javascript() {
    let app = spawn_app().await;
    let shop = premises(&app, "Lucky Star Dispensary", "KT").await;
    let me = app.staff_user("field-inspector@dh.test", &[Role::Inspector], STAFF_PASSWORD).await;
    let inspector = app.signed_in("field-inspector@dh.test").await;
    let today = inspection(&app, &shop, Some(&me), 0, ("00:00", "23:59")).await;
    let later = inspection(&app, &shop, Some(&me), 3, ("09:00", "12:00")).await;

    let html = inspector.get("/staff/regulatory/inspections/mine").await.text().await.unwrap();
    let (t, u) = html.split_once("Upcoming").unwrap();
    assert!(t.contains(&today) && u.contains(&later), "today's and upcoming inspections");
    let html = inspector.get(&format!("/staff/regulatory/inspections/{today}/checklist")).await.text().await.unwrap();
    assert!(html.contains("Licence condition") && html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("/staff/regulatory/inspections/manifest.webmanifest"), "installable");
    // The offline pieces: the service worker (its scope covers the pages), the manifest, the script.
    let res = app.get("/staff/regulatory/inspections/sw.js").await;
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(res.text().await.unwrap().contains("/static/regulatory-inspect.js"));
    let res = app.get("/staff/regulatory/inspections/manifest.webmanifest").await;
    assert_eq!(res.headers()["content-type"], "application/manifest+json");
    let manifest: Value = res.json().await.unwrap();
    assert_eq!(manifest["scope"], "/staff/regulatory/inspections/");
    let js = app.get("/static/regulatory-inspect.js").await.text().await.unwrap();
    assert!(js.contains("/api/v1/regulatory/inspections/") || js.contains("data-offline-record"));

    // Bad input: every problem at once; nothing written, no photo stored.
    let res = post_checklist(
        &inspector,
        &today,
        &[("item-premises_clean", "not_compliant"), ("outcome", "compliant")],
        &[("report.png", b"%PDF-1.4 not a picture")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for msg in [
        "Add a note on what was not complied with",
        "Answer “The licence is displayed where the public can see it”",
        "The outcome cannot be compliant when an item was not complied with",
        "Enter the name of the person in charge",
        "“report.png” is not a PNG, JPEG or GIF picture",
    ] {
        assert!(html.contains(msg), "missing error: {msg}");
    }
    assert_eq!(status_of(&app, &today).await, "planned");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reg_inspection_photos WHERE inspection_id = $1", &today).await, 0);

    // A complete record: prosecution referral with a photo.
    let res = post_checklist(
        &inspector,
        &today,
        &[
            ("item-premises_clean", "not_compliant"),
            ("note-premises_clean", "Expired stock on the shelves"),
            ("item-licence_displayed", "na"),
            ("outcome", "prosecution"),
            ("signed_by", "Wong Siu Ming"),
        ],
        &[("shelf.png", PNG)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = inspector.get(res.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
    assert!(
        html.contains("The inspection is recorded.")
            && html.contains("Referred for prosecution")
            && html.contains("shelf.png")
    );
    assert!(
        html.contains("Enforcement case notes on this premises") && html.contains("Expired stock on the shelves"),
        "the case note shows"
    );
    let (status, outcome, publish, findings): (String, String, String, String) =
        sqlx::query_as("SELECT status, outcome, publish_after, findings FROM reg_inspections WHERE id = $1")
            .bind(&today)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), outcome.as_str()), ("done", "prosecution"));
    assert_eq!(publish, (kernel::hk::today() + chrono::Duration::days(14)).format("%Y-%m-%d").to_string());
    let findings: Value = serde_json::from_str(&findings).unwrap();
    assert_eq!(findings[0]["provision"], "Licence condition");
    assert_eq!(findings[0]["note"], "Expired stock on the shelves");
    let (kind, priority): (String, i64) =
        sqlx::query_as("SELECT kind, priority FROM reg_inspections WHERE source_ref = $1")
            .bind(&today)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((kind.as_str(), priority), ("follow_up", 1));
    let note: String = sqlx::query_scalar("SELECT kind FROM reg_enforcement_notes WHERE premises_id = $1")
        .bind(&shop)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(note, "prosecution_referral");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reg_inspection_photos WHERE inspection_id = $1", &today).await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'regulatory.inspection.record' AND subject_id = $1",
            &today
        )
        .await,
        1
    );
    let photo: String = sqlx::query_scalar("SELECT id FROM reg_inspection_photos WHERE inspection_id = $1")
        .bind(&today)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = inspector.get(&format!("/staff/regulatory/inspections/photos/{photo}")).await;
    assert_eq!((res.status().as_u16(), res.bytes().await.unwrap().as_ref()), (200, PNG));

    // Twice: refused, clearly.
    let res = post_checklist(&inspector, &today, &[("outcome", "compliant")], &[]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already recorded"));

    // Someone else's inspection.
    let other = app.staff_browser(&[Role::Inspector]).await;
    let (code, _) =
        api(&other, &later, &json!({"submission_id": "x", "items": [], "outcome": "compliant", "signed_by": "A"}))
            .await;
    assert_eq!(code, 403);
    assert_eq!(status_of(&app, &later).await, "planned");
    // Not an inspector.
    let clerk = app.staff_browser(&[Role::LicensingOfficer]).await;
    assert_ne!(clerk.get(&format!("/staff/regulatory/inspections/{later}/checklist")).await.status(), 200);
    app.shutdown().await;
}

#[tokio::test]
async fn the_sync_api_checks_the_window_and_records_once() {
    let app = spawn_app().await;
    let shop = premises(&app, "Golden Lotus Herbs", "SSP").await;
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    let yesterday = inspection(&app, &shop, None, -1, ("09:00", "17:00")).await;

    // Outside the window: a bilingual problem, nothing written.
    let mut body = general("advice", "compliant", "");
    body["submission_id"] = json!("phone-7f3a");
    let (code, problem) = api(&inspector, &yesterday, &body).await;
    assert_eq!(code, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "late");
    assert_eq!(problem["errors"][0]["code"], "reg_insp_outside_window");
    assert!(problem["errors"][0]["message"]["en"].as_str().unwrap().contains("between 09:00 and 17:00"));
    assert!(problem["errors"][0]["message"]["zh-Hant-HK"].as_str().unwrap().contains("在時段以外記錄"));
    assert_eq!(status_of(&app, &yesterday).await, "due");

    // Marked late, with a reason: recorded. The same submission again: recorded once.
    body["late"] = json!(true);
    body["late_reason"] = json!("Queued offline yesterday; the phone had no network");
    body["signature_png"] =
        json!(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(PNG)));
    let (code, done) = api(&inspector, &yesterday, &body).await;
    assert_eq!(code, 201, "{done}");
    assert_eq!((done["replayed"].as_bool(), done["inspection"]["status"].as_str()), (Some(false), Some("done")));
    let (code, again) = api(&inspector, &yesterday, &body).await;
    assert_eq!(code, 200);
    assert_eq!(again["replayed"], true);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'regulatory.inspection.record' AND subject_id = $1",
            &yesterday
        )
        .await,
        1
    );
    let (late, signature): (String, Option<String>) =
        sqlx::query_as("SELECT late_reason, signature_key FROM reg_inspections WHERE id = $1")
            .bind(&yesterday)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(late.contains("no network") && signature.is_some());
    // A new submission for a done inspection is refused; so is a used id for another one.
    body["submission_id"] = json!("phone-other");
    let (code, p) = api(&inspector, &yesterday, &body).await;
    assert_eq!((code, p["errors"][0]["code"].as_str()), (422, Some("reg_insp_already_recorded")));
    let other = inspection(&app, &shop, None, 0, ("00:00", "23:59")).await;
    body["submission_id"] = json!("phone-7f3a");
    let (code, p) = api(&inspector, &other, &body).await;
    assert_eq!((code, p["errors"][0]["code"].as_str()), (422, Some("reg_insp_submission_reused")));
    assert_eq!(status_of(&app, &other).await, "due");
    app.shutdown().await;
}

#[tokio::test]
async fn photos_of_the_wrong_type_or_too_large_are_refused() {
    let app = spawn_app_with(|c| c.files_max_bytes = 64, None).await;
    let shop = premises(&app, "Peak Care Clinic", "CW").await;
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    let id = inspection(&app, &shop, None, 0, ("00:00", "23:59")).await;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut big = PNG.to_vec();
    big.resize(200, 0);
    let mut body = general("compliant", "compliant", "");
    body["submission_id"] = json!("s-1");
    body["photos"] =
        json!([{"name": "big.png", "data": b64(&big)}, {"name": "notes.pdf", "data": b64(b"%PDF-1.7 report")}]);
    let (code, p) = api(&inspector, &id, &body).await;
    assert_eq!(code, 422, "{p}");
    let codes: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["reg_insp_photo_too_large", "reg_insp_photo_type"]);
    assert!(p["errors"][0]["message"]["zh-Hant-HK"].as_str().unwrap().contains("big.png"));
    assert_eq!(status_of(&app, &id).await, "due");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reg_inspection_photos WHERE inspection_id = $1", &id).await, 0);
    body["photos"] = json!([{"name": "ok.png", "data": b64(PNG)}]);
    let (code, _) = api(&inspector, &id, &body).await;
    assert_eq!(code, 201);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reg_inspection_photos WHERE inspection_id = $1", &id).await, 1);
    app.shutdown().await;
}
