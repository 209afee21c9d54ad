//! Health protection over HTTP: notifications by web form, JSON (single and batch) and FHIR;
//! de-duplication into cases; validation that changes nothing; need-to-know on case pages and
//! the audit of every case view; contacts and follow-up; clusters and transmission chains;
//! the data stewards' catalogue; and the weekly counts against a recount from the cases.

use std::collections::BTreeMap;

use kernel::hkid::Hkid;
use kernel::identity::Role;
use protection::weeks::Cell;
use serde_json::{Value, json};

use crate::harness::{Browser, STAFF_PASSWORD, TestApp, spawn_app};

fn hkid(n: u32) -> String {
    Hkid::from_parts("T", &format!("{n:06}")).display()
}

fn days_ago(n: i64) -> String {
    (kernel::hk::today() - chrono::Duration::days(n)).to_string()
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.state.db.pool()).await.unwrap()
}

/// Rows of every table a notification writes.
async fn footprint(app: &TestApp) -> [i64; 6] {
    [
        count(app, "SELECT COUNT(*) FROM protection_persons").await,
        count(app, "SELECT COUNT(*) FROM protection_cases").await,
        count(app, "SELECT COUNT(*) FROM protection_notifications").await,
        count(app, "SELECT COUNT(*) FROM protection_classifications").await,
        count(app, "SELECT COUNT(*) FROM protection_lab_results").await,
        count(app, "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM protection_weekly_counts").await,
    ]
}

