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

/// R's `pnorm(x)` for the standard normal distribution, to full double precision: the Taylor
/// series of `Phi(x) - 1/2` for -2.3 <= x <= 3 and the upper incomplete gamma function for the
/// tails.
/// (statrs' `Normal::cdf` is off by up to ~1e-11 near x = -1.)
pub fn pnorm(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let density = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let ax = x.abs();
    if (-2.3..=3.0).contains(&x) {
        // Phi(x) = 1/2 + phi(x) * sum_{n>=0} x^(2n+1) / (1*3*...*(2n+1))
        let x2 = x * x;
        let (mut term, mut sum) = (x, x);
        let mut k = 1.0;
        while term.abs() > f64::EPSILON * sum.abs() * 0.25 {
            k += 2.0;
            term *= x2 / k;
            sum += term;
        }
        return 0.5 + density(x) * sum;
    }
    // Tails: Q(|x|) = P(Z > |x|) = Gamma(1/2, x^2/2) / 2, by statrs' continued fraction.
    let q = 0.5 * gamma_ur(0.5, 0.5 * ax * ax);
    if x > 0.0 { 1.0 - q } else { q }
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
    gamma_p(shape, x / scale)
}

/// Regularised lower incomplete gamma P(a, x), choosing the algorithm by region as R's
/// `pgamma_raw`: where x is near a and a is large the power series and the continued fraction
/// need O(sqrt(a)) terms, so R (and this function) use the asymptotic expansion of
/// `ppois_asymp`; elsewhere statrs' series or continued fraction converge quickly.
fn gamma_p(a: f64, x: f64) -> f64 {
    let near = x >= 1.0 && !(x <= a - 1.0 && x < 0.8 * (a + 50.0)) && !(a - 1.0 < x && a < 0.8 * (x + 50.0));
    if near { ppois_asymp_upper(a - 1.0, x) } else { gamma_lr(a, x) }
}

/// `log(1 + t) - t`, accurate for small t.
fn log1pmx(t: f64) -> f64 {
    if t.abs() > 0.25 {
        return t.ln_1p() - t;
    }
    // -t^2/2 + t^3/3 - t^4/4 + ...: term n is (-1)^(n+1) t^n.
    let mut term = t;
    let mut sum = 0.0;
    for n in 2..200 {
        term *= -t;
        let add = term / n as f64;
        sum += add;
        if add.abs() <= f64::EPSILON * sum.abs() {
            break;
        }
    }
    sum
}

/// R's `ppois_asymp(x, lambda, lower_tail = FALSE)`: Poisson P(X > x) for real x near lambda,
/// from the Temme-type expansion in R's pgamma.c (7 terms); equals P(a = x + 1, lambda).
fn ppois_asymp_upper(x: f64, lambda: f64) -> f64 {
    const COEFS_A: [f64; 8] = [
        0.0,
        2.0 / 3.0,
        -4.0 / 135.0,
        8.0 / 2835.0,
        16.0 / 8505.0,
        -8992.0 / 12629925.0,
        -334144.0 / 492567075.0,
        698752.0 / 1477701225.0,
    ];
    const COEFS_B: [f64; 8] = [
        0.0,
        1.0 / 12.0,
        1.0 / 288.0,
        -139.0 / 51840.0,
        -571.0 / 2488320.0,
        163879.0 / 209018880.0,
        5246819.0 / 75246796800.0,
        -534703531.0 / 902961561600.0,
    ];
    let dfm = lambda - x;
    let pt = -log1pmx(dfm / x);
    let mut s2pt = (2.0 * x * pt).sqrt();
    if dfm < 0.0 {
        s2pt = -s2pt;
    }
    let mut res12 = 0.0;
    let mut res1_term = x.sqrt();
    let mut res1_ig = res1_term;
    let mut res2_term = s2pt;
    let mut res2_ig = s2pt;
    for i in 1..8 {
        res12 += res1_ig * COEFS_A[i];
        res12 += res2_ig * COEFS_B[i];
        res1_term *= pt / i as f64;
        res2_term *= 2.0 * pt / (2 * i + 1) as f64;
        res1_ig = res1_ig / x + res1_term;
        res2_ig = res2_ig / x + res2_term;
    }
    let mut elfb = x;
    let mut elfb_term = 1.0;
    for b in &COEFS_B[1..] {
        elfb += elfb_term * b;
        elfb_term /= x;
    }
    // Upper tail: elfb changes sign and the normal term is the lower tail.
    let f = res12 / -elfb;
    let np = pnorm(s2pt);
    let nd = (-0.5 * s2pt * s2pt).exp() / (2.0 * std::f64::consts::PI).sqrt();
    np + f * nd
}

