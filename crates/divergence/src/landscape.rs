//! The pieces of a landscape: grids over (μ, σ), cells, grid minima and their refinement by
//! descent. [`crate::study::Study`] puts them together (and [`crate::landscape()`],
//! [`crate::minima()`] run it to the end).

use crate::closed_forms::{entropy, expected_log_q_from};
use crate::divergences::{eval_full, Derivatives, Divergence};
use crate::error::{Error, Field};
use crate::quad::Tol;
use crate::registry::{self, EvalPath};
use crate::target::{Gaussian, Target};

/// A rectangle of (μ, σ) sampled on a grid; σ linear or logarithmic.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub mu: Vec<f64>,
    pub sigma: Vec<f64>,
    pub log_sigma: bool,
}

fn spaced(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| {
            if i + 1 == n {
                hi
            } else {
                lo + (hi - lo) * i as f64 / (n - 1) as f64
            }
        })
        .collect()
}

impl Grid {
    /// `n_mu × n_sigma` points over `[mu_lo, mu_hi] × [sigma_lo, sigma_hi]` (2 to 2048 each).
    pub fn new(
        mu: (f64, f64),
        sigma: (f64, f64),
        n_mu: usize,
        n_sigma: usize,
        log_sigma: bool,
    ) -> Result<Self, Error> {
        let bad = |field, rule| Error::BadRange { field, rule };
        if !(mu.0.is_finite() && mu.1.is_finite() && mu.0 < mu.1) {
            return Err(bad(Field::MuRange, "must be finite with LO < HI"));
        }
        if mu.0.abs().max(mu.1.abs()) > crate::target::MAX_ABS_MEAN {
            return Err(bad(Field::MuRange, "must lie within ±1e8"));
        }
        if !(sigma.0.is_finite() && sigma.1.is_finite() && sigma.0 < sigma.1) {
            return Err(bad(Field::SigmaRange, "must be finite with LO < HI"));
        }
        if sigma.0 < crate::target::MIN_STD || sigma.1 > crate::target::MAX_STD {
            return Err(bad(Field::SigmaRange, "must lie within [1e-8, 1e8]"));
        }
        for (field, n) in [(Field::GridMu, n_mu), (Field::GridSigma, n_sigma)] {
            if !(2..=2048).contains(&n) {
                return Err(Error::invalid(field, n as f64, "must lie in 2..=2048"));
            }
        }
        let sigma = if log_sigma {
            spaced(sigma.0.ln(), sigma.1.ln(), n_sigma)
                .into_iter()
                .map(f64::exp)
                .enumerate()
                .map(|(i, s)| match i {
                    0 => sigma.0,
                    i if i + 1 == n_sigma => sigma.1,
                    _ => s,
                })
                .collect()
        } else {
            spaced(sigma.0, sigma.1, n_sigma)
        };
        Ok(Self {
            mu: spaced(mu.0, mu.1, n_mu),
            sigma,
            log_sigma,
        })
    }
}

/// Values of one divergence over a grid, row-major with one row per σ.
#[derive(Clone, Debug, PartialEq)]
pub struct Landscape {
    pub grid: Grid,
    pub values: Vec<f64>,
}

impl Grid {
    /// The spacing (Δμ, Δσ) of a linear grid (for a log-σ grid, Δσ at the bottom row).
    pub fn cell(&self) -> (f64, f64) {
        let d = |v: &[f64]| if v.len() > 1 { v[1] - v[0] } else { 1.0 };
        (d(&self.mu), d(&self.sigma))
    }
}

impl Landscape {
    /// The value at σ index `i`, μ index `j`.
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.grid.mu.len() + j]
    }
}

