//! Tasks over HTTP: delegation (with the four-eyes rule), comments, attachments in the file
//! store (checked by content, downloaded only by those who may see the task), the worklist
//! views with filters, sort and paging, due dates from timer boundary events, bulk
//! reassignment by a team lead (all or nothing), and the task pages.

use kernel::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Browser, TestApp, csrf_of, spawn_app, spawn_app_with};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflow/tests/fixtures/bpmn").join(name);
    std::fs::read_to_string(path).unwrap()
}

async fn post(b: &Browser, path: &str, body: &Value) -> (u16, Value) {
    let token = b.csrf().await;
    let res = b.client.post(format!("{}{path}", b.base)).header("x-csrf-token", token).json(body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(b: &Browser, path: &str) -> (u16, Value) {
    let res = b.get(path).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A multipart upload of one file part (and the CSRF token as a header or, for pages, a part).
async fn upload(b: &Browser, path: &str, name: &str, bytes: &[u8], token_in_form: bool) -> reqwest::Response {
    let token = b.csrf().await;
    let boundary = "----phos-test-boundary-7d1f";
    let mut body = Vec::new();
    if token_in_form {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n").as_bytes(),
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
    let mut req = b
        .client
        .post(format!("{}{path}", b.base))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body);
    if !token_in_form {
        req = req.header("x-csrf-token", token);
    }
    req.send().await.unwrap()
}

async fn deploy(admin: &Browser, file: &str) {
    let (status, body) = post(admin, "/api/v1/workflow/deployments", &json!({ "bpmn": fixture(file) })).await;
    assert_eq!(status, 201, "{body}");
}

async fn start(b: &Browser, definition: &str, variables: Value) -> Value {
    let (status, inst) =
        post(b, "/api/v1/workflow/instances", &json!({"definition": definition, "variables": variables})).await;
    assert_eq!(status, 201, "{inst}");
    inst
}

fn open_task(inst: &Value) -> String {
    inst["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == "open")
        .map(|t| t["id"].as_str().unwrap().to_string())
        .expect("an open task")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(app.state.db.pool()).await.unwrap()
}

async fn staff_id(app: &TestApp, email: &str) -> String {
    kernel::identity::staff::store::by_email(&app.state.db, email).await.unwrap().unwrap().id
}

/// A signed-in browser for a new account with these roles, and its e-mail.
async fn person(app: &TestApp, roles: &[Role]) -> (Browser, String) {
    let email = format!("{}@dh.test", uuid::Uuid::now_v7().simple());
    app.staff_user(&email, roles, crate::harness::STAFF_PASSWORD).await;
    (app.signed_in(&email).await, email)
}

#[tokio::test]
async fn delegation_keeps_the_four_eyes_rule_and_is_logged() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&admin, "four_eyes.bpmn").await;
    let (preparer, preparer_email) = person(&app, &[Role::Inspector]).await;
    let (approver, _) = person(&app, &[Role::Inspector]).await;
    let (_, other_email) = person(&app, &[Role::Inspector]).await;
    let (_, auditor_email) = person(&app, &[Role::Auditor]).await;
    let inst = start(&preparer, "document_review", json!({"ref": "D-7"})).await;
    let prepare = open_task(&inst);
    assert_eq!(post(&preparer, &format!("/api/v1/workflow/tasks/{prepare}/claim"), &json!({})).await.0, 200);
    let (s, done) = post(
        &preparer,
        &format!("/api/v1/workflow/tasks/{prepare}/complete"),
        &json!({"variables": {"complete": true}}),
    )
    .await;
    assert_eq!(s, 200, "{done}");
    let approve = open_task(&done);
    assert_eq!(post(&approver, &format!("/api/v1/workflow/tasks/{approve}/claim"), &json!({})).await.0, 200);

    let path = format!("/api/v1/workflow/tasks/{approve}/delegate");
    // Not to the preparer (four eyes), not to someone without the role, not to nobody, not to oneself.
    for (to, code) in [
        (preparer_email.as_str(), "assignee_four_eyes"),
        (auditor_email.as_str(), "assignee_lacks_role"),
        ("nobody@dh.test", "assignee_unknown"),
    ] {
        let (s, body) = post(&approver, &path, &json!({ "to": to })).await;
        assert_eq!((s, body["code"].as_str()), (422, Some(code)), "{to}: {body}");
        assert!(body["titles"]["zh-Hant-HK"].is_string(), "bilingual: {body}");
    }
    // Someone who does not hold the task cannot hand it on.
    let (s, body) = post(&preparer, &path, &json!({ "to": other_email })).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("task_not_yours")));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_events WHERE lifecycle = 'reassign'").await, 0);

    let (s, moved) = post(&approver, &path, &json!({ "to": other_email })).await;
    assert_eq!(s, 200, "{moved}");
    let other = staff_id(&app, &other_email).await;
    assert_eq!((moved["status"].as_str(), moved["assignee"].as_str()), (Some("claimed"), Some(other.as_str())));
    // The one who handed it on can no longer complete it; the new holder can.
    let (s, body) = post(&approver, &format!("/api/v1/workflow/tasks/{approve}/complete"), &json!({})).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("task_not_yours")));
    let other_b = app.signed_in(&other_email).await;
    let (s, body) = post(&other_b, &format!("/api/v1/workflow/tasks/{approve}/complete"), &json!({})).await;
    assert_eq!((s, body["status"].as_str()), (200, Some("completed")), "{body}");

    let (data, actor): (String, String) =
        sqlx::query_as("SELECT data, actor FROM workflow_events WHERE lifecycle = 'reassign'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["to"], other.as_str());
    assert_eq!(data["from"].as_str(), Some(actor.as_str()));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.task.delegate'").await, 1);
    app.shutdown().await;
}

