//! The risk score, pure: an additive, explainable score per premises in the style of the UK Food
//! Hygiene Rating Scheme (points per factor, summed, banded), over the signals the FDA's site
//! selection model uses (compliance history weighted by recency, time since the last inspection,
//! complaints, product risk class, volume, licence type). Every factor carries its raw value, its
//! points, its weight and its weighted points, so the premises page and the API can show why a
//! premises scores what it scores. Weights are data ([`Weights`]) that a manager changes.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Inspection outcomes, mildest first, with the points each adds to the compliance history
/// (before the recency decay).
pub const OUTCOME_POINTS: [(&str, f64); 4] =
    [("compliant", 0.0), ("advice", 5.0), ("warning", 15.0), ("prosecution", 25.0)];

/// The compliance-history points are capped here (the worst history cannot outweigh everything).
pub const COMPLIANCE_CAP: f64 = 30.0;
/// Outcomes older than this are forgotten.
pub const HISTORY_MONTHS: u32 = 36;
/// Points per complaint in the last 12 months, and their cap.
pub const COMPLAINT_POINTS: f64 = 5.0;
pub const COMPLAINT_CAP: f64 = 20.0;
/// Points per risk class 1, 2, 3.
pub const CLASS_POINTS: [f64; 3] = [0.0, 10.0, 20.0];
/// Points per volume step above 1 (volume 1 … 5 gives 0 … 10).
pub const VOLUME_POINTS: f64 = 2.5;

/// The factors, in the order they are shown.
pub const FACTORS: [&str; 6] = ["compliance", "time_since", "complaints", "risk_class", "volume", "licence_type"];

/// The weights and bands, as data (stored as JSON with a change history). Defaults:
/// every weight 1, band A from 45 points, band B from 25, inspected every 6 / 12 / 24 months.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Weights {
    pub compliance: f64,
    pub time_since: f64,
    pub complaints: f64,
    pub risk_class: f64,
    pub volume: f64,
    pub licence_type: f64,
    /// Months for the compliance history's recency weight to halve.
    pub half_life_months: f64,
    /// Totals from this are band A (high risk).
    pub band_a_min: f64,
    /// Totals from this (and below band A) are band B; below, band C.
    pub band_b_min: f64,
    /// Inspection frequency per band, in months.
    pub months_a: u32,
    pub months_b: u32,
    pub months_c: u32,
    /// Points of the licence-type factor per licence type code (types not listed score 0).
    pub type_points: BTreeMap<String, f64>,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            compliance: 1.0,
            time_since: 1.0,
            complaints: 1.0,
            risk_class: 1.0,
            volume: 1.0,
            licence_type: 1.0,
            half_life_months: 12.0,
            band_a_min: 45.0,
            band_b_min: 25.0,
            months_a: 6,
            months_b: 12,
            months_c: 24,
            type_points: [
                ("phf_hospital", 10.0),
                ("phf_day_procedure", 10.0),
                ("pharmacy_retail", 5.0),
                ("pharmacy_wholesale", 5.0),
                ("phf_clinic", 5.0),
                ("cm_retail", 0.0),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        }
    }
}

/// The largest weight a manager may set, and the range of other numbers.
pub const MAX_WEIGHT: f64 = 10.0;
pub const MAX_TYPE_POINTS: f64 = 50.0;
pub const MAX_BAND_POINTS: f64 = 500.0;
pub const MAX_MONTHS: u32 = 120;

/// One problem with a set of weights: the field and a stable code.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightProblem {
    pub field: String,
    pub code: &'static str,
}

impl Weights {
    /// The weight of a factor.
    pub fn weight(&self, factor: &str) -> f64 {
        match factor {
            "compliance" => self.compliance,
            "time_since" => self.time_since,
            "complaints" => self.complaints,
            "risk_class" => self.risk_class,
            "volume" => self.volume,
            "licence_type" => self.licence_type,
            _ => 0.0,
        }
    }

