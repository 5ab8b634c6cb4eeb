//! KSD² rows. In u = (x + y)/2, v = x − y the pair density of q = N(μ, σ²) factors,
//! q(x)q(y) = φ_{σ/√2}(u − μ)·φ_{σ√2}(v), and Stein's identity turns KSD² = E[δ(x)k δ(y)]
//! into E[u_p(x, y)] with u_p = k·s(x)s(y) + k′(v)(s(y) − s(x)) + k_xy(v), which involves μ
//! only through q. So KSD²(μ) = ∫du φ_{σ/√2}(u − μ) H(u) + C with
//! H(u) = ∫dv φ_{σ√2}(v)[k s(u + v/2)s(u − v/2) + k′(s(u − v/2) − s(u + v/2))] and
//! C = ∫dv φ_{σ√2} k_xy: H once per row on the u grid (N_u·N_v flops, no FFT), then one
//! Gaussian smoothing in μ. The lattice, u on spacing g and v on 2g, puts x and y on the
//! score table (spacing g): a product trapezoid rule whose error is ~exp(−2π d/g) in u
//! (s's poles at distance d) and ~exp(−2π min(2d, c)/(2g)) in v (k's branch points at ±ic).
//! Where KSD² is small against the size of the terms (q close to p), the cell is summed in
//! its δ form instead (a Toeplitz quadratic form, one FFT), which has no such cancellation.

use super::{fft_len, Ffts, XGrid};
use crate::landscape::Grid;
use crate::target::{Target, LN_SQRT_2PI};
use rustfft::num_complex::Complex;
use std::cmp::Ordering;
use std::sync::OnceLock;

/// The cut: (u − μ)²/σ² + v²/(4σ²) ≤ 5.2², where q(x)q(y) = φ(u)φ(v) is e^(−27) of its
/// peak (the u_p terms grow like s² in the tails: 4.8 left 3e-9 where they nearly cancel).
const REACH_U: f64 = 5.2;
const REACH_V: f64 = 10.4;
/// A cell below this share of its terms' size ([`KsdTable::scale`]) is summed in δ form.
const CANCEL: f64 = 1e-3;

/// KSD²'s table of the score of p on a uniform x grid, and its IMQ kernel.
#[derive(Clone, Debug)]
pub struct KsdTable {
    /// Table spacing h; μ steps of `stride` points.
    x: XGrid,
    /// The u lattice's spacing in table points (g = thin·h).
    thin: usize,
    score: Vec<f64>,
    c: f64,
    beta: f64,
    /// The steepest slope of p's components' scores, 1/s_min² (for [`KsdTable::scale`]).
    slope: f64,
    /// FFT plans by log₂ length, made on first use.
    ffts: Vec<OnceLock<Ffts>>,
    /// The longest FFT allowed (the plan's point limit).
    max_len: usize,
}

/// The IMQ kernel k = (c² + d²)^(−β), k′ = ∂ₓk and k_xy = ∂ₓ∂ᵧk at d = x − y.
#[inline]
fn kernels(c2: f64, beta: f64, d: f64) -> [f64; 3] {
    let t = c2 + d * d;
    let k = if beta == 0.5 {
        1.0 / t.sqrt()
    } else {
        t.powf(-beta)
    };
    let kt = k / t;
    [
        k,
        -2.0 * beta * d * kt,
        2.0 * beta * kt - 4.0 * beta * (beta + 1.0) * d * d * kt / t,
    ]
}

