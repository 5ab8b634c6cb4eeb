//! Total variation ½∫|p − q| in closed form: ∫(p − q) = 0, so TV = Σ (P − Q)(I) over the
//! intervals I where p > q, with P and Q the mixture's and q's masses (Φ differences by
//! `erfc`, no cancellation in either tail). Only the crossings of p and q need a search:
//! they lie near the roots of wₖNₖ = q and near p's switch points, which seed a bracketing
//! scan; each bracket is refined by safeguarded Newton on ln p − ln q.

use crate::target::{Gaussian, Target};

/// Mass of N(m, s²) over [a, b] (a < b, either may be infinite), accurate in both tails.
fn mass(m: f64, s: f64, a: f64, b: f64) -> f64 {
    let r = std::f64::consts::FRAC_1_SQRT_2 / s;
    let (za, zb) = ((a - m) * r, (b - m) * r);
    if za >= 0.0 {
        0.5 * (libm::erfc(za) - libm::erfc(zb))
    } else if zb <= 0.0 {
        0.5 * (libm::erfc(-zb) - libm::erfc(-za))
    } else {
        1.0 - 0.5 * (libm::erfc(-za) + libm::erfc(zb))
    }
}

/// N(z; 0, 1) without its 1/√(2π), times z^k, zero at infinite z.
fn phi_z(z: f64, k: i32) -> f64 {
    if z.is_infinite() {
        0.0
    } else {
        (-0.5 * z * z).exp() * z.powi(k)
    }
}

/// The real roots of ln g₁ = ln g₂ for weighted Gaussians (log-peak, mean, std).
fn roots(g1: (f64, f64, f64), g2: (f64, f64, f64), out: &mut Vec<f64>) {
    let (l1, m1, s1) = g1;
    let (l2, m2, s2) = g2;
    // l1 − (x−m1)²/(2s1²) = l2 − (x−m2)²/(2s2²): a x² + b x + c = 0.
    let (a1, a2) = (0.5 / (s1 * s1), 0.5 / (s2 * s2));
    let a = a2 - a1;
    let b = 2.0 * (a1 * m1 - a2 * m2);
    let c = a2 * m2 * m2 - a1 * m1 * m1 + l1 - l2;
    if a.abs() <= 1e-12 * a1.max(a2) {
        if b != 0.0 {
            out.push(-c / b);
        }
        return;
    }
    let disc = b * b - 4.0 * a * c;
    if disc >= 0.0 {
        let qq = -0.5 * (b + b.signum() * disc.sqrt());
        out.push(qq / a);
        if qq != 0.0 {
            out.push(c / qq);
        }
    }
}

/// The points where p and q cross, sorted.
pub fn crossings(p: &Target, q: &Gaussian) -> Vec<f64> {
    let cs = p.components();
    let lq0 = -q.sigma.ln() - crate::target::LN_SQRT_2PI;
    let gq = (lq0, q.mu, q.sigma);
    let g = |k: usize| (p.log_component(k, cs[k].mean), cs[k].mean, cs[k].std);
    let n = cs.len();
    let mut seeds = Vec::with_capacity(2 + 3 * n + n * n);
    seeds.push(q.mu);
    for i in 0..n {
        seeds.push(cs[i].mean);
        roots(g(i), gq, &mut seeds);
        for j in i + 1..n {
            roots(g(i), g(j), &mut seeds);
        }
    }
    seeds.retain(|x| x.is_finite());
    seeds.sort_by(f64::total_cmp);
    seeds.dedup();
    let d = |x: f64| {
        let (lp, sp, _) = p.log_pdf_derivs(x);
        let z = (x - q.mu) / q.sigma;
        (lp - (lq0 - 0.5 * z * z), sp + z / q.sigma)
    };
    // Scan points: the seeds, midpoints between them, and a margin beyond each end.
    let width = p.max_std().max(q.sigma);
    let (first, last) = (seeds[0], seeds[seeds.len() - 1]);
    let mut xs = Vec::with_capacity(2 * seeds.len() + 8);
    for k in [32.0, 2.0] {
        xs.push(first - k * width);
    }
    for w in seeds.windows(2) {
        xs.push(w[0]);
        xs.push(0.5 * (w[0] + w[1]));
    }
    xs.push(last);
    for k in [2.0, 32.0] {
        xs.push(last + k * width);
    }
    // The scan needs values only; the refinement, the score too.
    let value = |x: f64| {
        let z = (x - q.mu) / q.sigma;
        p.log_pdf(x) - (lq0 - 0.5 * z * z)
    };
    let mut out = Vec::with_capacity(2 * n + 2);
    let (mut x0, mut d0) = (xs[0], value(xs[0]));
    for &x1 in &xs[1..] {
        let d1 = value(x1);
        if d0 == 0.0 {
            out.push(x0);
        } else if d0 * d1 < 0.0 {
            out.push(refine(&d, (x0, d0), (x1, d1), 1e-11 * width));
        }
        x0 = x1;
        d0 = d1;
    }
    out.dedup();
    out
}

