//! The epidemiologists' dashboard as plain data (pure): filters, the report weeks shown, the
//! epidemic curve's series, district rates for the tile map, top diseases this week against
//! last, and timeliness KPIs from the delay histograms. The handler reads small aggregates
//! (`protection_weekly_counts`, `protection_delay_counts`) and hands them here.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use crate::counts::delays::{self, NOTIFICATION_TO_FOLLOWUP, ONSET_TO_NOTIFICATION};
use crate::counts::weeks::{iso_week, week_start};

/// Periods offered, in weeks.
pub const PERIODS: [i64; 4] = [4, 12, 26, 52];

/// Classification sets: `cp` confirmed + probable (default), `c` confirmed, `cps` every case
/// not discarded.
pub const CLASS_SETS: [&str; 3] = ["cp", "c", "cps"];

pub fn classes_of(set: &str) -> &'static [&'static str] {
    match set {
        "c" => &["confirmed"],
        "cps" => &["confirmed", "probable", "suspected"],
        _ => &["confirmed", "probable"],
    }
}

/// The report weeks (Mondays) of a period of `weeks` weeks ending with the week of `today`.
pub fn period(today: NaiveDate, weeks: i64) -> Vec<NaiveDate> {
    let last = week_start(today);
    (0..weeks.max(1)).rev().map(|i| last - Duration::weeks(i)).collect()
}

/// Region group of a district for stacking: `HK`, `KLN`, `NT` or `UNK`.
pub fn region_of(district: &str) -> &'static str {
    match kernel::hk::district(district).map(|d| d.region.as_str()) {
        Some("HK") => "HK",
        Some("KLN") => "KLN",
        Some("NT") => "NT",
        _ => "UNK",
    }
}

pub const REGIONS: [&str; 4] = ["HK", "KLN", "NT", "UNK"];

/// Epidemic-curve series: for each key (classification or region) the counts per week.
/// `rows` are (week_start, district, classification, n); only `classes` count, and only
/// `district` when given.
pub fn curve(
    weeks: &[NaiveDate],
    rows: &[(String, String, String, i64)],
    classes: &[&str],
    district: Option<&str>,
    by_region: bool,
) -> Vec<(String, Vec<i64>)> {
    let index: BTreeMap<String, usize> = weeks.iter().enumerate().map(|(i, w)| (w.to_string(), i)).collect();
    let keys: Vec<&str> = if by_region { REGIONS.to_vec() } else { classes.to_vec() };
    let mut out: Vec<(String, Vec<i64>)> = keys.iter().map(|k| (k.to_string(), vec![0; weeks.len()])).collect();
    for (week, d, class, n) in rows {
        if !classes.contains(&class.as_str()) || district.is_some_and(|x| x != d) {
            continue;
        }
        let Some(&i) = index.get(week) else { continue };
        let key = if by_region { region_of(d) } else { class.as_str() };
        if let Some((_, v)) = out.iter_mut().find(|(k, _)| k == key) {
            v[i] += n;
        }
    }
    out.retain(|(_, v)| v.iter().any(|n| *n != 0));
    out
}

/// ISO week labels of the weeks.
pub fn week_labels(weeks: &[NaiveDate]) -> Vec<String> {
    weeks.iter().map(|w| iso_week(*w)).collect()
}

/// Cases per district over the period (every district, whatever the district filter).
pub fn district_totals(rows: &[(String, String, String, i64)], classes: &[&str]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (_, d, class, n) in rows {
        if classes.contains(&class.as_str()) {
            *out.entry(d.clone()).or_insert(0) += n;
        }
    }
    out
}

/// One row of "top diseases this week against last".
#[derive(Clone, Debug, PartialEq)]
pub struct TopRow {
    pub disease: String,
    pub this_week: i64,
    pub last_week: i64,
}

impl TopRow {
    pub fn change(&self) -> i64 {
        self.this_week - self.last_week
    }
}

