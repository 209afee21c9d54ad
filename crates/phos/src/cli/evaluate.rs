//! `phos evaluate` and `phos synth series`: synthetic weekly series with injected outbreaks
//! (`synth::series`), every detection method of `epi` run over them, and the alarms scored
//! against the truth (`synth::evaluation`). No database is involved.
//!
//! The dependency graph stays: synth (data) ← phos (this module) → epi (methods).

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use epi::{FlexibleControl, Method, Params, Series, WeekRange};
use synth::evaluation::{Tally, Window, score};
use synth::series::{DiseaseInput, SeriesConfig, WEEKS_PER_YEAR, WeeklySeries, hk_districts};

/// What to generate (shared by `phos evaluate` and `phos synth series`).
#[derive(Args, Debug, Clone)]
pub struct GenerateArgs {
    /// Seed: the same seed gives the same series and outbreaks.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Length of the series in years of 52 weeks.
    #[arg(long, default_value_t = 10)]
    pub years: usize,
    /// Diseases: all, the first N of the catalogue, or codes separated by commas
    /// (e.g. chickenpox,tuberculosis).
    #[arg(long, default_value = "all")]
    pub diseases: String,
    /// Outbreaks injected in each disease × district series after the training part.
    #[arg(long, default_value_t = 3)]
    pub outbreaks: usize,
    /// Outbreaks injected in each series within the training part.
    #[arg(long, default_value_t = 0)]
    pub training_outbreaks: usize,
    /// Weeks of the training part (default 5 years and 3 weeks: the history Farrington needs
    /// with b = 5, w = 3).
    #[arg(long, default_value_t = 5 * 52 + 3)]
    pub training_weeks: usize,
}

/// `phos synth series`.
#[derive(Args, Debug)]
#[command(after_help = "Writes DIR/counts.csv (week_start,disease,district,count: every disease of the \
catalogue × the 18 districts × every week; the territory is the sum of the districts) and \
DIR/outbreaks.csv (id,disease,district,start_week,end_week,weeks,cases,size_sd,baseline_sd,training,\
cases_by_week: the injected outbreaks, the ground truth). See docs/evaluation.md.")]
pub struct SeriesArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

/// `phos evaluate`.
#[derive(Args, Debug)]
#[command(after_help = "Generates the synthetic series (as phos synth series), runs each method over the weeks \
after the training part of every disease × district series and prints a Markdown table: sensitivity \
(detected outbreaks / outbreaks; an outbreak is detected by an alarm in its weeks, or within --lag weeks \
of its start), false alarms per series-year (alarms outside every outbreak), specificity, weekly \
sensitivity, median weeks from start to first alarm, positive predictive value; then the same by disease \
frequency. Methods: ears-c1, ears-c2, ears-c3, farrington, farrington-flexible (R defaults), noufaily \
(farrington-flexible with noPeriods = 10, weightsThreshold = 2.58, pastWeeksNotIncluded = 26, \
thresholdMethod = nbPlugin), cusum; all with R's default parameters. --level territory scores the \
territory-wide series (the sums of the districts) against every district's outbreaks. See docs/evaluation.md.")]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    /// Methods: all, or names separated by commas.
    #[arg(long, default_value = "all")]
    pub methods: String,
    /// Weeks after an outbreak's start within which an alarm still detects it (when the outbreak
    /// is shorter).
    #[arg(long, default_value_t = 0)]
    pub lag: usize,
    /// Series to evaluate: each disease in each district, or each disease territory-wide (the
    /// sum of the districts, holding every district's outbreaks).
    #[arg(long, value_enum, default_value_t = Level::District)]
    pub level: Level,
    /// Worker threads (0: all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Which series `phos evaluate` scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    District,
    Territory,
}

/// A method with its parameters, as evaluated.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub name: &'static str,
    pub label: &'static str,
    pub method: Method,
    pub params: Params,
}

/// Every method with R's defaults, and the Noufaily configuration of farringtonFlexible.
pub fn candidates() -> Vec<Candidate> {
    let c = |name, label, method: Method| Candidate { name, label, method, params: method.default_params() };
    vec![
        c("ears-c1", "EARS C1", Method::EarsC1),
        c("ears-c2", "EARS C2", Method::EarsC2),
        c("ears-c3", "EARS C3", Method::EarsC3),
        c("farrington", "Farrington", Method::Farrington),
        c("farrington-flexible", "Farrington flexible (R defaults)", Method::FarringtonFlexible),
        Candidate {
            name: "noufaily",
            label: "Farrington flexible (Noufaily)",
            method: Method::FarringtonFlexible,
            params: Params::FarringtonFlexible(FlexibleControl::noufaily()),
        },
        c("cusum", "CUSUM", Method::Cusum),
    ]
}

