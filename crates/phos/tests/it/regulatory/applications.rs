//! The applicant portal over HTTP, end to end on the workflow engine: a draft refused at the
//! door with every problem listed, documents read (the certificate's text layer names the
//! responsible person, or does not), payment through the fake provider, screening with a
//! request for information that the applicant answers, assessment, inspection and a four-eyes
//! decision that issues the licence.

use kernel::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Browser, TestApp, eventually, spawn_app};

async fn upload(b: &Browser, case_ref: &str, requirement: &str, name: &str, bytes: &[u8]) -> reqwest::Response {
    let token = b.csrf().await;
    let boundary = "----phos-reg-boundary-91c";
    let mut body = Vec::new();
    for (k, v) in [("csrf", token.as_str()), ("requirement", requirement)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b.client
        .post(format!("{}/licensing/applications/{case_ref}/documents", b.base))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn post_json(b: &Browser, path: &str, body: &Value) -> (u16, Value) {
    let token = b.csrf().await;
    let res = b.client.post(format!("{}{path}", b.base)).header("x-csrf-token", token).json(body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn status_of(app: &TestApp, case_ref: &str) -> String {
    regulatory::applications::store::by_ref(&app.state.db, case_ref).await.unwrap().unwrap().status
}

async fn wait_status(app: &TestApp, case_ref: &str, want: &str) {
    let got = eventually(30, || async {
        let s = status_of(app, case_ref).await;
        (s == want).then_some(s)
    })
    .await;
    assert_eq!(
        got.as_deref(),
        Some(want),
        "application {case_ref} never reached {want} (is {})",
        status_of(app, case_ref).await
    );
}

/// The open task at `node` of the application's process.
async fn task(app: &TestApp, case_ref: &str, node: &str) -> String {
    let q = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT t.id FROM workflow_tasks t JOIN workflow_business_keys k ON k.instance_id = t.instance_id \
             WHERE k.business_key = $1 AND t.node_id = $2 AND t.status IN ('open', 'claimed')",
        )
        .bind(case_ref)
        .bind(node)
        .fetch_optional(app.state.db.pool())
        .await
        .unwrap()
    };
    eventually(30, q).await.unwrap_or_else(|| panic!("no open task {node} for {case_ref}"))
}

async fn complete(b: &Browser, task: &str, vars: Value) -> (u16, Value) {
    let (s, body) = post_json(b, &format!("/api/v1/workflow/tasks/{task}/claim"), &json!({})).await;
    assert_eq!(s, 200, "claim {task}: {body}");
    post_json(b, &format!("/api/v1/workflow/tasks/{task}/complete"), &json!({ "variables": vars })).await
}

fn good_form(action: &str) -> Vec<(&str, &str)> {
    vec![
        ("licensee_kind", "company"),
        ("licensee_name_en", "Harbour Pharmacy Limited"),
        ("licensee_name_zh", "海港藥房有限公司"),
        ("br_number", "12345678"),
        ("premises_name_en", "Harbour Pharmacy"),
        ("premises_name_zh", "海港藥房"),
        ("address_en", "Shop 3, G/F, 120 Nathan Road, Tsim Sha Tsui"),
        ("address_zh", ""),
        ("district", "YTM"),
        ("responsible_name", "CHAN Tai Man"),
        ("responsible_number", "P77001"),
        ("start_date", "01/06/2027"),
        ("action", action),
    ]
}

#[tokio::test]
async fn an_application_goes_from_the_portal_through_the_process_to_a_licence() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let mut tx = db.begin().await.unwrap();
    regulatory::premises::store::insert_professional(
        &mut tx,
        &regulatory::premises::Professional {
            register: "pharmacist".into(),
            number: "P77001".into(),
            name_en: "CHAN Tai Man".into(),
            name_zh: "陳大文".into(),
            status: "registered".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (citizen_id, token, _) = crate::clinics::citizen(&app, "applicant@example.hk", "1980-01-01").await;
    let me = app.browser_with_session(&token);

    // Start a draft.
    let res = me.post_form("/licensing/apply", &[("licence_type", "pharmacy_retail")]).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let case_ref = location.rsplit('/').next().unwrap().to_string();
    assert!(case_ref.starts_with("REG-"), "{case_ref}");
    assert_eq!(status_of(&app, &case_ref).await, "draft");
    // A choice of nothing is refused with a message.
    assert_eq!(me.post_form("/licensing/apply", &[]).await.status(), 422);

    // Submitting an empty draft lists everything missing at once, and nothing is charged.
    let res = me
        .post_form(
            &format!("/licensing/applications/{case_ref}"),
            &[("licensee_kind", "company"), ("action", "submit")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("error-summary"), "{html}");
    let listed =
        html.rsplit("error-summary-title").next().unwrap().split("</ul>").next().unwrap().matches("<li>").count();
    assert_eq!(listed, 10, "every problem listed: {html}");
    assert_eq!(status_of(&app, &case_ref).await, "draft");

    // Save the answers, upload the documents; the certificate that names someone else is read
    // and stops the submission.
    assert_eq!(me.post_form(&format!("/licensing/applications/{case_ref}"), &good_form("save")).await.status(), 303);
    let png = [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 64][..]].concat();
    assert_eq!(upload(&me, &case_ref, "br_certificate", "br.png", &png).await.status(), 303);
    assert_eq!(upload(&me, &case_ref, "floor_plan", "plan.png", &png).await.status(), 303);
    // The wrong type for its name is refused.
    let res = upload(&me, &case_ref, "floor_plan", "plan.pdf", &png).await;
    assert_eq!(res.status(), 422);
    let reading_available = regulatory::applications::ocr::available().await
        && tokio::process::Command::new("pdftotext").arg("-v").output().await.is_ok();
    let wrong = regulatory::demo::pdf_with_text(
        "Pharmacy and Poisons Board - Certificate of Registration - WONG Siu Ming - P 77002",
    );
    assert_eq!(upload(&me, &case_ref, "pharmacist_certificate", "cert.pdf", &wrong).await.status(), 303);
    let docs = regulatory::applications::store::documents(
        db,
        &regulatory::applications::store::by_ref(db, &case_ref).await.unwrap().unwrap().id,
    )
    .await
    .unwrap();
    let cert = docs.iter().find(|d| d.requirement == "pharmacist_certificate").unwrap();
    if reading_available {
        assert_eq!(cert.ocr_status, "not_matched");
        let res = me.post_form(&format!("/licensing/applications/{case_ref}"), &good_form("submit")).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("certificate"));
    } else {
        assert_eq!(cert.ocr_status, "not_checked");
    }
    let right = regulatory::demo::pdf_with_text(
        "Pharmacy and Poisons Board - Certificate of Registration - CHAN TAI MAN - Reg. No. P77001",
    );
    assert_eq!(upload(&me, &case_ref, "pharmacist_certificate", "cert.pdf", &right).await.status(), 303);
    let a = regulatory::applications::store::by_ref(db, &case_ref).await.unwrap().unwrap();
    let docs = regulatory::applications::store::documents(db, &a.id).await.unwrap();
    assert_eq!(docs.len(), 3, "a new upload replaces the old one");
    if reading_available {
        assert_eq!(docs.iter().find(|d| d.requirement == "pharmacist_certificate").unwrap().ocr_status, "matched");
    }

    // Check, pay (the fake provider) and submit.
    let res = me.post_form(&format!("/licensing/applications/{case_ref}"), &good_form("submit")).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let a = regulatory::applications::store::by_ref(db, &case_ref).await.unwrap().unwrap();
    assert_eq!(a.fee_cents, 373_000);
    assert!(a.payment_ref.as_deref().unwrap().starts_with("fake:FAKE-"));
    let told: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE template = 'regulatory-application-received'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(told, 1);
    wait_status(&app, &case_ref, "screening").await;
    assert_eq!(me.post_form(&format!("/licensing/applications/{case_ref}"), &good_form("save")).await.status(), 409);

    // Screening asks for information: the applicant sees what is awaited and answers.
    let officer = app.staff_browser(&[Role::LicensingOfficer]).await;
    let html = officer.get("/staff/regulatory/applications").await.text().await.unwrap();
    assert!(html.contains(&case_ref), "{html}");
    let res = officer.get(&format!("/staff/regulatory/applications/{case_ref}")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Every completeness and consistency check passes") && html.contains("cert.pdf"), "{html}");
    // The applicant cannot see staff pages; another citizen cannot see the application.
    assert_ne!(me.get(&format!("/staff/regulatory/applications/{case_ref}")).await.status(), 200);
    let (_, other, _) = crate::clinics::citizen(&app, "someone.else@example.hk", "1990-02-02").await;
    assert_eq!(
        app.browser_with_session(&other).get(&format!("/licensing/applications/{case_ref}")).await.status(),
        404
    );
    let screen = task(&app, &case_ref, "screen").await;
    let (s, body) =
        complete(&officer, &screen, json!({"complete": false, "missing": "A copy of the tenancy agreement"})).await;
    assert_eq!(s, 200, "{body}");
    wait_status(&app, &case_ref, "info_requested").await;
    let html = me.get(&format!("/licensing/applications/{case_ref}")).await.text().await.unwrap();
    assert!(html.contains("A copy of the tenancy agreement"), "{html}");
    assert_eq!(
        me.post_form(&format!("/licensing/applications/{case_ref}/answer"), &[("answer", " ")]).await.status(),
        422
    );
    let res = me
        .post_form(&format!("/licensing/applications/{case_ref}/answer"), &[("answer", "Uploaded by post today")])
        .await;
    assert_eq!(res.status(), 303);
    let screen2 = eventually(30, || async {
        let t = task(&app, &case_ref, "screen").await;
        (t != screen).then_some(t)
    })
    .await
    .expect("screening again after the answer");
    assert_eq!(complete(&officer, &screen2, json!({"complete": true})).await.0, 200);
    wait_status(&app, &case_ref, "assessment").await;

    // Assessment, inspection (a pre-licence inspection is booked), decision with four eyes.
    let both = app.staff_browser(&[Role::LicensingOfficer, Role::LicensingManager]).await;
    assert_eq!(complete(&both, &task(&app, &case_ref, "assess").await, json!({})).await.0, 200);
    wait_status(&app, &case_ref, "inspection").await;
    let booked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reg_inspections WHERE source_ref = $1 AND kind = 'pre_licence'")
            .bind(&case_ref)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(booked, 1);
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    assert_eq!(complete(&inspector, &task(&app, &case_ref, "inspect").await, json!({})).await.0, 200);
    wait_status(&app, &case_ref, "decision").await;
    let decide = task(&app, &case_ref, "decide").await;
    // The assessor may not also decide.
    let (s, _) = post_json(&both, &format!("/api/v1/workflow/tasks/{decide}/claim"), &json!({})).await;
    let (s2, _) =
        post_json(&both, &format!("/api/v1/workflow/tasks/{decide}/complete"), &json!({"variables": {"grant": true}}))
            .await;
    assert!(s >= 400 || s2 >= 400, "four eyes: {s} {s2}");
    let manager = app.staff_browser(&[Role::LicensingManager]).await;
    assert_eq!(complete(&manager, &decide, json!({"grant": true})).await.0, 200);
    wait_status(&app, &case_ref, "granted").await;

    // The licence: active, for a year from the opening date, the pharmacist responsible.
    let licences = regulatory::licences::store::of_account(db, &citizen_id).await.unwrap();
    assert_eq!(licences.len(), 1);
    let l = &licences[0];
    assert_eq!(
        (l.status.as_str(), l.issued_on.as_str(), l.expires_on.as_str()),
        ("active", "2027-06-01", "2028-05-31")
    );
    assert!(l.number.starts_with("RP-"));
    assert_eq!(l.responsible_number.as_deref(), Some("P77001"));
    assert_eq!(l.case_ref, case_ref);
    let html = me.get("/licensing").await.text().await.unwrap();
    assert!(html.contains(&l.number) && html.contains(&case_ref));
    let granted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE template = 'regulatory-application-granted'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(granted, 1);
    app.shutdown().await;
}