#[tokio::test]
async fn comments_and_attachments_for_those_who_may_see_the_task() {
    let app = spawn_app_with(|c| c.files_max_bytes = 64, None).await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&admin, "three_steps.bpmn").await;
    let (inspector, _) = person(&app, &[Role::Inspector]).await;
    let (outsider, _) = person(&app, &[Role::ClinicStaff]).await;
    let (lead, _) = person(&app, &[Role::TeamLead]).await;
    let inst = start(&outsider, "three_steps", json!({})).await;
    let task = open_task(&inst);

    // Comments: bounded, only by those who may see the task, shown with the task.
    let path = format!("/api/v1/workflow/tasks/{task}/comments");
    let (s, c) = post(&inspector, &path, &json!({"text": "  Site visit booked for Monday.  "})).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["body"], "Site visit booked for Monday.");
    let (s, body) = post(&inspector, &path, &json!({"text": "  "})).await;
    assert_eq!((s, body["code"].as_str()), (422, Some("comment_required")));
    let (s, body) = post(&inspector, &path, &json!({"text": "字".repeat(2001)})).await;
    assert_eq!((s, body["code"].as_str()), (422, Some("comment_too_long")));
    let (s, body) = post(&outsider, &path, &json!({"text": "hello"})).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("task_not_visible")));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_task_comments").await, 1, "nothing half-written");

    // Attachments: checked by content and size; the bytes in the file store under the data dir.
    let up = format!("/api/v1/workflow/tasks/{task}/attachments");
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n";
    let res = upload(&inspector, &up, "site plan.pdf", pdf, false).await;
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    assert_eq!((a["file_name"].as_str(), a["media_type"].as_str()), (Some("site plan.pdf"), Some("application/pdf")));
    assert_eq!(a["size_bytes"], pdf.len());
    assert!(a.get("file_key").is_none(), "the storage key is not shown");
    for (name, bytes, code) in [
        ("invoice.pdf", &b"MZ\x90\x00\x03\x00\x00\x00"[..], "file_type_not_allowed"),
        ("photo.pdf", &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], "file_name_mismatch"),
        ("big.txt", &[b'a'; 65][..], "file_too_large"),
        ("empty.txt", &b""[..], "file_empty"),
    ] {
        let res = upload(&inspector, &up, name, bytes, false).await;
        assert_eq!(res.status(), 422, "{name}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], code, "{name}: {body}");
    }
    assert_eq!(upload(&outsider, &up, "a.txt", b"hello", false).await.status(), 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_task_attachments").await, 1);
    let stored = std::fs::read_dir(app.db.dir.join("files/workflow")).unwrap().count();
    assert_eq!(stored, 1, "refused files leave nothing in the store");

    // Download: the same bytes, as a download, for those who may see the task; audited.
    let id = a["id"].as_str().unwrap();
    let res = inspector.get(&format!("/api/v1/workflow/attachments/{id}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf);
    assert_eq!(lead.get(&format!("/api/v1/workflow/attachments/{id}")).await.status(), 200, "a team lead");
    assert_eq!(outsider.get(&format!("/api/v1/workflow/attachments/{id}")).await.status(), 403);
    assert_eq!(outsider.get(&format!("/staff/workflow/attachments/{id}")).await.status(), 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.task.download'").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.task.attach'").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.task.comment'").await, 1);

    // The task with its instance, comments and attachments.
    let (s, d) = get(&inspector, &format!("/api/v1/workflow/tasks/{task}")).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["task"]["definition"], "three_steps");
    assert_eq!(d["instance"]["variables"]["stamps"], 1);
    assert_eq!(d["comments"][0]["body"], "Site visit booked for Monday.");
    assert_eq!(d["attachments"][0]["id"], id);
    assert_eq!(get(&outsider, &format!("/api/v1/workflow/tasks/{task}")).await.0, 403);
    app.shutdown().await;
}

/// One worklist page through the API: the total and the task ids.
async fn list(b: &Browser, q: &str) -> (i64, Vec<String>) {
    let path = format!("/api/v1/workflow/tasks{q}");
    let res = b.get(&path).await;
    assert_eq!(res.status(), 200, "{path}");
    let total: i64 = res.headers()["x-total-count"].to_str().unwrap().parse().unwrap();
    let items: Vec<Value> = res.json().await.unwrap();
    (total, items.iter().map(|t| t["id"].as_str().unwrap().to_string()).collect())
}

#[tokio::test]
async fn worklists_views_filters_sort_paging_and_due_dates() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&admin, "casework.bpmn").await;
    deploy(&admin, "three_steps.bpmn").await;
    let (a, _) = person(&app, &[Role::Inspector]).await;
    let (b, _) = person(&app, &[Role::Inspector, Role::Auditor]).await;
    let (clerk, _) = person(&app, &[Role::ClinicStaff]).await;

    // Due dates: two hours after creation for casework (its interrupting timer), none otherwise.
    let case1 = start(&clerk, "casework", json!({"ref": "CASE-ALPHA"})).await;
    let t1 = open_task(&case1);
    let (created, due): (i64, Option<i64>) =
        sqlx::query_as("SELECT created_at, due_at FROM workflow_tasks WHERE id = $1")
            .bind(&t1)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(due, Some(created + 2 * 3600 * 1000));
    let mut casework = vec![t1.clone()];
    for i in 0..4 {
        casework.push(open_task(&start(&clerk, "casework", json!({"ref": format!("CASE-{i}")})).await));
    }
    let mut steps = vec![];
    for i in 0..22 {
        steps.push(open_task(&start(&clerk, "three_steps", json!({"ref": format!("S-{i}")})).await));
    }
    let null_due = count(&app, "SELECT COUNT(*) FROM workflow_tasks WHERE due_at IS NULL").await;
    assert_eq!(null_due, 22);

    // Paging: 27 tasks, 25 a page, oldest first.
    let (total, page1) = list(&a, "?view=unassigned").await;
    assert_eq!((total, page1.len()), (27, 25));
    assert_eq!(page1[0], t1);
    let (_, page2) = list(&a, "?view=unassigned&page=2").await;
    assert_eq!(page2, steps[20..].to_vec());
    let (_, newest) = list(&a, "?view=unassigned&sort=newest").await;
    assert_eq!(newest[0], steps[21]);
    // Sort by due: the casework tasks first (they have a due time), in due order.
    let (_, by_due) = list(&a, "?sort=due").await;
    assert_eq!(by_due[..5].to_vec(), casework);
    // Filters: the process, and text in the instance's variables or the task's name.
    assert_eq!(list(&a, "?definition=casework").await.0, 5);
    assert_eq!(list(&a, "?q=case-alpha").await.1, vec![t1.clone()]);
    assert_eq!(list(&a, "?q=review%20CASE").await.0, 5, "task name");
    assert_eq!(list(&a, "?q=100%25").await.0, 0, "LIKE wildcards are literal");
    // Someone without the role sees nothing.
    assert_eq!(list(&clerk, "").await.0, 0);

    // Mine and my team's.
    assert_eq!(post(&a, &format!("/api/v1/workflow/tasks/{t1}/claim"), &json!({})).await.0, 200);
    assert_eq!(list(&a, "?view=mine").await.1, vec![t1.clone()]);
    assert_eq!(list(&b, "?view=mine").await.0, 0);
    assert_eq!(list(&b, "?view=team").await.1, vec![t1.clone()]);
    assert_eq!(list(&a, "?view=team").await.0, 0, "not my own");
    assert_eq!(list(&b, "?view=unassigned").await.0, 26);

    // Due soon (within 48 hours) and overdue (an hour ago: as if time had passed).
    assert_eq!(list(&a, "?view=due_soon").await.0, 5);
    assert_eq!(list(&a, "?view=overdue").await.0, 0);
    sqlx::query("UPDATE workflow_tasks SET due_at = $1 WHERE id = $2")
        .bind(kernel::now_ms() - 3_600_000)
        .bind(&casework[1])
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(list(&a, "?view=overdue").await.1, vec![casework[1].clone()]);
    assert_eq!(list(&a, "?view=due_soon").await.0, 4);

    // Bad parameters: every one named, in both languages.
    let res = a.get("/api/v1/workflow/tasks?view=everything&sort=name&page=0").await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["view", "sort", "page"]);
    assert!(body["errors"][0]["message"]["zh-Hant-HK"].is_string());
    app.shutdown().await;
}

