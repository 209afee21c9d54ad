//! SLA clocks over HTTP, on both engines: declared in the definition (and refused when the
//! escalation target is missing or unknown), started, paused and stopped with the instance, the
//! deadline on the business calendar, moved by a closure with the reason kept, milestones
//! recorded once even when the job runs twice at once, escalation in the outbox, overdue and
//! breach reads.

use chrono::TimeZone;
use kernel::audit::{Actor, Origin};
use kernel::hk::calendar::{Calendar, ClosureKind};
use kernel::hk::store::NewClosure;
use kernel::identity::Role;
use serde_json::{Value, json};

use super::engine::{count, deploy, fixture, get, post};
use crate::harness::{Browser, spawn_app};

/// 17:00 Hong Kong time on the `n`th business day after the day of `start` (no closures):
/// computed here from the kernel's holiday list, independently of the SLA arithmetic.
fn business_days_after(start: i64, n: u32) -> i64 {
    let cal = Calendar::hong_kong(&[]);
    let tz = kernel::hk::tz();
    let mut day = chrono::DateTime::from_timestamp_millis(start).unwrap().with_timezone(&tz).date_naive();
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().unwrap();
        if cal.is_business_day(day) {
            left -= 1;
        }
    }
    tz.from_local_datetime(&day.and_hms_opt(17, 0, 0).unwrap()).single().unwrap().timestamp_millis()
}

/// The first business day after the day of `start`, 08:00 to 18:00 Hong Kong time.
fn next_business_day(start: i64) -> (i64, i64) {
    let cal = Calendar::hong_kong(&[]);
    let tz = kernel::hk::tz();
    let mut day = chrono::DateTime::from_timestamp_millis(start).unwrap().with_timezone(&tz).date_naive();
    loop {
        day = day.succ_opt().unwrap();
        if cal.is_business_day(day) {
            break;
        }
    }
    let at = |h| tz.from_local_datetime(&day.and_hms_opt(h, 0, 0).unwrap()).single().unwrap().timestamp_millis();
    (at(8), at(18))
}

fn clock<'a>(inst: &'a Value, sla: &str) -> &'a Value {
    inst["clocks"].as_array().unwrap().iter().find(|c| c["sla"] == sla).unwrap_or_else(|| panic!("{sla}: {inst}"))
}

async fn start(b: &Browser, vars: Value) -> Value {
    let (status, inst) =
        post(b, "/api/v1/workflow/instances", &json!({"definition": "permit", "variables": vars})).await;
    assert_eq!(status, 201, "{inst}");
    inst
}

async fn finish_task(b: &Browser, inst: &Value, node: &str) -> Value {
    let task =
        inst["tasks"].as_array().unwrap().iter().find(|t| t["node_id"] == node && t["status"] == "open").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
    assert_eq!(post(b, &format!("/api/v1/workflow/tasks/{task}/claim"), &json!({})).await.0, 200);
    let (status, after) = post(b, &format!("/api/v1/workflow/tasks/{task}/complete"), &json!({})).await;
    assert_eq!(status, 200, "{after}");
    after
}

/// Definitions deployed by the test (the regulatory area's shipped process is there from start-up).
const OWN_DEFINITIONS: &str = "SELECT COUNT(*) FROM workflow_definitions WHERE process_key <> 'regulatory_licence'";

