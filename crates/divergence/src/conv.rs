//! Landscape rows on a tabulated x grid. For q = N(μ, σ²), reverse KL is −H(q) − E_q[ln p],
//! and the power integrals ∫p^β q^(1−β) behind Hellinger, Bhattacharyya, Amari (|α| < 1) and
//! Rényi (a < 1) are ∫p^β(x) K(x − μ) dx with K ∝ q^(1−β), a Gaussian. Along a row (fixed σ)
//! that is one correlation of a function of p, tabulated once per landscape on a uniform x
//! grid aligned with the μ grid, with a Gaussian: one product with the Gaussian's transform
//! and one inverse FFT per row, whatever σ. The trapezoid rule converges geometrically here
//! (both factors are analytic in a strip), so a spacing of a fraction of the narrowest
//! feature gives values to ~1e-12 relative. Jensen–Shannon has no such product form; it
//! shares the tabulated p and pays one log per point of overlap. KSD² is a Toeplitz quadratic
//! form in the tabulated score: one FFT per cell.

use crate::divergences::Divergence;
use crate::landscape::Grid;
use crate::target::{Target, LN_SQRT_2PI};
use rustfft::algorithm::Radix4;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftDirection, Length};
use std::sync::Arc;

mod fastlog;
mod sums;

/// Kernel half-width in kernel standard deviations: e^(−9²/2) ≈ 2.6e-18 of the peak.
const REACH: f64 = 9.0;
/// Largest x grid and FFT (points) for [`Plan::new`]: beyond it the row-wise path is not
/// worth it. A page passes its own, smaller limit to [`Plan::with_limit`] (memory).
const MAX_POINTS: usize = 1 << 20;

/// What a row computes from the correlation S(μ) = ∫ f(x) K(x − μ) dx.
#[derive(Clone, Copy, Debug)]
enum RowForm {
    /// f = ln p, K = q: D = −H(q) − S.
    ReverseKl,
    /// f = p^β, K = q^(1−β): S = ∫p^β q^(1−β), then D from S.
    Power { beta: f64, from: FromIntegral },
    /// f = p, with p ln p alongside: JS = ln 2 − ½∫[(p+q)ln(p+q) − p ln p − q ln q], a
    /// log per point and cell, but only where p and q overlap.
    JensenShannon,
    /// f = s_p, the score of p: KSD² = vᵀKv with v = q·(s_p − s_q) on the row's x grid and
    /// K Toeplitz in the IMQ kernel, one real FFT per cell (Parseval on a circulant embedding).
    Ksd { c: f64, beta: f64 },
    /// f = s_p: Fisher = E_q[(s_p − s_q)²], a trapezoid sum per cell ([`sums`]).
    Fisher,
    /// f = ln p: Neyman χ² = ∫(q − p)²/p, positive terms summed per cell ([`sums`]).
    NeymanChi2,
}

impl RowForm {
    /// The row-wise form of `div`, if it has one.
    fn of(div: &Divergence) -> Option<RowForm> {
        Some(match *div {
            Divergence::ReverseKl => RowForm::ReverseKl,
            Divergence::Hellinger => RowForm::Power {
                beta: 0.5,
                from: FromIntegral::Hellinger,
            },
            Divergence::Bhattacharyya => RowForm::Power {
                beta: 0.5,
                from: FromIntegral::Bhattacharyya,
            },
            Divergence::Amari { alpha } if alpha.abs() < 1.0 - 1e-6 => RowForm::Power {
                beta: 0.5 * (1.0 + alpha),
                from: FromIntegral::Amari,
            },
            Divergence::Renyi { order } if order < 1.0 - 1e-6 => RowForm::Power {
                beta: order,
                from: FromIntegral::Renyi,
            },
            Divergence::JensenShannon => RowForm::JensenShannon,
            Divergence::Ksd { c, beta } => RowForm::Ksd { c, beta },
            Divergence::Fisher => RowForm::Fisher,
            Divergence::NeymanChi2 => RowForm::NeymanChi2,
            _ => return None,
        })
    }

    /// A correlation with a Gaussian along each row (the FFT path).
    fn is_correlation(self) -> bool {
        matches!(self, RowForm::ReverseKl | RowForm::Power { .. })
    }
}

