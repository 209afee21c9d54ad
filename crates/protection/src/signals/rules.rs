//! Signals, the pure part (no IO): weekly series per disease × area (18 districts and `HK`, the
//! territory, their sum), each disease's detection settings run through the `epi` crate's
//! methods on the latest complete week, and the space-time permutation scan over the 18
//! districts. Alarms come back with their evidence: the weeks shown, the bounds, the method and
//! its parameters, and which methods could not run for want of history.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use epi::{EpiError, FlexibleControl, Method, Params, ScanConfig, Series, WeekRange};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::catalogue::Detection;

/// The territory-wide area code.
pub const TERRITORY: &str = "HK";

/// Triage states, in order.
pub const STATUSES: [&str; 4] = ["new", "assessing", "outbreak", "dismissed"];

/// Methods a signal may come from.
pub const METHODS: [&str; 7] = ["ears-c1", "ears-c2", "ears-c3", "farrington-flexible", "cusum", "threshold", "scan"];

/// Weeks of the series shown in a signal's evidence (and evaluated, so the bound has a line).
pub const SHOWN_WEEKS: usize = 26;

/// Whether a signal may move from `from` to `to`: new → assessing → outbreak | dismissed; a new
/// signal may also be dismissed or opened as an outbreak at once.
pub fn can_move(from: &str, to: &str) -> bool {
    matches!((from, to), ("new", "assessing" | "outbreak" | "dismissed") | ("assessing", "outbreak" | "dismissed"))
}

/// The next states a signal in `status` may take.
pub fn next_states(status: &str) -> Vec<&'static str> {
    STATUSES.into_iter().filter(|to| can_move(status, to)).collect()
}

/// One alarm of a method for a disease, an area and a week.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alarm {
    pub disease: String,
    pub area: String,
    pub method: String,
    /// The Monday of the week that alarmed.
    pub week_start: NaiveDate,
    pub observed: f64,
    pub upperbound: Option<f64>,
    pub evidence: Value,
}

/// A method that could not run on a series for want of history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotRun {
    pub method: String,
    /// Weeks of history the method needs before the week evaluated.
    pub needed_weeks: usize,
    /// The rule in R's parameter names, e.g. `b*freq + w`.
    pub rule: String,
    /// Weeks the series has.
    pub available_weeks: usize,
}

/// One week of a signal's evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceWeek {
    pub week_start: String,
    pub observed: f64,
    pub upperbound: Option<f64>,
    pub alarm: bool,
}

/// What the evidence of a signal holds, read back for the page and the API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub method: String,
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    #[serde(default)]
    pub threshold_min: i64,
    #[serde(default)]
    pub weeks: Vec<EvidenceWeek>,
    #[serde(default)]
    pub not_run: Vec<NotRun>,
    /// Scan only: the districts of the cluster, centre first.
    #[serde(default)]
    pub districts: Vec<String>,
    #[serde(default)]
    pub expected: Option<f64>,
    #[serde(default)]
    pub p_value: Option<f64>,
    #[serde(default)]
    pub relative_risk: Option<f64>,
}

impl Evidence {
    pub fn parse(text: &str) -> Evidence {
        serde_json::from_str(text).unwrap_or_default()
    }
}

/// Weekly counts of one disease by area from rows (week start, district, n), for the weeks
/// `first..=last` (Mondays): every one of the 18 districts (zeros where nothing was counted) and
/// `HK`, the sum of every row (cases of unknown district count territory-wide).
pub fn area_series(rows: &[(NaiveDate, String, i64)], first: NaiveDate, last: NaiveDate) -> BTreeMap<String, Vec<f64>> {
    let weeks = weeks_between(first, last);
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for d in kernel::hk::districts() {
        out.insert(d.code.clone(), vec![0.0; weeks]);
    }
    out.insert(TERRITORY.into(), vec![0.0; weeks]);
    for (week, district, n) in rows {
        if *week < first || *week > last {
            continue;
        }
        let i = ((*week - first).num_days() / 7) as usize;
        if let Some(s) = out.get_mut(district.as_str()) {
            s[i] += *n as f64;
        }
        if district != TERRITORY {
            out.get_mut(TERRITORY).expect("territory series")[i] += *n as f64;
        }
    }
    out
}

