//! Landscape rows on a tabulated x grid. For q = N(μ, σ²), reverse KL is −H(q) − E_q[ln p],
//! and the power integrals ∫p^β q^(1−β) behind Hellinger, Bhattacharyya, Amari (|α| < 1) and
//! Rényi (a < 1) are ∫p^β(x) K(x − μ) dx with K ∝ q^(1−β), a Gaussian. Along a row (fixed σ)
//! that is one correlation of a function of p, tabulated once per landscape on a uniform x
//! grid aligned with the μ grid, with a Gaussian: one product with the Gaussian's transform
//! and one inverse FFT per row, whatever σ. The trapezoid rule converges geometrically here
//! (both factors are analytic in a strip), so a spacing of a fraction of the narrowest
//! feature gives values to ~1e-12 relative. Jensen–Shannon has no such product form; it
//! shares the tabulated p and pays one log per point of overlap. KSD² in pair coordinates
//! (u, v) = ((x + y)/2, x − y) is a sum over v shared by every μ, smoothed along the row.

use crate::divergences::Divergence;
use crate::landscape::Grid;
use crate::target::{Target, LN_SQRT_2PI};
use rustfft::algorithm::Radix4;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftDirection, Length};
use std::sync::Arc;

mod fastlog;
mod ksd;
mod sums;
pub use ksd::KsdTable;
pub use sums::{FisherTable, NeymanTable};

/// Kernel half-width in kernel standard deviations: e^(−9²/2) ≈ 2.6e-18 of the peak.
const REACH: f64 = 9.0;
/// Largest x grid and FFT (points) for [`Plan::new`]: beyond it the row-wise path is not
/// worth it. A page passes its own, smaller limit to [`Plan::with_limit`] (memory).
pub(crate) const MAX_POINTS: usize = 1 << 20;

/// The page's cap on a plan's x table and FFTs (512 KiB a buffer): every divergence's plan
/// fits the presets' views at 1024²; beyond it, per-cell quadrature, so that one extreme view
/// does not set the page's memory high-water mark.
pub const PAGE_PLAN_POINTS: usize = 1 << 15;

/// Jensen–Shannon columns per unit of work: ~1.4 ms natively at 1024² (a row there took 11).
const JS_COLUMNS: usize = 128;

/// Neyman χ² columns per unit of work: ~1 ms natively at 1024² (a row there took 17).
const NEYMAN_COLUMNS: usize = 64;

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
    /// f = s_p, the score of p: KSD² = E_{q⊗q}[u_p], a sum over v shared by the whole row,
    /// smoothed in μ ([`KsdTable`]).
    Ksd { c: f64, beta: f64 },
    /// f = s_p: Fisher = E_q[(s_p − s_q)²], a trapezoid sum per cell ([`FisherTable`]).
    Fisher,
    /// f = ln p: Neyman χ² = ∫(q − p)²/p, positive terms summed per cell ([`NeymanTable`]).
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
pub(crate) struct Ffts(Arc<Radix4<f64>>);

impl Ffts {
    pub(crate) fn new(len: usize) -> Ffts {
        Ffts(Arc::new(Radix4::new(len, FftDirection::Forward)))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// A scratch buffer for [`Ffts::forward`] (reused across calls).
    pub(crate) fn scratch(&self) -> Vec<Complex<f64>> {
        vec![Complex::new(0.0, 0.0); self.0.get_inplace_scratch_len()]
    }

    pub(crate) fn forward(&self, buf: &mut [Complex<f64>], scratch: &mut [Complex<f64>]) {
        self.0.process_with_scratch(buf, scratch);
    }
}

impl std::fmt::Debug for Ffts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ffts({})", self.len())
    }
}

/// Where a plan's x grid lies: x_i = μ_0 + (i − origin)·h, `stride` x steps per μ step.
#[derive(Clone, Copy, Debug)]
struct XGrid {
    h: f64,
    /// x-grid steps per μ step.
    stride: usize,
    /// The x index of the first μ of the grid.
    origin: usize,
    /// The first μ of the grid.
    mu0: f64,
}

/// A table f(x_i) split by i mod `stride`: phase r holds f(x_r), f(x_{r+stride}), …, so
/// that the points one μ step apart are contiguous.
type Phases = Vec<Vec<f64>>;

