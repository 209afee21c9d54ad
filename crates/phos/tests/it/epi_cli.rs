//! `phos detect`, `phos rt` and `phos scan` on the R reference files of the epi crate, and bad
//! input: a clear message on stderr, exit code 2, nothing on stdout. No database is involved.

use std::path::{Path, PathBuf};
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

fn reference(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../epi/tests/reference").join(path)
}

fn run(args: &[&str]) -> Output {
    phos().args(args).output().unwrap()
}

fn stdout_ok(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}, stderr: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Exit 2, nothing on stdout, and stderr containing `needle`.
fn bad_input(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(out.stdout.is_empty(), "nothing on stdout, got {}", String::from_utf8_lossy(&out.stdout));
    assert!(err.contains(needle), "stderr should mention {needle:?}: {err}");
}

/// Rows of a CSV as (first two fields, other fields).
fn rows(text: &str) -> (String, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    (header, lines.map(|l| l.split(',').map(str::to_string).collect()).collect())
}

fn same_number(a: &str, b: &str) -> bool {
    if a == "NA" || b == "NA" {
        return a == b;
    }
    let (x, y): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
    x == y || (x - y).abs() <= 1e-6 * y.abs()
}

/// Compares `phos detect` output with an R reference file: same weeks, observed and alarms,
/// upper bounds within 1e-6 relative.
fn assert_matches_reference(got: &str, reference_file: &str) {
    let want = std::fs::read_to_string(reference(reference_file)).unwrap();
    let (gh, g) = rows(got);
    let (wh, w) = rows(&want);
    assert_eq!(gh, "week,observed,upperbound,alarm");
    assert_eq!(gh, wh);
    assert_eq!(g.len(), w.len(), "{reference_file}: number of weeks");
    for (a, b) in g.iter().zip(&w) {
        assert_eq!((&a[0], &a[1], &a[3]), (&b[0], &b[1], &b[3]), "{reference_file}: week, observed, alarm");
        assert!(same_number(&a[2], &b[2]), "{reference_file} week {}: upperbound {} vs R {}", a[0], a[2], b[2]);
    }
}

#[test]
fn detect_matches_r_references() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "salmonella_agona",
            &["--method", "farrington", "--range", "264:312"],
            "detect/salmonella_agona/farrington.csv",
        ),
        (
            "ha",
            &[
                "--method",
                "farrington",
                "--b",
                "3",
                "--w",
                "2",
                "--alpha",
                "0.01",
                "--trend",
                "false",
                "--range",
                "159:290",
            ],
            "detect/ha/farrington_b3_w2_alpha01_notrend.csv",
        ),
        (
            "sts_newport",
            &[
                "--method",
                "farrington-flexible",
                "--no-periods",
                "10",
                "--weights-threshold",
                "2.58",
                "--past-weeks-not-included",
                "26",
                "--threshold-method",
                "nbPlugin",
                "--range",
                "264:773",
            ],
            "detect/sts_newport/flexible_noufaily.csv",
        ),
        ("campy_de", &["--method", "farrington-flexible", "--range", "264:522"], "detect/campy_de/flexible.csv"),
        (
            "shadar",
            &["--method", "ears-c3", "--alpha", "0.01", "--baseline", "7", "--range", "12:295"],
            "detect/shadar/ears_c3_alpha01.csv",
        ),
        ("salm_newport", &["--method", "ears-c1", "--range", "8:528"], "detect/salm_newport/ears_c1.csv"),
        (
            "shadar",
            &["--method", "cusum", "--trans", "rossi", "--m", "glm", "--range", "105:295"],
            "detect/shadar/cusum_rossi_glm.csv",
        ),
        ("k1", &["--method", "cusum", "--range", "105:209"], "detect/k1/cusum.csv"),
    ];
    for (dataset, args, reference_file) in cases {
        let input = reference(&format!("series/{dataset}.csv"));
        let out = phos().arg("detect").args(*args).arg("--input").arg(&input).output().unwrap();
        assert_matches_reference(&stdout_ok(&out), reference_file);
    }
}

