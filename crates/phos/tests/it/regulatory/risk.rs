//! Risk scores over HTTP, on both engines: a signal recomputes a premises' score within seconds,
//! the premises page and the API show every factor's value, points and weight; managers change
//! the weights with a reason (bad numbers refused with an error summary, nothing written), the
//! history shows who, when, why and what; the due list gets one routine inspection per premises
//! however often it is recomputed.

use chrono::Duration;
use kernel::identity::Role;
use regulatory::inspections::Inspection;
use regulatory::licences::Licence;
use regulatory::premises::{Licensee, Premises};
use serde_json::Value;

use crate::harness::{TestApp, eventually, spawn_app};

/// One premises with one licence; returns (premises id, licence id).
pub(super) async fn premises(
    app: &TestApp,
    name: (&str, &str),
    district: &str,
    licence_type: &str,
    status: &str,
    holder_kind: &str,
    volume: i64,
) -> (String, String) {
    let now = kernel::now_ms();
    let p = Premises {
        id: kernel::new_id(),
        name_en: name.0.into(),
        name_zh: name.1.into(),
        address_en: format!("1 {} Road", name.0),
        address_zh: format!("{}道1號", name.1),
        district: district.into(),
        lat: 22.3,
        lon: 114.17,
        volume,
        created_at: now,
    };
    let holder = Licensee {
        id: kernel::new_id(),
        kind: holder_kind.into(),
        name_en: if holder_kind == "company" { format!("{} Limited", name.0) } else { "CHAN Tai Man".into() },
        name_zh: if holder_kind == "company" { format!("{}有限公司", name.1) } else { "陳大文".into() },
        br_number: None,
        account: None,
        created_at: now,
    };
    let today = kernel::hk::today();
    let l = Licence {
        id: kernel::new_id(),
        number: format!("RP-2026-{}", &kernel::new_id()[24..]),
        type_code: licence_type.into(),
        premises_id: p.id.clone(),
        licensee_id: holder.id.clone(),
        responsible_register: Some("pharmacist".into()),
        responsible_number: Some(format!("P{}", &kernel::new_id()[26..])),
        status: status.into(),
        provisional: 0,
        conditions: "[]".into(),
        issued_on: (today - Duration::days(100)).to_string(),
        expires_on: (today + Duration::days(265)).to_string(),
        case_ref: format!("REG-2026-{}", &kernel::new_id()[24..]),
        revision: 1,
        updated_at: now,
    };
    let mut tx = app.state.db.begin().await.unwrap();
    regulatory::premises::store::insert(&mut tx, &p).await.unwrap();
    regulatory::premises::store::insert_licensee(&mut tx, &holder).await.unwrap();
    regulatory::licences::store::insert(&mut tx, &l).await.unwrap();
    tx.commit().await.unwrap();
    (p.id, l.id)
}

/// A done inspection `days_ago` with an outcome, published `publish_in` days from today
/// (negative: already published).
pub(super) async fn inspection(
    app: &TestApp,
    premises: &str,
    licence: &str,
    days_ago: i64,
    outcome: &str,
    publish_in: i64,
) {
    let today = kernel::hk::today();
    let day = today - Duration::days(days_ago);
    let at = kernel::hk::start_of_day_ms(day) + 11 * 3_600_000;
    let i = Inspection {
        id: kernel::new_id(),
        premises_id: premises.into(),
        licence_id: Some(licence.into()),
        kind: "routine".into(),
        priority: 3,
        due_on: day.to_string(),
        window_start: "09:00".into(),
        window_end: "17:00".into(),
        inspector: None,
        planned_on: None,
        status: "done".into(),
        outcome: Some(outcome.into()),
        findings: "[]".into(),
        done_by: Some("system".into()),
        done_at: Some(at),
        publish_after: Some((today + Duration::days(publish_in)).to_string()),
        source_ref: None,
        created_at: kernel::now_ms(),
    };
    let mut tx = app.state.db.begin().await.unwrap();
    regulatory::inspections::store::insert(&mut tx, &i).await.unwrap();
    tx.commit().await.unwrap();
}

