//! Notifications by web form, JSON (single and batch) and FHIR; de-duplication into cases;
//! validation that changes nothing.

use super::*;

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
    let c = protection::cases::store::case_by_reference(&app.state.db, &case).await.unwrap().unwrap();
    assert_eq!((c.classification.code(), c.notifications), ("confirmed", 2));
    let history = protection::cases::store::classification_history(&app.state.db, &c.id).await.unwrap();
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
        "extension": [{"url": format!("{}travel_history", protection::notifications::fhir::FIELD_EXTENSION), "valueString": "Jakarta"}]});
    let (s, r) =
        post(&app, &token, "/api/v1/notifications/fhir", &bundle("MSG-1", vec![fhir_patient(&h), condition.clone()]))
            .await;
    assert_eq!(s, 201, "{r}");
    let n = &r["notifications"][0];
    assert_eq!((n["disease"].as_str(), n["merged"].clone()), (Some("dengue_fever"), json!(false)));
    let case = n["case_reference"].as_str().unwrap().to_string();
    let c = protection::cases::store::case_by_reference(&app.state.db, &case).await.unwrap().unwrap();
    assert_eq!(
        (c.district.as_str(), c.classification.code(), c.onset_date.clone()),
        ("ST", "suspected", Some(days_ago(3)))
    );
    // A laboratory's Observation for the same patient (SNOMED CT dengue): merged, and confirmed.
    let obs = json!({"resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"text": "Dengue NS1 antigen"}, "subject": {"reference": "Patient/p1"}, "effectiveDateTime": days_ago(2),
        "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "38362002"}]},
        "interpretation": [{"coding": [{"code": "POS"}]}],
        "extension": [{"url": format!("{}travel_history", protection::notifications::fhir::FIELD_EXTENSION), "valueString": "Jakarta"}]});
    let (s, r) = post(&app, &token, "/api/v1/notifications/fhir", &bundle("MSG-2", vec![fhir_patient(&h), obs])).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["notifications"][0]["merged_into"].as_str(), Some(case.as_str()));
    let c = protection::cases::store::case_by_reference(&app.state.db, &case).await.unwrap().unwrap();
    assert_eq!(c.classification.code(), "confirmed");
    let labs = protection::cases::store::lab_results(&app.state.db, &c.id).await.unwrap();
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
