//! `phos evaluate` and `phos synth series`: the table's shape and plausible numbers on small
//! runs, determinism by seed, the CSV files and their agreement with each other, bad input.
//! No database is involved.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Output};

fn phos() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PHOS_") {
            c.env_remove(k);
        }
    }
    // A database URL that cannot work: these commands must never touch it.
    c.env("PHOS_DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none");
    c
}

fn run(args: &[&str]) -> Output {
    phos().args(args).output().unwrap()
}

fn stdout_ok(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}, stderr: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// One row of the main table.
#[derive(Debug)]
struct Row {
    sensitivity: f64,
    false_alarms: f64,
    specificity: f64,
    weekly_sensitivity: f64,
    median_delay: Option<f64>,
    alarms: usize,
}

fn number(cell: &str) -> Option<f64> {
    (cell != "–").then(|| cell.replace(',', "").parse().unwrap_or_else(|_| panic!("not a number: {cell:?}")))
}

const HEADER: &str = "| method | sensitivity | false alarms / series-year | specificity | weekly sensitivity | median weeks to detection | PPV | alarms | CPU (s) |";

/// The main table by method label; every row checked for its shape and ranges.
fn table(text: &str) -> HashMap<String, Row> {
    let mut lines = text.lines().skip_while(|l| *l != HEADER);
    assert_eq!(lines.next(), Some(HEADER), "{text}");
    assert!(lines.next().unwrap().starts_with("| --- |"));
    let mut rows = HashMap::new();
    for line in lines.take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 9, "{line}");
        let row = Row {
            sensitivity: number(cells[1]).unwrap(),
            false_alarms: number(cells[2]).unwrap(),
            specificity: number(cells[3]).unwrap(),
            weekly_sensitivity: number(cells[4]).unwrap(),
            median_delay: number(cells[5]),
            alarms: number(cells[7]).unwrap() as usize,
        };
        assert!((0.0..=1.0).contains(&row.sensitivity), "{line}");
        assert!((0.0..=1.0).contains(&row.specificity), "{line}");
        assert!((0.0..=1.0).contains(&row.weekly_sensitivity), "{line}");
        assert!(row.false_alarms >= 0.0 && row.false_alarms < 52.0, "{line}");
        // Outbreaks last a few weeks: a first alarm is never far from the start.
        assert!(row.median_delay.is_none_or(|d| (0.0..=5.0).contains(&d)), "{line}");
        assert_eq!(row.sensitivity == 0.0, row.median_delay.is_none(), "{line}");
        rows.insert(cells[0].to_string(), row);
    }
    rows
}

/// The table without run times (the CPU column and the timing lines).
fn without_times(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("Generated in") && !l.starts_with("Total run time"))
        .map(|l| if l.starts_with("| ") { l.rsplitn(3, '|').nth(2).unwrap_or(l) } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn evaluate_prints_the_table_for_every_method() {
    // The first three diseases of the catalogue (acute poliomyelitis, amoebic dysentery,
    // anthrax): sparse series, where every sporadic case looks unusual to EARS and CUSUM, and
    // Farrington's limit54 (5 cases in 4 weeks) holds back alarms.
    let text = stdout_ok(&run(&["evaluate", "--seed", "1", "--diseases", "3"]));
    assert!(text.starts_with("## Detection on synthetic series (seed 1)"), "{text}");
    assert!(text.contains("54 series (3 diseases × 18 districts) of 520 weeks"), "{text}");
    assert!(text.contains("weeks 264–520"), "{text}");
    assert!(text.contains("162 outbreaks after the training part"), "{text}");
    assert!(text.contains("### By disease frequency"), "{text}");
    assert!(text.contains("rare (< 1 a week): 3 diseases, 162 outbreaks"), "{text}");
    assert!(text.contains("Total run time"), "{text}");
    let rows = table(&text);
    let labels = [
        "EARS C1",
        "EARS C2",
        "EARS C3",
        "Farrington",
        "Farrington flexible (R defaults)",
        "Farrington flexible (Noufaily)",
        "CUSUM",
    ];
    assert_eq!(rows.len(), labels.len());
    for l in labels {
        assert!(rows.contains_key(l), "{l} missing: {text}");
    }
    let (c1, farrington, cusum) = (&rows["EARS C1"], &rows["Farrington"], &rows["CUSUM"]);
    assert!(c1.false_alarms > farrington.false_alarms, "EARS C1 {c1:?} vs Farrington {farrington:?}");
    assert!(c1.sensitivity > 0.8 && farrington.sensitivity < 0.2, "{c1:?} {farrington:?}");
    assert!(cusum.alarms > c1.alarms && cusum.false_alarms > 1.0, "{cusum:?}");
    // Alarms do happen, and not everywhere.
    assert!(c1.alarms > 0 && c1.specificity > 0.9);
}

#[test]
fn evaluate_on_common_diseases() {
    let text = stdout_ok(&run(&[
        "evaluate",
        "--seed",
        "1",
        "--diseases",
        "tuberculosis,chickenpox",
        "--methods",
        "ears-c1,farrington,noufaily",
        "--threads",
        "2",
    ]));
    assert!(text.contains("36 series (2 diseases × 18 districts)"), "{text}");
    let rows = table(&text);
    assert_eq!(rows.len(), 3);
    // Several cases a week in a district: outbreaks of 2-10 sd are mostly found by the
    // Farrington methods, at a few false alarms a year (alpha = 0.05 a week, overdispersed).
    for l in ["Farrington", "Farrington flexible (Noufaily)"] {
        let r = &rows[l];
        assert!(r.sensitivity > 0.6, "{l}: {r:?}");
        assert!((0.5..6.0).contains(&r.false_alarms), "{l}: {r:?}");
        assert_eq!(r.median_delay, Some(0.0), "{l}: {r:?}");
    }
    // The Noufaily configuration raises fewer false alarms than the original (its reason to be).
    assert!(rows["Farrington flexible (Noufaily)"].false_alarms < rows["Farrington"].false_alarms);
    // With a lag of 4 weeks, nothing is detected less.
    let lagged = table(&stdout_ok(&run(&[
        "evaluate",
        "--seed",
        "1",
        "--diseases",
        "tuberculosis,chickenpox",
        "--methods",
        "ears-c1,farrington,noufaily",
        "--lag",
        "4",
    ])));
    for (l, r) in &rows {
        assert!(lagged[l].sensitivity >= r.sensitivity && lagged[l].false_alarms <= r.false_alarms, "{l}");
    }
}

#[test]
fn evaluate_is_deterministic_by_seed() {
    let args = |seed: &'static str| ["evaluate", "--seed", seed, "--diseases", "6", "--methods", "ears-c2,cusum"];
    let a = without_times(&stdout_ok(&run(&args("5"))));
    let b = without_times(&stdout_ok(&run(&args("5"))));
    let c = without_times(&stdout_ok(&run(&args("6"))));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // One thread gives the same numbers as several.
    let mut one = args("5").to_vec();
    one.extend(["--threads", "1"]);
    assert_eq!(a, without_times(&stdout_ok(&run(&one))));
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("phos-series-{}", uuid::Uuid::now_v7().simple()))
}

