//! The integration machinery behind `eval`: one (p, q) pair with the breakpoints its
//! integrals share (component peaks, where two components trade dominance, tilted peaks of
//! p^a q^(1−a), density crossings), and the quadrature integrands of every divergence
//! without a closed form. Each integrand returns `[value, ∂/∂μ, ∂/∂σ]`.

use crate::quad::{integrate, Tol};
use crate::target::{Gaussian, Target, LN_SQRT_2PI};

/// `[β p + (1−β) q − p^β q^(1−β)] / (β(1−β))` from ln p and ln q, continuous at β ∈ {0, 1}
/// (where it is the forward and reverse KL integrands plus q − p) and pointwise ≥ 0.
/// Integrated over x it is `amari` with β = (1+α)/2. Computed without cancellation: a series
/// near p = q, `expm1` elsewhere, log space where a power overflows.
#[inline]
pub(crate) fn alpha_term(lp: f64, lq: f64, beta: f64) -> f64 {
    // The expression is symmetric under (p, q, β) ↔ (q, p, 1−β): work with b ≥ ½.
    let (la, lb, b) = if beta >= 0.5 {
        (lp, lq, beta)
    } else {
        (lq, lp, 1.0 - beta)
    };
    let d = la - lb;
    if d.abs() * b.max(1.0) < 0.5 {
        // e^{lb} Σ_{n≥2} dⁿ/n! · (1 + b + … + b^{n−2})
        let (mut term, mut h, mut bpow, mut sum) = (d, 0.0, 1.0, 0.0);
        for n in 2..60 {
            term *= d / n as f64;
            h += bpow;
            bpow *= b;
            let t = term * h;
            sum += t;
            if t.abs() <= 1e-17 * sum.abs() {
                break;
            }
        }
        return lb.exp() * sum;
    }
    let e = 1.0 - b;
    let a = la.exp();
    // a · expm1(−e d)/e, the last piece in log space when it may overflow.
    let ab = if e == 0.0 {
        -d * a
    } else if (e * d).abs() < 1.0 {
        a * (-e * d).exp_m1() / e
    } else {
        ((la - e * d).exp() - a) / e
    };
    (lb.exp() - a - ab) / b
}

/// ∂/∂ln q of [`alpha_term`]: `−q·expm1(β d)/β` with d = ln p − ln q (β = 0: −q d).
#[inline]
fn alpha_term_dlq(lp: f64, lq: f64, beta: f64) -> f64 {
    let d = lp - lq;
    let bd = beta * d;
    if beta == 0.0 {
        -lq.exp() * d
    } else if bd.abs() < 1.0 {
        -lq.exp() * bd.exp_m1() / beta
    } else {
        -((lq + bd).exp() - lq.exp()) / beta
    }
}

/// φ(d) = (1 + d) ln(1 + d) + (1 − d) ln(1 − d) for d² < 0.01, by its series
/// Σ_{k≥1} d^{2k} / (k(2k − 1)) (nine terms reach 1e-18 relative): no cancellation.
fn js_phi_small(d: f64) -> f64 {
    let d2 = d * d;
    let mut s = 0.0;
    for k in (1..=9).rev() {
        s = d2 * (1.0 / (k * (2 * k - 1)) as f64 + s);
    }
    s
}

/// ln(e^a + e^b).
#[inline]
fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// `∫ p^a q^(1−a)` is finite iff `a/s_max² + (1−a)/σ² > 0` (SPEC §2).
pub fn power_integral_finite(p: &Target, q: &Gaussian, a: f64) -> bool {
    let s = p.max_std();
    a / (s * s) + (1.0 - a) / (q.sigma * q.sigma) > 0.0
}

/// Which breakpoints a [`Pair`] anchors its integrals on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchors {
    /// Dense anchors, for `eval`'s 1e-9 tolerance.
    Exact,
    /// Half the anchors, for landscape tolerance: half the cost, still far below 1e-6.
    Lean,
}

/// One (p, q) pair with the breakpoints that every integral over it shares.
pub(crate) struct Pair<'a> {
    pub p: &'a Target,
    pub q: Gaussian,
    lq0: f64,
    base: Vec<f64>,
}

