//! Poisson / quasi-Poisson GLM with log link, fitted by iteratively reweighted least squares
//! exactly as R's `glm.fit`: start at `mu = y + 0.1`, stop when the deviance changes by less than
//! `1e-8` relative (`|dev - devold| / (|dev| + 0.1)`), at most 25 iterations, step halving when
//! the deviance is not finite. The working weights, covariance and hat values are those of the
//! last weighted least-squares step, as in R (`fit$weights`, `summary.glm`, `hatvalues`).
//!
//! The design is a set of dense columns plus an optional factor coded with treatment contrasts
//! (the first level is the base), which is all the surveillance methods need. The normal
//! equations are solved by Cholesky decomposition; callers centre continuous covariates (e.g.
//! `wtime - k`), which leaves fitted values, dispersion, hat values and t statistics of slopes
//! unchanged while keeping the system well conditioned.

use nalgebra::{DMatrix, DVector};

const MAXIT: usize = 25;
const EPSILON: f64 = 1e-8;

/// A factor with treatment contrasts: `level[i]` in `0..levels`, level 0 is the base.
#[derive(Clone, Debug)]
pub(crate) struct Factor {
    pub level: Vec<usize>,
    pub levels: usize,
}

/// A design matrix: dense columns (including the intercept column of ones) and an optional
/// factor whose `levels - 1` dummy columns come after the dense columns.
#[derive(Clone, Debug)]
pub(crate) struct Design {
    pub columns: Vec<Vec<f64>>,
    pub factor: Option<Factor>,
}

impl Design {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    pub fn dense(&self) -> usize {
        self.columns.len()
    }

    /// Number of coefficients.
    pub fn params(&self) -> usize {
        self.dense() + self.factor.as_ref().map_or(0, |f| f.levels - 1)
    }

    /// Coefficient index of the dummy for observation `i`, if it has one.
    fn dummy(&self, i: usize) -> Option<usize> {
        let f = self.factor.as_ref()?;
        let l = f.level[i];
        (l > 0).then(|| self.dense() + l - 1)
    }

    /// The same design without dense column `j` (R's fallback "without time trend").
    pub fn without_column(&self, j: usize) -> Design {
        let mut columns = self.columns.clone();
        columns.remove(j);
        Design { columns, factor: self.factor.clone() }
    }
}

/// The response with the quantities every fit needs, computed once per data set:
/// `log(y + 0.1)` (R's starting values), `y log y` (deviance) and `y^(2/3)` (Anscombe residuals).
pub(crate) struct Response {
    pub y: Vec<f64>,
    start_eta: Vec<f64>,
    ylogy: Vec<f64>,
    y23: Vec<f64>,
}

impl Response {
    pub fn new(y: &[f64]) -> Self {
        Response {
            y: y.to_vec(),
            start_eta: y.iter().map(|&v| (v + 0.1).ln()).collect(),
            ylogy: y.iter().map(|&v| if v > 0.0 { v * v.ln() } else { 0.0 }).collect(),
            y23: y.iter().map(|&v| v.powf(2.0 / 3.0)).collect(),
        }
    }
}

/// A new observation to predict: values of the dense columns and the factor level.
pub(crate) struct NewRow<'a> {
    pub dense: &'a [f64],
    pub level: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GlmError {
    /// The design has (numerically) dependent columns.
    RankDeficient,
    /// Non-finite coefficients or deviance that step halving could not repair.
    Diverged,
    /// Prior weights must be finite and positive.
    BadWeights,
}

#[derive(Clone, Debug)]
pub(crate) struct GlmFit {
    pub coefficients: Vec<f64>,
    /// Fitted means.
    pub fitted: Vec<f64>,
    /// R's `fit$weights`: prior weight times mu, from the last weighted least-squares step.
    pub working_weights: Vec<f64>,
    /// R's `fit$residuals`: (y - mu) / mu.
    pub working_residuals: Vec<f64>,
    /// (X' W X)^-1 of the last step (R's `cov.unscaled`).
    pub cov_unscaled: DMatrix<f64>,
    pub df_residual: usize,
    pub converged: bool,
    #[allow(dead_code)]
    pub iterations: usize,
    #[allow(dead_code)]
    pub deviance: f64,
}

fn linkinv(eta: f64) -> f64 {
    eta.exp().max(f64::EPSILON)
}

