//! Where work waits: throughput times of cases, and the waiting time before each activity
//! (median and 90th percentile, by role when the log has `org:role`), plus the median wait on
//! each directly-follows edge. Pure; cases go in one at a time, already ordered by time.
//!
//! Definitions (written down so that the figures can be checked by hand):
//! - A case's events become *steps*: a `start` event and the next `complete` event of the same
//!   activity make one step from start to complete; any other event with lifecycle `complete`
//!   or none is a step of no duration; other transitions (schedule, assign, suspend…) are left
//!   out here (they still count in the directly-follows graph). A `start` never completed is a
//!   step of no duration.
//! - The wait before a step is its start minus the end of the step before it in the case (never
//!   below zero, for steps that overlap). The first step of a case has no wait.
//! - Service time is a step's end minus its start (only reported when the log has `start`
//!   events for that activity).
//! - Throughput time is the end of a case's last step minus the start of its first.
//! - Percentiles interpolate linearly between order statistics (R's type 7, numpy's default):
//!   the median of 1, 2, 3, 10 is 2.5, its 90th percentile 7.9.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Trace;

/// One unit of work in a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub activity: String,
    pub role: Option<String>,
    pub start: i64,
    pub end: i64,
    /// Whether the step was measured from a `start` event.
    pub timed: bool,
}

/// The steps of one (ordered) case, in order of their start.
pub fn steps(t: &Trace) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(t.events.len());
    let mut open: HashMap<&str, std::collections::VecDeque<usize>> = HashMap::new();
    for e in &t.events {
        let life = e.lifecycle.as_deref().map(str::to_ascii_lowercase);
        match life.as_deref() {
            Some("start") => {
                open.entry(e.activity.as_str()).or_default().push_back(out.len());
                out.push(Step {
                    activity: e.activity.clone(),
                    role: e.role.clone(),
                    start: e.at,
                    end: e.at,
                    timed: true,
                });
            }
            None | Some("complete") => {
                if let Some(i) = open.get_mut(e.activity.as_str()).and_then(|q| q.pop_front()) {
                    let s = &mut out[i];
                    s.end = e.at;
                    if s.role.is_none() {
                        s.role = e.role.clone();
                    }
                } else {
                    out.push(Step {
                        activity: e.activity.clone(),
                        role: e.role.clone(),
                        start: e.at,
                        end: e.at,
                        timed: false,
                    });
                }
            }
            Some(_) => {}
        }
    }
    out
}

/// The `p`-quantile (0 ≤ p ≤ 1) of sorted values, type 7. None when empty.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Throughput times of the cases, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Throughput {
    pub cases: u64,
    pub median_s: Option<f64>,
    pub p90_s: Option<f64>,
    pub mean_s: Option<f64>,
    pub min_s: Option<f64>,
    pub max_s: Option<f64>,
}

/// Waiting before one activity (performed by one role), in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bottleneck {
    pub activity: String,
    pub role: Option<String>,
    /// Waits measured (steps that had a step before them).
    pub count: u64,
    pub median_wait_s: f64,
    pub p90_wait_s: f64,
    pub median_service_s: Option<f64>,
}

/// The median wait on one directly-follows edge between steps, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgeWait {
    pub from: String,
    pub to: String,
    pub count: u64,
    pub median_wait_s: f64,
}

/// Everything `phos workflow performance` prints.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Performance {
    pub throughput: Throughput,
    /// Longest median wait first.
    pub bottlenecks: Vec<Bottleneck>,
    /// Most frequent first.
    pub edges: Vec<EdgeWait>,
}

/// Waits and service times, in seconds.
type Samples = (Vec<f64>, Vec<f64>);

/// Accumulates cases into a [`Performance`]. Holds one number per step.
#[derive(Debug, Default)]
pub struct PerformanceBuilder {
    throughput: Vec<f64>,
    /// By (activity, role): the waits before it and its service times, in seconds.
    waits: HashMap<(String, Option<String>), Samples>,
    edges: HashMap<(String, String), Vec<f64>>,
}

fn seconds(us: i64) -> f64 {
    us as f64 / 1e6
}

impl PerformanceBuilder {
    pub fn new() -> PerformanceBuilder {
        PerformanceBuilder::default()
    }

    pub fn add_trace(&mut self, t: &Trace) {
        let steps = steps(t);
        let (Some(first), Some(last)) = (steps.first(), steps.iter().map(|s| s.end).max()) else {
            return;
        };
        self.throughput.push(seconds(last - first.start));
        let mut prev: Option<&Step> = None;
        for s in &steps {
            let entry = self.waits.entry((s.activity.clone(), s.role.clone())).or_default();
            if s.timed {
                entry.1.push(seconds(s.end - s.start));
            }
            if let Some(p) = prev {
                let wait = seconds((s.start - p.end).max(0));
                entry.0.push(wait);
                self.edges.entry((p.activity.clone(), s.activity.clone())).or_default().push(wait);
            }
            prev = Some(s);
        }
    }

