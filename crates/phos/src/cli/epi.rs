//! `phos detect`, `phos rt` and `phos scan`: the epidemiological methods of the `epi` crate on
//! CSV files, without a database. Results go to standard output as CSV; bad input gives a
//! message on standard error, exit code 2 and nothing on standard output.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use epi::{
    CusumReference, CusumTrans, Limit54, Method, Params, PowerTrans, RtConfig, RtEstimate, ScanConfig, Series,
    ThresholdMethod, WeekRange,
};

/// Weeks evaluated when `--range` is absent.
const DEFAULT_WEEKS: usize = 52;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    EarsC1,
    EarsC2,
    EarsC3,
    Farrington,
    FarringtonFlexible,
    Cusum,
}

impl MethodArg {
    fn method(self) -> Method {
        match self {
            MethodArg::EarsC1 => Method::EarsC1,
            MethodArg::EarsC2 => Method::EarsC2,
            MethodArg::EarsC3 => Method::EarsC3,
            MethodArg::Farrington => Method::Farrington,
            MethodArg::FarringtonFlexible => Method::FarringtonFlexible,
            MethodArg::Cusum => Method::Cusum,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ThresholdArg {
    #[value(name = "delta")]
    Delta,
    #[value(name = "nbPlugin")]
    NbPlugin,
    #[value(name = "muan")]
    Muan,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PowerTransArg {
    #[value(name = "2/3")]
    TwoThirds,
    #[value(name = "1/2")]
    Half,
    #[value(name = "none")]
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TransArg {
    #[value(name = "standard")]
    Standard,
    #[value(name = "rossi")]
    Rossi,
    #[value(name = "anscombe")]
    Anscombe,
    #[value(name = "anscombe2nd")]
    Anscombe2nd,
    #[value(name = "pearsonNegBin")]
    PearsonNegBin,
    #[value(name = "none")]
    None,
}

/// Aberration detection on a weekly series, as R's `surveillance` package.
#[derive(Args, Debug)]
#[command(after_help = "Parameters carry R's control names in kebab-case and R's defaults. Output: \
week,observed,upperbound,alarm for each week of the range (NA where R gives NA; alarm true/false).")]
pub struct DetectArgs {
    /// The method.
    #[arg(long, value_enum)]
    method: MethodArg,
    /// CSV with columns week,observed (week = 1, 2, … without gaps); `-` for standard input.
    #[arg(long)]
    input: PathBuf,
    /// Weeks to evaluate, START:END (1-based, inclusive). Default: the last 52 weeks that have
    /// enough history for the method.
    #[arg(long, value_parser = parse_range)]
    range: Option<WeekRange>,
    /// Weeks per year (R's freq).
    #[arg(long, default_value_t = 52)]
    frequency: usize,
    /// farrington*: years back (default 5).
    #[arg(long)]
    b: Option<usize>,
    /// farrington*: half window width in weeks (default 3).
    #[arg(long)]
    w: Option<usize>,
    /// Significance level (ears: 0.001, 0.025 for C3; farrington*: 0.05; cusum pearsonNegBin: dispersion 0.1).
    #[arg(long)]
    alpha: Option<f64>,
    /// farrington*: down-weight past outbreaks (true/false, default true).
    #[arg(long)]
    reweight: Option<bool>,
    /// farrington*: allow a time trend (true/false, default true).
    #[arg(long)]
    trend: Option<bool>,
    /// farrington-flexible: levels of the seasonal factor (default 1; Noufaily: 10).
    #[arg(long)]
    no_periods: Option<usize>,
    /// farrington-flexible: recent weeks left out of the fit (default w; Noufaily: 26).
    #[arg(long)]
    past_weeks_not_included: Option<usize>,
    /// farrington-flexible: residual threshold for down-weighting (default 2.58; original Farrington: 1).
    #[arg(long)]
    weights_threshold: Option<f64>,
    /// farrington-flexible: level at which the trend is kept (default 0.05).
    #[arg(long)]
    p_threshold_trend: Option<f64>,
    /// farrington-flexible: threshold method (default delta; Noufaily: nbPlugin).
    #[arg(long, value_enum)]
    threshold_method: Option<ThresholdArg>,
    /// farrington*: power transformation (default 2/3).
    #[arg(long, value_enum)]
    power_trans: Option<PowerTransArg>,
    /// farrington*: minimum cases and period, CASES,WEEKS (default 5,4).
    #[arg(long, value_parser = parse_limit54)]
    limit54: Option<Limit54>,
    /// ears-*: baseline weeks (default 7).
    #[arg(long)]
    baseline: Option<usize>,
    /// ears-*: minimum standard deviation (default 0).
    #[arg(long)]
    min_sigma: Option<f64>,
    /// cusum: reference value (default 1.04).
    #[arg(long)]
    k: Option<f64>,
    /// cusum: decision boundary (default 2.26).
    #[arg(long)]
    h: Option<f64>,
    /// cusum: in-control mean: a number, or glm (default: mean of the weeks before the range).
    #[arg(long, value_parser = parse_m)]
    m: Option<CusumReference>,
    /// cusum: transformation (default standard).
    #[arg(long, value_enum)]
    trans: Option<TransArg>,
}

/// The reproduction number over sliding windows, as EpiEstim's estimate_R(method = "parametric_si").
#[derive(Args, Debug)]
#[command(after_help = "Output: t_start,t_end,mean_r,std_r,q0025,q005,q025,median,q075,q095,q0975 \
(NA where the window ends before the mean serial interval).")]
pub struct RtArgs {
    /// CSV with columns t,incidence (t = 1, 2, … without gaps); `-` for standard input.
    #[arg(long)]
    input: PathBuf,
    /// Mean of the serial interval (> 1).
    #[arg(long)]
    si_mean: f64,
    /// Standard deviation of the serial interval (> 0).
    #[arg(long)]
    si_sd: f64,
    /// Window length in time steps.
    #[arg(long, default_value_t = 7)]
    window: usize,
    /// Prior mean of R.
    #[arg(long, default_value_t = 5.0)]
    mean_prior: f64,
    /// Prior standard deviation of R.
    #[arg(long, default_value_t = 5.0)]
    std_prior: f64,
}

/// Prospective space-time permutation scan over Hong Kong's 18 districts (Kulldorff 2005).
#[derive(Args, Debug)]
#[command(after_help = "Input: district,week,cases with district codes as in /api/v1/districts (CW, WC, E, S, \
YTM, SSP, KC, WTS, KT, KWT, TW, TM, YL, N, TP, SK, ST, IS); absent rows count as 0. Output: one row per \
cluster, the most likely first: cluster,districts,center,radius_km,start_week,end_week,observed,expected,\
relative_risk,llr,p_value,recurrence_interval (in weeks, or days if the time unit is days).")]
pub struct ScanArgs {
    /// CSV with columns district,week,cases (the time unit may be days: district,day,cases).
    #[arg(long)]
    input: PathBuf,
    /// Monte Carlo replicates.
    #[arg(long, default_value_t = 999)]
    replicates: usize,
    /// Seed of the permutations.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Longest time window (default: half the study period).
    #[arg(long)]
    max_window: Option<usize>,
    /// Most districts in a cluster (default: all 18, limited by --max-case-fraction).
    #[arg(long)]
    max_locations: Option<usize>,
    /// Largest share of all cases inside a circle.
    #[arg(long, default_value_t = 0.5)]
    max_case_fraction: f64,
    /// First time unit of the study period (default: the first in the file).
    #[arg(long)]
    start: Option<i64>,
    /// Last time unit of the study period, where every window ends (default: the last in the file).
    #[arg(long)]
    end: Option<i64>,
    /// Most clusters to print.
    #[arg(long, default_value_t = 10)]
    max_clusters: usize,
    /// Worker threads (0: all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

fn parse_range(s: &str) -> Result<WeekRange, String> {
    let (a, b) = s.split_once(':').ok_or("expected START:END, e.g. 261:312")?;
    let a: usize = a.trim().parse().map_err(|_| format!("{a:?} is not a week number"))?;
    let b: usize = b.trim().parse().map_err(|_| format!("{b:?} is not a week number"))?;
    if a < 1 || a > b {
        return Err("START must be at least 1 and not after END".into());
    }
    Ok(WeekRange::new(a, b))
}

fn parse_limit54(s: &str) -> Result<Limit54, String> {
    let (c, p) = s.split_once(',').ok_or("expected CASES,WEEKS, e.g. 5,4")?;
    let cases: f64 = c.trim().parse().map_err(|_| format!("{c:?} is not a number"))?;
    let period: usize = p.trim().parse().map_err(|_| format!("{p:?} is not a whole number of weeks"))?;
    Ok(Limit54 { cases, period })
}

fn parse_m(s: &str) -> Result<CusumReference, String> {
    if s == "glm" {
        return Ok(CusumReference::Glm);
    }
    s.parse::<f64>().map(CusumReference::Value).map_err(|_| "expected a number or glm".into())
}

/// Bad input: message on standard error, exit code 2, nothing on standard output.
fn bad_input(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}

fn epi_error(file: &Path, e: &epi::EpiError) -> String {
    format!("{}: {e} [{}]", file.display(), e.code())
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "NA".to_string(), |v| v.to_string())
}

/// `phos detect`.
pub fn detect(args: &DetectArgs) -> anyhow::Result<()> {
    match detect_csv(args) {
        Ok(text) => write_stdout(&text),
        Err(message) => bad_input(&message),
    }
}

/// `phos rt`.
pub fn rt(args: &RtArgs) -> anyhow::Result<()> {
    match rt_csv(args) {
        Ok(text) => write_stdout(&text),
        Err(message) => bad_input(&message),
    }
}

/// `phos scan`.
pub fn scan(args: &ScanArgs) -> anyhow::Result<()> {
    match scan_csv(args) {
        Ok(text) => write_stdout(&text),
        Err(message) => bad_input(&message),
    }
}

/// A parsed CSV: header names (lower case) and rows of (line number, fields).
struct Csv {
    columns: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn read_csv(path: &Path) -> Result<Csv, String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
    } else {
        text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    }
    let mut lines = text.trim_start_matches('\u{feff}').lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| format!("{} is empty", path.display()))?;
    let split = |l: &str| l.split(',').map(|f| f.trim().trim_matches('"').to_string()).collect::<Vec<_>>();
    let columns: Vec<String> = split(header).into_iter().map(|c| c.to_lowercase()).collect();
    let rows = lines.map(|(i, l)| (i + 1, split(l))).collect();
    Ok(Csv { columns, rows })
}

impl Csv {
    fn column(&self, path: &Path, names: &[&str], wanted: &str) -> Result<usize, String> {
        names.iter().find_map(|n| self.columns.iter().position(|c| c == n)).ok_or_else(|| {
            format!("{}: the header must name the column {wanted} (found: {})", path.display(), self.columns.join(","))
        })
    }

    fn field<'a>(&self, path: &Path, line: usize, fields: &'a [String], col: usize) -> Result<&'a str, String> {
        let v = fields.get(col).map(String::as_str).unwrap_or("");
        if v.is_empty() || v.eq_ignore_ascii_case("na") {
            return Err(format!(
                "{} line {line}: {} is empty or NA; the series must be complete",
                path.display(),
                self.columns[col]
            ));
        }
        Ok(v)
    }