/// Fills `out` with the landscape values of the flat cells `start..start + out.len()`
/// (row-major, one row per σ): finer-grained than rows, for spreading work over frames.
pub(crate) fn landscape_cells(
    p: &Target,
    div: &Divergence,
    grid: &Grid,
    start: usize,
    entropy_cache: &mut Option<f64>,
    out: &mut [f64],
) {
    let nm = grid.mu.len();
    if matches!(div, Divergence::ForwardKl) && entropy_cache.is_none() {
        *entropy_cache = Some(entropy(p));
    }
    if let (Divergence::ForwardKl, Some(h)) = (div, *entropy_cache) {
        // −H(p) − E_p[ln q], with ln σ once per row (this runs every frame of a drag).
        let (m, var) = (p.mean(), p.variance());
        let mut row = (usize::MAX, 0.0, 0.0);
        for (k, o) in out.iter_mut().enumerate() {
            let (i, j) = ((start + k) / nm, (start + k) % nm);
            if row.0 != i {
                let s = grid.sigma[i];
                row = (i, s.ln(), 0.5 / (s * s));
            }
            *o = (-h - expected_log_q_from(m, var, grid.mu[j], row.1, row.2)).max(0.0);
        }
        return;
    }
    for (k, o) in out.iter_mut().enumerate() {
        let (i, j) = ((start + k) / nm, (start + k) % nm);
        let q = Gaussian {
            mu: grid.mu[j],
            sigma: grid.sigma[i],
        };
        *o = eval_full(p, &q, div, Tol::LANDSCAPE, Derivatives::None).value;
    }
}

/// True when [`landscape_cells`] evaluates `div` in closed form (microseconds a cell).
pub fn closed_form(div: &Divergence) -> bool {
    registry::info_of(div).path == EvalPath::ClosedForm
}

/// A local minimum of D over (μ, σ).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Minimum {
    pub mu: f64,
    pub sigma: f64,
    pub value: f64,
}

/// Tolerance of values and gradients during refinement.
const REFINE_TOL: Tol = Tol {
    rel: 1e-12,
    abs: 1e-300,
    max_intervals: 4000,
};

/// D and its gradient in (μ, t = ln σ).
fn value_grad_t(p: &Target, div: &Divergence, mu: f64, t: f64, h: Option<f64>) -> [f64; 3] {
    let s = t.exp();
    if let (Divergence::ForwardKl, Some(h)) = (div, h) {
        // −H(p) − E_p[ln q]: value and gradient in closed form.
        let (m, var) = (p.mean(), p.variance());
        let value = -h - expected_log_q_from(m, var, mu, t, 0.5 / (s * s));
        let spread = (var + (mu - m).powi(2)) / (s * s);
        return [value, (mu - m) / (s * s), 1.0 - spread];
    }
    let r = eval_full(
        p,
        &Gaussian { mu, sigma: s },
        div,
        REFINE_TOL,
        Derivatives::Gradient,
    );
    [r.value, r.d_mu, r.d_sigma * s]
}

fn value_t(p: &Target, div: &Divergence, mu: f64, t: f64, h: Option<f64>) -> f64 {
    let s = t.exp();
    if !(crate::target::MIN_STD..=crate::target::MAX_STD).contains(&s) {
        return f64::INFINITY;
    }
    if let (Divergence::ForwardKl, Some(_)) = (div, h) {
        return value_grad_t(p, div, mu, t, h)[0];
    }
    // `ksd` descends on its tensor-sum values, consistent with its gradients.
    let want = if matches!(div, Divergence::Ksd { .. }) {
        Derivatives::Gradient
    } else {
        Derivatives::None
    };
    eval_full(p, &Gaussian { mu, sigma: s }, div, REFINE_TOL, want).value
}

/// Result of a descent: every iterate `[μ, σ, D]` and whether the gradient vanished.
#[derive(Clone, Debug)]
pub struct Descent {
    pub path: Vec<[f64; 3]>,
    pub converged: bool,
}

