//! The improved Farrington method as `surveillance::farringtonFlexible`, covering both the
//! original algorithm and the configuration of Noufaily et al. (2013): `noPeriods = 10`,
//! `pastWeeksNotIncluded = 26`, `weightsThreshold = 2.58`, `thresholdMethod = "nbPlugin"`.
//!
//! With `noPeriods > 1` every week of the past `b` years enters the model: the windows around the
//! reference weeks form one level of a seasonal factor and the weeks between them are split into
//! `noPeriods - 1` further levels. The most recent `pastWeeksNotIncluded` weeks are left out.
//! The threshold is either the one-sided power-transformed limit (`delta`) or a quantile of the
//! negative binomial distribution with the estimated mean (`nbPlugin`) or the upper `1 - alpha`
//! limit of the mean (`muan`).
//!
//! Like R, the standard error of the prediction and the trend test use the dispersion computed
//! from the model's final prior weights (R overwrites `model$weights` with them), while the
//! threshold uses `phi = max(dispersion, 1)` of the weighted fit.

use crate::dist::{TTest, qnbinom, qnorm, qpois};
use crate::farrington::{Limit54, PowerTrans, check_common, power_upper};
use crate::levels::{LevelFit, Rows, Weights};
use crate::weeks::{History, Outcome, WeekRange, resolve_range};
use crate::{EpiError, Series};

/// R's `thresholdMethod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdMethod {
    /// `"delta"` (default): one-sided power-transformed prediction limit (original Farrington).
    Delta,
    /// `"nbPlugin"`: `1 - alpha` quantile of the negative binomial with the estimated mean
    /// plugged in (Noufaily et al. 2013).
    NbPlugin,
    /// `"muan"`: as `nbPlugin` with the upper `1 - alpha` limit of the mean.
    Muan,
}

impl ThresholdMethod {
    /// R's spelling: `delta`, `nbPlugin` or `muan`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "delta" => ThresholdMethod::Delta,
            "nbPlugin" => ThresholdMethod::NbPlugin,
            "muan" => ThresholdMethod::Muan,
            _ => return None,
        })
    }
}

/// `farringtonFlexible` control with R's defaults (surveillance 1.20: note that the default
/// `weightsThreshold` is 2.58, as in Noufaily et al.; the original Farrington value is 1).
#[derive(Clone, Debug, PartialEq)]
pub struct FlexibleControl {
    /// Weeks to evaluate; `None`: every week with b years + w weeks of history.
    pub range: Option<WeekRange>,
    /// Years back (R's `b`, default 5).
    pub b: usize,
    /// Half window width (R's `w`, default 3).
    pub w: usize,
    /// Down-weight past outbreaks (R's `reweight`, default true).
    pub reweight: bool,
    /// Anscombe residuals above this are down-weighted (R's `weightsThreshold`, default 2.58).
    pub weights_threshold: f64,
    /// Significance level, one-sided (R's `alpha`, default 0.05).
    pub alpha: f64,
    /// Allow a time trend (R's `trend`, default true).
    pub trend: bool,
    /// Level at which the trend is kept (R's `pThresholdTrend`, default 0.05).
    pub p_threshold_trend: f64,
    /// R's `limit54`, default `c(5, 4)`.
    pub limit54: Limit54,
    /// R's `powertrans` for `thresholdMethod = "delta"`, default `"2/3"`.
    pub powertrans: PowerTrans,
    /// Levels of the seasonal factor (R's `noPeriods`, default 1: windows only).
    pub no_periods: usize,
    /// Most recent weeks left out of the fit (R's `pastWeeksNotIncluded`; `None` = `w`).
    pub past_weeks_not_included: Option<usize>,
    /// R's `thresholdMethod`, default `"delta"`.
    pub threshold_method: ThresholdMethod,
}

impl Default for FlexibleControl {
    fn default() -> Self {
        FlexibleControl {
            range: None,
            b: 5,
            w: 3,
            reweight: true,
            weights_threshold: 2.58,
            alpha: 0.05,
            trend: true,
            p_threshold_trend: 0.05,
            limit54: Limit54::default(),
            powertrans: PowerTrans::TwoThirds,
            no_periods: 1,
            past_weeks_not_included: None,
            threshold_method: ThresholdMethod::Delta,
        }
    }
}

impl FlexibleControl {
    /// The configuration of Noufaily et al. (2013) on top of R's defaults.
    pub fn noufaily() -> Self {
        FlexibleControl {
            no_periods: 10,
            weights_threshold: 2.58,
            past_weeks_not_included: Some(26),
            threshold_method: ThresholdMethod::NbPlugin,
            ..Default::default()
        }
    }

    pub(crate) fn history(&self, freq: usize) -> History {
        History { weeks: self.b * freq + self.w, rule: "b*freq + w".into() }
    }
}

