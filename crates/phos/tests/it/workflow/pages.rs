//! The workflow pages over HTTP, on both engines: definitions (list, diagram with live counts,
//! deploy with every problem in an error summary), instances (list, filters, timeline,
//! cancellation with a reason), mining (engine log and pasted logs, with bad input) and the
//! staffing what-if; the demo history.

use kernel::identity::Role;
use serde_json::json;

use crate::harness::{Browser, TestApp, spawn_app};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflow/tests/fixtures/bpmn").join(name);
    std::fs::read_to_string(path).unwrap()
}

async fn text(b: &Browser, path: &str) -> (u16, String) {
    let res = b.get(path).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(app.state.db.pool()).await.unwrap()
}

async fn start(b: &Browser, key: &str) -> String {
    let token = b.csrf().await;
    let res = b
        .client
        .post(format!("{}/api/v1/workflow/instances", b.base))
        .header("x-csrf-token", token)
        .json(&json!({"definition": key, "variables": {"ref": "R-1"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// Definitions other than the areas' shipped processes (deployed at start-up).
const OWN_DEFINITIONS: &str = "SELECT COUNT(*) FROM workflow_definitions WHERE process_key <> 'regulatory_licence'";

#[tokio::test]
async fn definitions_deploy_and_diagram_with_live_counts() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    // Deploying through the page: the new version's page.
    let res = admin.post_form("/staff/workflow/deploy", &[("bpmn", &fixture("three_steps.bpmn"))]).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/staff/workflow/definitions/"), "{to}");
    let staff = app.staff_browser(&[Role::Inspector]).await;
    let id = start(&staff, "three_steps").await;
    start(&staff, "three_steps").await;

    let (status, html) = text(&staff, &to).await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg") && html.contains("id=\"bpmn-title\"") && html.contains("id=\"bpmn-desc\""));
    // Both instances wait at the user task: a badge with 2 and the table row with 2 and 2.
    assert!(html.contains("class=\"bpmn-count\""), "{html}");
    let table = &html[html.find("id=\"node-counts\"").unwrap()..];
    let waits: Vec<&str> = table.matches("<td class=\"num\">2</td>").collect();
    assert_eq!(waits.len(), 2, "tokens and open tasks at the user task");
    assert!(html.contains("Laid out automatically"), "three_steps has no DI");

    // The list: key, name, versions and running instances.
    let (_, list) = text(&staff, "/staff/workflow/definitions").await;
    assert!(list.contains("<code>three_steps</code>") && list.contains("status=running\">2</a>"), "{list}");
    assert!(!list.contains("/staff/workflow/deploy"), "the deploy link is for administrators");

    // A definition with DI is drawn from it.
    let res = admin.post_form("/staff/workflow/deploy", &[("bpmn", workflow::demo::DOCUMENTS_BPMN)]).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = text(&staff, &to).await;
    assert!(html.contains("Drawn from the layout saved"), "the demo's document review has DI");

    // The instance page shows it.
    let (status, html) = text(&staff, &format!("/staff/workflow/instances/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"timeline\"") && html.contains("R-1"));
    app.shutdown().await;
}

#[tokio::test]
async fn a_broken_definition_lists_every_problem_in_the_page_language() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    let res = admin.post_form("/staff/workflow/deploy", &[("bpmn", &fixture("broken.bpmn"))]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("class=\"error-summary\""));
    assert!(html.contains("14 problems"), "every problem at once");
    assert!(html.contains("This element is not supported.") && html.contains("<code>Script</code>"));
    assert!(html.contains("id=\"bpmn\"") && html.contains("scriptTask"), "the document is kept in the text area");
    // In Chinese.
    admin.get("/lang/zh-Hant-HK?back=/").await;
    let res = admin.post_form("/staff/workflow/deploy", &[("bpmn", &fixture("broken.bpmn"))]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("共 14 個問題") && html.contains("不支援"), "{html}");
    // Empty, and malformed.
    let res = admin.post_form("/staff/workflow/deploy", &[("bpmn", "  ")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("請貼上要部署的 BPMN 文件"));
    let res = admin.post_form("/staff/workflow/deploy", &[("bpmn", "<not-closed")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(count(&app, OWN_DEFINITIONS).await, 0, "nothing deployed");
    // Deploying is for administrators.
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    assert_eq!(inspector.get("/staff/workflow/deploy").await.status(), 403);
    let res = inspector.post_form("/staff/workflow/deploy", &[("bpmn", &fixture("three_steps.bpmn"))]).await;
    assert_eq!(res.status(), 403);
    app.shutdown().await;
}

#[tokio::test]
async fn instances_list_filter_and_cancel_with_a_reason() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    admin.post_form("/staff/workflow/deploy", &[("bpmn", &fixture("three_steps.bpmn"))]).await;
    admin.post_form("/staff/workflow/deploy", &[("bpmn", &fixture("timer.bpmn"))]).await;
    let staff = app.staff_browser(&[Role::Inspector]).await;
    let a = start(&staff, "three_steps").await;
    start(&staff, "three_steps").await;

    let (_, all) = text(&staff, "/staff/workflow/instances").await;
    assert!(all.contains(&a) && all.contains("2 instances shown"), "{a} {all}");
    let (_, none) = text(&staff, "/staff/workflow/instances?definition=cooling_off&status=running").await;
    assert!(none.contains("No instance matches."), "{none}");

    // Cancelling without a reason: a field error, nothing changed.
    let res = staff.post_form(&format!("/staff/workflow/instances/{a}/cancel"), &[("reason", " ")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("class=\"error-summary\"") && html.contains("Give the reason for cancelling"));
    assert!(html.contains("href=\"#reason\""));
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM workflow_instances WHERE id = '{a}' AND status = 'running'")).await,
        1
    );
    let res =
        staff.post_form(&format!("/staff/workflow/instances/{a}/cancel"), &[("reason", "Duplicate of R-2")]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = text(&staff, &format!("/staff/workflow/instances/{a}")).await;
    assert!(html.contains("Cancelled") && html.contains("Duplicate of R-2") && html.contains("Aborted"));
    assert!(!html.contains("id=\"cancel-heading\""), "no cancel form once cancelled");
    let (_, cancelled) = text(&staff, "/staff/workflow/instances?definition=three_steps&status=cancelled").await;
    assert!(cancelled.contains("1 instance shown"), "{cancelled}");
    // Twice: refused with a message.
    let res = staff.post_form(&format!("/staff/workflow/instances/{a}/cancel"), &[("reason", "again")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("no longer running"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.instance.cancel'").await, 1);
    assert_eq!(staff.get("/staff/workflow/instances/nope").await.status(), 404);
    app.shutdown().await;
}

#[tokio::test]
async fn the_demo_mining_and_simulation_pages() {
    // No timer loop: the test fires the overdue deadline itself, once.
    let app = crate::harness::spawn_app_with(|c| c.worker = false, None).await;
    let seeded = workflow::demo::seed(&app.state.db, 42).await.unwrap();
    assert!(seeded.instances > 300 && seeded.running >= 10 && seeded.events > 3000, "{seeded:?}");
    assert_eq!(workflow::demo::seed(&app.state.db, 42).await.unwrap(), Default::default(), "idempotent");
    assert_eq!(count(&app, OWN_DEFINITIONS).await, 2);
    let staff = app.staff_browser(&[Role::ServiceAgent]).await;

    // One complaint is overdue; four eyes held in the history.
    let (_, list) = text(&staff, "/staff/workflow/instances?definition=complaint_handling&status=running").await;
    assert_eq!(list.matches(">Overdue</strong>").count(), 1, "{list}");
    // Its deadline fires (once): the investigation is chased and the case stays overdue.
    let fired = workflow::instances::service::fire_due(&app.state.db, kernel::now_ms(), 1000).await.unwrap();
    assert_eq!(fired, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_timers WHERE status = 'fired'").await, 1);
    assert!(count(&app, "SELECT COUNT(*) FROM workflow_tasks WHERE node_id = 'chase' AND status = 'open'").await >= 1);
    let (_, list) = text(&staff, "/staff/workflow/instances?definition=complaint_handling&status=running").await;
    assert_eq!(list.matches(">Overdue</strong>").count(), 1, "still overdue once its deadline fired");
    let four_eyes = count(
        &app,
        "SELECT COUNT(*) FROM workflow_tasks a JOIN workflow_tasks p ON p.instance_id = a.instance_id \
         WHERE a.node_id = 'approve' AND p.node_id = 'prepare' AND a.completed_by = p.completed_by",
    )
    .await;
    assert_eq!(four_eyes, 0);

    // Mining the engine's log: graph, throughput, bottlenecks with the investigation on top.
    let (status, html) = text(&staff, "/staff/workflow/mining?definition=complaint_handling").await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"dfg-title\"") && html.contains("id=\"variants\""));
    let bottlenecks = &html[html.find("id=\"bottlenecks\"").unwrap()..];
    let first = &bottlenecks[bottlenecks.find("<tbody>").unwrap()..];
    assert!(first[..300].contains("Investigate"), "the inspectors are the bottleneck: {}", &first[..300]);

    // A pasted CSV log, and bad ones naming the line or trace.
    let csv = "case,activity,timestamp\n1,A,2026-01-05T09:00:00Z\n1,B,2026-01-05T10:00:00Z\n";
    let res = staff.post_form("/staff/workflow/mining", &[("format", "csv"), ("log", csv)]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("A → B") && html.contains("1 case"), "{html}");
    let res = staff
        .post_form("/staff/workflow/mining", &[("format", "csv"), ("log", "case,activity,timestamp\n1,A,soon\n")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("line 2"));
    let xes = "<log><trace><string key=\"concept:name\" value=\"c1\"/><event><string key=\"concept:name\" value=\"A\"/></event></trace></log>";
    let res = staff.post_form("/staff/workflow/mining", &[("format", "xes"), ("log", xes)]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("trace 1") && html.contains("time:timestamp"), "{html}");
    let res = staff.post_form("/staff/workflow/mining", &[("format", "xes"), ("log", "")]).await;
    assert_eq!(res.status(), 422);

    // Staffing what-if: two scenarios side by side; one more manager shortens the wait.
    let (status, html) = text(
        &staff,
        "/staff/workflow/simulation?definition=document_approval&run=1&p1_clinic_manager=1&p2_clinic_manager=3&cases=300",
    )
    .await;
    assert_eq!(status, 200);
    let results = &html[html.find("id=\"simulation-results\"").unwrap()..];
    assert!(results.contains("clinic_manager=1") && results.contains("clinic_manager=3"), "{results}");
    let (status, html) =
        text(&staff, "/staff/workflow/simulation?definition=document_approval&run=1&p1_clinic_manager=zero").await;
    assert_eq!(status, 422);
    assert!(html.contains("class=\"error-summary\"") && html.contains("href=\"#p1_clinic_manager\""));
    let (status, html) = text(&staff, "/staff/workflow/simulation?definition=document_approval&run=1").await;
    assert_eq!(status, 422);
    assert!(html.contains("at least one role"));
    app.shutdown().await;
}
