//! The contract's travel and time model, schedules of routes, the priority-ordered greedy plan
//! and the lower bound on distance. Pure.
//!
//! Times are kept in exact (fractional) minutes after midnight and rounded to the nearest minute
//! only when printed: since every limit (shift, window) is a whole minute, a schedule that keeps
//! the limits exactly still keeps them after rounding.

use std::collections::BTreeMap;

use super::{Plan, Point, Problem, Reason, Route, Stop, format_hhmm};

/// Earth radius of the contract, km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;
/// Road distance over great-circle distance.
pub const DETOUR: f64 = 1.35;
/// Travel speed, km/h.
pub const SPEED_KMH: f64 = 25.0;

/// Great-circle distance (haversine), km.
pub fn haversine_km(a: Point, b: Point) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Travel distance of the contract: haversine × 1.35, km.
pub fn travel_km(a: Point, b: Point) -> f64 {
    haversine_km(a, b) * DETOUR
}

/// Travel time for a distance, minutes.
pub fn travel_min(km: f64) -> f64 {
    km / SPEED_KMH * 60.0
}

/// Rounds to metres (3 decimals of a km), as printed.
pub fn round_km(km: f64) -> f64 {
    (km * 1000.0).round() / 1000.0
}

/// The problem as matrices. Node 0 is the depot, node `i + 1` is visit `i`.
#[derive(Clone, Debug)]
pub struct Model {
    pub n: usize,
    dist: Vec<f64>,
    time: Vec<f64>,
    pub ws: Vec<f64>,
    pub we: Vec<f64>,
    pub dur: Vec<f64>,
    /// The priority level of each node (0 = the highest priority present); depot 0.
    pub level: Vec<usize>,
    /// The distinct priorities, highest first (level → priority).
    pub priorities: Vec<u32>,
    /// Per inspector: shift start and end.
    pub shift: Vec<(f64, f64)>,
    /// Per visit node: the inspectors with its skill.
    pub eligible: Vec<Vec<usize>>,
}

impl Model {
    pub fn new(p: &Problem) -> Model {
        let n = p.visits.len();
        let pts: Vec<Point> = std::iter::once(p.depot).chain(p.visits.iter().map(|v| v.at)).collect();
        let m = n + 1;
        let mut dist = vec![0.0; m * m];
        for (i, &a) in pts.iter().enumerate() {
            for (j, &b) in pts.iter().enumerate().skip(i + 1) {
                let d = travel_km(a, b);
                dist[i * m + j] = d;
                dist[j * m + i] = d;
            }
        }
        let time = dist.iter().map(|&d| travel_min(d)).collect();
        let mut priorities: Vec<u32> = p.visits.iter().map(|v| v.priority).collect();
        priorities.sort_unstable();
        priorities.dedup();
        let level_of = |pr: u32| priorities.binary_search(&pr).unwrap_or(0);
        let node = |f: &dyn Fn(&super::Visit) -> f64| -> Vec<f64> {
            std::iter::once(0.0).chain(p.visits.iter().map(f)).collect()
        };
        Model {
            n,
            dist,
            time,
            ws: node(&|v| f64::from(v.window.0)),
            we: node(&|v| f64::from(v.window.1)),
            dur: node(&|v| v.duration_min),
            level: std::iter::once(0).chain(p.visits.iter().map(|v| level_of(v.priority))).collect(),
            shift: p.inspectors.iter().map(|i| (f64::from(i.start), f64::from(i.end))).collect(),
            eligible: std::iter::once(vec![])
                .chain(p.visits.iter().map(|v| {
                    p.inspectors
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| i.skills.contains(&v.skill))
                        .map(|(k, _)| k)
                        .collect()
                }))
                .collect(),
            priorities,
        }
    }

    #[inline]
    pub fn d(&self, a: usize, b: usize) -> f64 {
        self.dist[a * (self.n + 1) + b]
    }

    #[inline]
    pub fn t(&self, a: usize, b: usize) -> f64 {
        self.time[a * (self.n + 1) + b]
    }

    pub fn levels(&self) -> usize {
        self.priorities.len()
    }
}