    fn integer(&self, path: &Path, line: usize, fields: &[String], col: usize) -> Result<i64, String> {
        let v = self.field(path, line, fields, col)?;
        v.parse::<i64>()
            .map_err(|_| format!("{} line {line}: {} {v:?} is not a whole number", path.display(), self.columns[col]))
    }

    fn number(&self, path: &Path, line: usize, fields: &[String], col: usize) -> Result<f64, String> {
        let v = self.field(path, line, fields, col)?;
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{} line {line}: {} {v:?} is not a number", path.display(), self.columns[col]))
    }
}

/// Reads `week,observed` rows into a validated series.
fn read_series(path: &Path, frequency: usize) -> Result<Series, String> {
    let csv = read_csv(path)?;
    let wc = csv.column(path, &["week"], "week")?;
    let oc = csv.column(path, &["observed"], "observed")?;
    let mut rows = Vec::with_capacity(csv.rows.len());
    for (line, fields) in &csv.rows {
        rows.push((csv.integer(path, *line, fields, wc)?, csv.number(path, *line, fields, oc)?));
    }
    Series::from_weeks(&rows, frequency).map_err(|e| epi_error(path, &e))
}

/// Which methods a flag belongs to, for a clear message when it does not apply.
fn check_flags(args: &DetectArgs, method: Method) -> Result<(), String> {
    use Method::*;
    let farr: &[Method] = &[Farrington, FarringtonFlexible];
    let flex: &[Method] = &[FarringtonFlexible];
    let ears: &[Method] = &[EarsC1, EarsC2, EarsC3];
    let cus: &[Method] = &[Cusum];
    let alpha: &[Method] = &[EarsC1, EarsC2, EarsC3, Farrington, FarringtonFlexible, Cusum];
    let given: [(&str, bool, &[Method]); 18] = [
        ("--b", args.b.is_some(), farr),
        ("--w", args.w.is_some(), farr),
        ("--alpha", args.alpha.is_some(), alpha),
        ("--reweight", args.reweight.is_some(), farr),
        ("--trend", args.trend.is_some(), farr),
        ("--no-periods", args.no_periods.is_some(), flex),
        ("--past-weeks-not-included", args.past_weeks_not_included.is_some(), flex),
        ("--weights-threshold", args.weights_threshold.is_some(), flex),
        ("--p-threshold-trend", args.p_threshold_trend.is_some(), flex),
        ("--threshold-method", args.threshold_method.is_some(), flex),
        ("--power-trans", args.power_trans.is_some(), farr),
        ("--limit54", args.limit54.is_some(), farr),
        ("--baseline", args.baseline.is_some(), ears),
        ("--min-sigma", args.min_sigma.is_some(), ears),
        ("--k", args.k.is_some(), cus),
        ("--h", args.h.is_some(), cus),
        ("--m", args.m.is_some(), cus),
        ("--trans", args.trans.is_some(), cus),
    ];
    for (flag, present, methods) in given {
        if present && !methods.contains(&method) {
            let names: Vec<&str> = methods.iter().map(|m| m.name()).collect();
            return Err(format!("{flag} does not apply to {method} (it is a parameter of {})", names.join(", ")));
        }
    }
    if args.alpha.is_some() && method == Cusum && args.trans != Some(TransArg::PearsonNegBin) {
        return Err("--alpha applies to cusum only with --trans pearsonNegBin (it is the dispersion)".into());
    }
    Ok(())
}

