//! Distribution functions with R's definitions (`qnorm`, `pt`, `pgamma`, `qgamma`, `qpois`,
//! `qnbinom`), built on statrs. Discrete quantiles follow R: the smallest integer `y` with
//! `P(Y <= y) >= p`, with R's fuzz of `64 * DBL_EPSILON` for left continuity.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::beta_reg;
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// R's `qnorm(p)` for the standard normal distribution.
pub fn qnorm(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    Normal::standard().inverse_cdf(p)
}

/// R's `2 * pt(-abs(t), df)`: the two-sided p-value of a t statistic.
pub fn pt_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let d = StudentsT::new(0.0, 1.0, df).expect("df > 0");
    2.0 * d.cdf(-t.abs())
}

/// R's `pgamma(x, shape, scale = scale)` (lower tail).
pub fn pgamma(x: f64, shape: f64, scale: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    gamma_lr(shape, x / scale)
}

/// R's `qgamma(p, shape, scale = scale)`: Newton's method on the regularised incomplete gamma
/// function, safeguarded by bisection, to full double precision.
pub fn qgamma(p: f64, shape: f64, scale: f64) -> f64 {
    if p.is_nan() || shape.is_nan() || scale.is_nan() || shape <= 0.0 || scale <= 0.0 {
        return f64::NAN;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let a = shape;
    let lg = ln_gamma(a);
    // Wilson–Hilferty start, or the small-x expansion P(a,x) ~ x^a / Gamma(a+1).
    let c = 1.0 / (9.0 * a);
    let wh = a * (1.0 - c + qnorm(p) * c.sqrt()).powi(3);
    let small = (p.ln() + ln_gamma(a + 1.0)) / a;
    let mut x = if wh > 0.0 && wh.is_finite() { wh } else { small.exp() };
    if x <= 0.0 || !x.is_finite() {
        x = f64::MIN_POSITIVE;
    }
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    for _ in 0..200 {
        let f = gamma_lr(a, x) - p;
        if f == 0.0 {
            break;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let log_dens = (a - 1.0) * x.ln() - x - lg;
        let mut next = x - f / log_dens.exp();
        if !(next > lo && next < hi) || !next.is_finite() {
            next = if hi.is_finite() { 0.5 * (lo + hi) } else { 2.0 * x.max(lo) };
        }
        let done = (next - x).abs() <= 4.0 * f64::EPSILON * x;
        x = next;
        if done || (hi.is_finite() && hi - lo <= 4.0 * f64::EPSILON * hi) {
            break;
        }
    }
    x * scale
}

/// R's `ppois(y, lambda)`.
pub fn ppois(y: f64, lambda: f64) -> f64 {
    if y < 0.0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return 1.0;
    }
    gamma_ur(y.floor() + 1.0, lambda)
}

/// R's `pnbinom(y, size, prob)`.
pub fn pnbinom(y: f64, size: f64, prob: f64) -> f64 {
    if y < 0.0 {
        return 0.0;
    }
    if prob >= 1.0 || size == 0.0 {
        return 1.0;
    }
    beta_reg(size, y.floor() + 1.0, prob)
}

/// R's `qpois(p, lambda)`.
pub fn qpois(p: f64, lambda: f64) -> f64 {
    if p.is_nan() || lambda.is_nan() || lambda < 0.0 {
        return f64::NAN;
    }
    if lambda == 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let sigma = lambda.sqrt();
    let gamma = 1.0 / sigma;
    let z = qnorm(p);
    let guess = (lambda + sigma * (z + gamma * (z * z - 1.0) / 6.0)).round();
    discrete_quantile(p, guess, |y| ppois(y, lambda))
}

/// R's `qnbinom(p, size, prob)`.
pub fn qnbinom(p: f64, size: f64, prob: f64) -> f64 {
    if p.is_nan() || size.is_nan() || prob.is_nan() || prob <= 0.0 || prob > 1.0 || size < 0.0 {
        return f64::NAN;
    }
    if prob == 1.0 || size == 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = 1.0 / prob;
    let pp = (1.0 - prob) * q;
    let mu = size * pp;
    let sigma = (size * pp * q).sqrt();
    let gamma = (q + pp) / sigma;
    let z = qnorm(p);
    let guess = (mu + sigma * (z + gamma * (z * z - 1.0) / 6.0)).round();
    discrete_quantile(p, guess, |y| pnbinom(y, size, prob))
}

/// The smallest integer y >= 0 with cdf(y) >= p (with R's fuzz), searched from a guess.
fn discrete_quantile(p: f64, guess: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    let target = p * (1.0 - 64.0 * f64::EPSILON);
    let guess = if guess.is_finite() { guess.max(0.0) } else { 0.0 };
    // Bracket: lo fails (cdf < target) or is -1, hi satisfies.
    let (mut lo, mut hi);
    if cdf(guess) >= target {
        hi = guess;
        let mut step = 1.0;
        loop {
            let cand = hi - step;
            if cand < 0.0 {
                lo = -1.0;
                break;
            }
            if cdf(cand) >= target {
                hi = cand;
                step *= 2.0;
            } else {
                lo = cand;
                break;
            }
        }
    } else {
        lo = guess;
        let mut step = 1.0;
        loop {
            let cand = lo + step;
            if cdf(cand) >= target {
                hi = cand;
                break;
            }
            lo = cand;
            step *= 2.0;
            if !cand.is_finite() || cand > 1e300 {
                return f64::INFINITY;
            }
        }
    }
    while hi - lo > 1.0 {
        let mid = (0.5 * (lo + hi)).floor();
        if cdf(mid) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    // Values from R 4.2.2 (sprintf("%.17g", ...)).
    #[test]
    fn normal_quantiles_match_r() {
        assert!(close(qnorm(0.975), 1.9599639845400536, 1e-15));
        assert!(close(qnorm(0.999), 3.0902323061678132, 1e-14));
        assert!(close(qnorm(0.95), 1.6448536269514715, 1e-15));
        assert!(close(qnorm(0.9995), 3.2905267314919255, 1e-14));
        assert!(close(qnorm(0.01), -2.3263478740408408, 1e-15));
    }

    #[test]
    fn gamma_functions_match_r() {
        // qgamma(c(0.025, 0.5, 0.975), shape = 13, scale = 0.1)
        assert!(close(qgamma(0.025, 13.0, 0.1), 0.69219524910038022, 1e-13));
        assert!(close(qgamma(0.5, 13.0, 0.1), 1.2668229058738634, 1e-13));
        assert!(close(qgamma(0.975, 13.0, 0.1), 2.0961585048176952, 1e-13));
        assert!(close(qgamma(0.05, 1.0, 5.0), 0.25646647193775268, 1e-13));
        assert!(close(qgamma(0.975, 2500.0, 0.002), 5.1978837719237969, 1e-12));
        assert!(close(qgamma(0.001, 0.5, 1.0), 7.8539857463124521e-07, 1e-12));
        assert!(close(qgamma(0.999, 0.5, 1.0), 5.4137830853313647, 1e-13));
        assert!(close(pgamma(3.0, 2.5, 1.2), 0.58411981300449201, 1e-13));
        assert_eq!(pgamma(-1.0, 2.0, 1.0), 0.0);
    }

    #[test]
    fn discrete_quantiles_match_r() {
        assert_eq!(qpois(0.95, 3.2), 6.0);
        assert_eq!(qpois(0.95, 3.0), 6.0);
        assert_eq!(qpois(0.999, 120.5), 156.0);
        assert_eq!(qpois(0.5, 0.01), 0.0);
        assert_eq!(qnbinom(0.95, 2.5, 0.4), 10.0);
        assert_eq!(qnbinom(0.99, 150.0, 1.0 / 1.3), 64.0);
        assert_eq!(qnbinom(0.05, 0.3, 0.5), 0.0);
        // Nearly Poisson: huge size, prob close to 1.
        assert_eq!(qnbinom(0.95, 1e6, 1.0 / 1.0000001), 1.0);
        assert_eq!(qnbinom(0.95, 3e7, 1.0 / (1.0 + 1e-7)), 6.0);
    }

    #[test]
    fn t_test_p_value_matches_r() {
        assert!(close(pt_two_sided(2.1, 12.0), 0.05754493873495118, 1e-12));
        assert!(close(pt_two_sided(-2.1, 12.0), 0.05754493873495118, 1e-12));
    }
}