fn linear_predictor(design: &Design, beta: &[f64], eta: &mut [f64]) {
    eta.iter_mut().for_each(|e| *e = 0.0);
    for (b, col) in beta.iter().zip(&design.columns) {
        for (e, x) in eta.iter_mut().zip(col) {
            *e += b * x;
        }
    }
    if let Some(f) = &design.factor {
        // Coefficient of each level (0 for the base level), added without branching.
        let q = design.dense();
        let mut level_coef = vec![0.0; f.levels];
        level_coef[1..].copy_from_slice(&beta[q..q + f.levels - 1]);
        for (e, &g) in eta.iter_mut().zip(&f.level) {
            *e += level_coef[g];
        }
    }
}

/// The weighted normal equations X'WX b = X'Wz, factorised in place (lower Cholesky factor,
/// row-major). Reused across iterations to avoid allocation.
struct Normal {
    p: usize,
    a: Vec<f64>,
    rhs: Vec<f64>,
    diag: Vec<f64>,
    level_sums: Vec<f64>,
}

impl Normal {
    fn new(p: usize) -> Self {
        Normal { p, a: vec![0.0; p * p], rhs: vec![0.0; p], diag: vec![0.0; p], level_sums: Vec::new() }
    }

    /// Accumulates X'WX (lower triangle) and X'Wz, exploiting the one-hot factor columns: the
    /// dummy blocks are per-level sums.
    fn accumulate(&mut self, design: &Design, w: &[f64], z: &[f64]) {
        let p = self.p;
        let q = design.dense();
        let cols = &design.columns;
        self.a.iter_mut().for_each(|v| *v = 0.0);
        self.rhs.iter_mut().for_each(|v| *v = 0.0);
        // Dense block: column pairs, each a straight pass over the rows.
        for j in 0..q {
            let cj = &cols[j][..w.len()];
            self.rhs[j] = cj.iter().zip(w).zip(z).map(|((x, w), z)| x * w * z).sum();
            for (k, ck) in cols.iter().enumerate().take(j + 1) {
                self.a[j * p + k] = cj.iter().zip(ck).zip(w).map(|((a, b), w)| a * b * w).sum();
            }
        }
        // Factor block: per-level sums of w, w*z and w*x_j (level 0, the base, is summed and
        // then ignored, which keeps the loop free of branches).
        if let Some(f) = &design.factor {
            let levels = f.levels;
            self.level_sums.clear();
            self.level_sums.resize(levels * (q + 2), 0.0);
            let sums = &mut self.level_sums;
            for (&g, (&wi, &zi)) in f.level.iter().zip(w.iter().zip(z)) {
                sums[g] += wi;
                sums[levels + g] += wi * zi;
            }
            for (j, c) in cols.iter().enumerate() {
                let block = &mut sums[(2 + j) * levels..(3 + j) * levels];
                for ((&g, &wi), &x) in f.level.iter().zip(w).zip(c) {
                    block[g] += wi * x;
                }
            }
            for g in 1..levels {
                let d = q + g - 1;
                self.a[d * p + d] = sums[g];
                self.rhs[d] = sums[levels + g];
                for j in 0..q {
                    self.a[d * p + j] = sums[(2 + j) * levels + g];
                }
            }
        }
    }

    /// Cholesky factorisation in place; refuses (numerically) singular systems.
    fn factorise(&mut self) -> Result<(), GlmError> {
        let p = self.p;
        let a = &mut self.a;
        for j in 0..p {
            self.diag[j] = a[j * p + j];
        }
        for j in 0..p {
            let mut d = a[j * p + j];
            for k in 0..j {
                d -= a[j * p + k] * a[j * p + k];
            }
            if d.is_nan() || d <= 1e-20 * self.diag[j] || d.is_infinite() {
                return Err(GlmError::RankDeficient);
            }
            let ljj = d.sqrt();
            a[j * p + j] = ljj;
            for i in j + 1..p {
                let mut s = a[i * p + j];
                for k in 0..j {
                    s -= a[i * p + k] * a[j * p + k];
                }
                a[i * p + j] = s / ljj;
            }
        }
        Ok(())
    }

    /// Solves L L' x = b in place.
    fn solve_in_place(&self, b: &mut [f64]) {
        let (p, l) = (self.p, &self.a);
        for i in 0..p {
            let mut s = b[i];
            for k in 0..i {
                s -= l[i * p + k] * b[k];
            }
            b[i] = s / l[i * p + i];
        }
        for i in (0..p).rev() {
            let mut s = b[i];
            for k in i + 1..p {
                s -= l[k * p + i] * b[k];
            }
            b[i] = s / l[i * p + i];
        }
    }