/// The first and last index of `v` where `keep` holds ((0, 0) if nowhere).
fn span(v: &[f64], keep: impl Fn(&f64) -> bool) -> (usize, usize) {
    (
        v.iter().position(&keep).unwrap_or(0),
        v.iter().rposition(&keep).unwrap_or(0),
    )
}

/// What D is as a function of S = ∫p^β q^(1−β).
#[derive(Clone, Copy, Debug)]
enum FromIntegral {
    Hellinger,
    Bhattacharyya,
    Amari,
    Renyi,
}

/// A power-of-two complex FFT; inverses (unnormalised) as conj(FFT(conj(·))), so that one
/// twiddle table serves both. rustfft's Radix4 alone: its planner's other algorithms (and
/// realfft) would add ~110 KB gzipped to the page's wasm.
#[derive(Clone)]
struct Ffts(Arc<Radix4<f64>>);

impl Ffts {
    fn new(len: usize) -> Ffts {
        Ffts(Arc::new(Radix4::new(len, FftDirection::Forward)))
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// A scratch buffer for [`Ffts::forward`] (reused across calls).
    fn scratch(&self) -> Vec<Complex<f64>> {
        vec![Complex::new(0.0, 0.0); self.0.get_inplace_scratch_len()]
    }

    fn forward(&self, buf: &mut [Complex<f64>], scratch: &mut [Complex<f64>]) {
        self.0.process_with_scratch(buf, scratch);
    }
}

impl std::fmt::Debug for Ffts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ffts({})", self.len())
    }
}

/// One landscape's tabulated f and x grid; rows are then cheap.
#[derive(Clone, Debug)]
pub struct Plan {
    form: RowForm,
    /// Correlations: the DFT of f (zero-padded), so that a row is one product with the
    /// kernel's transform and one inverse FFT, whatever σ.
    spectrum: Vec<Complex<f64>>,
    ffts: Option<Ffts>,
    /// Reverse KL tabulates ln p − Q with Q(x) = −(x − m)²/(2v) (m, v here), a quadratic
    /// whose smoothing is exact, so that the table stays small where ln p is large.
    quadratic: (f64, f64),
    /// The first μ of the grid (x index `origin`).
    mu0: f64,
    /// JS and KSD: f(x_i) at x_i = μ_0 + (i − origin)·h, split by i mod `stride`: phase r
    /// holds f(x_r), f(x_{r+stride}), …, so that the points one μ step apart are contiguous.
    phases: Vec<Vec<f64>>,
    /// p ln p beside f = p for Jensen–Shannon (same layout), else empty.
    p_ln_p: Vec<Vec<f64>>,
    /// x indices where p matters for Jensen–Shannon (beyond them p < e^−50 of its peak).
    support: (usize, usize),
    h: f64,
    /// x-grid steps per μ step.
    stride: usize,
    /// JS and KSD: points every `thin` x steps when the μ step is finer than accuracy needs
    /// (each μ then has its own trapezoid rule of spacing thin·h).
    thin: usize,
    origin: usize,
    /// p beside f = ln p for Neyman χ² (same layout), else empty.
    density: Vec<Vec<f64>>,
    /// The target, for cells a row form cannot sum (Neyman χ² tails beyond the table).
    target: Target,
}

impl Plan {
    /// A plan for `div` over `grid`, or None where the row-wise path does not apply (other
    /// divergences, or features too fine for a practical x grid).
    pub fn new(p: &Target, div: &Divergence, grid: &Grid) -> Option<Plan> {
        Plan::with_limit(p, div, grid, MAX_POINTS)
    }

