//! Need-to-know on case pages and the audit of every case view; contacts and follow-up.

use super::*;

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
    // The case page offers assigning to leads only: "assign to me" and "assign" to a chosen person.
    assert!(!html.contains("Assign to me") && !html.contains("id=\"assign-staff\""), "not for an epidemiologist");
    let (_, html) = text(&lead, &path).await;
    assert!(html.contains("Assign to me") && html.contains("id=\"assign-staff\""), "offered to the lead");
    assert!(html.contains(&format!("value=\"{alice_id}\"")), "Alice can be chosen");
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
            &[
                ("staff_id", &alice_id),
                ("subject_type", "case"),
                ("reference", &case),
                ("back", &format!("/staff/protection/cases/{case}")),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/staff/protection/cases/{case}").as_str(), "back to the case");
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
    let c = protection::cases::store::case_by_reference(&app.state.db, &case).await.unwrap().unwrap();
    let views: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor_id, detail, purpose FROM audit_log WHERE action = 'case.view' AND subject_id = $1 AND person_id = $2 ORDER BY seq",
    )
    .bind(&case)
    .bind(&c.person_id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let details: Vec<&str> = views.iter().map(|v| v.1.as_str()).collect();
    // Alice unassigned, the lead (not assigned either), Alice assigned, Bob, Alice twice more.
    assert_eq!(details, ["pseudonymised", "pseudonymised", "named", "pseudonymised", "named", "named"], "{views:?}");
    assert_eq!(views[2].0, alice_id);
    assert!(views[2].2.contains("assigned"));
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