/// A partner token of an approved laboratory client with these scopes.
async fn partner_token(app: &TestApp, scopes: &[&str]) -> String {
    use kernel::identity::partner;
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    let mut tx = app.state.db.begin().await.unwrap();
    let (id, secret) = partner::register_client(
        &mut tx,
        "Demo Pathology Laboratory",
        "government",
        "lab@example.com",
        "LIS",
        &scopes,
        100_000,
    )
    .await
    .unwrap();
    partner::set_status(&mut tx, &id, "approved").await.unwrap();
    tx.commit().await.unwrap();
    partner::issue_token(&app.state.db, &id, &secret, None).await.unwrap().unwrap().access_token
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let res = app.client.post(format!("{}{path}", app.url)).bearer_auth(token).json(body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn measles(hkid: Option<&str>, name: &str, onset: &str) -> Value {
    let mut patient = json!({"name_en": name, "sex": "F", "birth_date": "1990-05-01", "district": "KT"});
    if let Some(h) = hkid {
        patient["hkid"] = json!(h);
    }
    json!({"disease": "measles", "patient": patient, "onset_date": onset, "fields": {"rash_onset": onset}})
}

/// A signed-in member of staff with these roles, and their id.
async fn staff(app: &TestApp, roles: &[Role]) -> (String, Browser) {
    let email = format!("{}@dh.test", uuid::Uuid::now_v7().simple());
    let id = app.staff_user(&email, roles, STAFF_PASSWORD).await;
    let b = app.browser();
    let res = b.post_form("/staff/login", &[("email", &email), ("password", STAFF_PASSWORD)]).await;
    assert_eq!(res.status(), 303, "staff sign-in");
    (id, b)
}

async fn text(b: &Browser, path: &str) -> (u16, String) {
    let res = b.get(path).await;
    let s = res.status().as_u16();
    (s, res.text().await.unwrap())
}

/// The weekly counts equal a recount of the cases themselves.
async fn assert_counts_match(app: &TestApp) {
    let db = &app.state.db;
    let mut recount: BTreeMap<Cell, i64> = BTreeMap::new();
    for (disease, date, district, class, n) in protection::store::case_day_counts(db).await.unwrap() {
        *recount.entry(Cell::new(&disease, date.parse().unwrap(), &district, &class)).or_insert(0) += n;
    }
    let table: BTreeMap<Cell, i64> = protection::store::weekly_counts(db, None).await.unwrap().into_iter().collect();
    assert_eq!(table, recount, "weekly counts drifted from the cases");
    assert!(!table.is_empty());
}

#[tokio::test]
async fn reporters_notify_by_web_form() {
    let app = spawn_app().await;
    let (_, doctor) = staff(&app, &[Role::Reporter]).await;
    let (_, html) = text(&doctor, "/notify").await;
    assert!(html.contains("value=\"measles\"") && html.contains("phone at once"));
    // Choosing no disease, or one that does not exist, is a clear error.
    let (s, html) = text(&doctor, "/notify/new?disease=dragon_pox").await;
    assert_eq!(s, 422);
    assert!(html.contains("There is no notifiable disease “dragon_pox”"), "{html}");
    // The measles form asks its own questions.
    let (s, html) = text(&doctor, "/notify/new?disease=measles").await;
    assert_eq!(s, 200);
    assert!(html.contains("name=\"f_rash_onset\"") && html.contains("Date the rash began"));
    let form_id = html.split("name=\"form_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();

    // Bad input: every problem named, nothing written.
    let before = footprint(&app).await;
    let tomorrow = (kernel::hk::today() + chrono::Duration::days(1)).to_string();
    let bad = [
        ("disease", "measles"),
        ("form_id", form_id.as_str()),
        ("hkid", "A123456(4)"),
        ("sex", "M"),
        ("district", "KT"),
        ("onset_date", tomorrow.as_str()),
    ];
    let res = doctor.post_form("/notify/new", &bad).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for msg in [
        "This HKID number is not valid",
        "Enter the patient&#39;s name in English or in Chinese",
        "The date of onset cannot be in the future",
        "href=\"#f_rash_onset\"",
        "href=\"#hkid\"",
    ] {
        assert!(html.contains(msg), "{msg} missing");
    }
    assert_eq!(footprint(&app).await, before, "a refused notification writes nothing");

    // A good one: a reference, and a confirmation page.
    let onset = days_ago(2);
    let good = [
        ("disease", "measles"),
        ("form_id", form_id.as_str()),
        ("hkid", "A123456(3)"),
        ("name_en", "CHAN Tai Man"),
        ("name_zh", "陳大文"),
        ("sex", "M"),
        ("birth_date", "1990-01-01"),
        ("district", "KT"),
        ("kind", "clinical"),
        ("classification", "suspected"),
        ("onset_date", onset.as_str()),
        ("exposure_setting", "school"),
        ("f_rash_onset", onset.as_str()),
        ("f_vaccinated", "no"),
        ("institution", "Demo Family Clinic"),
    ];
    let res = doctor.post_form("/notify/new", &good).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/notify/done/NID-"), "{location}");
    let (_, html) = text(&doctor, &location).await;
    let reference = location.trim_start_matches("/notify/done/");
    assert!(
        html.contains(reference)
            && html.contains("New case CASE-")
            && html.contains("Phone the Central Notification Office")
    );
    // Sending the same form again (a double click) gives the same reference, not a second case.
    let res = doctor.post_form("/notify/new", &good).await;
    assert_eq!(res.headers()["location"].to_str().unwrap(), location);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_notifications").await, 1);
    // The HKID is stored masked and keyed-hashed only.
    let (masked, hmac): (String, String) = sqlx::query_as("SELECT hkid_masked, hkid_hmac FROM protection_persons")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(masked, "A123***(3)");
    assert_eq!(hmac, Hkid::parse("A123456(3)").unwrap().hmac(&app.state.keys.hkid));
    // The same form in Chinese.
    doctor.get("/lang/zh-Hant-HK?back=/notify").await;
    let (_, zh) = text(&doctor, "/notify/new?disease=measles").await;
    assert!(zh.contains("出疹日期") && zh.contains("呈報傳染病"), "{zh}");
    // Other staff cannot notify; nobody sees someone else's confirmation.
    let (_, epi) = staff(&app, &[Role::Epidemiologist]).await;
    assert_eq!(epi.get("/notify").await.status(), 403);
    let (_, other_doctor) = staff(&app, &[Role::Reporter]).await;
    assert_eq!(other_doctor.get(&location).await.status(), 404);
    app.shutdown().await;
}

#[tokio::test]
async fn api_notifications_merge_by_person_and_episode_and_are_idempotent() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let h = hkid(1);
    let mut first = measles(Some(&h), "LEE Mei Ling", &days_ago(5));
    first["reporter_ref"] = json!("LAB-1");
    let (s, a) = post(&app, &token, "/api/v1/notifications", &first).await;
    assert_eq!(s, 201, "{a}");
    assert!(a["reference"].as_str().unwrap().starts_with("NID-"));
    assert_eq!(
        (a["merged"].clone(), a["merged_into"].clone(), a["immediate_phone"].clone()),
        (json!(false), Value::Null, json!(true))
    );
    let case = a["case_reference"].as_str().unwrap().to_string();

    // A laboratory confirms it: same HKID, same episode, merged, and the case becomes confirmed.
    let lab = json!({"disease": "measles", "kind": "laboratory", "patient": {"hkid": h, "name_en": "LEE Mei Ling", "sex": "F", "district": "KT"},
        "lab": {"test": "Measles IgM", "result": "positive", "specimen_date": days_ago(3)}, "fields": {"rash_onset": days_ago(5)}});
    let (s, b) = post(&app, &token, "/api/v1/notifications", &lab).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!((b["merged"].clone(), b["merged_into"].as_str()), (json!(true), Some(case.as_str())));
    let c = protection::store::case_by_reference(&app.state.db, &case).await.unwrap().unwrap();
    assert_eq!((c.classification.code(), c.notifications), ("confirmed", 2));
    let history = protection::store::classification_history(&app.state.db, &c.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[1].reason.contains(b["reference"].as_str().unwrap()), "{:?}", history[1]);

    // Without an HKID, the same name, date of birth and sex is the same person.
    let (s, x) = post(&app, &token, "/api/v1/notifications", &measles(None, "Lee Mei-ling", &days_ago(4))).await;
    assert_eq!((s, x["merged_into"].as_str()), (201, Some(case.as_str())));
    // Someone else is a new case.
    let (_, y) =
        post(&app, &token, "/api/v1/notifications", &measles(Some(&hkid(2)), "WONG Siu Fung", &days_ago(4))).await;
    assert_ne!(y["case_reference"].as_str(), Some(case.as_str()));
    // The same person with dengue fever is another case; a dengue onset 120 days after that is another episode.
    let dengue = |onset: &str| {
        json!({"disease": "dengue_fever", "patient": {"hkid": h, "name_en": "LEE Mei Ling", "sex": "F", "district": "KT"},
            "onset_date": onset, "fields": {"travel_history": "Bangkok"}})
    };
    let (_, d1) = post(&app, &token, "/api/v1/notifications", &dengue(&days_ago(130))).await;
    let (_, d2) = post(&app, &token, "/api/v1/notifications", &dengue(&days_ago(10))).await;
    let (_, d3) = post(&app, &token, "/api/v1/notifications", &dengue(&days_ago(12))).await;
    assert_eq!(
        (d1["merged"].clone(), d2["merged"].clone(), d3["merged"].clone()),
        (json!(false), json!(false), json!(true))
    );
    assert_ne!(d1["case_reference"], d2["case_reference"]);
    assert_eq!(d2["case_reference"], d3["case_reference"]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_persons").await, 2);

    // Idempotency: the same reporter reference again answers with the first acknowledgement.
    let before = footprint(&app).await;
    let (s, again) = post(&app, &token, "/api/v1/notifications", &first).await;
    assert_eq!(s, 200);
    assert_eq!((again["reference"].clone(), again["duplicate"].clone()), (a["reference"].clone(), json!(true)));
    // …and with other content it is refused.
    let mut changed = first.clone();
    changed["onset_date"] = json!(days_ago(6));
    let (s, p) = post(&app, &token, "/api/v1/notifications", &changed).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("reporter_ref_reused")));
    assert!(p["titles"]["zh-Hant-HK"].as_str().unwrap().contains("參考編號"));
    // The Idempotency-Key header does the same when the body has no reference.
    let body = measles(Some(&hkid(3)), "HO Ka Keung", &days_ago(1));
    let send = || {
        app.client
            .post(format!("{}/api/v1/notifications", app.url))
            .bearer_auth(&token)
            .header("idempotency-key", "K-77")
            .json(&body)
            .send()
    };
    let r1: Value = send().await.unwrap().json().await.unwrap();
    let r2 = send().await.unwrap();
    assert_eq!(r2.status(), 200);
    assert_eq!(r2.json::<Value>().await.unwrap()["reference"], r1["reference"]);
    assert_eq!(footprint(&app).await[2], before[2] + 1, "one new notification in all that");
    assert_counts_match(&app).await;
    app.shutdown().await;
}

#[tokio::test]
async fn bad_notifications_get_bilingual_errors_and_change_nothing() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let wrong_scope = partner_token(&app, &["sandbox:read"]).await;
    let before = footprint(&app).await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"disease": "dragon_pox", "patient": {"hkid": hkid(1), "name_en": "A", "sex": "F", "district": "KT"}}),
            "disease",
            "unknown_disease",
        ),
        (measles(Some("A123456(4)"), "A", &days_ago(1)), "patient.hkid", "hkid_check_digit"),
        (measles(Some(&hkid(1)), "A", &days_ago(-2)), "onset_date", "onset_in_future"),
        (
            json!({"disease": "measles", "patient": {"hkid": hkid(1), "name_en": "A", "sex": "F", "district": "KT"}}),
            "fields.rash_onset",
            "required",
        ),
        (
            json!({"disease": "measles", "patient": {"name_en": "A", "district": "KT"}, "fields": {"rash_onset": days_ago(1)}}),
            "patient.hkid",
            "hkid_or_birth_date",
        ),
        (
            json!({"disease": "measles", "kind": "laboratory", "patient": {"hkid": hkid(1), "name_en": "A", "sex": "F", "district": "KT"}, "fields": {"rash_onset": days_ago(1)}}),
            "lab.test",
            "lab_required",
        ),
        (
            json!({"icd10": "A01", "patient": {"hkid": hkid(1), "name_en": "A", "sex": "F", "district": "KT"}}),
            "icd10",
            "ambiguous_code",
        ),
        (json!({"disease": "measles", "patient": {"hkid": hkid(1)}, "colour": "red"}), "", "invalid_structure"),
    ];
    for (body, field, code) in cases {
        let (s, p) = post(&app, &token, "/api/v1/notifications", &body).await;
        assert_eq!(s, 422, "{body} → {p}");
        assert_eq!(p["code"], "validation_failed");
        let errors = p["errors"].as_array().unwrap();
        assert!(errors.iter().any(|e| e["field"] == field && e["code"] == code), "{field}/{code} in {p}");
        let e = errors.iter().find(|e| e["code"] == code).unwrap();
        assert!(
            !e["message"]["en"].as_str().unwrap().is_empty()
                && !e["message"]["zh-Hant-HK"].as_str().unwrap().is_ascii(),
            "{e}"
        );
    }
    let res = app
        .client
        .post(format!("{}/api/v1/notifications", app.url))
        .bearer_auth(&token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_json");
    let good = measles(Some(&hkid(1)), "A", &days_ago(1));
    assert_eq!(post(&app, &wrong_scope, "/api/v1/notifications", &good).await.0, 403);
    let res = app.client.post(format!("{}/api/v1/notifications", app.url)).json(&good).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(footprint(&app).await, before, "nothing written by any of them");
    app.shutdown().await;
}

