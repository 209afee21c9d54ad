//! Conformance checking: `phos workflow conformance` on a hand-built log (figures as PM4Py's
//! token-based replay gives them for the same files), and the API over the engine's own log.

use std::path::{Path, PathBuf};
use std::process::Command;

use kernel::identity::Role;
use serde_json::{Value, json};

use super::engine::{deploy, get, post};
use crate::harness::spawn_app;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflow/tests/fixtures").join(name)
}

fn phos() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PHOS_") {
            c.env_remove(k);
        }
    }
    // A database URL that cannot work: conformance over files never touches it.
    c.env("PHOS_DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none");
    c
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-9
}

#[test]
fn conformance_of_a_log_file_matches_pm4py() {
    let out = phos()
        .args(["workflow", "conformance", "--definition"])
        .arg(fixture("conformance.bpmn"))
        .arg("--input")
        .arg(fixture("conformance.xes"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // PM4Py 2.7 (pm4py.conformance_diagnostics_token_based_replay and
    // fitness_token_based_replay on the same two files, complete events only): trace fitness
    // 1.0, 0.6667, 0.75, 0.8; log fitness 0.8125; average 0.8041667; 25 % fitting.
    let s = &r["summary"];
    assert!(close(&s["log_fitness"], 0.8125), "{s}");
    assert!(close(&s["average_trace_fitness"], (1.0 + 2.0 / 3.0 + 0.75 + 0.8) / 4.0), "{s}");
    assert_eq!((s["traces"].as_u64(), s["fitting_traces"].as_u64()), (Some(4), Some(1)));
    let cases = r["cases"].as_array().unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c["case"].as_str().unwrap()).collect();
    assert_eq!(names, ["fits", "skips B", "B first", "B twice"]);
    for (c, f) in cases.iter().zip([1.0, 2.0 / 3.0, 0.75, 0.8]) {
        assert!(close(&c["fitness"], f), "{c}");
        assert_eq!(c["events"], 3 + u64::from(c["case"] == "B twice") - u64::from(c["case"] == "skips B"));
    }
    let dev = |i: usize| -> Vec<(String, String)> {
        cases[i]["deviations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["kind"].as_str().unwrap().into(), d["activity"].as_str().unwrap().into()))
            .collect()
    };
    assert!(dev(0).is_empty());
    assert_eq!(dev(1), [("skipped".to_string(), "B".to_string())]);
    assert_eq!(dev(2), [("out_of_order".to_string(), "B".to_string())]);
    assert_eq!(dev(3), [("repeated".to_string(), "B".to_string())]);
    assert_eq!(s["deviations"]["skipped"]["B"], 1);

    // A definition that cannot be read: exit 2, the reason, nothing on standard output.
    let out = phos()
        .args(["workflow", "conformance", "--definition"])
        .arg(fixture("conformance.xes"))
        .arg("--input")
        .arg(fixture("conformance.xes"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("definition_invalid"));
}

#[tokio::test]
async fn conformance_of_the_engine_log_per_definition() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    let d = deploy(&app, &admin, "three_steps.bpmn").await;
    let def = d["id"].as_str().unwrap();
    let officer = app.staff_browser(&[Role::Inspector]).await;
    // One instance completed, one still waiting at the review.
    let (_, done) = post(&officer, "/api/v1/workflow/instances", &json!({"definition": "three_steps"})).await;
    let task = done["tasks"][0]["id"].as_str().unwrap();
    assert_eq!(post(&officer, &format!("/api/v1/workflow/tasks/{task}/claim"), &json!({})).await.0, 200);
    assert_eq!(post(&officer, &format!("/api/v1/workflow/tasks/{task}/complete"), &json!({})).await.0, 200);
    let (_, waiting) = post(&officer, "/api/v1/workflow/instances", &json!({"definition": "three_steps"})).await;

    let r = get(&officer, &format!("/api/v1/workflow/definitions/{def}/conformance")).await;
    assert_eq!((r["definition"].as_str(), r["version"].as_i64()), (Some("three_steps"), Some(1)));
    let cases = r["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    let case = |id: &Value| cases.iter().find(|c| c["case"] == *id).unwrap();
    let c = case(&done["id"]);
    assert_eq!((c["fits"].as_bool(), c["events"].as_u64()), (Some(true), Some(4)), "{c}");
    assert!(close(&c["fitness"], 1.0));
    let w = case(&waiting["id"]);
    assert_eq!(w["fits"], false);
    assert_eq!(w["deviations"], json!([{"kind": "skipped", "activity": "Review", "position": null}]));
    assert_eq!(r["summary"]["fitting_traces"], 1);
    let res = officer.get("/api/v1/workflow/definitions/nope/conformance").await;
    assert_eq!(res.status(), 404);
    app.shutdown().await;
}
