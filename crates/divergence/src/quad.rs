//! Globally adaptive Gauss–Kronrod (21-point) quadrature of vector-valued integrands over a
//! finite interval split at given breakpoints, with QUADPACK's error estimate.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Kronrod abscissae on [−1, 1] (positive half, descending), from QUADPACK's dqk21.
#[allow(clippy::excessive_precision)] // QUADPACK's published digits
const XGK: [f64; 11] = [
    0.995_657_163_025_808_080_735_527_280_689_003,
    0.973_906_528_517_171_720_077_964_012_084_452,
    0.930_157_491_355_708_226_001_207_180_059_508,
    0.865_063_366_688_984_510_732_096_688_423_493,
    0.780_817_726_586_416_897_063_717_578_345_042,
    0.679_409_568_299_024_406_234_327_365_114_874,
    0.562_757_134_668_604_683_339_000_099_272_694,
    0.433_395_394_129_247_190_799_265_943_165_784,
    0.294_392_862_701_460_198_131_126_603_103_866,
    0.148_874_338_981_631_210_884_826_001_129_720,
    0.0,
];
/// Kronrod weights.
#[allow(clippy::excessive_precision)] // QUADPACK's published digits
const WGK: [f64; 11] = [
    0.011_694_638_867_371_874_278_064_396_062_192,
    0.032_558_162_307_964_727_478_818_972_459_390,
    0.054_755_896_574_351_996_031_381_300_244_580,
    0.075_039_674_810_919_952_767_043_140_916_190,
    0.093_125_454_583_697_605_535_065_465_083_366,
    0.109_387_158_802_297_641_899_210_590_325_805,
    0.123_491_976_262_065_851_077_208_356_962_320,
    0.134_709_217_311_473_325_928_054_001_771_707,
    0.142_775_938_577_060_080_797_094_273_138_717,
    0.147_739_104_901_338_491_374_841_515_972_068,
    0.149_445_554_002_916_905_664_936_468_389_821,
];
/// Weights of the embedded 10-point Gauss rule (at XGK[1], XGK[3], …, XGK[9]).
#[allow(clippy::excessive_precision)] // QUADPACK's published digits
const WG: [f64; 5] = [
    0.066_671_344_308_688_137_593_568_809_893_332,
    0.149_451_349_150_580_593_145_776_339_657_697,
    0.219_086_362_515_982_043_995_534_934_228_163,
    0.269_266_719_309_996_355_091_226_921_569_469,
    0.295_524_224_714_752_870_173_892_994_651_338,
];

/// Tolerances and the subdivision budget.
#[derive(Clone, Copy, Debug)]
pub struct Tol {
    /// Relative tolerance on each component.
    pub rel: f64,
    /// Absolute tolerance on each component.
    pub abs: f64,
    /// Most subintervals before giving up refining.
    pub max_intervals: usize,
}

impl Tol {
    /// The tolerance `eval` works to.
    pub const EXACT: Tol = Tol {
        rel: 1e-13,
        abs: 1e-300,
        max_intervals: 4000,
    };
    /// Looser, for landscapes (still far below their 1e-6 budget).
    pub const LANDSCAPE: Tol = Tol {
        rel: 1e-9,
        abs: 1e-300,
        max_intervals: 400,
    };
}

/// One 21-point Gauss–Kronrod result on a piece: integral and error estimate per component,
/// and whether each estimate is the coarse bound (QUADPACK's `resasc`), not a converged one.
struct Rule<const N: usize> {
    val: [f64; N],
    err: [f64; N],
    coarse: [bool; N],
}

struct Piece<const N: usize> {
    a: f64,
    b: f64,
    val: [f64; N],
    err: [f64; N],
    key: f64,
}

impl<const N: usize> PartialEq for Piece<N> {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl<const N: usize> Eq for Piece<N> {}
impl<const N: usize> PartialOrd for Piece<N> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<const N: usize> Ord for Piece<N> {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key.total_cmp(&o.key)
    }
}

/// One 21-point Gauss–Kronrod pass over [a, b]. Only the integrand's calls are generic over
/// `F`; the rule itself is [`kronrod`], one copy per `N` (the page's wasm stays small).
#[inline]
fn gk21<const N: usize, F: FnMut(f64) -> [f64; N]>(f: &mut F, a: f64, b: f64) -> Rule<N> {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let mut fv = [[0.0; N]; 21];
    fv[10] = f(c);
    for j in 0..10 {
        let dx = h * XGK[j];
        fv[j] = f(c - dx);
        fv[20 - j] = f(c + dx);
    }
    kronrod(&fv, h)
}