const OFFSETS: [f64; 9] = [-8.0, -4.0, -1.5, -0.5, 0.0, 0.5, 1.5, 4.0, 8.0];
/// Fewer anchors for landscape tolerance: half the cost, still far below 1e-6.
const LEAN_OFFSETS: [f64; 5] = [-6.0, -2.0, 0.0, 2.0, 6.0];

impl<'a> Pair<'a> {
    /// The pair with breakpoints anchored as `anchors` says.
    pub fn new(p: &'a Target, q: Gaussian, anchors: Anchors) -> Self {
        let lean = anchors == Anchors::Lean;
        let offsets: &[f64] = if lean { &LEAN_OFFSETS } else { &OFFSETS };
        let transition: &[f64] = if lean { &[4.0] } else { &[1.0, 4.0, 16.0] };
        let mut base = Vec::with_capacity(16 * (p.len() + 1));
        // Each Gaussian (q last, with weight one) and where two of them trade dominance.
        let mut gs: Vec<(f64, f64, f64)> = p
            .components()
            .iter()
            .enumerate()
            .map(|(k, c)| (p.log_component(k, c.mean), c.mean, c.std))
            .collect();
        gs.push((-q.sigma.ln() - LN_SQRT_2PI, q.mu, q.sigma));
        let q_at = gs.len() - 1;
        for &(_, m, s) in &gs {
            base.extend(offsets.iter().map(|o| m + o * s));
        }
        let log_g = |g: &(f64, f64, f64), x: f64| {
            let z = (x - g.1) / g.2;
            g.0 - 0.5 * z * z
        };
        for i in 0..gs.len() {
            for j in i + 1..gs.len() {
                for x in crossings(gs[i], gs[j]) {
                    let top = log_g(&gs[i], x);
                    let others = gs
                        .iter()
                        .enumerate()
                        // A switch of p's score matters wherever q is: between two of
                        // p's components, only p's others can hide it.
                        .filter(|&(k, _)| k != i && k != j && (j == q_at || k != q_at))
                        .map(|(_, g)| log_g(g, x))
                        .fold(f64::NEG_INFINITY, f64::max);
                    if top > others - 5.0 {
                        // ln p turns from one quadratic to the other over a width
                        // 1/|score_i − score_j|: anchor that transition too.
                        let gi = -(x - gs[i].1) / (gs[i].2 * gs[i].2);
                        let gj = -(x - gs[j].1) / (gs[j].2 * gs[j].2);
                        let tau = 1.0 / (gi - gj).abs().max(1e-300);
                        base.push(x);
                        for o in transition {
                            base.extend([x - o * tau, x + o * tau]);
                        }
                    }
                }
            }
        }
        base.retain(|x| x.is_finite());
        base.sort_unstable_by(f64::total_cmp);
        base.dedup();
        Self {
            p,
            q,
            lq0: -q.sigma.ln() - LN_SQRT_2PI,
            base,
        }
    }

    #[inline]
    pub fn lq(&self, x: f64) -> f64 {
        let z = (x - self.q.mu) / self.q.sigma;
        self.lq0 - 0.5 * z * z
    }

    /// Breakpoints for an integrand whose log-magnitude is about `env(x)`: the shared anchors
    /// plus `extra`, cut to where `env` is within 110 nats of its largest anchor value.
    pub fn breaks(&self, extra: &[f64], env: impl Fn(f64) -> f64) -> Vec<f64> {
        let mut pts: Vec<f64> = self.base.iter().chain(extra).copied().collect();
        pts.retain(|x| x.is_finite());
        pts.sort_unstable_by(f64::total_cmp);
        pts.dedup();
        let top = pts
            .iter()
            .map(|&x| env(x))
            .fold(f64::NEG_INFINITY, f64::max);
        let floor = top - 110.0;
        let step0 = self.p.max_std().max(self.q.sigma);
        let walk = |mut x: f64, dir: f64| {
            let mut step = step0;
            for _ in 0..400 {
                if env(x) < floor {
                    break;
                }
                x += dir * step;
                step *= 1.5;
            }
            x
        };
        // Trim anchors that lie deep in negligible tails, then walk outwards.
        let first = pts.iter().position(|&x| env(x) >= floor).unwrap_or(0);
        let last = pts
            .iter()
            .rposition(|&x| env(x) >= floor)
            .unwrap_or(pts.len() - 1);
        let lo = walk(pts[first], -1.0);
        let hi = walk(pts[last], 1.0);
        let mut out = Vec::with_capacity(last - first + 3);
        out.push(lo);
        out.extend(
            pts[first..=last]
                .iter()
                .copied()
                .filter(|&x| x > lo && x < hi),
        );
        out.push(hi);
        out
    }

