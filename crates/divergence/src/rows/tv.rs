//! Total variation ½∫|p − q| in closed form: ∫(p − q) = 0, so TV = Σ (P − Q)(I) over the
//! intervals I where p > q, with P and Q the mixture's and q's masses (Φ differences by
//! `erfc`, no cancellation in either tail). Only the crossings of p and q need a search:
//! they lie near the roots of wₖNₖ = q, near p's switch points, around the extremes of
//! wₖNₖ/q (a narrow component poking above q) and the dips of p against q at its switches;
//! these seed a bracketing scan, whose signs mostly come from bounds without exp or log;
//! each bracket is refined by safeguarded Newton on ln p − ln q.

use super::Mixture;
use crate::target::{Gaussian, Target, LN_SQRT_2PI, MAX_COMPONENTS};

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

/// The real roots of ln g₁ = ln g₂ for weighted Gaussians (log-peak, mean, std), into
/// `out`; their number returned.
fn roots(g1: (f64, f64, f64), g2: (f64, f64, f64), out: &mut [f64; 2]) -> usize {
    let (l1, m1, s1) = g1;
    let (l2, m2, s2) = g2;
    // l1 − (x−m1)²/(2s1²) = l2 − (x−m2)²/(2s2²): a x² + b x + c = 0.
    let (a1, a2) = (0.5 / (s1 * s1), 0.5 / (s2 * s2));
    let a = a2 - a1;
    let b = 2.0 * (a1 * m1 - a2 * m2);
    let c = a2 * m2 * m2 - a1 * m1 * m1 + l1 - l2;
    if a.abs() <= 1e-12 * a1.max(a2) {
        if b != 0.0 {
            out[0] = -c / b;
            return 1;
        }
        return 0;
    }
    let disc = b * b - 4.0 * a * c;
    if disc < 0.0 {
        return 0;
    }
    let qq = -0.5 * (b + b.signum() * disc.sqrt());
    out[0] = qq / a;
    if qq != 0.0 {
        out[1] = c / qq;
        return 2;
    }
    1
}

/// ln p − ln q for one q. Most points of the scan need no exp or log: ln p lies between
/// the largest of the ln(wₖNₖ) and that plus ln n, which decides the sign away from a
/// crossing.
struct Diff {
    p: Mixture,
    /// The scale of the scan's margins: the widest of p's stds and q's.
    width: f64,
    mu: f64,
    sigma: f64,
    inv_sigma: f64,
    /// ln q at its mean.
    lq0: f64,
    /// ln n.
    ln_n: f64,
}

/// A scan point: `v` is ln p − ln q if `exact`, else a bound of the same sign.
#[derive(Clone, Copy)]
struct Probe {
    x: f64,
    v: f64,
    exact: bool,
}

impl Diff {
    fn new(p: &Target, q: &Gaussian) -> Diff {
        Diff {
            p: Mixture::new(p),
            width: p.max_std().max(q.sigma),
            mu: q.mu,
            sigma: q.sigma,
            inv_sigma: 1.0 / q.sigma,
            lq0: -q.sigma.ln() - LN_SQRT_2PI,
            ln_n: (p.len() as f64).ln(),
        }
    }

    fn ln_q(&self, x: f64) -> f64 {
        let z = (x - self.mu) * self.inv_sigma;
        self.lq0 - 0.5 * z * z
    }

    /// ln p(x) − ln q(x) and (with `slope`) its derivative in x, else 0 for it.
    fn value(&self, x: f64, slope: bool) -> (f64, f64) {
        let mut lc = [0.0; MAX_COMPONENTS];
        let top = self.p.terms(x, &mut lc);
        let z = (x - self.mu) * self.inv_sigma;
        let lq = self.lq0 - 0.5 * z * z;
        let sq = z * self.inv_sigma;
        if self.p.n == 1 {
            return (top - lq, -(x - self.p.mean[0]) * self.p.inv_var[0] + sq);
        }
        // Terms below e^(−38) of the largest leave the sum (≥ 1) unchanged: no exp for
        // them, and no log where the largest is alone (most crossings).
        let (mut sum, mut g) = (0.0, 0.0);
        for k in 0..self.p.n {
            let d = lc[k] - top;
            let r = if d == 0.0 {
                1.0
            } else if d > -38.0 {
                d.exp()
            } else {
                continue;
            };
            sum += r;
            if slope {
                g -= r * (x - self.p.mean[k]) * self.p.inv_var[k];
            }
        }
        let ln_sum = if sum == 1.0 { 0.0 } else { sum.ln() };
        (top + ln_sum - lq, g / sum + sq)
    }

