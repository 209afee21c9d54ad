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

use crate::detect::{History, Outcome, WeekRange, resolve_range};
use crate::dist::{pt_two_sided, qnbinom, qnorm, qpois};
use crate::farrington::{Limit54, PowerTrans, check_common, power_upper};
use crate::glm::{Design, Factor, GlmFit, NewRow, Response, assign_weights, poisson_log};
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

/// A fit as returned by `algo.farrington.fitGLM.flexible`.
struct FlexFit {
    fit: GlmFit,
    design: Design,
    phi: f64,
    trend: bool,
    /// What R leaves in `model$weights`: the final prior weights after reweighting, else the
    /// working weights. `summary.glm` and `predict.glm` compute the dispersion from these.
    summary_weights: Vec<f64>,
}

impl FlexFit {
    fn summary_dispersion(&self) -> f64 {
        self.fit.dispersion_with(&self.summary_weights)
    }
}

/// `algo.farrington.fitGLM.flexible`; `None` where R returns `NULL` (no convergence).
fn fit_flexible(design: Design, y: &Response, trend: bool, control: &FlexibleControl) -> Option<FlexFit> {
    let mut design = design;
    let mut trend = trend;
    let mut fit = poisson_log(&design, y, None).ok()?;
    if !fit.converged {
        if trend {
            design = design.without_column(1);
            trend = false;
            fit = poisson_log(&design, y, None).ok()?;
        }
        if !fit.converged {
            return None;
        }
    }
    let mut phi = fit.dispersion().max(1.0);
    let summary_weights;
    if control.reweight {
        let s = fit.anscombe_residuals(&design, y, phi);
        let omega = assign_weights(&s, control.weights_threshold);
        fit = poisson_log(&design, y, Some(&omega)).ok()?;
        phi = fit.dispersion().max(1.0);
        summary_weights = omega;
    } else {
        summary_weights = fit.working_weights.clone();
    }
    Some(FlexFit { fit, design, phi, trend, summary_weights })
}

/// The data of `algo.farrington.data.glm` for week k: included weeks and their block.
struct GlmData {
    weeks: Vec<usize>,
    y: Vec<f64>,
    /// Index of each week's block among the sorted distinct blocks (R's factor codes - 1).
    level: Vec<usize>,
    levels: usize,
    /// Factor code of the current week's block (`noPeriods`).
    current_level: Option<usize>,
}

/// `blocks()` and `algo.farrington.data.glm()` for week k.
fn glm_data(x: &[f64], k: usize, freq: usize, control: &FlexibleControl, pwni: usize) -> GlmData {
    let (b, w, p) = (control.b, control.w, control.no_periods);
    let lo = k - b * freq - w; // >= 1 by the range check
    let mut block: Vec<Option<usize>> = vec![None; k - lo + 1];
    let mut set = |from: usize, to: usize, v: usize| {
        for t in from..=to {
            block[t - lo] = Some(v);
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
                set(start, start + l - 1, j);
                start += l;
            }
        }
    }
    for t in k.saturating_sub(pwni).max(lo)..=k {
        block[t - lo] = None;
    }
    let mut distinct: Vec<usize> = block.iter().flatten().copied().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let code = |v: usize| distinct.binary_search(&v).expect("present");
    let mut weeks = Vec::new();
    let mut level = Vec::new();
    for (i, blk) in block.iter().enumerate() {
        if let Some(v) = blk {
            weeks.push(lo + i);
            level.push(code(*v));
        }
    }
    GlmData {
        y: weeks.iter().map(|&t| x[t - 1]).collect(),
        weeks,
        level,
        levels: distinct.len(),
        current_level: distinct.binary_search(&p).ok(),
    }
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
    Ok(range
        .weeks()
        .map(|k| {
            let obs = x[k - 1];
            match evaluate(x, k, freq, control, pwni, factors, z) {
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

/// Upper bound and score for week k; `None` where R's model did not converge.
fn evaluate(
    x: &[f64],
    k: usize,
    freq: usize,
    control: &FlexibleControl,
    pwni: usize,
    factors: bool,
    z: f64,
) -> Option<(f64, f64)> {
    let data = glm_data(x, k, freq, control, pwni);
    let n = data.y.len();
    let factor = factors.then(|| Factor { level: data.level.clone(), levels: data.levels });
    let current_level = if factors { data.current_level? } else { 0 };
    let mut columns = vec![vec![1.0; n]];
    if control.trend {
        columns.push(data.weeks.iter().map(|&t| t as f64 - k as f64).collect());
    }
    let design = Design { columns, factor };
    let response = Response::new(&data.y);
    let mut model = fit_flexible(design.clone(), &response, control.trend, control)?;
    let predict = |m: &FlexFit| {
        let row = if m.trend { vec![1.0, 0.0] } else { vec![1.0] };
        m.fit.predict_link(&m.design, &NewRow { dense: &row, level: current_level })
    };
    if model.trend {
        let (eta, _) = predict(&model);
        let fit_response = eta.exp().max(f64::EPSILON);
        let disp = model.summary_dispersion();
        let p = pt_two_sided(model.fit.t_value(1, disp), model.fit.df_residual as f64);
        let significant = p < control.p_threshold_trend;
        let max_y = data.y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let do_trend = control.b >= 3 && significant && fit_response <= max_y;
        if !do_trend {
            model = fit_flexible(design.without_column(1), &response, false, control)?;
        }
    }
    let (eta, var) = predict(&model);
    let se_link = (var * model.summary_dispersion()).sqrt();
    let y = x[k - 1];
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
