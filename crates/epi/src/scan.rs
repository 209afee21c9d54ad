//! Prospective space-time permutation scan statistic (Kulldorff et al. 2005, as in SaTScan).
//!
//! Cylinders are circles of k nearest locations (by centroid distance, each location in turn
//! as the centre) times time windows that end on the last time unit (prospective) and last
//! 1..=`max_window` units. Under the permutation model the expected count of location z on
//! day d is `n_z * n_d / N`; a cylinder with `c` observed and `mu` expected cases out of `N`
//! scores the Poisson generalised likelihood ratio
//! `LLR = c ln(c/mu) + (N-c) ln((N-c)/(N-mu))` when `c > mu` (else 0).
//! The p-value of the most likely cluster comes from `replicates` Monte Carlo data sets in which
//! the time labels of the cases are permuted (location and time margins stay fixed); secondary
//! clusters share no location with a better one and are compared with the same distribution.
//! Replicate r uses its own ChaCha8 stream of the seed, so results do not depend on threads.

use std::collections::HashSet;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::EpiError;

/// A location (e.g. a district) with the coordinates of its centroid in degrees.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    pub id: String,
    pub lat: f64,
    pub lon: f64,
}

/// Settings of the scan; `Default` gives SaTScan-like defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanConfig {
    /// Largest number of locations in a circle (`None`: no limit but the case fraction).
    pub max_locations: Option<usize>,
    /// Largest share of all cases (over the period) inside a circle (default 0.5).
    pub max_case_fraction: f64,
    /// Longest time window in time units (`None`: half the period, at least 1).
    pub max_window: Option<usize>,
    /// Monte Carlo replicates (default 999; 0 gives no p-values).
    pub replicates: usize,
    /// Seed of the permutations (default 1).
    pub seed: u64,
    /// Worker threads (0: as many as the machine has).
    pub threads: usize,
    /// Most clusters to report: the most likely one and secondary ones (default 10).
    pub max_clusters: usize,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            max_locations: None,
            max_case_fraction: 0.5,
            max_window: None,
            replicates: 999,
            seed: 1,
            threads: 0,
            max_clusters: 10,
        }
    }
}

/// A space-time cluster: locations (indices into the input) and time units `start..=end`
/// (0-based indices into the study period; `end` is always the last unit).
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Index of the centre location.
    pub center: usize,
    /// Indices of the locations in the circle, nearest first.
    pub locations: Vec<usize>,
    /// Distance from the centre to the farthest location in the circle, km.
    pub radius_km: f64,
    pub start: usize,
    pub end: usize,
    pub observed: u64,
    pub expected: f64,
    /// `(c / mu) / ((N - c) / (N - mu))`, as SaTScan's relative risk.
    pub relative_risk: f64,
    /// Log likelihood ratio.
    pub llr: f64,
    /// Monte Carlo p-value `(1 + #{replicates with max LLR >= llr}) / (R + 1)`; `None` without
    /// replicates.
    pub p_value: Option<f64>,
    /// `1 / p_value` in time units: how often a cluster this strong is expected by chance in
    /// prospective surveillance repeated every time unit.
    pub recurrence_interval: Option<f64>,
}

/// The result of a scan.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanResult {
    /// The most likely cluster first, then secondary clusters by decreasing LLR.
    pub clusters: Vec<Cluster>,
    pub total_cases: u64,
    pub time_units: usize,
    pub max_window: usize,
    pub replicates: usize,
}

/// Poisson generalised log likelihood ratio for `c` observed and `mu` expected of `n` cases,
/// scanning for high rates (0 unless `c > mu`).
pub fn llr(c: f64, mu: f64, n: f64) -> f64 {
    if c <= mu || mu <= 0.0 {
        return 0.0;
    }
    let inside = c * (c / mu).ln();
    let outside = if n - c > 0.0 { (n - c) * ((n - c) / (n - mu)).ln() } else { 0.0 };
    inside + outside
}

/// Great-circle distance in km.
fn haversine_km(a: &Location, b: &Location) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

/// A circle: locations nearest first, its centre and radius.
struct Circle {
    center: usize,
    members: Vec<usize>,
    radius_km: f64,
    cases: u64,
}