    /// [`Plan::new`] with at most `max_points` points in the x table and in any FFT (16
    /// bytes a point): one extreme view must not set a page's memory high-water mark.
    pub fn with_limit(
        p: &Target,
        div: &Divergence,
        grid: &Grid,
        max_points: usize,
    ) -> Option<Plan> {
        let form = RowForm::of(div)?;
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
        let h_max = match form {
            // A log per point: spacing at ~1e-11 rather than 1e-13 (exp(−2π·0.3) per unit d).
            RowForm::JensenShannon | RowForm::Fisher => (0.3 * d).min(0.3 * sigma_min),
            // q² is a Gaussian of std σ/√2.
            RowForm::NeymanChi2 => (0.25 * d).min(0.2 * sigma_min),
            // The IMQ kernel has branch points at x − y = ±ic.
            RowForm::Ksd { c, .. } => (0.3 * d).min(0.3 * sigma_min).min(0.3 * c),
            _ => (0.25 * d).min(0.3 * sigma_min),
        };
        let stride = (dmu / h_max).ceil().max(1.0);
        if !stride.is_finite() || stride > 64.0 {
            return None;
        }
        let stride = stride as usize;
        let h = dmu / stride as f64;
        let thin = if stride == 1 {
            ((h_max / dmu).floor() as usize).clamp(1, 64)
        } else {
            1
        };
        let sigma_max = grid.sigma.iter().copied().fold(0.0, f64::max);
        let width = |beta: f64| sigma_max / (1.0 - beta).sqrt();
        let reach = REACH
            * match form {
                RowForm::ReverseKl
                | RowForm::JensenShannon
                | RowForm::Ksd { .. }
                | RowForm::Fisher
                | RowForm::NeymanChi2 => sigma_max,
                RowForm::Power { beta, .. } => width(beta),
            };
        let reach = match form {
            // q²/p reaches far past q near the finiteness edge: as far as its finite rows
            // need (see neyman_row), within 16 times the usual reach.
            RowForm::NeymanChi2 => grid
                .sigma
                .iter()
                .map(|&s| sums::neyman_reach(p, s, (grid.mu[0], grid.mu[grid.mu.len() - 1])))
                .filter(|r| r.is_finite())
                .fold(reach, f64::max)
                .min(16.0 * reach),
            _ => reach,
        };
        let margin = (reach / h).ceil() as usize + 1;
        let n = 2 * margin + (grid.mu.len() - 1) * stride + 1;
        if n > max_points {
            return None;
        }
        let x0 = grid.mu[0] - margin as f64 * h;
        // ln p (KSD tabulates the score instead).
        let lp: Vec<f64> = match form {
            RowForm::Ksd { .. } | RowForm::Fisher => Vec::new(),
            _ => (0..n).map(|i| p.log_pdf(x0 + i as f64 * h)).collect(),
        };
        // The widest component's curvature about the mixture mean: ln p − Q then grows at
        // most linearly in the tails.
        let quadratic = (
            p.mean(),
            comps.iter().map(|c| c.std * c.std).fold(0.0, f64::max),
        );
        let f: Vec<f64> = match form {
            RowForm::NeymanChi2 => lp.clone(),
            RowForm::Ksd { .. } | RowForm::Fisher => (0..n)
                .map(|i| p.log_pdf_derivs(x0 + i as f64 * h).1)
                .collect(),
            _ => lp
                .iter()
                .enumerate()
                .map(|(i, &lp)| match form {
                    RowForm::Power { beta, .. } => (beta * lp).exp(),
                    RowForm::JensenShannon => lp.exp(),
                    _ => {
                        let dx = x0 + i as f64 * h - quadratic.0;
                        lp + dx * dx / (2.0 * quadratic.1)
                    }
                })
                .collect(),
        };
        let split = |f: &[f64]| -> Vec<Vec<f64>> {
            (0..stride)
                .map(|r| f.iter().skip(r).step_by(stride).copied().collect())
                .collect()
        };
        let (p_ln_p, support) = if let RowForm::JensenShannon = form {
            let peak = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let plp: Vec<f64> = f.iter().zip(&lp).map(|(p, l)| p * l).collect();
            (split(&plp), span(&lp, |l| *l > peak - 50.0))
        } else {
            (Vec::new(), (0, n - 1))
        };
        if let RowForm::Ksd { .. } = form {
            // The widest row's FFT (see ksd_row) within the limit, else per-cell quadrature.
            let m = (6.5 * sigma_max / (h * thin as f64)).ceil() as usize;
            if fft_len(4 * m + 1) > max_points {
                return None;
            }
        }
        let (spectrum, ffts, phases) = if form.is_correlation() {
            // The convolution is circular: exact when every wrapped copy of a table point
            // lies beyond the kernel's reach (`margin`) of every output. p^β vanishes away
            // from p, so only its support counts; ln p − Q does not, so the whole table does.
            let (lo, hi) = match form {
                RowForm::Power { .. } => {
                    let top = f.iter().copied().fold(0.0, f64::max);
                    span(&f, |v| *v > 1e-20 * top)
                }
                _ => (0, n - 1),
            };
            let (o_lo, o_hi) = (margin, margin + (grid.mu.len() - 1) * stride);
            let far = o_hi.saturating_sub(lo).max(hi.saturating_sub(o_lo));
            let len = fft_len((far + margin + 1).max(hi - lo + 1));
            if len > max_points {
                return None;
            }
            let ffts = Ffts::new(len);
            let mut spectrum = vec![Complex::new(0.0, 0.0); len];
            for (i, &v) in f.iter().enumerate().take(hi + 1).skip(lo) {
                spectrum[i % len].re += v;
            }
            ffts.forward(&mut spectrum, &mut ffts.scratch());
            (spectrum, Some(ffts), Vec::new())
        } else {
            (Vec::new(), None, split(&f))
        };
        Some(Plan {
            form,
            spectrum,
            ffts,
            quadratic,
            mu0: grid.mu[0],
            phases,
            p_ln_p,
            support,
            h,
            stride,
            thin,
            origin: margin,
            density: match form {
                RowForm::NeymanChi2 => split(&f.iter().map(|l| l.exp()).collect::<Vec<_>>()),
                _ => Vec::new(),
            },
            target: p.clone(),
        })
    }