    fn solve(&self) -> Vec<f64> {
        let mut b = self.rhs.clone();
        self.solve_in_place(&mut b);
        b
    }

    /// (X'WX)^-1 from the factor.
    fn inverse(&self) -> DMatrix<f64> {
        let p = self.p;
        let mut inv = DMatrix::zeros(p, p);
        let mut e = vec![0.0; p];
        for j in 0..p {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[j] = 1.0;
            self.solve_in_place(&mut e);
            for i in 0..p {
                inv[(i, j)] = e[i];
            }
        }
        inv
    }
}

/// Fits a Poisson GLM with log link like R's `glm.fit(x, y, weights, family = poisson())`
/// (`quasipoisson()` gives the same fit; only the dispersion differs, see [`GlmFit::dispersion`]).
pub(crate) fn poisson_log(design: &Design, response: &Response, prior: Option<&[f64]>) -> Result<GlmFit, GlmError> {
    let y = &response.y[..];
    let ylogy = &response.ylogy[..];
    let n = y.len();
    debug_assert_eq!(design.rows(), n);
    let ones;
    let wt: &[f64] = match prior {
        Some(w) => {
            if w.iter().any(|&v| !(v.is_finite() && v > 0.0)) {
                return Err(GlmError::BadWeights);
            }
            w
        }
        None => {
            ones = vec![1.0; n];
            &ones
        }
    };
    // The deviance needs no logarithm per iteration:
    // y log(y / mu) = y log(y) - y eta wherever mu = exp(eta) is not clamped.
    // mu = linkinv(eta) and the deviance in one pass; NaN when some mu is not finite and
    // positive (R's validmu), which sends the caller into step halving like a non-finite deviance.
    let update = |eta: &[f64], mu: &mut [f64]| -> f64 {
        let mut d = 0.0;
        let mut valid = true;
        for ((((m, &e), &yi), &yl), &w) in mu.iter_mut().zip(eta).zip(y).zip(ylogy).zip(wt) {
            let v = linkinv(e);
            *m = v;
            valid &= v.is_finite();
            d += if yi > 0.0 {
                let ylog = if v > f64::EPSILON { yl - yi * e } else { yi * (yi / v).ln() };
                w * (ylog - (yi - v))
            } else {
                v * w
            };
        }
        if valid { 2.0 * d } else { f64::NAN }
    };
    let mut eta: Vec<f64> = response.start_eta.clone();
    let mut mu = vec![0.0; n];
    let mut devold = update(&eta, &mut mu);
    let mut coefold: Option<Vec<f64>> = None;
    let mut z = vec![0.0; n];
    let mut w2 = vec![0.0; n];
    let mut converged = false;
    let mut iterations = 0;
    let mut beta = Vec::new();
    let mut normal = Normal::new(design.params());
    let mut dev = devold;
    for iter in 1..=MAXIT {
        iterations = iter;
        // For the log link mu.eta(eta) = linkinv(eta) = mu and variance(mu) = mu, so R's
        // z = eta + (y - mu)/mu.eta and w^2 = weights * mu.eta^2 / variance = weights * mu.
        for i in 0..n {
            z[i] = eta[i] + (y[i] - mu[i]) / mu[i];
            w2[i] = wt[i] * mu[i];
        }
        normal.accumulate(design, &w2, &z);
        normal.factorise()?;
        beta = normal.solve();
        if beta.iter().any(|v| !v.is_finite()) {
            return Err(GlmError::Diverged);
        }
        linear_predictor(design, &beta, &mut eta);
        dev = update(&eta, &mut mu);
        if !dev.is_finite() {
            let Some(old) = coefold.as_ref() else { return Err(GlmError::Diverged) };
            let mut tries = 0;
            while !dev.is_finite() {
                tries += 1;
                if tries > MAXIT {
                    return Err(GlmError::Diverged);
                }
                for (b, o) in beta.iter_mut().zip(old) {
                    *b = (*b + o) / 2.0;
                }
                linear_predictor(design, &beta, &mut eta);
                dev = update(&eta, &mut mu);
            }
        }
        if (dev - devold).abs() / (0.1 + dev.abs()) < EPSILON {
            converged = true;
            break;
        }
        devold = dev;
        coefold = Some(beta.clone());
    }
    let working_residuals: Vec<f64> = (0..n).map(|i| (y[i] - mu[i]) / mu[i]).collect();
    Ok(GlmFit {
        coefficients: beta,
        fitted: mu,
        working_weights: w2,
        working_residuals,
        cov_unscaled: normal.inverse(),
        df_residual: n.saturating_sub(design.params()),
        converged,
        iterations,
        deviance: dev,
    })
}