/// The Kronrod and Gauss sums of the values `fv` at a piece's 21 nodes (half-width `h`), with
/// QUADPACK's error estimate.
#[inline(never)]
fn kronrod<const N: usize>(fv: &[[f64; N]; 21], h: f64) -> Rule<N> {
    let mut val = [0.0; N];
    let mut err = [0.0; N];
    let mut coarse = [false; N];
    for i in 0..N {
        let mut rk = WGK[10] * fv[10][i];
        let mut rg = 0.0;
        let mut rabs = rk.abs();
        for j in 0..10 {
            let s = fv[j][i] + fv[20 - j][i];
            rk += WGK[j] * s;
            rabs += WGK[j] * (fv[j][i].abs() + fv[20 - j][i].abs());
            if j % 2 == 1 {
                rg += WG[j / 2] * s;
            }
        }
        let mean = 0.5 * rk;
        let mut rasc = WGK[10] * (fv[10][i] - mean).abs();
        for j in 0..10 {
            rasc += WGK[j] * ((fv[j][i] - mean).abs() + (fv[20 - j][i] - mean).abs());
        }
        let (rk, rabs, rasc) = (rk * h, rabs * h.abs(), rasc * h.abs());
        let mut e = ((rk - rg * h).abs()).abs();
        if rasc != 0.0 && e != 0.0 {
            e = rasc * (200.0 * e / rasc).powf(1.5).min(1.0);
        }
        if rabs > f64::MIN_POSITIVE / (50.0 * f64::EPSILON) {
            e = e.max(50.0 * f64::EPSILON * rabs);
        }
        // As QUADPACK compares them: the final estimate against `resasc`.
        coarse[i] = e == rasc;
        val[i] = rk;
        err[i] = e;
    }
    Rule { val, err, coarse }
}

/// Integrates `f` over `[breaks[0], breaks[last]]`, starting from the pieces between
/// consecutive breakpoints and bisecting the piece with the largest scaled error until every
/// component meets `tol`, or its error is shown to be rounding (QUADPACK `dqage`'s roundoff
/// test: bisections that no longer change the integral or no longer shrink the error), or
/// `tol.max_intervals` is reached. A non-finite value in any component is returned as is.
pub fn integrate<const N: usize, F: FnMut(f64) -> [f64; N]>(
    mut f: F,
    breaks: &[f64],
    tol: Tol,
) -> [f64; N] {
    let first: Vec<_> = breaks
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| (w[0], w[1], gk21(&mut f, w[0], w[1])))
        .collect();
    let mut run = match Adaptive::new(first, tol) {
        Ok(run) => run,
        Err(total) => return total,
    };
    while let Some((worst, m)) = run.next_piece() {
        let left = gk21(&mut f, worst.a, m);
        let right = gk21(&mut f, m, worst.b);
        if let Err(total) = run.split(worst, m, left, right) {
            return total;
        }
    }
    run.sum()
}

/// The bookkeeping of [`integrate`] between integrand calls: pieces by scaled error, running
/// totals and QUADPACK's roundoff counters. Not generic over the integrand.
struct Adaptive<const N: usize> {
    heap: BinaryHeap<Piece<N>>,
    tol: Tol,
    total: [f64; N],
    err_total: [f64; N],
    /// 1 / each component's tolerance, from the first pass's totals; 0 once it is rounded.
    scale: [f64; N],
    /// The rounding level of each component's integrand: an integral that cancels to near
    /// zero is done once its error is there, for no subdivision can do better.
    floor: [f64; N],
    /// Bisections that left the choosing component's integral and error unchanged
    /// (QUADPACK's `iroff1`, 6 allowed).
    stalled: [u32; N],
    /// Bisections, after the first 10, that increased its error (`iroff2`, 20 allowed).
    grew: [u32; N],
    /// Components that failed the roundoff test: they no longer choose pieces, nor keep the
    /// bisection going.
    rounded: [bool; N],
    bisections: usize,
}

