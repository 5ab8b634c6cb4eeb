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

/// Neyman χ²'s tables over the whole x grid (a cell sums a contiguous run of it): ln p,
/// p and 1/p, and the target for cells past the table.
#[derive(Clone, Debug)]
pub struct NeymanTable {
    pub(super) x: XGrid,
    /// As for Fisher.
    pub(super) thin: usize,
    pub(super) ln_p: Vec<f64>,
    pub(super) p: Vec<f64>,
    /// 1/p where p is a normal number above [`TINY_P`], else 0.
    pub(super) inv_p: Vec<f64>,
    /// The indices where p ≤ [`TINY_P`] (their terms go by logs), and how many of them
    /// lie before each index.
    pub(super) tiny: Vec<u32>,
    pub(super) tiny_before: Vec<u32>,
    pub(super) target: Target,
}

/// Below this p, (q − p)²/p is summed in log space.
const TINY_P: f64 = 1e-280;

impl NeymanTable {
    /// The tables for ln p at the x grid's points.
    pub(super) fn new(x: XGrid, thin: usize, ln_p: Vec<f64>, target: &Target) -> NeymanTable {
        let p: Vec<f64> = ln_p.iter().map(|l| l.exp()).collect();
        let inv_p = p
            .iter()
            .map(|&v| if v > TINY_P { 1.0 / v } else { 0.0 })
            .collect();
        let mut tiny_before = Vec::with_capacity(p.len() + 1);
        let mut tiny = Vec::new();
        tiny_before.push(0);
        for (i, &v) in p.iter().enumerate() {
            if v <= TINY_P {
                tiny.push(i as u32);
            }
            tiny_before.push(tiny.len() as u32);
        }
        NeymanTable {
            x,
            thin,
            ln_p,
            p,
            inv_p,
            tiny,
            tiny_before,
            target: target.clone(),
        }
    }
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
    /// `out` holds columns `j0..` of a row of `nm` (a row is split where its cells are slow).
    pub(super) fn row(&self, sigma: f64, nm: usize, j0: usize, out: &mut [f64]) {
        let p = &self.target;
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
        let qs: Vec<f64> = lqs.iter().map(|l| l.1).collect();
        let term = |lq: f64, lp: f64| {
            let r = lq - lp;
            if r < 1.0 {
                lp.exp() * r.exp_m1().powi(2)
            } else if r < 40.0 {
                (2.0 * lq - lp).exp() * (-r).exp_m1().powi(2)
            } else {
                // 1 − e^(−r) is 1 to double precision.
                (2.0 * lq - lp).exp()
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
        for (j, o) in (j0..).zip(out.iter_mut()) {
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
            // x index of tap k: base + k·thin.
            let base = self.x.origin + j * self.x.stride - m * self.thin;
            let idx = |k: usize| base + k * self.thin;
            // Σ (q − p)²/p and Σ p over the window: ∫(q − p)²/p = ∫(q²/p − 2q) + 1, and
            // q²/p − 2q = (q − p)²/p − p vanishes at the window's ends, where p need not.
            // (q − p)²/p by 1/p while p is a normal number, in log space beyond.
            let (mut sum, mass) = self.sum_normal(&qs[k_lo..=k_hi], idx(k_lo));
            let tiny =
                self.tiny_before[idx(k_lo)] as usize..self.tiny_before[idx(k_hi) + 1] as usize;
            let tiny = &self.tiny[tiny];
            // Four at a time where q ≫ p (the tails), where the term is e^(2 ln q − ln p).
            let mut lanes = [0.0; 4];
            let chunks = tiny.chunks_exact(4);
            let rest = chunks.remainder();
            for c in chunks {
                let mut arg = [0.0; 4];
                let mut far = true;
                for l in 0..4 {
                    let off = c[l] as usize - base;
                    let (lq, lp) = (lqs[off / self.thin].0, self.ln_p[c[l] as usize]);
                    far &= off.is_multiple_of(self.thin) && lq - lp >= 40.0;
                    arg[l] = 2.0 * lq - lp;
                }
                if far {
                    let e = super::fastlog::exp4(arg);
                    for l in 0..4 {
                        lanes[l] += e[l];
                    }
                } else {
                    sum += c
                        .iter()
                        .map(|&i| self.tiny_term(i as usize, base, &lqs, &term))
                        .sum::<f64>();
                }
            }
            sum += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
            for &i in rest {
                sum += self.tiny_term(i as usize, base, &lqs, &term);
            }
            let tail = [k_lo, k_hi]
                .iter()
                .map(|&k| (term(lqs[k].0, self.ln_p[idx(k)]) - self.p[idx(k)]).abs())
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

impl NeymanTable {
    /// Σ (q − p)²/p and Σ p over taps `qs` from x index `i0` (every `thin` points), the
    /// points with p ≤ [`TINY_P`] left out of the first: by 1/p, four independent lanes so
    /// that it vectorises.
    fn sum_normal(&self, qs: &[f64], i0: usize) -> (f64, f64) {
        let (mut sum, mut mass) = ([0.0; 4], [0.0; 4]);
        let n = qs.len();
        let end = i0 + (n - 1) * self.thin + 1;
        let (p, inv_p) = (&self.p[i0..end], &self.inv_p[i0..end]);
        if self.thin == 1 {
            let (qc, pc, ic) = (qs.chunks_exact(4), p.chunks_exact(4), inv_p.chunks_exact(4));
            let rest = qc.remainder().len();
            for ((q, p), ip) in qc.zip(pc).zip(ic) {
                for l in 0..4 {
                    let d = q[l] - p[l];
                    sum[l] += d * d * ip[l];
                    mass[l] += p[l];
                }
            }
            for k in n - rest..n {
                let d = qs[k] - p[k];
                sum[0] += d * d * inv_p[k];
                mass[0] += p[k];
            }
        } else {
            for (k, &q) in qs.iter().enumerate() {
                let i = k * self.thin;
                let d = q - p[i];
                sum[k % 4] += d * d * inv_p[i];
                mass[k % 4] += p[i];
            }
        }
        (
            (sum[0] + sum[1]) + (sum[2] + sum[3]),
            (mass[0] + mass[1]) + (mass[2] + mass[3]),
        )
    }
    /// The log-space term at x index `i` if it is a tap (x index `base` is tap 0), else 0.
    fn tiny_term(
        &self,
        i: usize,
        base: usize,
        lqs: &[(f64, f64)],
        term: &impl Fn(f64, f64) -> f64,
    ) -> f64 {
        let off = i - base;
        if off.is_multiple_of(self.thin) {
            term(lqs[off / self.thin].0, self.ln_p[i])
        } else {
            0.0
        }
    }
}