    /// True when `div`'s rows are correlations (an FFT per two rows); false for Jensen–Shannon
    /// (a log per point), KSD (an FFT per two cells) and divergences without a plan.
    pub fn correlates(div: &Divergence) -> bool {
        RowForm::of(div).is_some_and(RowForm::is_correlation)
    }

    /// True when this plan's rows are correlations (see [`Plan::correlates`]).
    pub fn is_correlation(&self) -> bool {
        self.form.is_correlation()
    }

    /// Rows `sigmas` of the landscape, one after another in `out` (`out.len()` a multiple
    /// of `sigmas.len()`): correlations go two rows per FFT.
    pub fn rows(&self, sigmas: &[f64], out: &mut [f64]) {
        let nm = out.len() / sigmas.len().max(1);
        if nm == 0 {
            return;
        }
        match self.form {
            RowForm::JensenShannon => {
                for (&s, row) in sigmas.iter().zip(out.chunks_exact_mut(nm)) {
                    self.js_row(s, row);
                }
            }
            RowForm::Ksd { c, beta } => {
                for (&s, row) in sigmas.iter().zip(out.chunks_exact_mut(nm)) {
                    self.ksd_row(s, c, beta, row);
                }
            }
            RowForm::Fisher => {
                for (&s, row) in sigmas.iter().zip(out.chunks_exact_mut(nm)) {
                    self.fisher_row(s, row);
                }
            }
            RowForm::NeymanChi2 => {
                for (&s, row) in sigmas.iter().zip(out.chunks_exact_mut(nm)) {
                    self.neyman_row(s, row);
                }
            }
            _ => {
                let Some(ffts) = &self.ffts else {
                    out.fill(f64::NAN);
                    return;
                };
                let mut spec = vec![Complex::new(0.0, 0.0); ffts.len()];
                let mut scratch = ffts.scratch();
                for (pair, rows) in sigmas.chunks(2).zip(out.chunks_mut(2 * nm)) {
                    self.correlation_rows(ffts, pair, rows, &mut spec, &mut scratch);
                }
            }
        }
    }