fn circles(locations: &[Location], row_totals: &[u64], max_locations: usize, max_cases: f64) -> Vec<Circle> {
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    let mut out = Vec::new();
    for (c, centre) in locations.iter().enumerate() {
        let mut order: Vec<(f64, usize)> =
            locations.iter().enumerate().map(|(j, l)| (haversine_km(centre, l), j)).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut cases = 0u64;
        for k in 0..order.len().min(max_locations) {
            cases += row_totals[order[k].1];
            if cases as f64 > max_cases {
                break;
            }
            let members: Vec<usize> = order[..=k].iter().map(|o| o.1).collect();
            let mut key = members.clone();
            key.sort_unstable();
            if seen.insert(key) {
                out.push(Circle { center: c, members, radius_km: order[k].0, cases });
            }
        }
    }
    out
}

/// Suffix sums of the last `max_window` units of each row: `s[z][l]` = cases of location z in
/// the last `l + 1` units.
fn suffix_sums(table: &[Vec<u64>], max_window: usize, out: &mut [Vec<u64>]) {
    for (row, s) in table.iter().zip(out.iter_mut()) {
        let t = row.len();
        let mut acc = 0;
        for l in 0..max_window {
            acc += row[t - 1 - l];
            s[l] = acc;
        }
    }
}

/// Best cylinder (LLR, window length) of every circle for a table's suffix sums.
fn best_per_circle(
    circles: &[Circle],
    suffix: &[Vec<u64>],
    window_totals: &[u64],
    total: f64,
    mut visit: impl FnMut(usize, f64, usize, u64, f64),
) {
    let max_window = window_totals.len();
    let mut acc = vec![0u64; max_window];
    for (ci, circle) in circles.iter().enumerate() {
        acc.iter_mut().for_each(|a| *a = 0);
        for &z in &circle.members {
            for (a, s) in acc.iter_mut().zip(&suffix[z]) {
                *a += s;
            }
        }
        let mut best = (0.0, 0usize, 0u64, 0.0);
        for l in 0..max_window {
            let mu = circle.cases as f64 * window_totals[l] as f64 / total;
            let v = llr(acc[l] as f64, mu, total);
            if v > best.0 {
                best = (v, l + 1, acc[l], mu);
            }
        }
        visit(ci, best.0, best.1, best.2, best.3);
    }
}

/// Runs the prospective space-time permutation scan over `counts[location][time unit]`.
pub fn scan(locations: &[Location], counts: &[Vec<u64>], config: &ScanConfig) -> Result<ScanResult, EpiError> {
    if locations.is_empty() {
        return Err(EpiError::param("locations", "at least one location is needed"));
    }
    if counts.len() != locations.len() {
        return Err(EpiError::param("counts", "one row of counts per location is needed"));
    }
    let mut ids = HashSet::new();
    for l in locations {
        if !ids.insert(l.id.as_str()) {
            return Err(EpiError::InvalidLocation { id: l.id.clone(), reason: "appears more than once".into() });
        }
        if !(l.lat.abs() <= 90.0 && l.lon.abs() <= 180.0) {
            return Err(EpiError::InvalidLocation { id: l.id.clone(), reason: "coordinates out of range".into() });
        }
    }
    let time_units = counts[0].len();
    if time_units == 0 || counts.iter().any(|r| r.len() != time_units) {
        return Err(EpiError::param("counts", "every location needs the same number (>= 1) of time units"));
    }
    if !(config.max_case_fraction > 0.0 && config.max_case_fraction <= 1.0) {
        return Err(EpiError::param("max_case_fraction", "must lie in (0, 1]"));
    }
    let max_window = config.max_window.unwrap_or((time_units / 2).max(1));
    if max_window == 0 || max_window > time_units {
        return Err(EpiError::param("max_window", format!("must lie between 1 and the {time_units} time units")));
    }
    let max_locations = config.max_locations.unwrap_or(locations.len());
    if max_locations == 0 {
        return Err(EpiError::param("max_locations", "must be at least 1"));
    }
    let row_totals: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let total: u64 = row_totals.iter().sum();
    let time_totals: Vec<u64> = (0..time_units).map(|d| counts.iter().map(|r| r[d]).sum()).collect();
    let mut window_totals = vec![0u64; max_window];
    let mut acc = 0;
    for l in 0..max_window {
        acc += time_totals[time_units - 1 - l];
        window_totals[l] = acc;
    }
    let circles = circles(locations, &row_totals, max_locations, config.max_case_fraction * total as f64);
    let empty =
        ScanResult { clusters: vec![], total_cases: total, time_units, max_window, replicates: config.replicates };
    if total == 0 || circles.is_empty() {
        return Ok(empty);
    }
    let n = total as f64;

    // Observed data: best window per circle, then non-overlapping clusters by LLR.
    let mut suffix = vec![vec![0u64; max_window]; locations.len()];
    suffix_sums(counts, max_window, &mut suffix);
    let mut candidates = Vec::new();
    best_per_circle(&circles, &suffix, &window_totals, n, |ci, v, l, c, mu| {
        if v > 0.0 {
            candidates.push((ci, v, l, c, mu));
        }
    });
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut used = vec![false; locations.len()];
    let mut chosen = Vec::new();
    for cand in candidates {
        if chosen.len() >= config.max_clusters {
            break;
        }
        let members = &circles[cand.0].members;
        if members.iter().any(|&z| used[z]) {
            continue;
        }
        members.iter().for_each(|&z| used[z] = true);
        chosen.push(cand);
    }
    if chosen.is_empty() {
        return Ok(empty);
    }

    let null_max = monte_carlo(counts, &row_totals, &circles, &window_totals, n, max_window, config);
    let clusters = chosen
        .into_iter()
        .map(|(ci, v, l, c, mu)| {
            let circle = &circles[ci];
            let p_value = (config.replicates > 0).then(|| {
                let exceed = null_max.iter().filter(|&&m| m >= v).count();
                (1 + exceed) as f64 / (config.replicates + 1) as f64
            });
            let c_f = c as f64;
            Cluster {
                center: circle.center,
                locations: circle.members.clone(),
                radius_km: circle.radius_km,
                start: time_units - l,
                end: time_units - 1,
                observed: c,
                expected: mu,
                relative_risk: (c_f / mu) / ((n - c_f) / (n - mu)),
                llr: v,
                p_value,
                recurrence_interval: p_value.map(|p| 1.0 / p),
            }
        })
        .collect();
    Ok(ScanResult { clusters, total_cases: total, time_units, max_window, replicates: config.replicates })
}