fn select_methods(spec: &str) -> anyhow::Result<Vec<Candidate>> {
    let all = candidates();
    if spec.trim() == "all" {
        return Ok(all);
    }
    let mut chosen = Vec::new();
    for name in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let c = all.iter().find(|c| c.name == name).with_context(|| {
            let names: Vec<_> = all.iter().map(|c| c.name).collect();
            format!("unknown method {name:?}; --methods takes all or some of {}", names.join(", "))
        })?;
        if !chosen.iter().any(|x: &Candidate| x.name == name) {
            chosen.push(c.clone());
        }
    }
    anyhow::ensure!(!chosen.is_empty(), "--methods names no method");
    Ok(chosen)
}

/// The catalogue's diseases (in catalogue order) with their baseline profiles.
fn select_diseases(spec: &str) -> anyhow::Result<Vec<DiseaseInput>> {
    let catalogue: Vec<String> = protection::catalogue::reference_diseases().into_iter().map(|d| d.code).collect();
    let codes: Vec<String> = match spec.trim() {
        "all" => catalogue,
        s if s.chars().all(|c| c.is_ascii_digit()) => {
            let n: usize = s.parse().context("--diseases")?;
            anyhow::ensure!(n >= 1, "--diseases must be at least 1");
            catalogue.into_iter().take(n).collect()
        }
        s => {
            let mut codes = Vec::new();
            for code in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                anyhow::ensure!(
                    catalogue.iter().any(|c| c == code),
                    "unknown disease {code:?}; see GET /api/v1/protection/diseases for the codes"
                );
                if !codes.iter().any(|c| c == code) {
                    codes.push(code.to_string());
                }
            }
            codes
        }
    };
    codes
        .iter()
        .map(|code| {
            DiseaseInput::with_profile(code).with_context(|| {
                format!("disease {code} has no baseline profile in crates/synth/data/disease_profiles.json")
            })
        })
        .collect()
}

fn generate(args: &GenerateArgs) -> anyhow::Result<WeeklySeries> {
    let config = SeriesConfig {
        seed: args.seed,
        years: args.years,
        training_weeks: args.training_weeks,
        outbreaks: args.outbreaks,
        training_outbreaks: args.training_outbreaks,
        ..Default::default()
    };
    Ok(WeeklySeries::generate(&config, &select_diseases(&args.diseases)?, &hk_districts())?)
}

/// `phos synth series`.
pub fn synth_series(args: &SeriesArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let s = generate(&args.generate)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    for (name, write) in [
        (
            "counts.csv",
            WeeklySeries::write_counts_csv as fn(&WeeklySeries, &mut std::io::BufWriter<std::fs::File>) -> _,
        ),
        ("outbreaks.csv", WeeklySeries::write_outbreaks_csv),
    ] {
        let path = args.out.join(name);
        let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&s, &mut w).and_then(|_| w.flush()).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "wrote {} series ({} diseases × {} districts × {} weeks from {}) and {} outbreaks to {} in {:.2}s",
        s.diseases.len() * s.districts.len(),
        s.diseases.len(),
        s.districts.len(),
        s.weeks(),
        s.week_start(0),
        s.outbreaks.len(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Territory-wide mean a week that separates the frequency bands of the second table.
const BANDS: [(&str, f64); 3] =
    [("rare (< 1 a week)", 1.0), ("moderate (1-20 a week)", 20.0), ("common (> 20 a week)", f64::INFINITY)];

fn band(mean_weekly: f64) -> usize {
    BANDS.iter().position(|(_, upper)| mean_weekly < *upper).unwrap_or(BANDS.len() - 1)
}

/// Per method: the tally overall, by band, and the CPU time spent in the method (wall time
/// where the thread's CPU time is unknown).
#[derive(Clone, Debug, Default)]
pub struct MethodResult {
    pub total: Tally,
    pub bands: [Tally; 3],
    pub time: Duration,
}

/// The outcome of an evaluation.
pub struct Evaluation {
    pub methods: Vec<Candidate>,
    pub results: Vec<MethodResult>,
    pub series: WeeklySeries,
    /// First evaluated week (0-based).
    pub first: usize,
    pub threads: usize,
    pub level: Level,
    pub generate_time: Duration,
    pub detect_time: Duration,
}

/// Runs every method over every disease × district series, in parallel.
pub fn evaluate(args: &EvaluateArgs) -> anyhow::Result<Evaluation> {
    let methods = select_methods(&args.methods)?;
    let started = Instant::now();
    let series = generate(&args.generate)?;
    let generate_time = started.elapsed();
    let weeks = series.weeks();
    let first = args.generate.training_weeks;
    anyhow::ensure!(first < weeks, "no weeks to evaluate after the training part ({first} of {weeks} weeks)");
    let mut prepared = Vec::new();
    for c in &methods {
        let needed = epi::history_needed(c.method, &c.params, WEEKS_PER_YEAR)?.weeks;
        anyhow::ensure!(
            needed <= first,
            "{} needs {needed} weeks of history before the first evaluated week; --training-weeks must be at least {needed}",
            c.name
        );
        let mut params = c.params.clone();
        params.set_range(Some(WeekRange::new(first + 1, weeks)));
        prepared.push((c.method, params));
    }
    // (disease, Some(district)) or (disease, None) for the territory.
    let jobs: Vec<(usize, Option<usize>)> = match args.level {
        Level::District => {
            (0..series.diseases.len()).flat_map(|d| (0..series.districts.len()).map(move |k| (d, Some(k)))).collect()
        }
        Level::Territory => (0..series.diseases.len()).map(|d| (d, None)).collect(),
    };
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    } else {
        args.threads
    }
    .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let merged = Mutex::new(vec![MethodResult::default(); methods.len()]);
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let detect_started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut local = vec![MethodResult::default(); methods.len()];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(d, k)) = jobs.get(i) else { break };
                    if let Err(e) = evaluate_one(&series, d, k, first, args.lag, &prepared, &mut local) {
                        failure.lock().expect("lock").get_or_insert(e);
                        next.store(jobs.len(), Ordering::Relaxed);
                        break;
                    }
                }
                let mut all = merged.lock().expect("lock");
                for (m, l) in all.iter_mut().zip(local) {
                    m.total.add(&l.total);
                    for (b, lb) in m.bands.iter_mut().zip(&l.bands) {
                        b.add(lb);
                    }
                    m.time += l.time;
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    Ok(Evaluation {
        methods,
        results: merged.into_inner().expect("lock"),
        series,
        first,
        threads,
        level: args.level,
        generate_time,
        detect_time: detect_started.elapsed(),
    })
}