#[test]
fn detect_default_range_is_the_last_52_weeks_with_history() {
    // salmonella.agona has 312 weeks; farrington needs 263 before the first, so 264..312.
    let input = reference("series/salmonella_agona.csv");
    let out = phos().args(["detect", "--method", "farrington", "--input"]).arg(&input).output().unwrap();
    let text = stdout_ok(&out);
    let (_, r) = rows(&text);
    assert_eq!(r.len(), 49);
    assert_eq!(r[0][0], "264");
    assert_matches_reference(&text, "detect/salmonella_agona/farrington.csv");
    // EARS C1 needs 7 weeks: the last 52 weeks, 261..312.
    let out = phos().args(["detect", "--method", "ears-c1", "--input"]).arg(&input).output().unwrap();
    let (_, r) = rows(&stdout_ok(&out));
    assert_eq!((r.len(), r[0][0].as_str(), r[51][0].as_str()), (52, "261", "312"));
}

#[test]
fn rt_matches_epiestim() {
    for (dataset, si, file) in [
        ("flu2009", ["2.6", "1.5"], "rt/flu2009__weekly.csv"),
        ("measles1861", ["14.9", "3.9"], "rt/measles1861__weekly.csv"),
    ] {
        let input = reference(&format!("rt/{dataset}.csv"));
        let out = phos().args(["rt", "--si-mean", si[0], "--si-sd", si[1], "--input"]).arg(&input).output().unwrap();
        let got = stdout_ok(&out);
        let want = std::fs::read_to_string(reference(file)).unwrap();
        let (gh, g) = rows(&got);
        let (wh, w) = rows(&want);
        assert_eq!(gh, "t_start,t_end,mean_r,std_r,q0025,q005,q025,median,q075,q095,q0975");
        assert_eq!(gh, wh);
        assert_eq!(g.len(), w.len());
        for (a, b) in g.iter().zip(&w) {
            assert_eq!((&a[0], &a[1]), (&b[0], &b[1]));
            for (x, y) in a[2..].iter().zip(&b[2..]) {
                assert!(same_number(x, y), "{file} t_end {}: {x} vs EpiEstim {y}", a[1]);
            }
        }
    }
    // --window 14 as EpiEstim's t_start = 2:(T-13), t_end = 15:T.
    let input = reference("rt/sars2003.csv");
    let out =
        phos().args(["rt", "--si-mean", "8.4", "--si-sd", "3.8", "--window", "14", "--input"]).arg(&input).output();
    let got = stdout_ok(&out.unwrap());
    let want = std::fs::read_to_string(reference("rt/sars2003__window14.csv")).unwrap();
    assert_eq!(rows(&got).1.len(), rows(&want).1.len());
}