/// R's `qgamma(p, shape, scale = scale)`: Halley's method on the regularised incomplete gamma
/// function from the Wilson–Hilferty approximation, safeguarded by bisection, to ~1e-15.
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
    GammaQuantile::new(shape).standard(p, qnorm(p)) * scale
}

/// Quantiles of one gamma distribution (shape > 0, scale 1), with ln Gamma(shape) computed once.
pub struct GammaQuantile {
    a: f64,
    lg: f64,
}

impl GammaQuantile {
    pub fn new(shape: f64) -> Self {
        GammaQuantile { a: shape, lg: ln_gamma(shape) }
    }

    /// The p quantile for 0 < p < 1, given `z = qnorm(p)` for the starting value.
    pub fn standard(&self, p: f64, z: f64) -> f64 {
        let (a, lg) = (self.a, self.lg);
        // Wilson–Hilferty start, or the small-x expansion P(a,x) ~ x^a / Gamma(a+1).
        let c = 1.0 / (9.0 * a);
        let wh = a * (1.0 - c + z * c.sqrt()).powi(3);
        let mut x = if wh > 0.0 && wh.is_finite() { wh } else { ((p.ln() + ln_gamma(a + 1.0)) / a).exp() };
        if x <= 0.0 || !x.is_finite() {
            x = f64::MIN_POSITIVE;
        }
        let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
        for _ in 0..200 {
            let f = gamma_p(a, x) - p;
            if f == 0.0 {
                break;
            }
            if f < 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            // f' is the gamma density; f''/f' = (a - 1)/x - 1.
            let dens = ((a - 1.0) * x.ln() - x - lg).exp();
            let newton = f / dens;
            let step = newton / (1.0 - 0.5 * newton * ((a - 1.0) / x - 1.0)).max(0.5);
            // Halley's method converges cubically: once a step is below 1e-7 relative, the error
            // left after it is far below 1e-15 and no further evaluation is needed.
            if step.abs() <= 1e-7 * x {
                let next = x - step;
                if next >= lo && next <= hi {
                    x = next;
                }
                break;
            }
            let mut next = x - step;
            if !(next > lo && next < hi && next.is_finite()) {
                next = if hi.is_finite() { 0.5 * (lo + hi) } else { 2.0 * x.max(lo) };
            }
            x = next;
            if hi.is_finite() && hi - lo <= 1e-15 * hi {
                break;
            }
        }
        x
    }
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

// Reference values are R's output printed with 17 significant digits, kept verbatim.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
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
    fn normal_distribution_matches_r() {
        let cases = [
            (-8.0, 6.22096057427178486e-16),
            (-3.5, 2.32629079035524936e-04),
            (-3.0, 1.34989803163009458e-03),
            (-1.0, 1.58655253931457046e-01),
            (-0.5, 3.08537538725986937e-01),
            (0.0, 5.00000000000000000e-01),
            (0.3, 6.17911422188952675e-01),
            (1.7, 9.55434537241456994e-01),
            (2.0, 9.77249868051820791e-01),
            (3.2, 9.99312862062084140e-01),
            (6.0, 9.99999999013412300e-01),
        ];
        for (x, want) in cases {
            assert!(close(pnorm(x), want, 1e-14), "pnorm({x}) = {:e}, R {want:e}", pnorm(x));
        }
        for (p, want) in [
            (0.6, 2.53347103135799778e-01),
            (0.9, 1.28155156554460081),
            (0.999999, 4.75342430881708911),
            (1e-10, -6.36134090240405570),
        ] {
            assert!(close(qnorm(p), want, 1e-14), "qnorm({p}) = {}", qnorm(p));
        }
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
    fn large_shape_gamma_matches_r() {
        // pgamma(c(990, 1000, 1010, 1100), 1000); pgamma(c(35, 40, 48), 41); pgamma(30000, 30050)
        let cases = [
            (990.0, 1000.0, 0.37952137853796397),
            (1000.0, 1000.0, 0.50420524418021551),
            (1010.0, 1000.0, 0.6276789447369947),
            (1100.0, 1000.0, 0.99894067674607001),
            (35.0, 41.0, 0.17506194534761649),
            (40.0, 41.0, 0.45808182163746297),
            (48.0, 41.0, 0.86168728007307394),
            (30000.0, 30050.0, 0.38718180252462481),
        ];
        for (x, a, want) in cases {
            assert!(close(pgamma(x, a, 1.0), want, 1e-13), "pgamma({x}, {a}) = {}", pgamma(x, a, 1.0));
        }
        // qgamma(c(0.025, 0.5, 0.975), 35001, scale = 0.0003); R's qgamma stops at ~1e-13.
        assert!(close(qgamma(0.025, 35001.0, 0.0003), 10.390580143780815, 1e-12));
        assert!(close(qgamma(0.5, 35001.0, 0.0003), 10.500200000169308, 1e-12));
        assert!(close(qgamma(0.975, 35001.0, 0.0003), 10.610588146815923, 1e-12));
    }

    /// The asymptotic expansion R uses near the mean: R's values for a = 333, and statrs'
    /// convergent series for moderate a (its own rounding grows with a).
    #[test]
    fn asymptotic_region_matches_r() {
        // pgamma(333 + c(-6,-3,-1,-0.3,0,0.2,1,2.5,6)*sqrt(333), 333)
        let want = [
            5.1036549641606087e-12,
            0.00077890167395387895,
            0.15852922785977991,
            0.38844779191580492,
            0.50728742152696094,
            0.58610047473235782,
            0.8414613174329767,
            0.9920725366108657,
            0.99999997662125162,
        ];
        for (z, w) in [-6.0, -3.0, -1.0, -0.3, 0.0, 0.2, 1.0, 2.5, 6.0].into_iter().zip(want) {
            let x = 333.0 + z * 333.0f64.sqrt();
            // statrs' series (used away from the mean) loses ~1e-13 to cancellation at this a.
            assert!(close(gamma_p(333.0, x), w, 1e-12), "z {z}: {} vs R {w}", gamma_p(333.0, x));
        }
        for a in [40.0, 55.5, 100.0] {
            for z in [-3.0, -1.0, 0.0, 0.2, 1.0, 2.5] {
                let x: f64 = a + z * f64::sqrt(a);
                assert!((gamma_p(a, x) - gamma_lr(a, x)).abs() < 1e-14, "a {a} x {x}");
            }
        }
    }

    /// qgamma inverts pgamma to ~1e-12 relative everywhere: P brackets p at x(1 -+ 1e-12).
    #[test]
    fn qgamma_inverts_pgamma() {
        for a in [0.3, 1.0, 2.5, 13.0, 100.0, 1000.0, 35001.0] {
            for p in [1e-6, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 1.0 - 1e-6] {
                let x = qgamma(p, a, 1.0);
                let (below, above) = (pgamma(x * (1.0 - 1e-12), a, 1.0), pgamma(x * (1.0 + 1e-12), a, 1.0));
                assert!(below <= p && p <= above, "a {a} p {p}: x {x}, P {below} .. {above}");
            }
        }
    }

    #[test]
    fn log1pmx_is_accurate() {
        for t in [1e-8f64, -1e-4, 0.01, 0.2, -0.24, 0.3, 2.0, -0.9] {
            let want = if t.abs() < 0.01 { -t * t / 2.0 + t * t * t / 3.0 - t.powi(4) / 4.0 } else { t.ln_1p() - t };
            assert!(close(log1pmx(t), want, 1e-12), "{t}");
        }
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
