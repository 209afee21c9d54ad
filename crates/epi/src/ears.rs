//! EARS C1, C2 and C3 as `surveillance::earsC` (Hutwagner et al. 2003; Fricker et al. 2008).
//!
//! * C1: the baseline is the `baseline` weeks just before the current week; the upper bound is
//!   `mean + qnorm(1 - alpha) * max(sd, minSigma)`.
//! * C2: the same with a lag of two weeks (weeks t-baseline-2 … t-3).
//! * C3: the upper bound is the value that would make the sum of the C2 statistics of the current
//!   week and the two before (each minus 1, floored at 0) exceed `qnorm(1 - alpha)`.

use crate::dist::qnorm;
use crate::weeks::{History, Outcome, WeekRange, resolve_range, rgt, rmax};
use crate::{EpiError, Series};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarsMethod {
    C1,
    C2,
    C3,
}

impl EarsMethod {
    fn name(self) -> &'static str {
        match self {
            EarsMethod::C1 => "ears-c1",
            EarsMethod::C2 => "ears-c2",
            EarsMethod::C3 => "ears-c3",
        }
    }
}

/// `earsC` control. The method (C1, C2, C3) is chosen by [`crate::Method`].
#[derive(Clone, Debug, PartialEq)]
pub struct EarsControl {
    /// Weeks to evaluate; `None`: from the first week with enough history to the end.
    pub range: Option<WeekRange>,
    /// Weeks in the baseline (R's `baseline`, default 7, at least 3).
    pub baseline: usize,
    /// Lower limit of the standard deviation (R's `minSigma`, default 0).
    pub min_sigma: f64,
    /// Significance level (R's `alpha`). `None` gives R's behaviour when `alpha` is not in the
    /// control list: 0.001 for C1 and C2, 0.025 for C3.
    pub alpha: Option<f64>,
}

impl Default for EarsControl {
    fn default() -> Self {
        EarsControl { range: None, baseline: 7, min_sigma: 0.0, alpha: None }
    }
}

impl EarsControl {
    pub(crate) fn history(&self, method: EarsMethod) -> History {
        match method {
            EarsMethod::C1 => History { weeks: self.baseline, rule: "baseline".into() },
            EarsMethod::C2 => History { weeks: self.baseline + 2, rule: "baseline + 2".into() },
            EarsMethod::C3 => History { weeks: self.baseline + 4, rule: "baseline + 4".into() },
        }
    }

    fn alpha_for(&self, method: EarsMethod) -> f64 {
        self.alpha.unwrap_or(match method {
            EarsMethod::C1 | EarsMethod::C2 => 0.001,
            EarsMethod::C3 => 0.025,
        })
    }
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    (m, (ss / (n - 1.0)).sqrt())
}

/// Runs EARS C1, C2 or C3 over the range.
pub fn ears_c(series: &Series, method: EarsMethod, control: &EarsControl) -> Result<Vec<Outcome>, EpiError> {
    if control.baseline < 3 {
        return Err(EpiError::param("baseline", "the minimum baseline is 3 weeks"));
    }
    if !(control.min_sigma >= 0.0 && control.min_sigma.is_finite()) {
        return Err(EpiError::param("minSigma", "must be a number >= 0"));
    }
    let alpha = control.alpha_for(method);
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(EpiError::param("alpha", "must lie strictly between 0 and 1"));
    }
    let range = resolve_range(method.name(), series.len(), control.range, &control.history(method))?;
    let z = qnorm(1.0 - alpha);
    let b = control.baseline;
    let x = series.observed();
    // Reference values of week t (1-based): weeks t-lag-b+1 ..= t-lag, i.e. C1 (lag 1) weeks
    // t-b..t-1 and C2/C3 (lag 3) weeks t-b-2..t-3.
    let reference = |t: usize, lag: usize| -> (f64, f64) {
        let (m, sd) = mean_sd(&x[t - lag - b..t - lag]);
        (m, rmax(sd, control.min_sigma))
    };
    let outcomes = range
        .weeks()
        .map(|t| {
            let obs = x[t - 1];
            let upper = match method {
                EarsMethod::C1 => {
                    let (m, sd) = reference(t, 1);
                    m + z * sd
                }
                EarsMethod::C2 => {
                    let (m, sd) = reference(t, 3);
                    m + z * sd
                }
                EarsMethod::C3 => {
                    let c2 = |s: usize| {
                        let (m, sd) = reference(s, 3);
                        (x[s - 1] - m) / sd
                    };
                    let lag2 = rmax(0.0, c2(t - 2) - 1.0);
                    let lag1 = rmax(0.0, c2(t - 1) - 1.0);
                    let (_, sd) = reference(t, 3);
                    rmax(0.0, obs + sd * (z - (lag2 + lag1)))
                }
            };
            Outcome { week: t, observed: obs, upperbound: crate::weeks::na(upper), alarm: rgt(obs, upper) }
        })
        .collect();
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_by_hand() {
        // Baseline 1..7 has mean 4 and sd sqrt(28/6); week 8 is 20.
        let s = Series::new(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 20.0], 52).unwrap();
        let out = ears_c(&s, EarsMethod::C1, &EarsControl::default()).unwrap();
        assert_eq!(out.len(), 1);
        let expected = 4.0 + qnorm(0.999) * (28.0f64 / 6.0).sqrt();
        assert!((out[0].upperbound.unwrap() - expected).abs() < 1e-12);
        assert_eq!(out[0].alarm, Some(true));
    }

    #[test]
    fn c3_needs_baseline_plus_four() {
        let s = Series::new(vec![3.0; 11], 52).unwrap();
        let e = ears_c(&s, EarsMethod::C3, &EarsControl::default()).unwrap_err();
        assert!(e.to_string().contains("ears-c3 needs baseline + 4 = 11 weeks"), "{e}");
    }

    #[test]
    fn constant_baseline_gives_na_for_c3_as_r() {
        // sd = 0 and minSigma = 0: C2 is 0/0, and R's upper bound is NaN (NA), alarm NA.
        let s = Series::new(vec![3.0; 14], 52).unwrap();
        let out = ears_c(&s, EarsMethod::C3, &EarsControl::default()).unwrap();
        assert_eq!(out[0].upperbound, None);
        assert_eq!(out[0].alarm, None);
        let out = ears_c(&s, EarsMethod::C1, &EarsControl::default()).unwrap();
        assert_eq!(out[0].upperbound, Some(3.0));
        assert_eq!(out[0].alarm, Some(false));
    }

    #[test]
    fn parameters_are_checked() {
        let s = Series::new(vec![3.0; 20], 52).unwrap();
        let c = EarsControl { baseline: 2, ..Default::default() };
        assert_eq!(ears_c(&s, EarsMethod::C1, &c).unwrap_err().code(), "invalid_parameter");
        let c = EarsControl { alpha: Some(1.5), ..Default::default() };
        assert_eq!(ears_c(&s, EarsMethod::C1, &c).unwrap_err().code(), "invalid_parameter");
    }
}