#[tokio::test]
async fn deploy_refuses_missing_and_unknown_escalation_targets() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    let good = fixture("sla.bpmn");
    let missing = good.replace(r#"escalateTo="clinic_manager""#, "");
    let unknown = good.replace(r#"escalateTo="inspector""#, r#"escalateTo="wizard""#);
    let bad_node = good.replace(r#"pauseAt="wait_reply""#, r#"pauseAt="nowhere""#);
    for (xml, code) in [
        (missing, "bpmn_sla_no_escalation"),
        (unknown, "bpmn_sla_unknown_escalation"),
        (bad_node, "bpmn_sla_unknown_node"),
    ] {
        let (status, body) = post(&admin, "/api/v1/workflow/deployments", &json!({ "bpmn": xml })).await;
        assert_eq!(status, 422, "{body}");
        let errors = body["errors"].as_array().unwrap();
        let e = errors.iter().find(|e| e["code"] == code).unwrap_or_else(|| panic!("{code}: {body}"));
        assert!(e["message"]["en"].is_string() && e["message"]["zh-Hant-HK"].is_string(), "bilingual: {e}");
        assert_ne!(e["message"]["en"], e["message"]["zh-Hant-HK"]);
    }
    // (Only the areas' shipped processes, deployed at start-up.)
    assert_eq!(count(&app, OWN_DEFINITIONS).await, 0, "nothing half-written");
    deploy(&app, &admin, "sla.bpmn").await;
    app.shutdown().await;
}

#[tokio::test]
async fn clocks_start_pause_resume_and_stop_with_the_instance() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&app, &admin, "sla.bpmn").await;
    let officer = app.staff_browser(&[Role::Inspector]).await;
    let inst = start(&officer, json!({"district": "KT"})).await;
    let id = inst["id"].as_str().unwrap().to_string();

    // The decision clock runs from the start; its deadline is 17:00 on the fifth business day.
    let d = clock(&inst, "decision");
    assert_eq!(d["status"], "running");
    assert_eq!((d["name"]["en"].as_str(), d["name"]["zh-Hant-HK"].as_str()), (Some("Decision"), Some("決定")));
    let started = d["started_at"].as_i64().unwrap();
    assert_eq!(started, inst["started_at"].as_i64().unwrap());
    let due = d["due_at"].as_i64().unwrap();
    assert_eq!(due, business_days_after(started, 5));
    let ms = d["milestones"].as_array().unwrap();
    assert_eq!(ms.iter().map(|m| m["percent"].as_u64().unwrap()).collect::<Vec<_>>(), [50, 75, 100]);
    let (m50, m75) = (ms[0]["due_at"].as_i64().unwrap(), ms[1]["due_at"].as_i64().unwrap());
    assert!(started < m50 && m50 < m75 && m75 < due, "{d}");
    assert_eq!(ms[2]["due_at"].as_i64(), Some(due));
    assert!(ms.iter().all(|m| m["reached_at"].is_null()));
    // The first-response clock starts when the token enters "register" (at once, here).
    assert_eq!(clock(&inst, "first_response")["status"], "running");

    // Registered: the instance waits for the reply; the decision clock pauses, the first
    // response stops.
    let after = finish_task(&officer, &inst, "register").await;
    assert_eq!(after["waiting"], json!(["wait_reply"]));
    let d = clock(&after, "decision");
    assert_eq!(d["status"], "paused");
    assert!(d["due_at"].is_null(), "no deadline while paused: {d}");
    let f = clock(&after, "first_response");
    assert_eq!(f["status"], "stopped");
    assert!(f["stopped_at"].as_i64().unwrap() >= started);

    // The reply arrives: running again, the deadline back (the pause lasted no office time
    // worth a day).
    let (status, after) = post(&officer, &format!("/api/v1/workflow/instances/{id}/messages/reply"), &json!({})).await;
    assert_eq!(status, 200, "{after}");
    let d = clock(&after, "decision");
    assert_eq!(d["status"], "running");
    assert_eq!(d["due_at"].as_i64(), Some(due));
    assert_eq!(clock(&after, "first_response")["status"], "stopped", "a stopped clock stays stopped");
    let pauses: String =
        sqlx::query_scalar("SELECT pauses FROM workflow_sla_clocks WHERE instance_id = $1 AND sla_id = 'decision'")
            .bind(&id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let pauses: Vec<(i64, Option<i64>)> = serde_json::from_str(&pauses).unwrap();
    assert_eq!(pauses.len(), 1);
    assert!(pauses[0].1.is_some_and(|to| to >= pauses[0].0), "the pause is closed: {pauses:?}");

    // Decided: the instance ends and the decision clock stops.
    let done = finish_task(&officer, &after, "decide").await;
    assert_eq!(done["status"], "completed");
    let d = clock(&done, "decision");
    assert_eq!(d["status"], "stopped");
    assert!(d["stopped_at"].as_i64().unwrap() < due);

    // A cancelled instance stops its clocks too.
    let other = start(&officer, json!({})).await;
    let oid = other["id"].as_str().unwrap();
    let (status, cancelled) =
        post(&officer, &format!("/api/v1/workflow/instances/{oid}/cancel"), &json!({"reason": "withdrawn"})).await;
    assert_eq!(status, 200, "{cancelled}");
    assert!(cancelled["clocks"].as_array().unwrap().iter().all(|c| c["status"] == "stopped"), "{cancelled}");
    app.shutdown().await;
}

#[tokio::test]
async fn a_closure_declared_while_running_moves_the_deadline_with_the_reason() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&app, &admin, "sla.bpmn").await;
    let officer = app.staff_browser(&[Role::Inspector]).await;
    let inst = start(&officer, json!({"district": "KT"})).await;
    let id = inst["id"].as_str().unwrap().to_string();
    let started = clock(&inst, "decision")["started_at"].as_i64().unwrap();
    let due = clock(&inst, "decision")["due_at"].as_i64().unwrap();
    let db = &app.state.db;

    // Another district's closure on the next business day moves nothing.
    let (from, to) = next_business_day(started);
    let new = |district: Option<&str>, kind| NewClosure {
        kind,
        district: district.map(Into::into),
        starts_at: from,
        ends_at: Some(to),
        note: "test closure".into(),
        declared_by: "test".into(),
    };
    let (wc, _) = kernel::hk::service::declare(
        &app.state,
        &Actor::System,
        &Origin::system(),
        &new(Some("WC"), ClosureKind::Other),
    )
    .await
    .unwrap();
    assert_eq!(workflow::sla::service::on_closure(db, &wc.id, kernel::now_ms()).await.unwrap(), 0);

    // A territory-wide typhoon signal No. 8 all that day: the day no longer counts, the
    // deadline moves to the sixth business day, and the closure is kept as the reason. The
    // subscribed job may get there first; either way there is exactly one shift.
    let (t8, _) =
        kernel::hk::service::declare(&app.state, &Actor::System, &Origin::system(), &new(None, ClosureKind::Typhoon8))
            .await
            .unwrap();
    workflow::sla::service::on_closure(db, &t8.id, kernel::now_ms()).await.unwrap();
    assert_eq!(workflow::sla::service::on_closure(db, &t8.id, kernel::now_ms()).await.unwrap(), 0, "once");
    let got = get(&officer, &format!("/api/v1/workflow/instances/{id}")).await;
    let d = clock(&got, "decision");
    let moved = business_days_after(started, 6);
    assert_eq!(d["due_at"].as_i64(), Some(moved), "{d}");
    let shifts = d["shifts"].as_array().unwrap();
    assert_eq!(shifts.len(), 1, "{d}");
    assert_eq!(shifts[0]["closure"], t8.id.as_str());
    assert_eq!(shifts[0]["kind"], "typhoon_8");
    assert_eq!(shifts[0]["note"], "test closure");
    assert_eq!((shifts[0]["from"].as_i64(), shifts[0]["to"].as_i64()), (Some(due), Some(moved)));
    // Exactly one shift of this clock (other clocks of the instance due inside the closure move
    // too, each once: how many depends on today's date).
    let shifts_of_this_clock = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.sla.shift' AND subject_id = '{}'",
        d["id"].as_str().unwrap()
    );
    assert_eq!(count(&app, &shifts_of_this_clock).await, 1);
    app.shutdown().await;
}