/// One inspector's route under construction: visit nodes in order, the first `fixed` of them
/// kept as they are (done or under way when re-planning), and the earliest time the inspector
/// may leave the last fixed point (the depot when `fixed` is 0) for the next stop.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteState {
    pub inspector: usize,
    pub nodes: Vec<usize>,
    pub fixed: usize,
    pub release: f64,
    /// Per position p (0 = depot, p = nodes[p-1]): the time the inspector leaves it.
    pub dep: Vec<f64>,
    /// Per position p ≥ 1: the latest service start there that keeps the rest feasible;
    /// `latest[nodes.len() + 1]` is the latest return to the depot (the shift end).
    pub latest: Vec<f64>,
    pub distance: f64,
    pub feasible: bool,
}

/// A small tolerance for comparing times built from sums of fractional minutes.
const EPS: f64 = 1e-9;

impl RouteState {
    pub fn new(m: &Model, inspector: usize, nodes: Vec<usize>, fixed: usize, release: f64) -> RouteState {
        let mut r =
            RouteState { inspector, nodes, fixed, release, dep: vec![], latest: vec![], distance: 0.0, feasible: true };
        r.update(m);
        r
    }

    /// The node at position p (0 and len+1 are the depot).
    #[inline]
    pub fn node(&self, p: usize) -> usize {
        if p == 0 || p > self.nodes.len() { 0 } else { self.nodes[p - 1] }
    }

    /// The time the inspector leaves position p towards p+1 (waiting for the release after the
    /// last fixed point).
    #[inline]
    pub fn leave(&self, p: usize) -> f64 {
        if p == self.fixed { self.dep[p].max(self.release) } else { self.dep[p] }
    }

    /// Recomputes departures, latest starts, distance and feasibility.
    pub fn update(&mut self, m: &Model) {
        let k = self.nodes.len();
        let (start, end) = m.shift[self.inspector];
        self.dep.clear();
        self.dep.push(start);
        self.feasible = true;
        let mut dist = 0.0;
        for p in 1..=k {
            let (a, b) = (self.node(p - 1), self.node(p));
            let arrive = self.leave(p - 1) + m.t(a, b);
            let s = arrive.max(m.ws[b]);
            if s > m.we[b] + EPS {
                self.feasible = false;
            }
            self.dep.push(s + m.dur[b]);
            dist += m.d(a, b);
        }
        let last = self.node(k);
        dist += m.d(last, 0);
        if self.leave(k) + m.t(last, 0) > end + EPS {
            self.feasible = false;
        }
        self.distance = dist;
        self.latest.clear();
        self.latest.resize(k + 2, 0.0);
        self.latest[k + 1] = end;
        for p in (1..=k).rev() {
            let (b, c) = (self.node(p), self.node(p + 1));
            self.latest[p] = m.we[b].min(self.latest[p + 1] - m.t(b, c) - m.dur[b]);
        }
    }

    /// The added distance of inserting `v` after position `p` (p ≥ fixed), or None when the
    /// route would break a window or the shift.
    #[inline]
    pub fn insertion(&self, m: &Model, v: usize, p: usize) -> Option<f64> {
        let (a, c) = (self.node(p), self.node(p + 1));
        let s = (self.leave(p) + m.t(a, v)).max(m.ws[v]);
        if s > m.we[v] + EPS {
            return None;
        }
        let arrive_c = s + m.dur[v] + m.t(v, c);
        if arrive_c > self.latest[p + 1] + EPS {
            return None;
        }
        Some(m.d(a, v) + m.d(v, c) - m.d(a, c))
    }

    /// The cheapest feasible insertion of `v`: (added distance, position).
    pub fn best_insertion(&self, m: &Model, v: usize) -> Option<(f64, usize)> {
        let mut best: Option<(f64, usize)> = None;
        for p in self.fixed..=self.nodes.len() {
            if let Some(c) = self.insertion(m, v, p)
                && best.is_none_or(|(b, _)| c < b)
            {
                best = Some((c, p));
            }
        }
        best
    }

    pub fn insert(&mut self, m: &Model, v: usize, p: usize) {
        self.nodes.insert(p, v);
        self.update(m);
    }

    /// Arrival and departure times per stop, exact minutes.
    pub fn times(&self, m: &Model) -> Vec<(f64, f64)> {
        (1..=self.nodes.len()).map(|p| (self.leave(p - 1) + m.t(self.node(p - 1), self.node(p)), self.dep[p])).collect()
    }
}

/// A plan under construction: one route per inspector and the visits left out.
#[derive(Clone, Debug)]
pub struct Solution {
    pub routes: Vec<RouteState>,
    /// Visit nodes not in any route (those that could be placed).
    pub unassigned: Vec<usize>,
}

