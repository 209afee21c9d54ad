//! `phos workflow migrate --from V --to W [--dry-run]` and `POST /api/v1/workflow/migrations`:
//! instances move when every node where they wait exists in the target; a stranded instance
//! stops the whole migration (exit 2, nothing written); a dry run writes nothing.

use std::process::{Command, Output};

use kernel::audit::{Actor, Origin};
use kernel::identity::Role;
use serde_json::{Value, json};
use workflow::instances::service as inst;
use workflow::tasks::service::{self as tasks, Worker};

use super::engine::post;
use crate::harness::{TestDb, spawn_app};

fn phos(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PHOS_") {
            c.env_remove(k);
        }
    }
    c.env("PHOS_DATABASE_URL", url);
    c
}

/// A two-step review (v1) and its next version without the approval step (v2).
fn review(with_approval: bool) -> String {
    let (approve, flows) = if with_approval {
        (
            "<bpmn:userTask id='approve' name='Approve' phos:candidateRoles='inspector'/>",
            "<bpmn:sequenceFlow id='f2' sourceRef='review' targetRef='approve'/>\
             <bpmn:sequenceFlow id='f3' sourceRef='approve' targetRef='end'/>",
        )
    } else {
        ("", "<bpmn:sequenceFlow id='f2' sourceRef='review' targetRef='end'/>")
    };
    format!(
        "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL' xmlns:phos='urn:phos:bpmn:1'>\
         <bpmn:process id='review' isExecutable='true'><bpmn:startEvent id='start'/>\
         <bpmn:userTask id='review' name='Review' phos:candidateRoles='inspector'/>{approve}<bpmn:endEvent id='end'/>\
         <bpmn:sequenceFlow id='f1' sourceRef='start' targetRef='review'/>{flows}</bpmn:process></bpmn:definitions>"
    )
}

