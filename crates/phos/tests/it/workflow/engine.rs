//! The process engine over HTTP: deploy (versions, every problem at once), start, one-winner
//! claims, completion, the four-eyes rule, messages, the event log and its export.

use kernel::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Browser, TestApp, spawn_app, spawn_app_with};

pub(super) fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflow/tests/fixtures/bpmn").join(name);
    std::fs::read_to_string(path).unwrap()
}

/// POST JSON with the browser's session and CSRF token: (status, body).
pub(super) async fn post(b: &Browser, path: &str, body: &Value) -> (u16, Value) {
    let token = b.csrf().await;
    let res = b.client.post(format!("{}{path}", b.base)).header("x-csrf-token", token).json(body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub(super) async fn get(b: &Browser, path: &str) -> Value {
    let res = b.get(path).await;
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.unwrap()
}

pub(super) async fn deploy(app: &TestApp, admin: &Browser, file: &str) -> Value {
    let _ = app;
    let (status, body) = post(admin, "/api/v1/workflow/deployments", &json!({ "bpmn": fixture(file) })).await;
    assert_eq!(status, 201, "{body}");
    body
}

pub(super) async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(app.state.db.pool()).await.unwrap()
}

#[tokio::test]
async fn deploy_versions_and_refuses_invalid_definitions_with_every_problem() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    assert_eq!(deploy(&app, &admin, "three_steps.bpmn").await["version"], 1);
    let again = deploy(&app, &admin, "three_steps.bpmn").await;
    assert_eq!((again["process_key"].as_str(), again["version"].as_i64()), (Some("three_steps"), Some(2)));
    let (status, body) = post(&admin, "/api/v1/workflow/deployments", &json!({ "bpmn": fixture("broken.bpmn") })).await;
    assert_eq!(status, 422, "{body}");
    let codes: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    for c in
        ["bpmn_unsupported_element", "bpmn_unknown_service_task", "bpmn_no_way_out", "bpmn_gateway_without_default"]
    {
        assert!(codes.contains(&c), "{c} missing: {codes:?}");
    }
    let first = &body["errors"][0];
    assert!(first["message"]["en"].is_string() && first["message"]["zh-Hant-HK"].is_string(), "bilingual: {first}");
    let (status, _) = post(&admin, "/api/v1/workflow/deployments", &json!({ "bpmn": "<not-closed" })).await;
    assert_eq!(status, 422);
    // Deploying is for administrators; listing for any staff.
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    let (status, _) =
        post(&inspector, "/api/v1/workflow/deployments", &json!({ "bpmn": fixture("three_steps.bpmn") })).await;
    assert_eq!(status, 403);
    // Its two, and the regulatory area's process deployed at start-up.
    let listed = get(&inspector, "/api/v1/workflow/definitions").await;
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["key"] == "regulatory_licence" || d["process_key"] == "regulatory_licence"),
        "{listed}"
    );
    let res = app.client.post(format!("{}/api/v1/workflow/instances", app.url)).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 401, "anonymous");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM workflow_definitions WHERE process_key <> 'regulatory_licence'").await,
        2,
        "nothing half-written"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn one_claim_wins_and_the_instance_completes() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&app, &admin, "three_steps.bpmn").await;
    let a = app.staff_browser(&[Role::Inspector]).await;
    let b = app.staff_browser(&[Role::Inspector]).await;
    let clerk = app.staff_browser(&[Role::ClinicStaff]).await;

    let (status, inst) =
        post(&clerk, "/api/v1/workflow/instances", &json!({"definition": "three_steps", "variables": {"ref": "C-1"}}))
            .await;
    assert_eq!(status, 201, "{inst}");
    assert_eq!(inst["status"], "running");
    assert_eq!(inst["waiting"], json!(["review"]));
    assert_eq!(inst["variables"]["stamps"], 1, "the automatic step ran");
    let task = inst["tasks"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = post(&clerk, "/api/v1/workflow/instances", &json!({"definition": "nope"})).await;
    assert_eq!(status, 404);

    // Someone without the role cannot claim it.
    let (status, body) = post(&clerk, &format!("/api/v1/workflow/tasks/{task}/claim"), &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("task_not_for_your_roles")));
    // Two claims at once: one wins, the other is told clearly.
    let path = format!("/api/v1/workflow/tasks/{task}/claim");
    let empty = json!({});
    let ((s1, b1), (s2, b2)) = tokio::join!(post(&a, &path, &empty), post(&b, &path, &empty));
    let mut statuses = [s1, s2];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{b1} {b2}");
    let (winner, loser, lost) = if s1 == 200 { (&a, &b, &b2) } else { (&b, &a, &b1) };
    assert_eq!(lost["code"], "task_already_claimed");
    assert!(lost["title"].is_string() || lost["titles"].is_object() || lost.get("title").is_some(), "{lost}");
    // The loser cannot complete or release it.
    let (status, body) = post(loser, &format!("/api/v1/workflow/tasks/{task}/complete"), &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("task_not_yours")));
    let (status, _) = post(loser, &format!("/api/v1/workflow/tasks/{task}/release"), &json!({})).await;
    assert_eq!(status, 409);
    // The winner sees it in the worklist, releases it, claims it again and completes it.
    let list = get(winner, "/api/v1/workflow/tasks").await;
    assert!(list.as_array().unwrap().iter().any(|t| t["id"] == task.as_str()));
    let (status, body) = post(winner, &format!("/api/v1/workflow/tasks/{task}/release"), &json!({})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("open")));
    let (status, _) = post(winner, &path, &json!({})).await;
    assert_eq!(status, 200);
    let (status, done) =
        post(winner, &format!("/api/v1/workflow/tasks/{task}/complete"), &json!({"variables": {"outcome": "ok"}}))
            .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["variables"]["outcome"], "ok");
    assert_eq!(done["tasks"][0]["status"], "completed");
    let (status, body) = post(winner, &format!("/api/v1/workflow/tasks/{task}/complete"), &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("task_closed")));

    // The event log: start, stamp, review scheduled / started / released / started / completed, end.
    let lifecycles: Vec<(String, String)> =
        sqlx::query_as("SELECT activity, lifecycle FROM workflow_events ORDER BY at, id")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    let got: Vec<(&str, &str)> = lifecycles.iter().map(|(a, l)| (a.as_str(), l.as_str())).collect();
    assert_eq!(
        got,
        [
            ("Received", "complete"),
            ("Stamp", "complete"),
            ("Review", "schedule"),
            ("Review", "start"),
            ("Review", "reassign"),
            ("Review", "start"),
            ("Review", "complete"),
            ("Done", "complete"),
        ]
    );
    // (Plus the start-up deployment of the regulatory area's process, by the system.)
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'workflow.%' AND actor_type <> 'system'").await,
        6
    );

    // The engine's own log exports and reads back.
    let out = app.db.dir.join("engine.xes");
    let n = workflow::mining::service::export(
        &app.state.db,
        workflow::mining::service::ExportFormat::Xes,
        &out,
        &kernel::audit::Actor::System,
        &kernel::audit::Origin::system(),
    )
    .await
    .unwrap();
    assert_eq!((n.cases, n.events), (1, 8));
    let g = workflow::cli::dfg(&out, None).unwrap();
    assert_eq!(
        g.variants[0].activities,
        ["Received", "Stamp", "Review", "Review", "Review", "Review", "Review", "Done"]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn four_eyes_and_messages() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&app, &admin, "four_eyes.bpmn").await;
    let a = app.staff_browser(&[Role::Inspector]).await;
    let b = app.staff_browser(&[Role::Inspector]).await;

    // Documents incomplete: the case waits for them.
    let (_, inst) = post(&a, "/api/v1/workflow/instances", &json!({"definition": "document_review"})).await;
    let id = inst["id"].as_str().unwrap().to_string();
    let prepare = inst["tasks"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(post(&a, &format!("/api/v1/workflow/tasks/{prepare}/claim"), &json!({})).await.0, 200);
    let (status, after) =
        post(&a, &format!("/api/v1/workflow/tasks/{prepare}/complete"), &json!({"variables": {"complete": false}}))
            .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["waiting"], json!(["wait_docs"]));
    let (status, body) = post(&a, &format!("/api/v1/workflow/instances/{id}/messages/wrong_message"), &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("message_not_expected")));
    let (status, after) = post(
        &b,
        &format!("/api/v1/workflow/instances/{id}/messages/documents_received"),
        &json!({"variables": {"complete": true}}),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["waiting"], json!(["approve"]));
    let approve = after["tasks"].as_array().unwrap().iter().find(|t| t["node_id"] == "approve").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The preparer may not approve; someone else may.
    let (status, body) = post(&a, &format!("/api/v1/workflow/tasks/{approve}/claim"), &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("four_eyes")));
    assert_eq!(post(&b, &format!("/api/v1/workflow/tasks/{approve}/claim"), &json!({})).await.0, 200);
    let (status, done) = post(&b, &format!("/api/v1/workflow/tasks/{approve}/complete"), &json!({})).await;
    assert_eq!((status, done["status"].as_str()), (200, Some("completed")), "{done}");
    let got = get(&a, &format!("/api/v1/workflow/instances/{id}")).await;
    assert_eq!(got["status"], "completed");
    assert_eq!(got["version"], 1);
    app.shutdown().await;
}

