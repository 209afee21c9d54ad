//! Poisson CUSUM as `surveillance::algo.cusum` (Rossi et al. 1999): the counts of the range are
//! standardised against a reference mean `m`, and `S_t = max(0, S_{t-1} + z_t - k)` raises an
//! alarm when `S_t >= h`. The upper bound is the count that would just reach `h`.

use crate::glm::{Design, Response, poisson_log};
use crate::weeks::{History, Outcome, WeekRange, resolve_range, rmax};
use crate::{EpiError, Series};

/// How the in-control mean `m` is obtained (R's `m`).
#[derive(Clone, Debug, PartialEq)]
pub enum CusumReference {
    /// `m = NULL`: the mean of all weeks before the range.
    Phase1Mean,
    /// A number.
    Value(f64),
    /// `m = "glm"`: a Poisson GLM with one harmonic, `x ~ 1 + cos(2*pi/freq*t) + sin(2*pi/freq*t)`,
    /// fitted to the weeks before the range and predicted for each week of the range. The time
    /// `t` is the week number (the series is taken to start in the first week of a year).
    Glm,
}

/// R's `trans`: the standardisation of the counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CusumTrans {
    /// `(x - m) / sqrt(m)`.
    Standard,
    /// Rossi's approximation `(x - 3m + 2 sqrt(x m)) / (2 sqrt(m))`.
    Rossi,
    /// Anscombe residuals `3/2 (x^(2/3) - m^(2/3)) / m^(1/6)`.
    Anscombe,
    /// Second-order Anscombe residuals.
    Anscombe2nd,
    /// Pearson residuals of a negative binomial with dispersion `alpha`.
    PearsonNegBin,
    /// No standardisation.
    None,
}

impl CusumTrans {
    /// R's spelling: `standard`, `rossi`, `anscombe`, `anscombe2nd`, `pearsonNegBin`, `none`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "standard" => CusumTrans::Standard,
            "rossi" => CusumTrans::Rossi,
            "anscombe" => CusumTrans::Anscombe,
            "anscombe2nd" => CusumTrans::Anscombe2nd,
            "pearsonNegBin" => CusumTrans::PearsonNegBin,
            "none" => CusumTrans::None,
            _ => return None,
        })
    }
}

/// `algo.cusum` control with R's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct CusumControl {
    /// Weeks to evaluate (R requires it; `None` here: every week after the first).
    pub range: Option<WeekRange>,
    /// Reference value (R's `k`, default 1.04).
    pub k: f64,
    /// Decision boundary (R's `h`, default 2.26).
    pub h: f64,
    /// In-control mean (R's `m`, default `NULL`).
    pub m: CusumReference,
    /// Transformation (R's `trans`, default `"standard"`).
    pub trans: CusumTrans,
    /// Negative binomial dispersion for `pearsonNegBin` (R's `alpha`, default 0.1).
    pub alpha: f64,
}

impl Default for CusumControl {
    fn default() -> Self {
        CusumControl {
            range: None,
            k: 1.04,
            h: 2.26,
            m: CusumReference::Phase1Mean,
            trans: CusumTrans::Standard,
            alpha: 0.1,
        }
    }
}

impl CusumControl {
    pub(crate) fn history(&self) -> History {
        match self.m {
            CusumReference::Phase1Mean => History { weeks: 1, rule: "1 week (for the mean m)".into() },
            CusumReference::Value(_) => History { weeks: 0, rule: "no weeks (m given)".into() },
            CusumReference::Glm => History { weeks: 3, rule: "3 weeks (for m = glm)".into() },
        }
    }
}