    /// The sign of ln p − ln q at x, computing the mixture's sum only where the bounds
    /// leave it open (within rounding of ln n of ln q).
    fn probe(&self, x: f64) -> Probe {
        let mut lc = [0.0; MAX_COMPONENTS];
        let top = self.p.terms(x, &mut lc);
        let lq = self.ln_q(x);
        let v = top - lq;
        if self.p.n == 1 || v > 0.0 || -v > self.ln_n + 1e-12 * (1.0 + lq.abs()) {
            Probe {
                x,
                v,
                exact: self.p.n == 1,
            }
        } else {
            Probe {
                x,
                v: self.value(x, false).0,
                exact: true,
            }
        }
    }
}

/// Seeds [`switch_dip`] only where the largest ln wₖNₖ − ln q at the switch is below this.
const DIP: f64 = 3.0;

/// The local minimum of ln p − ln q nearest x0 (a root of wᵢNᵢ = wⱼNⱼ, where p switches
/// between two components) by a few Newton steps, or NaN where ln p − ln q is not convex
/// on the way: a narrow dip of p under q there lies between the other seeds.
fn switch_dip(diff: &Diff, x0: f64) -> f64 {
    let m = &diff.p;
    let inv_s2 = diff.inv_sigma * diff.inv_sigma;
    let mut lc = [0.0; MAX_COMPONENTS];
    let mut x = x0;
    for _ in 0..6 {
        let top = m.terms(x, &mut lc);
        let (mut z, mut g1, mut g2, mut h) = (0.0, 0.0, 0.0, 0.0);
        for k in 0..m.n {
            let d = lc[k] - top;
            if d < -38.0 {
                continue;
            }
            let r = d.exp();
            let g = -(x - m.mean[k]) * m.inv_var[k];
            z += r;
            g1 += r * g;
            g2 += r * g * g;
            h += r * m.inv_var[k];
        }
        let s = g1 / z;
        let d1 = s + (x - diff.mu) * inv_s2;
        let d2 = g2 / z - s * s - h / z + inv_s2;
        // Not convex here (or NaN): no minimum to step to.
        if d2.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return f64::NAN;
        }
        let step = d1 / d2;
        x -= step;
        if step.abs() <= 1e-6 * diff.width {
            break;
        }
    }
    x
}

/// Most seeds for n components: q's mean, n means, n extremes of wₖNₖ/q, 2n roots against
/// q, n(n − 1) between components and as many dips of p against q there.
fn max_seeds(n: usize) -> usize {
    1 + 4 * n + 2 * n * (n - 1)
}

/// Most crossings: one per pair of neighbouring scan points (seeds, midpoints, margins).
fn max_crossings(n: usize) -> usize {
    2 * max_seeds(n) + 4
}

/// Seeds and crossings fit on the stack up to three components (the buffers are zeroed
/// per cell: eight components' would cost more than the rest of the cell).
const SMALL_SEEDS: usize = 25;

/// The points where p and q cross, sorted.
pub fn crossings(p: &Target, q: &Gaussian) -> Vec<f64> {
    with_crossings(&Diff::new(p, q), |c| c.to_vec())
}

/// `f` of the crossings of `diff`'s p and q, found in buffers on the stack where they fit.
fn with_crossings<T>(diff: &Diff, f: impl FnOnce(&[f64]) -> T) -> T {
    let n = diff.p.n;
    if max_seeds(n) <= SMALL_SEEDS {
        let mut seeds = [0.0; SMALL_SEEDS];
        let mut out = [0.0; 2 * SMALL_SEEDS + 4];
        let k = crossings_into(diff, &mut seeds, &mut out);
        f(&out[..k])
    } else {
        let mut seeds = vec![0.0; max_seeds(n)];
        let mut out = vec![0.0; max_crossings(n)];
        let k = crossings_into(diff, &mut seeds, &mut out);
        f(&out[..k])
    }
}