#[tokio::test]
async fn a_team_lead_reassigns_in_bulk_all_or_nothing() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&admin, "three_steps.bpmn").await;
    deploy(&admin, "four_eyes.bpmn").await;
    let (lead, _) = person(&app, &[Role::TeamLead]).await;
    let (x, x_email) = person(&app, &[Role::Inspector]).await;
    let (y, _) = person(&app, &[Role::Inspector]).await;
    let t1 = open_task(&start(&y, "three_steps", json!({})).await);
    let t2 = open_task(&start(&y, "three_steps", json!({})).await);
    assert_eq!(post(&y, &format!("/api/v1/workflow/tasks/{t2}/claim"), &json!({})).await.0, 200);
    // x prepared this document, so x may not approve it.
    let doc = start(&x, "document_review", json!({})).await;
    let prepare = open_task(&doc);
    assert_eq!(post(&x, &format!("/api/v1/workflow/tasks/{prepare}/claim"), &json!({})).await.0, 200);
    let (_, done) =
        post(&x, &format!("/api/v1/workflow/tasks/{prepare}/complete"), &json!({"variables": {"complete": true}}))
            .await;
    let t3 = open_task(&done);

    let req = json!({"tasks": [t1, t2, t3, "no-such-task"], "to": x_email});
    let (s, body) = post(&lead, "/api/v1/workflow/tasks/reassign", &req).await;
    assert_eq!(s, 422, "{body}");
    let errs: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().into(), e["code"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        errs,
        [
            (format!("tasks.{t3}"), "reassign_assignee_four_eyes".to_string()),
            ("tasks.no-such-task".to_string(), "reassign_task_not_found".to_string())
        ]
    );
    assert!(body["errors"][0]["message"]["en"].as_str().unwrap().starts_with("Approve"), "{body}");
    // Nothing moved.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_events WHERE lifecycle = 'reassign'").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_tasks WHERE status = 'claimed'").await, 1);

    // Only team leads and administrators may reassign.
    let (s, _) = post(&y, "/api/v1/workflow/tasks/reassign", &json!({"tasks": [t1], "to": x_email})).await;
    assert_eq!(s, 403);
    let (s, body) = post(&lead, "/api/v1/workflow/tasks/reassign", &json!({"tasks": [], "to": x_email})).await;
    assert_eq!((s, body["code"].as_str()), (422, Some("reassign_none_selected")));

    let (s, moved) = post(&lead, "/api/v1/workflow/tasks/reassign", &json!({"tasks": [t1, t2], "to": x_email})).await;
    assert_eq!(s, 200, "{moved}");
    let x_id = staff_id(&app, &x_email).await;
    for t in moved.as_array().unwrap() {
        assert_eq!((t["status"].as_str(), t["assignee"].as_str()), (Some("claimed"), Some(x_id.as_str())));
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_events WHERE lifecycle = 'reassign'").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.task.reassign'").await, 2);
    // x now holds both and can complete the one y had claimed.
    let (s, _) = post(&x, &format!("/api/v1/workflow/tasks/{t2}/complete"), &json!({})).await;
    assert_eq!(s, 200);
    let (s, body) = post(&y, &format!("/api/v1/workflow/tasks/{t1}/complete"), &json!({})).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("task_not_yours")));
    app.shutdown().await;
}