    pub fn finish(self) -> Performance {
        let sort = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v
        };
        let tp = sort(self.throughput);
        let throughput = Throughput {
            cases: tp.len() as u64,
            median_s: quantile(&tp, 0.5),
            p90_s: quantile(&tp, 0.9),
            mean_s: (!tp.is_empty()).then(|| tp.iter().sum::<f64>() / tp.len() as f64),
            min_s: tp.first().copied(),
            max_s: tp.last().copied(),
        };
        let mut bottlenecks: Vec<Bottleneck> = self
            .waits
            .into_iter()
            .filter(|(_, (w, _))| !w.is_empty())
            .map(|((activity, role), (w, s))| {
                let (w, s) = (sort(w), sort(s));
                Bottleneck {
                    activity,
                    role,
                    count: w.len() as u64,
                    median_wait_s: quantile(&w, 0.5).unwrap_or(0.0),
                    p90_wait_s: quantile(&w, 0.9).unwrap_or(0.0),
                    median_service_s: quantile(&s, 0.5),
                }
            })
            .collect();
        bottlenecks.sort_by(|a, b| {
            b.median_wait_s
                .total_cmp(&a.median_wait_s)
                .then(b.p90_wait_s.total_cmp(&a.p90_wait_s))
                .then_with(|| a.activity.cmp(&b.activity))
                .then_with(|| a.role.cmp(&b.role))
        });
        let mut edges: Vec<EdgeWait> = self
            .edges
            .into_iter()
            .map(|((from, to), w)| {
                let w = sort(w);
                EdgeWait { from, to, count: w.len() as u64, median_wait_s: quantile(&w, 0.5).unwrap_or(0.0) }
            })
            .collect();
        edges.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.from.cmp(&b.from)).then_with(|| a.to.cmp(&b.to)));
        Performance { throughput, bottlenecks, edges }
    }
}

/// The performance of a set of ordered cases.
pub fn performance<'a>(cases: impl IntoIterator<Item = &'a Trace>) -> Performance {
    let mut b = PerformanceBuilder::new();
    for t in cases {
        b.add_trace(t);
    }
    b.finish()
}

