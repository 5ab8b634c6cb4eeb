//! Row forms that are sums of positive terms per cell on the tabulated x grid: Fisher =
//! E_q[(s_p − s_q)²] from the score table (three flops a point, no transcendental), and
//! Neyman χ² = ∫(q − p)²/p from the ln p table (no cancellation, unlike ∫q²/p − 1, and no
//! FFT, whose rounding would swamp cells next to 1/p's e^(x²/2s²) growth).

use super::{Phases, XGrid, REACH};
use crate::divergences::{eval_full, Derivatives, Divergence};
use crate::quad::Tol;
use crate::target::{Gaussian, Target, LN_SQRT_2PI};

/// A term at either end of a cell's sum above this share of the sum: the integrand reaches
/// past the table, and the cell is evaluated by quadrature instead.
const TAIL: f64 = 1e-16;

/// How far from μ the terms of ∫q²/p matter for μ in `mus`: q²/p decays in the tails with
/// precision a = 2/σ² − 1/s_max², centred off μ by |μ − m|/(s_max² a) for a widest
/// component m; +inf where the integral diverges (a ≤ 0, SPEC §2).
pub(super) fn neyman_reach(p: &Target, sigma: f64, mus: (f64, f64)) -> f64 {
    let s_max = p.max_std();
    let a = 2.0 / (sigma * sigma) - 1.0 / (s_max * s_max);
    if a <= 0.0 {
        return f64::INFINITY;
    }
    let shift = p
        .components()
        .iter()
        .filter(|c| c.std == s_max)
        .map(|c| (mus.0 - c.mean).abs().max((mus.1 - c.mean).abs()))
        .fold(0.0, f64::max)
        / (s_max * s_max * a);
    REACH * a.sqrt().recip().max(sigma) + shift
}

/// Fisher's table: the score of p.
#[derive(Clone, Debug)]
pub struct FisherTable {
    pub(super) x: XGrid,
    /// Points every `thin` x steps when the μ step is finer than accuracy needs.
    pub(super) thin: usize,
    pub(super) score: Phases,
}

/// Neyman χ²'s tables: ln p and p, and the target for cells past the table.
#[derive(Clone, Debug)]
pub struct NeymanTable {
    pub(super) x: XGrid,
    /// As for Fisher.
    pub(super) thin: usize,
    pub(super) ln_p: Phases,
    pub(super) p: Phases,
    pub(super) target: Target,
}

/// Row `sigma`'s trapezoid taps within `reach` of each μ: (t = (x − μ)/σ, x-table phase,
/// index of column 0 in that phase), and the spacing.
fn taps(x: &XGrid, thin: usize, sigma: f64, reach: f64) -> (f64, Vec<(f64, usize, usize)>) {
    let step = x.h * thin as f64;
    let m = ((reach / step).ceil() as usize).min(x.origin / thin);
    let taps = (0..=2 * m)
        .map(|k| {
            let first = x.origin + k * thin - m * thin;
            let t = (k as f64 - m as f64) * step / sigma;
            (t, first % x.stride, first / x.stride)
        })
        .collect();
    (step, taps)
}

impl FisherTable {
    /// Fisher along a row: Σ_k step·q(x_k)·(s_p(x_k) + (x_k − μ)/σ²)² per μ.
    pub(super) fn row(&self, sigma: f64, out: &mut [f64]) {
        let (step, taps) = taps(&self.x, self.thin, sigma, REACH * sigma);
        let log_c = -sigma.ln() - LN_SQRT_2PI;
        let nm = out.len();
        out.fill(0.0);
        for &(t, phase, at) in &taps {
            let w = step * (log_c - 0.5 * t * t).exp();
            let sq = t / sigma;
            let sp = &self.score[phase][at..at + nm];
            for (o, &s) in out.iter_mut().zip(sp) {
                let d = s + sq;
                *o += w * d * d;
            }
        }
    }
}

impl NeymanTable {
    /// Neyman χ² along a row: Σ_k step·(q − p)²/p, +inf where ∫q²/p diverges (SPEC §2).
    /// Each μ sums its own window: q's reach and that of q²/p's tails (see [`neyman_reach`]).
    pub(super) fn row(&self, sigma: f64, out: &mut [f64]) {
        let p = &self.target;
        let nm = out.len();
        let mu_at = |j: usize| self.x.mu0 + (j * self.x.stride) as f64 * self.x.h;
        let reach = neyman_reach(p, sigma, (mu_at(0), mu_at(nm - 1)));
        if reach.is_infinite() {
            out.fill(f64::INFINITY);
            return;
        }
        let (step, taps) = taps(&self.x, self.thin, sigma, reach);
        let m = taps.len() / 2;
        let log_c = -sigma.ln() - LN_SQRT_2PI;
        let lqs: Vec<(f64, f64)> = taps
            .iter()
            .map(|&(t, _, _)| {
                let lq = log_c - 0.5 * t * t;
                (lq, lq.exp())
            })
            .collect();
        let term = |lq: f64, lp: f64| {
            let r = lq - lp;
            if r < 1.0 {
                lp.exp() * r.exp_m1().powi(2)
            } else {
                (2.0 * lq - lp).exp() * (-r).exp_m1().powi(2)
            }
        };
        let s_max = p.max_std();
        let a = 2.0 / (sigma * sigma) - 1.0 / (s_max * s_max);
        let w = REACH / a.sqrt();
        let widest: Vec<f64> = p
            .components()
            .iter()
            .filter(|c| c.std == s_max)
            .map(|c| c.mean)
            .collect();
        for (j, o) in out.iter_mut().enumerate() {
            let mu = mu_at(j);
            // The window: q's reach, and ±w about each widest component's tilted centre.
            let (lo, hi) =
                widest
                    .iter()
                    .fold((mu - REACH * sigma, mu + REACH * sigma), |(lo, hi), &mk| {
                        let c = (2.0 * mu / (sigma * sigma) - mk / (s_max * s_max)) / a;
                        (lo.min(c - w), hi.max(c + w))
                    });
            let at_k = |x: f64| (m as f64 + ((x - mu) / step).round()).clamp(0.0, 2.0 * m as f64);
            let (k_lo, k_hi) = (at_k(lo) as usize, at_k(hi) as usize);
            // Σ (q − p)²/p and Σ p over the window: ∫(q − p)²/p = ∫(q²/p − 2q) + 1, and
            // q²/p − 2q = (q − p)²/p − p vanishes at the window's ends, where p need not.
            let (mut sum, mut mass) = (0.0, 0.0);
            for (&(_, phase, at), &(lq, q)) in taps[k_lo..=k_hi].iter().zip(&lqs[k_lo..=k_hi]) {
                let pd = self.p[phase][at + j];
                // (q − p)²/p directly while p is a normal number, in log space beyond.
                sum += if pd > 1e-280 {
                    let d = q - pd;
                    d * d / pd
                } else {
                    term(lq, self.ln_p[phase][at + j])
                };
                mass += pd;
            }
            let tail = [k_lo, k_hi]
                .iter()
                .map(|&k| {
                    let (_, phase, at) = taps[k];
                    (term(lqs[k].0, self.ln_p[phase][at + j]) - self.p[phase][at + j]).abs()
                })
                .fold(0.0, f64::max);
            *o = if sum.is_finite() && tail <= TAIL * sum {
                sum * step + (1.0 - mass * step)
            } else {
                let q = Gaussian { mu, sigma };
                let div = Divergence::NeymanChi2;
                eval_full(p, &q, &div, Tol::LANDSCAPE, Derivatives::None).value
            };
        }
    }
}