#[tokio::test]
async fn batches_answer_per_item_and_write_valid_items_together() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let mut items: Vec<Value> = (0..300)
        .map(|i: u32| {
            let district = ["KT", "ST", "YL"][i as usize % 3];
            let sex = if i.is_multiple_of(2) { "F" } else { "M" };
            json!({"reporter_ref": format!("B-{i}"), "disease": "chickenpox", "kind": "laboratory",
                "patient": {"hkid": hkid(1000 + i), "name_en": format!("PERSON {i}"), "sex": sex,
                    "birth_date": "2015-03-01", "district": district},
                "lab": {"test": "VZV PCR", "result": "positive"}})
        })
        .collect();
    // The same child again in the same batch (merged), and two broken items.
    let mut repeat = items[7].clone();
    repeat["reporter_ref"] = json!("B-7-again");
    items.push(repeat);
    items.push(json!({"reporter_ref": "B-bad-1", "disease": "chickenpox", "patient": {"hkid": "A123456(4)", "name_en": "X", "sex": "F", "district": "KT"}}));
    items.push(json!({"reporter_ref": "B-bad-2", "disease": "no_such", "patient": {"hkid": hkid(9), "name_en": "X", "sex": "F", "district": "KT"}}));
    let (s, r) = post(&app, &token, "/api/v1/notifications/batch", &json!({"notifications": items})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["created"].as_u64(), r["rejected"].as_u64(), r["duplicates"].as_u64()),
        (Some(301), Some(2), Some(0))
    );
    let results = r["results"].as_array().unwrap();
    assert_eq!(results[300]["notification"]["merged_into"], results[7]["notification"]["case_reference"]);
    assert_eq!(results[301]["status"], "rejected");
    assert_eq!(results[301]["errors"][0]["field"], "patient.hkid");
    assert_eq!(results[302]["errors"][0]["code"], "unknown_disease");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_cases").await, 300);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_notifications").await, 301);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_lab_results").await, 301);
    // One audit entry for the whole batch, with the count.
    let batch_entries: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'notification.batch'")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(batch_entries.len(), 1);
    assert!(batch_entries[0].starts_with("301 notifications via api: 300 new cases, 1 merged"), "{batch_entries:?}");
    // Sending the batch again: every valid item is a duplicate, nothing new.
    let before = footprint(&app).await;
    let (_, again) = post(&app, &token, "/api/v1/notifications/batch", &json!({"notifications": items})).await;
    assert_eq!(
        (again["created"].as_u64(), again["duplicates"].as_u64(), again["rejected"].as_u64()),
        (Some(0), Some(301), Some(2))
    );
    assert_eq!(footprint(&app).await, before);
    // Limits.
    let too_many: Vec<Value> = (0..1001).map(|_| json!({})).collect();
    let (s, p) = post(&app, &token, "/api/v1/notifications/batch", &json!({"notifications": too_many})).await;
    assert_eq!((s, p["code"].as_str()), (422, Some("batch_too_large")));
    let (s, p) = post(&app, &token, "/api/v1/notifications/batch", &json!({"notifications": []})).await;
    assert_eq!((s, p["code"].as_str()), (422, Some("batch_empty")));
    assert_counts_match(&app).await;
    app.shutdown().await;
}