fn detect_params(args: &DetectArgs, method: Method) -> Params {
    let mut params = method.default_params();
    match &mut params {
        Params::Ears(c) => {
            c.alpha = args.alpha.or(c.alpha);
            c.baseline = args.baseline.unwrap_or(c.baseline);
            c.min_sigma = args.min_sigma.unwrap_or(c.min_sigma);
        }
        Params::Farrington(c) => {
            c.b = args.b.unwrap_or(c.b);
            c.w = args.w.unwrap_or(c.w);
            c.alpha = args.alpha.unwrap_or(c.alpha);
            c.reweight = args.reweight.unwrap_or(c.reweight);
            c.trend = args.trend.unwrap_or(c.trend);
            c.limit54 = args.limit54.unwrap_or(c.limit54);
            c.powertrans = args.power_trans.map_or(c.powertrans, power_trans);
        }
        Params::FarringtonFlexible(c) => {
            c.b = args.b.unwrap_or(c.b);
            c.w = args.w.unwrap_or(c.w);
            c.alpha = args.alpha.unwrap_or(c.alpha);
            c.reweight = args.reweight.unwrap_or(c.reweight);
            c.trend = args.trend.unwrap_or(c.trend);
            c.limit54 = args.limit54.unwrap_or(c.limit54);
            c.powertrans = args.power_trans.map_or(c.powertrans, power_trans);
            c.no_periods = args.no_periods.unwrap_or(c.no_periods);
            c.past_weeks_not_included = args.past_weeks_not_included.or(c.past_weeks_not_included);
            c.weights_threshold = args.weights_threshold.unwrap_or(c.weights_threshold);
            c.p_threshold_trend = args.p_threshold_trend.unwrap_or(c.p_threshold_trend);
            if let Some(t) = args.threshold_method {
                c.threshold_method = match t {
                    ThresholdArg::Delta => ThresholdMethod::Delta,
                    ThresholdArg::NbPlugin => ThresholdMethod::NbPlugin,
                    ThresholdArg::Muan => ThresholdMethod::Muan,
                };
            }
        }
        Params::Cusum(c) => {
            c.k = args.k.unwrap_or(c.k);
            c.h = args.h.unwrap_or(c.h);
            c.alpha = args.alpha.unwrap_or(c.alpha);
            if let Some(m) = &args.m {
                c.m = m.clone();
            }
            if let Some(t) = args.trans {
                c.trans = match t {
                    TransArg::Standard => CusumTrans::Standard,
                    TransArg::Rossi => CusumTrans::Rossi,
                    TransArg::Anscombe => CusumTrans::Anscombe,
                    TransArg::Anscombe2nd => CusumTrans::Anscombe2nd,
                    TransArg::PearsonNegBin => CusumTrans::PearsonNegBin,
                    TransArg::None => CusumTrans::None,
                };
            }
        }
    }
    params
}