/// [`crossings`] into `out` (room for [`max_crossings`]) with `seeds` as scratch (room for
/// [`max_seeds`]), their number returned.
fn crossings_into(diff: &Diff, seeds: &mut [f64], out: &mut [f64]) -> usize {
    let n = diff.p.n;
    let g = |k: usize| (diff.p.peak[k], diff.p.mean[k], diff.p.std[k]);
    let gq = (diff.lq0, diff.mu, diff.sigma);
    let mut len = 0;
    let mut push = |x: f64| {
        if x.is_finite() {
            seeds[len] = x;
            len += 1;
        }
    };
    push(diff.mu);
    let mut found = [0.0; 2];
    let inv_s2 = diff.inv_sigma * diff.inv_sigma;
    for i in 0..n {
        push(diff.p.mean[i]);
        // Where component i most exceeds q (or q it): a narrow component can poke above
        // q, or a wide one dip below it, between the other seeds.
        let iv = diff.p.inv_var[i];
        if iv != inv_s2 {
            push((diff.p.mean[i] * iv - diff.mu * inv_s2) / (iv - inv_s2));
        }
        for j in i..n {
            let k = roots(g(i), if j == i { gq } else { g(j) }, &mut found);
            for &x in &found[..k] {
                push(x);
                // A narrow dip of p under q between two scan points where p > q: only where
                // p is above q at the switch, but not far above (a deep dip is wide, and the
                // other seeds bracket it).
                if j != i {
                    let mut lc = [0.0; MAX_COMPONENTS];
                    let v = diff.p.terms(x, &mut lc) - diff.ln_q(x);
                    if v > -diff.ln_n && v < DIP {
                        push(switch_dip(diff, x));
                    }
                }
            }
        }
    }
    let seeds = &mut seeds[..len];
    seeds.sort_unstable_by(f64::total_cmp);
    // Scan points: the seeds, midpoints between them, and a margin beyond each end.
    let width = diff.width;
    let (first, last) = (seeds[0], seeds[len - 1]);
    let mut count = 0;
    let mut prev: Option<Probe> = None;
    let mut visit = |b: Probe| {
        if let Some(a) = prev {
            if a.v == 0.0 && a.exact {
                out[count] = a.x;
                count += 1;
            } else if a.v * b.v < 0.0 {
                out[count] = refine(diff, a, b, 1e-11 * width);
                count += 1;
            }
        }
        prev = Some(b);
    };
    visit(diff.probe(first - 32.0 * width));
    visit(diff.probe(first - 2.0 * width));
    for k in 0..len {
        let x = seeds[k];
        if k > 0 && seeds[k - 1] == x {
            continue;
        }
        visit(diff.probe(x));
        if k + 1 < len && seeds[k + 1] != x {
            visit(diff.probe(0.5 * (x + seeds[k + 1])));
        }
    }
    visit(diff.probe(last + 2.0 * width));
    visit(diff.probe(last + 32.0 * width));
    let mut m = 0;
    for k in 0..count {
        if k == 0 || out[k] != out[m - 1] {
            out[m] = out[k];
            m += 1;
        }
    }
    m
}

/// The root of ln p − ln q between probes `a` and `b` of opposite signs to within `eps`:
/// from the secant point of their values (or bounds), Newton steps kept inside a shrinking
/// bracket, bisection when a step leaves it. |p − q| vanishes at the root, so TV's error is
/// second order in `eps`.
fn refine(diff: &Diff, pa: Probe, pb: Probe, eps: f64) -> f64 {
    let pos_a = pa.v > 0.0;
    let (mut a, mut b) = (pa.x, pb.x);
    let mut x = a - pa.v * (b - a) / (pb.v - pa.v);
    if !(x >= a.min(b) && x <= a.max(b)) {
        x = 0.5 * (a + b);
    }
    for _ in 0..200 {
        let (v, g) = diff.value(x, true);
        if v == 0.0 {
            return x;
        }
        if (v > 0.0) == pos_a {
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
    let diff = Diff::new(p, q);
    with_crossings(&diff, |cross| tv_between(p, q, &diff, cross))
}

/// TV and its gradient from the crossings `cross` of p and q.
fn tv_between(p: &Target, q: &Gaussian, diff: &Diff, cross: &[f64]) -> [f64; 3] {
    let (mut tv, mut gm, mut gs) = (0.0, 0.0, 0.0);
    // The intervals between −∞, the crossings and +∞.
    let mut prev = f64::NEG_INFINITY;
    for b in cross.iter().copied().chain([f64::INFINITY]) {
        let a = std::mem::replace(&mut prev, b);
        // The sign of p − q inside (a, b), at a point well inside it.
        let x = match (a.is_finite(), b.is_finite()) {
            (true, true) => 0.5 * (a + b),
            (true, false) => a + diff.width,
            (false, true) => b - diff.width,
            _ => q.mu,
        };
        if diff.probe(x).v <= 0.0 {
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
