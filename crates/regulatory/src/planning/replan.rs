//! Re-planning when an urgent visit arrives: what is done or under way stays as it is, the rest
//! of the day is planned again around the new visit. Pure.
//!
//! A stop is kept (fixed) when the inspector has already left for it at `now`: its arrival and
//! departure do not change, and so are all the stops before it. From the last kept stop (or the
//! depot, when nothing has started), the inspector leaves no earlier than `now`. Every visit not
//! kept, the ones left out before and the urgent one are placed again by the same search and
//! the same objective (priority order first, then distance), so a priority-1 urgent visit can
//! push out a lower-priority visit when there is no other room.

use std::collections::HashMap;

use super::rules::{self, Model, RouteState};
use super::solver::{self, Options};
use super::{Plan, Problem, Visit};

/// Why a re-plan cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplanError {
    #[error("the urgent visit's id {0:?} is already in the problem")]
    DuplicateVisit(String),
    #[error("the plan names an unknown {0} {1:?}")]
    Unknown(&'static str, String),
}

/// The re-planned day: `problem` with `urgent` added, `plan` its current plan, `now` in minutes
/// after midnight. Returns the new problem (with the urgent visit) and its plan.
pub fn replan(
    problem: &Problem,
    plan: &Plan,
    now: u32,
    urgent: Visit,
    o: &Options,
) -> Result<(Problem, Plan), ReplanError> {
    let t0 = std::time::Instant::now();
    if problem.visits.iter().any(|v| v.id == urgent.id) {
        return Err(ReplanError::DuplicateVisit(urgent.id));
    }
    let mut p = problem.clone();
    p.visits.push(urgent);
    let m = Model::new(&p);
    let node: HashMap<&str, usize> = p.visits.iter().enumerate().map(|(i, v)| (v.id.as_str(), i + 1)).collect();
    let inspector: HashMap<&str, usize> = p.inspectors.iter().enumerate().map(|(i, x)| (x.id.as_str(), i)).collect();
    let now = f64::from(now);
    // Nobody leaves the depot before now, planned or not.
    let mut base: Vec<RouteState> = (0..p.inspectors.len()).map(|k| RouteState::new(&m, k, vec![], 0, now)).collect();
    for r in &plan.routes {
        let k = *inspector
            .get(r.inspector.as_str())
            .ok_or_else(|| ReplanError::Unknown("inspector", r.inspector.clone()))?;
        let nodes = r
            .stops
            .iter()
            .map(|s| node.get(s.visit.as_str()).copied().ok_or_else(|| ReplanError::Unknown("visit", s.visit.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let as_planned = RouteState::new(&m, k, nodes.clone(), 0, f64::NEG_INFINITY);
        // Left for stop p (1-based) when the departure from p-1 is at or before now.
        let fixed = (1..=nodes.len()).take_while(|&q| as_planned.leave(q - 1) <= now).count();
        let mut kept = nodes;
        kept.truncate(fixed);
        base[k] = RouteState::new(&m, k, kept, fixed, now);
    }
    let imp = rules::impossible(&m, &base);
    let (best, iterations) = solver::search(&m, base.clone(), &imp, o);
    let greedy = rules::greedy(&m, base);
    let mut out = rules::to_plan(&p, &m, &best, &imp);
    out.stats = Some(solver::stats(&m, &best, &greedy, out.total_distance_km, iterations, t0));
    Ok((p, out))
}
