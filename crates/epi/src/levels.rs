//! The quasi-Poisson GLM of the Farrington methods, specialised to their design: an intercept
//! per level of the seasonal factor (R's intercept plus treatment contrasts span the same
//! space) and an optional common slope on time, `eta_i = c[g_i] + s * t_i`.
//!
//! The fit follows R's `glm.fit` iteration by iteration, as [`crate::glm::poisson_log`] does
//! (start at `mu = y + 0.1`, stop when the deviance changes by less than `1e-8` relative, at
//! most 25 iterations), so the coefficients, fitted values, working weights, covariance and hat
//! values are those R reports. What changes is the cost of an iteration, using the structure of
//! the design:
//! - `X'WX` is a diagonal block (one entry per level) bordered by the time column, so the
//!   normal equations are solved through the Schur complement of the diagonal in O(levels);
//! - an iteration needs only per-level sums of `w`, `w t` and `w t^2`: the right-hand side
//!   `X'Wz = X'W eta + X'(prior (y - mu))` and the deviance follow from sums of `y`, `y t` and
//!   `y log y` that do not change, so no working response or residual is formed;
//! - rows come in runs of consecutive weeks of one level, where `mu = exp(c_g + s t0) r^j` with
//!   `r = exp(s)`, so the sums of a run are `exp(c_g + s t0)` times sums of `r^j`, `j r^j`,
//!   `j^2 r^j` that depend only on the run's length; and the runs of one level and length that
//!   start a year apart (the same block in each past year) add up likewise with powers of
//!   `exp(s * 52)`. An iteration costs one `exp` and a few products per such group (about 15
//!   for Noufaily's 10 levels, 1 for Farrington's windows), and O(levels) without trend;
//! - the prior weights of the refit (`algo.farrington.assign.weights`) are one value `gamma`
//!   except on the rows of past outbreaks, so the weighted sums are `gamma` times the unweighted
//!   ones plus a correction on those rows;
//! - the hat values are `w_i (1/W_g + (t_i - tbar_g)^2 / sigma)` and the prediction variance at
//!   `t = 0` is `1/W_g + tbar_g^2 / sigma`, with `W_g`, `tbar_g` the level's weight and weighted
//!   mean time and `sigma` the Schur complement, so no inverse is formed.
//!
//! Anything unusual (a clamped or infinite mean, a nearly singular system, invalid weights)
//! sends the fit to the general implementation, which handles step halving and rank deficiency
//! as R does.

use crate::glm::{Design, Factor, GlmError, Response, assign_weights, poisson_log};

const MAXIT: usize = 25;
const EPSILON: f64 = 1e-8;

/// Per-week functions of the counts of a series that the fits need, computed once per series.
struct SeriesTerms {
    y: Vec<f64>,
    /// R's start `mu = linkinv(log(y + 0.1))`.
    mu0: Vec<f64>,
    /// `mu0 * z0`, with the working response `z0 = eta0 + (y - mu0) / mu0` of the first step.
    mz0: Vec<f64>,
    /// Unit deviance at `mu0`.
    dev0: Vec<f64>,
    /// `y log y` (0 for y = 0).
    ylogy: Vec<f64>,
    /// `y^(2/3)` for the Anscombe residuals.
    y23: Vec<f64>,
    /// Prefix sums (weeks before x, x 0-based) of the terms whose sums over a run the fits
    /// need, see [`Prefix`].
    prefix: Vec<Prefix>,
}

/// Sums over weeks of `y`, `y x`, `y^2`, `y log y`, the start deviance, `mu0`, `mu0 x`,
/// `mu0 x^2`, `mu0 z0`, `mu0 z0 x` (x the 0-based week index).
#[derive(Clone, Copy, Debug, Default)]
struct Prefix([f64; 10]);

impl SeriesTerms {
    fn new(x: &[f64]) -> Self {
        let n = x.len();
        let mut t = SeriesTerms {
            y: x.to_vec(),
            mu0: Vec::with_capacity(n),
            mz0: Vec::with_capacity(n),
            dev0: Vec::with_capacity(n),
            ylogy: Vec::with_capacity(n),
            y23: Vec::with_capacity(n),
            prefix: Vec::with_capacity(n + 1),
        };
        let mut acc = Prefix::default();
        t.prefix.push(acc);
        for (week, &y) in x.iter().enumerate() {
            let eta0 = (y + 0.1).ln();
            let mu0 = eta0.exp().max(f64::EPSILON);
            t.mu0.push(mu0);
            t.mz0.push(mu0 * eta0 + (y - mu0));
            t.dev0.push(if y > 0.0 { 2.0 * (y * (y / mu0).ln() - (y - mu0)) } else { 2.0 * mu0 });
            t.ylogy.push(if y > 0.0 { y * y.ln() } else { 0.0 });
            t.y23.push(y.powf(2.0 / 3.0));
            let w = week as f64;
            let (mu0, mz0) = (t.mu0[week], t.mz0[week]);
            let terms = [y, y * w, y * y, t.ylogy[week], t.dev0[week], mu0, mu0 * w, mu0 * w * w, mz0, mz0 * w];
            for (a, v) in acc.0.iter_mut().zip(terms) {
                *a += v;
            }
            t.prefix.push(acc);
        }
        t
    }
}

/// A run of rows `start..end` of one level: the consecutive weeks from `week` (0-based index in
/// the series) at times `t0, t0 + 1, …`.
#[derive(Clone, Copy, Debug)]
struct Run {
    start: usize,
    end: usize,
    level: usize,
    week: usize,
    t0: f64,
    /// `t0` minus the previous run's `t0` (NaN for the first run), set by `Rows::finish`.
    gap: f64,
}

impl Run {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Sums over the rows that do not depend on the coefficients, with the prior weights `p`:
/// per level `sum p y` and `sum p`; `sum p y t`, `sum p y log y`, the deviance at the start,
/// and the normal equations of the first step (at `mu0`).
#[derive(Clone, Debug, Default)]
struct Constants {
    py: Vec<f64>,
    /// `sum p y^2` per level (only without prior weights).
    yy: Vec<f64>,
    pw: Vec<f64>,
    pyt: f64,
    py_total: f64,
    ky: f64,
    dev0: f64,
    start: Sums,
    rhs0: Vec<f64>,
    rhs0_t: f64,
}

impl Constants {
    /// The sums without prior weights, from the prefix sums of the series: O(runs).
    fn unit(&mut self, rows: &Rows) {
        let levels = rows.levels;
        for v in [&mut self.py, &mut self.yy, &mut self.pw, &mut self.rhs0] {
            v.clear();
            v.resize(levels, 0.0);
        }
        self.start.reset(levels);
        let (mut pyt, mut ky, mut dev0, mut wtt, mut rhs0_t) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let prefix = &rows.terms.prefix;
        for run in &rows.runs {
            let (a, b) = (&prefix[run.week].0, &prefix[run.week + run.len()].0);
            let d: [f64; 10] = std::array::from_fn(|i| b[i] - a[i]);
            let [y, yx, yy, ylogy, dev, mu0, mu0x, mu0xx, mz0, mz0x] = d;
            // t = x + off over the run.
            let off = run.t0 - run.week as f64;
            let g = run.level;
            self.py[g] += y;
            self.yy[g] += yy;
            self.pw[g] += run.len() as f64;
            pyt += yx + off * y;
            ky += ylogy;
            dev0 += dev;
            self.start.w[g] += mu0;
            self.start.wt[g] += mu0x + off * mu0;
            wtt += mu0xx + 2.0 * off * mu0x + off * off * mu0;
            self.rhs0[g] += mz0;
            rhs0_t += mz0x + off * mz0;
        }
        self.start.wtt = wtt;
        self.pyt = pyt;
        self.py_total = self.py.iter().sum();
        self.ky = ky;
        self.dev0 = dev0;
        self.rhs0_t = rhs0_t;
    }