/// Diseases by cases this week (then last week), at most `limit`, from (disease, class, n) rows.
pub fn top_diseases(
    this_week: &[(String, String, i64)],
    last_week: &[(String, String, i64)],
    classes: &[&str],
    limit: usize,
) -> Vec<TopRow> {
    let mut m: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (d, c, n) in this_week {
        if classes.contains(&c.as_str()) {
            m.entry(d.clone()).or_default().0 += n;
        }
    }
    for (d, c, n) in last_week {
        if classes.contains(&c.as_str()) {
            m.entry(d.clone()).or_default().1 += n;
        }
    }
    let mut v: Vec<TopRow> = m
        .into_iter()
        .filter(|(_, (a, b))| *a != 0 || *b != 0)
        .map(|(disease, (this_week, last_week))| TopRow { disease, this_week, last_week })
        .collect();
    v.sort_by(|a, b| b.this_week.cmp(&a.this_week).then(b.last_week.cmp(&a.last_week)).then(a.disease.cmp(&b.disease)));
    v.truncate(limit);
    v
}

/// Timeliness of one disease (or all) over a period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kpi {
    /// Disease code, or empty for all diseases.
    pub disease: String,
    pub onset_n: i64,
    pub onset_median: Option<f64>,
    pub onset_p90: Option<f64>,
    /// Share notified within the disease's time frame of onset (see `delays::allowed_days`);
    /// None for all diseases together.
    pub onset_within: Option<f64>,
    pub follow_n: i64,
    pub follow_median: Option<f64>,
    pub follow_p90: Option<f64>,
}

fn kpi_of(disease: &str, onset: &[(i64, i64)], follow: &[(i64, i64)], allowed: Option<i64>) -> Kpi {
    Kpi {
        disease: disease.to_string(),
        onset_n: onset.iter().map(|(_, n)| n).sum(),
        onset_median: delays::quantile(onset, 0.5),
        onset_p90: delays::quantile(onset, 0.9),
        onset_within: allowed.and_then(|a| delays::share_within(onset, a)),
        follow_n: follow.iter().map(|(_, n)| n).sum(),
        follow_median: delays::quantile(follow, 0.5),
        follow_p90: delays::quantile(follow, 0.9),
    }
}

/// KPIs per disease (by cases with a known onset, descending) and for all diseases (first),
/// from (disease, classification, kind, days, n) rows; `within` gives a disease's time frame.
pub fn kpis(rows: &[(String, String, String, i64, i64)], classes: &[&str], within: impl Fn(&str) -> i64) -> Vec<Kpi> {
    type Hists = (BTreeMap<i64, i64>, BTreeMap<i64, i64>);
    let mut per: BTreeMap<String, Hists> = BTreeMap::new();
    let mut all: Hists = Default::default();
    for (d, c, kind, days, n) in rows {
        if !classes.contains(&c.as_str()) {
            continue;
        }
        let e = per.entry(d.clone()).or_default();
        let (mine, total) = if kind == ONSET_TO_NOTIFICATION {
            (&mut e.0, &mut all.0)
        } else if kind == NOTIFICATION_TO_FOLLOWUP {
            (&mut e.1, &mut all.1)
        } else {
            continue;
        };
        *mine.entry(*days).or_insert(0) += n;
        *total.entry(*days).or_insert(0) += n;
    }
    let v = |m: &BTreeMap<i64, i64>| m.iter().map(|(k, n)| (*k, *n)).collect::<Vec<_>>();
    let mut out: Vec<Kpi> = per
        .iter()
        .map(|(d, (o, f))| kpi_of(d, &v(o), &v(f), Some(within(d))))
        .filter(|k| k.onset_n + k.follow_n > 0)
        .collect();
    out.sort_by(|a, b| b.onset_n.cmp(&a.onset_n).then(b.follow_n.cmp(&a.follow_n)).then(a.disease.cmp(&b.disease)));
    out.insert(0, kpi_of("", &v(&all.0), &v(&all.1), None));
    out
}

/// A number of days with at most one decimal (`2`, `2.5`), or a dash.
pub fn fmt_days(v: Option<f64>) -> String {
    match v {
        Some(x) if (x - x.round()).abs() < 1e-9 => format!("{}", x.round() as i64),
        Some(x) => format!("{x:.1}"),
        None => "–".into(),
    }
}