fn fhir_patient(hkid: &str) -> Value {
    json!({"resourceType": "Patient", "id": "p1",
        "identifier": [{"system": "http://www.immd.gov.hk/hkid", "value": hkid}],
        "name": [{"use": "official", "family": "CHEUNG", "given": ["Ka Yan"]}, {"text": "張家欣"}],
        "gender": "female", "birthDate": "1988-08-08", "address": [{"district": "Sha Tin"}]})
}

fn bundle(id: &str, entries: Vec<Value>) -> Value {
    json!({"resourceType": "Bundle", "type": "message", "identifier": {"value": id},
        "entry": entries.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()})
}

#[tokio::test]
async fn fhir_bundles_notify_conditions_and_laboratory_observations() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let h = hkid(42);
    let condition = json!({"resourceType": "Condition", "id": "c1",
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "A90"}]},
        "subject": {"reference": "Patient/p1"}, "verificationStatus": {"coding": [{"code": "unconfirmed"}]},
        "onsetDateTime": format!("{}T09:00:00+08:00", days_ago(3)),
        "extension": [{"url": format!("{}travel_history", protection::fhir::FIELD_EXTENSION), "valueString": "Jakarta"}]});
    let (s, r) =
        post(&app, &token, "/api/v1/notifications/fhir", &bundle("MSG-1", vec![fhir_patient(&h), condition.clone()]))
            .await;
    assert_eq!(s, 201, "{r}");
    let n = &r["notifications"][0];
    assert_eq!((n["disease"].as_str(), n["merged"].clone()), (Some("dengue_fever"), json!(false)));
    let case = n["case_reference"].as_str().unwrap().to_string();
    let c = protection::store::case_by_reference(&app.state.db, &case).await.unwrap().unwrap();
    assert_eq!(
        (c.district.as_str(), c.classification.code(), c.onset_date.clone()),
        ("ST", "suspected", Some(days_ago(3)))
    );
    // A laboratory's Observation for the same patient (SNOMED CT dengue): merged, and confirmed.
    let obs = json!({"resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"text": "Dengue NS1 antigen"}, "subject": {"reference": "Patient/p1"}, "effectiveDateTime": days_ago(2),
        "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "38362002"}]},
        "interpretation": [{"coding": [{"code": "POS"}]}],
        "extension": [{"url": format!("{}travel_history", protection::fhir::FIELD_EXTENSION), "valueString": "Jakarta"}]});
    let (s, r) = post(&app, &token, "/api/v1/notifications/fhir", &bundle("MSG-2", vec![fhir_patient(&h), obs])).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["notifications"][0]["merged_into"].as_str(), Some(case.as_str()));
    let c = protection::store::case_by_reference(&app.state.db, &case).await.unwrap().unwrap();
    assert_eq!(c.classification.code(), "confirmed");
    let labs = protection::store::lab_results(&app.state.db, &c.id).await.unwrap();
    assert_eq!((labs.len(), labs[0].test.as_str(), labs[0].result.as_str()), (1, "Dengue NS1 antigen", "positive"));
    // The same bundle again: the same acknowledgement.
    let (s, r) =
        post(&app, &token, "/api/v1/notifications/fhir", &bundle("MSG-1", vec![fhir_patient(&h), condition.clone()]))
            .await;
    assert_eq!((s, r["notifications"][0]["duplicate"].clone()), (200, json!(true)));

    // Broken bundles: named problems, FHIR paths, bilingual titles, nothing written.
    let before = footprint(&app).await;
    let (s, p) = post(&app, &token, "/api/v1/notifications/fhir", &bundle("MSG-3", vec![condition.clone()])).await;
    assert_eq!((s, p["code"].as_str()), (422, Some("fhir_missing_patient")));
    assert!(p["titles"]["zh-Hant-HK"].as_str().unwrap().contains("Patient"));
    let (s, p) = post(&app, &token, "/api/v1/notifications/fhir", &bundle("MSG-4", vec![fhir_patient(&h)])).await;
    assert_eq!((s, p["code"].as_str()), (422, Some("fhir_missing_condition")));
    let mut unknown = condition.clone();
    unknown["code"] = json!({"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "Z99"}]});
    let (s, p) =
        post(&app, &token, "/api/v1/notifications/fhir", &bundle("MSG-5", vec![fhir_patient(&h), unknown])).await;
    assert_eq!(s, 422);
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("entry[1].resource.code"), Some("unknown_disease"))
    );
    // A valid condition with an invalid patient: the whole bundle is refused.
    let mut bad_patient = fhir_patient("A123456(4)");
    bad_patient["birthDate"] = json!("not a date");
    let mut second = condition.clone();
    second["id"] = json!("c2");
    let (s, p) = post(
        &app,
        &token,
        "/api/v1/notifications/fhir",
        &bundle("MSG-6", vec![bad_patient, condition.clone(), second]),
    )
    .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(
        fields.contains(&"entry[0].resource.identifier") && fields.contains(&"entry[0].resource.birthDate"),
        "{fields:?}"
    );
    let (s, p) =
        post(&app, &token, "/api/v1/notifications/fhir", &json!({"resourceType": "Bundle", "type": "searchset"})).await;
    assert_eq!((s, p["code"].as_str()), (422, Some("fhir_bundle_type")));
    assert_eq!(footprint(&app).await, before);
    app.shutdown().await;
}