/// Damped Newton descent on (μ, ln σ) from `(mu, sigma)`: exact gradients, a Hessian from
/// central differences of them, gradient steps where it is not positive definite, and an
/// Armijo backtracking line search. Stops when the step falls below 1e-10.
///
/// # Examples
/// ```
/// use divergence::{descend, Divergence, Target};
/// let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
/// let d = descend(&p, &Divergence::ForwardKl, 1.0, 1.0, 200);
/// let &[mu, sigma, _] = d.path.last().unwrap();
/// // Forward KL's one minimum: the moment match (0, √17).
/// assert!(d.converged && mu.abs() < 1e-6 && (sigma - 17f64.sqrt()).abs() < 1e-6);
/// ```
pub fn descend(p: &Target, div: &Divergence, mu: f64, sigma: f64, max_iter: usize) -> Descent {
    let mut d = Descender::new(p, div, mu, sigma, max_iter);
    while !d.step(p, div) {}
    d.into_descent()
}

/// [`descend`] one Newton step at a time, so that a caller can interleave it with frames
/// (the page animates paths and never blocks on a long descent). Made with
/// [`Descender::gradient_flow`], it first follows the gradient (the path a reader expects,
/// and the flow whose basins [`crate::basins`] maps), then polishes with Newton steps.
#[derive(Clone, Debug)]
pub struct Descender {
    x: [f64; 2],
    cur: [f64; 3],
    path: Vec<[f64; 3]>,
    converged: bool,
    finished: bool,
    iters_left: usize,
    /// The gradient phase's step size and metric (Δμ², Δσ²), or None in the Newton phase.
    flow: Option<(f64, [f64; 2])>,
    /// The Newton step under way, one evaluation per call of [`Descender::step`].
    newton: Option<Newton>,
    /// H(p), when given: forward KL's values and gradients in closed form.
    entropy: Option<f64>,
}

/// A Newton step in progress: the gradients about x that give its Hessian, then its
/// backtracking line search at `a` times the step.
#[derive(Clone, Debug)]
enum Newton {
    Hessian(Vec<[f64; 3]>),
    Search {
        step: [f64; 2],
        slope: f64,
        len: f64,
        a: f64,
        newton: bool,
    },
}

/// The Hessian's finite-difference step in (μ, ln σ).
const HESSIAN_STEP: f64 = 1e-4;

impl Descender {
    /// A descent starting at `(mu, sigma)` that takes at most `max_iter` steps.
    pub fn new(p: &Target, div: &Divergence, mu: f64, sigma: f64, max_iter: usize) -> Self {
        Self::with_entropy(p, div, mu, sigma, max_iter, None)
    }

    /// [`Descender::new`] given H(p) (`entropy`), with which forward KL's values and
    /// gradients are closed forms rather than quadratures (tens of milliseconds each at
    /// extreme views).
    pub(crate) fn with_entropy(
        p: &Target,
        div: &Divergence,
        mu: f64,
        sigma: f64,
        max_iter: usize,
        entropy: Option<f64>,
    ) -> Self {
        let x = [mu, sigma.ln()];
        let cur = value_grad_t(p, div, x[0], x[1], entropy);
        Self {
            x,
            cur,
            path: vec![[x[0], x[1].exp(), cur[0]]],
            converged: false,
            finished: !cur[0].is_finite() || max_iter == 0,
            iters_left: max_iter,
            flow: None,
            newton: None,
            entropy,
        }
    }

    /// Gradient descent in the landscape's own coordinates, μ and σ measured in grid cells
    /// (`cell` = the grid's (Δμ, Δσ)), with backtracking and moves of at most one cell,
    /// until the moves fall below 1e-3 cells; then Newton to the minimum. This is the
    /// continuous flow whose basins [`crate::basins`] maps. At most `max_iter` steps in all.
    pub fn gradient_flow(
        p: &Target,
        div: &Divergence,
        (mu, sigma): (f64, f64),
        cell: (f64, f64),
        max_iter: usize,
    ) -> Self {
        Self {
            flow: Some((1.0, [cell.0 * cell.0, cell.1 * cell.1])),
            ..Self::new(p, div, mu, sigma, max_iter)
        }
    }

