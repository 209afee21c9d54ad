//! The Farrington algorithm as `surveillance::algo.farrington` (Farrington et al. 1996) with
//! R's default fit function `algo.farrington.fitGLM.fast`.
//!
//! For week k the reference values are the weeks k - i*freq - w ..= k - i*freq + w of the `b`
//! previous years. A quasi-Poisson GLM with a linear time trend is fitted, refitted with weights
//! that down-weight past outbreaks (Anscombe residuals > 1), and the trend is dropped unless it is
//! significant at 5 %, `b >= 3` and the prediction does not extrapolate beyond the data. The
//! upper bound is the two-sided `1 - alpha` prediction limit on a power scale (2/3 by default).

use crate::dist::{TTest, qnorm};
use crate::levels::{LevelFit, Rows, Weights};
use crate::weeks::{History, Outcome, WeekRange, resolve_range};
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

/// `algo.farrington.fitGLM.fast` into `fit`: fit, then refit with weights from Anscombe
/// residuals. Returns `phi = max(dispersion, 1)` and whether the model has the trend.
fn fit_glm_fast(
    rows: &Rows,
    fit: &mut LevelFit,
    omega: &mut Weights,
    trend: bool,
    reweight: bool,
) -> Result<(f64, bool), EpiError> {
    let fail = |e| EpiError::FitFailed { method: "farrington", reason: format!("{e:?}") };
    let mut trend = trend;
    fit.fit(rows, trend, None).map_err(fail)?;
    if !fit.converged && trend {
        trend = false;
        fit.fit(rows, false, None).map_err(fail)?;
    }
    let mut phi = fit.dispersion().max(1.0);
    if reweight {
        fit.reweights(rows, phi, 1.0, omega);
        fit.fit(rows, trend, Some(omega)).map_err(fail)?;
        phi = fit.dispersion().max(1.0);
    }
    Ok((phi, trend))
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
    let mut rows = Rows::new(x);
    let mut fit = LevelFit::default();
    let mut omega = Weights::default();
    let mut trend_test = TTest::new(0.05);
    range
        .weeks()
        .map(|k| {
            // wtime: for i in b..1, k - freq*i - w ..= k - freq*i + w (all >= 1 by the range check),
            // centred on k: the same fit as R's `response ~ 1 + wtime`.
            rows.clear(1);
            for i in (1..=b).rev() {
                let first = k - freq * i - w;
                rows.push_run(first, 2 * w + 1, first as f64 - k as f64, 0);
            }
            rows.finish();
            // With fewer than 3 years R drops the trend whatever the fit: it is then the fit
            // without trend, so that one is fitted directly.
            let trend = control.trend && b >= 3;
            let (mut phi, trend) = fit_glm_fast(&rows, &mut fit, &mut omega, trend, control.reweight)?;
            if trend {
                // p-value of the slope with the estimated (unclamped) dispersion.
                let significant = trend_test.significant(fit.t_slope(fit.dispersion()), fit.df_residual as f64);
                let mu0_hat = fit.c[0].exp().max(f64::EPSILON);
                if !(b >= 3 && significant && mu0_hat <= rows.max_y()) {
                    (phi, _) = fit_glm_fast(&rows, &mut fit, &mut omega, false, control.reweight)?;
                }
            }
            let (eta, var) = fit.predict_link(0);
            let mu0 = eta.exp().max(f64::EPSILON);
            let se_fit = (var * phi).sqrt() * mu0;
            let upper = power_upper(mu0, se_fit, phi, control.powertrans, z);
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
