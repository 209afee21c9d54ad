//! `phos regulatory plan` (issue 13 item 7): the command-line contract on a hand-computed
//! instance, the plan checked by the independent checker scripts/check-plan.py, and bad input
//! (exit 2, a message on stderr, nothing on stdout). Never touches a database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn phos() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PHOS_") {
            c.env_remove(k);
        }
    }
    // A database URL that cannot work: plan must never touch it.
    c.env("PHOS_DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none");
    c
}

fn temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("phos-plan-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn plan(problem: &Path, extra: &[&str]) -> Output {
    phos().args(["regulatory", "plan", "--seconds", "2", "--input"]).arg(problem).args(extra).output().unwrap()
}

/// Latitude of the point `km` road kilometres north of the equator on meridian 0 (12.5 km is
/// 30 minutes at 25 km/h).
fn north(km: f64) -> f64 {
    (km / (6371.0 * 1.35)).to_degrees()
}

/// Two inspectors, four visits on the meridian north and south of the depot at (0, 0):
/// - "wait": 12.5 km north (30 min), window 10:00–11:00, 45 min;
/// - "far": 20 km south (48 min), priority 1, only A has "clinic";
/// - "nobody": skill "devices" that nobody has;
/// - "late": window 09:00–09:10 but 12.5 km away: cannot be reached in time.
fn problem() -> serde_json::Value {
    serde_json::json!({
        "date": "2026-12-08",
        "depot": {"lat": 0.0, "lon": 0.0},
        "inspectors": [
            {"id": "A", "skills": ["clinic"], "start": "09:00", "end": "17:30"},
            {"id": "B", "skills": ["pharmacy"], "start": "09:00", "end": "17:30", "team": "east"}
        ],
        "visits": [
            {"id": "wait", "lat": north(12.5), "lon": 0.0, "duration_min": 45, "skill": "pharmacy", "window": ["10:00", "11:00"], "priority": 2},
            {"id": "far", "lat": north(-20.0), "lon": 0.0, "duration_min": 30, "skill": "clinic", "window": ["09:00", "12:00"], "priority": 1},
            {"id": "nobody", "lat": north(1.0), "lon": 0.0, "duration_min": 30, "skill": "devices", "window": ["09:00", "17:00"], "priority": 1},
            {"id": "late", "lat": north(-12.5), "lon": 0.0, "duration_min": 30, "skill": "pharmacy", "window": ["09:00", "09:10"], "priority": 1}
        ]
    })
}

#[test]
fn plan_prints_the_contract_json() {
    let input = temp("problem.json", &problem().to_string());
    let out = plan(&input, &[]);
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    // By hand: A leaves 09:00, 48 min to "far" (09:48), 30 min there (10:18), back: 40 km.
    // B arrives at "wait" 09:30, waits until 10:00, leaves 10:45, back: 25 km.
    assert_eq!(
        got,
        serde_json::json!({
            "routes": [
                {"inspector": "A", "stops": [{"visit": "far", "arrive": "09:48", "depart": "10:18"}], "distance_km": 40.0},
                {"inspector": "B", "stops": [{"visit": "wait", "arrive": "09:30", "depart": "10:45"}], "distance_km": 25.0}
            ],
            "unassigned": ["nobody", "late"],
            "reasons": {"nobody": "no_skill", "late": "window_unreachable"},
            "total_distance_km": 65.0
        })
    );
    // --stats adds the greedy plan and the lower bound (one route each: 2 x the distance out).
    let out = plan(&input, &["--stats"]);
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["stats"]["greedy_distance_km"], 65.0);
    assert_eq!(got["stats"]["served_by_priority"], serde_json::json!({"1": 1, "2": 1}));
    assert!(got["stats"]["lower_bound_km"].as_f64().unwrap() <= 65.0);
    let _ = std::fs::remove_dir_all(input.parent().unwrap());
}

/// The repository's scripts/check-plan.py on a plan PHOS made of a random instance.
#[test]
fn plans_pass_the_independent_checker() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let generated = Command::new("python3")
        .arg(root.join("scripts/regulatory-planning-bench.py"))
        .args(["generate", "--inspectors", "6", "--per", "12", "--seed", "5"])
        .output()
        .expect("python3");
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let input = temp("problem.json", std::str::from_utf8(&generated.stdout).unwrap());
    let out = plan(&input, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plan_path = input.with_file_name("plan.json");
    std::fs::write(&plan_path, &out.stdout).unwrap();
    let check =
        Command::new("python3").arg(root.join("scripts/check-plan.py")).arg(&input).arg(&plan_path).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("checker prints JSON");
    assert_eq!(report["ok"], true, "{report}");
    assert!(check.status.success());
    // The checker can fail: a stop moved to the wrong inspector's skills or a shifted time.
    let mut bad: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stops =
        bad["routes"].as_array_mut().unwrap().iter_mut().find(|r| !r["stops"].as_array().unwrap().is_empty()).unwrap();
    stops["stops"][0]["depart"] = "23:59".into();
    std::fs::write(&plan_path, bad.to_string()).unwrap();
    let check =
        Command::new("python3").arg(root.join("scripts/check-plan.py")).arg(&input).arg(&plan_path).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(report["errors"][0].as_str().unwrap().contains("departs 23:59"), "{report}");
    let _ = std::fs::remove_dir_all(input.parent().unwrap());
}

#[test]
fn bad_input_exits_2_with_a_message_and_nothing_on_stdout() {
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut p = problem();
        f(&mut p);
        temp("problem.json", &p.to_string())
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (PathBuf::from("/nonexistent/problem.json"), "cannot read /nonexistent/problem.json"),
        (temp("broken.json", "{\"date\": \"2026-12-08\", "), "invalid JSON"),
        (with(&|p| p["visits"][0]["window"][1] = "25:00".into()), "window[1] \"25:00\" is not a time HH:MM"),
        (
            with(&|p| p["visits"][1]["window"] = serde_json::json!(["12:00", "09:00"])),
            "window end 09:00 is before its start 12:00",
        ),
        (
            with(&|p| p["inspectors"][0]["end"] = "08:00".into()),
            "inspectors[0] (\"A\"): end 08:00 is before start 09:00",
        ),
        (with(&|p| p["date"] = "08/12/2026".into()), "is not a date YYYY-MM-DD"),
        (with(&|p| p["visits"][2]["id"] = "wait".into()), "the same id appears twice"),
        (with(&|p| p["visits"][0]["lat"] = 123.0.into()), "is not a latitude and longitude"),
        (with(&|p| p.as_object_mut().unwrap().remove("inspectors").map(|_| ()).unwrap()), "missing field `inspectors`"),
    ];
    for (input, message) in cases {
        let out = plan(&input, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{message}: {err}");
        assert!(out.stdout.is_empty(), "{message}");
        assert!(err.contains(message), "expected {message:?} in {err}");
    }
    let input = temp("problem.json", &problem().to_string());
    let out = phos().args(["regulatory", "plan", "--seconds", "0", "--input"]).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty() && String::from_utf8_lossy(&out.stderr).contains("--seconds"));
}