#[tokio::test]
async fn timers_fire_exactly_once() {
    // No timer loop here: the two calls below are the two workers.
    let app = spawn_app_with(|c| c.worker = false, None).await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&app, &admin, "timer.bpmn").await;
    let (status, inst) = post(&admin, "/api/v1/workflow/instances", &json!({"definition": "cooling_off"})).await;
    assert_eq!(status, 201, "{inst}");
    assert_eq!(inst["waiting"], json!(["wait"]));
    let id = inst["id"].as_str().unwrap().to_string();
    let later = kernel::now_ms() + 1000;
    // Two workers at once: the timer fires once.
    let db = &app.state.db;
    let (a, b) = tokio::join!(
        workflow::instances::service::fire_due(db, later, 100),
        workflow::instances::service::fire_due(db, later, 100)
    );
    let fired = a.unwrap_or(0) + b.unwrap_or(0);
    assert_eq!(fired, 1);
    assert_eq!(workflow::instances::service::fire_due(db, later, 100).await.unwrap(), 0);
    let got = get(&admin, &format!("/api/v1/workflow/instances/{id}")).await;
    assert_eq!(got["status"], "completed");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_timers WHERE status = 'fired'").await, 1);
    app.shutdown().await;
}

#[tokio::test]
async fn cancelling_needs_a_reason_and_closes_the_tasks() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&app, &admin, "three_steps.bpmn").await;
    let (_, inst) = post(&admin, "/api/v1/workflow/instances", &json!({"definition": "three_steps"})).await;
    let id = inst["id"].as_str().unwrap().to_string();
    let task = inst["tasks"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/workflow/instances/{id}/cancel");
    let (status, body) = post(&admin, &path, &json!({"reason": "  "})).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("cancel_reason_required")));
    let (status, body) = post(&admin, &path, &json!({"reason": "Withdrawn by the applicant"})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("cancelled")), "{body}");
    assert_eq!(body["tasks"][0]["status"], "cancelled");
    let (status, body) = post(&admin, &path, &json!({"reason": "again"})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("instance_not_running")));
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    let (status, body) = post(&inspector, &format!("/api/v1/workflow/tasks/{task}/claim"), &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("task_closed")));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_events WHERE lifecycle = 'ate_abort'").await, 1);
    app.shutdown().await;
}

