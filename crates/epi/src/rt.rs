//! The time-varying reproduction number as `EpiEstim::estimate_R(method = "parametric_si")`
//! (Cori et al. 2013, EpiEstim 2.2-4).
//!
//! The serial interval is a gamma distribution with the given mean and standard deviation,
//! discretised as EpiEstim's `discr_si` (offset by one day). Over each sliding window
//! `t_start..=t_end` (by default `t_start = 2..=T-6`, `t_end = 8..=T`), the posterior of R is
//! gamma with shape `a_prior + sum(I)` and scale `1 / (1/b_prior + sum(Lambda))`, where
//! `Lambda_t = sum_s w_s I_{t-s}` is the total infectiousness; the prior is gamma with mean 5 and
//! standard deviation 5. As in EpiEstim, all cases of the first time step are taken as imported
//! (they count in `Lambda` but not in the window sums, which start at 2), and windows that end
//! no later than the mean of the discretised serial interval give no estimate (NA).

use crate::EpiError;
use crate::dist::{GammaQuantile, pgamma, qnorm};
use crate::series::check_count;

/// Parameters of `estimate_R(method = "parametric_si")`.
#[derive(Clone, Debug, PartialEq)]
pub struct RtConfig {
    /// Mean of the serial interval (EpiEstim's `mean_si`, > 1).
    pub mean_si: f64,
    /// Standard deviation of the serial interval (`std_si`, > 0).
    pub std_si: f64,
    /// Window length in time steps (default 7: `t_start = 2:(T-6)`, `t_end = 8:T`).
    pub window: usize,
    /// Prior mean of R (`mean_prior`, default 5).
    pub mean_prior: f64,
    /// Prior standard deviation of R (`std_prior`, default 5).
    pub std_prior: f64,
}

impl RtConfig {
    /// EpiEstim's defaults for a serial interval with this mean and standard deviation.
    pub fn new(mean_si: f64, std_si: f64) -> Self {
        RtConfig { mean_si, std_si, window: 7, mean_prior: 5.0, std_prior: 5.0 }
    }
}

/// The gamma posterior of R over one window, summarised as in EpiEstim's `R` table.
#[derive(Clone, Debug, PartialEq)]
pub struct RtPosterior {
    pub mean: f64,
    pub std: f64,
    pub q0025: f64,
    pub q005: f64,
    pub q025: f64,
    pub median: f64,
    pub q075: f64,
    pub q095: f64,
    pub q0975: f64,
    /// Gamma shape.
    pub shape: f64,
    /// Gamma scale.
    pub scale: f64,
}

/// One row of EpiEstim's table: the window and the posterior (`None` where EpiEstim gives NA).
#[derive(Clone, Debug, PartialEq)]
pub struct RtEstimate {
    pub t_start: usize,
    pub t_end: usize,
    pub posterior: Option<RtPosterior>,
}