    /// One backtracking gradient step; leaves the gradient phase when moves get small.
    fn flow_step(&mut self, p: &Target, div: &Divergence, size: f64, metric: [f64; 2]) {
        let (x, cur) = (self.x, self.cur);
        let sigma = x[1].exp();
        let g = [cur[1], cur[2] / sigma];
        // Steepest descent for the metric diag(1/Δμ², 1/Δσ²): d = −diag(Δμ², Δσ²)·g.
        let d = [-metric[0] * g[0], -metric[1] * g[1]];
        let slope = g[0] * d[0] + g[1] * d[1];
        let cells = (d[0] * d[0] / metric[0])
            .sqrt()
            .max((d[1] * d[1] / metric[1]).sqrt());
        let mut a = size.min(1.0 / cells.max(1e-300));
        while a * cells >= 1e-3 {
            let y = [x[0] + a * d[0], sigma + a * d[1]];
            let v = if y[1] > 0.0 {
                value_t(p, div, y[0], y[1].ln(), self.entropy)
            } else {
                f64::INFINITY
            };
            if v.is_finite() && v <= cur[0] + 1e-4 * a * slope {
                self.x = [y[0], y[1].ln()];
                self.cur = value_grad_t(p, div, self.x[0], self.x[1], self.entropy);
                self.path.push([y[0], y[1], self.cur[0]]);
                self.flow = Some((a * 2.0, metric));
                self.iters_left -= 1;
                self.finished = self.iters_left == 0;
                return;
            }
            a *= 0.5;
        }
        self.flow = None;
    }

    /// The iterates `[μ, σ, D]` so far.
    pub fn path(&self) -> &[[f64; 3]] {
        &self.path
    }

    /// True once the descent has stopped.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// The finished (or interrupted) descent.
    pub fn into_descent(self) -> Descent {
        Descent {
            path: self.path,
            converged: self.converged,
        }
    }

    /// One evaluation's worth of the descent: a gradient step with its line search, or a
    /// quarter of a Newton step's Hessian, or one trial of its line search (an evaluation
    /// can take milliseconds at extreme views; callers slice their work by these); true when
    /// the descent has stopped.
    pub fn step(&mut self, p: &Target, div: &Divergence) -> bool {
        if self.finished {
            return true;
        }
        if let Some((size, metric)) = self.flow {
            self.flow_step(p, div, size, metric);
            if self.flow.is_some() || self.finished {
                return self.finished;
            }
        }
        let x = self.x;
        let h = HESSIAN_STEP;
        match self
            .newton
            .take()
            .unwrap_or(Newton::Hessian(Vec::with_capacity(4)))
        {
            Newton::Hessian(mut got) => {
                let at = [[h, 0.0], [-h, 0.0], [0.0, h], [0.0, -h]][got.len()];
                got.push(value_grad_t(
                    p,
                    div,
                    x[0] + at[0],
                    x[1] + at[1],
                    self.entropy,
                ));
                self.newton = Some(if got.len() < 4 {
                    Newton::Hessian(got)
                } else {
                    self.newton_search(&got)
                });
                false
            }
            Newton::Search {
                step,
                slope,
                len,
                mut a,
                newton,
            } => {
                // Halve down to moves of 1e-10, the stopping size: below it, values differ by
                // rounding.
                if a * len >= 1e-10 {
                    let y = [x[0] + a * step[0], x[1] + a * step[1]];
                    let v = value_t(p, div, y[0], y[1], self.entropy);
                    if v.is_finite() && v <= self.cur[0] + 1e-4 * a * slope.min(0.0) {
                        return self.newton_accept(p, div, y);
                    }
                    a *= 0.5;
                    if a * len >= 1e-10 {
                        self.newton = Some(Newton::Search {
                            step,
                            slope,
                            len,
                            a,
                            newton,
                        });
                        return false;
                    }
                }
                // No decrease along a Newton direction of a positive definite Hessian: the
                // minimum to rounding. Along the gradient only if the gradient has vanished.
                let g = [self.cur[1], self.cur[2]];
                self.iters_left -= 1;
                self.converged =
                    newton || (g[0].abs() + g[1].abs()) < 1e-7 * (1.0 + self.cur[0].abs());
                self.finished = true;
                true
            }
        }
    }

