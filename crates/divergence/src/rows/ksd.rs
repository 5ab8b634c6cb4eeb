//! KSD² = E_{x,y∼q}[δ(x) k(x−y) δ(y)] with δ = s_p − s_q (Liu et al.'s form of E[u_p]), a
//! symmetric quadratic form in q·δ. Two ways to sum it:
//! - [`tensor`]: 10-point Gauss–Legendre on both axes, pieces split at every anchor of the
//!   pair (components, q, and every switch point of s_p, see [`crate::rows`]) and no wider
//!   than the kernel's analyticity strip c or q: `eval`'s path (~1e-12 relative).
//! - [`uniform`]: the trapezoid rule on a uniform grid centred at μ, where the form is
//!   Toeplitz: K·v by one circulant FFT, so value and gradient cost O(n log n). Geometric
//!   convergence needs the spacing below the distance of s_p's and k's complex poles from
//!   the real axis; where that grid would be too large it declines (None).

use super::Mixture;
use crate::integrals::Pair;
use crate::target::{Gaussian, Target};
use rustfft::algorithm::Radix4;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftDirection};
use std::cell::RefCell;
use std::sync::Arc;

/// Most points per axis of the uniform grid (its FFT is the next power of two above 2n).
const MAX_UNIFORM: usize = 1 << 15;
/// Most Gauss–Legendre nodes per axis of the tensor sum (n² kernel values).
const MAX_TENSOR: usize = 5_000;

/// The IMQ kernel (c² + r²)^(−β).
#[inline]
fn imq(c2: f64, beta: f64, r: f64) -> f64 {
    let t = c2 + r * r;
    if beta == 0.5 {
        1.0 / t.sqrt()
    } else {
        t.powf(-beta)
    }
}

/// q's constants for [`weighted_delta`]: mean and 1/σ.
#[derive(Clone, Copy)]
struct QConsts {
    mu: f64,
    inv_s: f64,
}

impl QConsts {
    fn new(q: &Gaussian) -> QConsts {
        QConsts {
            mu: q.mu,
            inv_s: 1.0 / q.sigma,
        }
    }
}

/// w·q·δ at x and its derivatives in μ and σ: ∂(qδ) = q(δ ∂ln q + ∂δ), with ∂ln q =
/// (z/σ, (z² − 1)/σ) and ∂δ = (−1/σ², −2(x − μ)/σ³).
#[inline]
fn weighted_delta(mix: &Mixture, q: QConsts, x: f64, lq: f64, w: f64) -> [f64; 3] {
    let wq = w * lq.exp();
    let z = (x - q.mu) * q.inv_s;
    let delta = mix.score(x) + z * q.inv_s;
    [
        wq * delta,
        wq * (delta * z - q.inv_s) * q.inv_s,
        wq * (delta * (z * z - 1.0) - 2.0 * z * q.inv_s) * q.inv_s,
    ]
}

/// KSD² and its gradient (∂/∂μ, ∂/∂σ) by the tensor Gauss–Legendre sum, by [`uniform`]
/// where the tensor would pass [`MAX_TENSOR`] nodes a side and the uniform grid fits, or
/// None where neither fits (a kernel far narrower than q over a finely featured p: wider
/// pieces would not resolve the kernel).
pub(crate) fn tensor(pair: &Pair, c: f64, beta: f64) -> Option<[f64; 3]> {
    let br = pair.breaks(&[], |x| pair.lq(x));
    // Pieces no wider than c or σ: the kernel's poles at ±ic are then ≥ 2 half-widths off
    // each piece (Bernstein ρ ≥ 4.2, 10 nodes: ~1e-12).
    let (xs, ws) = crate::quad::gauss_legendre_nodes(&br, c.min(pair.q.sigma));
    if xs.len() > MAX_TENSOR {
        // Kernel much narrower than q: the uniform sum is as exact and far cheaper.
        return uniform(pair.p, &pair.q, c, beta);
    }
    let (mix, qc) = (Mixture::new(pair.p), QConsts::new(&pair.q));
    let a: Vec<[f64; 3]> = xs
        .iter()
        .zip(&ws)
        .map(|(&x, &w)| weighted_delta(&mix, qc, x, pair.lq(x), w))
        .collect();
    let c2 = c * c;
    let k0 = imq(c2, beta, 0.0);
    let (mut v, mut gm, mut gs) = (0.0, 0.0, 0.0);
    for i in 0..xs.len() {
        let (mut row, mut rm, mut rs) = (0.0, 0.0, 0.0);
        for j in 0..i {
            let k = imq(c2, beta, xs[i] - xs[j]);
            row += a[j][0] * k;
            rm += a[j][1] * k;
            rs += a[j][2] * k;
        }
        let ai = a[i];
        v += ai[0] * (2.0 * row + ai[0] * k0);
        // ∇ Σ a_i a_j k_ij = 2 Σ ∇a_i a_j k_ij over the full square.
        gm += 2.0 * (ai[1] * row + ai[0] * rm) + 2.0 * ai[1] * ai[0] * k0;
        gs += 2.0 * (ai[2] * row + ai[0] * rs) + 2.0 * ai[2] * ai[0] * k0;
    }
    Some([v, gm, gs])
}