#[test]
fn synth_series_writes_counts_and_outbreaks() {
    let dir = temp_dir();
    let out = run(&[
        "synth",
        "series",
        "--seed",
        "3",
        "--years",
        "6",
        "--diseases",
        "measles,scarlet_fever",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let said = stdout_ok(&out);
    assert!(said.contains("36 series") && said.contains("108 outbreaks"), "{said}");
    let counts = std::fs::read_to_string(dir.join("counts.csv")).unwrap();
    let lines: Vec<&str> = counts.lines().collect();
    assert_eq!(lines[0], "week_start,disease,district,count");
    assert_eq!(lines.len(), 1 + 2 * 18 * 312);
    assert_eq!(lines[1].rsplit_once(',').unwrap().0, "2016-01-04,measles,CW");
    let mut by_cell: HashMap<(String, String, String), u64> = HashMap::new();
    for l in &lines[1..] {
        let f: Vec<&str> = l.split(',').collect();
        by_cell.insert((f[0].into(), f[1].into(), f[2].into()), f[3].parse().unwrap());
    }
    // Scarlet fever: about 30 a week territory-wide.
    let scarlet: u64 = by_cell.iter().filter(|(k, _)| k.1 == "scarlet_fever").map(|(_, v)| v).sum();
    let per_week = scarlet as f64 / 312.0;
    assert!((20.0..45.0).contains(&per_week), "scarlet fever {per_week} a week");
    let outbreaks = std::fs::read_to_string(dir.join("outbreaks.csv")).unwrap();
    let rows: Vec<&str> = outbreaks.lines().collect();
    assert_eq!(
        rows[0],
        "id,disease,district,start_week,end_week,weeks,cases,size_sd,baseline_sd,training,cases_by_week"
    );
    assert_eq!(rows.len(), 1 + 2 * 18 * 3);
    for r in &rows[1..] {
        let f: Vec<&str> = r.split(',').collect();
        assert_eq!(f[9], "false");
        // Starts after the training part (5 years and 3 weeks from 2016-01-04: 2021-01-11).
        assert!(f[3] >= "2021-01-11", "{r}");
        let by_week: Vec<u64> = f[10].split(';').map(|c| c.parse().unwrap()).collect();
        assert_eq!(by_week.len().to_string(), f[5]);
        assert_eq!(by_week.iter().sum::<u64>().to_string(), f[6]);
        let start = chrono::NaiveDate::parse_from_str(f[3], "%Y-%m-%d").unwrap();
        for (i, c) in by_week.iter().enumerate() {
            let week = (start + chrono::Duration::days(7 * i as i64)).to_string();
            let count = by_cell[&(week, f[1].to_string(), f[2].to_string())];
            assert!(count >= *c, "{r}: week {i} has {count} cases, fewer than the outbreak's {c}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_refused() {
    let refused = |args: &[&str], needle: &str| {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert!(err.contains(needle), "{args:?}: stderr should mention {needle:?}: {err}");
    };
    refused(&["evaluate", "--methods", "c1", "--diseases", "1"], "unknown method");
    refused(&["evaluate", "--diseases", "flu"], "unknown disease");
    refused(&["evaluate", "--years", "5", "--diseases", "1"], "training part");
    refused(&["evaluate", "--training-weeks", "100", "--diseases", "1", "--methods", "farrington"], "at least 263");
}