    /// The Newton (or, where the Hessian is not positive definite, gradient) step from the
    /// gradients at x ± h along each coordinate, kept within a trust region.
    fn newton_search(&self, got: &[[f64; 3]]) -> Newton {
        let (x, g, h) = (self.x, [self.cur[1], self.cur[2]], HESSIAN_STEP);
        let [gp0, gm0, gp1, gm1] = [got[0], got[1], got[2], got[3]];
        let h00 = (gp0[1] - gm0[1]) / (2.0 * h);
        let h11 = (gp1[2] - gm1[2]) / (2.0 * h);
        let h01 = 0.25 * ((gp0[2] - gm0[2]) + (gp1[1] - gm1[1])) / h;
        let det = h00 * h11 - h01 * h01;
        let newton = h00 > 0.0 && det > 0.0 && det.is_finite();
        let mut step = if newton {
            [
                -(h11 * g[0] - h01 * g[1]) / det,
                -(-h01 * g[0] + h00 * g[1]) / det,
            ]
        } else {
            let n = (g[0] * g[0] + g[1] * g[1]).sqrt().max(1e-300);
            [-g[0] / n * 0.5, -g[1] / n * 0.5]
        };
        // Keep one step within a sensible trust region (half a decade of σ, a few stds of μ).
        let limit = 0.5f64;
        let len = step[0].abs().max(step[1].abs());
        if len > limit * x[1].exp().max(1.0) || step[1].abs() > limit {
            let f = (limit / step[1].abs()).min(limit * x[1].exp().max(1.0) / len);
            step = [step[0] * f, step[1] * f];
        }
        Newton::Search {
            step,
            slope: g[0] * step[0] + g[1] * step[1],
            len: step[0].abs().max(step[1].abs()),
            a: 1.0,
            newton,
        }
    }

    /// Moves to `y`, the line search's accepted point; true when the descent has stopped.
    fn newton_accept(&mut self, p: &Target, div: &Divergence, y: [f64; 2]) -> bool {
        let x = self.x;
        self.iters_left -= 1;
        let moved = (y[0] - x[0]).abs().max((y[1] - x[1]).abs());
        self.x = y;
        self.cur = value_grad_t(p, div, y[0], y[1], self.entropy);
        self.path.push([y[0], y[1].exp(), self.cur[0]]);
        if moved < 1e-10 {
            self.converged = true;
            self.finished = true;
        } else if self.iters_left == 0 {
            self.finished = true;
        }
        self.finished
    }
}

/// Most grid minima refined per landscape: flat regions can hold many rounding-level dips.
pub const MAX_CANDIDATES: usize = 16;

/// Relative accuracy of landscape values: neighbours all within it of a cell make a plateau.
const NOISE: f64 = 1e-8;

/// Grid cells lower than all their neighbours (ties to the first in scan order) and not on
/// a plateau, lowest first, at most [`MAX_CANDIDATES`]: where [`crate::minima()`] starts its
/// descents.
pub fn candidates(land: &Landscape) -> Vec<(f64, f64)> {
    candidate_cells(land)
        .into_iter()
        .map(|(i, j)| (land.grid.mu[j], land.grid.sigma[i]))
        .collect()
}