/// One landscape's tabulated function of p on an x grid; rows are then cheap.
#[derive(Clone, Debug)]
pub enum Plan {
    /// Reverse KL and the power integrals: each row one correlation with a Gaussian.
    Correlation(Correlation),
    /// Jensen–Shannon: p and p ln p tabulated, a log per point of overlap.
    JensenShannon(JsTable),
    /// KSD²: the score of p tabulated, a row by one Gaussian smoothing of a (u, v) sum.
    Ksd(KsdTable),
    /// Fisher: the score of p tabulated, three flops a point.
    Fisher(FisherTable),
    /// Neyman χ²: ln p and p tabulated, a positive term a point.
    Neyman(NeymanTable),
}

/// A correlation plan: f = ln p − Q (reverse KL) or p^β, transformed once.
#[derive(Clone, Debug)]
pub struct Correlation {
    /// [`RowForm::ReverseKl`] or [`RowForm::Power`].
    form: RowForm,
    x: XGrid,
    /// The DFT of f (zero-padded), so that a row is one product with the kernel's transform
    /// and one inverse FFT, whatever σ.
    spectrum: Vec<Complex<f64>>,
    ffts: Ffts,
    /// Reverse KL tabulates ln p − Q with Q(x) = −(x − m)²/(2v) (m, v here), a quadratic
    /// whose smoothing is exact, so that the table stays small where ln p is large.
    quadratic: (f64, f64),
}

/// Jensen–Shannon's tables.
#[derive(Clone, Debug)]
pub struct JsTable {
    x: XGrid,
    /// Points every `thin` x steps when the μ step is finer than accuracy needs (each μ then
    /// has its own trapezoid rule of spacing thin·h).
    thin: usize,
    p: Phases,
    p_ln_p: Phases,
    /// x indices where p matters (beyond them p < e^−50 of its peak).
    support: (usize, usize),
}

/// A correlation's FFT buffers, reused from one pair of rows to the next (every element of
/// `spec` is written before it is read).
#[derive(Clone, Debug, Default)]
pub(crate) struct RowBuffers {
    spec: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

/// The x grid a form needs over a landscape grid, before tabulating anything.
struct Layout {
    x: XGrid,
    thin: usize,
    /// Table points in all (x index 0 is `x0`).
    n: usize,
    x0: f64,
}

impl Layout {
    /// The spacing that keeps the trapezoid rule at ~1e-13 (JS and Fisher ~1e-11) for `p` and
    /// `grid`, and the margin of the widest kernel; None if it is impractically fine or the
    /// table would pass `max_points`.
    fn new(p: &Target, form: RowForm, grid: &Grid, max_points: usize) -> Option<Layout> {
        // Complex zeros of p lie about π s²/Δ off the real axis (Δ the widest separation);
        // the trapezoid error is ~exp(−2π d/h): h ≤ d/4 makes it < 1e-13.
        let d = crate::rows::ksd::pole_distance(p);
        let dmu = grid.mu.get(1).map_or(1.0, |m1| m1 - grid.mu[0]);
        let sigma_min = grid.sigma.iter().copied().fold(f64::INFINITY, f64::min);
        let h_max = match form {
            // A log per point: spacing at ~1e-11 rather than 1e-13 (exp(−2π·0.3) per unit d).
            RowForm::JensenShannon | RowForm::Fisher => (0.3 * d).min(0.3 * sigma_min),
            // q² is a Gaussian of std σ/√2.
            RowForm::NeymanChi2 => (0.25 * d).min(0.2 * sigma_min),
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
        let reach = REACH
            * match form {
                RowForm::Power { beta, .. } => sigma_max / (1.0 - beta).sqrt(),
                _ => sigma_max,
            };
        let table_points =
            |reach: f64| 2 * ((reach / h).ceil() as usize + 1) + (grid.mu.len() - 1) * stride + 1;
        let reach = match form {
            // q²/p reaches far past q near the finiteness edge: as far as its finite rows
            // need (see NeymanTable::row), within 16 times the usual reach and the limit
            // (cells whose window falls short are then evaluated alone).
            RowForm::NeymanChi2 => {
                let far = grid
                    .sigma
                    .iter()
                    .map(|&s| sums::neyman_reach(p, s, (grid.mu[0], grid.mu[grid.mu.len() - 1])))
                    .filter(|r| r.is_finite())
                    .fold(reach, f64::max)
                    .min(16.0 * reach);
                if table_points(far) <= max_points {
                    far
                } else {
                    reach
                }
            }
            _ => reach,
        };
        let margin = (reach / h).ceil() as usize + 1;
        let n = 2 * margin + (grid.mu.len() - 1) * stride + 1;
        if n > max_points {
            return None;
        }
        Some(Layout {
            x: XGrid {
                h,
                stride,
                origin: margin,
                mu0: grid.mu[0],
            },
            thin,
            n,
            x0: grid.mu[0] - margin as f64 * h,
        })
    }

    /// The table's x values.
    fn xs(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.n).map(move |i| self.x0 + i as f64 * self.x.h)
    }