impl RtEstimate {
    /// Column names of the table, in EpiEstim's order.
    pub const COLUMNS: [&'static str; 11] =
        ["t_start", "t_end", "mean_r", "std_r", "q0025", "q005", "q025", "median", "q075", "q095", "q0975"];

    /// The nine posterior columns (mean_r … q0975), `None` where NA.
    pub fn values(&self) -> [Option<f64>; 9] {
        match &self.posterior {
            None => [None; 9],
            Some(p) => [p.mean, p.std, p.q0025, p.q005, p.q025, p.median, p.q075, p.q095, p.q0975].map(Some),
        }
    }
}

/// EpiEstim's `discr_si(k, mu, sigma)`: probability that the serial interval is k time steps,
/// for a gamma distribution of mean `mu` and standard deviation `sigma`, offset by one.
pub fn discr_si(k: usize, mu: f64, sigma: f64) -> f64 {
    let a = ((mu - 1.0) / sigma).powi(2);
    let b = sigma * sigma / (mu - 1.0);
    let f = |x: f64, shape: f64| pgamma(x, shape, b);
    let k = k as f64;
    discr_si_from(
        k,
        a,
        b,
        [f(k, a), f(k - 1.0, a), f(k - 2.0, a)],
        [f(k, a + 1.0), f(k - 1.0, a + 1.0), f(k - 2.0, a + 1.0)],
    )
}

/// `discr_si(0:(n-1), mu, sigma)`, each gamma CDF value computed once (same results as
/// [`discr_si`], a third of the work).
pub fn discr_si_vec(n: usize, mu: f64, sigma: f64) -> Vec<f64> {
    let a = ((mu - 1.0) / sigma).powi(2);
    let b = sigma * sigma / (mu - 1.0);
    // F[j] = CDF at k = j - 2, for j = 0..n+2 (k = -2..n-1).
    let cdf = |shape: f64| -> Vec<f64> { (0..n + 2).map(|j| pgamma(j as f64 - 2.0, shape, b)).collect() };
    let (fa, fa1) = (cdf(a), cdf(a + 1.0));
    (0..n)
        .map(|k| discr_si_from(k as f64, a, b, [fa[k + 2], fa[k + 1], fa[k]], [fa1[k + 2], fa1[k + 1], fa1[k]]))
        .collect()
}

/// EpiEstim's formula from the gamma CDFs at k, k-1, k-2 for shapes a and a + 1.
fn discr_si_from(k: f64, a: f64, b: f64, f: [f64; 3], f1: [f64; 3]) -> f64 {
    let res = k * f[0] + (k - 2.0) * f[2] - 2.0 * (k - 1.0) * f[1] + a * b * (2.0 * f1[1] - f1[2] - f1[0]);
    res.max(0.0)
}

/// Estimates R over sliding windows of `config.window` time steps; `incidence[0]` is time 1.
pub fn estimate_r(incidence: &[f64], config: &RtConfig) -> Result<Vec<RtEstimate>, EpiError> {
    if !(config.mean_si > 1.0 && config.mean_si.is_finite()) {
        return Err(EpiError::param("mean_si", "the serial interval mean must be > 1"));
    }
    if !(config.std_si > 0.0 && config.std_si.is_finite()) {
        return Err(EpiError::param("std_si", "the serial interval standard deviation must be > 0"));
    }
    if !(config.mean_prior > 0.0 && config.std_prior > 0.0) {
        return Err(EpiError::param("mean_prior", "the prior mean and standard deviation must be > 0"));
    }
    if config.window == 0 {
        return Err(EpiError::param("window", "must be at least 1 time step"));
    }
    for (t, &v) in incidence.iter().enumerate() {
        check_count(t as i64 + 1, v)?;
    }
    let big_t = incidence.len();
    if big_t < config.window + 1 {
        return Err(EpiError::InsufficientData { method: "rt", needed: config.window + 1, got: big_t });
    }
    // si_distr = discr_si(0:(T-1)), padded with a zero to length T + 1.
    let mut si = discr_si_vec(big_t, config.mean_si, config.std_si);
    si.push(0.0);
    let final_mean_si: f64 = si.iter().enumerate().map(|(k, w)| w * k as f64).sum();
    // Lambda_t = sum_{s=1..t} si[s-1] * I_{t-s+1} for t = 2..T (1-based); Lambda_1 = NA.
    let mut lambda = vec![f64::NAN; big_t + 1];
    for t in 2..=big_t {
        let mut s = 0.0;
        for j in 1..=t {
            s += si[j - 1] * incidence[t - j];
        }
        lambda[t] = s;
    }
    let a_prior = (config.mean_prior / config.std_prior).powi(2);
    let b_prior = config.std_prior.powi(2) / config.mean_prior;
    let w = config.window;
    const PROBS: [f64; 7] = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975];
    let z = PROBS.map(qnorm);
    Ok((2..=big_t + 1 - w)
        .map(|t_start| {
            let t_end = t_start + w - 1;
            let posterior = (t_end as f64 > final_mean_si).then(|| {
                let cases: f64 = incidence[t_start - 1..t_end].iter().sum();
                let infectiousness: f64 = lambda[t_start..=t_end].iter().sum();
                let shape = a_prior + cases;
                let scale = 1.0 / (1.0 / b_prior + infectiousness);
                let g = GammaQuantile::new(shape);
                let q = |i: usize| g.standard(PROBS[i], z[i]) * scale;
                RtPosterior {
                    mean: shape * scale,
                    std: shape.sqrt() * scale,
                    q0025: q(0),
                    q005: q(1),
                    q025: q(2),
                    median: q(3),
                    q075: q(4),
                    q095: q(5),
                    q0975: q(6),
                    shape,
                    scale,
                }
            });
            RtEstimate { t_start, t_end, posterior }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discretised_serial_interval_sums_to_one() {
        for (mu, sigma) in [(2.6, 1.5), (8.4, 3.8), (14.9, 3.9), (4.0, 3.0)] {
            let total: f64 = (0..400).map(|k| discr_si(k, mu, sigma)).sum();
            assert!((total - 1.0).abs() < 1e-10, "{mu} {sigma}: {total}");
            let mean: f64 = (0..400).map(|k| k as f64 * discr_si(k, mu, sigma)).sum();
            assert!((mean - mu).abs() < 1e-8, "the discretisation keeps the mean: {mean}");
            assert_eq!(discr_si(0, mu, sigma), 0.0);
        }
    }

    #[test]
    fn vector_form_equals_single_values() {
        let v = discr_si_vec(60, 8.4, 3.8);
        for (k, &x) in v.iter().enumerate() {
            assert_eq!(x, discr_si(k, 8.4, 3.8));
        }
    }

    #[test]
    fn constant_incidence_gives_r_near_one() {
        let inc = vec![100.0; 60];
        let out = estimate_r(&inc, &RtConfig::new(4.0, 2.0)).unwrap();
        assert_eq!(out.len(), 60 - 7);
        assert_eq!((out[0].t_start, out[0].t_end), (2, 8));
        let last = out.last().unwrap().posterior.as_ref().unwrap();
        assert!((last.mean - 1.0).abs() < 0.01, "{}", last.mean);
        assert!(last.q0025 < last.median && last.median < last.q0975);
    }

    #[test]
    fn early_windows_are_na() {
        // Mean serial interval 14.9: windows ending at or before it have no estimate.
        let inc = vec![5.0; 40];
        let out = estimate_r(&inc, &RtConfig::new(14.9, 3.9)).unwrap();
        assert!(out[0].posterior.is_none());
        assert!(out.iter().find(|e| e.t_end == 16).unwrap().posterior.is_some());
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(estimate_r(&[1.0; 5], &RtConfig::new(4.0, 2.0)).unwrap_err().code(), "insufficient_data");
        assert_eq!(estimate_r(&[1.0; 20], &RtConfig::new(1.0, 2.0)).unwrap_err().code(), "invalid_parameter");
        let mut inc = vec![1.0; 20];
        inc[4] = -1.0;
        assert_eq!(
            estimate_r(&inc, &RtConfig::new(4.0, 2.0)).unwrap_err(),
            EpiError::NegativeCount { week: 5, value: -1.0 }
        );
    }
}