    /// One or two correlation rows from one inverse FFT: the spectrum times row a's kernel
    /// transform plus i times row b's has row a as its real part and row b as its imaginary.
    fn correlation_rows(
        &self,
        ffts: &Ffts,
        sigmas: &[f64],
        out: &mut [f64],
        spec: &mut [Complex<f64>],
        scratch: &mut [Complex<f64>],
    ) {
        let len = ffts.len();
        // K's transform c·s√(2π)·exp(−s²ω²/2) at ω_k = 2πk/(L h) for k ≤ L/2 (and mirrored),
        // by a two-multiply recurrence in k.
        let weights = |sigma: f64| -> Vec<f64> {
            let (s, log_c) = self.kernel(sigma);
            let a = 0.5 * (s * 2.0 * std::f64::consts::PI / (len as f64 * self.h)).powi(2);
            let mut w = (log_c + LN_SQRT_2PI).exp() * s / len as f64;
            let (mut r, rr) = ((-a).exp(), (-2.0 * a).exp());
            (0..=len / 2)
                .map(|_| {
                    let v = w;
                    w *= r;
                    r *= rr;
                    v
                })
                .collect()
        };
        let wa = weights(sigmas[0]);
        let wb = match sigmas.get(1) {
            Some(&s) => weights(s),
            None => vec![0.0; wa.len()],
        };
        // The inverse FFT as conj(FFT(conj(·))): the conjugations fold into this fill and
        // into the reads below.
        for (k, (o, z)) in spec.iter_mut().zip(&self.spectrum).enumerate() {
            let f = k.min(len - k);
            *o = (z * Complex::new(wa[f], wb[f])).conj();
        }
        ffts.forward(spec, scratch);
        let nm = out.len() / sigmas.len();
        for (r, (&sigma, row)) in sigmas.iter().zip(out.chunks_exact_mut(nm)).enumerate() {
            let ln_sigma = sigma.ln();
            for (j, v) in row.iter_mut().enumerate() {
                let z = spec[(self.origin + j * self.stride) % len];
                let sum = if r == 0 { z.re } else { -z.im };
                *v = self.finish(sigma, ln_sigma, j, sum);
            }
        }
    }

    /// The Gaussian kernel K(x − μ) = c·exp(−(x − μ)²/(2 s²)) of a row: (s, ln c).
    fn kernel(&self, sigma: f64) -> (f64, f64) {
        match self.form {
            RowForm::Power { beta, .. } => (
                sigma / (1.0 - beta).sqrt(),
                -(1.0 - beta) * (sigma.ln() + LN_SQRT_2PI),
            ),
            _ => (sigma, -sigma.ln() - LN_SQRT_2PI),
        }
    }

    /// The divergence at column `j` of row `sigma` (ln σ given: a libm call per cell costs
    /// more than the row's share of its FFT in wasm) from the correlation `sum` there.
    fn finish(&self, sigma: f64, ln_sigma: f64, j: usize, sum: f64) -> f64 {
        match self.form {
            RowForm::ReverseKl => {
                // E_q[Q] = −((μ − m)² + σ²)/(2v) puts back what the table left out; H(q) =
                // ln σ + ½ ln(2πe).
                let (m, var) = self.quadratic;
                let dm = self.mu0 + j as f64 * self.stride as f64 * self.h - m;
                let sum = sum - (dm * dm + sigma * sigma) / (2.0 * var);
                (-(ln_sigma + LN_SQRT_2PI + 0.5) - sum).max(0.0)
            }
            RowForm::Power { beta, from } => match from {
                FromIntegral::Hellinger => (1.0 - sum).max(0.0),
                FromIntegral::Bhattacharyya => (-sum.ln()).max(0.0),
                FromIntegral::Amari => ((1.0 - sum) / (beta * (1.0 - beta))).max(0.0),
                FromIntegral::Renyi => (sum.ln() / (beta - 1.0)).max(0.0),
            },
            RowForm::JensenShannon
            | RowForm::Ksd { .. }
            | RowForm::Fisher
            | RowForm::NeymanChi2 => f64::NAN,
        }
    }

    /// Jensen–Shannon along a row: the excess (p+q)ln(p+q) − p ln p − q ln q vanishes where
    /// either density does, so each μ sums only over the overlap of q's reach and p's support.
    fn js_row(&self, sigma: f64, out: &mut [f64]) {
        let step = self.h * self.thin as f64;
        // The excess is below q·(1 + ln(1 + p/q)): e^(−8²/2) of q's peak is far under 1e-12.
        let m = ((8.0 * sigma / step).ceil() as usize).min(self.origin / self.thin);
        let log_c = -sigma.ln() - LN_SQRT_2PI;
        out.fill(0.0);
        let (lo, hi) = self.support;
        for k in 0..=2 * m {
            let t = (k as f64 - m as f64) * step / sigma;
            let lq = log_c - 0.5 * t * t;
            let q = lq.exp();
            let qlq = q * lq;
            // x index of μ_j + (k − m)·step is first + j·stride.
            let first = self.origin + k * self.thin - m * self.thin;
            let j_lo = lo.saturating_sub(first).div_ceil(self.stride);
            let j_hi = match hi.checked_sub(first) {
                Some(d) => (d / self.stride + 1).min(out.len()),
                None => continue,
            };
            if j_lo >= j_hi {
                continue;
            }
            let phase = first % self.stride;
            let at = first / self.stride;
            let p = &self.phases[phase][at + j_lo..at + j_hi];
            let plp = &self.p_ln_p[phase][at + j_lo..at + j_hi];
            for ((a, &p), &plp) in out[j_lo..j_hi].iter_mut().zip(p).zip(plp) {
                let s = p + q;
                *a += s * fastlog::ln(s) - plp - qlq;
            }
        }
        for v in out.iter_mut() {
            *v = (std::f64::consts::LN_2 - 0.5 * step * *v).clamp(0.0, std::f64::consts::LN_2);
        }
    }

