//! Compares every method with the outputs of R's `surveillance` 1.20.3 and `EpiEstim` 2.2-4
//! committed under tests/reference (made by scripts/r-reference/make_reference.R).
//!
//! Alarms must be identical (NA included) and upper bounds / Rt summaries within 1e-6 relative.
//! Run with `--nocapture` to see the largest relative error per method.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use epi::{
    CusumReference, CusumTrans, Limit54, Method, Params, PowerTrans, RtConfig, Series, ThresholdMethod, WeekRange,
};

const TOLERANCE: f64 = 1e-6;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn parse_na(s: &str) -> Option<f64> {
    if s == "NA" { None } else { Some(s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))) }
}

fn parse_alarm(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        "NA" => None,
        _ => panic!("not an alarm: {s}"),
    }
}

fn load_series(name: &str) -> Series {
    let text = read(&reference_dir().join(format!("series/{name}.csv")));
    let rows: Vec<(i64, f64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let (w, o) = l.split_once(',').unwrap();
            (w.parse().unwrap(), o.parse().unwrap())
        })
        .collect();
    Series::from_weeks(&rows, 52).unwrap()
}

fn bool_r(v: &str) -> bool {
    match v {
        "TRUE" => true,
        "FALSE" => false,
        _ => panic!("not an R logical: {v}"),
    }
}

fn limit54(v: &str) -> Limit54 {
    let (c, p) = v.split_once(',').unwrap();
    Limit54 { cases: c.parse().unwrap(), period: p.parse().unwrap() }
}

/// Maps R's control list (as written in the manifest) onto the typed controls.
fn params(method: Method, control: &str) -> Params {
    let mut p = method.default_params();
    for pair in control.split_whitespace() {
        let (name, v) = pair.split_once('=').unwrap();
        let num = || v.parse::<f64>().unwrap();
        let int = || v.parse::<usize>().unwrap();
        match &mut p {
            Params::Ears(c) => match name {
                "method" => {}
                "alpha" => c.alpha = Some(num()),
                "baseline" => c.baseline = int(),
                "minSigma" => c.min_sigma = num(),
                _ => panic!("unknown earsC control {name}"),
            },
            Params::Farrington(c) => match name {
                "b" => c.b = int(),
                "w" => c.w = int(),
                "alpha" => c.alpha = num(),
                "trend" => c.trend = bool_r(v),
                "reweight" => c.reweight = bool_r(v),
                "powertrans" => c.powertrans = PowerTrans::parse(v).unwrap(),
                "limit54" => c.limit54 = limit54(v),
                _ => panic!("unknown farrington control {name}"),
            },
            Params::FarringtonFlexible(c) => match name {
                "b" => c.b = int(),
                "w" => c.w = int(),
                "alpha" => c.alpha = num(),
                "trend" => c.trend = bool_r(v),
                "reweight" => c.reweight = bool_r(v),
                "powertrans" => c.powertrans = PowerTrans::parse(v).unwrap(),
                "limit54" => c.limit54 = limit54(v),
                "weightsThreshold" => c.weights_threshold = num(),
                "pThresholdTrend" => c.p_threshold_trend = num(),
                "noPeriods" => c.no_periods = int(),
                "pastWeeksNotIncluded" => c.past_weeks_not_included = Some(int()),
                "thresholdMethod" => c.threshold_method = ThresholdMethod::parse(v).unwrap(),
                _ => panic!("unknown farringtonFlexible control {name}"),
            },
            Params::Cusum(c) => match name {
                "k" => c.k = num(),
                "h" => c.h = num(),
                "alpha" => c.alpha = num(),
                "trans" => c.trans = CusumTrans::parse(v).unwrap(),
                "m" => c.m = if v == "glm" { CusumReference::Glm } else { CusumReference::Value(num()) },
                _ => panic!("unknown cusum control {name}"),
            },
        }
    }
    p
}

fn rel_err(got: f64, want: f64) -> f64 {
    if got == want { 0.0 } else { (got - want).abs() / want.abs().max(f64::MIN_POSITIVE) }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    weeks: usize,
    alarms: usize,
    max_rel: f64,
}

fn print_tally(title: &str, tally: &BTreeMap<String, Tally>) {
    println!("{title}");
    println!("{:<22} {:>6} {:>7} {:>7} {:>14}", "method", "cases", "weeks", "alarms", "max rel error");
    for (m, t) in tally {
        println!("{m:<22} {:>6} {:>7} {:>7} {:>14.3e}", t.cases, t.weeks, t.alarms, t.max_rel);
    }
}