    fn compute(&mut self, rows: &Rows, prior: Option<&[f64]>) {
        let levels = rows.levels;
        for v in [&mut self.py, &mut self.pw, &mut self.rhs0] {
            v.clear();
            v.resize(levels, 0.0);
        }
        self.start.reset(levels);
        let tm = &rows.terms;
        let (mut pyt, mut ky, mut dev0, mut wtt, mut rhs0_t) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for run in &rows.runs {
            let (mut py, mut pw, mut w, mut wt, mut rhs) = (0.0, 0.0, 0.0, 0.0, 0.0);
            let (mut pyt_r, mut ky_r, mut dev0_r, mut wtt_r, mut rhs_t) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for j in 0..run.len() {
                let p = prior.map_or(1.0, |p| p[run.start + j]);
                let x = run.week + j;
                let (y, t) = (tm.y[x], run.t0 + j as f64);
                py += p * y;
                pw += p;
                pyt_r += p * y * t;
                ky_r += p * tm.ylogy[x];
                dev0_r += p * tm.dev0[x];
                let wi = p * tm.mu0[x];
                w += wi;
                wt += wi * t;
                wtt_r += wi * t * t;
                let wz = p * tm.mz0[x];
                rhs += wz;
                rhs_t += wz * t;
            }
            let g = run.level;
            self.py[g] += py;
            self.pw[g] += pw;
            self.start.w[g] += w;
            self.start.wt[g] += wt;
            self.rhs0[g] += rhs;
            pyt += pyt_r;
            ky += ky_r;
            dev0 += dev0_r;
            wtt += wtt_r;
            rhs0_t += rhs_t;
        }
        self.start.wtt = wtt;
        self.pyt = pyt;
        self.py_total = self.py.iter().sum();
        self.ky = ky;
        self.dev0 = dev0;
        self.rhs0_t = rhs0_t;
    }

    /// The sums with prior weight `base` on every row but the `exceptions` (row, weight - base),
    /// from the sums without weights.
    fn scaled(&mut self, unit: &Constants, base: f64, exceptions: &[(usize, f64)], rows: &Rows) {
        let scale = |dst: &mut Vec<f64>, src: &[f64]| {
            dst.clear();
            dst.extend(src.iter().map(|v| base * v));
        };
        scale(&mut self.py, &unit.py);
        scale(&mut self.pw, &unit.pw);
        scale(&mut self.rhs0, &unit.rhs0);
        scale(&mut self.start.w, &unit.start.w);
        scale(&mut self.start.wt, &unit.start.wt);
        let (mut pyt, mut ky, mut dev0) = (base * unit.pyt, base * unit.ky, base * unit.dev0);
        let (mut wtt, mut rhs0_t) = (base * unit.start.wtt, base * unit.rhs0_t);
        let tm = &rows.terms;
        for &(i, d) in exceptions {
            let run = &rows.runs[rows.run_of(i)];
            let (x, g) = (run.week + i - run.start, run.level);
            let (y, t) = (tm.y[x], run.t0 + (i - run.start) as f64);
            self.py[g] += d * y;
            self.pw[g] += d;
            pyt += d * y * t;
            ky += d * tm.ylogy[x];
            dev0 += d * tm.dev0[x];
            let w = d * tm.mu0[x];
            self.start.w[g] += w;
            self.start.wt[g] += w * t;
            wtt += w * t * t;
            let wz = d * tm.mz0[x];
            self.rhs0[g] += wz;
            rhs0_t += wz * t;
        }
        self.start.wtt = wtt;
        self.pyt = pyt;
        self.py_total = self.py.iter().sum();
        self.ky = ky;
        self.dev0 = dev0;
        self.rhs0_t = rhs0_t;
    }
}

/// The data of the fits of one week: runs of consecutive weeks of the series, each with its
/// level and time (centred, integer valued). Holds the per-week terms of the whole series, so
/// that a week's data is a list of runs.
pub(crate) struct Rows {
    terms: SeriesTerms,
    levels: usize,
    n: usize,
    runs: Vec<Run>,
    /// The constant sums without prior weights (set by `finish`).
    unit: Constants,
    /// Longest run and largest |t| (set by `finish`).
    max_run: usize,
    max_abs_t: f64,
    /// Per level: smallest and largest time.
    t_range: Vec<(f64, f64)>,
    /// The runs in groups of one level and length whose starts are `delta` apart (one group
    /// per level and past year's position in Farrington's designs), and the largest group.
    groups: Vec<Group>,
    delta: f64,
    max_count: usize,
    group_of: Vec<usize>,
}

/// `count` runs of level `level` and length `len` starting at `t0, t0 + delta, …`.
#[derive(Clone, Copy, Debug)]
struct Group {
    level: usize,
    len: usize,
    t0: f64,
    count: usize,
    last_t0: f64,
}

impl Rows {
    /// For the weeks of the series `x`.
    pub fn new(x: &[f64]) -> Self {
        Rows {
            terms: SeriesTerms::new(x),
            levels: 1,
            n: 0,
            runs: Vec::new(),
            unit: Constants::default(),
            max_run: 0,
            max_abs_t: 0.0,
            t_range: Vec::new(),
            groups: Vec::new(),
            delta: 0.0,
            max_count: 0,
            group_of: Vec::new(),
        }
    }

    /// Starts the data of a week with `levels` levels.
    pub fn clear(&mut self, levels: usize) {
        self.levels = levels;
        self.n = 0;
        self.runs.clear();
    }

    pub fn len(&self) -> usize {
        self.n
    }

    /// Adds the `len` weeks from `week` (1-based) at times `t0, t0 + 1, …` in level `level`.
    pub fn push_run(&mut self, week: usize, len: usize, t0: f64, level: usize) {
        debug_assert!(level < self.levels && week + len - 1 <= self.terms.y.len());
        if len == 0 {
            return;
        }
        let n = self.n;
        match self.runs.last_mut() {
            Some(r) if r.level == level && r.week + r.len() == week - 1 && r.t0 + r.len() as f64 == t0 => r.end += len,
            _ => self.runs.push(Run { start: n, end: n + len, level, week: week - 1, t0, gap: f64::NAN }),
        }
        self.n += len;
    }