    /// `f` split into phases by x index mod stride.
    fn split(&self, f: &[f64]) -> Phases {
        (0..self.x.stride)
            .map(|r| f.iter().skip(r).step_by(self.x.stride).copied().collect())
            .collect()
    }
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
        if let RowForm::Ksd { c, beta } = form {
            return KsdTable::new(p, c, beta, grid, max_points).map(Plan::Ksd);
        }
        let lay = Layout::new(p, form, grid, max_points)?;
        match form {
            // Built above, on its own grid.
            RowForm::Ksd { .. } => None,
            RowForm::JensenShannon => {
                let lp: Vec<f64> = lay.xs().map(|x| p.log_pdf(x)).collect();
                let peak = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let pdf: Vec<f64> = lp.iter().map(|l| l.exp()).collect();
                let plp: Vec<f64> = pdf.iter().zip(&lp).map(|(p, l)| p * l).collect();
                Some(Plan::JensenShannon(JsTable {
                    x: lay.x,
                    thin: lay.thin,
                    p: lay.split(&pdf),
                    p_ln_p: lay.split(&plp),
                    support: span(&lp, |l| *l > peak - 50.0),
                }))
            }
            RowForm::Fisher => {
                let score: Vec<f64> = lay.xs().map(|x| p.log_pdf_derivs(x).1).collect();
                Some(Plan::Fisher(FisherTable {
                    x: lay.x,
                    thin: lay.thin,
                    score: lay.split(&score),
                }))
            }
            RowForm::NeymanChi2 => {
                let lp: Vec<f64> = lay.xs().map(|x| p.log_pdf(x)).collect();
                Some(Plan::Neyman(NeymanTable::new(lay.x, lay.thin, lp, p)))
            }
            RowForm::ReverseKl | RowForm::Power { .. } => {
                Correlation::new(p, form, grid, &lay, max_points).map(Plan::Correlation)
            }
        }
    }
}

impl Correlation {
    /// Reverse KL or a power integral: f tabulated and transformed once.
    fn new(
        p: &Target,
        form: RowForm,
        grid: &Grid,
        lay: &Layout,
        max_points: usize,
    ) -> Option<Correlation> {
        // The widest component's curvature about the mixture mean: ln p − Q then grows at
        // most linearly in the tails.
        let comps = p.components();
        let quadratic = (
            p.mean(),
            comps.iter().map(|c| c.std * c.std).fold(0.0, f64::max),
        );
        let f: Vec<f64> = lay
            .xs()
            .map(|x| {
                let lp = p.log_pdf(x);
                match form {
                    RowForm::Power { beta, .. } => (beta * lp).exp(),
                    _ => {
                        let dx = x - quadratic.0;
                        lp + dx * dx / (2.0 * quadratic.1)
                    }
                }
            })
            .collect();
        let n = lay.n;
        // The convolution is circular: exact when every wrapped copy of a table point lies
        // beyond the kernel's reach (`margin`) of every output. p^β vanishes away from p, so
        // only its support counts; ln p − Q does not, so the whole table does.
        let (lo, hi) = match form {
            RowForm::Power { .. } => {
                let top = f.iter().copied().fold(0.0, f64::max);
                span(&f, |v| *v > 1e-20 * top)
            }
            _ => (0, n - 1),
        };
        let margin = lay.x.origin;
        let (o_lo, o_hi) = (margin, margin + (grid.mu.len() - 1) * lay.x.stride);
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
        Some(Correlation {
            form,
            x: lay.x,
            spectrum,
            ffts,
            quadratic,
        })
    }
}

impl Plan {
    /// True when `div`'s rows are correlations (an FFT per two rows); false for Jensen–Shannon
    /// (a log per point), KSD (a sum over v per row) and divergences without a plan.
    pub fn correlates(div: &Divergence) -> bool {
        RowForm::of(div).is_some_and(RowForm::is_correlation)
    }