async fn complaint(app: &TestApp, premises: &str, status: &str) {
    let now = kernel::now_ms();
    sqlx::query(
        "INSERT INTO reg_complaints (id, ref, premises_id, premises_text, category, description, anonymous, lang, status, \
         created_at, updated_at) VALUES ($1, $2, $3, 'x', 'hygiene', 'dirty', 1, 'en', $4, $5, $5)",
    )
    .bind(kernel::new_id())
    .bind(format!("CMP-{}", &kernel::new_id()[20..]))
    .bind(premises)
    .bind(status)
    .bind(now)
    .execute(app.state.db.pool())
    .await
    .unwrap();
}

async fn signal(app: &TestApp, premises: &str, kind: &str) {
    let mut tx = app.state.db.begin().await.unwrap();
    let n = kernel::jobs::publish(
        &mut tx,
        &app.state.jobs,
        regulatory::SIGNAL_TOPIC,
        serde_json::json!({"premises_id": premises, "kind": kind}),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(n >= 1, "the risk job subscribes to the signal topic");
    app.state.wake_worker();
}

async fn stored_total(app: &TestApp, premises: &str) -> Option<f64> {
    sqlx::query_scalar("SELECT total FROM reg_risk_scores WHERE premises_id = $1")
        .bind(premises)
        .fetch_optional(app.state.db.pool())
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str, premises: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(premises)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

fn factor<'a>(v: &'a Value, f: &str) -> &'a Value {
    v["factors"].as_array().unwrap().iter().find(|x| x["factor"] == f).unwrap_or_else(|| panic!("{f} in {v}"))
}

#[tokio::test]
async fn a_signal_recomputes_the_score_and_the_page_and_api_explain_it() {
    let app = spawn_app().await;
    let (p, l) =
        premises(&app, ("Wing On Pharmacy", "永安藥房"), "KT", "pharmacy_retail", "active", "company", 4).await;
    // A warning 100 days ago: 15 × 0.5^(100/30.4375/12) = 12.4… compliance points; under 6
    // months since: 0; no complaints; class 3: 20; volume 4: 7.5; pharmacy_retail: 5.
    inspection(&app, &p, &l, 100, "warning", -86).await;
    let warning = 15.0 * 0.5f64.powf(100.0 / 30.4375 / 12.0);
    let expected = ((warning * 100.0).round() / 100.0) + 20.0 + 7.5 + 5.0;
    signal(&app, &p, "inspection").await;
    let total = eventually(20, || async { stored_total(&app, &p).await }).await.expect("score stored after the signal");
    assert!((total - expected).abs() < 0.011, "{total} vs {expected}");

    // Two complaints (one rejected, not counted) and a signal: +5 within seconds.
    complaint(&app, &p, "triaged").await;
    complaint(&app, &p, "rejected").await;
    signal(&app, &p, "complaint").await;
    let started = std::time::Instant::now();
    let after = eventually(20, || async { stored_total(&app, &p).await.filter(|t| (*t - total - 5.0).abs() < 0.011) })
        .await
        .expect("score recomputed after the complaint");
    assert!(started.elapsed().as_secs() < 20);
    assert!((after - expected - 5.0).abs() < 0.011);

    let staff = app.staff_browser(&[Role::Inspector]).await;
    let res = staff.get(&format!("/api/v1/regulatory/premises/{p}/risk")).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["stored"], true);
    assert_eq!(v["band"], "A", "{v}");
    assert_eq!(v["frequency_months"], 6);
    assert_eq!(v["factors"].as_array().unwrap().len(), 6);
    assert_eq!(factor(&v, "complaints")["value"], 1.0);
    assert_eq!(factor(&v, "complaints")["points"], 5.0);
    assert_eq!(factor(&v, "risk_class")["points"], 20.0);
    assert_eq!(factor(&v, "volume")["value"], 4.0);
    assert_eq!(factor(&v, "licence_type")["value_code"], "pharmacy_retail");
    assert_eq!(factor(&v, "licence_type")["weight"], 1.0);

    let html = staff.get(&format!("/staff/regulatory/premises/{p}")).await.text().await.unwrap();
    assert!(html.contains("Wing On Pharmacy") && html.contains("id=\"risk-factors\""), "{html}");
    for label in
        ["Compliance history", "Complaints in the last 12 months", "Product or service risk class", "Licence type"]
    {
        assert!(html.contains(label), "{label}");
    }
    assert!(html.contains(&format!("{after}")), "total {after} on the page");
    // In Chinese too.
    let zh = staff
        .client
        .get(format!("{}/staff/regulatory/premises/{p}", staff.base))
        .header("accept-language", "zh-HK")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("合規記錄") || zh.contains("Compliance history"));

    // Unknown premises; the public gets nothing.
    assert_eq!(staff.get("/api/v1/regulatory/premises/nope/risk").await.status(), 404);
    let anon = app.get(&format!("/api/v1/regulatory/premises/{p}/risk")).await;
    assert!(anon.status() == 401 || anon.status() == 403, "{}", anon.status());
    app.shutdown().await;
}