    /// Every problem at once (empty when the weights can be used).
    pub fn problems(&self) -> Vec<WeightProblem> {
        let mut p = vec![];
        let mut check = |field: String, v: f64, lo: f64, hi: f64, code: &'static str| {
            if !v.is_finite() || v < lo || v > hi {
                p.push(WeightProblem { field, code });
            }
        };
        for f in FACTORS {
            check(f.to_string(), self.weight(f), 0.0, MAX_WEIGHT, "reg_risk_weight_range");
        }
        check("half_life_months".into(), self.half_life_months, 1.0, f64::from(MAX_MONTHS), "reg_risk_months_range");
        check("band_a_min".into(), self.band_a_min, 0.0, MAX_BAND_POINTS, "reg_risk_band_range");
        check("band_b_min".into(), self.band_b_min, 0.0, MAX_BAND_POINTS, "reg_risk_band_range");
        for (k, v) in &self.type_points {
            check(format!("type_{k}"), *v, 0.0, MAX_TYPE_POINTS, "reg_risk_type_points_range");
        }
        for (f, m) in [("months_a", self.months_a), ("months_b", self.months_b), ("months_c", self.months_c)] {
            check(f.into(), f64::from(m), 1.0, f64::from(MAX_MONTHS), "reg_risk_months_range");
        }
        if p.iter().all(|e| !e.field.starts_with("band_")) && self.band_b_min >= self.band_a_min {
            p.push(WeightProblem { field: "band_b_min".into(), code: "reg_risk_band_order" });
        }
        if p.iter().all(|e| !e.field.starts_with("months_"))
            && !(self.months_a <= self.months_b && self.months_b <= self.months_c)
        {
            p.push(WeightProblem { field: "months_a".into(), code: "reg_risk_months_order" });
        }
        p
    }

    /// The inspection frequency of a band, in months.
    pub fn months(&self, band: Band) -> u32 {
        match band {
            Band::A => self.months_a,
            Band::B => self.months_b,
            Band::C => self.months_c,
        }
    }
}

/// A risk band: A high, B medium, C low.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Band {
    A,
    B,
    C,
}

impl Band {
    pub fn code(self) -> &'static str {
        match self {
            Band::A => "A",
            Band::B => "B",
            Band::C => "C",
        }
    }

    pub fn parse(s: &str) -> Option<Band> {
        match s {
            "A" => Some(Band::A),
            "B" => Some(Band::B),
            "C" => Some(Band::C),
            _ => None,
        }
    }
}

/// What the score is computed from, for one premises.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inputs {
    /// Done inspections with an outcome: (day, outcome code). Any order.
    pub outcomes: Vec<(NaiveDate, String)>,
    /// The day of the last done inspection (with or without an outcome).
    pub last_inspection: Option<NaiveDate>,
    /// Complaints about it received in the last 12 months (not rejected).
    pub complaints_12m: u32,
    /// Product or service risk class of its licence type, 1 … 3.
    pub risk_class: u8,
    /// Volume indicator 1 … 5.
    pub volume: i64,
    /// The licence type code of its riskiest licence.
    pub licence_type: Option<String>,
}

/// One factor of a score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Factor {
    /// compliance, time_since, complaints, risk_class, volume or licence_type.
    pub factor: String,
    /// The raw value: the recency-weighted outcome index, months since the last inspection
    /// (absent: never inspected), complaints in 12 months, risk class, volume; absent for the
    /// licence type (see `value_code`).
    pub value: Option<f64>,
    /// A code for a value that is not a number: the licence type code.
    pub value_code: Option<String>,
    /// Points before the weight.
    pub points: f64,
    pub weight: f64,
    /// points × weight.
    pub weighted: f64,
}

/// A premises' score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Score {
    pub total: f64,
    pub band: Band,
    /// Months between routine inspections in this band.
    pub frequency_months: u32,
    /// When the next routine inspection falls due: last inspection + frequency (today when never
    /// inspected).
    pub next_due: NaiveDate,
    pub factors: Vec<Factor>,
}