fn scan_input(dir: &Path) -> PathBuf {
    // 12 weeks of 3-7 cases per district, and an outbreak in Kwun Tong and Wong Tai Sin in the
    // last two weeks.
    let mut csv = String::from("district,week,cases\n");
    for (i, d) in
        ["CW", "WC", "E", "S", "YTM", "SSP", "KC", "WTS", "KT", "KWT", "TW", "TM", "YL", "N", "TP", "SK", "ST", "IS"]
            .iter()
            .enumerate()
    {
        for week in 1..=12 {
            let mut cases = 3 + (i * 7 + week * 3) % 5;
            if (*d == "KT" || *d == "WTS") && week >= 11 {
                cases += 25;
            }
            csv.push_str(&format!("{d},{week},{cases}\n"));
        }
    }
    let path = dir.join("cases.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("phos-epi-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn scan_finds_the_injected_cluster() {
    let dir = temp_dir();
    let input = scan_input(&dir);
    let out = phos().args(["scan", "--replicates", "199", "--seed", "7", "--input"]).arg(&input).output().unwrap();
    let text = stdout_ok(&out);
    let (header, r) = rows(&text);
    assert_eq!(
        header,
        "cluster,districts,center,radius_km,start_week,end_week,observed,expected,relative_risk,llr,p_value,recurrence_interval"
    );
    let top = &r[0];
    let districts: Vec<&str> = top[1].split(';').collect();
    assert!(districts.contains(&"KT") && districts.contains(&"WTS"), "{text}");
    assert_eq!(top[5], "12", "prospective: the window ends on the last week");
    assert!(top[10].parse::<f64>().unwrap() < 0.05, "{text}");
    let again = phos().args(["scan", "--replicates", "199", "--seed", "7", "--input"]).arg(&input).output().unwrap();
    assert_eq!(text, stdout_ok(&again), "deterministic by seed");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = temp_dir();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let detect = |file: &Path, extra: &[&str]| {
        phos().args(["detect", "--method", "ears-c1"]).args(extra).arg("--input").arg(file).output().unwrap()
    };
    let long: String = (1..=30).map(|w| format!("{w},{}\n", w % 4)).collect();

    let f = write("missing.csv", &format!("week,observed\n1,3\n2,4\n4,1\n{}", ""));
    bad_input(&detect(&f, &[]), "week 3 is missing");
    let f = write("negative.csv", &format!("week,observed\n{long}31,-2\n"));
    bad_input(&detect(&f, &[]), "the count -2 at week 31 is negative");
    let f = write("fraction.csv", &format!("week,observed\n{long}31,2.5\n"));
    bad_input(&detect(&f, &[]), "the count 2.5 at week 31 is not a whole number");
    let f = write("duplicate.csv", &format!("week,observed\n{long}30,2\n"));
    bad_input(&detect(&f, &[]), "week 30 appears more than once");
    let f = write("text.csv", &format!("week,observed\n{long}31,many\n"));
    bad_input(&detect(&f, &[]), "line 32: observed \"many\" is not a number");
    let f = write("na.csv", &format!("week,observed\n{long}31,NA\n"));
    bad_input(&detect(&f, &[]), "line 32: observed is empty or NA");
    let f = write("header.csv", "wk,count\n1,2\n");
    bad_input(&detect(&f, &[]), "the header must name the column week");
    bad_input(&detect(&dir.join("absent.csv"), &[]), "cannot read");

    // Too short a history names the method and the rule.
    let f = write("short.csv", &format!("week,observed\n{long}"));
    let out = phos().args(["detect", "--method", "farrington", "--input"]).arg(&f).output().unwrap();
    bad_input(&out, "farrington needs b*freq + w = 263 weeks before the first week of the range");
    let out = phos().args(["detect", "--method", "ears-c3", "--range", "5:30", "--input"]).arg(&f).output().unwrap();
    bad_input(&out, "ears-c3 needs baseline + 4 = 11 weeks");
    bad_input(&detect(&f, &["--range", "20:31"]), "not within the series");
    bad_input(&detect(&f, &["--k", "2"]), "--k does not apply to ears-c1");
    bad_input(&detect(&f, &["--baseline", "2"]), "minimum baseline is 3");
    bad_input(&detect(&f, &["--range", "9-30"]), "START:END");
    bad_input(&run(&["detect", "--method", "c1", "--input", "x.csv"]), "invalid value 'c1'");

    // Rt.
    let f = write("inc.csv", "t,incidence\n1,2\n2,3\n3,x\n");
    let rt = |f: &Path| phos().args(["rt", "--si-mean", "2.6", "--si-sd", "1.5", "--input"]).arg(f).output().unwrap();
    bad_input(&rt(&f), "incidence \"x\" is not a number");
    let f = write("inc2.csv", "t,incidence\n1,2\n2,3\n4,1\n");
    bad_input(&rt(&f), "t = 3 is missing");
    let f = write("inc3.csv", "t,incidence\n1,2\n2,3\n3,1\n");
    bad_input(&rt(&f), "needs at least 8 time steps");
    let f = write("inc4.csv", "t,incidence\n1,2\n2,-3\n");
    bad_input(&rt(&f), "must be a whole number >= 0");

    // Scan.
    let f = write("scan.csv", "district,week,cases\nKT,1,3\nXX,1,2\n");
    bad_input(&run(&["scan", "--input", f.to_str().unwrap()]), "unknown district \"XX\"");
    let f = write("scan2.csv", "district,week,cases\nKT,1,3\nKT,1,2\n");
    bad_input(&run(&["scan", "--input", f.to_str().unwrap()]), "appears more than once");
    let f = write("scan3.csv", "district,week,cases\nKT,1,3\nKT,2,1.5\n");
    bad_input(&run(&["scan", "--input", f.to_str().unwrap()]), "must be a whole number >= 0");
    std::fs::remove_dir_all(dir).ok();
}