#[tokio::test]
async fn managers_change_the_weights_with_a_reason_and_bad_numbers_are_refused() {
    let app = spawn_app().await;
    let (p, _) = premises(&app, ("Lotus Clinic", "蓮花診所"), "ST", "phf_clinic", "active", "company", 3).await;
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    assert_eq!(inspector.get("/staff/regulatory/risk/weights").await.status(), 403);

    let manager = app.staff_browser(&[Role::LicensingManager]).await;
    let page = manager.get("/staff/regulatory/risk/weights").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"type_phf_clinic\""), "a field per licence type");

    let mut form: Vec<(&str, &str)> = vec![
        ("version", "0"),
        ("compliance", "1"),
        ("time_since", "1"),
        ("complaints", "2"),
        ("risk_class", "1"),
        ("volume", "1"),
        ("licence_type", "1"),
        ("half_life_months", "12"),
        ("band_a_min", "45"),
        ("band_b_min", "25"),
        ("months_a", "6"),
        ("months_b", "12"),
        ("months_c", "24"),
        ("type_pharmacy_retail", "5"),
        ("type_pharmacy_wholesale", "5"),
        ("type_cm_retail", "0"),
        ("type_phf_clinic", "8"),
        ("type_phf_day_procedure", "10"),
        ("type_phf_hospital", "10"),
    ];
    // Bad numbers and no reason: all listed at once, nothing written.
    let mut bad = form.clone();
    bad.retain(|(k, _)| *k != "volume" && *k != "months_b");
    bad.push(("volume", "lots"));
    bad.push(("months_b", "3"));
    bad.push(("reason", ""));
    let res = manager.post_form("/staff/regulatory/risk/weights", &bad).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("error-summary"), "{html}");
    assert!(html.contains("href=\"#volume\"") && html.contains("href=\"#reason\""), "{html}");
    assert!(html.contains("value=\"lots\""), "the typed value is kept");
    let none: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reg_risk_weights").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(none, 0);
    // Out of range.
    let mut far = form.clone();
    far.retain(|(k, _)| *k != "compliance");
    far.push(("compliance", "11"));
    far.push(("reason", "Try"));
    let res = manager.post_form("/staff/regulatory/risk/weights", &far).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("href=\"#compliance\""));

    form.push(("reason", "Complaints predicted findings better in the 2026 review"));
    let res = manager.post_form("/staff/regulatory/risk/weights", &form).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let html = manager.get("/staff/regulatory/risk/weights?saved=1").await.text().await.unwrap();
    assert!(html.contains("Complaints predicted findings better in the 2026 review"));
    assert!(html.contains("Complaints in the last 12 months: 1 → 2"), "{html}");
    assert!(html.contains(": 5 → 8"), "the clinic type's points changed: {html}");

    // The same form again (version 0 is stale now): refused, not written twice.
    let res = manager.post_form("/staff/regulatory/risk/weights", &form).await;
    assert_eq!(res.status(), 422);
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reg_risk_weights").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(n, 1);

    // The full recompute runs with version 1: the clinic's type points are now 8.
    let v = eventually(30, || async {
        sqlx::query_scalar::<_, i64>("SELECT weights_version FROM reg_risk_scores WHERE premises_id = $1")
            .bind(&p)
            .fetch_optional(app.state.db.pool())
            .await
            .unwrap()
            .filter(|v| *v == 1)
    })
    .await;
    assert_eq!(v, Some(1));
    let r: Value = manager.get(&format!("/api/v1/regulatory/premises/{p}/risk")).await.json().await.unwrap();
    assert_eq!(factor(&r, "licence_type")["points"], 8.0);
    assert_eq!(factor(&r, "complaints")["weight"], 2.0);
    // Audited.
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'regulatory.risk.weights'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(audited, 1);
    app.shutdown().await;
}