    /// Completes the data after the last `push_run`.
    pub fn finish(&mut self) {
        let mut unit = std::mem::take(&mut self.unit);
        unit.unit(self);
        self.unit = unit;
        self.max_run = self.runs.iter().map(Run::len).max().unwrap_or(0);
        self.t_range.clear();
        self.t_range.resize(self.levels, (f64::INFINITY, f64::NEG_INFINITY));
        let mut prev_t0 = f64::NAN;
        for r in self.runs.iter_mut() {
            let range = &mut self.t_range[r.level];
            *range = (range.0.min(r.t0), range.1.max(r.t0 + (r.len() - 1) as f64));
            r.gap = r.t0 - prev_t0;
            prev_t0 = r.t0;
        }
        self.max_abs_t =
            self.runs.iter().fold(0.0, |m: f64, r| m.max(r.t0.abs()).max((r.t0 + (r.len() - 1) as f64).abs()));
        // Groups: a run joins the open group of its level and length if it starts `delta`
        // after that group's last run (`delta` is the first such distance met).
        let stride = self.max_run + 1;
        self.group_of.clear();
        self.group_of.resize(self.levels * stride, usize::MAX);
        self.groups.clear();
        let mut delta = f64::NAN;
        for r in &self.runs {
            let key = r.level * stride + r.len();
            if let Some(g) = self.groups.get_mut(self.group_of[key]) {
                let d = r.t0 - g.last_t0;
                if delta.is_nan() && d > 0.0 {
                    delta = d;
                }
                if d == delta {
                    g.count += 1;
                    g.last_t0 = r.t0;
                    continue;
                }
            }
            self.group_of[key] = self.groups.len();
            self.groups.push(Group { level: r.level, len: r.len(), t0: r.t0, count: 1, last_t0: r.t0 });
        }
        self.delta = if delta.is_nan() { 0.0 } else { delta };
        self.max_count = self.groups.iter().map(|g| g.count).max().unwrap_or(0);
    }

    /// The largest count (computed when asked: only the trend decision needs it).
    pub fn max_y(&self) -> f64 {
        let tm = &self.terms;
        self.runs
            .iter()
            .map(|r| tm.y[r.week..r.week + r.len()].iter().fold(f64::NEG_INFINITY, |m, &y| m.max(y)))
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// The run of row `i`.
    fn run_of(&self, i: usize) -> usize {
        self.runs.partition_point(|r| r.end <= i)
    }

    /// Counts, times and levels row by row.
    pub fn columns(&self) -> (Vec<f64>, Vec<f64>, Vec<usize>) {
        let (mut y, mut t, mut level) = (Vec::new(), Vec::new(), Vec::new());
        for r in &self.runs {
            y.extend_from_slice(&self.terms.y[r.week..r.week + r.len()]);
            t.extend((0..r.len()).map(|j| r.t0 + j as f64));
            level.extend(std::iter::repeat_n(r.level, r.len()));
        }
        (y, t, level)
    }

    /// The general design of the same model: intercept, time if `trend`, and the factor.
    fn design(&self, trend: bool) -> (Design, Vec<f64>) {
        let (y, t, level) = self.columns();
        let mut columns = vec![vec![1.0; y.len()]];
        if trend {
            columns.push(t);
        }
        let factor = (self.levels > 1).then_some(Factor { level, levels: self.levels });
        (Design { columns, factor }, y)
    }
}

/// Per-level sums of the working weights `w`, `w t` and the total of `w t^2`.
#[derive(Clone, Debug, Default)]
struct Sums {
    w: Vec<f64>,
    wt: Vec<f64>,
    wtt: f64,
}

impl Sums {
    fn reset(&mut self, levels: usize) {
        if self.w.len() == levels && self.wt.len() == levels {
            self.w.fill(0.0);
            self.wt.fill(0.0);
        } else {
            self.w.clear();
            self.w.resize(levels, 0.0);
            self.wt.clear();
            self.wt.resize(levels, 0.0);
        }
        self.wtt = 0.0;
    }

    fn copy_from(&mut self, o: &Sums) {
        self.w.clone_from(&o.w);
        self.wt.clone_from(&o.wt);
        self.wtt = o.wtt;
    }
}

/// Solves `[diag(W) T; T' S] [c; s] = [r; rs]` (`s` only with a trend). `None` when the
/// system is (nearly) singular.
fn solve(sums: &Sums, trend: bool, r: &[f64], rs: f64, c: &mut [f64], s: &mut f64) -> Option<()> {
    if !trend {
        for ((c, &r), &w) in c.iter_mut().zip(r).zip(&sums.w) {
            *c = r / w;
        }
        return Some(());
    }
    let mut sigma = sums.wtt;
    let mut rhs = rs;
    for ((&w, &wt), &r) in sums.w.iter().zip(&sums.wt).zip(r) {
        sigma -= wt * wt / w;
        rhs -= wt * r / w;
    }
    if sigma.is_nan() || sigma <= 1e-10 * sums.wtt || sigma.is_infinite() {
        return None;
    }
    let ds = rhs / sigma;
    *s = ds;
    for (((c, &r), &w), &wt) in c.iter_mut().zip(r).zip(&sums.w).zip(&sums.wt) {
        *c = (r - wt * ds) / w;
    }
    Some(())
}

/// Prior weights (R's `weights`) of a fit: `omega`, equal to `base` on every row but the
/// `exceptions` (row, weight - base). The weights of `algo.farrington.assign.weights` have this
/// form (the rows of past outbreaks are the exceptions), which makes the weighted sums the
/// unweighted ones times `base` plus a correction on a few rows.
#[derive(Clone, Debug, Default)]
pub(crate) struct Weights {
    pub omega: Vec<f64>,
    base: f64,
    exceptions: Vec<(usize, f64)>,
    /// All weights finite and positive.
    valid: bool,
}

impl Weights {
    /// Any weights: the exceptions are found with the first or the second weight as base.
    pub fn from_omega(omega: Vec<f64>) -> Self {
        let mut w = Weights { omega, ..Default::default() };
        w.valid = w.omega.iter().all(|&v| v > 0.0 && v < f64::INFINITY);
        for candidate in w.omega.iter().take(2) {
            w.base = *candidate;
            w.exceptions.clear();
            w.exceptions
                .extend(w.omega.iter().enumerate().filter(|(_, v)| **v != w.base).map(|(i, v)| (i, v - w.base)));
            if w.exceptions.len() <= w.omega.len() / 4 {
                break;
            }
        }
        w
    }

    /// Few enough exceptions for the sums by correction.
    fn sparse(&self) -> bool {
        self.exceptions.len() <= self.omega.len() / 4
    }
}

/// `exp(alpha * (c[g] + s t))` at the first row of every run, and the powers of
/// `exp(alpha * s)` that give the following rows: one `exp` per level, and one per run that
/// does not follow the previous one closely (the others continue its product).
#[derive(Clone, Debug, Default)]
struct RunExp {
    start: Vec<f64>,
    pow: Vec<f64>,
    level: Vec<f64>,
}

impl RunExp {
    /// Only the levels, for a model without trend (`complete` adds the runs).
    fn fill_levels(&mut self, c: &[f64], alpha: f64) {
        self.level.clear();
        self.level.extend(c.iter().map(|c| exp(alpha * c)));
        self.start.clear();
    }