/// Number of weeks from the Monday `first` to the Monday `last`, both included.
pub fn weeks_between(first: NaiveDate, last: NaiveDate) -> usize {
    if last < first { 0 } else { ((last - first).num_days() / 7 + 1) as usize }
}

/// The epi method and its control for a detection method name and a disease's settings.
fn method_params(name: &str, det: &Detection) -> Option<(Method, Params)> {
    let method = Method::parse(name)?;
    let params = match method {
        Method::EarsC1 | Method::EarsC2 | Method::EarsC3 => {
            Params::Ears(epi::EarsControl { alpha: det.alpha, ..Default::default() })
        }
        Method::FarringtonFlexible => {
            // The improved configuration of Noufaily et al. (2013).
            let mut c = FlexibleControl::noufaily();
            if let Some(a) = det.alpha {
                c.alpha = a;
            }
            if let Some(b) = det.baseline_years {
                c.b = b.clamp(1, 20) as usize;
            }
            Params::FarringtonFlexible(c)
        }
        Method::Cusum => Params::Cusum(epi::CusumControl::default()),
        Method::Farrington => return None,
    };
    Some((method, params))
}

fn params_json(p: &Params) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    match p {
        Params::Ears(c) => {
            m.insert("baseline".into(), json!(c.baseline));
            m.insert("alpha".into(), json!(c.alpha));
        }
        Params::FarringtonFlexible(c) => {
            m.insert("b".into(), json!(c.b));
            m.insert("w".into(), json!(c.w));
            m.insert("alpha".into(), json!(c.alpha));
            m.insert("noPeriods".into(), json!(c.no_periods));
            m.insert("pastWeeksNotIncluded".into(), json!(c.past_weeks_not_included));
            m.insert("weightsThreshold".into(), json!(c.weights_threshold));
            m.insert("thresholdMethod".into(), json!(format!("{:?}", c.threshold_method)));
        }
        Params::Cusum(c) => {
            m.insert("k".into(), json!(c.k));
            m.insert("h".into(), json!(c.h));
        }
        Params::Farrington(_) => {}
    }
    m
}

/// Runs every method of `det` on one area's series (week 1 is the Monday `first`) and returns
/// the alarms among the last `recent` weeks, with what could not run. No alarm where the week's
/// count is below `threshold_min`.
pub fn detect(
    disease: &str,
    area: &str,
    first: NaiveDate,
    counts: &[f64],
    det: &Detection,
    recent: usize,
) -> (Vec<Alarm>, Vec<NotRun>) {
    let mut alarms = vec![];
    let mut not_run = vec![];
    if counts.is_empty() {
        return (alarms, not_run);
    }
    let week_of = |i: usize| first + Duration::weeks(i as i64);
    let recent = recent.max(1).min(counts.len());
    let shown_from = counts.len().saturating_sub(SHOWN_WEEKS.max(recent));
    let min = det.threshold_min.max(1) as f64;
    let mut found: Vec<(String, BTreeMap<String, Value>, Vec<EvidenceWeek>)> = vec![];
    for name in &det.methods {
        if name == "threshold" {
            let weeks: Vec<EvidenceWeek> = (shown_from..counts.len())
                .map(|i| EvidenceWeek {
                    week_start: week_of(i).to_string(),
                    observed: counts[i],
                    upperbound: Some(min),
                    alarm: counts[i] >= min,
                })
                .collect();
            found.push((name.clone(), BTreeMap::new(), weeks));
            continue;
        }
        let Some((method, mut params)) = method_params(name, det) else { continue };
        let series = match Series::new(counts.to_vec(), 52) {
            Ok(s) => s,
            Err(_) => continue,
        };
        let range = match epi::last_weeks_range(method, &series, &params, counts.len() - shown_from) {
            Ok(r) => r,
            Err(e) => {
                if let Ok(h) = epi::history_needed(method, &params, 52) {
                    not_run.push(NotRun {
                        method: name.clone(),
                        needed_weeks: h.weeks,
                        rule: h.rule,
                        available_weeks: counts.len(),
                    });
                } else {
                    tracing::warn!(disease, area, method = name.as_str(), error = %e, "method could not run");
                }
                continue;
            }
        };
        // The range must reach the weeks we signal on.
        if range.end < counts.len() {
            continue;
        }
        params.set_range(Some(WeekRange::new(range.start, range.end)));
        let outcomes = match epi::detect(method, &series, &params) {
            Ok(o) => o,
            Err(e) => {
                tracing::warn!(disease, area, method = name.as_str(), error = %e, "method failed");
                continue;
            }
        };
        let by_week: BTreeMap<usize, &epi::Outcome> = outcomes.iter().map(|o| (o.week - 1, o)).collect();
        let weeks: Vec<EvidenceWeek> = (shown_from..counts.len())
            .map(|i| {
                let o = by_week.get(&i);
                EvidenceWeek {
                    week_start: week_of(i).to_string(),
                    observed: counts[i],
                    upperbound: o.and_then(|o| o.upperbound),
                    alarm: o.and_then(|o| o.alarm).unwrap_or(false) && counts[i] >= min,
                }
            })
            .collect();
        found.push((name.clone(), params_json(&params), weeks));
    }
    for (method, params, weeks) in found {
        for (j, w) in weeks.iter().enumerate() {
            let i = shown_from + j;
            if i + recent < counts.len() || !w.alarm {
                continue;
            }
            // The evidence shows the weeks up to the alarm week.
            let shown: Vec<EvidenceWeek> = weeks[..=j].to_vec();
            let evidence = Evidence {
                method: method.clone(),
                params: params.clone(),
                threshold_min: det.threshold_min,
                weeks: shown,
                not_run: not_run.clone(),
                ..Default::default()
            };
            alarms.push(Alarm {
                disease: disease.into(),
                area: area.into(),
                method: method.clone(),
                week_start: week_of(i),
                observed: w.observed,
                upperbound: w.upperbound,
                evidence: serde_json::to_value(&evidence).unwrap_or(Value::Null),
            });
        }
    }
    (alarms, not_run)
}