/// The candidates' cells `(σ index, μ index)`, lowest first.
fn candidate_cells(land: &Landscape) -> Vec<(usize, usize)> {
    let (nm, ns) = (land.grid.mu.len(), land.grid.sigma.len());
    let mut cands = Vec::new();
    for i in 0..ns {
        for j in 0..nm {
            let v = land.at(i, j);
            if !v.is_finite() {
                continue;
            }
            // Most cells have a lower neighbour along μ: the cheap test first.
            let row = &land.values[i * nm..(i + 1) * nm];
            if (j > 0 && row[j - 1] < v) || (j + 1 < nm && row[j + 1] < v) {
                continue;
            }
            // Then the rest of the neighbourhood, stopping at the first lower cell.
            let mut lowest = true;
            let mut rise = 0.0f64;
            'around: for di in -1i64..=1 {
                for dj in -1i64..=1 {
                    let (ii, jj) = (i as i64 + di, j as i64 + dj);
                    if (di, dj) == (0, 0) || ii < 0 || jj < 0 || ii >= ns as i64 || jj >= nm as i64
                    {
                        continue;
                    }
                    let w = land.at(ii as usize, jj as usize);
                    if w < v || (w == v && (ii, jj) < (i as i64, j as i64)) {
                        lowest = false;
                        break 'around;
                    }
                    rise = rise.max(w - v);
                }
            }
            // A dip no deeper than the landscape's accuracy (a saturated plateau) is noise.
            if lowest && rise > NOISE * v.abs() {
                cands.push((v, i, j));
            }
        }
    }
    cands.sort_by(|a, b| a.0.total_cmp(&b.0));
    cands.truncate(MAX_CANDIDATES);
    cands.into_iter().map(|(_, i, j)| (i, j)).collect()
}

/// The candidates located by a parabola through each cell and its neighbours along μ and σ:
/// minima to a fraction of a cell without evaluating D again (for a landscape being dragged).
pub fn grid_minima(land: &Landscape) -> Vec<Minimum> {
    let g = &land.grid;
    // Vertex offset (in cells, within ±½) and value of the parabola through a, b, c.
    let vertex = |a: f64, b: f64, c: f64| {
        let curv = a - 2.0 * b + c;
        if curv > 0.0 && a.is_finite() && c.is_finite() {
            let t = (0.5 * (a - c) / curv).clamp(-0.5, 0.5);
            (t, b - 0.25 * (a - c) * t)
        } else {
            (0.0, b)
        }
    };
    let at = |v: &[f64], k: usize, d: isize| {
        let i = k as isize + d;
        (i >= 0 && (i as usize) < v.len()).then_some(i as usize)
    };
    candidate_cells(land)
        .into_iter()
        .map(|(i, j)| {
            let v = land.at(i, j);
            let side = |ii: Option<usize>, jj: Option<usize>| match (ii, jj) {
                (Some(ii), Some(jj)) => land.at(ii, jj),
                _ => f64::NAN,
            };
            let (tm, vm) = vertex(
                side(Some(i), at(&g.mu, j, -1)),
                v,
                side(Some(i), at(&g.mu, j, 1)),
            );
            let (ts, vs) = vertex(
                side(at(&g.sigma, i, -1), Some(j)),
                v,
                side(at(&g.sigma, i, 1), Some(j)),
            );
            let step = |x: &[f64], k: usize, t: f64| {
                let n = x.len();
                let h = if t >= 0.0 && k + 1 < n {
                    x[k + 1] - x[k]
                } else if k > 0 {
                    x[k] - x[k - 1]
                } else {
                    0.0
                };
                x[k] + t * h
            };
            Minimum {
                mu: step(&g.mu, j, tm),
                sigma: step(&g.sigma, i, ts),
                value: vm + vs - v,
            }
        })
        .collect()
}

/// Most Newton steps when refining a grid minimum.
pub const REFINE_STEPS: usize = 100;

