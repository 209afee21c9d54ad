//! Random variates the generators need, written here so that a seed gives the same data on
//! every version of every dependency: uniform numbers come from `rand`'s ChaCha8 stream, the
//! transformations below are ours and fixed.

use rand::Rng;

/// A standard normal variate (Box–Muller, one of the pair).
pub fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A lognormal variate `exp(meanlog + sdlog * Z)`.
pub fn lognormal<R: Rng + ?Sized>(rng: &mut R, meanlog: f64, sdlog: f64) -> f64 {
    (meanlog + sdlog * normal(rng)).exp()
}

/// A gamma variate with `shape > 0` and scale 1 (Marsaglia and Tsang 2000; for shape < 1,
/// `Gamma(shape + 1) * U^(1/shape)`). A shape that is not positive gives 0.
pub fn gamma<R: Rng + ?Sized>(rng: &mut R, shape: f64) -> f64 {
    if shape <= 0.0 || shape.is_nan() {
        return 0.0;
    }
    if shape < 1.0 {
        let u: f64 = 1.0 - rng.random::<f64>();
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u: f64 = 1.0 - rng.random::<f64>();
        if u < 1.0 - 0.0331 * x.powi(4) || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// ln(k!) : exact sum below 10, Stirling's series above (error < 1e-10).
fn ln_factorial(k: f64) -> f64 {
    if k < 10.0 {
        (2..=k as u64).map(|i| (i as f64).ln()).sum()
    } else {
        let k2 = k * k;
        k * k.ln() - k + 0.5 * (std::f64::consts::TAU * k).ln() + 1.0 / (12.0 * k) - 1.0 / (360.0 * k * k2)
            + 1.0 / (1260.0 * k * k2 * k2)
    }
}

/// A Poisson variate: inversion by sequential search below a mean of 30, Hörmann's PTRS
/// (transformed rejection with squeeze, 1993) above.
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    if lambda <= 0.0 || lambda.is_nan() {
        return 0;
    }
    if lambda < 30.0 {
        let u: f64 = rng.random();
        let mut p = (-lambda).exp();
        let mut cdf = p;
        let mut k = 0u64;
        // The cap only guards against rounding when u is within 1e-15 of 1.
        while u > cdf && k < 1000 {
            k += 1;
            p *= lambda / k as f64;
            cdf += p;
        }
        return k;
    }
    let slam = lambda.sqrt();
    let loglam = lambda.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k as u64;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln() <= -lambda + k * loglam - ln_factorial(k) {
            return k as u64;
        }
    }
}

/// A negative binomial (Poisson–gamma) variate with the given mean and variance-to-mean ratio
/// `dispersion` (variance = dispersion × mean; 1 or less: Poisson).
pub fn neg_binomial<R: Rng + ?Sized>(rng: &mut R, mean: f64, dispersion: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if dispersion <= 1.0 {
        return poisson(rng, mean);
    }
    let scale = dispersion - 1.0;
    let lambda = gamma(rng, mean / scale) * scale;
    poisson(rng, lambda)
}

/// The modified Bessel function I0(x): the mean of exp(x cos θ) over a period.
pub fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..200 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn moments(xs: impl Iterator<Item = f64>) -> (f64, f64) {
        let v: Vec<f64> = xs.collect();
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (m, v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0))
    }

    #[test]
    fn poisson_has_its_mean_and_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for lambda in [0.01, 0.5, 4.0, 29.0, 31.0, 80.0, 1500.0] {
            let (m, v) = moments((0..200_000).map(|_| poisson(&mut rng, lambda) as f64));
            let se = (lambda / 200_000.0).sqrt();
            assert!((m - lambda).abs() < 5.0 * se, "lambda {lambda}: mean {m}");
            assert!((v / lambda - 1.0).abs() < 0.03, "lambda {lambda}: variance {v}");
        }
        // The lower tail of the rejection sampler: P(X < 30) = 0.000917 for lambda = 50.
        let p_small = (0..100_000).filter(|_| poisson(&mut rng, 50.0) < 30).count() as f64 / 1e5;
        assert!((p_small - 0.000_917).abs() < 0.0003, "P(X < 30 | 50) = {p_small}");
    }

    #[test]
    fn gamma_and_negative_binomial_moments() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for shape in [0.05, 0.7, 1.0, 3.5, 40.0] {
            let (m, v) = moments((0..200_000).map(|_| gamma(&mut rng, shape)));
            assert!((m / shape - 1.0).abs() < 0.03, "shape {shape}: mean {m}");
            assert!((v / shape - 1.0).abs() < 0.08, "shape {shape}: variance {v}");
        }
        for (mean, phi) in [(0.3, 2.0), (5.0, 1.5), (60.0, 3.0), (2.0, 1.0)] {
            let (m, v) = moments((0..200_000).map(|_| neg_binomial(&mut rng, mean, phi) as f64));
            assert!((m / mean - 1.0).abs() < 0.03, "mean {mean} phi {phi}: mean {m}");
            assert!((v / (phi * mean) - 1.0).abs() < 0.06, "mean {mean} phi {phi}: variance {v}");
        }
    }

    #[test]
    fn lognormal_median_and_i0() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let below = (0..100_000).filter(|_| lognormal(&mut rng, 0.0, 0.5) < 1.0).count() as f64 / 1e5;
        assert!((below - 0.5).abs() < 0.01);
        assert_eq!(bessel_i0(0.0), 1.0);
        assert!((bessel_i0(1.0) - 1.266_065_877_752_008_4).abs() < 1e-14);
        assert!((bessel_i0(0.7) - 1.126_303_018_306_809).abs() < 1e-12);
        assert!((ln_factorial(12.0) - 479_001_600f64.ln()).abs() < 1e-10);
    }
}