    /// Anchors at the peaks of `p_k^a q^(1−a)` for each component (centre ± 0, 2, 6 widths).
    pub(crate) fn tilted(&self, a: f64) -> Vec<f64> {
        let mut v = Vec::new();
        let iq = 1.0 / (self.q.sigma * self.q.sigma);
        for c in self.p.components() {
            let ic = 1.0 / (c.std * c.std);
            let prec = a * ic + (1.0 - a) * iq;
            if prec > 0.0 {
                let centre = (a * c.mean * ic + (1.0 - a) * self.q.mu * iq) / prec;
                let w = prec.sqrt().recip();
                v.extend([-6.0, -2.0, 0.0, 2.0, 6.0].iter().map(|o| centre + o * w));
            }
        }
        v
    }

    /// Where ln p = ln q, found by scanning between anchors and bisecting.
    pub(crate) fn density_crossings(&self, breaks: &[f64]) -> Vec<f64> {
        let d = |x: f64| self.p.log_pdf(x) - self.lq(x);
        let mut out = Vec::new();
        for w in breaks.windows(2) {
            let n = 24;
            let mut x0 = w[0];
            let mut d0 = d(x0);
            for k in 1..=n {
                let x1 = w[0] + (w[1] - w[0]) * k as f64 / n as f64;
                let d1 = d(x1);
                if d0 == 0.0 {
                    out.push(x0);
                } else if d0 * d1 < 0.0 {
                    let (mut a, mut b, mut da) = (x0, x1, d0);
                    for _ in 0..200 {
                        let m = 0.5 * (a + b);
                        if m <= a || m >= b {
                            break;
                        }
                        let dm = d(m);
                        if dm * da > 0.0 {
                            a = m;
                            da = dm;
                        } else {
                            b = m;
                        }
                    }
                    out.push(0.5 * (a + b));
                }
                x0 = x1;
                d0 = d1;
            }
        }
        out
    }

    pub(crate) fn env_pq(&self, x: f64) -> f64 {
        self.p.log_pdf(x).max(self.lq(x))
    }

    /// ∫ alpha_term(β): amari with β = (1+α)/2, and its gradient in (μ, σ).
    pub(crate) fn alpha_integral(&self, beta: f64, tol: Tol, grad: bool) -> [f64; 3] {
        let env = |x: f64| {
            let (lp, lq) = (self.p.log_pdf(x), self.lq(x));
            lp.max(lq).max(beta * lp + (1.0 - beta) * lq)
        };
        let br = self.breaks(&self.tilted(beta), env);
        if grad {
            integrate(
                |x| {
                    let (lp, lq) = (self.p.log_pdf(x), self.lq(x));
                    let g = alpha_term_dlq(lp, lq, beta);
                    let dq = self.q.dlog(x);
                    [alpha_term(lp, lq, beta), g * dq[0], g * dq[1]]
                },
                &br,
                tol,
            )
        } else {
            let v = integrate(
                |x| [alpha_term(self.p.log_pdf(x), self.lq(x), beta)],
                &br,
                tol,
            );
            [v[0], 0.0, 0.0]
        }
    }

    /// ln ∫ p^a q^(1−a) and the gradient of that log in (μ, σ).
    pub(crate) fn log_power_integral(&self, a: f64, tol: Tol, grad: bool) -> [f64; 3] {
        let h = |x: f64| a * self.p.log_pdf(x) + (1.0 - a) * self.lq(x);
        let br = self.breaks(&self.tilted(a), h);
        let shift = br.iter().map(|&x| h(x)).fold(f64::NEG_INFINITY, f64::max);
        let v = integrate(
            |x| {
                let w = (h(x) - shift).exp();
                if grad {
                    let dq = self.q.dlog(x);
                    // ∂/∂θ of p^a q^(1−a) is (1−a) p^a q^(1−a) ∂_θ ln q.
                    [w, (1.0 - a) * w * dq[0], (1.0 - a) * w * dq[1]]
                } else {
                    [w, 0.0, 0.0]
                }
            },
            &br,
            tol,
        );
        [shift + v[0].ln(), v[1] / v[0], v[2] / v[0]]
    }