    /// The runs after `fill_levels`.
    fn complete(&mut self, rows: &Rows) {
        if self.start.len() != rows.runs.len() {
            self.pow.clear();
            self.pow.resize(rows.max_run + 1, 1.0);
            self.start.clear();
            self.start.extend(rows.runs.iter().map(|run| self.level[run.level]));
        }
    }

    fn fill(&mut self, rows: &Rows, c: &[f64], s: f64, alpha: f64) {
        self.level.clear();
        self.level.extend(c.iter().map(|c| exp(alpha * c)));
        self.pow.clear();
        self.start.clear();
        if s == 0.0 {
            self.pow.resize(rows.max_run + 1, 1.0);
            self.start.extend(rows.runs.iter().map(|run| self.level[run.level]));
            return;
        }
        let r = exp(alpha * s);
        let mut p = 1.0;
        for _ in 0..=rows.max_run {
            self.pow.push(p);
            p *= r;
        }
        // exp(alpha s t0) of each run from the previous one: times a power of r for runs that
        // start at most max_run later, times exp(alpha s gap) (kept for the next equal gap)
        // otherwise.
        let mut q = 1.0;
        let (mut gap_cached, mut r_gap) = (f64::NAN, 1.0);
        for run in &rows.runs {
            let gap = run.gap;
            q = if gap >= 0.0 && gap <= rows.max_run as f64 {
                q * self.pow[gap as usize]
            } else if gap == gap_cached {
                q * r_gap
            } else if gap.is_finite() {
                gap_cached = gap;
                r_gap = exp(alpha * s * gap);
                q * r_gap
            } else {
                exp(alpha * s * run.t0)
            };
            self.start.push(self.level[run.level] * q);
        }
    }
}

/// `out[m]` = sums over j < m of `r^j`, `j r^j`, `j^2 r^j`, for m < len.
fn moments(out: &mut Vec<[f64; 3]>, r: f64, len: usize) {
    out.resize(len, [0.0; 3]);
    let (mut m, mut p, mut jf) = ([0.0; 3], 1.0, 0.0);
    for o in out.iter_mut() {
        *o = m;
        m = [m[0] + p, m[1] + jf * p, m[2] + jf * jf * p];
        p *= r;
        jf += 1.0;
    }
}

/// `exp(x)` within about 1 ulp, without a library call for |x| < 700 (Cody-Waite reduction
/// to |r| <= ln(2)/2 and the Taylor polynomial of degree 13, whose remainder is below 1e-17).
#[inline(always)]
fn exp(x: f64) -> f64 {
    if x.is_nan() || x.abs() >= 700.0 {
        return x.exp();
    }
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52: adding it rounds to an integer
    // fdlibm's split of ln 2: LN2_HI has 32 bits, so k * LN2_HI is exact.
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
    const C: [f64; 14] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let k = (x * std::f64::consts::LOG2_E + SHIFT) - SHIFT;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Estrin's scheme: independent products keep the pipeline busy.
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p0_3 = (C[0] + r * C[1]) + r2 * (C[2] + r * C[3]);
    let p4_7 = (C[4] + r * C[5]) + r2 * (C[6] + r * C[7]);
    let p8_11 = (C[8] + r * C[9]) + r2 * (C[10] + r * C[11]);
    let p12_13 = C[12] + r * C[13];
    let p = (p0_3 + r4 * p4_7) + r8 * (p8_11 + r4 * p12_13);
    p * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

/// A fitted model with what R keeps of the last weighted least-squares step. One value is
/// refitted again and again (`fit`) to reuse its buffers.
#[derive(Clone, Debug, Default)]
pub(crate) struct LevelFit {
    /// Linear predictor of each level at t = 0 (R's intercept plus the level's contrast).
    pub c: Vec<f64>,
    /// Slope on time (0 without trend).
    pub s: f64,
    pub trend: bool,
    /// Slope of the step before the last, whose means give R's working weights (`prior * mu`;
    /// `None`: the start `mu0`); its `c` is `c_prev` and its means are in `ex_prev`.
    prev: Option<f64>,
    c_prev: Vec<f64>,
    /// Per level: sum of the working weights and their weighted mean time (last step).
    w_sum: Vec<f64>,
    t_bar: Vec<f64>,
    /// Schur complement `sum w t^2 - sum_g W_g tbar_g^2` (last step; unused without trend).
    sigma: f64,
    /// Pearson's statistic with the working weights, and with the prior weights, over the
    /// residual degrees of freedom.
    dispersion: f64,
    prior_dispersion: f64,
    /// Fitted values and working weights of the general implementation, when it was used.
    general: Option<(Vec<f64>, Vec<f64>)>,
    pub df_residual: usize,
    pub converged: bool,
    pub iterations: usize,
    /// Whether the fit had prior weights.
    weighted: bool,
    /// `ex6`, `ipow` and `cube` hold `mu^(1/6)` of the fit (fast path).
    ex6_valid: bool,
    // Scratch.
    consts: Constants,
    sums: Sums,
    next: Sums,
    rhs: Vec<f64>,
    dc: Vec<f64>,
    ex: RunExp,
    ex_prev: RunExp,
    ex6: RunExp,
    /// Per power j: 1 / r^j, (r^j)^3.
    ipow: Vec<f64>,
    cube: Vec<f64>,
    /// Per run length m: sums over j < m of r^j, j r^j, j^2 r^j; the same per group size.
    moments: Vec<[f64; 3]>,
    group_moments: Vec<[f64; 3]>,
}

impl LevelFit {
    /// Fits the model by R's iteration; `prior` are R's `weights`.
    pub fn fit(&mut self, rows: &Rows, trend: bool, prior: Option<&Weights>) -> Result<(), GlmError> {
        self.general = None;
        self.ex6_valid = false;
        self.weighted = prior.is_some();
        if self.fit_fast(rows, trend, prior).is_none() {
            self.fit_general(rows, trend, prior.map(|w| &w.omega[..]))?;
        }
        Ok(())
    }

    /// R's iteration on the structured design; `None` where the general code must take over
    /// (which also refuses invalid prior weights).
    fn fit_fast(&mut self, rows: &Rows, trend: bool, weights: Option<&Weights>) -> Option<()> {
        let levels = rows.levels;
        self.trend = trend;
        self.df_residual = rows.len().saturating_sub(levels + usize::from(trend));
        if weights.is_some_and(|w| !w.valid || w.omega.len() != rows.len()) {
            return None;
        }
        let prior = weights.map(|w| &w.omega[..]);
        let sparse = weights.is_none_or(Weights::sparse);
        let (base, exceptions) = weights.map_or((1.0, &[][..]), |w| (w.base, &w.exceptions[..]));
        let consts = match prior {
            Some(_) if sparse => {
                self.consts.scaled(&rows.unit, base, exceptions, rows);
                &self.consts
            }
            Some(_) => {
                self.consts.compute(rows, prior);
                &self.consts
            }
            None => &rows.unit,
        };
        if !consts.pw.iter().all(|&w| w > 0.0) {
            return None;
        }
        for v in [&mut self.c, &mut self.c_prev, &mut self.dc, &mut self.rhs] {
            v.clear();
            v.resize(levels, 0.0);
        }
        let mut s = 0.0;
        solve(&consts.start, trend, &consts.rhs0, consts.rhs0_t, &mut self.c, &mut s)?;
        // The weights of the step that produced (c, s).
        self.sums.copy_from(&consts.start);
        self.prev = None;
        let mut devold = consts.dev0;
        let mut iterations = 1;
        let mut converged = false;
        loop {
            let reach = s.abs() * rows.max_abs_t;
            if trend && (reach.is_nan() || reach >= 600.0) {
                return None;
            }
            // Weights and deviance at (c, s).
            let next = &mut self.next;
            next.reset(levels);
            let ex = &mut self.ex;
            let mut lo = f64::INFINITY;
            let mut hi = f64::NEG_INFINITY;
            if trend && sparse {
                // By groups of runs: a run of length m starting at t0 adds
                // exp(c + s t0) (A, t0 A + B, t0^2 A + 2 t0 B + C) with A, B, C the sums over
                // j < m of r^j, j r^j, j^2 r^j (r = exp(s)); the runs of a group start at
                // T + i delta, i < count, and add up the same way with R = exp(s delta).
                moments(&mut self.moments, exp(s), rows.max_run + 1);
                moments(&mut self.group_moments, exp(s * rows.delta), rows.max_count + 1);
                let delta = rows.delta;
                let mut wtt = 0.0;
                for grp in &rows.groups {
                    let [a, b, c2] = self.moments[grp.len];
                    let [g0, g1, g2] = self.group_moments[grp.count];
                    let t0 = grp.t0;
                    let e = exp(self.c[grp.level] + s * t0);
                    let tg = t0 * g0 + delta * g1;
                    let ttg = t0 * t0 * g0 + 2.0 * t0 * delta * g1 + delta * delta * g2;
                    next.w[grp.level] += e * a * g0;
                    next.wt[grp.level] += e * (a * tg + b * g0);
                    wtt += e * (a * ttg + 2.0 * b * tg + c2 * g0);
                }
                if prior.is_some() {
                    for (w, wt) in next.w.iter_mut().zip(next.wt.iter_mut()) {
                        *w *= base;
                        *wt *= base;
                    }
                    wtt *= base;
                    for &(i, d) in exceptions {
                        let run = &rows.runs[rows.run_of(i)];
                        let t = run.t0 + (i - run.start) as f64;
                        let w = d * exp(self.c[run.level] + s * t);
                        next.w[run.level] += w;
                        next.wt[run.level] += w * t;
                        wtt += w * t * t;
                    }
                }
                next.wtt = wtt;
                for (c, &(t_lo, t_hi)) in self.c.iter().zip(&rows.t_range) {
                    let (e0, e1) = (c + s * t_lo, c + s * t_hi);
                    lo = lo.min(e0.min(e1));
                    hi = hi.max(e0.max(e1));
                }
            } else if trend {
                // Any prior weights: run by run.
                ex.fill(rows, &self.c, s, 1.0);
                let pr = prior.unwrap_or(&[]);
                let mut wtt = 0.0;
                for (k, run) in rows.runs.iter().enumerate() {
                    let mut m = [0.0; 3];
                    for (j, (&p, &q)) in pr[run.start..run.end].iter().zip(&ex.pow).enumerate() {
                        let (v, j) = (p * q, j as f64);
                        m = [m[0] + v, m[1] + j * v, m[2] + j * j * v];
                    }
                    let [a, b, c2] = m;
                    let (e, t0, g) = (ex.start[k], run.t0, run.level);
                    next.w[g] += e * a;
                    next.wt[g] += e * (t0 * a + b);
                    wtt += e * (t0 * t0 * a + 2.0 * t0 * b + c2);
                }
                next.wtt = wtt;
                for (c, &(t_lo, t_hi)) in self.c.iter().zip(&rows.t_range) {
                    let (e0, e1) = (c + s * t_lo, c + s * t_hi);
                    lo = lo.min(e0.min(e1));
                    hi = hi.max(e0.max(e1));
                }
            } else {
                ex.fill_levels(&self.c, 1.0);
                for (((w, e), pw), &c) in next.w.iter_mut().zip(&ex.level).zip(&consts.pw).zip(&self.c) {
                    *w = e * pw;
                    lo = lo.min(c);
                    hi = hi.max(c);
                }
            }
            // Leave clamped (mu < eps) or overflowing means to the general code.
            if !(lo > f64::EPSILON.ln() + 1.0 && hi < 700.0) {
                return None;
            }
            // 2 sum p (y log y - y eta - y + mu), from the sums.
            let mut dev = consts.ky - consts.pyt * s - consts.py_total;
            for ((w, c), py) in next.w.iter().zip(&self.c).zip(&consts.py) {
                dev += w - c * py;
            }
            dev *= 2.0;
            if !dev.is_finite() {
                return None;
            }
            if (dev - devold).abs() / (0.1 + dev.abs()) < EPSILON {
                converged = true;
                break;
            }
            if iterations == MAXIT {
                break;
            }
            devold = dev;
            // Newton step: X'WX d = X'(prior (y - mu)).
            let mut gs = consts.pyt;
            for (((r, py), w), wt) in self.rhs.iter_mut().zip(&consts.py).zip(&next.w).zip(&next.wt) {
                *r = py - w;
                gs -= wt;
            }
            let mut ds = 0.0;
            solve(next, trend, &self.rhs, gs, &mut self.dc, &mut ds)?;
            self.c_prev.copy_from_slice(&self.c);
            self.prev = Some(s);
            for (c, d) in self.c.iter_mut().zip(&self.dc) {
                *c += d;
            }
            s += ds;
            std::mem::swap(&mut self.sums, &mut self.next);
            std::mem::swap(&mut self.ex, &mut self.ex_prev);
            iterations += 1;
        }
        // Run by run: x = mu^(1/6) at the fit (mu = x^6 for the residuals, mu^(-1/6) = 1/x and
        // sqrt(mu) = x^3 for the Anscombe residuals) and the means at the step before.
        if trend {
            self.ex6.fill(rows, &self.c, s, 1.0 / 6.0);
        } else {
            self.ex6.fill_levels(&self.c, 1.0 / 6.0);
            self.ex6.complete(rows);
        }
        self.ipow.clear();
        self.ipow.extend(self.ex6.pow.iter().map(|p| 1.0 / p));
        self.cube.clear();
        self.cube.extend(self.ex6.pow.iter().map(|p| p * p * p));
        match self.prev {
            Some(sp) if trend && sparse => self.ex_prev.fill(rows, &self.c_prev, sp, 1.0),
            Some(_) => self.ex_prev.complete(rows),
            None => {}
        }
        self.ex6_valid = true;
        self.s = if trend { s } else { 0.0 };
        self.converged = converged;
        self.iterations = iterations;
        self.finish_step();
        let (pearson, prior_pearson) = self.pearson(rows, prior, base, exceptions, sparse);
        let df = self.df_residual as f64;
        self.dispersion = if self.df_residual == 0 { f64::NAN } else { pearson / df };
        self.prior_dispersion = if self.df_residual == 0 { f64::NAN } else { prior_pearson / df };
        Some(())
    }

    /// Pearson's statistics of a fast fit, with the working weights of the last step and with the
    /// prior weights: `sum w_prev r^2`, `sum p r^2` with `r = (y - mu) / mu = y / mu - 1`. `ex6`
    /// holds `mu^(1/6)` at the fit, `ex_prev` the means at the step before (and without trend
    /// `ex` the means of the levels at the fit).
    fn pearson(
        &mut self,
        rows: &Rows,
        prior: Option<&[f64]>,
        base: f64,
        exceptions: &[(usize, f64)],
        sparse: bool,
    ) -> (f64, f64) {
        let tm = &rows.terms;
        if !self.trend && self.prev.is_some() && sparse {
            // mu and w_prev are constant per level: sum p (y - mu)^2 = base (sum y^2 - 2 mu
            // sum y + n mu^2) + the exceptions.
            let (u, levels) = (&rows.unit, rows.levels);
            let mut sq: Vec<f64> = (0..levels)
                .map(|g| {
                    let mu = self.ex.level[g];
                    base * (u.yy[g] - 2.0 * mu * u.py[g] + u.pw[g] * mu * mu)
                })
                .collect();
            if prior.is_some() {
                for &(i, d) in exceptions {
                    let run = &rows.runs[rows.run_of(i)];
                    let r = tm.y[run.week + i - run.start] - self.ex.level[run.level];
                    sq[run.level] += d * r * r;
                }
            }
            let (mut pe, mut ppe) = (0.0, 0.0);
            for (g, sq) in sq.iter().enumerate() {
                let mu = self.ex.level[g];
                let v = sq / (mu * mu);
                pe += self.ex_prev.level[g] * v;
                ppe += v;
            }
            return (pe, ppe);
        }
        let (mut pearson, mut prior_pearson) = (0.0, 0.0);
        for (k, run) in rows.runs.iter().enumerate() {
            let len = run.len();
            let q0 = 1.0 / self.ex6.start[k];
            let y = &tm.y[run.week..run.week + len];
            let ipow = &self.ipow[..len];
            let (mut pe, mut ppe) = (0.0, 0.0);
            // 1 / mu = (mu^(-1/6))^6.
            let inv_mu = |j: usize| {
                let q = q0 * ipow[j];
                let q2 = q * q;
                q2 * q2 * q2
            };
            // Working weights: prior * mu at the step before (or mu0).
            let mut add = |j: usize, w: f64| {
                let res = y[j] * inv_mu(j) - 1.0;
                let r2 = res * res;
                pe += w * r2;
                ppe += r2;
            };
            match (prior, self.prev.is_some()) {
                (None, true) => {
                    let (ep, pp) = (self.ex_prev.start[k], &self.ex_prev.pow[..len]);
                    (0..len).for_each(|j| add(j, ep * pp[j]));
                }
                (None, false) => {
                    let mu0 = &tm.mu0[run.week..run.week + len];
                    (0..len).for_each(|j| add(j, mu0[j]));
                }
                (Some(p), _) => {
                    let p = &p[run.start..run.end];
                    let (ep, pp) = (self.ex_prev.start.get(k).copied().unwrap_or(0.0), &self.ex_prev.pow[..len]);
                    let mu0 = &tm.mu0[run.week..run.week + len];
                    let prev = self.prev.is_some();
                    for j in 0..len {
                        let res = y[j] * inv_mu(j) - 1.0;
                        let r2 = p[j] * res * res;
                        pe += if prev { ep * pp[j] } else { mu0[j] } * r2;
                        ppe += r2;
                    }
                }
            }
            pearson += pe;
            prior_pearson += ppe;
        }
        (pearson, prior_pearson)
    }

    /// `w_sum`, `t_bar` and `sigma` from the sums of the last step.
    fn finish_step(&mut self) {
        let st = &self.sums;
        self.w_sum.clone_from(&st.w);
        self.t_bar.clear();
        self.t_bar.extend(st.w.iter().zip(&st.wt).map(|(w, wt)| wt / w));
        self.sigma = if self.trend {
            st.wtt - st.w.iter().zip(&st.wt).map(|(w, wt)| wt * wt / w).sum::<f64>()
        } else {
            f64::INFINITY
        };
    }

    /// The same fit by the general implementation (step halving, clamped means, rank checks).
    fn fit_general(&mut self, rows: &Rows, trend: bool, prior: Option<&[f64]>) -> Result<(), GlmError> {
        self.trend = trend;
        let (design, y) = rows.design(trend);
        let g = poisson_log(&design, &Response::new(&y), prior)?;
        let levels = rows.levels;
        let q = design.dense();
        self.c.clear();
        self.c.extend((0..levels).map(|l| g.coefficients[0] + if l > 0 { g.coefficients[q + l - 1] } else { 0.0 }));
        self.s = if trend { g.coefficients[1] } else { 0.0 };
        self.sums.reset(levels);
        let mut wtt = 0.0;
        for run in &rows.runs {
            for j in 0..run.len() {
                let (w, t) = (g.working_weights[run.start + j], run.t0 + j as f64);
                self.sums.w[run.level] += w;
                self.sums.wt[run.level] += w * t;
                wtt += w * t * t;
            }
        }
        self.sums.wtt = wtt;
        self.finish_step();
        self.dispersion = g.dispersion();
        self.prior_dispersion = match prior {
            Some(p) => g.dispersion_with(p),
            None => g.dispersion_with(&vec![1.0; rows.len()]),
        };
        self.df_residual = g.df_residual;
        self.converged = g.converged;
        self.iterations = g.iterations;
        self.general = Some((g.fitted, g.working_weights));
        Ok(())
    }

    /// `summary.glm(fit)$dispersion`: Pearson's statistic with the working weights.
    pub fn dispersion(&self) -> f64 {
        self.dispersion
    }

    /// The same with the prior weights in place of the working weights (what `summary.glm`
    /// gives after R's `farringtonFlexible` has overwritten `model$weights` with them).
    pub fn prior_dispersion(&self) -> f64 {
        self.prior_dispersion
    }

    /// `x0' (X'WX)^-1 x0` without the weight: the leverage factor of a row at level `g` and time `t`.
    fn leverage(&self, g: usize, t: f64) -> f64 {
        let mut v = 1.0 / self.w_sum[g];
        if self.trend {
            let d = t - self.t_bar[g];
            v += d * d / self.sigma;
        }
        v
    }

    /// Linear predictor and its unscaled variance at level `g`, time 0.
    pub fn predict_link(&self, g: usize) -> (f64, f64) {
        (self.c[g], self.leverage(g, 0.0))
    }

    /// The t statistic of the slope.
    pub fn t_slope(&self, dispersion: f64) -> f64 {
        self.s / (dispersion / self.sigma).sqrt()
    }

    /// `f(row, a, 1 - h)` for every row, with the numerator of the Anscombe residual
    /// `a = 1.5 (y^(2/3) mu^(-1/6) - mu^(1/2))` and R's hat value `h`, for a fit without prior
    /// weights (whose working weights are the means of the step before the last).
    fn anscombe_parts(&mut self, rows: &Rows, mut f: impl FnMut(usize, f64, f64)) {
        debug_assert!(!self.weighted, "Anscombe residuals of a fit without prior weights only");
        let tm = &rows.terms;
        let clamp = |h: f64| if h > 1.0 - 10.0 * f64::EPSILON { 1.0 } else { h };
        if let Some((fitted, w)) = &self.general {
            for run in &rows.runs {
                for j in 0..run.len() {
                    let (i, x) = (run.start + j, run.week + j);
                    let mu = fitted[i];
                    let h = clamp(w[i] * self.leverage(run.level, run.t0 + j as f64));
                    f(i, 1.5 * (tm.y23[x] * mu.powf(-1.0 / 6.0) - mu.sqrt()), 1.0 - h);
                }
            }
            return;
        }
        // By runs with x = mu^(1/6) = exp(eta / 6): mu^(-1/6) = 1/x, sqrt(mu) = x^3 (`ex6`,
        // `ipow` and `cube` from `fit_fast`).
        debug_assert!(self.ex6_valid);
        let inv_sigma = if self.trend { 1.0 / self.sigma } else { 0.0 };
        for (k, run) in rows.runs.iter().enumerate() {
            let g = run.level;
            let (inv_w, t_bar) = (1.0 / self.w_sum[g], self.t_bar[g]);
            let x0 = self.ex6.start[k];
            let (q0, root0) = (1.0 / x0, x0 * x0 * x0);
            let e_prev = self.ex_prev.start.get(k).copied().unwrap_or(0.0);
            for j in 0..run.len() {
                let (i, x) = (run.start + j, run.week + j);
                let w = if self.prev.is_some() { e_prev * self.ex_prev.pow[j] } else { tm.mu0[x] };
                let d = run.t0 + j as f64 - t_bar;
                let h = clamp(w * (inv_w + d * d * inv_sigma));
                f(i, 1.5 * (tm.y23[x] * q0 * self.ipow[j] - root0 * self.cube[j]), 1.0 - h);
            }
        }
    }

    /// The prior weights of the refit: `algo.farrington.assign.weights(anscombe.residuals(m,
    /// phi), threshold)` into `omega`, for a fit without prior weights.
    ///
    /// The residual `s = a / sqrt(phi (1 - h))` is above a positive threshold exactly when
    /// `a > 0` and `a^2 > threshold^2 phi (1 - h)`, and only those rows need
    /// `s^-2 = phi (1 - h) / a^2`: no square root or division for the others.
    pub fn reweights(&mut self, rows: &Rows, phi: f64, threshold: f64, weights: &mut Weights) {
        let omega = &mut weights.omega;
        omega.clear();
        omega.resize(rows.len(), 0.0);
        weights.exceptions.clear();
        if threshold.is_nan() || threshold <= 0.0 {
            self.anscombe_residuals(rows, phi, omega);
            assign_weights(omega, threshold);
            let dense = Weights::from_omega(std::mem::take(omega));
            *weights = dense;
            return;
        }
        // omega = s^-2 above the threshold (the exceptions), 1 below; then times gamma.
        let t2 = threshold * threshold;
        let mut denom = rows.len() as f64;
        let exceptions = &mut weights.exceptions;
        let mut add = |i: usize, a: f64, one_minus_h: f64| {
            let den = phi * one_minus_h;
            if a > 0.0 && a * a > t2 * den {
                let v = den / (a * a);
                exceptions.push((i, v));
                denom += v - 1.0;
            }
        };
        if self.general.is_some() || self.prev.is_none() {
            self.anscombe_parts(rows, add);
        } else {
            // Most rows are far below the threshold: the hat values of a run are at most those
            // at its largest weight and largest distance from the level's mean time, so
            // `a^2 > threshold^2 phi (1 - h_max)` is necessary, and only rows that pass it need
            // their own hat value.
            let tm = &rows.terms;
            debug_assert!(self.ex6_valid);
            let inv_sigma = if self.trend { 1.0 / self.sigma } else { 0.0 };
            let clamp = |h: f64| if h > 1.0 - 10.0 * f64::EPSILON { 1.0 } else { h };
            for (k, run) in rows.runs.iter().enumerate() {
                let (g, len) = (run.level, run.len());
                let (inv_w, t_bar) = (1.0 / self.w_sum[g], self.t_bar[g]);
                let x0 = self.ex6.start[k];
                let (q0, root0) = (1.0 / x0, x0 * x0 * x0);
                let (e_prev, pp) = (self.ex_prev.start[k], &self.ex_prev.pow[..len]);
                let w_max = e_prev * pp[0].max(pp[len - 1]);
                let d_max = (run.t0 - t_bar).abs().max((run.t0 + (len - 1) as f64 - t_bar).abs());
                let h_max = clamp(w_max * (inv_w + d_max * d_max * inv_sigma)).min(1.0);
                let limit = t2 * phi * (1.0 - h_max);
                let y23 = &tm.y23[run.week..run.week + len];
                let (ipow, cube) = (&self.ipow[..len], &self.cube[..len]);
                for j in 0..len {
                    let a = 1.5 * (y23[j] * q0 * ipow[j] - root0 * cube[j]);
                    if a > 0.0 && a * a > limit {
                        let d = run.t0 + j as f64 - t_bar;
                        let h = clamp(e_prev * pp[j] * (inv_w + d * d * inv_sigma));
                        add(run.start + j, a, 1.0 - h);
                    }
                }
            }
        }
        let gamma = rows.len() as f64 / denom;
        omega.iter_mut().for_each(|v| *v = gamma);
        let mut valid = gamma > 0.0 && gamma < f64::INFINITY;
        for (i, v) in exceptions.iter_mut() {
            let w = gamma * *v;
            omega[*i] = w;
            valid &= w > 0.0 && w < f64::INFINITY;
            *v = w - gamma;
        }
        weights.base = gamma;
        weights.valid = valid;
    }

    /// `surveillance:::anscombe.residuals(m, phi)` into `out`, for a fit without prior weights.
    fn anscombe_residuals(&mut self, rows: &Rows, phi: f64, out: &mut [f64]) {
        self.anscombe_parts(rows, |i, a, one_minus_h| out[i] = a / (phi * one_minus_h).sqrt());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    /// Rows of weeks 5..=64 of `x` in 3 levels of 6-week blocks, time centred on week 70.
    fn rows_of(x: &[f64]) -> Rows {
        let mut rows = Rows::new(x);
        rows.clear(3);
        let mut week = 5;
        while week <= 64 {
            let level = ((week - 1) / 6) % 3;
            let len = (6 - (week - 1) % 6).min(65 - week);
            rows.push_run(week, len, week as f64 - 70.0, level);
            week += len;
        }
        rows.finish();
        rows
    }

    fn series() -> Vec<f64> {
        (0..80).map(|t| ((t * 7 + 3) % 11 + (t % 5) * 2) as f64).collect()
    }

    fn compare(rows: &Rows, trend: bool, prior: Option<&Weights>) {
        let (mut a, mut b) = (LevelFit::default(), LevelFit::default());
        a.weighted = prior.is_some();
        b.weighted = prior.is_some();
        a.fit_fast(rows, trend, prior).expect("fast path");
        b.fit_general(rows, trend, prior.map(|w| &w.omega[..])).unwrap();
        assert_eq!((a.iterations, a.converged, a.df_residual), (b.iterations, b.converged, b.df_residual));
        for (u, v) in a.c.iter().zip(&b.c) {
            assert!(close(*u, *v, 1e-12), "{:?} {:?}", a.c, b.c);
        }
        assert!(close(a.s, b.s, 1e-10), "{} {}", a.s, b.s);
        assert!(close(a.dispersion(), b.dispersion(), 1e-12));
        if prior.is_some() {
            assert!(close(a.prior_dispersion(), b.prior_dispersion(), 1e-12));
        } else {
            let (mut ra, mut rb) = (vec![0.0; rows.len()], vec![0.0; rows.len()]);
            a.anscombe_residuals(rows, 1.3, &mut ra);
            b.anscombe_residuals(rows, 1.3, &mut rb);
            for (u, v) in ra.iter().zip(&rb) {
                assert!((u - v).abs() < 1e-12, "{u} {v}");
            }
            // The fused weights equal assign_weights of the residuals; the weighted refit with
            // them (one weight but on the outliers) equals the general fit.
            for threshold in [1.0, 0.5, 2.58, -0.5] {
                let mut w = rb.clone();
                assign_weights(&mut w, threshold);
                let (mut wa, mut wb) = (Weights::default(), Weights::default());
                a.reweights(rows, 1.3, threshold, &mut wa);
                b.reweights(rows, 1.3, threshold, &mut wb);
                for ((u, v), x) in wa.omega.iter().zip(&wb.omega).zip(&w) {
                    assert!(close(*u, *x, 1e-11) && close(*v, *x, 1e-13), "{u} {v} {x}");
                }
                // The exceptions are the rows whose weight is not the common one.
                let dense = Weights::from_omega(wa.omega.clone());
                assert_eq!(dense.base, wa.base);
                let nonzero: Vec<usize> = wa.exceptions.iter().filter(|e| e.1 != 0.0).map(|e| e.0).collect();
                assert_eq!(nonzero, dense.exceptions.iter().map(|e| e.0).collect::<Vec<_>>());
                if threshold == 1.0 {
                    assert!(!wa.exceptions.is_empty() && wa.sparse());
                    compare(rows, trend, Some(&wa));
                }
            }
        }
        for g in 0..3 {
            let (pa, pb) = (a.predict_link(g), b.predict_link(g));
            assert!(close(pa.0, pb.0, 1e-12) && close(pa.1, pb.1, 1e-10), "{pa:?} {pb:?}");
        }
        if trend {
            assert!(close(a.t_slope(1.3), b.t_slope(1.3), 1e-10));
        }
    }

    #[test]
    fn matches_general_fit() {
        let rows = rows_of(&series());
        assert_eq!(rows.runs.len(), 11);
        let w: Vec<f64> = (0..rows.len()).map(|i| 0.5 + (i % 4) as f64 * 0.3).collect();
        for trend in [true, false] {
            compare(&rows, trend, None);
            compare(&rows, trend, Some(&Weights::from_omega(w.clone())));
        }
    }

    /// Runs that do not follow each other (Farrington's windows) and one level.
    #[test]
    fn windows_match_general_fit() {
        let x: Vec<f64> = (0..300).map(|t| (10 + (t * 13) % 7 + t / 30) as f64).collect();
        let mut rows = Rows::new(&x);
        rows.clear(1);
        for i in (1..=5).rev() {
            let first = 290 - 52 * i - 3;
            rows.push_run(first, 7, first as f64 - 290.0, 0);
        }
        rows.finish();
        assert_eq!((rows.runs.len(), rows.len()), (5, 35));
        let mut a = LevelFit::default();
        a.fit(&rows, true, None).unwrap();
        assert!(a.general.is_none());
        compare_one_level(&rows);
    }

    fn compare_one_level(rows: &Rows) {
        for trend in [true, false] {
            let (mut a, mut b) = (LevelFit::default(), LevelFit::default());
            a.fit_fast(rows, trend, None).expect("fast path");
            b.fit_general(rows, trend, None).unwrap();
            assert!(close(a.c[0], b.c[0], 1e-12) && close(a.s, b.s, 1e-9), "{:?} {:?}", (a.c, a.s), (b.c, b.s));
            assert!(close(a.dispersion(), b.dispersion(), 1e-12));
            let (pa, pb) = (a.predict_link(0), b.predict_link(0));
            assert!(close(pa.1, pb.1, 1e-10));
        }
    }

    /// The general path agrees with the general GLM's own covariance and hat values.
    #[test]
    fn general_path_matches_covariance() {
        let rows = rows_of(&series());
        let (design, y) = rows.design(true);
        let g = poisson_log(&design, &Response::new(&y), None).unwrap();
        let mut f = LevelFit::default();
        f.fit_general(&rows, true, None).unwrap();
        let (eta, var) = g.predict_link(&design, &crate::glm::NewRow { dense: &[1.0, 0.0], level: 2 });
        let (e2, v2) = f.predict_link(2);
        assert!(close(eta, e2, 1e-12) && close(var, v2, 1e-10), "{var} {v2}");
        assert!(close(g.t_value(1, 1.7), f.t_slope(1.7), 1e-10));
        let mut r = vec![0.0; rows.len()];
        f.anscombe_residuals(&rows, 1.0, &mut r);
        for (u, v) in r.iter().zip(&g.anscombe_residuals(&design, &Response::new(&y), 1.0)) {
            assert!((u - v).abs() < 1e-12);
        }
    }

    #[test]
    fn exp_is_accurate() {
        let mut worst: f64 = 0.0;
        for i in -700_000..700_000 {
            let x = i as f64 / 1000.0 + 0.000_123_4;
            let (a, b) = (exp(x), x.exp());
            worst = worst.max((a - b).abs() / b);
        }
        assert!(worst < 5e-16, "{worst:e}");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
        assert!(exp(f64::NAN).is_nan());
    }

    /// A level without cases: its coefficient drifts down by about 1 per iteration, as in R.
    #[test]
    fn all_zero_level_is_fitted_as_r() {
        let mut x = series();
        for (t, v) in x.iter_mut().enumerate() {
            if (t / 6) % 3 == 1 {
                *v = 0.0;
            }
        }
        let rows = rows_of(&x);
        compare(&rows, true, None);
        compare(&rows, false, None);
    }

    /// Without rows the general code refuses the fit.
    #[test]
    fn empty_data_is_refused() {
        let mut rows = Rows::new(&[1.0, 2.0]);
        rows.clear(1);
        rows.finish();
        assert!(LevelFit::default().fit(&rows, false, None).is_err());
    }
}