/// CPU time of the calling thread so far (Linux: /proc/thread-self/schedstat), if known.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(s.split_whitespace().next()?.parse().ok()?))
}

/// Runs every method on disease `d` in district `k` (territory-wide when `None`).
fn evaluate_one(
    s: &WeeklySeries,
    d: usize,
    k: Option<usize>,
    first: usize,
    lag: usize,
    prepared: &[(Method, Params)],
    results: &mut [MethodResult],
) -> anyhow::Result<()> {
    let (counts, windows, area): (Vec<u32>, Vec<Window>, &str) = match k {
        Some(k) => (
            s.series(d, k).to_vec(),
            s.outbreaks_in(d, k).map(|o| Window { start: o.start, weeks: o.weeks() }).collect(),
            &s.districts[k].code,
        ),
        None => (
            s.territory(d),
            (0..s.districts.len())
                .flat_map(|k| s.outbreaks_in(d, k))
                .map(|o| Window { start: o.start, weeks: o.weeks() })
                .collect(),
            "the territory",
        ),
    };
    let series = Series::new(counts.iter().map(|&c| c as f64).collect(), WEEKS_PER_YEAR)?;
    let b = band(s.diseases[d].profile.mean_weekly);
    for ((method, params), result) in prepared.iter().zip(results.iter_mut()) {
        let (wall, cpu) = (Instant::now(), thread_cpu());
        let outcomes = epi::detect(*method, &series, params)
            .with_context(|| format!("{method} on {} in {area}", s.diseases[d].code))?;
        result.time += match (cpu, thread_cpu()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall.elapsed(),
        };
        let alarms: Vec<bool> = outcomes.iter().map(|o| o.alarm == Some(true)).collect();
        debug_assert_eq!(outcomes.first().map(|o| o.week), Some(first + 1));
        let tally = score(&alarms, first, &windows, lag);
        result.total.add(&tally);
        result.bands[b].add(&tally);
    }
    Ok(())
}

fn fixed(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
}