    /// `amari` with β = (1+α)/2 (and, scaled, `hellinger`, `neyman_chi2`, the KLs).
    pub(crate) fn amari_beta(&self, beta: f64, tol: Tol, grad: bool) -> [f64; 3] {
        if !power_integral_finite(self.p, &self.q, beta) {
            return [f64::INFINITY; 3];
        }
        if !(0.0..=1.0).contains(&beta) {
            // Far from I = 1 there is no cancellation: work in log space, which cannot overflow.
            let [li, g0, g1] = self.log_power_integral(beta, tol, grad);
            if li > 1.0 {
                let c = beta * (beta - 1.0);
                // (I − 1)/c and its gradient I·∇ln I / c
                let v = (li + (-(-li).exp_m1()).ln() - c.ln()).exp();
                let s = (li - c.ln()).exp();
                return [v, s * g0, s * g1];
            }
        }
        self.alpha_integral(beta, tol, grad)
    }

    /// `renyi` of order a (a = 1: forward KL).
    pub(crate) fn renyi(&self, a: f64, tol: Tol, grad: bool) -> [f64; 3] {
        if a == 1.0 {
            return self.alpha_integral(1.0, tol, grad);
        }
        if !power_integral_finite(self.p, &self.q, a) {
            return [f64::INFINITY; 3];
        }
        let [li, g0, g1] = self.log_power_integral(a, tol, grad);
        let k = 1.0 / (a - 1.0);
        if li.abs() < 0.5 {
            // I − 1 = a(a−1)·∫alpha_term(a): no cancellation near I = 1.
            let t = self.alpha_integral(a, tol, false)[0];
            return [(a * (a - 1.0) * t).ln_1p() * k, k * g0, k * g1];
        }
        [li * k, k * g0, k * g1]
    }

    pub(crate) fn jensen_shannon(&self, tol: Tol, grad: bool) -> [f64; 3] {
        let br = self.breaks(&[], |x| self.env_pq(x));
        integrate(
            |x| {
                let (lp, lq) = (self.p.log_pdf(x), self.lq(x));
                let lm = log_add_exp(lp, lq) - std::f64::consts::LN_2;
                let q = lq.exp();
                // With m = (p + q)/2 and d = (p − q)/(p + q), the integrand is ½m·φ(d): its two
                // terms cancel to O(d²) where p ≈ q, the bulk of the integral near JS's minima.
                let d = (0.5 * (lp - lq)).tanh();
                let v = if d * d < 0.01 {
                    0.5 * lm.exp() * js_phi_small(d)
                } else {
                    0.5 * (lp.exp() * (lp - lm) + q * (lq - lm))
                };
                if grad {
                    let g = 0.5 * q * (lq - lm);
                    let dq = self.q.dlog(x);
                    [v, g * dq[0], g * dq[1]]
                } else {
                    [v, 0.0, 0.0]
                }
            },
            &br,
            tol,
        )
    }

    pub(crate) fn total_variation(&self, tol: Tol, grad: bool) -> [f64; 3] {
        let br = self.breaks(&[], |x| self.env_pq(x));
        let mut all = br.clone();
        all.extend(self.density_crossings(&br));
        all.sort_unstable_by(f64::total_cmp);
        all.dedup();
        integrate(
            |x| {
                let (p, q) = (self.p.log_pdf(x).exp(), self.lq(x).exp());
                let v = 0.5 * (p - q).abs();
                if grad {
                    let g = 0.5 * (q - p).signum() * q * ((q - p) != 0.0) as u8 as f64;
                    let dq = self.q.dlog(x);
                    [v, g * dq[0], g * dq[1]]
                } else {
                    [v, 0.0, 0.0]
                }
            },
            &all,
            tol,
        )
    }