impl<const N: usize> Adaptive<N> {
    /// The first pass's pieces, or their sum when it is not finite.
    #[inline(never)]
    fn new(first: Vec<(f64, f64, Rule<N>)>, tol: Tol) -> Result<Self, [f64; N]> {
        let mut total = [0.0; N];
        let mut abs_sum = [0.0; N];
        let mut err_total = [0.0; N];
        for (_, _, r) in &first {
            for i in 0..N {
                total[i] += r.val[i];
                abs_sum[i] += r.val[i].abs();
                err_total[i] += r.err[i];
            }
        }
        if total.iter().any(|v| !v.is_finite()) {
            return Err(total);
        }
        let scale = std::array::from_fn(|i| {
            1.0 / (tol.rel * abs_sum[i].max(total[i].abs()))
                .max(tol.abs)
                .max(f64::MIN_POSITIVE)
        });
        let mut run = Adaptive {
            heap: BinaryHeap::with_capacity(first.len()),
            tol,
            total,
            err_total,
            scale,
            floor: std::array::from_fn(|i| 64.0 * f64::EPSILON * abs_sum[i]),
            stalled: [0; N],
            grew: [0; N],
            rounded: [false; N],
            bisections: 0,
        };
        for (a, b, r) in first {
            run.push(a, b, r.val, r.err);
        }
        Ok(run)
    }

    fn push(&mut self, a: f64, b: f64, val: [f64; N], err: [f64; N]) {
        let key = self.key(&err);
        self.heap.push(Piece {
            a,
            b,
            val,
            err,
            key,
        });
    }

    fn key(&self, err: &[f64; N]) -> f64 {
        (0..N).map(|i| err[i] * self.scale[i]).fold(0.0, f64::max)
    }

    /// The piece to bisect next and its midpoint, or None when the integral is done.
    #[inline(never)]
    fn next_piece(&mut self) -> Option<(Piece<N>, f64)> {
        let unmet = |i: usize| {
            let t = &self.tol;
            self.err_total[i] > (t.rel * self.total[i].abs()).max(t.abs).max(self.floor[i])
        };
        if !(0..N).any(|i| !self.rounded[i] && unmet(i))
            || self.heap.len() >= self.tol.max_intervals
        {
            return None;
        }
        let worst = self.heap.pop()?;
        let m = 0.5 * (worst.a + worst.b);
        if !(m > worst.a && m < worst.b) {
            self.heap.push(worst);
            return None;
        }
        Some((worst, m))
    }

    /// Replaces `worst` by its halves; the running totals when they are no longer finite.
    #[inline(never)]
    fn split(&mut self, worst: Piece<N>, m: f64, l: Rule<N>, r: Rule<N>) -> Result<(), [f64; N]> {
        for i in 0..N {
            self.total[i] += l.val[i] + r.val[i] - worst.val[i];
            self.err_total[i] += l.err[i] + r.err[i] - worst.err[i];
        }
        if self.total.iter().any(|v| !v.is_finite()) {
            return Err(self.total);
        }
        self.bisections += 1;
        // The roundoff test counts for the component whose error chose the piece.
        let i = (0..N)
            .max_by(|&i, &j| {
                (worst.err[i] * self.scale[i]).total_cmp(&(worst.err[j] * self.scale[j]))
            })
            .unwrap_or(0);
        if !(l.coarse[i] || r.coarse[i]) {
            let (area, err) = (l.val[i] + r.val[i], l.err[i] + r.err[i]);
            if (worst.val[i] - area).abs() <= 1e-5 * area.abs() && err >= 0.99 * worst.err[i] {
                self.stalled[i] += 1;
            }
            if self.bisections > 10 && err > worst.err[i] {
                self.grew[i] += 1;
            }
        }
        self.push(worst.a, m, l.val, l.err);
        self.push(m, worst.b, r.val, r.err);
        if !self.rounded[i] && (self.stalled[i] >= 6 || self.grew[i] >= 20) {
            self.rounded[i] = true;
            self.scale[i] = 0.0;
            let pieces = std::mem::take(&mut self.heap).into_vec();
            for p in pieces {
                self.push(p.a, p.b, p.val, p.err);
            }
        }
        Ok(())
    }

    /// The pieces' values re-added exactly: running sums drift by rounding over many updates.
    fn sum(&self) -> [f64; N] {
        let mut exact = [0.0; N];
        for p in self.heap.iter() {
            for i in 0..N {
                exact[i] += p.val[i];
            }
        }
        exact
    }
}

/// Nodes and weights of the 10-point Gauss–Legendre rule on each piece between consecutive
/// breakpoints, every piece first cut into equal parts no wider than `max_width`.
pub fn gauss_legendre_nodes(breaks: &[f64], max_width: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut xs, mut ws) = (Vec::new(), Vec::new());
    for w in breaks.windows(2) {
        let len = w[1] - w[0];
        if len <= 0.0 {
            continue;
        }
        let parts = ((len / max_width).ceil() as usize).clamp(1, 100_000);
        let h = len / parts as f64;
        for k in 0..parts {
            let c = w[0] + (k as f64 + 0.5) * h;
            for (j, &wg) in WG.iter().enumerate() {
                let dx = 0.5 * h * XGK[2 * j + 1];
                xs.extend([c - dx, c + dx]);
                ws.extend([0.5 * h * wg, 0.5 * h * wg]);
            }
        }
    }
    (xs, ws)
}

