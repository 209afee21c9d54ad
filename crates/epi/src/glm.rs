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

fn deviance(y: &[f64], mu: &[f64], wt: &[f64]) -> f64 {
    let mut d = 0.0;
    for i in 0..y.len() {
        d += if y[i] > 0.0 { wt[i] * (y[i] * (y[i] / mu[i]).ln() - (y[i] - mu[i])) } else { mu[i] * wt[i] };
    }
    2.0 * d
}

fn linear_predictor(design: &Design, beta: &[f64], eta: &mut [f64]) {
    let n = design.rows();
    for (i, e) in eta.iter_mut().enumerate().take(n) {
        let mut s = 0.0;
        for (j, col) in design.columns.iter().enumerate() {
            s += beta[j] * col[i];
        }
        if let Some(d) = design.dummy(i) {
            s += beta[d];
        }
        *e = s;
    }
}

/// Solves the weighted normal equations; returns (beta, (X'WX)^-1).
fn weighted_least_squares(design: &Design, w: &[f64], z: &[f64]) -> Result<(Vec<f64>, DMatrix<f64>), GlmError> {
    let p = design.params();
    let q = design.dense();
    let n = design.rows();
    let mut a = DMatrix::<f64>::zeros(p, p);
    let mut rhs = DVector::<f64>::zeros(p);
    let cols = &design.columns;
    for i in 0..n {
        let wi = w[i];
        let wz = wi * z[i];
        let dummy = design.dummy(i);
        for j in 0..q {
            let xj = cols[j][i];
            let wxj = wi * xj;
            rhs[j] += xj * wz;
            for k in 0..=j {
                a[(j, k)] += wxj * cols[k][i];
            }
            if let Some(d) = dummy {
                a[(d, j)] += wxj;
            }
        }
        if let Some(d) = dummy {
            a[(d, d)] += wi;
            rhs[d] += wz;
        }
    }
    // Symmetrise (only the lower triangle was accumulated).
    for j in 0..p {
        for k in 0..j {
            a[(k, j)] = a[(j, k)];
        }
    }
    let diag: Vec<f64> = (0..p).map(|j| a[(j, j)]).collect();
    let chol = a.cholesky().ok_or(GlmError::RankDeficient)?;
    let l = chol.l_dirty();
    for (j, &d) in diag.iter().enumerate() {
        let ljj = l[(j, j)];
        if !(d > 0.0) || ljj * ljj < 1e-20 * d {
            return Err(GlmError::RankDeficient);
        }
    }
    let beta = chol.solve(&rhs);
    let inv = chol.inverse();
    Ok((beta.iter().copied().collect(), inv))
}

/// Fits a Poisson GLM with log link like R's `glm.fit(x, y, weights, family = poisson())`
/// (`quasipoisson()` gives the same fit; only the dispersion differs, see [`GlmFit::dispersion`]).
pub(crate) fn poisson_log(design: &Design, y: &[f64], prior: Option<&[f64]>) -> Result<GlmFit, GlmError> {
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
    let mut eta: Vec<f64> = y.iter().map(|&v| (v + 0.1).ln()).collect();
    let mut mu: Vec<f64> = eta.iter().map(|&e| linkinv(e)).collect();
    let mut devold = deviance(y, &mu, wt);
    let mut coefold: Option<Vec<f64>> = None;
    let mut z = vec![0.0; n];
    let mut w2 = vec![0.0; n];
    let mut converged = false;
    let mut iterations = 0;
    let mut beta = Vec::new();
    let mut cov = DMatrix::zeros(0, 0);
    let mut dev = devold;
    for iter in 1..=MAXIT {
        iterations = iter;
        for i in 0..n {
            let mu_eta = linkinv(eta[i]);
            z[i] = eta[i] + (y[i] - mu[i]) / mu_eta;
            w2[i] = wt[i] * mu_eta * mu_eta / mu[i];
        }
        let (b, inv) = weighted_least_squares(design, &w2, &z)?;
        if b.iter().any(|v| !v.is_finite()) {
            return Err(GlmError::Diverged);
        }
        beta = b;
        cov = inv;
        linear_predictor(design, &beta, &mut eta);
        for i in 0..n {
            mu[i] = linkinv(eta[i]);
        }
        dev = deviance(y, &mu, wt);
        let valid = |mu: &[f64]| mu.iter().all(|m| m.is_finite() && *m > 0.0);
        if !dev.is_finite() || !valid(&mu) {
            let Some(old) = coefold.as_ref() else { return Err(GlmError::Diverged) };
            let mut tries = 0;
            while !dev.is_finite() || !valid(&mu) {
                tries += 1;
                if tries > MAXIT {
                    return Err(GlmError::Diverged);
                }
                for (b, o) in beta.iter_mut().zip(old) {
                    *b = (*b + o) / 2.0;
                }
                linear_predictor(design, &beta, &mut eta);
                for i in 0..n {
                    mu[i] = linkinv(eta[i]);
                }
                dev = deviance(y, &mu, wt);
            }
        }
        if (dev - devold).abs() / (0.1 + dev.abs()) < EPSILON {
            converged = true;
            break;
        }
        devold = dev;
        coefold = Some(beta.clone());
    }
    let working_residuals: Vec<f64> = (0..n).map(|i| (y[i] - mu[i]) / linkinv(eta[i])).collect();
    Ok(GlmFit {
        coefficients: beta,
        fitted: mu,
        working_weights: w2,
        working_residuals,
        cov_unscaled: cov,
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
    pub fn anscombe_residuals(&self, design: &Design, y: &[f64], phi: f64) -> Vec<f64> {
        let h = self.hat_values(design);
        y.iter()
            .zip(&self.fitted)
            .zip(&h)
            .map(|((&y, &mu), &h)| {
                let a = 1.5 * (y.powf(2.0 / 3.0) * mu.powf(-1.0 / 6.0) - mu.sqrt());
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

#[cfg(test)]
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
        let fit = poisson_log(&design, &y, None).unwrap();
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
        let a = poisson_log(&Design { columns: vec![vec![1.0; 9], x], factor: None }, &y, None).unwrap();
        let b = poisson_log(&Design { columns: vec![vec![1.0; 9], xc], factor: None }, &y, None).unwrap();
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
        let a = poisson_log(&fa, &y, None).unwrap();
        let b = poisson_log(&de, &y, None).unwrap();
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
        assert_eq!(poisson_log(&d, &y, None).unwrap_err(), GlmError::RankDeficient);
    }
}