fn origin() -> Origin {
    Origin { request_id: "test".into(), ip: "-".into() }
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!("stdout is JSON: {} / {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

async fn definition_of(db: &kernel::Db, id: &str) -> i64 {
    inst::view(db, id).await.unwrap().version
}

#[tokio::test]
async fn migrate_moves_instances_refuses_to_strand_and_dry_runs() {
    let tdb = TestDb::new().await;
    let db = tdb.migrated().await;
    let admin = Actor::System;
    let v1 = workflow::definitions::service::deploy(&db, &review(true), &admin, &origin()).await.unwrap();
    // Instance a waits at review; b has moved on to approve.
    let a = inst::start(&db, "review", json!({}), &admin, &origin()).await.unwrap();
    let b = inst::start(&db, "review", json!({}), &admin, &origin()).await.unwrap();
    let w = Worker { id: "officer-1", roles: &["inspector"] };
    let task = &b.tasks[0].id;
    tasks::claim(&db, task, &w, &origin()).await.unwrap();
    let b = tasks::complete(&db, task, json!({}), &w, &origin()).await.unwrap();
    assert_eq!(b.waiting, ["approve"]);
    let v2 = workflow::definitions::service::deploy(&db, &review(false), &admin, &origin()).await.unwrap();
    assert_eq!(v2.version, 2);
    let events = |db: &kernel::Db| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM workflow_events WHERE node_id = 'phos:migration'")
                .fetch_one(db.pool())
                .await
                .unwrap()
        }
    };

    // b would be stranded (approve is gone): exit 2, the report names it, nothing moves.
    for dry in [true, false] {
        let mut c = phos(&tdb.url);
        c.args(["workflow", "migrate", "--from", "review:1", "--to", "review:2"]);
        if dry {
            c.arg("--dry-run");
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        let r = report(&out);
        assert_eq!(r["written"], false);
        assert_eq!(r["instances"], json!([a.id]));
        assert_eq!(r["stranded"], json!([{"instance": b.id, "nodes": [{"node": "approve", "reason": "missing"}]}]));
        assert!(String::from_utf8_lossy(&out.stderr).contains("migration_stranded"));
    }
    assert_eq!((definition_of(&db, &a.id).await, definition_of(&db, &b.id).await), (1, 1));
    assert_eq!(events(&db).await, 0);

    // Once b is cancelled: a dry run reports a and writes nothing; the real run moves a.
    inst::cancel(&db, &b.id, "duplicate", &admin, &origin()).await.unwrap();
    let out = phos(&tdb.url)
        .args(["workflow", "migrate", "--from", "review:1", "--to", &v2.id, "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = report(&out);
    assert_eq!((r["dry_run"].as_bool(), r["written"].as_bool()), (Some(true), Some(false)));
    assert_eq!(r["instances"], json!([a.id]));
    assert_eq!(definition_of(&db, &a.id).await, 1);
    let out = phos(&tdb.url).args(["workflow", "migrate", "--from", &v1.id, "--to", "review:2"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = report(&out);
    assert_eq!(r["written"], true);
    assert_eq!((r["from"]["version"].as_i64(), r["to"]["version"].as_i64()), (Some(1), Some(2)));
    assert_eq!(r["stranded"], json!([]));
    assert_eq!(definition_of(&db, &a.id).await, 2);
    assert_eq!(definition_of(&db, &b.id).await, 1, "a cancelled instance stays");
    assert_eq!(events(&db).await, 1);
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.instance.migrate'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(audited, 1);
    // a runs on in version 2: completing review ends it (no approval step there).
    let task = &a.tasks[0].id;
    tasks::claim(&db, task, &w, &origin()).await.unwrap();
    let done = tasks::complete(&db, task, json!({}), &w, &origin()).await.unwrap();
    assert_eq!((done.status.as_str(), done.version), ("completed", 2));

    // Bad versions: a clear message and exit 2.
    for (from, to, code) in [
        ("nope:1", "review:2", "migration_not_found"),
        ("review:x", "review:2", "migration_bad_version"),
        ("review:2", "review:2", "migration_same_version"),
    ] {
        let out = phos(&tdb.url).args(["workflow", "migrate", "--from", from, "--to", to]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{from} {to}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(code), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test]
async fn the_migration_api_is_for_administrators_and_lists_stranded_instances() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    for with in [true, false] {
        let (status, body) = post(&admin, "/api/v1/workflow/deployments", &json!({ "bpmn": review(with) })).await;
        assert_eq!(status, 201, "{body}");
    }
    let officer = app.staff_browser(&[Role::Inspector]).await;
    // Version 2 is the latest: start one on version 1 directly.
    let (_, started) = post(&officer, "/api/v1/workflow/instances", &json!({"definition": "review"})).await;
    assert_eq!(started["version"], 2);
    let (status, _) =
        post(&officer, "/api/v1/workflow/migrations", &json!({"from": "review:2", "to": "review:1"})).await;
    assert_eq!(status, 403);
    let (status, r) =
        post(&admin, "/api/v1/workflow/migrations", &json!({"from": "review:2", "to": "review:1", "dry_run": true}))
            .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!((r["instances"].as_array().unwrap().len(), r["written"].as_bool()), (1, Some(false)));
    // Moving it back to version 1 works (review exists there), and then a version with neither.
    let (status, r) = post(&admin, "/api/v1/workflow/migrations", &json!({"from": "review:2", "to": "review:1"})).await;
    assert_eq!((status, r["written"].as_bool()), (200, Some(true)), "{r}");
    let other = review(false).replace("id='review' name='Review'", "id='check' name='Check'").replace(
        "targetRef='review'/><bpmn:sequenceFlow id='f2' sourceRef='review'",
        "targetRef='check'/><bpmn:sequenceFlow id='f2' sourceRef='check'",
    );
    let (status, body) = post(&admin, "/api/v1/workflow/deployments", &json!({ "bpmn": other })).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) =
        post(&admin, "/api/v1/workflow/migrations", &json!({"from": "review:1", "to": "review:3"})).await;
    assert_eq!(status, 422, "{body}");
    let e = &body["errors"][0];
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("migration_stranded"), started["id"].as_str()));
    assert!(e["message"]["en"].as_str().unwrap().contains("review"), "{e}");
    assert!(e["message"]["zh-Hant-HK"].as_str().unwrap().contains("review"), "{e}");
    let (status, body) =
        post(&admin, "/api/v1/workflow/migrations", &json!({"from": "review", "to": "review:1"})).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("migration_not_found")), "{body}");
    app.shutdown().await;
}