    /// KSD² along a row. With v_k = step·q(x_k)·(s_p(x_k) − s_q(x_k)) over q's reach (N
    /// points), KSD² = Σ v_k v_l κ(x_k − x_l), a Toeplitz quadratic form; zero-padded to a
    /// circulant of length L ≥ 2N − 1 it is (1/L) Σ Λ_f |V_f|² with Λ, V the DFTs of the
    /// circulant's first column and of v. Two cells share one complex FFT (v_a + i v_b).
    fn ksd_row(&self, sigma: f64, c: f64, beta: f64, out: &mut [f64]) {
        let step = self.h * self.thin as f64;
        // q(x)q(y) beyond 6.5σ: e^(−21) of the peak, under 1e-8 of KSD² with its δ factors.
        let m = ((6.5 * sigma / step).ceil() as usize).min(self.origin / self.thin);
        let n = 2 * m + 1;
        let ffts = Ffts::new(fft_len(2 * n - 1));
        let len = ffts.len();
        let kernel = |r: f64| {
            let t = c * c + r * r;
            if beta == 0.5 {
                1.0 / t.sqrt()
            } else {
                t.powf(-beta)
            }
        };
        let mut buf = vec![Complex::new(0.0, 0.0); len];
        for d in 0..n {
            let k = kernel(d as f64 * step);
            buf[d].re = k;
            if d > 0 {
                buf[len - d].re = k;
            }
        }
        let mut scratch = ffts.scratch();
        ffts.forward(&mut buf, &mut scratch);
        // Λ_f / L, and ¼ for the split of a shared transform below.
        let weight: Vec<f64> = buf.iter().map(|z| 0.25 * z.re / len as f64).collect();
        let log_c = -sigma.ln() - LN_SQRT_2PI;
        // Per point of q's reach: its weight, s_q's part of δ, and where s_p lives.
        let taps: Vec<(f64, f64, usize, usize)> = (0..n)
            .map(|k| {
                let t = (k as f64 - m as f64) * step / sigma;
                let first = self.origin + k * self.thin - m * self.thin;
                let w = step * (log_c - 0.5 * t * t).exp();
                (w, t / sigma, first % self.stride, first / self.stride)
            })
            .collect();
        let nm = out.len();
        for j in (0..nm).step_by(2) {
            let two = j + 1 < nm;
            for (b, &(w, sq, phase, at)) in buf.iter_mut().zip(&taps) {
                let f = &self.phases[phase];
                let im = if two { w * (f[at + j + 1] + sq) } else { 0.0 };
                *b = Complex::new(w * (f[at + j] + sq), im);
            }
            buf[n..].fill(Complex::new(0.0, 0.0));
            ffts.forward(&mut buf, &mut scratch);
            // V_a = (Z_f + conj Z_−f)/2, V_b = (Z_f − conj Z_−f)/(2i).
            let (mut ta, mut tb) = (0.0, 0.0);
            for (f, &w) in weight.iter().enumerate() {
                let (z, zc) = (buf[f], buf[(len - f) % len].conj());
                ta += w * (z + zc).norm_sqr();
                tb += w * (z - zc).norm_sqr();
            }
            out[j] = ta.max(0.0);
            if two {
                out[j + 1] = tb.max(0.0);
            }
        }
    }
}

/// The FFT length for `n` points: the next power of two (Radix4's lengths).
fn fft_len(n: usize) -> usize {
    n.next_power_of_two().max(16)
}