/// Settings of the space-time scan in the daily run.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanSettings {
    /// Weeks of the study period, ending with the latest complete week.
    pub weeks: usize,
    /// Longest cluster in weeks.
    pub max_window: usize,
    pub replicates: usize,
    /// Clusters with a p-value below this become signals.
    pub p_below: f64,
    /// Fewest cases in the study period for a scan to run at all.
    pub min_cases: u64,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings { weeks: 12, max_window: 4, replicates: 999, p_below: 0.05, min_cases: 10 }
    }
}

/// The prospective space-time permutation scan of one disease over the 18 districts, on the
/// last `settings.weeks` weeks of `series` (area → weekly counts, week 1 the Monday `first`).
/// Clusters with p below `settings.p_below` and at least `threshold_min` cases become alarms
/// with method `scan`, area the cluster's district with the most cases and week its last week.
pub fn scan(
    disease: &str,
    first: NaiveDate,
    series: &BTreeMap<String, Vec<f64>>,
    threshold_min: i64,
    settings: &ScanSettings,
) -> Result<Vec<Alarm>, EpiError> {
    let districts = kernel::hk::districts();
    let len = series.get(TERRITORY).map(Vec::len).unwrap_or(0);
    let units = settings.weeks.min(len);
    if units == 0 {
        return Ok(vec![]);
    }
    let from = len - units;
    let counts: Vec<Vec<u64>> = districts
        .iter()
        .map(|d| match series.get(&d.code) {
            Some(s) => s[from..].iter().map(|v| *v as u64).collect(),
            None => vec![0; units],
        })
        .collect();
    let total: u64 = counts.iter().flatten().sum();
    if total < settings.min_cases.max(1) {
        return Ok(vec![]);
    }
    let locations: Vec<epi::Location> =
        districts.iter().map(|d| epi::Location { id: d.code.clone(), lat: d.lat, lon: d.lon }).collect();
    let config = ScanConfig {
        max_window: Some(settings.max_window.min(units).max(1)),
        replicates: settings.replicates,
        threads: 1,
        ..ScanConfig::default()
    };
    let result = epi::scan(&locations, &counts, &config)?;
    let week_of = |u: usize| first + Duration::weeks((from + u) as i64);
    let mut out = vec![];
    for c in result.clusters {
        let Some(p) = c.p_value else { continue };
        if p >= settings.p_below || (c.observed as i64) < threshold_min.max(1) {
            continue;
        }
        let codes: Vec<String> = c.locations.iter().map(|&z| districts[z].code.clone()).collect();
        let weeks: Vec<EvidenceWeek> = (0..units)
            .map(|u| EvidenceWeek {
                week_start: week_of(u).to_string(),
                observed: c.locations.iter().map(|&z| counts[z][u] as f64).sum(),
                upperbound: None,
                alarm: u >= c.start && u <= c.end,
            })
            .collect();
        let mut params = BTreeMap::new();
        params.insert("replicates".into(), json!(settings.replicates));
        params.insert("max_window".into(), json!(settings.max_window));
        params.insert("study_weeks".into(), json!(units));
        params.insert("start_week".into(), json!(week_of(c.start).to_string()));
        params.insert("radius_km".into(), json!((c.radius_km * 10.0).round() / 10.0));
        let evidence = Evidence {
            method: "scan".into(),
            params,
            threshold_min,
            weeks,
            not_run: vec![],
            districts: codes,
            expected: Some(c.expected),
            p_value: Some(p),
            relative_risk: Some(c.relative_risk),
        };
        // Named after the district of the cluster with the most cases in its weeks (districts
        // without cases add nothing to a circle, so the centre may have none).
        let main = c
            .locations
            .iter()
            .copied()
            .max_by_key(|&z| (counts[z][c.start..=c.end].iter().sum::<u64>(), std::cmp::Reverse(z)))
            .unwrap_or(c.center);
        out.push(Alarm {
            disease: disease.into(),
            area: districts[main].code.clone(),
            method: "scan".into(),
            week_start: week_of(c.end),
            observed: c.observed as f64,
            upperbound: Some(c.expected),
            evidence: serde_json::to_value(&evidence).unwrap_or(Value::Null),
        });
    }
    Ok(out)
}