/// What `evaluate` needs of a fit of `algo.farrington.fitGLM.flexible` (the model itself is
/// in the `LevelFit` it was fitted into).
struct FlexFit {
    phi: f64,
    trend: bool,
    /// The dispersion `summary.glm` computes from what R leaves in `model$weights`: the final
    /// prior weights after reweighting, else the working weights.
    summary_dispersion: f64,
}

/// Buffers reused from week to week.
struct Work {
    rows: Rows,
    trend_test: TTest,
    segments: Vec<(usize, usize, usize)>,
    fit: LevelFit,
    omega: Weights,
}

/// `algo.farrington.fitGLM.flexible` into `fit`; `None` where R returns `NULL` (no convergence).
fn fit_flexible(
    rows: &Rows,
    fit: &mut LevelFit,
    omega: &mut Weights,
    trend: bool,
    control: &FlexibleControl,
) -> Option<FlexFit> {
    let mut trend = trend;
    fit.fit(rows, trend, None).ok()?;
    if !fit.converged {
        if trend {
            trend = false;
            fit.fit(rows, false, None).ok()?;
        }
        if !fit.converged {
            return None;
        }
    }
    let mut phi = fit.dispersion().max(1.0);
    let summary_dispersion;
    if control.reweight {
        fit.reweights(rows, phi, control.weights_threshold, omega);
        fit.fit(rows, trend, Some(omega)).ok()?;
        phi = fit.dispersion().max(1.0);
        summary_dispersion = fit.prior_dispersion();
    } else {
        summary_dispersion = fit.dispersion();
    }
    Some(FlexFit { phi, trend, summary_dispersion })
}

/// `blocks()` and `algo.farrington.data.glm()` for week k: fills `rows` with the included
/// weeks (time centred on k) and their level (R's factor code - 1; one level without
/// `factors`). Returns the number of levels and the level of the current week's block.
///
/// The blocks, oldest first: for each past year the window around its reference week (block
/// `noPeriods`), then the weeks up to the next window split into blocks 1..noPeriods-1 (the
/// first `rest` one week longer); last the current window. The most recent
/// `pastWeeksNotIncluded` weeks are left out.
fn fill_rows(
    rows: &mut Rows,
    segments: &mut Vec<(usize, usize, usize)>,
    k: usize,
    freq: usize,
    control: &FlexibleControl,
    pwni: usize,
    factors: bool,
) -> (usize, Option<usize>) {
    let (b, w, p) = (control.b, control.w, control.no_periods);
    let lo = k - b * freq - w; // >= 1 by the range check
    // (first week, length, block)
    segments.clear();
    for i in (1..=b).rev() {
        let ref_week = k - i * freq;
        segments.push((ref_week - w, 2 * w + 1, p));
        if p != 1 {
            let newer = k - (i - 1) * freq;
            let period = newer - 2 * w - 1 - ref_week;
            let (len, rest) = (period / (p - 1), period % (p - 1));
            let mut start = ref_week + w + 1;
            for j in 1..p {
                let l = len + usize::from(j <= rest);
                if l > 0 {
                    segments.push((start, l, j));
                }
                start += l;
            }
        }
    }
    segments.push((k - w, w + 1, p));
    let from = k.saturating_sub(pwni).max(lo);
    segments.retain_mut(|(start, len, _)| {
        *len = (*len).min(from.saturating_sub(*start));
        *len > 0
    });
    // Factor codes: ranks of the block values present.
    let mut code = vec![usize::MAX; p + 1];
    for &(_, _, v) in segments.iter() {
        code[v] = 0;
    }
    let mut levels = 0;
    for c in code.iter_mut().skip(1) {
        if *c == 0 {
            *c = levels;
            levels += 1;
        }
    }
    let current = (code[p] != usize::MAX).then_some(code[p]);
    rows.clear(if factors { levels.max(1) } else { 1 });
    for &(start, len, v) in segments.iter() {
        rows.push_run(start, len, start as f64 - k as f64, if factors { code[v] } else { 0 });
    }
    rows.finish();
    (levels, current)
}