/// Throughput time per variant (activities joined by " → "): count and median seconds.
pub fn variant_throughput<'a>(cases: impl IntoIterator<Item = &'a Trace>) -> BTreeMap<String, (u64, f64)> {
    let mut by: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for t in cases {
        let (Some(first), Some(last)) = (t.events.first(), t.events.iter().map(|e| e.at).max()) else { continue };
        let key = t.events.iter().map(|e| e.activity.as_str()).collect::<Vec<_>>().join(" → ");
        by.entry(key).or_default().push(seconds(last - first.at));
    }
    by.into_iter()
        .map(|(k, mut v)| {
            v.sort_by(f64::total_cmp);
            (k, (v.len() as u64, quantile(&v, 0.5).unwrap_or(0.0)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Event;
    use super::*;

    const H: i64 = 3_600_000_000;

    fn ev(a: &str, hour: i64, life: Option<&str>, role: Option<&str>) -> Event {
        Event {
            activity: a.into(),
            at: hour * H,
            lifecycle: life.map(Into::into),
            role: role.map(Into::into),
            resource: None,
        }
    }

    #[test]
    fn quantiles_are_type_7() {
        let v = [1.0, 2.0, 3.0, 10.0];
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert!((quantile(&v, 0.9).unwrap() - 7.9).abs() < 1e-12);
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(10.0));
        assert_eq!(quantile(&[4.0], 0.9), Some(4.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn start_and_complete_pair_into_steps() {
        let t = Trace {
            name: None,
            events: vec![
                ev("A", 0, Some("start"), Some("clerk")),
                ev("A", 1, Some("complete"), None),
                ev("B", 3, Some("schedule"), None),
                ev("B", 4, Some("START"), Some("officer")),
                ev("C", 4, None, None),
                ev("B", 6, Some("complete"), Some("officer")),
            ],
        };
        let s = steps(&t);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].start, s[0].end, s[0].role.as_deref()), (0, H, Some("clerk")));
        assert_eq!((s[1].activity.as_str(), s[1].start, s[1].end, s[1].timed), ("B", 4 * H, 6 * H, true));
        assert_eq!((s[2].activity.as_str(), s[2].start, s[2].end, s[2].timed), ("C", 4 * H, 4 * H, false));
    }

    /// Three cases by hand (hours):
    /// c1: A@0, B@2 (clerk), C@10 (officer)          waits: B 2, C 8   throughput 10
    /// c2: A@0, B@4 (clerk), C@5 (officer)           waits: B 4, C 1   throughput 5
    /// c3: A@0, B@6 (clerk), C@26 (manager)          waits: B 6, C 20  throughput 26
    #[test]
    fn hand_computed_waits_by_role_and_throughput() {
        let case = |b: i64, c: i64, role_c: &str| Trace {
            name: None,
            events: vec![ev("A", 0, None, None), ev("B", b, None, Some("clerk")), ev("C", c, None, Some(role_c))],
        };
        let cases = [case(2, 10, "officer"), case(4, 5, "officer"), case(6, 26, "manager")];
        let p = performance(cases.iter());
        assert_eq!(p.throughput.cases, 3);
        assert_eq!(p.throughput.median_s, Some(10.0 * 3600.0));
        // type 7: 10 + 0.8 * (26 - 10) = 22.8 h
        assert!((p.throughput.p90_s.unwrap() - 22.8 * 3600.0).abs() < 1e-6);
        assert_eq!(p.throughput.mean_s, Some(41.0 / 3.0 * 3600.0));
        assert_eq!(p.throughput.min_s, Some(5.0 * 3600.0));
        assert_eq!(p.throughput.max_s, Some(26.0 * 3600.0));

        let row =
            |a: &str, r: &str| p.bottlenecks.iter().find(|b| b.activity == a && b.role.as_deref() == Some(r)).unwrap();
        // C by manager: one wait of 20 h; C by officer: 8 h and 1 h (median 4.5, p90 1 + 0.9 * 7 = 7.3)
        assert_eq!(p.bottlenecks[0].activity, "C");
        assert_eq!(p.bottlenecks[0].role.as_deref(), Some("manager"));
        assert_eq!(row("C", "manager").median_wait_s, 20.0 * 3600.0);
        assert_eq!(row("C", "officer").count, 2);
        assert_eq!(row("C", "officer").median_wait_s, 4.5 * 3600.0);
        assert!((row("C", "officer").p90_wait_s - 7.3 * 3600.0).abs() < 1e-6);
        // B by clerk: 2, 4, 6 h: median 4, p90 2 + 1.8 * 2 ... = 5.6
        assert_eq!(row("B", "clerk").median_wait_s, 4.0 * 3600.0);
        assert!((row("B", "clerk").p90_wait_s - 5.6 * 3600.0).abs() < 1e-6);
        assert_eq!(row("B", "clerk").median_service_s, None);
        assert!(p.bottlenecks.iter().all(|b| b.activity != "A"), "the first step has no wait");
        // Edges: A→B waits 2, 4, 6 (median 4); B→C waits 8, 1, 20 (median 8).
        let e = |f: &str, t: &str| p.edges.iter().find(|e| e.from == f && e.to == t).unwrap();
        assert_eq!((e("A", "B").count, e("A", "B").median_wait_s), (3, 4.0 * 3600.0));
        assert_eq!(e("B", "C").median_wait_s, 8.0 * 3600.0);
    }

    #[test]
    fn waits_run_from_the_previous_completion_and_service_is_measured() {
        // A 0–1 h; B starts at 3 h, completes at 5 h: wait 2 h, service 2 h.
        let t = Trace {
            name: None,
            events: vec![
                ev("A", 0, Some("start"), None),
                ev("A", 1, Some("complete"), None),
                ev("B", 3, Some("start"), None),
                ev("B", 5, Some("complete"), None),
            ],
        };
        let p = performance([&t]);
        assert_eq!(p.bottlenecks.len(), 1);
        assert_eq!(p.bottlenecks[0].median_wait_s, 2.0 * 3600.0);
        assert_eq!(p.bottlenecks[0].median_service_s, Some(2.0 * 3600.0));
        assert_eq!(p.bottlenecks[0].role, None);
        assert_eq!(p.throughput.median_s, Some(5.0 * 3600.0));
    }

    #[test]
    fn overlapping_steps_never_wait_below_zero_and_empty_logs_are_empty() {
        let t = Trace {
            name: None,
            events: vec![ev("A", 0, Some("start"), None), ev("B", 1, None, None), ev("A", 2, Some("complete"), None)],
        };
        let p = performance([&t]);
        assert_eq!(p.bottlenecks[0].median_wait_s, 0.0);
        assert_eq!(performance(std::iter::empty()), Performance::default());
    }

    #[test]
    fn variants_have_their_throughput() {
        let a = Trace { name: None, events: vec![ev("A", 0, None, None), ev("B", 2, None, None)] };
        let b = Trace { name: None, events: vec![ev("A", 0, None, None), ev("B", 4, None, None)] };
        let v = variant_throughput([&a, &b]);
        assert_eq!(v["A → B"], (2, 3.0 * 3600.0));
    }
}