/// The evidence as an SVG chart: observed counts as bars, the upper bound as a line, alarm weeks
/// in a darker colour and marked with a triangle (not by colour alone); the bound's legend only
/// when there is a bound (the scan has none). `title` and
/// `description` give the accessible name and description; the page shows the same numbers in a
/// table.
pub fn evidence_svg(weeks: &[EvidenceWeek], title: &str, description: &str, bound_label: &str) -> String {
    use kernel::web::html::escape as esc;
    const W: f64 = 640.0;
    const H: f64 = 260.0;
    const LEFT: f64 = 44.0;
    const RIGHT: f64 = 12.0;
    const TOP: f64 = 24.0;
    const BOTTOM: f64 = 40.0;
    let max = weeks
        .iter()
        .flat_map(|w| [Some(w.observed), w.upperbound])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(1.0_f64, f64::max);
    let top = nice_ceiling(max);
    let n = weeks.len().max(1) as f64;
    let step = (W - LEFT - RIGHT) / n;
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / top);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"ev-title ev-desc\" \
         viewBox=\"0 0 {W} {H}\" class=\"evidence-chart\"><title id=\"ev-title\">{}</title><desc id=\"ev-desc\">{}</desc>",
        esc(title),
        esc(description)
    );
    // Axis and grid: 0, half, top.
    for v in [0.0, top / 2.0, top] {
        let yy = y(v);
        out.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#b1b4b6\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"#0b0c0c\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            fmt_num(v)
        ));
    }
    for (i, w) in weeks.iter().enumerate() {
        let x = LEFT + step * i as f64;
        let bw = (step * 0.7).max(1.0);
        let yy = y(w.observed);
        let fill = if w.alarm { "#d4351c" } else { "#1d70b8" };
        out.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{yy:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>",
            x + step * 0.15,
            (H - BOTTOM - yy).max(0.0)
        ));
        if w.alarm {
            let cx = x + step / 2.0;
            out.push_str(&format!(
                "<path d=\"M {:.1} {:.1} L {:.1} {:.1} L {:.1} {:.1} z\" fill=\"#0b0c0c\"/>",
                cx - 5.0,
                yy - 12.0,
                cx + 5.0,
                yy - 12.0,
                cx,
                yy - 4.0
            ));
        }
        if i % 4 == 0 || i + 1 == weeks.len() {
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#0b0c0c\">{}</text>",
                x + step / 2.0,
                H - BOTTOM + 16.0,
                esc(w.week_start.get(5..).unwrap_or(&w.week_start))
            ));
        }
    }
    // The bound: a line through the weeks that have one.
    let mut path = String::new();
    let mut pen_up = true;
    for (i, w) in weeks.iter().enumerate() {
        match w.upperbound.filter(|v| v.is_finite()) {
            Some(b) => {
                let x = LEFT + step * (i as f64 + 0.5);
                path.push_str(&format!("{} {x:.1} {:.1} ", if pen_up { "M" } else { "L" }, y(b.min(top))));
                pen_up = false;
            }
            None => pen_up = true,
        }
    }
    if path.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    out.push_str(&format!(
        "<path d=\"{}\" fill=\"none\" stroke=\"#0b0c0c\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>",
        path.trim_end()
    ));
    out.push_str(&format!(
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#0b0c0c\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#0b0c0c\">{}</text></svg>",
        LEFT + 24.0,
        H - 10.0,
        H - 10.0,
        LEFT + 30.0,
        H - 6.0,
        esc(bound_label)
    ));
    out
}

