//! Scoring alarms against the injected truth: pure functions over plain data.
//!
//! For one series, the evaluated weeks are `first .. first + alarms.len()` (0-based week
//! indices, as `Outbreak::start`). An outbreak counts if it starts within them. It is detected
//! if an alarm falls in its detection window: its weeks, extended to `lag` weeks after its
//! start when it is shorter (`start ..= start + max(weeks − 1, lag)`). The delay is the first
//! alarm's week minus the start (0: detected in its first week).
//!
//! Weeks in no outbreak's detection window are quiet; an alarm in a quiet week is a false alarm.
//! Measures (as Noufaily et al. 2013 and Bédubourg and Le Strat 2017 name them):
//! - sensitivity, or probability of detection (POD): detected outbreaks / outbreaks;
//! - false alarms per year: false alarms / (evaluated weeks / 52), per series;
//! - specificity: quiet weeks without an alarm / quiet weeks (the false positive rate is
//!   1 − specificity);
//! - weekly sensitivity: outbreak weeks with an alarm / outbreak weeks;
//! - median delay among detected outbreaks (R's `median`: the mean of the middle two for an
//!   even count).

use crate::series::WEEKS_PER_YEAR;

/// Where an outbreak is, for scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First week (0-based).
    pub start: usize,
    /// Length in weeks (at least 1).
    pub weeks: usize,
}

impl Window {
    /// The last week of the detection window.
    fn last(&self, lag: usize) -> usize {
        self.start + self.weeks.max(1).saturating_sub(1).max(lag)
    }
}

/// The tallies of one series (or of many, added up).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub series: usize,
    pub weeks: usize,
    pub alarms: usize,
    pub outbreaks: usize,
    pub detected: usize,
    /// Delay of each detected outbreak (weeks from start to first alarm).
    pub delays: Vec<usize>,
    pub outbreak_weeks: usize,
    pub outbreak_weeks_alarmed: usize,
    pub quiet_weeks: usize,
    pub false_alarms: usize,
}

