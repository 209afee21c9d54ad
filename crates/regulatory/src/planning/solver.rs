//! The search: a hand-written ruin-and-recreate heuristic (large neighbourhood search) over the
//! contract's exact model. See docs/regulatory/planning.md for why it is hand-written.
//!
//! 1. Start from the better of two plans built priority level by priority level: regret-2
//!    insertion (the visit that would lose most by waiting goes first, to its cheapest place) and
//!    the priority-ordered greedy plan ([`rules::greedy`]).
//! 2. Until the time limit: remove some visits (random ones, ones near each other, a stretch of
//!    one route, or the served visits nearest to a visit left out), put them and every visit left
//!    out back by regret (or cheapest) insertion, level by level, and keep the result when it
//!    serves more by priority order, or as many with at most a little more distance (a
//!    threshold that shrinks to zero as time runs out). The best plan seen is returned.
//!
//! Deterministic for a given seed and `max_iterations` (ChaCha8; the acceptance threshold then
//! shrinks by rounds, not by time), provided the deadline does not come first.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::rules::{self, Model, RouteState, Solution};
use super::{Plan, Problem, Reason, Stats};

/// Search options.
#[derive(Clone, Debug)]
pub struct Options {
    /// When the search must stop.
    pub deadline: Instant,
    pub seed: u64,
    /// Stop after this many ruin-and-recreate rounds (for reproducible runs); None: time only.
    pub max_iterations: Option<u64>,
}

impl Options {
    /// A search of at most `seconds` from now.
    pub fn seconds(seconds: f64) -> Options {
        Options { deadline: Instant::now() + Duration::from_secs_f64(seconds.max(0.0)), seed: 1, max_iterations: None }
    }
}

/// Plans the day: the contract's output with [`Stats`] filled in.
pub fn plan(p: &Problem, o: &Options) -> Plan {
    let started = Instant::now();
    let m = Model::new(p);
    let base = rules::empty_routes(&m);
    let imp = rules::impossible(&m, &base);
    let (best, iterations) = search(&m, base.clone(), &imp, o);
    let greedy = rules::greedy(&m, base);
    let mut plan = rules::to_plan(p, &m, &best, &imp);
    plan.stats = Some(stats(&m, &best, &greedy, plan.total_distance_km, iterations, started));
    plan
}

pub(crate) fn stats(m: &Model, best: &Solution, greedy: &Solution, total: f64, iterations: u64, t0: Instant) -> Stats {
    let served: Vec<usize> = best.routes.iter().flat_map(|r| r.nodes.iter().copied()).collect();
    let bound = rules::round_km(rules::lower_bound(m, &served));
    let mut all = vec![0; m.levels()];
    for v in 1..=m.n {
        all[m.level[v]] += 1;
    }
    let g = greedy.score(m);
    Stats {
        served_by_priority: rules::by_priority(m, &best.score(m).served),
        visits_by_priority: rules::by_priority(m, &all),
        greedy_distance_km: rules::round_km(g.distance),
        greedy_served_by_priority: rules::by_priority(m, &g.served),
        lower_bound_km: bound,
        gap_to_bound: if bound > 0.0 { ((total - bound) / bound * 10000.0).round() / 10000.0 } else { 0.0 },
        iterations,
        search_ms: t0.elapsed().as_millis() as u64,
    }
}