/// Runs `farringtonFlexible` over the range.
pub fn farrington_flexible(series: &Series, control: &FlexibleControl) -> Result<Vec<Outcome>, EpiError> {
    let freq = series.frequency();
    check_common(control.b, control.w, control.alpha, freq)?;
    control.limit54.check()?;
    if control.no_periods == 0 {
        return Err(EpiError::param("noPeriods", "must be at least 1"));
    }
    if control.no_periods > 1 && control.no_periods - 1 > freq - 2 * control.w - 1 {
        return Err(EpiError::param(
            "noPeriods",
            format!(
                "too many periods: the {} weeks between two windows cannot hold {} blocks",
                freq - 2 * control.w - 1,
                control.no_periods - 1
            ),
        ));
    }
    if !(control.weights_threshold.is_finite()) {
        return Err(EpiError::param("weightsThreshold", "must be a number"));
    }
    if !(control.p_threshold_trend > 0.0 && control.p_threshold_trend <= 1.0) {
        return Err(EpiError::param("pThresholdTrend", "must lie in (0, 1]"));
    }
    let history = control.history(freq);
    let pwni = control.past_weeks_not_included.unwrap_or(control.w);
    if pwni > history.weeks {
        return Err(EpiError::param("pastWeeksNotIncluded", format!("must not exceed b*freq + w = {}", history.weeks)));
    }
    let range = resolve_range("farrington-flexible", series.len(), control.range, &history)?;
    let x = series.observed();
    let z = qnorm(1.0 - control.alpha);
    let factors = control.no_periods != 1;
    let mut work = Work {
        rows: Rows::new(x),
        trend_test: TTest::new(control.p_threshold_trend),
        segments: Vec::new(),
        fit: LevelFit::default(),
        omega: Weights::default(),
    };
    Ok(range
        .weeks()
        .map(|k| {
            let obs = x[k - 1];
            let (_, current) = fill_rows(&mut work.rows, &mut work.segments, k, freq, control, pwni, factors);
            let current_level = if factors { current } else { Some(0) };
            match current_level.and_then(|level| evaluate(&mut work, level, obs, control, z)) {
                Some((upper, score)) => {
                    let enough = control.limit54.enough_cases(x, k);
                    let score = if enough { score } else { f64::NAN };
                    Outcome {
                        week: k,
                        observed: obs,
                        upperbound: if enough && !upper.is_nan() { Some(upper) } else { None },
                        alarm: Some(!score.is_nan() && score > 1.0 && obs != 0.0),
                    }
                }
                None => Outcome { week: k, observed: obs, upperbound: None, alarm: None },
            }
        })
        .collect())
}

