//! Staffing what-if, pure: replay the recorded work of an event log (its variants, the service
//! time of each activity, the gaps between arriving cases) against N people per role, and
//! report waiting, utilisation and SLA breaches per scenario. Deterministic by seed.
//!
//! The model, so that a run can be checked by hand:
//! - each simulated case follows a recorded variant, drawn with its recorded frequency; its
//!   steps are those of [`crate::mining::performance::steps`] (activity and role);
//! - cases arrive one after another, the gaps drawn from the recorded gaps between case starts
//!   (the first case arrives at 0);
//! - a step's service time is drawn from that activity's recorded service times (steps with a
//!   `start` and a `complete`); an activity never timed takes no time;
//! - a role listed in the scenario has that many people, each doing one step at a time, first
//!   come first served; a role not listed (or no role) is not limited;
//! - time runs continuously (the business calendar is not applied yet);
//! - a case breaches the SLA when its throughput time exceeds the target.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::mining::Trace;
use crate::mining::performance::{quantile, steps};

/// One step of a recorded variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    pub activity: String,
    pub role: Option<String>,
}

/// What the simulation replays, learnt from an event log.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Variants and how many recorded cases followed each.
    pub variants: Vec<(Vec<Step>, u64)>,
    /// Recorded service times per activity, in ms.
    pub service: HashMap<String, Vec<i64>>,
    /// Recorded gaps between consecutive case starts, in ms.
    pub gaps: Vec<i64>,
}

impl Model {
    /// Learns the model from ordered cases (times in µs, as the mining readers give them).
    pub fn from_traces<'a>(traces: impl IntoIterator<Item = &'a Trace>) -> Model {
        let mut variants: HashMap<Vec<Step>, u64> = HashMap::new();
        let mut service: HashMap<String, Vec<i64>> = HashMap::new();
        let mut starts = Vec::new();
        for t in traces {
            let s = steps(t);
            let Some(first) = s.first() else { continue };
            starts.push(first.start / 1000);
            for st in s.iter().filter(|st| st.timed) {
                service.entry(st.activity.clone()).or_default().push((st.end - st.start) / 1000);
            }
            let v: Vec<Step> = s.into_iter().map(|st| Step { activity: st.activity, role: st.role }).collect();
            *variants.entry(v).or_default() += 1;
        }
        starts.sort_unstable();
        let gaps = starts.windows(2).map(|w| w[1] - w[0]).collect();
        let mut variants: Vec<(Vec<Step>, u64)> = variants.into_iter().collect();
        variants.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| format!("{:?}", a.0).cmp(&format!("{:?}", b.0))));
        Model { variants, service, gaps }
    }
}

/// A staffing scenario: people per role.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scenario {
    pub name: String,
    pub staff: BTreeMap<String, u32>,
}

/// What one scenario gave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub scenario: String,
    pub cases: u64,
    /// Waiting time before steps (for a person to be free), in seconds.
    pub mean_wait_s: f64,
    pub p90_wait_s: f64,
    pub mean_throughput_s: f64,
    /// Busy time over the people's available time, per limited role.
    pub utilisation: BTreeMap<String, f64>,
    /// Cases whose throughput time exceeded the target.
    pub sla_breaches: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrive(usize),
    Done(usize),
}

struct Case {
    variant: usize,
    next: usize,
    arrived: i64,
    ready: i64,
}