/// Searches from `base` (routes with their fixed parts), placing every visit not in a fixed part
/// and not impossible. Returns the best solution and the number of rounds.
pub fn search(m: &Model, base: Vec<RouteState>, impossible: &BTreeMap<usize, Reason>, o: &Options) -> (Solution, u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed);
    let fixed: std::collections::HashSet<usize> =
        base.iter().flat_map(|r| r.nodes[..r.fixed].iter().copied()).collect();
    // Any non-fixed visits already in `base` routes are taken out and placed again.
    let mut base = base;
    for r in &mut base {
        r.nodes.truncate(r.fixed);
        r.update(m);
    }
    let candidates: Vec<usize> = (1..=m.n).filter(|v| !fixed.contains(v) && !impossible.contains_key(v)).collect();
    let mut regret = Solution { routes: base.clone(), unassigned: vec![] };
    regret.unassigned = recreate(m, &mut regret.routes, candidates.clone(), &mut rng, true);
    let mut greedy = rules::greedy(m, base);
    greedy.unassigned.retain(|v| !impossible.contains_key(v));
    let mut current = if greedy.score(m).better(&regret.score(m)) { greedy } else { regret };
    let mut cur_score = current.score(m);
    let mut best = current.clone();
    let mut best_score = cur_score.clone();
    if candidates.is_empty() {
        return (best, 0);
    }
    let neighbours = neighbours(m, &candidates, 40);
    let started = Instant::now();
    let budget = o.deadline.saturating_duration_since(started).as_secs_f64();
    let stall_limit = 2000 + 100 * m.n as u64;
    let (mut iterations, mut stall) = (0u64, 0u64);
    while Instant::now() < o.deadline && o.max_iterations.is_none_or(|n| iterations < n) && stall < stall_limit {
        iterations += 1;
        stall += 1;
        let mut cand = current.clone();
        let removed = ruin(m, &mut cand, &neighbours, &mut rng);
        let mut pool = removed;
        pool.append(&mut cand.unassigned);
        let use_regret = rng.random_bool(0.5);
        cand.unassigned = recreate(m, &mut cand.routes, pool, &mut rng, use_regret);
        let s = cand.score(m);
        // With a number of rounds, progress counts rounds (so the run is reproducible); else time.
        let progress = match o.max_iterations {
            Some(n) => iterations as f64 / n.max(1) as f64,
            None if budget > 0.0 => (started.elapsed().as_secs_f64() / budget).min(1.0),
            None => 1.0,
        };
        let threshold = 0.01 * (1.0 - progress) * best_score.distance.max(1.0);
        let accept =
            s.serves_more(&cur_score) || (s.served == cur_score.served && s.distance < cur_score.distance + threshold);
        if accept {
            if s.better(&best_score) {
                best = cand.clone();
                best_score = s.clone();
                stall = 0;
            }
            current = cand;
            cur_score = s;
        }
    }
    (best, iterations)
}

/// For each candidate, the other candidates nearest to it.
fn neighbours(m: &Model, candidates: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]; m.n + 1];
    for &v in candidates {
        let mut others: Vec<usize> = candidates.iter().copied().filter(|&w| w != v).collect();
        let k = k.min(others.len());
        if k > 0 {
            others.select_nth_unstable_by(k - 1, |&a, &b| m.d(v, a).total_cmp(&m.d(v, b)));
            others.truncate(k);
        }
        others.sort_by(|&a, &b| m.d(v, a).total_cmp(&m.d(v, b)));
        out[v] = others;
    }
    out
}