/// Upper bound and score for the current week (count `y`, factor level `current_level`) from
/// the data in `work.rows`; `None` where R's model did not converge.
fn evaluate(work: &mut Work, current_level: usize, y: f64, control: &FlexibleControl, z: f64) -> Option<(f64, f64)> {
    let Work { rows, fit, omega, trend_test, .. } = work;
    // With fewer than 3 years R drops the trend whatever the fit: it is then the fit without
    // trend (as when the fit with trend does not converge), so that one is fitted directly.
    let mut model = fit_flexible(rows, fit, omega, control.trend && control.b >= 3, control)?;
    if model.trend {
        let (eta, _) = fit.predict_link(current_level);
        let fit_response = eta.exp().max(f64::EPSILON);
        let significant = trend_test.significant(fit.t_slope(model.summary_dispersion), fit.df_residual as f64);
        let do_trend = control.b >= 3 && significant && fit_response <= rows.max_y();
        if !do_trend {
            model = fit_flexible(rows, fit, omega, false, control)?;
        }
    }
    let (eta, var) = fit.predict_link(current_level);
    let se_link = (var * model.summary_dispersion).sqrt();
    let phi = model.phi;
    match control.threshold_method {
        ThresholdMethod::Delta => {
            let mu0 = eta.exp().max(f64::EPSILON);
            let se = se_link * mu0;
            let upper = power_upper(mu0, se, phi, control.powertrans, z);
            Some((upper, (y - mu0) / (upper - mu0)))
        }
        ThresholdMethod::NbPlugin | ThresholdMethod::Muan => {
            let mu_q = if control.threshold_method == ThresholdMethod::NbPlugin {
                eta.exp()
            } else {
                (eta + se_link * z).exp()
            };
            if mu_q.is_infinite() || mu_q.is_nan() {
                return Some((f64::NAN, f64::NAN));
            }
            let upper = if phi > 1.0 {
                qnbinom(1.0 - control.alpha, mu_q / (phi - 1.0), 1.0 / phi)
            } else {
                qpois(1.0 - control.alpha, mu_q)
            };
            // R compares with the linear predictor here (predFit is on the link scale).
            Some((upper, (y - eta) / (upper - eta)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Weeks, levels, number of levels and current level of the data for week k.
    struct Data {
        weeks: Vec<usize>,
        level: Vec<usize>,
        levels: usize,
        current_level: Option<usize>,
    }

    fn glm_data(x: &[f64], k: usize, freq: usize, control: &FlexibleControl, pwni: usize) -> Data {
        let mut rows = Rows::new(x);
        let factors = control.no_periods != 1;
        let (levels, current_level) = fill_rows(&mut rows, &mut Vec::new(), k, freq, control, pwni, factors);
        let (_, t, level) = rows.columns();
        Data { weeks: t.iter().map(|&t| (t + k as f64) as usize).collect(), level, levels, current_level }
    }

    /// R's `blocks()` as written in surveillance 1.20 (and in the first version here): block
    /// value of each week lo..=k, 0 for weeks left out.
    fn blocks_reference(k: usize, freq: usize, control: &FlexibleControl, pwni: usize) -> Vec<usize> {
        let (b, w, p) = (control.b, control.w, control.no_periods);
        let lo = k - b * freq - w;
        let mut block = vec![0; k - lo + 1];
        let mut set = |from: usize, to: usize, v: usize| {
            for t in from..=to {
                block[t - lo] = v;
            }
        };
        set(k - w, k, p);
        for i in 1..=b {
            let ref_week = k - i * freq;
            let newer = k - (i - 1) * freq;
            set(ref_week - w, ref_week + w, p);
            if p != 1 {
                let period = newer - 2 * w - 1 - ref_week;
                let (len, rest) = (period / (p - 1), period % (p - 1));
                let mut start = ref_week + w + 1;
                for j in 1..p {
                    let l = len + usize::from(j <= rest);
                    if l > 0 {
                        set(start, start + l - 1, j);
                    }
                    start += l;
                }
            }
        }
        for t in k.saturating_sub(pwni).max(lo)..=k {
            block[t - lo] = 0;
        }
        block
    }

    #[test]
    fn runs_follow_the_blocks() {
        let x = vec![1.0; 400];
        for (b, w, p, pwni) in
            [(5, 3, 10, 26), (5, 3, 1, 3), (3, 2, 4, 0), (2, 5, 42, 60), (1, 0, 2, 0), (4, 3, 5, 211)]
        {
            let control = FlexibleControl { b, w, no_periods: p, ..Default::default() };
            let k = 390;
            let block = blocks_reference(k, 52, &control, pwni);
            let lo = k - b * 52 - w;
            let d = glm_data(&x, k, 52, &control, pwni);
            let want: Vec<usize> = (0..block.len()).filter(|&i| block[i] > 0).map(|i| lo + i).collect();
            assert_eq!(d.weeks, want, "{b} {w} {p} {pwni}");
            let mut values: Vec<usize> = block.iter().copied().filter(|&v| v > 0).collect();
            values.sort_unstable();
            values.dedup();
            assert_eq!(d.levels, values.len());
            for (week, level) in d.weeks.iter().zip(&d.level) {
                let v = block[week - lo];
                let code = if p == 1 { 0 } else { values.binary_search(&v).unwrap() };
                assert_eq!(*level, code);
            }
            assert_eq!(d.current_level, values.binary_search(&p).ok());
        }
    }

    #[test]
    fn blocks_cover_every_past_week_with_noufaily() {
        let x: Vec<f64> = (0..400).map(|t| (t % 7) as f64).collect();
        let c = FlexibleControl::noufaily();
        let k = 300;
        let d = glm_data(&x, k, 52, &c, 26);
        // From k - 5*52 - 3 to k - 27: every week is in some block.
        let lo = k - 5 * 52 - 3;
        assert_eq!(d.weeks.first(), Some(&lo));
        assert_eq!(d.weeks.last(), Some(&(k - 27)));
        assert_eq!(d.weeks.len(), k - 27 - lo + 1);
        assert_eq!(d.levels, 10);
        assert_eq!(d.current_level, Some(9));
        // The window around k - 52 is level 10 (code 9); the 45 weeks after it are split 5,5,...
        let i = d.weeks.iter().position(|&t| t == k - 52).unwrap();
        assert_eq!(d.level[i], 9);
        assert_eq!(d.level[i + 4], 0);
        assert_eq!(d.level[i + 8], 0);
        assert_eq!(d.level[i + 9], 1);
    }

    #[test]
    fn windows_only_with_one_period() {
        let x = vec![1.0; 400];
        let d = glm_data(&x, 300, 52, &FlexibleControl::default(), 3);
        assert_eq!(d.weeks.len(), 5 * 7);
        assert_eq!(d.levels, 1);
    }

    #[test]
    fn too_many_periods_is_refused() {
        let s = Series::new(vec![1.0; 400], 52).unwrap();
        let c = FlexibleControl { no_periods: 47, ..Default::default() };
        let e = farrington_flexible(&s, &c).unwrap_err();
        assert_eq!(e.code(), "invalid_parameter");
        assert!(e.to_string().contains("noPeriods"), "{e}");
    }

    #[test]
    fn parse_threshold_method() {
        assert_eq!(ThresholdMethod::parse("nbPlugin"), Some(ThresholdMethod::NbPlugin));
        assert_eq!(ThresholdMethod::parse("nbplugin"), None);
    }
}