/// Maximum LLR of each Monte Carlo replicate, in replicate order.
fn monte_carlo(
    counts: &[Vec<u64>],
    row_totals: &[u64],
    circles: &[Circle],
    window_totals: &[u64],
    n: f64,
    max_window: usize,
    config: &ScanConfig,
) -> Vec<f64> {
    let replicates = config.replicates;
    if replicates == 0 {
        return vec![];
    }
    let time_units = counts[0].len();
    // One entry per case: its location, and the multiset of time labels to permute.
    let mut case_location = Vec::with_capacity(n as usize);
    for (z, &t) in row_totals.iter().enumerate() {
        case_location.extend(std::iter::repeat_n(z, t as usize));
    }
    let mut case_time = Vec::with_capacity(n as usize);
    for d in 0..time_units {
        let nd: u64 = counts.iter().map(|r| r[d]).sum();
        case_time.extend(std::iter::repeat_n(d, nd as usize));
    }
    let threads =
        if config.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { config.threads }
            .clamp(1, replicates);
    let mut result = vec![0.0; replicates];
    let chunk = replicates.div_ceil(threads);
    std::thread::scope(|s| {
        for (part, out) in result.chunks_mut(chunk).enumerate() {
            let (case_location, case_time) = (&case_location, &case_time);
            s.spawn(move || {
                let mut times = case_time.clone();
                let mut table = vec![vec![0u64; time_units]; counts.len()];
                let mut suffix = vec![vec![0u64; max_window]; counts.len()];
                for (i, slot) in out.iter_mut().enumerate() {
                    let r = part * chunk + i;
                    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
                    rng.set_stream(r as u64);
                    times.copy_from_slice(case_time);
                    times.shuffle(&mut rng);
                    table.iter_mut().for_each(|row| row.iter_mut().for_each(|v| *v = 0));
                    for (&z, &d) in case_location.iter().zip(&times) {
                        table[z][d] += 1;
                    }
                    suffix_sums(&table, max_window, &mut suffix);
                    let mut best = 0.0f64;
                    best_per_circle(circles, &suffix, window_totals, n, |_, v, _, _, _| best = best.max(v));
                    *slot = best;
                }
            });
        }
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize) -> Vec<Location> {
        (0..n)
            .map(|i| Location {
                id: format!("L{i}"),
                lat: 22.2 + 0.05 * (i / 5) as f64,
                lon: 114.0 + 0.05 * (i % 5) as f64,
            })
            .collect()
    }

    #[test]
    fn llr_by_hand() {
        // Two locations, two days: A = (2, 8), B = (8, 2); N = 20, every margin 10.
        // Cylinder {A} x {day 2}: c = 8, mu = 10 * 10 / 20 = 5.
        let locs = grid(2);
        let counts = vec![vec![2, 8], vec![8, 2]];
        let cfg = ScanConfig { replicates: 0, ..Default::default() };
        let r = scan(&locs, &counts, &cfg).unwrap();
        let expected = 8.0 * (8.0f64 / 5.0).ln() + 12.0 * (12.0f64 / 15.0).ln();
        assert_eq!(r.clusters.len(), 1);
        let c = &r.clusters[0];
        assert!((c.llr - expected).abs() < 1e-12, "{} vs {expected}", c.llr);
        assert_eq!((c.locations.clone(), c.start, c.end, c.observed), (vec![0], 1, 1, 8));
        assert!((c.expected - 5.0).abs() < 1e-12);
        assert!((c.relative_risk - (8.0 / 5.0) / (12.0 / 15.0)).abs() < 1e-12);
        assert_eq!(c.p_value, None);
        assert_eq!(llr(3.0, 5.0, 20.0), 0.0);
        assert_eq!(llr(20.0, 5.0, 20.0), 20.0 * 4.0f64.ln());
    }

    fn background(seed: u64, locations: usize, days: usize) -> Vec<Vec<u64>> {
        use rand::Rng;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..locations).map(|_| (0..days).map(|_| rng.random_range(3..=9)).collect()).collect()
    }

    #[test]
    fn injected_cluster_is_found() {
        let locs = grid(18);
        let mut counts = background(7, 18, 40);
        // Locations 0 and 1 (neighbours) get 12 extra cases a day over the last 3 days.
        for z in [0, 1] {
            for v in &mut counts[z][37..40] {
                *v += 12;
            }
        }
        let cfg = ScanConfig { replicates: 199, seed: 3, ..Default::default() };
        let r = scan(&locs, &counts, &cfg).unwrap();
        let top = &r.clusters[0];
        let mut members = top.locations.clone();
        members.sort();
        assert!(members.contains(&0) && members.contains(&1), "{top:?}");
        assert!(top.start >= 36 && top.end == 39, "{top:?}");
        assert!(top.p_value.unwrap() < 0.05, "{top:?}");
        assert!(top.recurrence_interval.unwrap() > 20.0);
        // Secondary clusters share no location with the first.
        for c in &r.clusters[1..] {
            assert!(c.locations.iter().all(|z| !top.locations.contains(z)));
            assert!(c.llr <= top.llr);
        }
    }

    #[test]
    fn null_data_are_rarely_significant() {
        let locs = grid(10);
        let mut significant = 0;
        let runs = 20;
        for seed in 0..runs {
            let counts = background(100 + seed, 10, 30);
            let cfg = ScanConfig { replicates: 99, seed, ..Default::default() };
            let r = scan(&locs, &counts, &cfg).unwrap();
            if r.clusters.first().is_some_and(|c| c.p_value.unwrap() < 0.05) {
                significant += 1;
            }
        }
        // Expected about 1 in 20 under the null; allow up to 4.
        assert!(significant <= 4, "{significant} of {runs} null data sets gave p < 0.05");
    }

    #[test]
    fn deterministic_and_independent_of_threads() {
        let locs = grid(12);
        let counts = background(5, 12, 20);
        let one = scan(&locs, &counts, &ScanConfig { replicates: 99, threads: 1, ..Default::default() }).unwrap();
        let three = scan(&locs, &counts, &ScanConfig { replicates: 99, threads: 3, ..Default::default() }).unwrap();
        assert_eq!(one, three);
    }

    #[test]
    fn bad_input_is_refused() {
        let mut locs = grid(2);
        locs[1].id = "L0".into();
        let e = scan(&locs, &[vec![1], vec![1]], &ScanConfig::default()).unwrap_err();
        assert_eq!(e.code(), "invalid_location");
        let e = scan(&grid(2), &[vec![1, 2], vec![1]], &ScanConfig::default()).unwrap_err();
        assert_eq!(e.code(), "invalid_parameter");
        let cfg = ScanConfig { max_window: Some(5), ..Default::default() };
        assert_eq!(scan(&grid(2), &[vec![1, 2], vec![1, 0]], &cfg).unwrap_err().code(), "invalid_parameter");
    }
}