#[tokio::test]
async fn an_interrupting_deadline_cancels_the_task() {
    // No timer loop: the test fires the deadline itself once the task is claimed.
    let app = spawn_app_with(|c| c.worker = false, None).await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&app, &admin, "deadline.bpmn").await;
    let (_, inst) = post(&admin, "/api/v1/workflow/instances", &json!({"definition": "deadline"})).await;
    assert_eq!(inst["waiting"], json!(["review", "late"]));
    let id = inst["id"].as_str().unwrap().to_string();
    let task = inst["tasks"][0]["id"].as_str().unwrap().to_string();
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    assert_eq!(post(&inspector, &format!("/api/v1/workflow/tasks/{task}/claim"), &json!({})).await.0, 200);
    let fired = workflow::instances::service::fire_due(&app.state.db, kernel::now_ms() + 1000, 100).await.unwrap();
    assert_eq!(fired, 1);
    let got = get(&admin, &format!("/api/v1/workflow/instances/{id}")).await;
    assert_eq!(got["status"], "completed");
    assert_eq!(got["tasks"][0]["status"], "cancelled");
    let (status, body) = post(&inspector, &format!("/api/v1/workflow/tasks/{task}/complete"), &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("task_closed")));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_events WHERE lifecycle = 'ate_abort'").await, 1);
    app.shutdown().await;
}

