//! The Farrington algorithm as `surveillance::algo.farrington` (Farrington et al. 1996) with
//! R's default fit function `algo.farrington.fitGLM.fast`.
//!
//! For week k the reference values are the weeks k - i*freq - w ..= k - i*freq + w of the `b`
//! previous years. A quasi-Poisson GLM with a linear time trend is fitted, refitted with weights
//! that down-weight past outbreaks (Anscombe residuals > 1), and the trend is dropped unless it is
//! significant at 5 %, `b >= 3` and the prediction does not extrapolate beyond the data. The
//! upper bound is the two-sided `1 - alpha` prediction limit on a power scale (2/3 by default).

use crate::detect::{History, Outcome, WeekRange, resolve_range};
use crate::dist::{pt_two_sided, qnorm};
use crate::glm::{Design, GlmFit, NewRow, Response, assign_weights, poisson_log};
use crate::{EpiError, Series};

/// R's `powertrans`: the power transformation for the prediction interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerTrans {
    /// `"2/3"` (default): symmetrising transformation.
    TwoThirds,
    /// `"1/2"`: variance stabilising transformation.
    Half,
    /// `"none"`.
    None,
}

impl PowerTrans {
    /// R's spelling: `2/3`, `1/2` or `none`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "2/3" => PowerTrans::TwoThirds,
            "1/2" => PowerTrans::Half,
            "none" => PowerTrans::None,
            _ => return None,
        })
    }
}

/// R's `limit54 = c(cases, period)`: no alarm unless at least `cases` cases occurred in the
/// last `period` weeks (including the current one).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit54 {
    pub cases: f64,
    pub period: usize,
}

impl Default for Limit54 {
    fn default() -> Self {
        Limit54 { cases: 5.0, period: 4 }
    }
}

impl Limit54 {
    pub(crate) fn check(&self) -> Result<(), EpiError> {
        if !(self.cases >= 0.0 && self.cases.is_finite()) || self.period == 0 {
            return Err(EpiError::param("limit54", "out of bounds: cases >= 0 and period > 0"));
        }
        Ok(())
    }

    pub(crate) fn enough_cases(&self, x: &[f64], k: usize) -> bool {
        let from = k.saturating_sub(self.period) + 1;
        x[from - 1..k].iter().sum::<f64>() >= self.cases
    }
}

/// `algo.farrington` control with R's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct FarringtonControl {
    /// Weeks to evaluate; `None`: every week with b years + w weeks of history.
    pub range: Option<WeekRange>,
    /// Years back (R's `b`, default 5).
    pub b: usize,
    /// Half window width in weeks (R's `w`, default 3).
    pub w: usize,
    /// Down-weight past outbreaks (R's `reweight`, default true).
    pub reweight: bool,
    /// Significance level (R's `alpha`, default 0.05; the limit is two-sided: `qnorm(1 - alpha/2)`).
    pub alpha: f64,
    /// Allow a time trend (R's `trend`, default true).
    pub trend: bool,
    /// R's `limit54`, default `c(5, 4)`.
    pub limit54: Limit54,
    /// R's `powertrans`, default `"2/3"`.
    pub powertrans: PowerTrans,
}

impl Default for FarringtonControl {
    fn default() -> Self {
        FarringtonControl {
            range: None,
            b: 5,
            w: 3,
            reweight: true,
            alpha: 0.05,
            trend: true,
            limit54: Limit54::default(),
            powertrans: PowerTrans::TwoThirds,
        }
    }
}

impl FarringtonControl {
    pub(crate) fn history(&self, freq: usize) -> History {
        History { weeks: self.b * freq + self.w, rule: "b*freq + w".into() }
    }
}

pub(crate) fn check_common(b: usize, w: usize, alpha: f64, freq: usize) -> Result<(), EpiError> {
    if b == 0 {
        return Err(EpiError::param("b", "must be at least 1 year"));
    }
    if 2 * w + 1 > freq {
        return Err(EpiError::param("w", "the window 2w + 1 must not exceed the frequency"));
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(EpiError::param("alpha", "must lie strictly between 0 and 1"));
    }
    Ok(())
}

/// `algo.farrington.threshold` (and `algo.farrington.threshold.farrington` with `z` one-sided):
/// the upper prediction limit for a mean `mu0` with standard error `se` on the response scale.
pub(crate) fn power_upper(mu0: f64, se_fit: f64, phi: f64, trans: PowerTrans, z: f64) -> f64 {
    let tau = phi + se_fit * se_fit / mu0;
    let (se, exponent) = match trans {
        PowerTrans::None => ((mu0 * tau).sqrt(), 1.0),
        PowerTrans::Half => ((0.25 * tau).sqrt(), 0.5),
        PowerTrans::TwoThirds => ((4.0 / 9.0 * mu0.powf(1.0 / 3.0) * tau).sqrt(), 2.0 / 3.0),
    };
    let lo = (mu0.powf(exponent) - z * se).powf(1.0 / exponent);
    let hi = (mu0.powf(exponent) + z * se).powf(1.0 / exponent);
    // sort(c(lo, hi), na.last = FALSE)[2]
    if lo.is_nan() || hi.is_nan() { if hi.is_nan() { lo } else { hi } } else { lo.max(hi) }
}

/// A fitted model with its clamped dispersion `phi = max(dispersion, 1)`.
struct Fitted {
    fit: GlmFit,
    design: Design,
    phi: f64,
    trend: bool,
}