impl KsdTable {
    /// The table for KSD² (IMQ c, β) over `grid`: spacing within 0.25 of s's pole distance
    /// `d` and of σ_min, the v spacing 2g within 0.25c (the half-density lattice needs finer
    /// spacing than the full one: 0.3 left 1e-8); None if it would pass `max_points`
    /// or a μ step would need more than 64 table points.
    pub(super) fn new(
        p: &Target,
        c: f64,
        beta: f64,
        grid: &Grid,
        max_points: usize,
    ) -> Option<KsdTable> {
        let d = crate::rows::ksd::pole_distance(p);
        let sigma_min = grid.sigma.iter().copied().fold(f64::INFINITY, f64::min);
        let sigma_max = grid.sigma.iter().copied().fold(0.0, f64::max);
        let g_max = (0.25 * d).min(0.25 * sigma_min).min(0.125 * c);
        let dmu = grid.mu.get(1).map_or(1.0, |m1| m1 - grid.mu[0]);
        let stride = (dmu / g_max).ceil().max(1.0);
        if !stride.is_finite() || stride > 64.0 {
            return None;
        }
        let stride = stride as usize;
        let h = dmu / stride as f64;
        let thin = if stride == 1 {
            ((g_max / dmu).floor() as usize).clamp(1, 64)
        } else {
            1
        };
        let g = h * thin as f64;
        // Reach of the widest row: H's u window plus v/2, and the δ form's 6.5σ (below).
        let reach = ((REACH_U * sigma_max / g).ceil() + (0.5 * REACH_V * sigma_max / g).ceil())
            .max((6.5 * sigma_max / g).ceil())
            + 2.0;
        let margin = reach * thin as f64;
        let n = 2.0 * margin + ((grid.mu.len() - 1) * stride) as f64 + 1.0;
        if !(n.is_finite() && n <= max_points as f64) {
            return None;
        }
        // The δ form's FFT for the widest row (see `delta_cells`) within the limit too.
        let m = (6.5 * sigma_max / g).ceil() as usize;
        if fft_len(4 * m + 1) > max_points {
            return None;
        }
        let (margin, n) = (margin as usize, n as usize);
        let x0 = grid.mu[0] - margin as f64 * h;
        let score = (0..n)
            .map(|i| p.log_pdf_derivs(x0 + i as f64 * h).1)
            .collect();
        Some(KsdTable {
            x: XGrid {
                h,
                stride,
                origin: margin,
                mu0: grid.mu[0],
            },
            thin,
            score,
            c,
            beta,
            slope: p
                .components()
                .iter()
                .map(|k| 1.0 / (k.std * k.std))
                .fold(0.0, f64::max),
            ffts: vec![OnceLock::new(); usize::BITS as usize],
            max_len: max_points,
        })
    }

    /// KSD² along a row: the (u, v) form where it is cheaper than an FFT per two cells,
    /// cells whose terms cancel (and every cell otherwise) in δ form.
    pub(super) fn row(&self, sigma: f64, out: &mut [f64]) {
        let nm = out.len();
        let g = self.x.h * self.thin as f64;
        let nu = (REACH_U * sigma / g).ceil() as usize;
        let nv = (0.5 * REACH_V * sigma / g).ceil() as usize;
        let n_u = (nm - 1) * self.x.stride + 2 * nu * self.thin + 1;
        let uv_cost = (n_u * (nv + 1) + nm * (2 * nu + 1)) as f64;
        let len = fft_len(4 * ((6.5 * sigma / g).ceil() as usize) + 1) as f64;
        let delta_cost = 0.5 * nm as f64 * (2.0 * len * len.log2() + 4.0 * len);
        if uv_cost > delta_cost {
            let all: Vec<usize> = (0..nm).collect();
            self.delta_cells(sigma, &all, out);
            return;
        }
        let mut scale = vec![0.0; nm];
        self.uv_row(sigma, nu, nv, out, &mut scale);
        // (NaN compares as neither: such a cell is redone too.)
        let redo: Vec<usize> = (0..nm)
            .filter(|&j| out[j].partial_cmp(&(CANCEL * scale[j])) != Some(Ordering::Greater))
            .collect();
        if !redo.is_empty() {
            let mut vals = vec![0.0; redo.len()];
            self.delta_cells(sigma, &redo, &mut vals);
            for (&j, v) in redo.iter().zip(vals) {
                out[j] = v;
            }
        }
    }