    pub(crate) fn fisher(&self, tol: Tol, grad: bool) -> [f64; 3] {
        let br = self.breaks(&[], |x| self.lq(x));
        let (mu, s2) = (self.q.mu, self.q.sigma * self.q.sigma);
        integrate(
            |x| {
                let lq = self.lq(x);
                let q = lq.exp();
                let diff = self.p.score_gap(x, &self.q);
                let v = q * diff * diff;
                if grad {
                    let dq = self.q.dlog(x);
                    let ds = [1.0 / s2, 2.0 * (x - mu) / (s2 * self.q.sigma)];
                    [
                        v,
                        v * dq[0] + 2.0 * q * diff * ds[0],
                        v * dq[1] + 2.0 * q * diff * ds[1],
                    ]
                } else {
                    [v, 0.0, 0.0]
                }
            },
            &br,
            tol,
        )
    }

    /// E_{y∼q}[u_p(x, y)] for the IMQ kernel, by adaptive quadrature in y.
    pub fn ksd_inner(&self, x: f64, sx: f64, c: f64, beta: f64, br: &[f64], tol: Tol) -> f64 {
        let (lo, hi) = (br[0], br[br.len() - 1]);
        let mut pts: Vec<f64> = br.to_vec();
        pts.extend(
            [-4.0, -1.0, 0.0, 1.0, 4.0]
                .iter()
                .map(|o| x + o * c)
                .filter(|&y| y > lo && y < hi),
        );
        pts.sort_unstable_by(f64::total_cmp);
        pts.dedup();
        integrate(
            |y| {
                let (_, sy, _) = self.p.log_pdf_derivs(y);
                [self.lq(y).exp() * imq_stein(x, y, sx, sy, c, beta)]
            },
            &pts,
            tol,
        )[0]
    }

    /// KSD² (and its gradient): on a uniform grid by FFT for landscapes and descents,
    /// else by the tensor Gauss–Legendre sum over every anchor ([`crate::rows::ksd`]).
    pub(crate) fn ksd(&self, c: f64, beta: f64, tol: Tol, grad: bool) -> [f64; 3] {
        if grad || tol.rel >= Tol::LANDSCAPE.rel {
            if let Some(r) = crate::rows::ksd::uniform(self.p, &self.q, c, beta) {
                return r;
            }
        }
        // Every transition anchor of s_p: rebuild them if this pair is lean.
        let full = Pair::new(self.p, self.q, Anchors::Exact);
        match crate::rows::ksd::tensor(&full, c, beta) {
            Some(r) => r,
            None => full.ksd_nested(c, beta, grad),
        }
    }

    /// KSD² by nested adaptive quadrature of SPEC's u_p: slow (seconds), for kernels far
    /// narrower than q over finely featured targets, where no fixed node set fits.
    fn ksd_nested(&self, c: f64, beta: f64, grad: bool) -> [f64; 3] {
        let br = self.breaks(&[], |x| self.lq(x));
        // A double integral: 1e-10 outside and 1e-11 inside meet SPEC's 1e-7 for `ksd`
        // without chasing rounding noise; at most 300 pieces each way.
        let tol = Tol {
            rel: 1e-10,
            max_intervals: 300,
            ..Tol::EXACT
        };
        let inner_tol = Tol { rel: 1e-11, ..tol };
        integrate(
            |x| {
                let (_, sx, _) = self.p.log_pdf_derivs(x);
                let g = self.ksd_inner(x, sx, c, beta, &br, inner_tol) * self.lq(x).exp();
                if grad {
                    let dq = self.q.dlog(x);
                    // u is symmetric in (x, y): ∇E[u] = 2E[u ∂ln q(x)].
                    [g, 2.0 * g * dq[0], 2.0 * g * dq[1]]
                } else {
                    [g, 0.0, 0.0]
                }
            },
            &br,
            tol,
        )
    }
}

/// Stein kernel u_p(x, y) of the IMQ kernel k = (c² + (x−y)²)^(−β), given the scores.
#[inline]
pub fn imq_stein(x: f64, y: f64, sx: f64, sy: f64, c: f64, beta: f64) -> f64 {
    let d = x - y;
    let t = c * c + d * d;
    let k = t.powf(-beta);
    let kt = k / t;
    let kx = -2.0 * beta * d * kt;
    let kxy = 2.0 * beta * kt - 4.0 * beta * (beta + 1.0) * d * d * kt / t;
    sx * sy * k + (sy - sx) * kx + kxy
}

