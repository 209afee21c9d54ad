//! Timeliness: delays counted per (disease, report week, classification, kind, days),
//! kept in step with the cases like the weekly counts, and percentiles read from those histograms.
//!
//! Two delays are counted for each case:
//! - `onset_to_notification`: days from onset to the first notification's Hong Kong date (cases
//!   with a known onset);
//! - `notification_to_followup`: days from the first notification to the first daily follow-up
//!   record of any of the case's contacts (cases with such a record).
//!
//! A delay below zero (an onset corrected to after the notification, a follow-up recorded for a
//! day before the notification) counts as zero days.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::weeks::week_start;

pub const ONSET_TO_NOTIFICATION: &str = "onset_to_notification";
pub const NOTIFICATION_TO_FOLLOWUP: &str = "notification_to_followup";
pub const KINDS: [&str; 2] = [ONSET_TO_NOTIFICATION, NOTIFICATION_TO_FOLLOWUP];

/// One cell of the delay counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DelayCell {
    pub disease: String,
    /// `YYYY-MM-DD`, the Monday of the report week.
    pub week_start: String,
    pub classification: String,
    pub kind: &'static str,
    pub days: i64,
}

/// What of a case the delays depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseTimes<'a> {
    pub disease: &'a str,
    pub notified_date: &'a str,
    pub district: &'a str,
    pub classification: &'a str,
    pub onset_date: Option<&'a str>,
    pub first_followup_date: Option<&'a str>,
}

fn day(s: &str) -> Option<NaiveDate> {
    s.parse().ok()
}

/// The cells a case counts in (none, one or two).
pub fn cells(t: &CaseTimes) -> Vec<DelayCell> {
    let Some(notified) = day(t.notified_date) else { return vec![] };
    let cell = |kind: &'static str, days: i64| DelayCell {
        disease: t.disease.to_string(),
        week_start: week_start(notified).to_string(),
        classification: t.classification.to_string(),
        kind,
        days: days.max(0),
    };
    let mut out = vec![];
    if let Some(onset) = t.onset_date.and_then(day) {
        out.push(cell(ONSET_TO_NOTIFICATION, (notified - onset).num_days()));
    }
    if let Some(f) = t.first_followup_date.and_then(day) {
        out.push(cell(NOTIFICATION_TO_FOLLOWUP, (f - notified).num_days()));
    }
    out
}

/// Deltas summed per cell (zeroes dropped), applied in the transaction of the change.
#[derive(Clone, Debug, Default)]
pub struct DelayDeltas(BTreeMap<DelayCell, i64>);

impl DelayDeltas {
    pub fn add(&mut self, t: &CaseTimes, n: i64) {
        for c in cells(t) {
            *self.0.entry(c).or_insert(0) += n;
        }
    }

    /// A case changed from `before` to `after`.
    pub fn moved(&mut self, before: &CaseTimes, after: &CaseTimes) {
        if before != after {
            self.add(before, -1);
            self.add(after, 1);
        }
    }

    pub fn into_vec(self) -> Vec<(DelayCell, i64)> {
        self.0.into_iter().filter(|(_, n)| *n != 0).collect()
    }
}

/// The `p` quantile (0..=1) of a histogram of (value, count), interpolated between order
/// statistics like R's default `quantile(type = 7)`: the median of 1, 2, 3, 4 is 2.5.
pub fn quantile(hist: &[(i64, i64)], p: f64) -> Option<f64> {
    let mut h: Vec<(i64, i64)> = hist.iter().copied().filter(|(_, n)| *n > 0).collect();
    h.sort();
    let total: i64 = h.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let pos = (total - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = pos.floor() as i64;
    let frac = pos - lo as f64;
    let nth = |k: i64| -> f64 {
        let mut seen = 0;
        for (v, n) in &h {
            seen += n;
            if k < seen {
                return *v as f64;
            }
        }
        h.last().map(|(v, _)| *v as f64).unwrap_or(0.0)
    };
    let a = nth(lo);
    Some(if frac > 0.0 { a + frac * (nth(lo + 1) - a) } else { a })
}

/// Share (0..=1) of the histogram at or below `limit`.
pub fn share_within(hist: &[(i64, i64)], limit: i64) -> Option<f64> {
    let total: i64 = hist.iter().map(|(_, n)| (*n).max(0)).sum();
    (total > 0)
        .then(|| hist.iter().filter(|(v, _)| *v <= limit).map(|(_, n)| (*n).max(0)).sum::<i64>() as f64 / total as f64)
}

/// Days allowed from onset to notification for a notification time frame: the time frame runs
/// from diagnosis, so this reads it as "notified within N days of onset" (immediately and 24 h: 1).
pub fn allowed_days(notify_within: &str) -> i64 {
    match notify_within {
        "72h" => 3,
        "7d" => 7,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times<'a>(onset: Option<&'a str>, follow: Option<&'a str>, class: &'a str) -> CaseTimes<'a> {
        CaseTimes {
            disease: "measles",
            notified_date: "2026-03-04",
            district: "KT",
            classification: class,
            onset_date: onset,
            first_followup_date: follow,
        }
    }

    #[test]
    fn cells_of_a_case() {
        assert!(cells(&times(None, None, "confirmed")).is_empty());
        let c = cells(&times(Some("2026-03-01"), Some("2026-03-06"), "confirmed"));
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].kind, c[0].days, c[0].week_start.as_str()), (ONSET_TO_NOTIFICATION, 3, "2026-03-02"));
        assert_eq!((c[1].kind, c[1].days), (NOTIFICATION_TO_FOLLOWUP, 2));
        // Negative delays count as zero.
        let c = cells(&times(Some("2026-03-09"), Some("2026-03-01"), "confirmed"));
        assert_eq!((c[0].days, c[1].days), (0, 0));
    }

    #[test]
    fn deltas_follow_changes() {
        let a = times(Some("2026-03-01"), None, "suspected");
        let b = times(Some("2026-03-01"), None, "confirmed");
        let c = times(Some("2026-03-01"), Some("2026-03-05"), "confirmed");
        let mut d = DelayDeltas::default();
        d.add(&a, 1);
        d.moved(&a, &b);
        d.moved(&b, &c);
        let v = d.into_vec();
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(v.iter().all(|(c, n)| *n == 1 && c.classification == "confirmed"));
        let mut d = DelayDeltas::default();
        d.moved(&a, &a);
        assert!(d.into_vec().is_empty());
    }

    #[test]
    fn quantiles_match_r_type_7() {
        // quantile(c(1,2,3,4)) in R: 50% 2.5, 90% 3.7.
        let h = [(1, 1), (2, 1), (3, 1), (4, 1)];
        assert_eq!(quantile(&h, 0.5), Some(2.5));
        assert!((quantile(&h, 0.9).unwrap() - 3.7).abs() < 1e-12);
        // quantile(c(0,0,0,1,5,5,9), 0.9) = 6.6; median 1.
        let h = [(5, 2), (0, 3), (1, 1), (9, 1)];
        assert_eq!(quantile(&h, 0.5), Some(1.0));
        assert!((quantile(&h, 0.9).unwrap() - 6.6).abs() < 1e-12);
        assert_eq!(quantile(&[(7, 1)], 0.9), Some(7.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[(3, 0)], 0.5), None);
        assert_eq!(share_within(&[(0, 1), (1, 1), (5, 2)], 1), Some(0.5));
        assert_eq!(share_within(&[], 1), None);
        assert_eq!(allowed_days("72h"), 3);
        assert_eq!(allowed_days("immediately"), 1);
    }
}
