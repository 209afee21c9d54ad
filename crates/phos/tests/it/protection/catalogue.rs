//! The data stewards' catalogue.

use super::*;

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
    let m = protection::catalogue::store::disease(&app.state.db, "measles").await.unwrap().unwrap();
    assert_eq!(m.episode_days, 77);
    app.shutdown().await;
}