/// Makes a case by the API and returns its reference.
async fn a_case(app: &TestApp, token: &str, n: u32, disease: &str, district: &str) -> String {
    let mut body = json!({"disease": disease, "patient": {"hkid": hkid(n), "name_en": format!("SECRET NAME {n}"), "sex": "M",
        "birth_date": "1980-02-02", "phone": "9123 4567", "district": district}, "onset_date": days_ago(3)});
    if disease == "measles" {
        body["fields"] = json!({"rash_onset": days_ago(2)});
    }
    if disease == "dengue_fever" {
        body["fields"] = json!({"travel_history": "Manila"});
    }
    let (s, r) = post(app, token, "/api/v1/notifications", &body).await;
    assert_eq!(s, 201, "{r}");
    r["case_reference"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn need_to_know_decides_who_sees_names_and_every_view_is_audited() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let case = a_case(&app, &token, 1, "measles", "KT").await;
    let (alice_id, alice) = staff(&app, &[Role::Epidemiologist]).await;
    let (bob_id, bob) = staff(&app, &[Role::Epidemiologist]).await;
    let (_, lead) = staff(&app, &[Role::LeadEpidemiologist]).await;
    let path = format!("/staff/protection/cases/{case}");

    // Unassigned: pseudonymised (sex, age band, district, onset), no identifiers.
    let (s, html) = text(&alice, &path).await;
    assert_eq!(s, 200);
    assert!(html.contains("pseudonymised record") && html.contains("40–49") && html.contains("Kwun Tong"));
    for secret in ["SECRET NAME", "T000***", "9123 4567", "1980-02-02"] {
        assert!(!html.contains(secret), "{secret} shown without need-to-know");
    }
    // The lead assigns the case to Alice (epidemiologists cannot assign).
    assert_eq!(
        alice
            .post_form(
                "/staff/protection/assignments",
                &[("staff_id", &alice_id), ("subject_type", "case"), ("reference", &case)]
            )
            .await
            .status(),
        403
    );
    let res = lead
        .post_form(
            "/staff/protection/assignments",
            &[("staff_id", &alice_id), ("subject_type", "case"), ("reference", &case)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = lead
        .post_form(
            "/staff/protection/assignments",
            &[("staff_id", &alice_id), ("subject_type", "case"), ("reference", "CASE-1999-000001")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let (_, html) = text(&alice, &path).await;
    assert!(
        html.contains("SECRET NAME 1") && html.contains("T000***(") && html.contains("9123 4567"),
        "named for Alice"
    );
    let (_, html) = text(&bob, &path).await;
    assert!(!html.contains("SECRET NAME"), "still pseudonymised for Bob");
    // Only the assigned may change the case.
    let form = [("classification", "confirmed"), ("reason", "IgM positive")];
    let res = bob.post_form(&format!("{path}/classification"), &form).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("not assigned to you"));
    let res = alice.post_form(&format!("{path}/classification"), &form).await;
    assert_eq!(res.status(), 303);
    let (_, html) = text(&alice, res.headers()["location"].to_str().unwrap()).await;
    assert!(html.contains("IgM positive") && html.contains("The classification has been changed"));
    // A reason is required; the same classification is refused.
    let res =
        alice.post_form(&format!("{path}/classification"), &[("classification", "probable"), ("reason", " ")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Give the reason for the change"));
    // Other roles see nothing.
    for role in [Role::ClinicStaff, Role::Reporter, Role::DataSteward, Role::Auditor] {
        let (_, b) = staff(&app, &[role]).await;
        assert_eq!(b.get(&path).await.status(), 403, "{role:?}");
        assert_eq!(b.get("/staff/protection/cases").await.status(), 403, "{role:?}");
    }
    // Every view of the case is in the audit log, with the person, and named or not.
    let c = protection::store::case_by_reference(&app.state.db, &case).await.unwrap().unwrap();
    let views: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor_id, detail, purpose FROM audit_log WHERE action = 'case.view' AND subject_id = $1 AND person_id = $2 ORDER BY seq",
    )
    .bind(&case)
    .bind(&c.person_id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let details: Vec<&str> = views.iter().map(|v| v.1.as_str()).collect();
    assert_eq!(details, ["pseudonymised", "named", "pseudonymised", "named", "named"], "{views:?}");
    assert_eq!(views[1].0, alice_id);
    assert!(views[1].2.contains("assigned"));
    // A cluster assignment gives access to every case of the cluster.
    let other = a_case(&app, &token, 2, "measles", "KT").await;
    let res = lead
        .post_form(
            "/staff/protection/clusters",
            &[("name", "Measles, school"), ("disease", "measles"), ("setting", "school"), ("description", "")],
        )
        .await;
    let cluster = res.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    assert_eq!(
        lead.post_form(&format!("/staff/protection/clusters/{cluster}/cases"), &[("case", &other)]).await.status(),
        303
    );
    lead.post_form(
        "/staff/protection/assignments",
        &[("staff_id", &bob_id), ("subject_type", "cluster"), ("reference", &cluster)],
    )
    .await;
    let (_, html) = text(&bob, &format!("/staff/protection/cases/{other}")).await;
    assert!(html.contains("SECRET NAME 2"), "named through the cluster assignment");
    // Ending the assignment ends the access.
    let id: String = sqlx::query_scalar("SELECT id FROM protection_assignments WHERE staff_id = $1")
        .bind(&bob_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(lead.post_form(&format!("/staff/protection/assignments/{id}/end"), &[]).await.status(), 303);
    let (_, html) = text(&bob, &format!("/staff/protection/cases/{other}")).await;
    assert!(!html.contains("SECRET NAME 2"));
    app.shutdown().await;
}

#[tokio::test]
async fn contacts_are_followed_daily_for_the_incubation_period() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let case = a_case(&app, &token, 5, "measles", "ST").await;
    let (me, epi) = staff(&app, &[Role::Epidemiologist, Role::LeadEpidemiologist]).await;
    let path = format!("/staff/protection/cases/{case}");
    // Not assigned: no contacts, no adding.
    assert!(text(&epi, &path).await.1.contains("only to epidemiologists assigned"));
    assert_eq!(
        epi.post_form(
            &format!("{path}/contacts"),
            &[("name", "X"), ("relationship", "Mother"), ("last_exposure", &days_ago(1))]
        )
        .await
        .status(),
        403
    );
    epi.post_form(
        "/staff/protection/assignments",
        &[("staff_id", &me), ("subject_type", "case"), ("reference", &case)],
    )
    .await;
    // Bad contact: named errors.
    let res = epi
        .post_form(
            &format!("{path}/contacts"),
            &[("name", ""), ("relationship", "Mother"), ("last_exposure", "yesterday")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#contact_name\"") && html.contains("Enter a real date"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_contacts").await, 0);
    // Measles: followed up to last exposure + 21 days.
    let exposure = days_ago(4);
    let res = epi
        .post_form(
            &format!("{path}/contacts"),
            &[
                ("name", "CHEUNG Ka Yan"),
                ("phone", "5000 9000"),
                ("relationship", "Mother"),
                ("last_exposure", &exposure),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let contact_path = res.headers()["location"].to_str().unwrap().to_string();
    let until = (kernel::hk::today() - chrono::Duration::days(4) + chrono::Duration::days(21)).to_string();
    let (_, html) = text(&epi, &contact_path).await;
    assert!(html.contains(&until) && html.contains("17 days left"), "{until}");
    // Daily records: once per day, within the period, not in the future.
    let rec = |day: String, symptoms: &'static str| {
        let p = format!("{contact_path}/follow-ups");
        let e = &epi;
        async move {
            e.post_form(&p, &[("day", &day), ("symptoms", symptoms), ("notes", "Checked by phone")])
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(rec(days_ago(1), "no").await, 303);
    assert_eq!(rec(days_ago(0), "yes").await, 303);
    assert_eq!(rec(days_ago(0), "no").await, 422, "a day is recorded once");
    assert_eq!(rec(days_ago(-1), "no").await, 422, "not in the future");
    assert_eq!(rec(days_ago(10), "no").await, 422, "not before the exposure");
    assert_eq!(rec(days_ago(2), "maybe").await, 422);
    let (_, html) = text(&epi, &contact_path).await;
    assert!(
        html.contains("Days without a record:") && html.contains(&days_ago(2)) && html.contains("<strong>Yes</strong>")
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_followups").await, 2);
    assert_eq!(epi.post_form(&format!("{contact_path}/outcome"), &[("outcome", "became_case")]).await.status(), 303);
    assert!(text(&epi, &contact_path).await.1.contains("Became a case"));
    // Someone not assigned cannot open the contact; the views are audited.
    let (_, other) = staff(&app, &[Role::Epidemiologist]).await;
    assert_eq!(other.get(&contact_path).await.status(), 403);
    let views = count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'contact.view'").await;
    assert!(views >= 3, "{views}");
    let writes = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('contact.create', 'contact.follow_up', 'contact.outcome')",
    )
    .await;
    assert_eq!(writes, 4);
    app.shutdown().await;
}

#[tokio::test]
async fn clusters_link_cases_into_a_transmission_chain() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let a = a_case(&app, &token, 11, "measles", "KWT").await;
    let b = a_case(&app, &token, 12, "measles", "KWT").await;
    let c = a_case(&app, &token, 13, "measles", "KWT").await;
    let (_, epi) = staff(&app, &[Role::Epidemiologist]).await;
    let res = epi.post_form("/staff/protection/clusters", &[("name", ""), ("setting", "school")]).await;
    assert_eq!(res.status(), 422);
    let res = epi
        .post_form(
            "/staff/protection/clusters",
            &[
                ("name", "Measles, primary school"),
                ("disease", "measles"),
                ("setting", "school"),
                ("description", "Kwai Tsing"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let cl = res.headers()["location"].to_str().unwrap().to_string();
    let reference = cl.rsplit('/').next().unwrap().to_string();
    assert!(reference.starts_with("CL-"));
    for x in [&a, &b, &c] {
        assert_eq!(epi.post_form(&format!("{cl}/cases"), &[("case", x)]).await.status(), 303);
    }
    assert_eq!(epi.post_form(&format!("{cl}/cases"), &[("case", "CASE-1999-000009")]).await.status(), 422);
    let link = |s: &str, t: &str| {
        let (s, t, p, e) = (s.to_string(), t.to_string(), format!("{cl}/links"), &epi);
        async move { e.post_form(&p, &[("source", &s), ("target", &t), ("note", "same class")]).await }
    };
    assert_eq!(link(&a, &b).await.status(), 303);
    assert_eq!(link(&b, &c).await.status(), 303);
    let refused = link(&c, &a).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("would make a loop"));
    assert_eq!(link(&a, &a).await.status(), 422);
    assert_eq!(link(&a, &b).await.status(), 422, "no duplicate links");
    // The chain: an accessible SVG (title, description, one box per case, one arrow per link)
    // and the same information as a table.
    let (_, html) = text(&epi, &cl).await;
    let svg = html.split("<svg").nth(1).unwrap().split("</svg>").next().unwrap();
    assert!(
        svg.contains("role=\"img\"")
            && svg.contains(&format!("<title id=\"chain-title\">Transmission chain of {reference}</title>"))
    );
    assert!(svg.contains(&format!("{a} → {b}; {b} → {c}")), "description lists the links");
    assert_eq!(svg.matches("<rect").count(), 3);
    assert_eq!(svg.matches("marker-end").count(), 2);
    assert!(html.contains(&format!("<td><a href=\"/staff/protection/cases/{a}\">{a}</a></td><td><a href=\"/staff/protection/cases/{b}\">{b}</a></td>")));
    assert!(!html.contains("SECRET NAME"), "cluster pages are pseudonymised");
    // The line list filters by cluster.
    let (_, list) = text(&epi, &format!("/staff/protection/cases?cluster={reference}")).await;
    assert!(list.contains("3 cases"));
    // Taking a case out of the cluster drops its links.
    assert_eq!(epi.post_form(&format!("{cl}/cases/remove"), &[("case", &b)]).await.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_links").await, 0);
    let audit = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('cluster.create', 'cluster.link', 'case.cluster')",
    )
    .await;
    assert_eq!(audit, 1 + 2 + 3 + 1);
    app.shutdown().await;
}

#[tokio::test]
async fn data_stewards_add_and_edit_diseases_without_a_code_change() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let all: Value = app.get("/api/v1/protection/diseases").await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 52);
    let (_, steward) = staff(&app, &[Role::DataSteward]).await;
    let (_, epi) = staff(&app, &[Role::Epidemiologist]).await;
    assert_eq!(epi.get("/staff/protection/diseases").await.status(), 200);
    assert_eq!(epi.get("/staff/protection/diseases/new").await.status(), 403);
    let mut form = vec![
        ("code", "disease_x"),
        ("name_en", "Disease X"),
        ("name_zh", "X疾病"),
        ("icd10", "U99.9"),
        ("case_definition_en", "Illness with agent X detected."),
        ("case_definition_zh", "驗出X病原體的病症。"),
        ("notify_within", "immediately"),
        ("immediate_phone", "1"),
        ("episode_days", "0"),
        ("incubation_max_days", "14"),
        ("person_to_person", "1"),
        ("form_fields", "ward | text | required | Ward | 病房\nbad line"),
        ("detection", "{\"methods\":[\"magic\"]}"),
    ];
    let res = steward.post_form("/staff/protection/diseases/new", &form).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Line 2:")
            && html.contains("Enter a number from 1 to 36500")
            && html.contains("Enter detection settings as JSON")
    );
    form.retain(|(k, _)| !matches!(*k, "episode_days" | "form_fields" | "detection"));
    form.extend([
        ("episode_days", "60"),
        ("form_fields", "ward | text | required | Ward | 病房"),
        ("detection", "{\"methods\":[\"threshold\"],\"threshold_min\":1}"),
    ]);
    assert_eq!(steward.post_form("/staff/protection/diseases/new", &form).await.status(), 303);
    // Partners see it at once, and its form asks its question.
    let all: Value = app.get("/api/v1/protection/diseases").await.json().await.unwrap();
    let x = all.as_array().unwrap().iter().find(|d| d["code"] == "disease_x").unwrap().clone();
    assert_eq!((x["form_fields"][0]["key"].as_str(), x["origin"].as_str()), (Some("ward"), Some("steward")));
    let body =
        json!({"disease": "disease_x", "patient": {"hkid": hkid(1), "name_en": "A", "sex": "F", "district": "KT"}});
    let (s, p) = post(&app, &token, "/api/v1/notifications", &body).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("fields.ward")));
    let mut with_ward = body.clone();
    with_ward["fields"] = json!({"ward": "8B"});
    assert_eq!(post(&app, &token, "/api/v1/notifications", &with_ward).await.0, 201);
    // Editing: a stale version is refused; retiring makes new notifications refused.
    let (_, html) = text(&steward, "/staff/protection/diseases/disease_x").await;
    assert!(html.contains("name=\"version\" value=\"1\""));
    let mut edit: Vec<(&str, &str)> = form.iter().filter(|(k, _)| !matches!(*k, "code" | "name_en")).cloned().collect();
    edit.extend([("version", "1"), ("active", "1"), ("name_en", "Disease X (novel agent)")]);
    assert_eq!(steward.post_form("/staff/protection/diseases/disease_x", &edit).await.status(), 303);
    let res = steward.post_form("/staff/protection/diseases/disease_x", &edit).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Someone else saved this disease meanwhile"));
    let mut retire: Vec<(&str, &str)> =
        edit.iter().filter(|(k, _)| !matches!(*k, "version" | "active")).cloned().collect();
    retire.push(("version", "2"));
    assert_eq!(steward.post_form("/staff/protection/diseases/disease_x", &retire).await.status(), 303);
    let (s, p) = post(&app, &token, "/api/v1/notifications", &with_ward).await;
    assert_eq!((s, p["errors"][0]["code"].as_str()), (422, Some("unknown_disease")));
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE subject_id = 'disease_x' AND action LIKE 'disease.%' ORDER BY seq",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(details.len(), 3, "{details:?}");
    assert!(details[1].contains("name_en") && details[2].contains("active"), "{details:?}");
    // A restart does not overwrite stewards' edits of reference diseases.
    sqlx::query("UPDATE protection_diseases SET episode_days = 77 WHERE code = 'measles'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    phos::seed_reference_data(&app.state.db).await.unwrap();
    let m = protection::store::disease(&app.state.db, "measles").await.unwrap().unwrap();
    assert_eq!(m.episode_days, 77);
    app.shutdown().await;
}

#[tokio::test]
async fn weekly_counts_follow_every_change_to_the_cases() {
    let app = spawn_app().await;
    // The demo world: twelve weeks of notifications, merges, reclassifications, clusters.
    phos::demo::seed(&app.state, 7, 400).await.unwrap();
    assert_counts_match(&app).await;
    let token = partner_token(&app, &["notifications:write"]).await;
    let (me, epi) = staff(&app, &[Role::Epidemiologist, Role::LeadEpidemiologist]).await;
    let mut refs = vec![];
    for i in 0..12u32 {
        let disease = ["measles", "dengue_fever", "chickenpox"][i as usize % 3];
        refs.push(a_case(&app, &token, 500 + i, disease, ["KT", "ST", "YL", "WC"][i as usize % 4]).await);
    }
    for r in &refs {
        epi.post_form(
            "/staff/protection/assignments",
            &[("staff_id", &me), ("subject_type", "case"), ("reference", r)],
        )
        .await;
    }
    // Reclassify, discard, move districts, and merge a laboratory confirmation.
    let change = |r: &String, class: &'static str| {
        let p = format!("/staff/protection/cases/{r}/classification");
        let e = &epi;
        async move { e.post_form(&p, &[("classification", class), ("reason", "investigation")]).await.status().as_u16() }
    };
    assert_eq!(change(&refs[0], "confirmed").await, 303);
    assert_eq!(change(&refs[1], "discarded").await, 303);
    assert_eq!(change(&refs[2], "probable").await, 303);
    assert_eq!(change(&refs[2], "confirmed").await, 303);
    for r in [&refs[3], &refs[4]] {
        let res = epi
            .post_form(
                &format!("/staff/protection/cases/{r}/investigation"),
                &[
                    ("onset_date", &days_ago(4)),
                    ("district", "IS"),
                    ("exposure_setting", "household"),
                    ("hospitalised", "yes"),
                    ("outcome", "recovering"),
                    ("imported", "no"),
                    ("notes", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let lab = json!({"disease": "chickenpox", "kind": "laboratory", "patient": {"hkid": hkid(502), "name_en": "X", "sex": "M", "district": "YL"},
        "lab": {"test": "VZV PCR", "result": "positive"}});
    let (_, r) = post(&app, &token, "/api/v1/notifications", &lab).await;
    assert_eq!(r["merged_into"].as_str(), Some(refs[2].as_str()));
    let (_, r) = post(&app, &token, "/api/v1/notifications", &json!({"disease": "chickenpox", "kind": "laboratory",
        "patient": {"hkid": hkid(505), "name_en": "X", "sex": "M", "district": "WC"}, "lab": {"test": "VZV PCR", "result": "positive"}})).await;
    assert_eq!(r["merged_into"].as_str(), Some(refs[5].as_str()));
    let c5 = protection::store::case_by_reference(&app.state.db, &refs[5]).await.unwrap().unwrap();
    assert_eq!(c5.classification.code(), "confirmed");
    let c3 = protection::store::case_by_reference(&app.state.db, &refs[3]).await.unwrap().unwrap();
    assert_eq!(c3.district, "IS");
    assert_counts_match(&app).await;
    // The overview reads the counts.
    let (_, html) = text(&epi, "/staff/protection").await;
    assert!(html.contains("Cases by disease, last four report weeks") && html.contains("Measles"));
    app.shutdown().await;
}

#[tokio::test]
async fn the_demo_world_has_cases_contacts_clusters_and_assignments() {
    let app = spawn_app().await;
    phos::demo::seed(&app.state, 42, 500).await.unwrap();
    let db = app.state.db.pool();
    let cases = count(&app, "SELECT COUNT(*) FROM protection_cases").await;
    let merged = count(&app, "SELECT COUNT(*) FROM protection_notifications WHERE merged = 1").await;
    assert!(cases > 300 && merged > 20, "{cases} cases, {merged} merged");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_clusters").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_links").await, 6);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_contacts").await, 4);
    assert!(count(&app, "SELECT COUNT(*) FROM protection_followups").await >= 8);
    assert!(count(&app, "SELECT COUNT(*) FROM protection_classifications WHERE to_class = 'discarded'").await > 0);
    let assigned: i64 = count(&app, "SELECT COUNT(*) FROM protection_assignments WHERE ended_at IS NULL").await;
    assert!(assigned >= 2, "{assigned}");
    // The demo epidemiologist sees the measles outbreak named; other cases stay unassigned.
    let epi_id: String = sqlx::query_scalar("SELECT id FROM staff_users WHERE email = 'epidemiologist@phos.example'")
        .fetch_one(db)
        .await
        .unwrap();
    let mine = protection::store::case_counts(
        &app.state.db,
        &epi_id,
        &protection::store::CaseFilter { assigned: Some("mine".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(mine.iter().map(|(_, n)| n).sum::<i64>(), 7);
    let none = protection::store::case_counts(
        &app.state.db,
        &epi_id,
        &protection::store::CaseFilter { assigned: Some("none".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert!(none.iter().map(|(_, n)| n).sum::<i64>() > 200);
    // Deterministic by seed, and idempotent.
    let again = protection::demo::seed(&app.state, 42, &[]).await.unwrap();
    assert!(again.already_seeded);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_cases").await, cases);
    assert_counts_match(&app).await;
    app.shutdown().await;
}

#[tokio::test]
async fn the_counts_command_finds_and_repairs_drift() {
    let app = spawn_app().await;
    let token = partner_token(&app, &["notifications:write"]).await;
    for i in 0..5 {
        a_case(&app, &token, 900 + i, "chickenpox", "KT").await;
    }
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_phos"));
        for (k, _) in std::env::vars() {
            if k.starts_with("PHOS_") {
                c.env_remove(k);
            }
        }
        c.args(["protection", "counts", "--database-url", &app.db.url, "--data-dir"])
            .arg(&app.db.dir)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("agree"));
    // Someone edits the table by hand: the command names the cell and fails; --repair fixes it.
    sqlx::query("UPDATE protection_weekly_counts SET n = n + 3").execute(app.state.db.pool()).await.unwrap();
    let out = run(&[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("chickenpox")
            && String::from_utf8_lossy(&out.stdout).contains("weekly counts 8, cases 5")
    );
    assert!(run(&["--repair"]).status.success());
    assert!(run(&[]).status.success());
    assert_counts_match(&app).await;
    app.shutdown().await;
}