#[tokio::test]
async fn task_pages_claim_comment_attach_complete_and_refusals() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    deploy(&admin, "casework.bpmn").await;
    let (a, _) = person(&app, &[Role::Inspector]).await;
    let (b, _) = person(&app, &[Role::Inspector]).await;
    let (lead, _) = person(&app, &[Role::TeamLead]).await;
    let task = open_task(&start(&a, "casework", json!({"ref": "CASE-PAGE"})).await);

    // The staff home has the worklist card; the worklist shows the task.
    let home = a.get("/staff").await.text().await.unwrap();
    assert!(home.contains("/staff/workflow/tasks"), "home card");
    let list = a.get("/staff/workflow/tasks?view=unassigned").await.text().await.unwrap();
    assert!(list.contains(&format!("/staff/workflow/tasks/{task}")) && list.contains("Review case"));
    assert!(!list.contains("name=\"task\""), "no reassignment for an inspector");
    let list = lead.get("/staff/workflow/tasks?view=overdue").await;
    assert_eq!(list.status(), 200);
    let bad = a.get("/staff/workflow/tasks?view=everything").await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("error-summary"));

    // Claim; a second claim gets a clear message on the page.
    let page = format!("/staff/workflow/tasks/{task}");
    let res = a.post_form(&format!("{page}/claim"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{page}?done=claimed"));
    let res = b.post_form(&format!("{page}/claim"), &[]).await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("Someone else has already claimed this task"), "{html}");
    // In Chinese too.
    assert_eq!(b.get("/lang/zh-Hant-HK?back=/staff").await.status().as_u16() / 100, 3);
    let html = b.post_form(&format!("{page}/claim"), &[]).await.text().await.unwrap();
    assert!(html.contains("另一位同事已認領這項任務"), "{html}");
    assert!(html.contains("審閱個案"), "the task's Chinese name");

    // Comment (blank refused), attach through the page's multipart form, complete with form data.
    let res = a.post_form(&format!("{page}/comments"), &[("comment", " ")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Write a comment"));
    let res = a.post_form(&format!("{page}/comments"), &[("comment", "Called the applicant.")]).await;
    assert_eq!(res.status(), 303);
    let res = upload(&a, &format!("{page}/attachments"), "note.txt", b"Spoke to the owner.", true).await;
    assert_eq!(res.status(), 303);
    let res = upload(&a, &format!("{page}/attachments"), "tool.pdf", b"MZ\x90\x00", true).await;
    assert_eq!(res.status(), 422);
    let shown = a.get(&format!("{page}?done=attached")).await.text().await.unwrap();
    assert!(shown.contains("Called the applicant.") && shown.contains("note.txt") && shown.contains("File attached."));
    let token = csrf_of(&shown).unwrap();
    assert!(!token.is_empty());
    let res = a.post_form(&format!("{page}/complete"), &[("key1", "bad key"), ("value1", "x")]).await;
    assert_eq!(res.status(), 422);
    let res = a
        .post_form(
            &format!("{page}/complete"),
            &[("key1", "outcome"), ("value1", "closed"), ("key2", "visits"), ("value2", "2")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let vars: String =
        sqlx::query_scalar("SELECT variables FROM workflow_instances").fetch_one(app.state.db.pool()).await.unwrap();
    let vars: Value = serde_json::from_str(&vars).unwrap();
    assert_eq!((vars["outcome"].as_str(), vars["visits"].as_i64()), (Some("closed"), Some(2)));
    // A finished task: no claim button, and the person without a role is refused.
    let (clerk, _) = person(&app, &[Role::ClinicStaff]).await;
    assert_eq!(clerk.get(&page).await.status(), 403);
    app.shutdown().await;
}