/// The timer loop of two replicas on one database: timers due two seconds after their instances
/// started fire without anyone calling for them, each exactly once, never early, and soon after
/// their due time.
#[tokio::test]
async fn the_timer_loops_of_two_replicas_fire_each_timer_once() {
    let app = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let db2 = kernel::Db::connect(&app.db.url).await.unwrap();
    let state2 = phos::state(crate::harness::test_config(&app.db), db2).await.unwrap();
    let replica = phos::start(state2, listener, None, crate::harness::fast_worker(), false).unwrap();
    let admin = app.staff_browser(&[Role::Admin]).await;
    let bpmn = fixture("timer.bpmn").replace("PT0S", "PT2S");
    let (status, body) = post(&admin, "/api/v1/workflow/deployments", &json!({ "bpmn": bpmn })).await;
    assert_eq!(status, 201, "{body}");
    let n = 12;
    let mut ids = vec![];
    for _ in 0..n {
        let (status, inst) = post(&admin, "/api/v1/workflow/instances", &json!({"definition": "cooling_off"})).await;
        assert_eq!(status, 201, "{inst}");
        ids.push(inst["id"].as_str().unwrap().to_string());
    }
    let fired = "SELECT COUNT(*) FROM workflow_timers WHERE status = 'fired'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count(&app, fired).await < n && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(count(&app, fired).await, n, "every timer fired");
    for id in &ids {
        assert_eq!(get(&admin, &format!("/api/v1/workflow/instances/{id}")).await["status"], "completed", "{id}");
    }
    // Exactly once: one firing event per instance, none left pending.
    let events = "SELECT COUNT(*) FROM workflow_events WHERE node_id = 'wait' AND lifecycle = 'complete'";
    assert_eq!(count(&app, events).await, n);
    let distinct =
        "SELECT COUNT(DISTINCT instance_id) FROM workflow_events WHERE node_id = 'wait' AND lifecycle = 'complete'";
    assert_eq!(count(&app, distinct).await, n);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_timers WHERE status = 'pending'").await, 0);
    // Never before the due time, and soon after it (the loop polls every 250 ms; the bound
    // leaves room for a loaded test machine, the bench measures the real lateness).
    let early = "SELECT COUNT(*) FROM workflow_events e JOIN workflow_timers t ON t.instance_id = e.instance_id \
                 WHERE e.node_id = 'wait' AND e.lifecycle = 'complete' AND e.at < t.due_at";
    assert_eq!(count(&app, early).await, 0, "no timer fired early");
    let late = "SELECT COALESCE(MAX(e.at - t.due_at), 0) FROM workflow_events e \
                JOIN workflow_timers t ON t.instance_id = e.instance_id WHERE e.node_id = 'wait' AND e.lifecycle = 'complete'";
    let lateness = count(&app, late).await;
    assert!(lateness < 5_000, "fired {lateness} ms late");
    replica.shutdown().await.unwrap();
    app.shutdown().await;
}
