//! Benchmark of the epi methods on a realistic workload, compared with R in the same run.
//!
//!     cargo bench -p phos-epi --bench detect
//!
//! Workload: 51 diseases x 19 areas (18 districts and the territory) x 520 weeks (10 years) of
//! seasonal Poisson counts with outbreaks, from a fixed seed; every method evaluates the last
//! `PHOS_BENCH_WEEKS` weeks (default 260 = 5 years: weeks 261-520; Farrington methods from week
//! 264, their first week with 5 years + 3 weeks of history) of every series. Rt: 969 daily
//! incidence curves of 180 days, sliding weekly windows.
//! All series are processed in parallel on every core (std::thread::scope), the workers taking
//! the next series from a shared counter; each method runs `PHOS_BENCH_RUNS` times (default 3)
//! and the table shows the fastest run: its wall time and the CPU time of its threads (Linux;
//! the CPU time shows what contention for the cores added to the wall time).
//!
//! If `Rscript` with `surveillance` and `EpiEstim` is installed, the first
//! `PHOS_BENCH_R_SERIES` series (default 4; Rt: 20 x as many curves) also go through
//! scripts/r-reference/bench.R, and the table shows time per evaluation for R and for this crate
//! on one thread over the same series, and their ratio. `PHOS_BENCH_R_SERIES=0` skips R.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use epi::{FlexibleControl, Method, Params, RtConfig, Series, WeekRange};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DISEASES: usize = 51;
const AREAS: usize = 19;
const WEEKS: usize = 520;
const RT_DAYS: usize = 180;
const SI: (f64, f64) = (4.7, 2.9);

/// Poisson variate: Knuth's product method in chunks of mean <= 30; a rounded normal variate
/// above a mean of 500 (only to make the data quickly).
fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> f64 {
    if lambda > 500.0 {
        let (u, v): (f64, f64) = (rng.random(), rng.random());
        let z = (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        return (lambda + lambda.sqrt() * z).round().max(0.0);
    }
    let mut left = lambda;
    let mut total = 0u64;
    while left > 0.0 {
        let l = left.min(30.0);
        left -= l;
        let limit = (-l).exp();
        let mut p: f64 = rng.random();
        while p > limit {
            total += 1;
            p *= rng.random::<f64>();
        }
    }
    total as f64
}

fn weekly_series(seed: u64) -> Vec<Series> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(DISEASES * AREAS);
    for _ in 0..DISEASES {
        let base = (rng.random::<f64>() * 5.0).exp() * 0.3; // 0.3 .. 45 cases a week
        let amplitude = rng.random::<f64>() * 0.8;
        let phase = rng.random::<f64>() * std::f64::consts::TAU;
        let trend = (rng.random::<f64>() - 0.5) * 0.001;
        for area in 0..AREAS {
            let scale = if area == AREAS - 1 { 8.0 } else { 0.3 + rng.random::<f64>() };
            let mut outbreak_left = 0;
            let counts = (0..WEEKS)
                .map(|t| {
                    let season = 1.0 + amplitude * (t as f64 * std::f64::consts::TAU / 52.0 + phase).sin();
                    let mut mu = base * scale * season * (trend * t as f64).exp();
                    if outbreak_left == 0 && rng.random::<f64>() < 0.01 {
                        outbreak_left = 1 + rng.random_range(0..4);
                    }
                    if outbreak_left > 0 {
                        outbreak_left -= 1;
                        mu = mu * 3.0 + 3.0;
                    }
                    poisson(&mut rng, mu)
                })
                .collect();
            out.push(Series::new(counts, 52).expect("valid counts"));
        }
    }
    out
}

/// Epidemic curves: R drifts from ~2 to ~0.6 over the period (renewal equation).
fn rt_curves(seed: u64, n: usize) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let w: Vec<f64> = (0..RT_DAYS).map(|k| epi::discr_si(k, SI.0, SI.1)).collect();
    (0..n)
        .map(|_| {
            let r0 = 1.5 + rng.random::<f64>();
            let mut inc = vec![0.0; RT_DAYS];
            inc[0] = 5.0 + (rng.random::<f64>() * 20.0).floor();
            for t in 1..RT_DAYS {
                let r = r0 * (1.0 - 0.7 * t as f64 / RT_DAYS as f64);
                let lambda: f64 = (1..=t).map(|s| w[s] * inc[t - s]).sum();
                inc[t] = poisson(&mut rng, (r * lambda).min(5000.0));
            }
            inc
        })
        .collect()
}