/// `algo.farrington.fitGLM.fast`: fit, then refit with weights from Anscombe residuals.
fn fit_glm_fast(design: Design, y: &Response, trend: bool, reweight: bool) -> Result<Fitted, EpiError> {
    let fail = |e| EpiError::FitFailed { method: "farrington", reason: format!("{e:?}") };
    let mut design = design;
    let mut trend = trend;
    let mut fit = poisson_log(&design, y, None).map_err(fail)?;
    if !fit.converged && trend {
        design = design.without_column(1);
        trend = false;
        fit = poisson_log(&design, y, None).map_err(fail)?;
    }
    let mut phi = fit.dispersion().max(1.0);
    if reweight {
        let s = fit.anscombe_residuals(&design, y, phi);
        let omega = assign_weights(&s, 1.0);
        fit = poisson_log(&design, y, Some(&omega)).map_err(fail)?;
        phi = fit.dispersion().max(1.0);
    }
    Ok(Fitted { fit, design, phi, trend })
}

/// Runs `algo.farrington` over the range.
pub fn farrington(series: &Series, control: &FarringtonControl) -> Result<Vec<Outcome>, EpiError> {
    let freq = series.frequency();
    check_common(control.b, control.w, control.alpha, freq)?;
    control.limit54.check()?;
    let range = resolve_range("farrington", series.len(), control.range, &control.history(freq))?;
    let x = series.observed();
    let z = qnorm(1.0 - control.alpha / 2.0);
    let (b, w) = (control.b, control.w);
    range
        .weeks()
        .map(|k| {
            // wtime: for i in b..1, k - freq*i - w ..= k - freq*i + w (all >= 1 by the range check).
            let mut wtime = Vec::with_capacity(b * (2 * w + 1));
            for i in (1..=b).rev() {
                let centre = k - freq * i;
                wtime.extend(centre - w..=centre + w);
            }
            let y: Vec<f64> = wtime.iter().map(|&t| x[t - 1]).collect();
            // The trend is centred on k: same fit as R's `response ~ 1 + wtime`.
            let t: Vec<f64> = wtime.iter().map(|&t| t as f64 - k as f64).collect();
            let columns = if control.trend { vec![vec![1.0; y.len()], t] } else { vec![vec![1.0; y.len()]] };
            let response = Response::new(&y);
            let mut model = fit_glm_fast(Design { columns, factor: None }, &response, control.trend, control.reweight)?;
            if model.trend {
                // p-value of the slope with the estimated (unclamped) dispersion.
                let disp = model.fit.dispersion();
                let p = pt_two_sided(model.fit.t_value(1, disp), model.fit.df_residual as f64);
                let significant = p < 0.05;
                let mu0_hat = model.fit.coefficients[0].exp().max(f64::EPSILON);
                let max_y = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if !(b >= 3 && significant && mu0_hat <= max_y) {
                    let design = model.design.without_column(1);
                    model = fit_glm_fast(design, &response, false, control.reweight)?;
                }
            }
            let row = if model.trend { vec![1.0, 0.0] } else { vec![1.0] };
            let (eta, var) = model.fit.predict_link(&model.design, &NewRow { dense: &row, level: 0 });
            let mu0 = eta.exp().max(f64::EPSILON);
            let se_fit = (var * model.phi).sqrt() * mu0;
            let upper = power_upper(mu0, se_fit, model.phi, control.powertrans, z);
            let enough = control.limit54.enough_cases(x, k);
            let obs = x[k - 1];
            let score = if enough { (obs - mu0) / (upper - mu0) } else { 0.0 };
            Ok(Outcome {
                week: k,
                observed: obs,
                upperbound: Some(if enough { upper } else { 0.0 }),
                alarm: if score.is_nan() { None } else { Some(score > 1.0) },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_limit_by_hand() {
        // Without power transformation: mu0 + z * sqrt(mu0 * tau).
        let u = power_upper(10.0, 1.0, 2.0, PowerTrans::None, 1.96);
        assert!((u - (10.0 + 1.96 * (10.0f64 * (2.0 + 0.1)).sqrt())).abs() < 1e-12);
        // Square root: (sqrt(mu0) + z * sqrt(tau / 4))^2.
        let u = power_upper(10.0, 1.0, 2.0, PowerTrans::Half, 1.96);
        assert!((u - (10.0f64.sqrt() + 1.96 * (2.1f64 / 4.0).sqrt()).powi(2)).abs() < 1e-12);
    }

    #[test]
    fn limit54_counts_the_last_weeks() {
        let x = [9.0, 0.0, 1.0, 2.0, 1.0, 0.0];
        let l = Limit54::default();
        assert!(!l.enough_cases(&x, 6)); // weeks 3..6: 4 cases
        assert!(l.enough_cases(&x, 4)); // weeks 1..4: 12 cases
        assert!(Limit54 { cases: 4.0, period: 4 }.enough_cases(&x, 6));
    }

    #[test]
    fn seasonal_series_without_outbreak_gives_no_alarm() {
        let x: Vec<f64> =
            (0..320).map(|t| (20.0 + 8.0 * (t as f64 * std::f64::consts::TAU / 52.0).sin()).round()).collect();
        let s = Series::new(x, 52).unwrap();
        let out = farrington(&s, &FarringtonControl::default()).unwrap();
        assert_eq!(out.len(), 320 - 263);
        assert!(out.iter().all(|o| o.alarm == Some(false)));
        // An outbreak of 3x the usual count is flagged.
        let mut x = s.observed().to_vec();
        x[299] *= 3.0;
        let s = Series::new(x, 52).unwrap();
        let c = FarringtonControl { range: Some(WeekRange::new(300, 300)), ..Default::default() };
        assert_eq!(farrington(&s, &c).unwrap()[0].alarm, Some(true));
    }
}
