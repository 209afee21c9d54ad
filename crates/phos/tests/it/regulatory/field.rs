//! Shared fixtures of the field-work tests: a premises, an inspection.

use chrono::Duration;
use regulatory::inspections::Inspection;
use regulatory::premises::Premises;

use crate::harness::TestApp;

pub async fn premises(app: &TestApp, name: &str, district: &str) -> String {
    let p = Premises {
        id: kernel::new_id(),
        name_en: name.into(),
        name_zh: format!("{name}（中）"),
        address_en: "1 Nathan Road".into(),
        address_zh: "彌敦道1號".into(),
        district: district.into(),
        lat: 22.3,
        lon: 114.17,
        volume: 2,
        created_at: kernel::now_ms(),
    };
    let mut tx = app.state.db.begin().await.unwrap();
    regulatory::premises::store::insert(&mut tx, &p).await.unwrap();
    tx.commit().await.unwrap();
    p.id
}

/// An inspection of `premises` due `days` from today in Hong Kong, with this window.
pub async fn inspection(
    app: &TestApp,
    premises: &str,
    inspector: Option<&str>,
    days: i64,
    window: (&str, &str),
) -> String {
    let i = Inspection {
        id: kernel::new_id(),
        premises_id: premises.into(),
        licence_id: None,
        kind: "routine".into(),
        priority: 3,
        due_on: (kernel::hk::today() + Duration::days(days)).format("%Y-%m-%d").to_string(),
        window_start: window.0.into(),
        window_end: window.1.into(),
        inspector: inspector.map(str::to_string),
        planned_on: None,
        status: if inspector.is_some() { "planned".into() } else { "due".into() },
        outcome: None,
        findings: "[]".into(),
        done_by: None,
        done_at: None,
        publish_after: None,
        source_ref: None,
        created_at: kernel::now_ms(),
    };
    let mut tx = app.state.db.begin().await.unwrap();
    regulatory::inspections::store::insert(&mut tx, &i).await.unwrap();
    tx.commit().await.unwrap();
    i.id
}

/// Outbox messages to a recipient: (template, locale, body).
pub async fn outbox(app: &TestApp, recipient: &str) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT template, locale, body FROM outbox WHERE recipient = $1 ORDER BY created_at, id")
        .bind(recipient)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap()
}

pub async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).bind(bind).fetch_one(app.state.db.pool()).await.unwrap()
}