/// The distance of p's nearest complex zero from the real axis, about: π s²/Δ for
/// components of std s a distance Δ apart (never more than the narrowest std).
pub(crate) fn pole_distance(p: &Target) -> f64 {
    let comps = p.components();
    let s_min = comps.iter().map(|c| c.std).fold(f64::INFINITY, f64::min);
    let (lo, hi) = comps
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), c| {
            (a.min(c.mean), b.max(c.mean))
        });
    (std::f64::consts::PI * s_min * s_min / (hi - lo).max(s_min)).min(s_min)
}

/// A uniform sum's FFT and its kernel's transform Λ (real: the kernel column is even).
struct Prepared {
    key: (usize, u64, u64, u64),
    fft: Arc<Radix4<f64>>,
    lam: Arc<Vec<f64>>,
}

thread_local! {
    /// The last few [`Prepared`] of this thread: a descent evaluates [`uniform`] hundreds of
    /// times with a handful of lengths, and twiddles and Λ were most of each call's cost.
    static PREPARED: RefCell<Vec<Prepared>> = const { RefCell::new(Vec::new()) };
}

/// Most [`Prepared`] kept per thread, and the longest kept (~400 KB each at most).
const PREPARED_KEPT: usize = 4;
const PREPARED_MAX_LEN: usize = 1 << 14;

/// The FFT of length `len` and Λ for kernel offsets of spacing `h`, from the cache. The
/// circulant holds the kernel at every offset up to len/2: a product with vectors of n ≤
/// len/2 + 1 points reads only offsets below n, so one Λ serves every n of this length.
fn prepared(len: usize, h: f64, c: f64, beta: f64) -> (Arc<Radix4<f64>>, Arc<Vec<f64>>) {
    let key = (len, h.to_bits(), c.to_bits(), beta.to_bits());
    PREPARED.with(|cell| {
        let mut kept = cell.borrow_mut();
        if let Some(k) = kept.iter().position(|e| e.key == key) {
            let e = kept.remove(k);
            let out = (Arc::clone(&e.fft), Arc::clone(&e.lam));
            kept.push(e);
            return out;
        }
        let fft = Arc::new(Radix4::new(len, FftDirection::Forward));
        let mut scratch = vec![Complex::new(0.0, 0.0); fft.get_inplace_scratch_len()];
        let c2 = c * c;
        let mut buf = vec![Complex::new(0.0, 0.0); len];
        for d in 0..=len / 2 {
            let k = imq(c2, beta, d as f64 * h);
            buf[d].re = k;
            if d > 0 {
                buf[len - d].re = k;
            }
        }
        fft.process_with_scratch(&mut buf, &mut scratch);
        let lam = Arc::new(buf.iter().map(|z| z.re).collect::<Vec<f64>>());
        if len > PREPARED_MAX_LEN {
            return (fft, lam);
        }
        if kept.len() >= PREPARED_KEPT {
            kept.remove(0);
        }
        kept.push(Prepared {
            key,
            fft: Arc::clone(&fft),
            lam: Arc::clone(&lam),
        });
        (fft, lam)
    })
}

/// KSD² and its gradient by the trapezoid rule on a uniform grid (one circulant FFT for
/// K·v), or None where the grid would pass [`MAX_UNIFORM`] points.
pub fn uniform(p: &Target, q: &Gaussian, c: f64, beta: f64) -> Option<[f64; 3]> {
    // exp(−2π d/h) with h = d/5: ~1e-14 of the trapezoid error.
    let h = 0.2 * pole_distance(p).min(q.sigma).min(c);
    // q(x)q(y) beyond 8.5σ: e^(−36) of the peak.
    let m = (8.5 * q.sigma / h).ceil();
    if !(m.is_finite() && 2.0 * m + 1.0 <= MAX_UNIFORM as f64) {
        return None;
    }
    let m = m as usize;
    let n = 2 * m + 1;
    let len = (2 * n - 1).next_power_of_two().max(16);
    let (fft, lam) = prepared(len, h, c, beta);
    let mut scratch = vec![Complex::new(0.0, 0.0); fft.get_inplace_scratch_len()];
    let lq0 = -q.sigma.ln() - crate::target::LN_SQRT_2PI;
    let (mix, qc) = (Mixture::new(p), QConsts::new(q));
    let a: Vec<[f64; 3]> = (0..n)
        .map(|k| {
            let t = (k as f64 - m as f64) * h / q.sigma;
            weighted_delta(&mix, qc, q.mu + t * q.sigma, lq0 - 0.5 * t * t, h)
        })
        .collect();
    let mut buf = vec![Complex::new(0.0, 0.0); len];
    for (b, v) in buf.iter_mut().zip(&a) {
        b.re = v[0];
    }
    fft.process_with_scratch(&mut buf, &mut scratch);
    // K v = IFFT(Λ·V)/len, the inverse as conj(FFT(conj(·))).
    for (b, &l) in buf.iter_mut().zip(lam.iter()) {
        *b = (*b * l).conj();
    }
    fft.process_with_scratch(&mut buf, &mut scratch);
    let (mut v, mut gm, mut gs) = (0.0, 0.0, 0.0);
    for (b, ak) in buf.iter().zip(&a) {
        let u = b.re / len as f64;
        v += ak[0] * u;
        gm += 2.0 * ak[1] * u;
        gs += 2.0 * ak[2] * u;
    }
    Some([v, gm, gs])
}