    /// How many cells of a row of `nm` make one unit of a landscape's work: a pair of rows
    /// for a correlation (one FFT), 64 columns for Neyman χ² (its cells can each fall back to
    /// quadrature) and 128 for Jensen–Shannon (a wide q's row is long), a row otherwise.
    pub fn unit_cells(&self, nm: usize) -> usize {
        match self {
            Plan::Correlation(_) => 2 * nm,
            Plan::Neyman(_) => nm.min(NEYMAN_COLUMNS),
            Plan::JensenShannon(_) => nm.min(JS_COLUMNS),
            _ => nm,
        }
    }

    /// Columns `j0..j0 + out.len()` of row `sigma` (a row of `nm`), for plans whose unit is
    /// less than a row ([`Plan::unit_cells`]); whole rows go through [`Plan::rows`].
    #[inline(never)] // inlined, the page's wasm was larger (its 300-KiB budget)
    pub fn row_part(&self, sigma: f64, nm: usize, j0: usize, out: &mut [f64]) {
        match self {
            Plan::Neyman(t) => t.row(sigma, nm, j0, out),
            Plan::JensenShannon(t) => t.row(sigma, j0, out),
            _ => {
                let mut row = vec![0.0; nm];
                self.rows(&[sigma], &mut row);
                out.copy_from_slice(&row[j0..j0 + out.len()]);
            }
        }
    }

    /// Rows `sigmas` of the landscape, one after another in `out` (`out.len()` a multiple
    /// of `sigmas.len()`): correlations go two rows per FFT.
    pub fn rows(&self, sigmas: &[f64], out: &mut [f64]) {
        self.rows_with(sigmas, out, &mut RowBuffers::default());
    }

    /// [`Plan::rows`] with FFT buffers kept by the caller across calls (a landscape computed
    /// two rows at a time allocates them once).
    pub(crate) fn rows_with(&self, sigmas: &[f64], out: &mut [f64], buf: &mut RowBuffers) {
        let nm = out.len() / sigmas.len().max(1);
        if nm == 0 {
            return;
        }
        match self {
            Plan::JensenShannon(t) => {
                for (&s, row) in sigmas.iter().zip(out.chunks_exact_mut(nm)) {
                    t.row(s, 0, row);
                }
            }
            Plan::Ksd(t) => {
                for (&s, row) in sigmas.iter().zip(out.chunks_exact_mut(nm)) {
                    t.row(s, row);
                }
            }
            Plan::Fisher(t) => {
                for (&s, row) in sigmas.iter().zip(out.chunks_exact_mut(nm)) {
                    t.row(s, row);
                }
            }
            Plan::Neyman(t) => {
                for (&s, row) in sigmas.iter().zip(out.chunks_exact_mut(nm)) {
                    t.row(s, nm, 0, row);
                }
            }
            Plan::Correlation(c) => {
                if buf.spec.len() != c.ffts.len() {
                    buf.spec = vec![Complex::new(0.0, 0.0); c.ffts.len()];
                    buf.scratch = c.ffts.scratch();
                }
                for (pair, rows) in sigmas.chunks(2).zip(out.chunks_mut(2 * nm)) {
                    c.rows(pair, rows, &mut buf.spec, &mut buf.scratch);
                }
            }
        }
    }
}