impl GlmFit {
    /// `summary.glm(fit)$dispersion` for a quasi family, given the weights stored in the
    /// model object (R's `object$weights`: the working weights, unless a caller replaced them).
    pub fn dispersion_with(&self, weights: &[f64]) -> f64 {
        if self.df_residual == 0 {
            return f64::NAN;
        }
        let s: f64 =
            weights.iter().zip(&self.working_residuals).filter(|(w, _)| **w > 0.0).map(|(w, r)| w * r * r).sum();
        s / self.df_residual as f64
    }

    /// `summary.glm(fit)$dispersion`: Pearson's statistic over the residual degrees of freedom.
    pub fn dispersion(&self) -> f64 {
        self.dispersion_with(&self.working_weights)
    }

    /// R's `hatvalues(fit)`: diagonal of the hat matrix of the last weighted step.
    pub fn hat_values(&self, design: &Design) -> Vec<f64> {
        let q = design.dense();
        let c = &self.cov_unscaled;
        (0..design.rows())
            .map(|i| {
                let mut s = 0.0;
                for j in 0..q {
                    let xj = design.columns[j][i];
                    for k in 0..q {
                        s += xj * c[(j, k)] * design.columns[k][i];
                    }
                }
                if let Some(d) = design.dummy(i) {
                    for j in 0..q {
                        s += 2.0 * c[(d, j)] * design.columns[j][i];
                    }
                    s += c[(d, d)];
                }
                let h = self.working_weights[i] * s;
                if h > 1.0 - 10.0 * f64::EPSILON { 1.0 } else { h }
            })
            .collect()
    }

    fn row_vector(&self, design: &Design, row: &NewRow) -> DVector<f64> {
        let p = design.params();
        let mut x = DVector::zeros(p);
        for (j, v) in row.dense.iter().enumerate() {
            x[j] = *v;
        }
        if row.level > 0 {
            x[design.dense() + row.level - 1] = 1.0;
        }
        x
    }

    /// Linear predictor and its unscaled variance x0' (X'WX)^-1 x0 at a new row.
    pub fn predict_link(&self, design: &Design, row: &NewRow) -> (f64, f64) {
        let x = self.row_vector(design, row);
        let eta: f64 = x.iter().zip(&self.coefficients).map(|(a, b)| a * b).sum();
        let var = (x.transpose() * &self.cov_unscaled * &x)[(0, 0)];
        (eta, var)
    }

    /// `summary.glm(fit, dispersion)$coefficients[j, ]`: the t statistic of coefficient `j`.
    pub fn t_value(&self, j: usize, dispersion: f64) -> f64 {
        self.coefficients[j] / (dispersion * self.cov_unscaled[(j, j)]).sqrt()
    }

    /// Anscombe residuals as `surveillance:::anscombe.residuals(m, phi)`.
    pub fn anscombe_residuals(&self, design: &Design, response: &Response, phi: f64) -> Vec<f64> {
        let h = self.hat_values(design);
        response
            .y23
            .iter()
            .zip(&self.fitted)
            .zip(&h)
            .map(|((&y23, &mu), &h)| {
                let a = 1.5 * (y23 * mu.powf(-1.0 / 6.0) - mu.sqrt());
                a / (phi * (1.0 - h)).sqrt()
            })
            .collect()
    }
}

/// `surveillance:::algo.farrington.assign.weights(s, weightsThreshold)`: down-weights
/// observations with Anscombe residuals above the threshold.
pub(crate) fn assign_weights(s: &[f64], threshold: f64) -> Vec<f64> {
    let denom: f64 = s.iter().map(|&v| if v > threshold { v.powi(-2) } else { 1.0 }).sum();
    let gamma = s.len() as f64 / denom;
    s.iter().map(|&v| if v > threshold { gamma * v.powi(-2) } else { gamma }).collect()
}