/// Runs the CUSUM over the range.
pub fn cusum(series: &Series, control: &CusumControl) -> Result<Vec<Outcome>, EpiError> {
    if !control.k.is_finite() {
        return Err(EpiError::param("k", "must be a number"));
    }
    if !control.h.is_finite() {
        return Err(EpiError::param("h", "must be a number"));
    }
    if control.trans == CusumTrans::PearsonNegBin && !(control.alpha.is_finite() && control.alpha >= 0.0) {
        return Err(EpiError::param("alpha", "must be a number >= 0"));
    }
    let range = resolve_range("cusum", series.len(), control.range, &control.history())?;
    let x = series.observed();
    let phase1 = &x[..range.start - 1];
    let m: Vec<f64> = match &control.m {
        CusumReference::Phase1Mean => {
            let mean = phase1.iter().sum::<f64>() / phase1.len() as f64;
            vec![mean; range.len()]
        }
        CusumReference::Value(v) => {
            if !(v.is_finite() && *v >= 0.0) {
                return Err(EpiError::param("m", "must be a number >= 0, or glm"));
            }
            vec![*v; range.len()]
        }
        CusumReference::Glm => harmonic_glm_mean(phase1, range, series.frequency())?,
    };
    let (k, h) = (control.k, control.h);
    let alpha = control.alpha;
    let obs = &x[range.start - 1..range.end];
    let stand: Vec<f64> = obs
        .iter()
        .zip(&m)
        .map(|(&x, &m)| match control.trans {
            CusumTrans::Rossi => (x - 3.0 * m + 2.0 * (x * m).sqrt()) / (2.0 * m.sqrt()),
            CusumTrans::Standard => (x - m) / m.sqrt(),
            CusumTrans::Anscombe => 1.5 * (x.powf(2.0 / 3.0) - m.powf(2.0 / 3.0)) / m.powf(1.0 / 6.0),
            CusumTrans::Anscombe2nd => {
                (x.powf(2.0 / 3.0) - (m.powf(2.0 / 3.0) - m.powf(-1.0 / 3.0) / 9.0)) / (2.0 / 3.0 * m.powf(1.0 / 6.0))
            }
            CusumTrans::PearsonNegBin => (x - m) / (m + alpha * m * m).sqrt(),
            CusumTrans::None => x,
        })
        .collect();
    // cusum[1] = 0; cusum[t+1] = max(0, cusum[t] + z_t - k), NaN propagating as in R.
    let mut s = vec![0.0; obs.len() + 1];
    for t in 0..obs.len() {
        s[t + 1] = rmax(0.0, s[t] + (stand[t] - k));
    }
    let outcomes = range
        .weeks()
        .enumerate()
        .map(|(t, week)| {
            let m = m[t];
            let c = s[t];
            let sm = m.sqrt();
            let m32 = m.powf(1.5);
            let ub = match control.trans {
                CusumTrans::Rossi => {
                    2.0 * h * sm + 2.0 * k * sm - 2.0 * c * sm + 5.0 * m
                        - 2.0 * (4.0 * m * m + 2.0 * m32 * h + 2.0 * m32 * k - 2.0 * m32 * c).sqrt()
                }
                CusumTrans::Standard => (sm * (h + k - c) + m).ceil(),
                CusumTrans::Anscombe => {
                    let v = 2.0 / 3.0 * m.powf(1.0 / 6.0) * (h + k - c) + m.powf(2.0 / 3.0);
                    if v < 0.0 { 0.0 } else { v.powf(1.5) }
                }
                CusumTrans::Anscombe2nd => {
                    let v = 2.0 / 3.0 * m.powf(1.0 / 6.0) * (h + k - c) + (m.powf(2.0 / 3.0) - m.powf(1.0 / 3.0) / 9.0);
                    if v < 0.0 { 0.0 } else { v.powf(1.5) }
                }
                CusumTrans::PearsonNegBin => (m + alpha * m * m).sqrt() * (h + k - c) + m,
                CusumTrans::None => h - s[t + 1],
            };
            // upperbound[is.na(upperbound)] <- 0; upperbound[upperbound < 0] <- 0
            let ub = if ub.is_nan() || ub < 0.0 { 0.0 } else { ub };
            let alarm = if s[t + 1].is_nan() { None } else { Some(s[t + 1] >= h) };
            Outcome { week, observed: obs[t], upperbound: Some(ub), alarm }
        })
        .collect();
    Ok(outcomes)
}

/// `glm(x ~ 1 + cos(2*pi/p*t) + sin(2*pi/p*t), family = poisson())` on the weeks before the
/// range, predicted (as a mean) for each week of the range.
fn harmonic_glm_mean(phase1: &[f64], range: WeekRange, freq: usize) -> Result<Vec<f64>, EpiError> {
    let omega = 2.0 * std::f64::consts::PI / freq as f64;
    let t: Vec<f64> = (1..=phase1.len()).map(|t| t as f64).collect();
    let design = Design {
        columns: vec![
            vec![1.0; t.len()],
            t.iter().map(|t| (omega * t).cos()).collect(),
            t.iter().map(|t| (omega * t).sin()).collect(),
        ],
        factor: None,
    };
    let fit = poisson_log(&design, &Response::new(phase1), None).map_err(|e| EpiError::FitFailed {
        method: "cusum",
        reason: format!("the seasonal Poisson model for m = glm failed ({e:?}); use more weeks before the range"),
    })?;
    Ok(range
        .weeks()
        .map(|week| {
            let t = week as f64;
            let row = [1.0, (omega * t).cos(), (omega * t).sin()];
            let (eta, _) = fit.predict_link(&design, &crate::glm::NewRow { dense: &row, level: 0 });
            eta.exp().max(f64::EPSILON)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_cusum_by_hand() {
        // m = 4 (mean of weeks 1-4), k = 1.04, h = 2.26: z = (x - 4)/2.
        let s = Series::new(vec![3.0, 5.0, 4.0, 4.0, 8.0, 9.0, 2.0], 52).unwrap();
        let c = CusumControl { range: Some(WeekRange::new(5, 7)), ..Default::default() };
        let out = cusum(&s, &c).unwrap();
        // S5 = 2 - 1.04 = 0.96; S6 = 0.96 + 2.5 - 1.04 = 2.42 >= 2.26; S7 = max(0, 2.42 - 1 - 1.04).
        assert_eq!(out.iter().map(|o| o.alarm).collect::<Vec<_>>(), vec![Some(false), Some(true), Some(false)]);
        // Upper bound at week 6: ceiling(2 * (2.26 + 1.04 - 0.96) + 4) = ceiling(8.68) = 9.
        assert_eq!(out[1].upperbound, Some(9.0));
        assert_eq!(out[0].upperbound, Some((2.0f64 * (2.26 + 1.04) + 4.0).ceil()));
    }

    #[test]
    fn parse_trans() {
        assert_eq!(CusumTrans::parse("rossi"), Some(CusumTrans::Rossi));
        assert_eq!(CusumTrans::parse("pearsonNegBin"), Some(CusumTrans::PearsonNegBin));
        assert_eq!(CusumTrans::parse("Rossi"), None);
    }
}