#[test]
fn detection_matches_r_surveillance() {
    let manifest = read(&reference_dir().join("detect/manifest.tsv"));
    let mut failures = Vec::new();
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    let mut series_cache: BTreeMap<String, Series> = BTreeMap::new();
    for line in manifest.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (id, dataset, method_name) = (f[0], f[1], f[2]);
        let method = Method::parse(method_name).unwrap();
        let range = WeekRange::new(f[3].parse().unwrap(), f[4].parse().unwrap());
        let control = f.get(5).copied().unwrap_or("");
        let series = series_cache.entry(dataset.to_string()).or_insert_with(|| load_series(dataset));
        let mut p = params(method, control);
        p.set_range(Some(range));
        let got = match epi::detect(method, series, &p) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{id}: {e}"));
                continue;
            }
        };
        let want = read(&reference_dir().join(format!("detect/{id}.csv")));
        let want: Vec<Vec<&str>> = want.lines().skip(1).map(|l| l.split(',').collect()).collect();
        assert_eq!(got.len(), want.len(), "{id}: number of weeks");
        let t = tally.entry(method_name.to_string()).or_default();
        t.cases += 1;
        for (g, w) in got.iter().zip(&want) {
            t.weeks += 1;
            assert_eq!(g.week.to_string(), w[0], "{id}: week");
            assert_eq!(g.observed, w[1].parse::<f64>().unwrap(), "{id}: observed");
            let (wu, wa) = (parse_na(w[2]), parse_alarm(w[3]));
            if g.alarm != wa {
                failures.push(format!("{id} week {}: alarm {:?}, R {:?}", g.week, g.alarm, wa));
            }
            if wa == Some(true) {
                t.alarms += 1;
            }
            match (g.upperbound, wu) {
                (None, None) => {}
                (Some(a), Some(b)) => {
                    let e = rel_err(a, b);
                    t.max_rel = t.max_rel.max(e);
                    if e > TOLERANCE {
                        failures.push(format!("{id} week {}: upperbound {a}, R {b} (rel. error {e:.2e})", g.week));
                    }
                }
                (a, b) => failures.push(format!("{id} week {}: upperbound {a:?}, R {b:?}", g.week)),
            }
        }
    }
    print_tally("aberration detection vs R surveillance 1.20.3", &tally);
    // The references must cover every method, many times over.
    for m in Method::ALL {
        let t = tally.get(m.name()).unwrap_or_else(|| panic!("no reference for {m}"));
        assert!(t.cases >= 5 && t.weeks >= 500, "too few references for {m}");
    }
    assert!(tally.values().map(|t| t.alarms).sum::<usize>() > 100, "the references should contain alarms");
    if !failures.is_empty() {
        let n = failures.len();
        failures.truncate(40);
        panic!("{n} differences from R:\n{}", failures.join("\n"));
    }
}

#[test]
fn rt_matches_epiestim() {
    let dir = reference_dir().join("rt");
    let manifest = read(&dir.join("manifest.tsv"));
    let mut failures = Vec::new();
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    for line in manifest.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (id, dataset) = (f[0], f[1]);
        let config =
            RtConfig { window: f[4].parse().unwrap(), ..RtConfig::new(f[2].parse().unwrap(), f[3].parse().unwrap()) };
        let incidence: Vec<f64> = read(&dir.join(format!("{dataset}.csv")))
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        let got = epi::estimate_r(&incidence, &config).unwrap();
        let want = read(&dir.join(format!("{id}.csv")));
        let mut lines = want.lines();
        assert_eq!(lines.next().unwrap(), epi::RtEstimate::COLUMNS.join(","));
        let want: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(got.len(), want.len(), "{id}: number of windows");
        let t = tally.entry(dataset.to_string()).or_default();
        t.cases += 1;
        for (g, w) in got.iter().zip(&want) {
            t.weeks += 1;
            assert_eq!((g.t_start.to_string().as_str(), g.t_end.to_string().as_str()), (w[0], w[1]), "{id}");
            for (col, (gv, wv)) in g.values().iter().zip(&w[2..]).enumerate() {
                match (gv, parse_na(wv)) {
                    (None, None) => {}
                    (Some(a), Some(b)) => {
                        let e = rel_err(*a, b);
                        t.max_rel = t.max_rel.max(e);
                        if e > TOLERANCE {
                            failures.push(format!(
                                "{id} t_end {}: {} = {a}, EpiEstim {b} ({e:.2e})",
                                g.t_end,
                                epi::RtEstimate::COLUMNS[col + 2]
                            ));
                        }
                    }
                    (a, b) => failures.push(format!("{id} t_end {}: {a:?} vs EpiEstim {b:?}", g.t_end)),
                }
            }
        }
    }
    print_tally("Rt vs EpiEstim 2.2-4 (parametric_si)", &tally);
    assert!(tally.len() >= 4 && tally.values().map(|t| t.weeks).sum::<usize>() > 300);
    assert!(
        failures.is_empty(),
        "{} differences from EpiEstim:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}

#[test]
fn discr_si_matches_epiestim() {
    let text = read(&reference_dir().join("rt/discr_si.csv"));
    let mut max_abs: f64 = 0.0;
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        let got = epi::discr_si(f[2] as usize, f[0], f[1]);
        let err = (got - f[3]).abs();
        // Tail probabilities come from differences of numbers near k, so R's own rounding
        // noise is ~1e-15 absolute: compare relative where the value matters, absolute below.
        assert!(err <= 1e-9 * f[3].abs() || err <= 1e-13, "discr_si({}, {}, {}) = {got}, R {}", f[2], f[0], f[1], f[3]);
        max_abs = max_abs.max(err);
        n += 1;
    }
    assert!(n > 900);
    println!("discr_si: {n} values, max abs error {max_abs:.2e}");
}
