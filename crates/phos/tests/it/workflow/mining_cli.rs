//! `phos workflow dfg | performance | export` on hand-built fixtures: the JSON contract, bad
//! input (exit 2, nothing on stdout) and the export round trip (engine log → XES → dfg).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::harness::TestDb;

fn phos() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PHOS_") {
            c.env_remove(k);
        }
    }
    // A database URL that cannot work: dfg and performance must never touch it.
    c.env("PHOS_DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none");
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflow/tests/fixtures").join(name)
}

fn json_ok(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "exit {:?}, stderr: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("contract.dfg.json")).unwrap()).unwrap()
}

#[test]
fn dfg_prints_the_contract_json_for_xes_and_csv() {
    let out = phos().args(["workflow", "dfg", "--input"]).arg(fixture("contract.xes")).output().unwrap();
    assert_eq!(json_ok(&out), expected());
    let out = phos().args(["workflow", "dfg", "--input"]).arg(fixture("contract.csv")).output().unwrap();
    assert_eq!(json_ok(&out), expected());
    // --svg draws the graph too; standard output is the same JSON.
    let svg = std::env::temp_dir().join(format!("phos-wf-{}.svg", uuid::Uuid::now_v7().simple()));
    let out = phos()
        .args(["workflow", "dfg", "--svg"])
        .arg(&svg)
        .arg("--input")
        .arg(fixture("contract.xes"))
        .output()
        .unwrap();
    assert_eq!(json_ok(&out), expected());
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.starts_with("<svg") && drawn.contains("Review &amp; Check") && drawn.contains("審批"));
    let _ = std::fs::remove_file(&svg);
    // The format can be named when the extension does not tell.
    let dir = std::env::temp_dir().join(format!("phos-wf-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let renamed = dir.join("log.txt");
    std::fs::copy(fixture("contract.csv"), &renamed).unwrap();
    let out = phos().args(["workflow", "dfg", "--format", "csv", "--input"]).arg(&renamed).output().unwrap();
    assert_eq!(json_ok(&out), expected());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_logs_exit_2_with_a_clear_message_and_nothing_on_stdout() {
    let out = phos().args(["workflow", "dfg", "--input"]).arg(fixture("missing_timestamp.xes")).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("trace 2 (\"application 42\"), event 2 (\"Approve\")") && err.contains("time:timestamp"),
        "{err}"
    );
    let out = phos().args(["workflow", "dfg", "--input", "/nonexistent/log.xes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/log.xes"));
}

#[test]
fn performance_prints_throughput_and_bottlenecks() {
    let out = phos().args(["workflow", "performance", "--input"]).arg(fixture("contract.xes")).output().unwrap();
    let v = json_ok(&out);
    assert_eq!(v["throughput"]["cases"], 4);
    // case-1: 01:00 → 03:00 (2 h); case-1 again: 00:30 → 01:00; case-3: 0; case-6: 1 h.
    assert_eq!(v["throughput"]["max_s"], 7200.0);
    let rows = v["bottlenecks"].as_array().unwrap();
    let review = rows.iter().find(|r| r["activity"] == "Review & Check").unwrap();
    assert_eq!(review["role"], "officer");
    assert_eq!(review["median_wait_s"], 5400.0, "01:00 → 02:30");
    assert_eq!(review["median_service_s"], 900.0, "02:30 → 02:45");
}

#[tokio::test]
async fn exported_xes_reads_back_as_the_same_graph_and_ocel_is_complete() {
    use ::workflow::mining::store::{LogRow, append};
    let tdb = TestDb::new().await;
    let db = tdb.migrated().await;
    let base = chrono::DateTime::parse_from_rfc3339("2026-02-16T09:00:00+08:00").unwrap().timestamp_millis();
    let mut tx = db.begin().await.unwrap();
    let cases: [&[&str]; 3] =
        [&["收件", "Review & Check", "審批"], &["收件", "審批"], &["收件", "Review & Check", "審批"]];
    for (i, acts) in cases.iter().enumerate() {
        // Written out of time order on purpose: the export orders by time.
        for (j, a) in acts.iter().enumerate().rev() {
            append(
                &mut tx,
                &LogRow {
                    id: kernel::new_id(),
                    instance_id: format!("inst-{i}"),
                    definition_key: "complaint".into(),
                    definition_version: 1,
                    node_id: format!("n{j}"),
                    activity: (*a).into(),
                    lifecycle: "complete".into(),
                    actor: Some("staff-1".into()),
                    role: Some("officer".into()),
                    at: base + (i as i64) * 86_400_000 + (j as i64) * 3_600_000,
                    data: "{}".into(),
                },
            )
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    let xes = tdb.dir.join("log.xes");
    let out = phos()
        .env("PHOS_DATABASE_URL", &tdb.url)
        .args(["workflow", "export", "--format", "xes", "--out"])
        .arg(&xes)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 cases, 8 events"));
    let out = phos().args(["workflow", "dfg", "--input"]).arg(&xes).output().unwrap();
    let v = json_ok(&out);
    assert_eq!(
        v,
        serde_json::json!({
            "activities": {"Review & Check": 2, "收件": 3, "審批": 3},
            "edges": [
                {"from": "Review & Check", "to": "審批", "count": 2},
                {"from": "收件", "to": "Review & Check", "count": 2},
                {"from": "收件", "to": "審批", "count": 1}
            ],
            "start": {"收件": 3},
            "end": {"審批": 3},
            "variants": [
                {"activities": ["收件", "Review & Check", "審批"], "count": 2},
                {"activities": ["收件", "審批"], "count": 1}
            ]
        })
    );
    let ocel = tdb.dir.join("log.json");
    let out = phos()
        .env("PHOS_DATABASE_URL", &tdb.url)
        .args(["workflow", "export", "--format", "ocel2", "--out"])
        .arg(&ocel)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&ocel).unwrap()).unwrap();
    assert_eq!(v["events"].as_array().unwrap().len(), 8);
    assert_eq!(v["objects"].as_array().unwrap().len(), 4, "three instances and one member of staff");
    assert_eq!(v["eventTypes"].as_array().unwrap().len(), 3);
    assert_eq!(v["objectTypes"][0]["name"], "complaint");
    // Both exports are audited.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.log.export'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn simulate_prints_one_report_per_scenario() {
    let out = phos()
        .args([
            "workflow",
            "simulate",
            "--scenario",
            "officer=1",
            "--scenario",
            "officer=3,clerk=2",
            "--cases",
            "50",
            "--sla-hours",
            "1",
            "--input",
        ])
        .arg(fixture("contract.xes"))
        .output()
        .unwrap();
    let v = json_ok(&out);
    let reports = v.as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["scenario"], "officer=1");
    assert_eq!(reports[1]["cases"], 50);
    assert!(reports[1]["utilisation"]["clerk"].is_number());
    let again = json_ok(
        &phos()
            .args([
                "workflow",
                "simulate",
                "--scenario",
                "officer=1",
                "--scenario",
                "officer=3,clerk=2",
                "--cases",
                "50",
                "--sla-hours",
                "1",
                "--input",
            ])
            .arg(fixture("contract.xes"))
            .output()
            .unwrap(),
    );
    assert_eq!(v, again, "deterministic by seed");
    let out = phos()
        .args(["workflow", "simulate", "--scenario", "officer=many", "--input"])
        .arg(fixture("contract.xes"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a whole number"));
}
