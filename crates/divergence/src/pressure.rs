//! Pointwise mode-covering pressure ψ(x) = −δD/δq(x) (SPEC §3), in log space.

use crate::divergences::{eval, Divergence};
use crate::integrals::{Anchors, Pair};
use crate::quad::Tol;
use crate::rows::ksd_pressure::ksd_pressure_grid;
use crate::target::{Gaussian, Target};

/// (x0, dx) when `xs` holds two or more points x0 + i·dx (dx > 0) to rounding: where KSD's
/// pressure is one FFT for every x (single points take quadrature).
fn uniform_step(xs: &[f64]) -> Option<(f64, f64)> {
    let (&x0, &last) = (xs.first()?, xs.last()?);
    if xs.len() < 2 {
        return None;
    }
    let dx = (last - x0) / (xs.len() - 1) as f64;
    let tol = 1e-9 * (x0.abs().max(last.abs()) + dx);
    (dx > 0.0
        && dx.is_finite()
        && (xs.iter().enumerate()).all(|(i, &x)| (x - (x0 + i as f64 * dx)).abs() <= tol))
    .then_some((x0, dx))
}

/// ψ as a function of ln r = ln(p/q) for the divergences where it is one (SPEC §3's table;
/// `norm` is BC for Bhattacharyya and ∫p^a q^(1−a) for Rényi); None for `fisher`, `mmd` and
/// `ksd`, whose pressure is not a function of r.
pub fn pressure_of_ratio(div: &Divergence, d: f64, norm: f64) -> Option<f64> {
    Some(match *div {
        Divergence::ForwardKl => d.exp_m1(),
        Divergence::ReverseKl => d,
        Divergence::JensenShannon => {
            0.5 * (d.max(0.0) + (-d.abs()).exp().ln_1p() - std::f64::consts::LN_2)
        }
        Divergence::Hellinger => 0.5 * (0.5 * d).exp_m1(),
        Divergence::Bhattacharyya => (0.5 * d).exp_m1() / (2.0 * norm),
        Divergence::TotalVariation => 0.5 * if d == 0.0 { 0.0 } else { d.signum() },
        Divergence::PearsonChi2 => (2.0 * d).exp_m1(),
        Divergence::NeymanChi2 => -2.0 * (-d).exp_m1(),
        Divergence::Amari { alpha } => {
            let b = 0.5 * (1.0 + alpha);
            if b == 0.0 {
                d
            } else {
                (b * d).exp_m1() / b
            }
        }
        Divergence::Renyi { order } => (order * d).exp_m1() / norm,
        Divergence::Fisher | Divergence::Mmd { .. } | Divergence::Ksd { .. } => return None,
    })
}

/// The normaliser [`pressure_of_ratio`] needs at this (p, q).
pub fn pressure_norm(p: &Target, q: &Gaussian, div: &Divergence) -> f64 {
    match *div {
        Divergence::Bhattacharyya => (-eval(p, q, div)).exp(),
        Divergence::Renyi { order } if order != 1.0 => ((order - 1.0) * eval(p, q, div)).exp(),
        _ => 1.0,
    }
}

/// ψ(x) of `div` at each of `xs`, fixed to 0 where p = q for f-divergences. With
/// r = p/q = exp(ln p − ln q), tails where q underflows give the right large value or +inf.
///
/// # Examples
/// ```
/// use divergence::{pressure, Divergence, Gaussian, Target};
/// let p = Target::parse("1:0:1").unwrap();
/// let q = Gaussian::new(0.0, 2.0).unwrap();
/// // Forward KL: ψ = r − 1 with r = p/q (r = 2 at x = 0).
/// let psi = pressure(&p, &q, &Divergence::ForwardKl, &[0.0, 10.0]);
/// let r0 = p.log_pdf(0.0).exp() / q.log_pdf(0.0).exp();
/// assert!((psi[0] - (r0 - 1.0)).abs() < 1e-12);
/// assert!(psi[1] < 0.0); // deep in q's tail p is far lower still
/// ```
pub fn pressure(p: &Target, q: &Gaussian, div: &Divergence, xs: &[f64]) -> Vec<f64> {
    if let Divergence::Ksd { c, beta } = *div {
        if let Some(v) =
            uniform_step(xs).and_then(|(x0, dx)| ksd_pressure_grid(p, q, c, beta, x0, dx, xs.len()))
        {
            return v
                .into_iter()
                .map(|v| if v.is_nan() { f64::INFINITY } else { v })
                .collect();
        }
    }
    let norm = pressure_norm(p, q, div);
    let pair = matches!(div, Divergence::Ksd { .. }).then(|| Pair::new(p, *q, Anchors::Exact));
    let ksd_breaks = pair.as_ref().map(|pr| pr.breaks(&[], |x| pr.lq(x)));
    xs.iter()
        .map(|&x| {
            let d = p.log_pdf(x) - q.log_pdf(x);
            let v = match *div {
                Divergence::Fisher => {
                    // −δF/δq = s_q² + 2s_q′ − s_p² − 2s_p′, zero everywhere when q = p.
                    let sq = -(x - q.mu) / (q.sigma * q.sigma);
                    let (_, sp, dsp) = p.log_pdf_derivs(x);
                    sq * sq - 2.0 / (q.sigma * q.sigma) - sp * sp - 2.0 * dsp
                }
                Divergence::Mmd { bandwidth: l } => {
                    let k = |m: f64, s: f64| {
                        let v = l * l + s * s;
                        l / v.sqrt() * (-(x - m) * (x - m) / (2.0 * v)).exp()
                    };
                    let ep: f64 = p
                        .components()
                        .iter()
                        .map(|c| c.weight * k(c.mean, c.std))
                        .sum();
                    2.0 * (ep - k(q.mu, q.sigma))
                }
                Divergence::Ksd { c, beta } => {
                    let (Some(pr), Some(br)) = (&pair, &ksd_breaks) else {
                        unreachable!("set for ksd above")
                    };
                    let (_, sx, _) = p.log_pdf_derivs(x);
                    -2.0 * pr.ksd_inner(x, sx, c, beta, br, Tol::EXACT)
                }
                _ => pressure_of_ratio(div, d, norm).unwrap_or(f64::NAN),
            };
            if v.is_nan() {
                f64::INFINITY
            } else {
                v
            }
        })
        .collect()
}
