//! The weekly counts against a recount from the cases, and the counts command.

use super::*;

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
    let c5 = protection::cases::store::case_by_reference(&app.state.db, &refs[5]).await.unwrap().unwrap();
    assert_eq!(c5.classification.code(), "confirmed");
    let c3 = protection::cases::store::case_by_reference(&app.state.db, &refs[3]).await.unwrap().unwrap();
    assert_eq!(c3.district, "IS");
    assert_counts_match(&app).await;
    // The overview reads the counts.
    let (_, html) = text(&epi, "/staff/protection").await;
    assert!(html.contains("Cases by disease, last four report weeks") && html.contains("Measles"));
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