impl Correlation {
    /// One or two correlation rows from one inverse FFT: the spectrum times row a's kernel
    /// transform plus i times row b's has row a as its real part and row b as its imaginary.
    fn rows(
        &self,
        sigmas: &[f64],
        out: &mut [f64],
        spec: &mut [Complex<f64>],
        scratch: &mut [Complex<f64>],
    ) {
        let ffts = &self.ffts;
        let len = ffts.len();
        // K's transform c·s√(2π)·exp(−s²ω²/2) at ω_k = 2πk/(L h) for k ≤ L/2 (and mirrored),
        // by a two-multiply recurrence in k.
        let weights = |sigma: f64| -> Vec<f64> {
            let (s, log_c) = self.kernel(sigma);
            let a = 0.5 * (s * 2.0 * std::f64::consts::PI / (len as f64 * self.x.h)).powi(2);
            gaussian_spectrum(len, a, (log_c + LN_SQRT_2PI).exp() * s / len as f64)
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
                let z = spec[(self.x.origin + j * self.x.stride) % len];
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
                let dm = self.x.mu0 + j as f64 * self.x.stride as f64 * self.x.h - m;
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
}

impl JsTable {
    /// Jensen–Shannon along a row: the excess (p+q)ln(p+q) − p ln p − q ln q vanishes where
    /// either density does, so each μ sums only over the overlap of q's reach and p's support.
    /// `out` holds columns `j0..` of the row (a wide q's row is split into parts).
    fn row(&self, sigma: f64, j0: usize, out: &mut [f64]) {
        let step = self.x.h * self.thin as f64;
        // The excess is below q·(1 + ln(1 + p/q)): e^(−8²/2) of q's peak is far under 1e-12.
        let m = ((8.0 * sigma / step).ceil() as usize).min(self.x.origin / self.thin);
        let log_c = -sigma.ln() - LN_SQRT_2PI;
        out.fill(0.0);
        let (lo, hi) = self.support;
        let cols = j0..j0 + out.len();
        // Tap k's columns within p's support and `cols`, and its (p, p ln p) from column 0.
        let tap = |k: usize| {
            // x index of μ_j + (k − m)·step is first + j·stride.
            let first = self.x.origin + k * self.thin - m * self.thin;
            let j_lo = lo
                .saturating_sub(first)
                .div_ceil(self.x.stride)
                .max(cols.start);
            let j_hi = hi
                .checked_sub(first)
                .map_or(0, |d| d / self.x.stride + 1)
                .min(cols.end);
            let (phase, at) = (first % self.x.stride, first / self.x.stride);
            let end = at + j_hi.max(j_lo);
            (
                j_lo..j_hi.max(j_lo),
                &self.p[phase][at..end],
                &self.p_ln_p[phase][at..end],
            )
        };
        let excess = |s: f64, plp: f64| s * fastlog::ln(s) - plp;
        // Taps m − i and m + i share q: one pass over their common columns (two independent
        // logs a column, half the loads and stores of the sums), then the rest of each.
        for i in 0..=m {
            let t = i as f64 * step / sigma;
            let lq = log_c - 0.5 * t * t;
            let q = lq.exp();
            let qlq = q * lq;
            let (ra, pa, la) = tap(m - i);
            if i == 0 {
                for j in ra {
                    out[j - j0] += excess(pa[j] + q, la[j]) - qlq;
                }
                continue;
            }
            let (rb, pb, lb) = tap(m + i);
            let both = ra.start.max(rb.start)..ra.end.min(rb.end);
            if both.start < both.end {
                let o = &mut out[both.start - j0..both.end - j0];
                let (pa, la) = (&pa[both.clone()], &la[both.clone()]);
                let (pb, lb) = (&pb[both.clone()], &lb[both.clone()]);
                for c in 0..o.len() {
                    o[c] += (excess(pa[c] + q, la[c]) + excess(pb[c] + q, lb[c])) - 2.0 * qlq;
                }
            }
            let alone = |r: &std::ops::Range<usize>| {
                let cut = both.start.clamp(r.start, r.end)..both.end.clamp(r.start, r.end);
                [r.start..cut.start, cut.end..r.end]
            };
            for (r, p, l) in [(&ra, pa, la), (&rb, pb, lb)] {
                for part in alone(r) {
                    for j in part {
                        out[j - j0] += excess(p[j] + q, l[j]) - qlq;
                    }
                }
            }
        }
        for v in out.iter_mut() {
            *v = (std::f64::consts::LN_2 - 0.5 * step * *v).clamp(0.0, std::f64::consts::LN_2);
        }
    }
}

/// w0·exp(−a k²) for k = 0..=len/2 (a Gaussian's transform on an FFT's frequencies) by a
/// two-multiply recurrence in k: no libm call per frequency.
fn gaussian_spectrum(len: usize, a: f64, w0: f64) -> Vec<f64> {
    let mut w = w0;
    let (mut r, rr) = ((-a).exp(), (-2.0 * a).exp());
    (0..=len / 2)
        .map(|_| {
            let v = w;
            w *= r;
            r *= rr;
            v
        })
        .collect()
}

/// The FFT length for `n` points: the next power of two (Radix4's lengths).
pub(crate) fn fft_len(n: usize) -> usize {
    n.next_power_of_two().max(16)
}