/// Real roots of ln g_i(x) = ln g_j(x) for two weighted Gaussians (log-peak, mean, std).
fn crossings(gi: (f64, f64, f64), gj: (f64, f64, f64)) -> Vec<f64> {
    let (li, mi, si) = gi;
    let (lj, mj, sj) = gj;
    // li − (x−mi)²/(2si²) = lj − (x−mj)²/(2sj²), in u = x − mi.
    let (ai, aj) = (0.5 / (si * si), 0.5 / (sj * sj));
    let dm = mi - mj;
    // aj (u + dm)² − ai u² + (li − lj) = 0
    let a = aj - ai;
    let b = 2.0 * aj * dm;
    let c = aj * dm * dm + li - lj;
    let mut out = Vec::new();
    if a.abs() <= 1e-12 * aj.max(ai) {
        if b != 0.0 {
            out.push(mi - c / b);
        }
    } else {
        let disc = b * b - 4.0 * a * c;
        if disc >= 0.0 {
            let sq = disc.sqrt();
            let qq = -0.5 * (b + b.signum() * sq);
            if qq != 0.0 {
                out.push(mi + qq / a);
                out.push(mi + c / qq);
            } else {
                out.push(mi);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_term_branches_agree() {
        // Compare the series, expm1 and log-space branches against a direct formula in a
        // regime where the direct formula is accurate (β away from 0 and 1, moderate d).
        for &beta in &[0.3, 0.5, 0.7, 1.5, -0.5, 3.0] {
            for &d in &[-3.0, -0.6, -0.2, 0.05, 0.3, 0.49, 0.51, 2.0, 5.0] {
                let (lp, lq) = (d - 1.3, -1.3);
                let (p, q) = (f64::exp(lp), f64::exp(lq));
                let direct = (beta * p + (1.0 - beta) * q - p.powf(beta) * q.powf(1.0 - beta))
                    / (beta * (1.0 - beta));
                let got = alpha_term(lp, lq, beta);
                assert!(
                    (got - direct).abs() <= 1e-11 * direct.abs().max(1e-3),
                    "β={beta} d={d}: {got} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn alpha_term_limits_are_the_kl_integrands() {
        for &d in &[-4.0, -0.3, 0.1, 0.7, 6.0] {
            let (lp, lq) = (d + 0.2, 0.2);
            let (p, q) = (f64::exp(lp), f64::exp(lq));
            let fkl = p * (lp - lq) - p + q;
            let rkl = q * (lq - lp) - q + p;
            assert!((alpha_term(lp, lq, 1.0) - fkl).abs() < 1e-13 * fkl.abs().max(1.0));
            assert!((alpha_term(lp, lq, 0.0) - rkl).abs() < 1e-13 * rkl.abs().max(1.0));
            let near = alpha_term(lp, lq, 1.0 - 1e-9);
            assert!(
                (near - fkl).abs() < 1e-7 * fkl.abs().max(1e-3),
                "{near} {fkl}"
            );
        }
    }

    #[test]
    fn js_phi_series_is_the_direct_form_without_its_cancellation() {
        // Where cancellation costs at most a few digits, the direct form is the reference.
        for &d in &[-0.0999, -0.06, -0.03, 0.02, 0.05, 0.0999] {
            let direct = (1.0 + d) * f64::ln_1p(d) + (1.0 - d) * f64::ln_1p(-d);
            let got = js_phi_small(d);
            assert!(
                (got - direct).abs() <= 1e-13 * direct,
                "d={d}: {got} vs {direct}"
            );
        }
        // At tiny d the direct form is noise; the series' first two terms are within 1e-17
        // relative of it (the third is d⁴/15 of the first).
        for &d in &[1e-4, -3e-6, 1e-9] {
            let two: f64 = d * d * (1.0 + d * d / 6.0);
            assert!((js_phi_small(d) - two).abs() <= 2.0 * f64::EPSILON * two);
        }
    }

    #[test]
    fn crossings_are_roots() {
        let gi = (-0.3, -1.0, 0.7);
        let gj = (-1.1, 2.0, 1.9);
        let f = |g: (f64, f64, f64), x: f64| g.0 - 0.5 * ((x - g.1) / g.2).powi(2);
        let xs = crossings(gi, gj);
        assert_eq!(xs.len(), 2);
        for x in xs {
            assert!((f(gi, x) - f(gj, x)).abs() < 1e-12);
        }
    }
}