/// Scalar convenience wrapper around [`integrate`].
pub fn integrate1<F: FnMut(f64) -> f64>(mut f: F, breaks: &[f64], tol: Tol) -> f64 {
    integrate(|x| [f(x)], breaks, tol)[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polynomials_are_exact_on_one_piece() {
        // The 21-point Kronrod rule is exact to degree 31.
        let v = integrate1(|x| x.powi(30), &[-1.0, 1.0], Tol::EXACT);
        assert!((v - 2.0 / 31.0).abs() < 1e-15);
    }

    #[test]
    fn sharp_gaussian_and_kink() {
        let s = 1e-3;
        let v = integrate1(
            |x| (-0.5 * (x / s) * (x / s)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt()),
            &[-1.0, 0.002, 1.0],
            Tol::EXACT,
        );
        assert!((v - 1.0).abs() < 1e-13, "{v}");
        let v = integrate1(|x: f64| (x - 0.1234).abs(), &[-1.0, 1.0], Tol::EXACT);
        let exact = 0.5 * (1.1234f64.powi(2) + 0.8766f64.powi(2));
        assert!((v - exact).abs() < 1e-12, "{v} {exact}");
    }

    #[test]
    fn rounding_noise_stops_the_bisection() {
        // An integrand with relative noise 1e-10 cannot meet 1e-13: QUADPACK's roundoff test
        // stops it long before the 4000-piece budget, at an answer as good as the noise allows.
        let noise = |x: f64| ((x * 1e4).sin() * 43_758.545_3).fract() * 1e-10;
        let mut calls = 0;
        let v = integrate1(
            |x| {
                calls += 1;
                x.exp() * (1.0 + noise(x))
            },
            &[0.0, 1.0],
            Tol::EXACT,
        );
        assert!((v - (1f64.exp() - 1.0)).abs() < 1e-9, "{v}");
        assert!(calls < 21 * 400, "{calls} integrand calls");
    }

    #[test]
    fn a_component_at_its_rounding_level_leaves_the_others_to_converge() {
        // Component 0 carries noise at 1e-10 relative and is stopped by the roundoff test;
        // component 1, a comb of 12 unanchored peaks, is still integrated to 1e-13.
        let noise = |x: f64| ((x * 1e4).sin() * 43_758.545_3).fract() * 1e-10;
        let s = 0.004;
        let comb = |x: f64| {
            (0..12)
                .map(|k| (-0.5 * ((x - 0.0371 - 0.0797 * k as f64) / s).powi(2)).exp())
                .sum::<f64>()
        };
        let v = integrate(
            |x: f64| [x.exp() * (1.0 + noise(x)), comb(x)],
            &[0.0, 1.0],
            Tol::EXACT,
        );
        let exact = 12.0 * s * (2.0 * std::f64::consts::PI).sqrt();
        assert!((v[0] - (1f64.exp() - 1.0)).abs() < 1e-9, "{}", v[0]);
        assert!((v[1] - exact).abs() < 1e-13 * exact, "{} {exact}", v[1]);
    }

    #[test]
    fn a_sharp_peak_between_breakpoints_is_still_found() {
        // The roundoff test does not cut short a refinement that is still converging: an
        // unanchored peak of width 0.02 is resolved to full accuracy.
        let (s, c) = (0.02, 0.3217);
        let v = integrate1(
            |x| (-0.5 * ((x - c) / s).powi(2)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt()),
            &[-1.0, 1.0],
            Tol::EXACT,
        );
        assert!((v - 1.0).abs() < 1e-12, "{v}");
    }

    #[test]
    fn gauss_legendre_pieces() {
        let (x, w) = gauss_legendre_nodes(&[0.0, 1.0, 3.0], 0.5);
        assert_eq!(x.len(), 60);
        let v: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(19)).sum();
        assert!((v - 3f64.powi(20) / 20.0).abs() < 1e-9 * 3f64.powi(20));
    }

    #[test]
    fn vector_components_each_meet_tolerance() {
        let v = integrate(|x: f64| [x.exp(), 1e6 * x.cos()], &[0.0, 3.0], Tol::EXACT);
        assert!((v[0] - (3f64.exp() - 1.0)).abs() < 1e-12);
        assert!((v[1] - 1e6 * 3f64.sin()).abs() < 1e-6);
    }
}