fn nice_ceiling(v: f64) -> f64 {
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if v <= m * mag {
            return m * mag;
        }
    }
    10.0 * mag
}

/// A count or bound for people: whole numbers without decimals, others with one.
pub fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { format!("{v:.1}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(methods: &[&str], min: i64) -> Detection {
        Detection {
            methods: methods.iter().map(|m| m.to_string()).collect(),
            threshold_min: min,
            alpha: Some(0.01),
            baseline_years: Some(5),
        }
    }

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 1, 6).unwrap()
    }

    /// Flat-ish counts (so that the standard deviation is not zero) over `n` weeks.
    fn flat(n: usize, level: f64) -> Vec<f64> {
        (0..n).map(|i| level + [0.0, 1.0, -1.0, 0.0][i % 4]).collect()
    }

    #[test]
    fn a_spike_on_a_flat_series_alarms() {
        let mut s = flat(40, 5.0);
        *s.last_mut().unwrap() = 30.0;
        let (alarms, not_run) = detect("x", "KT", monday(), &s, &det(&["ears-c2"], 3), 1);
        assert!(not_run.is_empty());
        assert_eq!(alarms.len(), 1, "{alarms:#?}");
        let a = &alarms[0];
        assert_eq!(a.method, "ears-c2");
        assert_eq!(a.week_start, monday() + Duration::weeks(39));
        assert_eq!(a.observed, 30.0);
        assert!(a.upperbound.unwrap() < 30.0 && a.upperbound.unwrap() > 5.0);
        let ev: Evidence = serde_json::from_value(a.evidence.clone()).unwrap();
        assert_eq!(ev.weeks.len(), SHOWN_WEEKS);
        assert!(ev.weeks.last().unwrap().alarm);
        assert_eq!(ev.weeks.last().unwrap().week_start, a.week_start.to_string());
        assert!(ev.weeks.iter().rev().skip(1).all(|w| !w.alarm), "only the spike alarms");
    }

    #[test]
    fn a_flat_series_does_not_alarm() {
        let s = flat(40, 5.0);
        for m in ["ears-c1", "ears-c2", "ears-c3", "cusum"] {
            let (alarms, _) = detect("x", "KT", monday(), &s, &det(&[m], 1), 1);
            assert!(alarms.is_empty(), "{m}: {alarms:#?}");
        }
    }

    #[test]
    fn no_signal_below_threshold_min() {
        let mut s = vec![0.0; 40];
        s[39] = 4.0;
        s[10] = 1.0;
        let (alarms, _) = detect("x", "KT", monday(), &s, &det(&["ears-c1", "threshold"], 5), 1);
        assert!(alarms.is_empty(), "{alarms:#?}");
        let (alarms, _) = detect("x", "KT", monday(), &s, &det(&["ears-c1", "threshold"], 4), 1);
        let methods: Vec<&str> = alarms.iter().map(|a| a.method.as_str()).collect();
        assert_eq!(methods, ["ears-c1", "threshold"]);
    }

    #[test]
    fn says_which_method_needs_how_much_history() {
        let mut s = flat(20, 5.0);
        s[19] = 40.0;
        let (alarms, not_run) = detect("x", "HK", monday(), &s, &det(&["ears-c2", "farrington-flexible"], 3), 1);
        assert_eq!(not_run.len(), 1);
        assert_eq!(not_run[0].method, "farrington-flexible");
        assert_eq!(not_run[0].available_weeks, 20);
        assert!(not_run[0].needed_weeks >= 5 * 52, "{:?}", not_run[0]);
        assert_eq!(alarms.len(), 1);
        let ev: Evidence = serde_json::from_value(alarms[0].evidence.clone()).unwrap();
        assert_eq!(ev.not_run, not_run, "the evidence says what could not run");
    }

    #[test]
    fn farrington_flexible_alarms_on_an_outbreak_after_years_of_baseline() {
        let n = 6 * 52 + 10;
        let mut s: Vec<f64> = (0..n).map(|i| 10.0 + [0.0, 2.0, -2.0, 1.0, -1.0][i % 5]).collect();
        s[n - 1] = 45.0;
        let (alarms, not_run) = detect("x", "HK", monday(), &s, &det(&["farrington-flexible"], 3), 1);
        assert!(not_run.is_empty(), "{not_run:?}");
        assert_eq!(alarms.len(), 1, "{alarms:#?}");
        assert!(alarms[0].upperbound.unwrap() < 45.0);
    }

    #[test]
    fn area_series_sum_to_the_territory() {
        let first = monday();
        let last = first + Duration::weeks(2);
        let rows = vec![
            (first, "KT".to_string(), 2),
            (first + Duration::weeks(2), "KT".to_string(), 3),
            (first + Duration::weeks(2), "UNK".to_string(), 1),
            (first + Duration::weeks(9), "KT".to_string(), 7),
        ];
        let s = area_series(&rows, first, last);
        assert_eq!(s.len(), 19);
        assert_eq!(s["KT"], vec![2.0, 0.0, 3.0]);
        assert_eq!(s["HK"], vec![2.0, 0.0, 4.0]);
        assert_eq!(s["WC"], vec![0.0, 0.0, 0.0]);
    }

    #[test]
    fn scan_finds_a_district_cluster() {
        let first = monday();
        let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for d in kernel::hk::districts() {
            series.insert(d.code.clone(), vec![2.0; 12]);
        }
        series.get_mut("KT").unwrap()[11] = 30.0;
        let hk: Vec<f64> = (0..12).map(|i| series.values().map(|s| s[i]).sum()).collect();
        series.insert(TERRITORY.into(), hk);
        let settings = ScanSettings { replicates: 99, ..ScanSettings::default() };
        let alarms = scan("x", first, &series, 3, &settings).unwrap();
        assert!(!alarms.is_empty());
        let a = &alarms[0];
        assert_eq!(a.method, "scan");
        assert_eq!(a.week_start, first + Duration::weeks(11));
        let ev: Evidence = serde_json::from_value(a.evidence.clone()).unwrap();
        assert!(ev.districts.contains(&"KT".to_string()), "{ev:?}");
        assert_eq!(a.area, "KT", "named after the district with the cases");
        assert!(ev.p_value.unwrap() < 0.05);
        // No cluster in an even spread.
        for s in series.values_mut() {
            s.iter_mut().for_each(|v| *v = 2.0);
        }
        assert!(scan("x", first, &series, 3, &settings).unwrap().is_empty());
    }

    #[test]
    fn the_chart_marks_the_alarm_and_draws_the_bound() {
        let weeks = vec![
            EvidenceWeek { week_start: "2026-01-05".into(), observed: 3.0, upperbound: None, alarm: false },
            EvidenceWeek { week_start: "2026-01-12".into(), observed: 4.0, upperbound: Some(6.5), alarm: false },
            EvidenceWeek { week_start: "2026-01-19".into(), observed: 12.0, upperbound: Some(7.0), alarm: true },
        ];
        let svg = evidence_svg(&weeks, "Measles <KT>", "desc", "Upper bound");
        assert!(svg.contains("<title id=\"ev-title\">Measles &lt;KT&gt;</title>"));
        assert_eq!(svg.matches("<rect").count(), 3);
        assert_eq!(svg.matches("#d4351c").count(), 1, "one alarm bar");
        assert!(svg.contains("stroke-dasharray=\"6 3\""));
        assert_eq!(fmt_num(4.0), "4");
        assert_eq!(fmt_num(6.54), "6.5");
        assert_eq!(nice_ceiling(12.0), 20.0);
    }

    #[test]
    fn triage_moves() {
        assert!(can_move("new", "assessing"));
        assert!(can_move("assessing", "dismissed"));
        assert!(can_move("assessing", "outbreak"));
        assert!(!can_move("dismissed", "new"));
        assert!(!can_move("outbreak", "assessing"));
        assert!(!can_move("assessing", "assessing"));
        assert_eq!(next_states("new"), ["assessing", "outbreak", "dismissed"]);
        assert!(next_states("dismissed").is_empty());
    }
}