/// Whole months from `from` to `to` (0 when `to` is earlier), as a fraction: days / (365.25/12).
pub fn months_between(from: NaiveDate, to: NaiveDate) -> f64 {
    let days = (to - from).num_days().max(0) as f64;
    days / (365.25 / 12.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The recency-weighted outcome index: Σ points(outcome) × 0.5^(age in months / half-life)
/// over the outcomes of the last [`HISTORY_MONTHS`] months.
pub fn history_index(outcomes: &[(NaiveDate, String)], today: NaiveDate, half_life_months: f64) -> f64 {
    let horizon = today.checked_sub_months(Months::new(HISTORY_MONTHS)).unwrap_or(today);
    outcomes
        .iter()
        .filter(|(d, _)| *d > horizon && *d <= today)
        .map(|(d, o)| {
            let pts = OUTCOME_POINTS.iter().find(|(c, _)| c == o).map_or(0.0, |(_, p)| *p);
            pts * 0.5f64.powf(months_between(*d, today) / half_life_months)
        })
        .sum()
}

/// Points for the time since the last inspection: under 6 months 0, under 12 months 5, under 24
/// months 10, 24 months or more (or never) 15.
pub fn time_points(months: Option<f64>) -> f64 {
    match months {
        Some(m) if m < 6.0 => 0.0,
        Some(m) if m < 12.0 => 5.0,
        Some(m) if m < 24.0 => 10.0,
        _ => 15.0,
    }
}

/// Scores one premises on `today`.
pub fn score(inputs: &Inputs, w: &Weights, today: NaiveDate) -> Score {
    let mut factors = Vec::with_capacity(FACTORS.len());
    let mut push = |factor: &str, value: Option<f64>, value_code: Option<String>, points: f64| {
        let weight = w.weight(factor);
        factors.push(Factor {
            factor: factor.to_string(),
            value: value.map(round2),
            value_code,
            points: round2(points),
            weight,
            weighted: round2(points * weight),
        });
    };
    let index = history_index(&inputs.outcomes, today, w.half_life_months);
    push("compliance", Some(index), None, index.min(COMPLIANCE_CAP));
    let since = inputs.last_inspection.map(|d| months_between(d, today));
    push("time_since", since, None, time_points(since));
    let n = f64::from(inputs.complaints_12m);
    push("complaints", Some(n), None, (n * COMPLAINT_POINTS).min(COMPLAINT_CAP));
    let class = inputs.risk_class.clamp(1, 3);
    push("risk_class", Some(f64::from(class)), None, CLASS_POINTS[usize::from(class - 1)]);
    let volume = inputs.volume.clamp(1, 5);
    push("volume", Some(volume as f64), None, (volume - 1) as f64 * VOLUME_POINTS);
    let type_points = inputs.licence_type.as_ref().and_then(|t| w.type_points.get(t)).copied().unwrap_or(0.0);
    push("licence_type", None, inputs.licence_type.clone(), type_points);
    let total = round2(factors.iter().map(|f| f.weighted).sum());
    let band = band_of(total, w);
    let frequency_months = w.months(band);
    let next_due = match inputs.last_inspection {
        Some(d) => d.checked_add_months(Months::new(frequency_months)).unwrap_or(d),
        None => today,
    };
    Score { total, band, frequency_months, next_due, factors }
}

/// The band of a total.
pub fn band_of(total: f64, w: &Weights) -> Band {
    if total >= w.band_a_min {
        Band::A
    } else if total >= w.band_b_min {
        Band::B
    } else {
        Band::C
    }
}

/// Days ahead that the due list looks: a routine inspection falling due within them is listed.
pub const DUE_HORIZON_DAYS: i64 = 14;

/// Whether a premises needs a routine inspection row now, and the day it is due (never before
/// today).
pub fn due_on(score: &Score, today: NaiveDate) -> Option<NaiveDate> {
    (score.next_due <= today + chrono::Duration::days(DUE_HORIZON_DAYS)).then(|| score.next_due.max(today))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn factor<'a>(s: &'a Score, f: &str) -> &'a Factor {
        s.factors.iter().find(|x| x.factor == f).unwrap()
    }

    #[test]
    fn a_clean_small_low_risk_shop_inspected_last_month_is_band_c() {
        let today = d("2026-12-01");
        let i = Inputs {
            outcomes: vec![(d("2026-11-01"), "compliant".into())],
            last_inspection: Some(d("2026-11-01")),
            complaints_12m: 0,
            risk_class: 1,
            volume: 1,
            licence_type: Some("cm_retail".into()),
        };
        let s = score(&i, &Weights::default(), today);
        assert_eq!(s.total, 0.0);
        assert_eq!(s.band, Band::C);
        assert_eq!(s.frequency_months, 24);
        assert_eq!(s.next_due, d("2028-11-01"));
        assert_eq!(s.factors.len(), 6);
        assert_eq!(factor(&s, "time_since").value, Some(round2(30.0 / (365.25 / 12.0))));
        assert_eq!(due_on(&s, today), None);
    }

    #[test]
    fn hand_computed_high_risk_pharmacy() {
        // Today 2026-12-01. A warning 365 days ago (2025-12-01): 15 × 0.5^(365/30.4375/12)
        // = 15 × 0.5^0.99932 = 7.5035…; advice 730 days before today (2024-12-01, within 36
        // months): 5 × 0.5^(730/30.4375/12) = 5 × 0.5^1.99863 = 1.2512…; index 8.7547 → 8.75.
        let today = d("2026-12-01");
        let i = Inputs {
            outcomes: vec![(d("2025-12-01"), "warning".into()), (d("2024-12-01"), "advice".into())],
            last_inspection: Some(d("2025-12-01")),
            complaints_12m: 2,
            risk_class: 3,
            volume: 4,
            licence_type: Some("pharmacy_retail".into()),
        };
        let s = score(&i, &Weights::default(), today);
        let expected_index = 15.0 * 0.5f64.powf(365.0 / 30.4375 / 12.0) + 5.0 * 0.5f64.powf(730.0 / 30.4375 / 12.0);
        assert!((expected_index - 8.7547).abs() < 1e-3, "{expected_index}");
        assert_eq!(factor(&s, "compliance").points, 8.75);
        // 12.0 months since (365 / 30.4375 = 11.99…) → under 12 months: 5 points.
        assert_eq!(factor(&s, "time_since").points, 5.0);
        assert_eq!(factor(&s, "complaints").points, 10.0);
        assert_eq!(factor(&s, "risk_class").points, 20.0);
        assert_eq!(factor(&s, "volume").points, 7.5);
        assert_eq!(factor(&s, "licence_type").points, 5.0);
        assert_eq!(factor(&s, "licence_type").value_code.as_deref(), Some("pharmacy_retail"));
        // 8.75 + 5 + 10 + 20 + 7.5 + 5 = 56.25 ≥ 45 → band A, every 6 months from 2025-12-01.
        assert_eq!(s.total, 56.25);
        assert_eq!(s.band, Band::A);
        assert_eq!(s.next_due, d("2026-06-01"));
        assert_eq!(due_on(&s, today), Some(today));
    }

    #[test]
    fn weights_multiply_and_move_the_band() {
        let today = d("2026-12-01");
        let i = Inputs {
            outcomes: vec![],
            last_inspection: Some(d("2026-09-01")),
            complaints_12m: 5,
            risk_class: 2,
            volume: 3,
            licence_type: Some("phf_clinic".into()),
        };
        // 0 + 0 + 20 (capped) + 10 + 5 + 5 = 40 → band B, every 12 months.
        let s = score(&i, &Weights::default(), today);
        assert_eq!(s.total, 40.0);
        assert_eq!(s.band, Band::B);
        assert_eq!(s.next_due, d("2027-09-01"));
        // Complaints weighted 1.5: 30 + 10 + 5 + 5 = 50 → band A, every 6 months.
        let w = Weights { complaints: 1.5, ..Weights::default() };
        let s = score(&i, &w, today);
        assert_eq!(factor(&s, "complaints").weighted, 30.0);
        assert_eq!(factor(&s, "complaints").weight, 1.5);
        assert_eq!(s.total, 50.0);
        assert_eq!(s.band, Band::A);
        assert_eq!(s.next_due, d("2027-03-01"));
        assert_eq!(due_on(&s, today), None);
    }

    #[test]
    fn never_inspected_is_due_today_with_full_time_points() {
        let today = d("2026-12-01");
        let i = Inputs { risk_class: 1, volume: 1, ..Inputs::default() };
        let s = score(&i, &Weights::default(), today);
        assert_eq!(factor(&s, "time_since").value, None);
        assert_eq!(factor(&s, "time_since").points, 15.0);
        assert_eq!(factor(&s, "licence_type").points, 0.0);
        assert_eq!(s.total, 15.0);
        assert_eq!(s.next_due, today);
        assert_eq!(due_on(&s, today), Some(today));
    }

    #[test]
    fn old_outcomes_are_forgotten_and_the_history_is_capped() {
        let today = d("2026-12-01");
        assert_eq!(history_index(&[(d("2023-11-30"), "prosecution".into())], today, 12.0), 0.0);
        let recent: Vec<_> = (0..5).map(|k| (today - chrono::Duration::days(k), "prosecution".to_string())).collect();
        let i =
            Inputs { outcomes: recent, last_inspection: Some(today), risk_class: 1, volume: 1, ..Inputs::default() };
        let s = score(&i, &Weights::default(), today);
        assert!(factor(&s, "compliance").value.unwrap() > 120.0);
        assert_eq!(factor(&s, "compliance").points, COMPLIANCE_CAP);
    }

    #[test]
    fn time_points_steps() {
        assert_eq!(time_points(Some(5.99)), 0.0);
        assert_eq!(time_points(Some(6.0)), 5.0);
        assert_eq!(time_points(Some(12.0)), 10.0);
        assert_eq!(time_points(Some(24.0)), 15.0);
        assert_eq!(time_points(None), 15.0);
    }

    #[test]
    fn bad_weights_are_all_reported() {
        let w = Weights {
            compliance: -1.0,
            volume: f64::NAN,
            band_a_min: 20.0,
            band_b_min: 30.0,
            months_a: 0,
            ..Weights::default()
        };
        let fields: Vec<_> = w.problems().into_iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("compliance".to_string(), "reg_risk_weight_range"),
                ("volume".to_string(), "reg_risk_weight_range"),
                ("months_a".to_string(), "reg_risk_months_range"),
                ("band_b_min".to_string(), "reg_risk_band_order"),
            ]
        );
        assert!(Weights::default().problems().is_empty());
        let w = Weights { months_a: 24, months_c: 12, ..Weights::default() };
        assert_eq!(w.problems()[0].code, "reg_risk_months_order");
    }

    #[test]
    fn weights_round_trip_as_json_with_defaults_for_missing_fields() {
        let w: Weights = serde_json::from_str(r#"{"complaints": 2.0}"#).unwrap();
        assert_eq!(w.complaints, 2.0);
        assert_eq!(w.compliance, 1.0);
        assert_eq!(w.type_points.get("phf_hospital"), Some(&10.0));
        let back: Weights = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back, w);
    }

    #[test]
    fn scores_100k_premises_quickly() {
        // A smoke check only (the measured figure is in docs/regulatory/bench-risk.md).
        let today = d("2026-12-01");
        let w = Weights::default();
        let inputs: Vec<Inputs> = (0..1000)
            .map(|k| Inputs {
                outcomes: vec![(today - chrono::Duration::days(k % 700), "advice".into())],
                last_inspection: Some(today - chrono::Duration::days(k % 700)),
                complaints_12m: (k % 4) as u32,
                risk_class: (k % 3 + 1) as u8,
                volume: k % 5 + 1,
                licence_type: Some("pharmacy_retail".into()),
            })
            .collect();
        let bands: Vec<Band> = inputs.iter().map(|i| score(i, &w, today).band).collect();
        assert!(bands.contains(&Band::A) || bands.contains(&Band::B));
    }
}