/// Scores the alarms of one series (`alarms[i]` is week `first + i`) against its outbreaks.
pub fn score(alarms: &[bool], first: usize, outbreaks: &[Window], lag: usize) -> Tally {
    let end = first + alarms.len();
    let alarm_at = |w: usize| w >= first && w < end && alarms[w - first];
    let mut in_window = vec![false; alarms.len()];
    let mut t =
        Tally { series: 1, weeks: alarms.len(), alarms: alarms.iter().filter(|&&a| a).count(), ..Default::default() };
    for o in outbreaks {
        let last = o.last(lag);
        for w in o.start.max(first)..=last {
            if w >= end {
                break;
            }
            in_window[w - first] = true;
        }
        if o.start < first || o.start >= end {
            continue;
        }
        t.outbreaks += 1;
        if let Some(w) = (o.start..=last).find(|&w| alarm_at(w)) {
            t.detected += 1;
            t.delays.push(w - o.start);
        }
        for w in o.start..=last.min(end - 1) {
            t.outbreak_weeks += 1;
            t.outbreak_weeks_alarmed += alarm_at(w) as usize;
        }
    }
    for (a, inside) in alarms.iter().zip(&in_window) {
        if !inside {
            t.quiet_weeks += 1;
            t.false_alarms += *a as usize;
        }
    }
    t
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.series += other.series;
        self.weeks += other.weeks;
        self.alarms += other.alarms;
        self.outbreaks += other.outbreaks;
        self.detected += other.detected;
        self.delays.extend_from_slice(&other.delays);
        self.outbreak_weeks += other.outbreak_weeks;
        self.outbreak_weeks_alarmed += other.outbreak_weeks_alarmed;
        self.quiet_weeks += other.quiet_weeks;
        self.false_alarms += other.false_alarms;
    }

    /// Detected / outbreaks (`None` without outbreaks).
    pub fn sensitivity(&self) -> Option<f64> {
        ratio(self.detected, self.outbreaks)
    }

    /// False alarms per series and year of 52 evaluated weeks.
    pub fn false_alarms_per_year(&self) -> Option<f64> {
        (self.weeks > 0).then(|| self.false_alarms as f64 / (self.weeks as f64 / WEEKS_PER_YEAR as f64))
    }

    /// Quiet weeks without an alarm / quiet weeks.
    pub fn specificity(&self) -> Option<f64> {
        ratio(self.quiet_weeks - self.false_alarms, self.quiet_weeks)
    }

    /// Outbreak weeks with an alarm / outbreak weeks.
    pub fn weekly_sensitivity(&self) -> Option<f64> {
        ratio(self.outbreak_weeks_alarmed, self.outbreak_weeks)
    }

    /// Median weeks from start to first alarm among detected outbreaks.
    pub fn median_delay(&self) -> Option<f64> {
        median(&self.delays)
    }

    /// Share of alarms that fall in an outbreak window (positive predictive value).
    pub fn ppv(&self) -> Option<f64> {
        ratio(self.alarms - self.false_alarms, self.alarms)
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// R's `median` of whole numbers (`None` when empty).
pub fn median(xs: &[usize]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarms_at(n: usize, weeks: &[usize]) -> Vec<bool> {
        (0..n).map(|i| weeks.contains(&i)).collect()
    }

    #[test]
    fn an_alarm_in_the_window_detects() {
        // Weeks 100..152 evaluated; outbreak at 110-112; alarm at 111 (index 11).
        let t = score(&alarms_at(52, &[11]), 100, &[Window { start: 110, weeks: 3 }], 0);
        assert_eq!((t.outbreaks, t.detected, t.delays.clone()), (1, 1, vec![1]));
        assert_eq!((t.false_alarms, t.quiet_weeks), (0, 49));
        assert_eq!((t.outbreak_weeks, t.outbreak_weeks_alarmed), (3, 1));
        assert_eq!(t.sensitivity(), Some(1.0));
        assert_eq!(t.false_alarms_per_year(), Some(0.0));
        assert_eq!(t.median_delay(), Some(1.0));
        assert_eq!(t.specificity(), Some(1.0));
        assert!((t.weekly_sensitivity().unwrap() - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn alarms_outside_are_false_alarms_per_year() {
        // 104 weeks = 2 years; alarms at 0, 5, 50 (quiet) and none in the outbreak at 60-61.
        let t = score(&alarms_at(104, &[0, 5, 50, 62]), 0, &[Window { start: 60, weeks: 2 }], 0);
        assert_eq!((t.outbreaks, t.detected), (1, 0));
        assert_eq!(t.false_alarms, 4, "week 62 is after the outbreak: a false alarm");
        assert_eq!(t.quiet_weeks, 102);
        assert_eq!(t.false_alarms_per_year(), Some(2.0));
        assert_eq!(t.sensitivity(), Some(0.0));
        assert_eq!(t.median_delay(), None);
        assert_eq!(t.specificity(), Some(98.0 / 102.0));
        assert_eq!(t.ppv(), Some(0.0));
    }

    #[test]
    fn lag_extends_the_detection_window() {
        let o = [Window { start: 10, weeks: 1 }];
        let a = alarms_at(52, &[12]);
        let strict = score(&a, 0, &o, 0);
        assert_eq!((strict.detected, strict.false_alarms), (0, 1));
        let lagged = score(&a, 0, &o, 2);
        assert_eq!((lagged.detected, lagged.false_alarms, lagged.delays.clone()), (1, 0, vec![2]));
        assert_eq!(lagged.quiet_weeks, 49);
        // A lag shorter than the outbreak changes nothing.
        let long = [Window { start: 10, weeks: 4 }];
        assert_eq!(score(&alarms_at(52, &[13]), 0, &long, 1).delays, vec![3]);
    }

    #[test]
    fn outbreaks_outside_the_range_are_not_counted_but_their_weeks_are_not_quiet() {
        // Evaluated 50..60; one outbreak 48-51 started before the range, one 58-61 runs past it.
        let o = [Window { start: 48, weeks: 4 }, Window { start: 58, weeks: 4 }];
        let t = score(&alarms_at(10, &[0, 9]), 50, &o, 0);
        assert_eq!(t.outbreaks, 1);
        assert_eq!((t.detected, t.delays.clone()), (1, vec![1]));
        assert_eq!(t.false_alarms, 0, "week 50 is in the first outbreak");
        assert_eq!(t.quiet_weeks, 10 - 2 - 2);
        assert_eq!(t.outbreak_weeks, 2, "only weeks within the range");
    }

    #[test]
    fn medians_and_sums() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3]), Some(3.0));
        assert_eq!(median(&[4, 0, 1]), Some(1.0));
        assert_eq!(median(&[0, 1, 2, 5]), Some(1.5));
        let mut total = Tally::default();
        total.add(&score(&alarms_at(52, &[3]), 0, &[Window { start: 3, weeks: 2 }], 0));
        total.add(&score(&alarms_at(52, &[20, 30]), 0, &[Window { start: 10, weeks: 1 }], 0));
        total.add(&score(&alarms_at(52, &[41]), 0, &[Window { start: 40, weeks: 3 }], 0));
        assert_eq!((total.series, total.outbreaks, total.detected), (3, 3, 2));
        assert_eq!(total.sensitivity(), Some(2.0 / 3.0));
        assert_eq!(total.false_alarms_per_year(), Some(2.0 / 3.0));
        assert_eq!(total.median_delay(), Some(0.5));
        assert_eq!(total.alarms, 4);
        assert_eq!(total.ppv(), Some(0.5));
        assert_eq!(Tally::default().sensitivity(), None);
    }
}