/// Runs `cases` simulated cases of `model` under `scenario`.
pub fn simulate(model: &Model, scenario: &Scenario, cases: usize, sla_ms: Option<i64>, seed: u64) -> Report {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let total_weight: u64 = model.variants.iter().map(|v| v.1).sum();
    let mut heap: BinaryHeap<Reverse<(i64, u64, Ev)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |heap: &mut BinaryHeap<_>, t: i64, e: Ev| {
        seq += 1;
        heap.push(Reverse((t, seq, e)));
    };
    let mut all: Vec<Case> = Vec::with_capacity(cases);
    let mut at = 0i64;
    if total_weight > 0 {
        for i in 0..cases {
            if i > 0 && !model.gaps.is_empty() {
                at += model.gaps[rng.random_range(0..model.gaps.len())];
            }
            let mut pick = rng.random_range(0..total_weight);
            let variant = model
                .variants
                .iter()
                .position(|(_, w)| {
                    if pick < *w {
                        true
                    } else {
                        pick -= w;
                        false
                    }
                })
                .unwrap_or(0);
            all.push(Case { variant, next: 0, arrived: at, ready: at });
            push(&mut heap, at, Ev::Arrive(i));
        }
    }
    let mut free: HashMap<&str, u32> = scenario.staff.iter().map(|(r, n)| (r.as_str(), *n)).collect();
    let mut queues: HashMap<&str, VecDeque<usize>> = HashMap::new();
    let mut busy: HashMap<&str, i64> = HashMap::new();
    let mut waits: Vec<f64> = Vec::new();
    let mut throughput: Vec<f64> = Vec::new();
    let mut breaches = 0u64;
    let mut end = 0i64;
    let mut holding: Vec<Option<&str>> = vec![None; all.len()];

    let service = |rng: &mut ChaCha8Rng, activity: &str| -> i64 {
        match model.service.get(activity) {
            Some(v) if !v.is_empty() => v[rng.random_range(0..v.len())],
            _ => 0,
        }
    };

    while let Some(Reverse((t, _, ev))) = heap.pop() {
        end = end.max(t);
        let c = match ev {
            Ev::Arrive(c) => c,
            Ev::Done(c) => {
                // The person who did the step takes the next case in their role's queue.
                if let Some(role) = holding[c].take() {
                    if let Some(next) = queues.get_mut(role).and_then(VecDeque::pop_front) {
                        let step = &model.variants[all[next].variant].0[all[next].next];
                        waits.push((t - all[next].ready) as f64 / 1000.0);
                        let d = service(&mut rng, &step.activity);
                        *busy.entry(role).or_default() += d;
                        holding[next] = Some(role);
                        push(&mut heap, t + d, Ev::Done(next));
                    } else {
                        *free.get_mut(role).expect("limited role") += 1;
                    }
                }
                all[c].next += 1;
                c
            }
        };
        // Case `c` is ready for its next step at `t`.
        let steps = &model.variants[all[c].variant].0;
        let Some(step) = steps.get(all[c].next) else {
            let tp = t - all[c].arrived;
            throughput.push(tp as f64 / 1000.0);
            if sla_ms.is_some_and(|s| tp > s) {
                breaches += 1;
            }
            continue;
        };
        all[c].ready = t;
        let limited = step.role.as_deref().and_then(|r| scenario.staff.get_key_value(r)).map(|(r, _)| r.as_str());
        match limited {
            None => {
                waits.push(0.0);
                let d = service(&mut rng, &step.activity);
                push(&mut heap, t + d, Ev::Done(c));
            }
            Some(role) => {
                let f = free.get_mut(role).expect("limited role");
                if *f > 0 {
                    *f -= 1;
                    waits.push(0.0);
                    let d = service(&mut rng, &step.activity);
                    *busy.entry(role).or_default() += d;
                    holding[c] = Some(role);
                    push(&mut heap, t + d, Ev::Done(c));
                } else {
                    queues.entry(role).or_default().push_back(c);
                }
            }
        }
    }
    let mut sorted = waits.clone();
    sorted.sort_by(f64::total_cmp);
    let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    let utilisation = scenario
        .staff
        .iter()
        .map(|(r, n)| {
            let available = (*n as i64) * end;
            let b = busy.get(r.as_str()).copied().unwrap_or(0);
            (r.clone(), if available > 0 { b as f64 / available as f64 } else { 0.0 })
        })
        .collect();
    Report {
        scenario: scenario.name.clone(),
        cases: throughput.len() as u64,
        mean_wait_s: mean(&waits),
        p90_wait_s: quantile(&sorted, 0.9).unwrap_or(0.0),
        mean_throughput_s: mean(&throughput),
        utilisation,
        sla_breaches: breaches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mining::Event;

    const MIN: i64 = 60_000;

    /// One step "Review" by one role, always 15 minutes; cases 10 minutes apart.
    fn model() -> Model {
        Model {
            variants: vec![(vec![Step { activity: "Review".into(), role: Some("officer".into()) }], 1)],
            service: HashMap::from([("Review".into(), vec![15 * MIN])]),
            gaps: vec![10 * MIN],
        }
    }

    fn scenario(n: u32) -> Scenario {
        Scenario { name: format!("{n} officers"), staff: BTreeMap::from([("officer".into(), n)]) }
    }

    /// Arrivals at 0, 10, 20 min; one officer: starts 0, 15, 30 → waits 0, 5, 10 min, done at
    /// 15, 30, 45 (throughput 15, 20, 25); busy 45 of 45 min.
    #[test]
    fn one_person_queues_the_cases_as_computed_by_hand() {
        let r = simulate(&model(), &scenario(1), 3, Some(20 * MIN), 7);
        assert_eq!(r.cases, 3);
        assert_eq!(r.mean_wait_s, 300.0);
        assert!((r.p90_wait_s - 540.0).abs() < 1e-9, "type 7: 5 + 0.8 × 5 min");
        assert_eq!(r.mean_throughput_s, 20.0 * 60.0);
        assert_eq!(r.utilisation["officer"], 1.0);
        assert_eq!(r.sla_breaches, 1, "only the 25-minute case breaches 20 minutes");
    }

    /// Two officers: nobody waits; busy 45 min of 2 × 35 min.
    #[test]
    fn two_people_remove_the_wait() {
        let r = simulate(&model(), &scenario(2), 3, Some(20 * MIN), 7);
        assert_eq!((r.mean_wait_s, r.sla_breaches), (0.0, 0));
        assert!((r.utilisation["officer"] - 45.0 / 70.0).abs() < 1e-9);
        // A role the scenario does not limit never waits.
        let r = simulate(&model(), &Scenario::default(), 3, None, 7);
        assert_eq!((r.cases, r.mean_wait_s), (3, 0.0));
    }

    #[test]
    fn learns_from_a_log_and_is_deterministic_by_seed() {
        let ev = |a: &str, min: i64, life: &str, role: &str| Event {
            activity: a.into(),
            at: min * MIN * 1000,
            lifecycle: Some(life.into()),
            role: Some(role.into()),
            resource: None,
        };
        let traces = [
            Trace { name: None, events: vec![ev("A", 0, "start", "clerk"), ev("A", 5, "complete", "clerk")] },
            Trace { name: None, events: vec![ev("A", 30, "start", "clerk"), ev("A", 40, "complete", "clerk")] },
            Trace {
                name: None,
                events: vec![
                    ev("A", 45, "start", "clerk"),
                    ev("A", 50, "complete", "clerk"),
                    ev("B", 60, "complete", "boss"),
                ],
            },
        ];
        let m = Model::from_traces(traces.iter());
        assert_eq!(m.gaps, [30 * MIN, 15 * MIN]);
        assert_eq!(m.service["A"], [5 * MIN, 10 * MIN, 5 * MIN]);
        assert_eq!(m.variants[0].1, 2);
        let s = Scenario { name: "one clerk".into(), staff: BTreeMap::from([("clerk".into(), 1)]) };
        let a = simulate(&m, &s, 200, Some(30 * MIN), 42);
        assert_eq!(a, simulate(&m, &s, 200, Some(30 * MIN), 42));
        assert_eq!(a.cases, 200);
        assert_ne!(a, simulate(&m, &s, 200, Some(30 * MIN), 43));
        assert_eq!(simulate(&Model::default(), &s, 10, None, 1).cases, 0);
    }
}