/// The lexicographic objective: visits served per priority level (highest first), then distance.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub served: Vec<usize>,
    pub distance: f64,
}

impl Score {
    /// Is `self` strictly better than `other` on served visits (priority order)?
    pub fn serves_more(&self, other: &Score) -> bool {
        self.served.cmp(&other.served) == std::cmp::Ordering::Greater
    }

    pub fn better(&self, other: &Score) -> bool {
        match self.served.cmp(&other.served) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => self.distance < other.distance - 1e-9,
        }
    }
}

impl Solution {
    pub fn score(&self, m: &Model) -> Score {
        let mut served = vec![0; m.levels()];
        for r in &self.routes {
            for &v in &r.nodes {
                served[m.level[v]] += 1;
            }
        }
        Score { served, distance: self.routes.iter().map(|r| r.distance).sum() }
    }
}

/// Visits that cannot be placed whatever else is planned: no inspector with the skill, or none
/// who could serve it alone (given each route's fixed part).
pub fn impossible(m: &Model, base: &[RouteState]) -> BTreeMap<usize, Reason> {
    let mut out = BTreeMap::new();
    for v in 1..=m.n {
        if m.eligible[v].is_empty() {
            out.insert(v, Reason::NoSkill);
        } else if !m.eligible[v].iter().any(|&k| base[k].best_insertion(m, v).is_some()) {
            out.insert(v, Reason::WindowUnreachable);
        }
    }
    out
}

/// The routes with nothing in them (each inspector from the depot at the start of the shift).
pub fn empty_routes(m: &Model) -> Vec<RouteState> {
    (0..m.shift.len()).map(|k| RouteState::new(m, k, vec![], 0, f64::NEG_INFINITY)).collect()
}

