//! Health protection over HTTP, one file per sub-domain (as in `crates/protection/src`), and
//! the helpers the notification, case, cluster, catalogue and count tests share.

mod cases;
mod catalogue;
mod clusters;
mod counts;
mod dashboard;
mod demo;
mod notifications;
mod opendata;
mod signals;

use std::collections::BTreeMap;

use kernel::hkid::Hkid;
use kernel::identity::Role;
use protection::counts::weeks::Cell;
use serde_json::{Value, json};

use crate::harness::{Browser, STAFF_PASSWORD, TestApp, spawn_app};

pub(super) fn hkid(n: u32) -> String {
    Hkid::from_parts("T", &format!("{n:06}")).display()
}

pub(super) fn days_ago(n: i64) -> String {
    (kernel::hk::today() - chrono::Duration::days(n)).to_string()
}

pub(super) async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.state.db.pool()).await.unwrap()
}

/// Rows of every table a notification writes.
pub(super) async fn footprint(app: &TestApp) -> [i64; 6] {
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
pub(super) async fn partner_token(app: &TestApp, scopes: &[&str]) -> String {
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

pub(super) async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let res = app.client.post(format!("{}{path}", app.url)).bearer_auth(token).json(body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub(super) fn measles(hkid: Option<&str>, name: &str, onset: &str) -> Value {
    let mut patient = json!({"name_en": name, "sex": "F", "birth_date": "1990-05-01", "district": "KT"});
    if let Some(h) = hkid {
        patient["hkid"] = json!(h);
    }
    json!({"disease": "measles", "patient": patient, "onset_date": onset, "fields": {"rash_onset": onset}})
}

/// A signed-in member of staff with these roles, and their id.
pub(super) async fn staff(app: &TestApp, roles: &[Role]) -> (String, Browser) {
    let email = format!("{}@dh.test", uuid::Uuid::now_v7().simple());
    let id = app.staff_user(&email, roles, STAFF_PASSWORD).await;
    (id, app.signed_in(&email).await)
}

pub(super) async fn text(b: &Browser, path: &str) -> (u16, String) {
    let res = b.get(path).await;
    let s = res.status().as_u16();
    (s, res.text().await.unwrap())
}

/// The weekly counts equal a recount of the cases themselves.
pub(super) async fn assert_counts_match(app: &TestApp) {
    let db = &app.state.db;
    let mut recount: BTreeMap<Cell, i64> = BTreeMap::new();
    for (disease, date, district, class, n) in protection::counts::store::case_day_counts(db).await.unwrap() {
        *recount.entry(Cell::new(&disease, date.parse().unwrap(), &district, &class)).or_insert(0) += n;
    }
    let table: BTreeMap<Cell, i64> =
        protection::counts::store::weekly_counts(db, None).await.unwrap().into_iter().collect();
    assert_eq!(table, recount, "weekly counts drifted from the cases");
    assert!(!table.is_empty());
}

/// Makes a case by the API and returns its reference.
pub(super) async fn a_case(app: &TestApp, token: &str, n: u32, disease: &str, district: &str) -> String {
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