// Reference values are R's output printed with 17 significant digits, kept verbatim.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    /// y = c(2, 3, 6, 7, 8, 9, 10, 12, 15), x = 1:9;
    /// m <- glm(y ~ x, family = quasipoisson); values from R 4.2.2.
    #[test]
    fn irls_matches_r_glm() {
        let y = [2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 15.0];
        let x: Vec<f64> = (1..=9).map(f64::from).collect();
        let design = Design { columns: vec![vec![1.0; 9], x], factor: None };
        let fit = poisson_log(&design, &Response::new(&y), None).unwrap();
        assert!(fit.converged);
        assert!(close(fit.coefficients[0], 0.98184503170316106, 1e-9), "{:?}", fit.coefficients);
        assert!(close(fit.coefficients[1], 0.19483767838527774, 1e-9), "{:?}", fit.coefficients);
        assert!(close(fit.dispersion(), 0.20793777128451871, 1e-9), "{}", fit.dispersion());
        assert!(close(fit.cov_unscaled[(1, 1)].sqrt(), 0.049176020151779319, 1e-8));
        assert!(close(fit.deviance, 1.5102729633137799, 1e-9), "{}", fit.deviance);
        let h = fit.hat_values(&design);
        assert!(close(h[0], 0.26010583380306662, 1e-8), "{h:?}");
        assert!(close(h[8], 0.49888688924086033, 1e-8), "{h:?}");
    }

    /// Centring a covariate changes the intercept but not the fit.
    #[test]
    fn centring_leaves_fit_unchanged() {
        let y = [2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 15.0];
        let x: Vec<f64> = (1..=9).map(|v| f64::from(v) + 500.0).collect();
        let xc: Vec<f64> = x.iter().map(|v| v - 509.0).collect();
        let a =
            poisson_log(&Design { columns: vec![vec![1.0; 9], x], factor: None }, &Response::new(&y), None).unwrap();
        let b =
            poisson_log(&Design { columns: vec![vec![1.0; 9], xc], factor: None }, &Response::new(&y), None).unwrap();
        for (u, v) in a.fitted.iter().zip(&b.fitted) {
            assert!(close(*u, *v, 1e-10));
        }
        assert!(close(a.coefficients[1], b.coefficients[1], 1e-10));
    }

    /// A factor with treatment contrasts equals dummy columns.
    #[test]
    fn factor_equals_dummy_columns() {
        let y = [1.0, 4.0, 2.0, 8.0, 3.0, 5.0, 0.0, 7.0];
        let level = vec![0, 1, 2, 1, 0, 2, 0, 1];
        let d1: Vec<f64> = level.iter().map(|&l| if l == 1 { 1.0 } else { 0.0 }).collect();
        let d2: Vec<f64> = level.iter().map(|&l| if l == 2 { 1.0 } else { 0.0 }).collect();
        let t: Vec<f64> = (0..8).map(f64::from).collect();
        let fa = Design { columns: vec![vec![1.0; 8], t.clone()], factor: Some(Factor { level, levels: 3 }) };
        let de = Design { columns: vec![vec![1.0; 8], t, d1, d2], factor: None };
        let a = poisson_log(&fa, &Response::new(&y), None).unwrap();
        let b = poisson_log(&de, &Response::new(&y), None).unwrap();
        for (u, v) in a.coefficients.iter().zip(&b.coefficients) {
            assert!(close(*u, *v, 1e-10));
        }
        for (u, v) in a.hat_values(&fa).iter().zip(&b.hat_values(&de)) {
            assert!(close(*u, *v, 1e-10));
        }
    }

    #[test]
    fn weights_follow_r() {
        // algo.farrington.assign.weights(c(0.5, 2, -1, 3), 1)
        let w = assign_weights(&[0.5, 2.0, -1.0, 3.0], 1.0);
        let gamma = 4.0 / (1.0 + 0.25 + 1.0 + 1.0 / 9.0);
        assert!(close(w[0], gamma, 1e-15) && close(w[1], gamma * 0.25, 1e-15) && close(w[3], gamma / 9.0, 1e-15));
    }

    #[test]
    fn collinear_design_is_refused() {
        let y = [1.0, 2.0, 3.0];
        let d = Design { columns: vec![vec![1.0; 3], vec![2.0; 3]], factor: None };
        assert_eq!(poisson_log(&d, &Response::new(&y), None).unwrap_err(), GlmError::RankDeficient);
    }
}