/// The priority-ordered greedy plan: visits in order of priority, then window end, then input
/// order, each at its cheapest feasible place across all routes; left out when there is none.
pub fn greedy(m: &Model, base: Vec<RouteState>) -> Solution {
    let mut routes = base;
    let placed: std::collections::HashSet<usize> = routes.iter().flat_map(|r| r.nodes.iter().copied()).collect();
    let mut order: Vec<usize> = (1..=m.n).filter(|v| !placed.contains(v)).collect();
    order.sort_by(|&a, &b| m.level[a].cmp(&m.level[b]).then(m.we[a].total_cmp(&m.we[b])).then(a.cmp(&b)));
    let mut unassigned = vec![];
    for v in order {
        let best = m.eligible[v]
            .iter()
            .filter_map(|&k| routes[k].best_insertion(m, v).map(|(c, p)| (c, k, p)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((_, k, p)) => routes[k].insert(m, v, p),
            None => unassigned.push(v),
        }
    }
    Solution { routes, unassigned }
}

/// A lower bound on the total distance of any set of depot-to-depot routes that together visit
/// exactly `served` (time windows and shifts ignored, so it holds with them too): the larger of
/// (a) the minimum spanning tree of the depot and the visits plus the cheapest edge, since the
/// routes form a connected multigraph on those points with at least one edge more than a tree;
/// (b) half the sum, over visits, of their two cheapest incident edges (a visit has exactly two
/// route edges; the depot edge may count twice for a lone visit), plus the cheapest depot edge
/// (the depot has at least two route edge ends);
/// (c) the radial bound of [`radial_bound`], which counts the trips out to far visits that
/// shifts of limited length force.
pub fn lower_bound(m: &Model, served: &[usize]) -> f64 {
    if served.is_empty() {
        return 0.0;
    }
    let nodes: Vec<usize> = std::iter::once(0).chain(served.iter().copied()).collect();
    let k = nodes.len();
    // Prim's algorithm, O(k²).
    let mut in_tree = vec![false; k];
    let mut key = vec![f64::INFINITY; k];
    key[0] = 0.0;
    let mut mst = 0.0;
    let mut min_edge = f64::INFINITY;
    for _ in 0..k {
        let u = (0..k).filter(|&i| !in_tree[i]).min_by(|&a, &b| key[a].total_cmp(&key[b])).unwrap_or(0);
        in_tree[u] = true;
        mst += key[u];
        for (i, &w) in nodes.iter().enumerate() {
            if i != u {
                let d = m.d(nodes[u], w);
                min_edge = min_edge.min(d);
                if !in_tree[i] && d < key[i] {
                    key[i] = d;
                }
            }
        }
    }
    let bound_a = mst + min_edge;
    let mut half = 0.0;
    let mut min_depot = f64::INFINITY;
    for &v in served {
        let (mut c1, mut c2) = (f64::INFINITY, f64::INFINITY);
        let mut consider = |d: f64| {
            if d < c1 {
                c2 = c1;
                c1 = d;
            } else if d < c2 {
                c2 = d;
            }
        };
        let d0 = m.d(v, 0);
        min_depot = min_depot.min(d0);
        consider(d0);
        consider(d0);
        for &w in served {
            if w != v {
                consider(m.d(v, w));
            }
        }
        half += c1 + c2;
    }
    let bound_b = half / 2.0 + min_depot;
    bound_a.max(bound_b).max(radial_bound(m, served))
}

/// A route whose farthest visit is `r` km from the depot travels at least 2r, and has at most
/// S − 2·t(r) minutes left for inspections (S the longest shift), so it holds at most C(r)
/// visits, C(r) the most of the shortest durations that fit. Sort the served visits by distance
/// from the depot, farthest first (d₁ ≥ d₂ ≥ …); take a₁ = 1, a_{i+1} = a_i + C(d_{a_i}). In any
/// plan, order the routes by their farthest visit m₁ ≥ m₂ ≥ …: by induction m_i ≥ d_{a_i} (the
/// first i − 1 routes hold at most Σ C(m_j) ≤ Σ C(d_{a_j}) = a_i − 1 visits, C falling with
/// distance), so the total distance is at least Σ 2·d_{a_i}.
pub fn radial_bound(m: &Model, served: &[usize]) -> f64 {
    let longest = m.shift.iter().map(|(s, e)| e - s).fold(0.0, f64::max);
    let mut durations: Vec<f64> = served.iter().map(|&v| m.dur[v]).collect();
    durations.sort_by(f64::total_cmp);
    let prefix: Vec<f64> = durations
        .iter()
        .scan(0.0, |acc, d| {
            *acc += d;
            Some(*acc)
        })
        .collect();
    // C(r): the most visits whose shortest durations fit in what travel leaves of the shift.
    let capacity = |r: f64| -> usize {
        let left = longest - 2.0 * travel_min(r);
        prefix.partition_point(|&p| p <= left + EPS)
    };
    let mut far: Vec<f64> = served.iter().map(|&v| m.d(0, v)).collect();
    far.sort_by(|a, b| b.total_cmp(a));
    let (mut i, mut bound) = (0, 0.0);
    while i < far.len() {
        bound += 2.0 * far[i];
        // A served visit always fits its own route, so each route holds at least one.
        i += capacity(far[i]).max(1);
    }
    bound
}

/// The contract's output for a solution; `impossible` gives the reasons of visits that could
/// not be placed at all, every other visit left out is `no_time`.
pub fn to_plan(p: &Problem, m: &Model, s: &Solution, impossible: &BTreeMap<usize, Reason>) -> Plan {
    let mut routes = Vec::with_capacity(s.routes.len());
    let mut total = 0.0;
    for r in &s.routes {
        let times = r.times(m);
        let stops = r
            .nodes
            .iter()
            .zip(times)
            .map(|(&v, (a, d))| Stop {
                visit: p.visits[v - 1].id.clone(),
                arrive: format_hhmm(a),
                depart: format_hhmm(d),
            })
            .collect();
        let km = if r.nodes.is_empty() { 0.0 } else { round_km(r.distance) };
        total += km;
        routes.push(Route { inspector: p.inspectors[r.inspector].id.clone(), stops, distance_km: km });
    }
    let served: std::collections::HashSet<usize> = s.routes.iter().flat_map(|r| r.nodes.iter().copied()).collect();
    let mut unassigned = vec![];
    let mut reasons = BTreeMap::new();
    for v in 1..=m.n {
        if !served.contains(&v) {
            let id = p.visits[v - 1].id.clone();
            reasons.insert(id.clone(), impossible.get(&v).copied().unwrap_or(Reason::NoTime));
            unassigned.push(id);
        }
    }
    Plan { routes, unassigned, reasons, total_distance_km: round_km(total), stats: None }
}

/// Served visits per priority, keyed by the priority as text.
pub fn by_priority(m: &Model, served: &[usize]) -> BTreeMap<String, usize> {
    let mut out: BTreeMap<String, usize> = m.priorities.iter().map(|p| (p.to_string(), 0)).collect();
    for (level, n) in served.iter().enumerate() {
        out.insert(m.priorities[level].to_string(), *n);
    }
    out
}