fn configs(start: usize) -> Vec<(&'static str, Method, Params)> {
    let with_range = |method: Method, mut p: Params| {
        let first = epi::history_needed(method, &p, 52).expect("params fit").weeks + 1;
        p.set_range(Some(WeekRange::new(start.max(first), WEEKS)));
        p
    };
    vec![
        ("ears-c1", Method::EarsC1, with_range(Method::EarsC1, Method::EarsC1.default_params())),
        ("ears-c2", Method::EarsC2, with_range(Method::EarsC2, Method::EarsC2.default_params())),
        ("ears-c3", Method::EarsC3, with_range(Method::EarsC3, Method::EarsC3.default_params())),
        ("farrington", Method::Farrington, with_range(Method::Farrington, Method::Farrington.default_params())),
        (
            "farrington-flexible",
            Method::FarringtonFlexible,
            with_range(Method::FarringtonFlexible, Method::FarringtonFlexible.default_params()),
        ),
        (
            "farrington-flexible-noufaily",
            Method::FarringtonFlexible,
            with_range(Method::FarringtonFlexible, Params::FarringtonFlexible(FlexibleControl::noufaily())),
        ),
        ("cusum", Method::Cusum, with_range(Method::Cusum, Method::Cusum.default_params())),
    ]
}

/// CPU time of the calling thread so far (Linux: /proc/thread-self/schedstat), if known.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(s.split_whitespace().next()?.parse().ok()?))
}

/// One parallel run: wall time, summed result, CPU time of the workers (if known).
struct Timing {
    wall: Duration,
    count: usize,
    cpu: Option<Duration>,
}

/// Runs `job` on every item with `threads` workers.
fn parallel<T: Sync>(items: &[T], threads: usize, job: impl Fn(&T) -> usize + Sync) -> Timing {
    let next = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let cpu_ns = AtomicUsize::new(0);
    let cpu_known = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let c0 = thread_cpu();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    total.fetch_add(job(item), Ordering::Relaxed);
                }
                if let (Some(a), Some(b)) = (c0, thread_cpu()) {
                    cpu_ns.fetch_add((b - a).as_nanos() as usize, Ordering::Relaxed);
                    cpu_known.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let wall = started.elapsed();
    let cpu = (cpu_known.into_inner() == threads).then(|| Duration::from_nanos(cpu_ns.into_inner() as u64));
    Timing { wall, count: total.into_inner(), cpu }
}

/// The fastest of `runs` runs.
fn fastest(runs: usize, run: impl Fn() -> Timing) -> Timing {
    (0..runs.max(1)).map(|_| run()).min_by_key(|t| t.wall).expect("at least one run")
}

fn detect_job(method: Method, params: &Params) -> impl Fn(&Series) -> usize + Sync + '_ {
    move |s| epi::detect(method, s, params).expect("detect").len()
}

fn rt_job(inc: &[f64]) -> usize {
    epi::estimate_r(inc, &RtConfig::new(SI.0, SI.1)).expect("rt").len()
}

/// Smallest time per evaluation over `runs` runs (one thread, the R subset).
fn best_of(runs: usize, run: impl Fn() -> Timing) -> f64 {
    (0..runs).map(|_| run()).map(|t| t.wall.as_secs_f64() / t.count as f64).fold(f64::INFINITY, f64::min)
}