/// Thousands separated by commas.
fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The report in Markdown.
pub fn report(e: &Evaluation, args: &EvaluateArgs) -> String {
    let s = &e.series;
    let weeks = s.weeks();
    let evaluated = weeks - e.first;
    let n_series = e.results.first().map_or(0, |r| r.total.series);
    let outbreaks = s.outbreaks.iter().filter(|o| !o.training).count();
    let training = s.outbreaks.len() - outbreaks;
    let (lo, hi) = s.config.size_sd;
    let mut out = String::new();
    let _ = writeln!(out, "## Detection on synthetic series (seed {})\n", s.config.seed);
    let _ = writeln!(
        out,
        "{} series ({}) of {} weeks from {}; every method evaluates weeks {}–{} \
         ({:.2} years a series). {} outbreaks after the training part{} (size Poisson with mean k × the \
         baseline's sd, k uniform in [{lo}, {hi}], at least {} cases, spread over weeks by a lognormal(0, {})); \
         an outbreak is detected by an alarm in its weeks{}.\n",
        count(n_series),
        match e.level {
            Level::District => format!("{} diseases × {} districts", s.diseases.len(), s.districts.len()),
            Level::Territory =>
                format!("{} diseases, territory-wide: the sum of {} districts", s.diseases.len(), s.districts.len()),
        },
        weeks,
        s.week_start(0),
        e.first + 1,
        weeks,
        evaluated as f64 / WEEKS_PER_YEAR as f64,
        count(outbreaks),
        if training > 0 { format!(", {} within it", count(training)) } else { String::new() },
        s.config.min_cases,
        s.config.spread_sdlog,
        if args.lag > 0 { format!(" or within {} weeks of its start", args.lag) } else { String::new() },
    );
    let _ = writeln!(
        out,
        "| method | sensitivity | false alarms / series-year | specificity | weekly sensitivity | median weeks to detection | PPV | alarms | CPU (s) |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (c, r) in e.methods.iter().zip(&e.results) {
        let t = &r.total;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} |",
            c.label,
            fixed(t.sensitivity(), 3),
            fixed(t.false_alarms_per_year(), 3),
            fixed(t.specificity(), 4),
            fixed(t.weekly_sensitivity(), 3),
            fixed(t.median_delay(), 1),
            fixed(t.ppv(), 3),
            count(t.alarms),
            r.time.as_secs_f64()
        );
    }
    let _ = writeln!(out, "\n### By disease frequency (territory-wide mean)\n");
    let per_band: Vec<(usize, usize)> = BANDS
        .iter()
        .enumerate()
        .map(|(b, _)| {
            let diseases = s.diseases.iter().filter(|d| band(d.profile.mean_weekly) == b).count();
            (diseases, e.results.first().map_or(0, |r| r.bands[b].outbreaks))
        })
        .collect();
    let mut header = "| method |".to_string();
    let mut rule = "| --- |".to_string();
    for ((name, _), (diseases, outbreaks)) in BANDS.iter().zip(&per_band) {
        let _ = write!(header, " {name}: {diseases} diseases, {} outbreaks |", count(*outbreaks));
        rule.push_str(" ---: |");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for (c, r) in e.methods.iter().zip(&e.results) {
        let mut row = format!("| {} |", c.label);
        for t in &r.bands {
            let _ = write!(
                row,
                " {} / {} / {} |",
                fixed(t.sensitivity(), 3),
                fixed(t.false_alarms_per_year(), 3),
                fixed(t.median_delay(), 1)
            );
        }
        let _ = writeln!(out, "{row}");
    }
    let _ = writeln!(out, "\nCells: sensitivity / false alarms per series-year / median weeks to detection.\n");
    let _ = writeln!(
        out,
        "Generated in {:.2} s; detection and scoring in {:.2} s on {} threads (CPU column: CPU time of each \
         method, summed over threads).",
        e.generate_time.as_secs_f64(),
        e.detect_time.as_secs_f64(),
        e.threads
    );
    out
}

/// `phos evaluate`.
pub fn run(args: &EvaluateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let e = evaluate(args)?;
    let mut text = report(&e, args);
    let _ = writeln!(text, "Total run time {:.2} s.", started.elapsed().as_secs_f64());
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_disease_has_a_profile() {
        let all = select_diseases("all").unwrap();
        assert_eq!(all.len(), protection::catalogue::reference_diseases().len());
        assert_eq!(select_diseases("2").unwrap().len(), 2);
        assert_eq!(select_diseases("measles, mumps").unwrap()[1].code, "mumps");
        assert!(select_diseases("flu").unwrap_err().to_string().contains("unknown disease"));
    }

    #[test]
    fn methods_are_chosen_by_name() {
        assert_eq!(select_methods("all").unwrap().len(), 7);
        let m = select_methods("cusum,noufaily,cusum").unwrap();
        assert_eq!(m.iter().map(|c| c.name).collect::<Vec<_>>(), ["cusum", "noufaily"]);
        assert!(select_methods("c1").is_err());
    }

    #[test]
    fn numbers_are_formatted() {
        assert_eq!(count(936), "936");
        assert_eq!(count(249_033), "249,033");
        assert_eq!(count(1_922_496), "1,922,496");
        assert_eq!(fixed(None, 3), "–");
        assert_eq!(fixed(Some(0.5), 3), "0.500");
        assert_eq!(band(0.3), 0);
        assert_eq!(band(10.0), 1);
        assert_eq!(band(80.0), 2);
    }
}