/// The minimum a finished descent found, if it converged inside the grid's rectangle.
pub(crate) fn accept(g: &Grid, d: &Descent) -> Option<Minimum> {
    let (mlo, mhi) = (g.mu[0], g.mu[g.mu.len() - 1]);
    let (slo, shi) = (g.sigma[0], g.sigma[g.sigma.len() - 1]);
    let &[mu, sigma, value] = d.path.last()?;
    let inside = mu >= mlo - 1e-9
        && mu <= mhi + 1e-9
        && sigma >= slo * (1.0 - 1e-9)
        && sigma <= shi * (1.0 + 1e-9);
    (d.converged && inside).then_some(Minimum { mu, sigma, value })
}

/// Adds `m` to `found` unless a minimum within 1e-4 is there already; keeps them by value
/// (to 1e-8, then by μ).
pub(crate) fn merge_minimum(found: &mut Vec<Minimum>, m: Minimum) {
    if !found
        .iter()
        .any(|o| (o.mu - m.mu).abs() < 1e-4 && (o.sigma - m.sigma).abs() < 1e-4)
    {
        found.push(m);
        // By value to 1e-8, then by μ: mirror minima tie, and rounding must not order them.
        let key = |m: &Minimum| ((m.value * 1e8).round(), m.mu);
        found.sort_by(|a, b| {
            let (ka, kb) = (key(a), key(b));
            ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_kl_refines_on_its_closed_form_as_on_the_quadrature() {
        // With H(p) given, forward KL's value and gradient in (μ, ln σ) are closed forms: they
        // agree with the adaptive quadrature, and a descent from them ends where its does.
        for spec in [
            "0.5:-4:1,0.5:4:1",
            "0.000001:0:1,1:1000:0.001",
            "0.3:-2:0.5,0.7:3:2",
        ] {
            let p = Target::parse(spec).unwrap();
            let h = Some(entropy(&p));
            let fkl = Divergence::ForwardKl;
            for (mu, sigma) in [(0.0, 3.0), (999.0, 0.5), (-5.0, 40.0)] {
                let t = f64::ln(sigma);
                let [v, dm, dt] = value_grad_t(&p, &fkl, mu, t, h);
                let [w, em, et] = value_grad_t(&p, &fkl, mu, t, None);
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-8 * (1.0 + b.abs());
                assert!(
                    close(v, w) && close(dm, em) && close(dt, et),
                    "{spec} at ({mu}, {sigma}): {:?} vs {:?}",
                    [v, dm, dt],
                    [w, em, et]
                );
                assert_eq!(value_t(&p, &fkl, mu, t, h), v);
            }
            // From near the minimum (q moment-matched to p).
            let (m, sd) = (p.mean(), p.variance().sqrt());
            let run = |h| {
                let mut d = Descender::with_entropy(&p, &fkl, m + 0.3 * sd, 1.5 * sd, 60, h);
                while !d.step(&p, &fkl) {}
                d.into_descent()
            };
            let (closed, quad) = (run(h), run(None));
            let (a, b) = (closed.path.last().unwrap(), quad.path.last().unwrap());
            assert!(closed.converged && quad.converged, "{spec}");
            for k in 0..3 {
                assert!(
                    (a[k] - b[k]).abs() <= 1e-7 * (1.0 + b[k].abs()),
                    "{spec}: {a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn log_grid_ends_exactly() {
        let g = Grid::new((-1.0, 1.0), (0.1, 10.0), 3, 3, true).unwrap();
        assert_eq!((g.sigma[0], g.sigma[2]), (0.1, 10.0));
        assert!((g.sigma[1] - 1.0).abs() < 1e-15);
        assert_eq!(g.mu, vec![-1.0, 0.0, 1.0]);
        assert!(Grid::new((1.0, -1.0), (0.1, 1.0), 3, 3, false).is_err());
        assert!(Grid::new((-1.0, 1.0), (0.0, 1.0), 3, 3, false).is_err());
        assert!(Grid::new((-1.0, 1.0), (0.1, 1.0), 1, 3, false).is_err());
    }
}