/// A share as a whole percentage, or a dash.
pub fn fmt_share(v: Option<f64>) -> String {
    v.map(|x| format!("{:.0}%", x * 100.0)).unwrap_or_else(|| "–".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn r(w: &str, dist: &str, c: &str, n: i64) -> (String, String, String, i64) {
        (w.into(), dist.into(), c.into(), n)
    }

    #[test]
    fn periods_end_with_this_week() {
        let p = period(d("2026-03-05"), 3);
        assert_eq!(p, vec![d("2026-02-16"), d("2026-02-23"), d("2026-03-02")]);
        assert_eq!(week_labels(&p[2..]), vec!["2026-W10"]);
    }

    #[test]
    fn curves_by_class_and_region() {
        let weeks = period(d("2026-03-05"), 2);
        let rows = vec![
            r("2026-02-23", "KT", "confirmed", 2),
            r("2026-03-02", "KT", "confirmed", 1),
            r("2026-03-02", "WC", "probable", 4),
            r("2026-03-02", "ST", "suspected", 9),
            r("2026-03-02", "UNK", "confirmed", 1),
            r("2026-01-05", "KT", "confirmed", 7),
        ];
        let c = curve(&weeks, &rows, classes_of("cp"), None, false);
        assert_eq!(c, vec![("confirmed".to_string(), vec![2, 2]), ("probable".to_string(), vec![0, 4])]);
        let c = curve(&weeks, &rows, classes_of("cp"), Some("KT"), false);
        assert_eq!(c, vec![("confirmed".to_string(), vec![2, 1])]);
        let c = curve(&weeks, &rows, classes_of("cps"), None, true);
        assert_eq!(
            c,
            vec![
                ("HK".to_string(), vec![0, 4]),
                ("KLN".to_string(), vec![2, 1]),
                ("NT".to_string(), vec![0, 9]),
                ("UNK".to_string(), vec![0, 1])
            ]
        );
        let t = district_totals(&rows, classes_of("c"));
        assert_eq!(t.get("KT"), Some(&10));
        assert_eq!(t.get("WC"), None);
    }

    #[test]
    fn top_diseases_this_week_against_last() {
        let this = vec![
            ("measles".to_string(), "confirmed".to_string(), 3),
            ("influenza".to_string(), "confirmed".to_string(), 5),
            ("influenza".to_string(), "suspected".to_string(), 50),
        ];
        let last = vec![
            ("measles".to_string(), "probable".to_string(), 4),
            ("dengue".to_string(), "confirmed".to_string(), 1),
        ];
        let t = top_diseases(&this, &last, classes_of("cp"), 10);
        assert_eq!(t.iter().map(|r| r.disease.as_str()).collect::<Vec<_>>(), vec!["influenza", "measles", "dengue"]);
        assert_eq!((t[1].this_week, t[1].last_week, t[1].change()), (3, 4, -1));
        assert_eq!(top_diseases(&this, &last, classes_of("cp"), 1).len(), 1);
    }

    #[test]
    fn kpis_per_disease_and_overall() {
        let o = ONSET_TO_NOTIFICATION.to_string();
        let f = NOTIFICATION_TO_FOLLOWUP.to_string();
        let rows = vec![
            ("measles".to_string(), "confirmed".to_string(), o.clone(), 1, 1),
            ("measles".to_string(), "confirmed".to_string(), o.clone(), 2, 1),
            ("measles".to_string(), "probable".to_string(), o.clone(), 3, 1),
            ("measles".to_string(), "suspected".to_string(), o.clone(), 30, 5),
            ("measles".to_string(), "confirmed".to_string(), f.clone(), 0, 2),
            ("dengue".to_string(), "confirmed".to_string(), o.clone(), 10, 1),
        ];
        let k = kpis(&rows, classes_of("cp"), |d| if d == "measles" { 1 } else { 7 });
        assert_eq!(k.len(), 3);
        assert_eq!(k[0].disease, "");
        assert_eq!((k[0].onset_n, k[0].onset_median, k[0].onset_within), (4, Some(2.5), None));
        let m = &k[1];
        assert_eq!(m.disease, "measles");
        assert_eq!((m.onset_n, m.onset_median), (3, Some(2.0)));
        assert!((m.onset_p90.unwrap() - 2.8).abs() < 1e-12);
        assert!((m.onset_within.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((m.follow_n, m.follow_median), (2, Some(0.0)));
        assert_eq!(k[2].onset_within, Some(0.0));
        assert_eq!(fmt_days(Some(2.0)), "2");
        assert_eq!(fmt_days(Some(2.75)), "2.8");
        assert_eq!(fmt_days(None), "–");
        assert_eq!(fmt_share(Some(1.0 / 3.0)), "33%");
    }
}