    /// The (u, v) form at every cell of a row: `nu` u steps each side of μ, `nv` v steps;
    /// in `scale` the size of its terms (see [`KsdTable::scale`]).
    fn uv_row(&self, sigma: f64, nu: usize, nv: usize, out: &mut [f64], scale: &mut [f64]) {
        let (c2, beta) = (self.c * self.c, self.beta);
        let (thin, stride) = (self.thin, self.x.stride);
        let g = self.x.h * thin as f64;
        let nm = out.len();
        // v = 2mg with weight 2g·φ_{σ√2}(v) (twice for ±m, m > 0: the terms are even in v).
        let sv = sigma * std::f64::consts::SQRT_2;
        let log_cv = -sv.ln() - LN_SQRT_2PI;
        let mut c_term = 0.0;
        let taps: Vec<(f64, f64)> = (0..=nv)
            .map(|m| {
                let v = 2.0 * m as f64 * g;
                let t = v / sv;
                let w = if m == 0 { 2.0 } else { 4.0 } * g * (log_cv - 0.5 * t * t).exp();
                let [k, kx, kxy] = kernels(c2, beta, v);
                // w[k·s₊s₋ + k′(s₋ − s₊)] = wk·(s₊ + r)(s₋ − r) + wk·r² with r = k′/k.
                let r = kx / k;
                c_term += w * kxy + w * k * r * r;
                (w * k, r)
            })
            .collect();
        // H on the u points the row's smoothing reads: first at x index lo. Tap m is needed
        // only within e_m u steps of the μ range, where (u − μ)²/σ² + v²/(4σ²) stays inside
        // the cut (the ellipse REACH_U²): far fewer u points for the widest v.
        let lo = self.x.origin - nu * thin;
        let n_u = (nm - 1) * stride + 2 * nu * thin + 1;
        let mut hh = vec![0.0; n_u];
        let s = &self.score;
        let reach_at = |m: usize| {
            let r = REACH_U * REACH_U - (m as f64 * g / sigma).powi(2);
            ((r.max(0.0).sqrt() * sigma / g).ceil() as usize).min(nu)
        };
        // Tap m's slices s(u + v/2), s(u − v/2) and H over H's indices lo_m..hi_m.
        let at = |m: usize, e: usize| {
            let (a, b) = ((nu - e) * thin, n_u - (nu - e) * thin);
            let plus = lo + m * thin + a;
            let minus = lo + a - m * thin;
            (a, b - a, &s[plus..plus + b - a], &s[minus..minus + b - a])
        };
        // Four v taps per pass over H (a quarter of the loads and stores of H); plain indexed
        // loops over slices of one length, which vectorise.
        let mut quads = taps.chunks_exact(4);
        for (quad, m) in quads.by_ref().zip((0..).step_by(4)) {
            let [(a0, b0), (a1, b1), (a2, b2), (a3, b3)] = [quad[0], quad[1], quad[2], quad[3]];
            let e = reach_at(m);
            let (first, n, p0, q0) = at(m, e);
            let (_, _, p1, q1) = at(m + 1, e);
            let (_, _, p2, q2) = at(m + 2, e);
            let (_, _, p3, q3) = at(m + 3, e);
            let hh = &mut hh[first..first + n];
            for i in 0..n {
                hh[i] += (a0 * (p0[i] + b0) * (q0[i] - b0) + a1 * (p1[i] + b1) * (q1[i] - b1))
                    + (a2 * (p2[i] + b2) * (q2[i] - b2) + a3 * (p3[i] + b3) * (q3[i] - b3));
            }
        }
        let done = taps.len() - quads.remainder().len();
        for (m, &(a, b)) in taps.iter().enumerate().skip(done) {
            let (first, n, p, q) = at(m, reach_at(m));
            let hh = &mut hh[first..first + n];
            for i in 0..n {
                hh[i] += a * (p[i] + b) * (q[i] - b);
            }
        }
        // Smoothing by g·φ_{σ/√2}(u − μ); its weights' sum scales the constant term.
        let su = sigma * std::f64::consts::FRAC_1_SQRT_2;
        let log_cu = -su.ln() - LN_SQRT_2PI;
        let weights: Vec<f64> = (0..=2 * nu)
            .map(|k| {
                let t = (k as f64 - nu as f64) * g / su;
                g * (log_cu - 0.5 * t * t).exp()
            })
            .collect();
        let mass: f64 = weights.iter().sum();
        // s² on the same u points, smoothed alongside H: the size of the terms.
        let s2: Vec<f64> = s[lo..lo + n_u].iter().map(|v| v * v).collect();
        let len = fft_len(n_u);
        let fft_cost = 2 * len * len.trailing_zeros() as usize + 4 * len;
        if thin == 1 && len <= self.max_len && fft_cost < nm * weights.len() {
            self.smooth_fft(&hh, &s2, su, nu, out, scale);
        } else {
            out.fill(0.0);
            scale.fill(0.0);
            for (k, &w) in weights.iter().enumerate() {
                let at = k * thin;
                for (j, (o, e)) in out.iter_mut().zip(scale.iter_mut()).enumerate() {
                    *o += w * hh[at + j * stride];
                    *e += w * s2[at + j * stride];
                }
            }
        }
        for o in out.iter_mut() {
            *o = (*o + mass * c_term).max(0.0);
        }
        for e in scale.iter_mut() {
            *e = self.scale(*e, sigma);
        }
    }

