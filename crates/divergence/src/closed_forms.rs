//! Closed forms: `pearson_chi2` as a double sum of Gaussian integrals, `mmd` from RBF kernel
//! means of Gaussians, and the Gaussian–mixture cross term E_p[ln q] with the entropy H(p)
//! behind forward KL's landscape. Each returns `[value, ∂/∂μ, ∂/∂σ]` where it has a gradient.

use crate::divergences::{eval_full, Derivatives, Divergence};
use crate::integrals::power_integral_finite;
use crate::quad::Tol;
use crate::target::{Gaussian, Target, LN_SQRT_2PI};

/// `pearson_chi2` in closed form: ∫p²/q − 1 as a double sum of Gaussian integrals.
pub(crate) fn pearson(p: &Target, q: &Gaussian, grad: bool) -> [f64; 3] {
    if !power_integral_finite(p, q, 2.0) {
        return [f64::INFINITY; 3];
    }
    let iq = 1.0 / (q.sigma * q.sigma);
    let cs = p.components();
    // ln of w_i w_j ∫ N_i N_j / q, and its derivatives
    let mut terms = Vec::with_capacity(cs.len() * cs.len());
    for ci in cs {
        for cj in cs {
            let (ai, aj) = (1.0 / (ci.std * ci.std), 1.0 / (cj.std * cj.std));
            let prec = ai + aj - iq;
            let quad = (ai * aj * (ci.mean - cj.mean).powi(2)
                - ai * iq * (ci.mean - q.mu).powi(2)
                - aj * iq * (cj.mean - q.mu).powi(2))
                / prec;
            let lt = ci.weight.ln() + cj.weight.ln() + q.sigma.ln()
                - ci.std.ln()
                - cj.std.ln()
                - 0.5 * prec.ln()
                - 0.5 * quad;
            // The product Gaussian's mean is m* = (ai mi + aj mj − iq μ)/prec; dlnT/dμ follows.
            let mstar = (ai * ci.mean + aj * cj.mean - iq * q.mu) / prec;
            let dmu = iq * (q.mu - mstar);
            // d/dσ through iq: dln T/dσ = 1/σ + (dln T/d iq)(−2/σ³)
            // and dlnT/dσ = E[1/σ − (x−μ)²/σ³] under the same product Gaussian.
            let e_sq = (mstar - q.mu).powi(2) + 1.0 / prec;
            let dsig = 1.0 / q.sigma - e_sq * iq / q.sigma;
            terms.push((lt, dmu, dsig));
        }
    }
    let top = terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
    let (mut s, mut g0, mut g1) = (0.0, 0.0, 0.0);
    for &(lt, d0, d1) in &terms {
        let w = (lt - top).exp();
        s += w;
        g0 += w * d0;
        g1 += w * d1;
    }
    let li = top + s.ln();
    let v = li.exp_m1();
    if !grad {
        return [v, 0.0, 0.0];
    }
    let i = li.exp();
    [v, i * g0 / s, i * g1 / s]
}

/// E k(X, Y) for X ∼ N(a, A²), Y ∼ N(b, B²) and the RBF kernel of bandwidth ℓ, with its
/// derivatives in b and B.
fn rbf_mean(a: f64, va: f64, b: f64, vb: f64, l: f64) -> [f64; 3] {
    let v = l * l + va + vb;
    let d = a - b;
    let k = l / v.sqrt() * (-0.5 * d * d / v).exp();
    // ∂/∂b, and ∂/∂vb (chain to ∂/∂B by the caller)
    [k, k * d / v, k * (-0.5 / v + 0.5 * d * d / (v * v))]
}

/// Squared MMD in closed form, with its gradient.
pub(crate) fn mmd(p: &Target, q: &Gaussian, l: f64) -> [f64; 3] {
    let cs = p.components();
    let vq = q.sigma * q.sigma;
    let mut epp = 0.0;
    for ci in cs {
        for cj in cs {
            epp += ci.weight
                * cj.weight
                * rbf_mean(ci.mean, ci.std * ci.std, cj.mean, cj.std * cj.std, l)[0];
        }
    }
    let (mut epq, mut d0, mut d1) = (0.0, 0.0, 0.0);
    for c in cs {
        let [k, kb, kv] = rbf_mean(c.mean, c.std * c.std, q.mu, vq, l);
        epq += c.weight * k;
        d0 += c.weight * kb;
        d1 += c.weight * kv * 2.0 * q.sigma;
    }
    let [eqq, _, kv] = rbf_mean(q.mu, vq, q.mu, vq, l);
    // E_qq depends on σ through both variances.
    let dqq = 2.0 * kv * 2.0 * q.sigma;
    [epp + eqq - 2.0 * epq, -2.0 * d0, dqq - 2.0 * d1]
}

/// Differential entropy H(p) = −∫ p ln p, to full precision.
pub fn entropy(p: &Target) -> f64 {
    // ∫ p ln p = KL(p‖q) + E_p[ln q] for any q; q = the moment match keeps KL small.
    let q = p.moment_match();
    let kl = eval_full(p, &q, &Divergence::ForwardKl, Tol::EXACT, Derivatives::None).value;
    -(kl + expected_log_q(p, &q))
}

/// E_p[ln q] in closed form.
pub fn expected_log_q(p: &Target, q: &Gaussian) -> f64 {
    let s = q.sigma;
    expected_log_q_from(p.mean(), p.variance(), q.mu, s.ln(), 0.5 / (s * s))
}

/// E_p[ln q] from p's mean and variance, q's μ, ln σ and 1/(2σ²).
pub(crate) fn expected_log_q_from(
    mean: f64,
    var: f64,
    mu: f64,
    ln_sigma: f64,
    half_precision: f64,
) -> f64 {
    let dm = mean - mu;
    -ln_sigma - LN_SQRT_2PI - (var + dm * dm) * half_precision
}