fn power_trans(p: PowerTransArg) -> PowerTrans {
    match p {
        PowerTransArg::TwoThirds => PowerTrans::TwoThirds,
        PowerTransArg::Half => PowerTrans::Half,
        PowerTransArg::None => PowerTrans::None,
    }
}

fn detect_csv(args: &DetectArgs) -> Result<String, String> {
    let method = args.method.method();
    check_flags(args, method)?;
    if args.frequency == 0 {
        return Err("--frequency must be at least 1 (52 for weekly data)".into());
    }
    let series = read_series(&args.input, args.frequency)?;
    let mut params = detect_params(args, method);
    let range = match args.range {
        Some(r) => r,
        None => {
            epi::last_weeks_range(method, &series, &params, DEFAULT_WEEKS).map_err(|e| epi_error(&args.input, &e))?
        }
    };
    params.set_range(Some(range));
    let outcomes = epi::detect(method, &series, &params).map_err(|e| epi_error(&args.input, &e))?;
    let mut out = String::from("week,observed,upperbound,alarm\n");
    for o in outcomes {
        let alarm = match o.alarm {
            Some(true) => "true",
            Some(false) => "false",
            None => "NA",
        };
        out.push_str(&format!("{},{},{},{alarm}\n", o.week, o.observed, fmt_opt(o.upperbound)));
    }
    Ok(out)
}