    /// The size of a cell's terms k·s(x)s(y), k′·(s(y) − s(x)) and k_xy from E_u[s²] (its
    /// smoothing by φ_{σ/√2}), plus the σ²/2 that q's wider spread adds to it at s's
    /// steepest slope: the (u, v) form's rounding and lattice errors are a small share of it
    /// (|k| ≤ c^(−2β), |k′| ≤ 2β c^(−2β−1), |k_xy| ≤ 2β(2β + 1)c^(−2β−2)).
    fn scale(&self, eu_s2: f64, sigma: f64) -> f64 {
        let e2 = eu_s2.max(0.0) + 0.5 * (sigma * self.slope).powi(2);
        let (c, beta) = (self.c, self.beta);
        c.powf(-2.0 * beta)
            * (e2 + 4.0 * beta * e2.sqrt() / c + 2.0 * beta * (2.0 * beta + 1.0) / (c * c))
    }

    /// `out[j]` = Σ_n h·φ_{su}(n h)·hh[nu + j·stride + n] (table spacing h, lattice = table),
    /// and the same of `s2` in `scale`, by one complex FFT each way (hh + i·s2: the kernel is
    /// real and even, so the two stay apart). The sampled Gaussian's transform is
    /// exp(−su²ω²/2) to far below rounding while h ≤ su/4 (aliases e^(−2π² su²/h²)).
    fn smooth_fft(
        &self,
        hh: &[f64],
        s2: &[f64],
        su: f64,
        nu: usize,
        out: &mut [f64],
        scale: &mut [f64],
    ) {
        let len = fft_len(hh.len());
        let ffts = self.ffts(len);
        let mut buf = vec![Complex::new(0.0, 0.0); len];
        for (b, (&h, &e)) in buf.iter_mut().zip(hh.iter().zip(s2)) {
            *b = Complex::new(h, e);
        }
        let mut scratch = ffts.scratch();
        ffts.forward(&mut buf, &mut scratch);
        let a = 0.5 * (su * 2.0 * std::f64::consts::PI / (len as f64 * self.x.h)).powi(2);
        let w = super::gaussian_spectrum(len, a, 1.0 / len as f64);
        // The inverse as conj(FFT(conj(·))).
        for (k, b) in buf.iter_mut().enumerate() {
            *b = (*b * w[k.min(len - k)]).conj();
        }
        ffts.forward(&mut buf, &mut scratch);
        for (j, (o, e)) in out.iter_mut().zip(scale.iter_mut()).enumerate() {
            let z = buf[nu + j * self.x.stride];
            (*o, *e) = (z.re, -z.im);
        }
    }

    /// The FFT of power-of-two length `len`, planned on first use (its twiddles cost about
    /// as much as a transform).
    fn ffts(&self, len: usize) -> &Ffts {
        self.ffts[len.trailing_zeros() as usize].get_or_init(|| Ffts::new(len))
    }