struct Row {
    name: &'static str,
    evaluations: usize,
    wall: Duration,
    cpu: Option<Duration>,
    /// Seconds per evaluation, this crate on one thread over the R subset.
    rust_each: Option<f64>,
    /// Seconds per evaluation in R.
    r_each: Option<f64>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs scripts/r-reference/bench.R on the subset; returns method -> (seconds, evaluations).
fn run_r(series: &[Series], curves: &[Vec<f64>], start: usize) -> Option<Vec<(String, f64, usize)>> {
    let dir = std::env::temp_dir().join(format!("phos-epi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    for (i, s) in series.iter().enumerate() {
        let mut csv = String::from("week,observed\n");
        for (w, v) in s.observed().iter().enumerate() {
            csv.push_str(&format!("{},{v}\n", w + 1));
        }
        std::fs::write(dir.join(format!("detect_{i:04}.csv")), csv).ok()?;
    }
    for (i, c) in curves.iter().enumerate() {
        let mut csv = String::from("t,incidence\n");
        for (t, v) in c.iter().enumerate() {
            csv.push_str(&format!("{},{v}\n", t + 1));
        }
        std::fs::write(dir.join(format!("rt_{i:04}.csv")), csv).ok()?;
    }
    std::fs::write(dir.join("params.txt"), format!("range {start} {WEEKS}\nsi {} {}\n", SI.0, SI.1)).ok()?;
    let script = repo_root().join("scripts/r-reference/bench.R");
    let out = Command::new("Rscript").arg(&script).arg(&dir).output();
    std::fs::remove_dir_all(&dir).ok();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!("R benchmark failed: {}", String::from_utf8_lossy(&o.stderr));
            return None;
        }
        Err(_) => {
            eprintln!("Rscript not found: skipping the comparison with R");
            return None;
        }
    };
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                Some((f.first()?.to_string(), f.get(1)?.parse().ok()?, f.get(2)?.parse().ok()?))
            })
            .collect(),
    )
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let r_series: usize = std::env::var("PHOS_BENCH_R_SERIES").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let weeks: usize =
        std::env::var("PHOS_BENCH_WEEKS").ok().and_then(|v| v.parse().ok()).unwrap_or(260).clamp(1, WEEKS - 20);
    let start = WEEKS - weeks + 1;
    let runs: usize = std::env::var("PHOS_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);

    let t0 = Instant::now();
    let series = weekly_series(20_250_901);
    let curves = rt_curves(7, DISEASES * AREAS);
    println!(
        "workload: {} weekly series x {WEEKS} weeks, evaluating weeks {start}-{WEEKS}; {} Rt curves x {RT_DAYS} days \
         (generated in {:.2} s); {threads} threads, fastest of {runs} runs",
        series.len(),
        curves.len(),
        t0.elapsed().as_secs_f64()
    );

    let r = if r_series > 0 {
        run_r(&series[..r_series.min(series.len())], &curves[..(20 * r_series).min(curves.len())], start)
    } else {
        None
    };
    let r_for = |name: &str| r.as_ref().and_then(|v| v.iter().find(|x| x.0 == name)).map(|x| x.1 / x.2 as f64);

    let mut rows = Vec::new();
    for (name, method, params) in configs(start) {
        let t = fastest(runs, || parallel(&series, threads, detect_job(method, &params)));
        let r_each = r_for(name);
        let rust_each = r_each.map(|_| {
            let subset = &series[..r_series.min(series.len())];
            best_of(3, || parallel(subset, 1, detect_job(method, &params)))
        });
        rows.push(Row { name, evaluations: t.count, wall: t.wall, cpu: t.cpu, rust_each, r_each });
    }
    let t = fastest(runs, || parallel(&curves, threads, |c: &Vec<f64>| rt_job(c)));
    let r_each = r_for("rt");
    let rust_each = r_each.map(|_| {
        let subset = &curves[..(20 * r_series).min(curves.len())];
        best_of(3, || parallel(subset, 1, |c: &Vec<f64>| rt_job(c)))
    });
    rows.push(Row { name: "rt", evaluations: t.count, wall: t.wall, cpu: t.cpu, rust_each, r_each });

    println!();
    println!(
        "{:<30} {:>11} {:>11} {:>9} {:>14} {:>14} {:>10}",
        "method", "evaluations", "wall (s)", "cpu (s)", "rust µs/eval", "R µs/eval", "R / rust"
    );
    let mut total = Duration::ZERO;
    let mut cpu_total = Some(Duration::ZERO);
    let secs = |d: Option<Duration>| d.map_or("-".to_string(), |d| format!("{:.3}", d.as_secs_f64()));
    for row in &rows {
        total += row.wall;
        cpu_total = cpu_total.zip(row.cpu).map(|(a, b)| a + b);
        let us = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.3}", v * 1e6));
        let ratio = match (row.r_each, row.rust_each) {
            (Some(r), Some(x)) => format!("{:.0}x", r / x),
            _ => "-".into(),
        };
        println!(
            "{:<30} {:>11} {:>11.3} {:>9} {:>14} {:>14} {:>10}",
            row.name,
            row.evaluations,
            row.wall.as_secs_f64(),
            secs(row.cpu),
            us(row.rust_each),
            us(row.r_each),
            ratio
        );
    }
    println!(
        "{:<30} {:>11} {:>11.3} {:>9}",
        "total",
        rows.iter().map(|r| r.evaluations).sum::<usize>(),
        total.as_secs_f64(),
        secs(cpu_total)
    );
    if rows.iter().any(|r| r.r_each.is_some()) {
        println!(
            "R / rust: time per evaluation, each on ONE thread (per core), over the same first {r_series} series \
             (Rt: {} curves) in this run. R ran only on those; no R time for the whole workload is measured.",
            20 * r_series
        );
    }
}