#[tokio::test]
async fn the_due_list_gets_one_routine_inspection_per_premises() {
    let app = spawn_app().await;
    // Never inspected: due today. Inspected last month, band C: not due. Revoked: never listed.
    let (never, _) =
        premises(&app, ("Harbour Herbal Co.", "海港藥材行"), "YTM", "cm_retail", "active", "individual", 1).await;
    let (recent, lr) =
        premises(&app, ("Pearl Medicine Hall", "明珠中藥行"), "YTM", "cm_retail", "active", "company", 1).await;
    inspection(&app, &recent, &lr, 30, "compliant", -16).await;
    let (revoked, _) =
        premises(&app, ("Jade Pharmacy", "翡翠藥房"), "YTM", "pharmacy_retail", "revoked", "company", 1).await;
    let today = kernel::hk::today();
    let r1 = regulatory::risk::service::recompute_all(&app.state.db, today, kernel::now_ms()).await.unwrap();
    assert_eq!((r1.scored, r1.due_added), (3, 1));
    let r2 = regulatory::risk::service::recompute_all(&app.state.db, today, kernel::now_ms()).await.unwrap();
    assert_eq!(r2.due_added, 0);
    regulatory::risk::service::recompute_one(&app.state.db, &never, today, kernel::now_ms()).await.unwrap();
    let due = "SELECT COUNT(*) FROM reg_inspections WHERE premises_id = $1 AND status = 'due' AND kind = 'routine'";
    assert_eq!(count(&app, due, &never).await, 1);
    assert_eq!(count(&app, due, &recent).await, 0);
    assert_eq!(count(&app, due, &revoked).await, 0);
    let day: String =
        sqlx::query_scalar("SELECT due_on FROM reg_inspections WHERE premises_id = $1 AND status = 'due'")
            .bind(&never)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(day, today.to_string());

    let staff = app.staff_browser(&[Role::LicensingOfficer]).await;
    let html = staff.get("/staff/regulatory/inspections/due").await.text().await.unwrap();
    assert!(html.contains("Harbour Herbal Co.") && !html.contains("Pearl Medicine Hall"), "{html}");
    assert!(html.contains(&format!("/staff/regulatory/premises/{never}")));
    let other = staff.get("/staff/regulatory/inspections/due?district=KT").await.text().await.unwrap();
    assert!(!other.contains("Harbour Herbal Co."));
    // Officers do not change weights nor ask for a recompute.
    assert_eq!(staff.post_form("/staff/regulatory/inspections/due/refresh", &[]).await.status(), 403);
    assert_eq!(app.get("/staff/regulatory/inspections/due").await.status(), 303);
    app.shutdown().await;
}