    /// KSD² at columns `cols` of a row in δ form. With v_k = step·q(x_k)·(s_p(x_k) − s_q(x_k))
    /// over q's reach (N points), KSD² = Σ v_k v_l κ(x_k − x_l), a Toeplitz quadratic form;
    /// zero-padded to a circulant of length L ≥ 2N − 1 it is (1/L) Σ Λ_f |V_f|² with Λ, V the
    /// DFTs of the circulant's first column and of v. Two cells share one complex FFT.
    fn delta_cells(&self, sigma: f64, cols: &[usize], out: &mut [f64]) {
        let (c, beta) = (self.c, self.beta);
        let step = self.x.h * self.thin as f64;
        // q(x)q(y) beyond 6.5σ: e^(−21) of the peak, under 1e-8 of KSD² with its δ factors.
        let m = ((6.5 * sigma / step).ceil() as usize).min(self.x.origin / self.thin);
        let n = 2 * m + 1;
        let ffts = self.ffts(fft_len(2 * n - 1));
        let len = ffts.len();
        let c2 = c * c;
        let mut buf = vec![Complex::new(0.0, 0.0); len];
        for d in 0..n {
            let k = kernels(c2, beta, d as f64 * step)[0];
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
        // Per point of q's reach: its weight, s_q's part of δ, and its x index at column 0.
        let taps: Vec<(f64, f64, usize)> = (0..n)
            .map(|k| {
                let t = (k as f64 - m as f64) * step / sigma;
                let first = self.x.origin + k * self.thin - m * self.thin;
                let w = step * (log_c - 0.5 * t * t).exp();
                (w, t / sigma, first)
            })
            .collect();
        let stride = self.x.stride;
        let f = &self.score;
        for (pair, vals) in cols.chunks(2).zip(out.chunks_mut(2)) {
            let (ja, jb) = (pair[0], pair.get(1).copied());
            for (b, &(w, sq, first)) in buf.iter_mut().zip(&taps) {
                let im = jb.map_or(0.0, |jb| w * (f[first + jb * stride] + sq));
                *b = Complex::new(w * (f[first + ja * stride] + sq), im);
            }
            buf[n..].fill(Complex::new(0.0, 0.0));
            ffts.forward(&mut buf, &mut scratch);
            // V_a = (Z_f + conj Z_−f)/2, V_b = (Z_f − conj Z_−f)/(2i).
            let (mut ta, mut tb) = (0.0, 0.0);
            for (k, &w) in weight.iter().enumerate() {
                let (z, zc) = (buf[k], buf[(len - k) % len].conj());
                ta += w * (z + zc).norm_sqr();
                tb += w * (z - zc).norm_sqr();
            }
            vals[0] = ta.max(0.0);
            if let Some(v) = vals.get_mut(1) {
                *v = tb.max(0.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (u, v) form against the δ form (a different quadrature of a different integrand,
    /// itself within ~1e-9 of `eval`: its 6.5σ cut) on every cell of whole rows: the FFT smoothing (wide rows), the direct one (narrow
    /// rows, and lattices thinner than the table), one to eight components, several kernels.
    #[test]
    fn pair_form_matches_delta_form_cell_by_cell() {
        let cases = [
            ("0.5:-4:1,0.5:4:1", (-7.0, 7.0), (0.5, 5.0), 256, 1.0, 0.5),
            ("0.5:-4:1,0.5:4:1", (-7.0, 7.0), (0.5, 5.0), 9, 1.0, 0.5),
            ("0.5:-4:1,0.5:4:1", (-1.0, 1.0), (0.5, 3.0), 200, 1.0, 0.5),
            (
                "0.7:-2:0.8,0.3:3:1.6",
                (-6.0, 7.0),
                (0.3, 5.0),
                64,
                0.4,
                0.5,
            ),
            ("1:0:2", (-3.0, 3.0), (0.2, 4.0), 33, 3.0, 1.5),
            (
                "1:-7:1,1:-5:0.8,1:-3:1.2,1:-1:0.9,1:1:1,1:3:1.1,1:5:0.7,1:7:1",
                (-12.0, 12.0),
                (0.2, 8.0),
                48,
                1.0,
                0.25,
            ),
        ];
        for (spec, mu, sigma, nm, c, beta) in cases {
            let p = Target::parse(spec).unwrap();
            let grid = Grid::new(mu, sigma, nm, 5, false).unwrap();
            let t = KsdTable::new(&p, c, beta, &grid, 1 << 22).unwrap();
            let g = t.x.h * t.thin as f64;
            let mut compared = 0;
            for &s in &grid.sigma {
                let nu = (REACH_U * s / g).ceil() as usize;
                let nv = (0.5 * REACH_V * s / g).ceil() as usize;
                let (mut uv, mut delta, mut scale) = (vec![0.0; nm], vec![0.0; nm], vec![0.0; nm]);
                t.uv_row(s, nu, nv, &mut uv, &mut scale);
                let cols: Vec<usize> = (0..nm).collect();
                t.delta_cells(s, &cols, &mut delta);
                for (j, (a, b)) in uv.iter().zip(&delta).enumerate() {
                    // Cells whose terms cancel take the δ form in `row`.
                    if *a <= CANCEL * scale[j] {
                        continue;
                    }
                    compared += 1;
                    assert!(
                        (a - b).abs() <= 4e-9 * b.abs(),
                        "{spec} c={c} β={beta} σ={s} column {j}: (u, v) {a:e}, δ {b:e}"
                    );
                }
            }
            assert!(
                compared * 10 >= 9 * 5 * nm,
                "{spec}: {compared} cells compared"
            );
        }
    }

    /// Where q = p the terms of the (u, v) form cancel to rounding: the row falls back to
    /// the δ form, whose δ is exactly zero there.
    #[test]
    fn cancelling_cells_take_the_delta_form() {
        let p = Target::parse("1:0.5:1.5").unwrap();
        let grid = Grid::new((-1.5, 2.5), (1.0, 2.0), 9, 3, false).unwrap();
        let t = KsdTable::new(&p, 1.0, 0.5, &grid, 1 << 22).unwrap();
        let mut row = vec![1.0; 9];
        t.row(1.5, &mut row);
        assert_eq!(grid.mu[4], 0.5);
        // The (u, v) form leaves ~1e-15 there; the δ form only the FFT's rounding of zeros.
        assert!(row[4] < 1e-25, "{row:?}");
        assert!(row.iter().enumerate().all(|(j, &v)| j == 4 || v > 1e-3));
    }
}