fn rt_csv(args: &RtArgs) -> Result<String, String> {
    let path = &args.input;
    let csv = read_csv(path)?;
    let tc = csv.column(path, &["t"], "t")?;
    let ic = csv.column(path, &["incidence"], "incidence")?;
    let mut rows = Vec::with_capacity(csv.rows.len());
    for (line, fields) in &csv.rows {
        let t = csv.integer(path, *line, fields, tc)?;
        let v = csv.number(path, *line, fields, ic)?;
        if v < 0.0 || v.fract() != 0.0 {
            return Err(format!(
                "{} line {line}: incidence {v} at t = {t} must be a whole number >= 0",
                path.display()
            ));
        }
        rows.push((t, v));
    }
    rows.sort_by_key(|r| r.0);
    for (i, &(t, _)) in rows.iter().enumerate() {
        if i > 0 && rows[i - 1].0 == t {
            return Err(format!("{}: t = {t} appears more than once", path.display()));
        }
        if t != i as i64 + 1 {
            return Err(format!("{}: t = {} is missing: t must run 1, 2, 3, … without gaps", path.display(), i + 1));
        }
    }
    let incidence: Vec<f64> = rows.into_iter().map(|r| r.1).collect();
    let config = RtConfig {
        mean_si: args.si_mean,
        std_si: args.si_sd,
        window: args.window,
        mean_prior: args.mean_prior,
        std_prior: args.std_prior,
    };
    let estimates = epi::estimate_r(&incidence, &config).map_err(|e| match e {
        epi::EpiError::InsufficientData { needed, got, .. } => format!(
            "{}: Rt with --window {} needs at least {needed} time steps, the file has {got}",
            path.display(),
            args.window
        ),
        e => format!("{e} [{}]", e.code()),
    })?;
    let mut out = RtEstimate::COLUMNS.join(",");
    out.push('\n');
    for e in estimates {
        out.push_str(&format!("{},{}", e.t_start, e.t_end));
        for v in e.values() {
            out.push(',');
            out.push_str(&fmt_opt(v));
        }
        out.push('\n');
    }
    Ok(out)
}

