//! KSD²'s pressure ψ(x) = −2·E_{y∼q}[u_p(x, y)] at every x of a uniform grid at once. With
//! u_p = s(x)s(y)k + (s(y) − s(x))k_x + k_xy (k, k_x, k_xy functions of x − y), the
//! expectation is s(x)·[(qs)∗k − q∗k_x](x) + [(qs)∗k_x + q∗k_xy](x): four convolutions of
//! q·s and q with the kernel's three tables. On a uniform y grid whose spacing divides the x
//! step, every x − y is a grid offset, so one complex FFT of q·s + i·q and three kernel
//! transforms give all of them (the trapezoid rule, geometric here as for [`super::ksd`]).

use super::ksd::pole_distance;
use crate::conv::Ffts;
use crate::target::{Gaussian, Target, LN_SQRT_2PI};
use rustfft::num_complex::Complex;

/// Largest FFT of one pressure curve; beyond it the caller falls back to quadrature per x.
const MAX_LEN: usize = 1 << 17;

/// The IMQ kernel (c² + d²)^(−β) and its derivatives ∂ₓk and ∂ₓ∂ᵧk at d = x − y.
fn kernels(c2: f64, beta: f64, d: f64) -> [f64; 3] {
    let t = c2 + d * d;
    let k = t.powf(-beta);
    let kt = k / t;
    [
        k,
        -2.0 * beta * d * kt,
        2.0 * beta * kt - 4.0 * beta * (beta + 1.0) * d * d * kt / t,
    ]
}

/// ψ(x_i) of KSD² (IMQ kernel c, β) at x_i = x0 + i·dx, i < n, or None where the grid
/// would pass [`MAX_LEN`] (a kernel or a score feature far finer than the x window).
pub fn ksd_pressure_grid(
    p: &Target,
    q: &Gaussian,
    c: f64,
    beta: f64,
    x0: f64,
    dx: f64,
    n: usize,
) -> Option<Vec<f64>> {
    // The same spacing as KSD²'s uniform sum (~1e-14 of trapezoid error), dividing dx.
    let h_max = 0.2 * pole_distance(p).min(q.sigma).min(c);
    let (m, h) = if n > 1 {
        let m = (dx / h_max).ceil().max(1.0);
        (m, dx / m)
    } else {
        (1.0, h_max)
    };
    // q beyond 8.5σ: e^(−36) of its peak.
    let reach = 8.5 * q.sigma;
    let jlo = ((q.mu - reach - x0) / h).floor();
    let jhi = ((q.mu + reach - x0) / h).ceil();
    let g_last = (n.max(1) - 1) as f64 * m;
    let nf = jhi - jlo + 1.0;
    let need = 2.0 * nf + g_last;
    if !(need.is_finite() && need <= MAX_LEN as f64 && h > 0.0) {
        return None;
    }
    let (m, nf, g_last, jlo) = (m as usize, nf as usize, g_last as usize, jlo as i64);
    let len = (need as usize).next_power_of_two().max(16);
    let ffts = Ffts::new(len);
    let mut scratch = ffts.scratch();
    let zero = Complex::new(0.0, 0.0);
    // z_j = h·q(y)·(s(y) + i) at y_j = x0 + (jlo + j)·h.
    let lq0 = -q.sigma.ln() - LN_SQRT_2PI;
    let mut z = vec![zero; len];
    for (j, zj) in z.iter_mut().take(nf).enumerate() {
        let y = x0 + (jlo + j as i64) as f64 * h;
        let t = (y - q.mu) / q.sigma;
        let w = h * (lq0 - 0.5 * t * t).exp();
        let (_, s, _) = p.log_pdf_derivs(y);
        *zj = Complex::new(w * s, w);
    }
    ffts.forward(&mut z, &mut scratch);
    // Kernel tables at offsets x − y = (t + kmin)·h, kmin = −(jlo + nf − 1), t < nf + g_last.
    let kmin = -(jlo + nf as i64 - 1);
    let c2 = c * c;
    let mut tabs = [vec![zero; len], vec![zero; len], vec![zero; len]];
    for t in 0..nf + g_last {
        let k = kernels(c2, beta, (t as i64 + kmin) as f64 * h);
        for (tab, v) in tabs.iter_mut().zip(k) {
            tab[t].re = v;
        }
    }
    // Each product's inverse: (f ∗ K)[g] sits at linear index g + nf − 1.
    let conv = |tab: &mut Vec<Complex<f64>>, scratch: &mut Vec<Complex<f64>>| {
        ffts.forward(tab, scratch);
        for (a, b) in tab.iter_mut().zip(&z) {
            *a = (*a * b).conj();
        }
        ffts.forward(tab, scratch);
        let scale = 1.0 / len as f64;
        (0..n.max(1))
            .map(|i| tab[i * m + nf - 1].conj() * scale)
            .collect::<Vec<_>>()
    };
    let [tk, tkx, tkxy] = &mut tabs;
    let ck = conv(tk, &mut scratch);
    let ckx = conv(tkx, &mut scratch);
    let ckxy = conv(tkxy, &mut scratch);
    Some(
        (0..n)
            .map(|i| {
                let x = x0 + i as f64 * dx;
                let (_, sx, _) = p.log_pdf_derivs(x);
                // Re: ∫q s ·K, Im: ∫q ·K.
                let e = sx * (ck[i].re - ckx[i].im) + ckx[i].re + ckxy[i].im;
                -2.0 * e
            })
            .collect(),
    )
}