/// The root of `d` in [a, b] (d(a) = da has the other sign from d(b) = db) to within `eps`:
/// from the secant point, Newton steps kept inside a shrinking bracket, bisection when a
/// step leaves it. |p − q| vanishes at the root, so TV's error is second order in `eps`.
fn refine(
    d: &impl Fn(f64) -> (f64, f64),
    (mut a, da): (f64, f64),
    (mut b, db): (f64, f64),
    eps: f64,
) -> f64 {
    let mut x = a - da * (b - a) / (db - da);
    if !(x > a.min(b) && x < a.max(b)) {
        x = 0.5 * (a + b);
    }
    for _ in 0..200 {
        let (v, g) = d(x);
        if v == 0.0 {
            return x;
        }
        if (v > 0.0) == (da > 0.0) {
            a = x;
        } else {
            b = x;
        }
        let newton = x - v / g;
        let next = if newton > a.min(b) && newton < a.max(b) {
            newton
        } else {
            0.5 * (a + b)
        };
        if (next - x).abs() <= eps || next == a || next == b {
            return next;
        }
        x = next;
    }
    x
}

/// TV and its gradient (∂/∂μ, ∂/∂σ) at q, in closed form.
pub fn total_variation(p: &Target, q: &Gaussian) -> [f64; 3] {
    let cross = crossings(p, q);
    let mut edges = Vec::with_capacity(cross.len() + 2);
    edges.push(f64::NEG_INFINITY);
    edges.extend(cross);
    edges.push(f64::INFINITY);
    let lq0 = -q.sigma.ln() - crate::target::LN_SQRT_2PI;
    let (mut tv, mut gm, mut gs) = (0.0, 0.0, 0.0);
    for w in edges.windows(2) {
        let (a, b) = (w[0], w[1]);
        // The sign of p − q inside (a, b), at a point well inside it.
        let x = match (a.is_finite(), b.is_finite()) {
            (true, true) => 0.5 * (a + b),
            (true, false) => a + p.max_std().max(q.sigma),
            (false, true) => b - p.max_std().max(q.sigma),
            _ => q.mu,
        };
        let z = (x - q.mu) / q.sigma;
        if p.log_pdf(x) <= lq0 - 0.5 * z * z {
            continue;
        }
        let pm: f64 = p
            .components()
            .iter()
            .map(|c| c.weight * mass(c.mean, c.std, a, b))
            .sum();
        tv += pm - mass(q.mu, q.sigma, a, b);
        // ∂Q(a, b)/∂μ = (φ(z_a) − φ(z_b))/σ, ∂Q/∂σ = (z_a φ(z_a) − z_b φ(z_b))/σ; TV = P − Q.
        let (za, zb) = ((a - q.mu) / q.sigma, (b - q.mu) / q.sigma);
        let k = (2.0 * std::f64::consts::PI).sqrt().recip() / q.sigma;
        gm -= k * (phi_z(za, 0) - phi_z(zb, 0));
        gs -= k * (phi_z(za, 1) - phi_z(zb, 1));
    }
    [tv.clamp(0.0, 1.0), gm, gs]
}