#[tokio::test]
async fn milestones_are_recorded_once_and_escalate_through_the_outbox() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&app, &admin, "sla.bpmn").await;
    app.staff_user("manager-a@dh.test", &[Role::ClinicManager], "a long enough password 1").await;
    app.staff_user("manager-b@dh.test", &[Role::ClinicManager, Role::Inspector], "a long enough password 2").await;
    let officer = app.staff_browser(&[Role::Inspector]).await;
    let inst = start(&officer, json!({"language": "zh-Hant-HK"})).await;
    let id = inst["id"].as_str().unwrap().to_string();
    let d = clock(&inst, "decision");
    let due = d["due_at"].as_i64().unwrap();
    let m50 = d["milestones"][0]["due_at"].as_i64().unwrap();
    let f = clock(&inst, "first_response");
    let (f_m50, f_due) = (f["milestones"][0]["due_at"].as_i64().unwrap(), f["due_at"].as_i64().unwrap());
    let check = |now| workflow::sla::service::check(&app.state, now);

    // Not due yet: nothing.
    assert_eq!(check(m50.min(f_m50) - 1).await.unwrap(), 0);
    // At 50 % of the decision clock: its 50 % and the first response's milestones due by then.
    let f_by_m50 = [f_m50, f["milestones"][1]["due_at"].as_i64().unwrap(), f_due].iter().filter(|&&t| t <= m50).count();
    assert_eq!(check(m50).await.unwrap(), 1 + f_by_m50);
    assert_eq!(check(m50).await.unwrap(), 0);
    let got_50 = 1 + f_by_m50;
    // Everything due, two workers at once: each milestone once.
    let later = due.max(f_due) + 1;
    let (a, b) = tokio::join!(check(later), check(later));
    let total = got_50 + a.unwrap() + b.unwrap();
    assert_eq!(total, 6, "three milestones of two clocks");
    assert_eq!(check(later).await.unwrap(), 0, "never twice");

    let events = count(
        &app,
        &format!("SELECT COUNT(*) FROM workflow_events WHERE instance_id = '{id}' AND node_id LIKE 'sla:%'"),
    )
    .await;
    assert_eq!(events, 6);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.sla.milestone'").await, 6);
    // Escalation at 75 % and 100 %: the decision to both clinic managers, the first response to
    // the one inspector among them and the officer (staff_browser's account), in the case's
    // language.
    let to_managers = count(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE template = 'workflow-sla-escalation' AND recipient LIKE 'manager-%' AND subject LIKE '%決定%'",
    )
    .await;
    assert_eq!(to_managers, 4, "decision: 2 managers × (75 %, 100 %)");
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE template = 'workflow-sla-escalation' AND recipient = 'manager-a@dh.test' ORDER BY created_at, id LIMIT 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert!(body.contains(&id) && body.contains("許可證"), "{body}");
    let first_response = count(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE template = 'workflow-sla-escalation' AND subject LIKE '%首次回覆%'",
    )
    .await;
    assert_eq!(first_response, 2 * 2, "first response: 2 inspectors × (75 %, 100 %)");

    // The API shows the milestones reached; the overdue list and breach trends see the clock.
    let got = get(&officer, &format!("/api/v1/workflow/instances/{id}")).await;
    let d = clock(&got, "decision");
    assert!(d["milestones"].as_array().unwrap().iter().all(|m| m["reached_at"].is_i64()), "{d}");
    let db = &app.state.db;
    let overdue = workflow::sla::service::overdue_instances(db, later, 100).await.unwrap();
    assert_eq!(overdue.iter().filter(|c| c.instance_id == id).count(), 2);
    assert!(
        workflow::sla::service::overdue_instances(db, m50 - 1, 100).await.unwrap().iter().all(|c| c.sla != "decision")
    );
    let soon = get(&officer, "/api/v1/workflow/sla/due?within_hours=8760").await;
    assert!(soon.as_array().unwrap().iter().any(|c| c["instance_id"] == id.as_str() && c["sla"] == "decision"));
    let trends = workflow::sla::service::breach_trends(db, 0, i64::MAX).await.unwrap();
    let week = workflow::sla::rules::iso_week(due);
    assert!(
        trends.iter().any(|w| w.week == week && w.sla == "decision" && w.process_key == "permit" && w.breaches == 1),
        "{trends:?}"
    );
    app.shutdown().await;
}
