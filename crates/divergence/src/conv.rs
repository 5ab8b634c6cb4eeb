//! Landscape rows as Gaussian convolutions. For q = N(μ, σ²), reverse KL is
//! −H(q) − E_q[ln p], and the power integrals ∫p^β q^(1−β) behind Hellinger, Bhattacharyya,
//! Amari (|α| < 1) and Rényi (a < 1) are ∫p^β(x) K(x − μ) dx with K ∝ q^(1−β), a Gaussian.
//! Along a row (fixed σ) that is one correlation of a function of p, tabulated once per
//! landscape on a uniform x grid aligned with the μ grid, with a sampled Gaussian. The
//! trapezoid rule converges geometrically here (both factors are analytic in a strip), so a
//! spacing of a fraction of the narrowest feature gives values to ~1e-12 relative.

use crate::divergences::Divergence;
use crate::landscape::Grid;
use crate::target::{Target, LN_SQRT_2PI};

/// Kernel half-width in kernel standard deviations: e^(−9²/2) ≈ 2.6e-18 of the peak.
const REACH: f64 = 9.0;
/// Largest x grid (points): beyond it the row-wise path is not worth it.
const MAX_POINTS: usize = 1 << 22;

/// What a row computes from the correlation S(μ) = ∫ f(x) K(x − μ) dx.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// f = ln p, K = q: D = −H(q) − S.
    ReverseKl,
    /// f = p^β, K = q^(1−β): S = ∫p^β q^(1−β), then D from S.
    Power { beta: f64, finish: Finish },
}

#[derive(Clone, Copy, Debug)]
enum Finish {
    Hellinger,
    Bhattacharyya,
    Amari,
    Renyi,
}

/// One landscape's tabulated f and x grid; rows are then cheap.
#[derive(Clone, Debug)]
pub struct Plan {
    kind: Kind,
    /// f(x_i) at x_i = μ_0 + (i − origin)·h, split by i mod `stride`: phase r holds
    /// f(x_r), f(x_{r+stride}), …, so that the points one μ step apart are contiguous.
    phases: Vec<Vec<f64>>,
    h: f64,
    /// x-grid steps per μ step.
    stride: usize,
    /// Kernel taps every `tap` points when the μ step is finer than accuracy needs (each μ
    /// then has its own trapezoid rule of spacing tap·h).
    tap: usize,
    origin: usize,
}

impl Plan {
    /// A plan for `div` over `grid`, or None where the row-wise path does not apply (other
    /// divergences, or features too fine for a practical x grid).
    pub fn new(p: &Target, div: &Divergence, grid: &Grid) -> Option<Plan> {
        let kind = match *div {
            Divergence::ReverseKl => Kind::ReverseKl,
            Divergence::Hellinger => Kind::Power {
                beta: 0.5,
                finish: Finish::Hellinger,
            },
            Divergence::Bhattacharyya => Kind::Power {
                beta: 0.5,
                finish: Finish::Bhattacharyya,
            },
            Divergence::Amari { alpha } if alpha.abs() < 1.0 - 1e-6 => Kind::Power {
                beta: 0.5 * (1.0 + alpha),
                finish: Finish::Amari,
            },
            Divergence::Renyi { order } if order < 1.0 - 1e-6 => Kind::Power {
                beta: order,
                finish: Finish::Renyi,
            },
            _ => return None,
        };
        let comps = p.components();
        let s_min = comps.iter().map(|c| c.std).fold(f64::INFINITY, f64::min);
        let (lo, hi) = comps
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), c| {
                (a.min(c.mean), b.max(c.mean))
            });
        // Complex zeros of p lie about π s²/Δ off the real axis (Δ the widest separation);
        // the trapezoid error is ~exp(−2π d/h): h ≤ d/4 makes it < 1e-13.
        let d = (std::f64::consts::PI * s_min * s_min / (hi - lo).max(s_min)).min(s_min);
        let dmu = grid.mu.get(1).map_or(1.0, |m1| m1 - grid.mu[0]);
        let sigma_min = grid.sigma.iter().copied().fold(f64::INFINITY, f64::min);
        let h_max = (0.25 * d).min(0.3 * sigma_min);
        let stride = (dmu / h_max).ceil().max(1.0);
        if !stride.is_finite() || stride > 64.0 {
            return None;
        }
        let stride = stride as usize;
        let h = dmu / stride as f64;
        let tap = if stride == 1 {
            ((h_max / dmu).floor() as usize).clamp(1, 64)
        } else {
            1
        };
        let sigma_max = grid.sigma.iter().copied().fold(0.0, f64::max);
        let width = |beta: f64| sigma_max / (1.0 - beta).sqrt();
        let reach = REACH
            * match kind {
                Kind::ReverseKl => sigma_max,
                Kind::Power { beta, .. } => width(beta),
            };
        let margin = (reach / h).ceil() as usize + 1;
        let n = 2 * margin + (grid.mu.len() - 1) * stride + 1;
        if n > MAX_POINTS {
            return None;
        }
        let x0 = grid.mu[0] - margin as f64 * h;
        let f: Vec<f64> = (0..n)
            .map(|i| {
                let lp = p.log_pdf(x0 + i as f64 * h);
                match kind {
                    Kind::ReverseKl => lp,
                    Kind::Power { beta, .. } => (beta * lp).exp(),
                }
            })
            .collect();
        let phases = (0..stride)
            .map(|r| f.iter().skip(r).step_by(stride).copied().collect())
            .collect();
        Some(Plan {
            kind,
            phases,
            h,
            stride,
            tap,
            origin: margin,
        })
    }

    /// Row `sigma` of the landscape at the grid's μ values (`out.len()` of them).
    pub fn row(&self, sigma: f64, out: &mut [f64]) {
        // The kernel K(x − μ) = c·exp(−(x − μ)²/(2 s²)) with its normalisation c.
        let (s, log_c) = match self.kind {
            Kind::ReverseKl => (sigma, -sigma.ln() - LN_SQRT_2PI),
            Kind::Power { beta, .. } => (
                sigma / (1.0 - beta).sqrt(),
                -(1.0 - beta) * (sigma.ln() + LN_SQRT_2PI),
            ),
        };
        let step = self.h * self.tap as f64;
        let m = ((REACH * s / step).ceil() as usize).min(self.origin / self.tap);
        let acc = out;
        acc.fill(0.0);
        let base = self.origin;
        for k in 0..=2 * m {
            let t = (k as f64 - m as f64) * step / s;
            let g = step * (log_c - 0.5 * t * t).exp();
            // f at x = μ_j + (k − m)·step for every j: one contiguous run of one phase, so
            // the update is an axpy the compiler vectorises.
            let first = base + k * self.tap - m * self.tap;
            let f = &self.phases[first % self.stride][first / self.stride..];
            for (a, &v) in acc.iter_mut().zip(f) {
                *a += g * v;
            }
        }
        for v in acc.iter_mut() {
            let sum = *v;
            *v = match self.kind {
                // H(q) = ln σ + ½ ln(2πe).
                Kind::ReverseKl => (-(sigma.ln() + LN_SQRT_2PI + 0.5) - sum).max(0.0),
                Kind::Power { beta, finish } => match finish {
                    Finish::Hellinger => (1.0 - sum).max(0.0),
                    Finish::Bhattacharyya => (-sum.ln()).max(0.0),
                    Finish::Amari => ((1.0 - sum) / (beta * (1.0 - beta))).max(0.0),
                    Finish::Renyi => (sum.ln() / (beta - 1.0)).max(0.0),
                },
            };
        }
    }
}