/// Takes some non-fixed visits out of their routes; returns them.
fn ruin(m: &Model, s: &mut Solution, neighbours: &[Vec<usize>], rng: &mut ChaCha8Rng) -> Vec<usize> {
    // Where each served, movable visit is: (route, position in nodes).
    let mut at: Vec<Option<usize>> = vec![None; m.n + 1];
    let mut movable = vec![];
    for (k, r) in s.routes.iter().enumerate() {
        for &v in &r.nodes[r.fixed..] {
            at[v] = Some(k);
            movable.push(v);
        }
    }
    if movable.is_empty() {
        return vec![];
    }
    let max_k = movable.len().clamp(1, 30);
    let count = rng.random_range(1..=max_k.max(2)).min(movable.len());
    let mut take: Vec<usize> = Vec::with_capacity(count);
    let mark = |v: usize, take: &mut Vec<usize>| {
        if at[v].is_some() && !take.contains(&v) {
            take.push(v);
        }
    };
    match rng.random_range(0..4u8) {
        0 => {
            while take.len() < count {
                let v = movable[rng.random_range(0..movable.len())];
                mark(v, &mut take);
            }
        }
        1 | 2 => {
            // Near a served visit, or near one left out (to make room for it).
            let seed = if !s.unassigned.is_empty() && rng.random_bool(0.5) {
                s.unassigned[rng.random_range(0..s.unassigned.len())]
            } else {
                movable[rng.random_range(0..movable.len())]
            };
            mark(seed, &mut take);
            for &w in &neighbours[seed] {
                if take.len() >= count {
                    break;
                }
                mark(w, &mut take);
            }
        }
        _ => {
            let k = at[movable[rng.random_range(0..movable.len())]].unwrap_or(0);
            let r = &s.routes[k];
            let len = r.nodes.len() - r.fixed;
            let n = count.min(len);
            let from = r.fixed + rng.random_range(0..=len - n);
            for &v in &r.nodes[from..from + n] {
                mark(v, &mut take);
            }
        }
    }
    let mut touched = vec![false; s.routes.len()];
    for &v in &take {
        if let Some(k) = at[v] {
            touched[k] = true;
        }
    }
    let set: std::collections::HashSet<usize> = take.iter().copied().collect();
    for (k, r) in s.routes.iter_mut().enumerate() {
        if touched[k] {
            let fixed = r.fixed;
            let mut i = 0;
            r.nodes.retain(|v| {
                i += 1;
                i <= fixed || !set.contains(v)
            });
            r.update(m);
        }
    }
    take
}

/// A route (inspector index) and the cheapest insertion into it: (added distance, position).
type Place = (usize, Option<(f64, usize)>);

/// Puts `pool` into the routes, priority level by priority level: by regret-2 (the visit whose
/// best place beats its second best by most, a visit with one possible route first), or by
/// cheapest insertion. Returns the visits that found no place.
fn recreate(
    m: &Model,
    routes: &mut [RouteState],
    mut pool: Vec<usize>,
    rng: &mut ChaCha8Rng,
    regret: bool,
) -> Vec<usize> {
    pool.sort_unstable();
    pool.dedup();
    let mut left = vec![];
    for level in 0..m.levels() {
        let mut items: Vec<usize> = pool.iter().copied().filter(|&v| m.level[v] == level).collect();
        if items.is_empty() {
            continue;
        }
        // A little shuffling so that ties go differently from round to round.
        for i in (1..items.len()).rev() {
            items.swap(i, rng.random_range(0..=i));
        }
        // Per item, per eligible route: the cheapest insertion.
        let mut cache: Vec<Vec<Place>> = items
            .iter()
            .map(|&v| m.eligible[v].iter().map(|&k| (k, routes[k].best_insertion(m, v))).collect())
            .collect();
        loop {
            let mut pick: Option<(usize, f64, f64, usize, usize)> = None; // (item, key, cost, route, pos)
            for (i, entries) in cache.iter().enumerate() {
                let (mut b1, mut b2) = (None::<(f64, usize, usize)>, f64::INFINITY);
                for &(k, e) in entries {
                    if let Some((c, p)) = e {
                        match b1 {
                            Some((c1, _, _)) if c >= c1 => b2 = b2.min(c),
                            _ => {
                                if let Some((c1, _, _)) = b1 {
                                    b2 = b2.min(c1);
                                }
                                b1 = Some((c, k, p));
                            }
                        }
                    }
                }
                let Some((c, k, p)) = b1 else { continue };
                let key = if regret { if b2.is_finite() { b2 - c } else { 1e9 - c } } else { -c };
                if pick.is_none_or(|(_, best_key, best_c, _, _)| key > best_key || (key == best_key && c < best_c)) {
                    pick = Some((i, key, c, k, p));
                }
            }
            let Some((i, _, _, k, p)) = pick else { break };
            let v = items.swap_remove(i);
            cache.swap_remove(i);
            routes[k].insert(m, v, p);
            for (j, entries) in cache.iter_mut().enumerate() {
                for e in entries.iter_mut() {
                    if e.0 == k {
                        e.1 = routes[k].best_insertion(m, items[j]);
                    }
                }
            }
        }
        left.extend(items);
    }
    left
}