fn scan_csv(args: &ScanArgs) -> Result<String, String> {
    let path = &args.input;
    let csv = read_csv(path)?;
    let dc = csv.column(path, &["district"], "district")?;
    let tc = csv.column(path, &["week", "day"], "week (or day)")?;
    let cc = csv.column(path, &["cases"], "cases")?;
    let districts = kernel::hk::districts();
    let mut rows = Vec::with_capacity(csv.rows.len());
    for (line, fields) in &csv.rows {
        let code = csv.field(path, *line, fields, dc)?;
        let z = districts.iter().position(|d| d.code == code).ok_or_else(|| {
            let codes: Vec<&str> = districts.iter().map(|d| d.code.as_str()).collect();
            format!("{} line {line}: unknown district {code:?}; use one of {}", path.display(), codes.join(", "))
        })?;
        let t = csv.integer(path, *line, fields, tc)?;
        let c = csv.number(path, *line, fields, cc)?;
        if c < 0.0 || c.fract() != 0.0 {
            return Err(format!("{} line {line}: cases {c} must be a whole number >= 0", path.display()));
        }
        rows.push((*line, z, t, c as u64));
    }
    if rows.is_empty() {
        return Err(format!("{}: no rows after the header", path.display()));
    }
    let start = args.start.unwrap_or_else(|| rows.iter().map(|r| r.2).min().unwrap_or(1));
    let end = args.end.unwrap_or_else(|| rows.iter().map(|r| r.2).max().unwrap_or(1));
    if start > end {
        return Err(format!("the study period {start} to {end} is empty"));
    }
    let units = (end - start + 1) as usize;
    let mut counts = vec![vec![0u64; units]; districts.len()];
    let mut seen = std::collections::HashSet::new();
    for &(line, z, t, c) in &rows {
        if !seen.insert((z, t)) {
            return Err(format!(
                "{} line {line}: district {} at {} {t} appears more than once",
                path.display(),
                districts[z].code,
                csv.columns[tc]
            ));
        }
        if (start..=end).contains(&t) {
            counts[z][(t - start) as usize] = c;
        }
    }
    let locations: Vec<epi::Location> =
        districts.iter().map(|d| epi::Location { id: d.code.clone(), lat: d.lat, lon: d.lon }).collect();
    let config = ScanConfig {
        max_locations: args.max_locations,
        max_case_fraction: args.max_case_fraction,
        max_window: args.max_window,
        replicates: args.replicates,
        seed: args.seed,
        threads: args.threads,
        max_clusters: args.max_clusters,
    };
    let result = epi::scan(&locations, &counts, &config).map_err(|e| format!("{e} [{}]", e.code()))?;
    let unit = &csv.columns[tc];
    let mut out = format!(
        "cluster,districts,center,radius_km,start_{unit},end_{unit},observed,expected,relative_risk,llr,p_value,recurrence_interval\n"
    );
    for (i, c) in result.clusters.iter().enumerate() {
        let members: Vec<&str> = c.locations.iter().map(|&z| districts[z].code.as_str()).collect();
        out.push_str(&format!(
            "{},{},{},{:.3},{},{},{},{},{},{},{},{}\n",
            i + 1,
            members.join(";"),
            districts[c.center].code,
            c.radius_km,
            start + c.start as i64,
            start + c.end as i64,
            c.observed,
            c.expected,
            c.relative_risk,
            c.llr,
            fmt_opt(c.p_value),
            fmt_opt(c.recurrence_interval)
        ));
    }
    Ok(out)
}
