//! Basins of attraction over a landscape: which local minimum descent from each cell reaches,
//! in a named [`Metric`].
//!
//! From every cell a streamline of the metric's flow −G⁻¹∇D (the gradient by central
//! differences of the cell values in (μ, σ) units, interpolated bilinearly) is traced in
//! half-cell steps until it reaches a sink (a cell no neighbour undercuts). The flow is the
//! metric's own, in (μ, σ) units, so a zoom or pan leaves the basins where they were. Each
//! sink is then resolved by the metric's continuous descent ([`MetricDescent`]) to one of the
//! refined minima, and its cells take that minimum's label. So every cell is labelled.

use crate::divergences::Divergence;
use crate::landscape::{Landscape, Minimum};
use crate::metric::{DescentOptions, Metric, MetricDescent, Optimizer};
use crate::target::Target;

/// The flow in `metric`: for each cell, the index of the sink its streamline drains to
/// (cells with a non-finite value drain nowhere), and the distinct sinks, lowest value first.
pub fn flow_sinks(land: &Landscape, metric: Metric) -> (Vec<Option<usize>>, Vec<usize>) {
    let (nm, ns) = (land.grid.mu.len(), land.grid.sigma.len());
    let (mu, sigma) = (&land.grid.mu, &land.grid.sigma);
    let n = nm * ns;
    // Each cell's strictly-lower neighbour of steepest metric descent (ties to scan order),
    // or itself.
    let next: Vec<usize> = (0..n)
        .map(|k| {
            let (i, j) = (k / nm, k % nm);
            let (mut best, mut rate) = (k, 0.0);
            for di in -1i64..=1 {
                for dj in -1i64..=1 {
                    let (ii, jj) = (i as i64 + di, j as i64 + dj);
                    if (di, dj) == (0, 0) || ii < 0 || jj < 0 || ii >= ns as i64 || jj >= nm as i64
                    {
                        continue;
                    }
                    let (ii, jj) = (ii as usize, jj as usize);
                    let kk = ii * nm + jj;
                    let drop = land.values[k] - land.values[kk];
                    if drop.is_nan() || drop <= 0.0 {
                        continue;
                    }
                    let d = [mu[jj] - mu[j], sigma[ii] - sigma[i]];
                    let len = metric.norm(0.5 * (sigma[i] + sigma[ii]), d);
                    let r = if land.values[k].is_finite() {
                        drop / len
                    } else {
                        f64::INFINITY
                    };
                    if best == k || r > rate {
                        (best, rate) = (kk, r);
                    }
                }
            }
            best
        })
        .collect();
    let mut down: Vec<Option<usize>> = vec![None; n];
    let mut chain = Vec::new();
    for k in 0..n {
        if down[k].is_some() || !land.values[k].is_finite() {
            continue;
        }
        let mut c = k;
        chain.clear();
        // Values strictly decrease along `next`, so the walk ends.
        while down[c].is_none() && next[c] != c {
            chain.push(c);
            c = next[c];
        }
        let s = down[c].unwrap_or(c);
        down[c] = Some(s);
        for &v in &chain {
            down[v] = Some(s);
        }
    }
    let grad = node_gradients(land);
    let limit = 4 * (nm + ns);
    let sink: Vec<Option<usize>> = (0..n)
        .map(|k| {
            down[k]?;
            let at = stream_end(land, &grad, &next, metric, (k % nm, k / nm), limit);
            down[at]
        })
        .collect();
    let mut sinks: Vec<usize> = (0..n).filter(|&k| sink[k] == Some(k)).collect();
    sinks.sort_by(|&a, &b| land.values[a].total_cmp(&land.values[b]));
    (sink, sinks)
}

/// ∂D/∂μ and ∂D/∂σ at every cell by central differences (one-sided at the edges), in
/// (μ, σ) units; NaN next to a non-finite value.
fn node_gradients(land: &Landscape) -> Vec<[f64; 2]> {
    let (mu, sigma, v) = (&land.grid.mu, &land.grid.sigma, &land.values);
    let (nm, ns) = (mu.len(), sigma.len());
    let diff = |a: usize, b: usize, x: &[f64], va: f64, vb: f64| (vb - va) / (x[b] - x[a]);
    (0..nm * ns)
        .map(|k| {
            let (i, j) = (k / nm, k % nm);
            let (j0, j1) = (j.saturating_sub(1), (j + 1).min(nm - 1));
            let (i0, i1) = (i.saturating_sub(1), (i + 1).min(ns - 1));
            [
                diff(j0, j1, mu, v[i * nm + j0], v[i * nm + j1]),
                diff(i0, i1, sigma, v[i0 * nm + j], v[i1 * nm + j]),
            ]
        })
        .map(|g| g.map(|x| if x.is_finite() { x } else { f64::NAN }))
        .collect()
}

/// The cell where the streamline of −G⁻¹∇D from cell `(j, i)` (μ index, σ index) first
/// reaches a sink of `next`; after `limit` half-cell steps, or where the gradient is not
/// finite, the cell it is in.
fn stream_end(
    land: &Landscape,
    grad: &[[f64; 2]],
    next: &[usize],
    metric: Metric,
    (j, i): (usize, usize),
    limit: usize,
) -> usize {
    let (mu, sigma) = (&land.grid.mu, &land.grid.sigma);
    let (nm, ns) = (mu.len(), sigma.len());
    let (mut u, mut v) = (j as f64, i as f64);
    let cell = |u: f64, v: f64| (v.round() as usize) * nm + u.round() as usize;
    if nm < 2 || ns < 2 {
        return cell(u, v);
    }
    for _ in 0..limit {
        let c = cell(u, v);
        if next[c] == c {
            return c;
        }
        // Bilinear interpolation of the gradient and of σ at (u, v).
        let (j0, i0) = (
            (u.floor() as usize).min(nm - 2),
            (v.floor() as usize).min(ns - 2),
        );
        let (fu, fv) = (u - j0 as f64, v - i0 as f64);
        let w = [
            (1.0 - fu) * (1.0 - fv),
            fu * (1.0 - fv),
            (1.0 - fu) * fv,
            fu * fv,
        ];
        let idx = [
            i0 * nm + j0,
            i0 * nm + j0 + 1,
            (i0 + 1) * nm + j0,
            (i0 + 1) * nm + j0 + 1,
        ];
        let mut g = [0.0; 2];
        for (wk, &kk) in w.iter().zip(&idx) {
            g[0] += wk * grad[kk][0];
            g[1] += wk * grad[kk][1];
        }
        let s = sigma[i0] + fv * (sigma[i0 + 1] - sigma[i0]);
        let d = metric.direction(s, g);
        // In index units: (μ, σ) over the local spacing.
        let step = [
            d[0] / (mu[j0 + 1] - mu[j0]),
            d[1] / (sigma[i0 + 1] - sigma[i0]),
        ];
        let m = step[0].abs().max(step[1].abs());
        if !(m > 0.0 && m.is_finite()) {
            return c;
        }
        u = (u + 0.5 * step[0] / m).clamp(0.0, (nm - 1) as f64);
        v = (v + 0.5 * step[1] / m).clamp(0.0, (ns - 1) as f64);
    }
    cell(u, v)
}

/// Most steps of a basin or path descent (gradient phase and Newton polish together).
pub const FLOW_STEPS: usize = 400;

/// Most sinks resolved by descent; further (higher) sinks stay unlabelled.
pub const MAX_SINKS: usize = 32;

/// The index in `minima` within 1e-4 (in μ and σ) of a descent's end, if any.
pub fn match_minimum(minima: &[Minimum], end: (f64, f64)) -> Option<usize> {
    minima
        .iter()
        .position(|m| (m.mu - end.0).abs() < 1e-4 && (m.sigma - end.1).abs() < 1e-4)
}

/// Labels cells from their sinks' labels (`sink_label[k]` for `sinks[k]`).
pub fn label_cells(
    sink: &[Option<usize>],
    sinks: &[usize],
    sink_label: &[Option<usize>],
) -> Vec<Option<usize>> {
    sink.iter()
        .map(|s| {
            let s = (*s)?;
            let k = sinks.iter().position(|&t| t == s)?;
            *sink_label.get(k)?
        })
        .collect()
}

/// The basin label (index into `minima`) of every cell of `land`, in the default (Fisher)
/// metric; `None` where descent from
/// the cell's sink leaves the landscape, does not converge, or the value is not finite.
pub fn basins(
    p: &Target,
    div: &Divergence,
    land: &Landscape,
    minima: &[Minimum],
) -> Vec<Option<usize>> {
    basins_in(p, div, land, minima, Metric::default())
}

/// [`basins`] in a named metric.
pub fn basins_in(
    p: &Target,
    div: &Divergence,
    land: &Landscape,
    minima: &[Minimum],
    metric: Metric,
) -> Vec<Option<usize>> {
    let mut b = BasinSolver::new(land, metric);
    while !b.step(p, div, land, minima) {}
    b.labels()
}

/// [`basins`] one descent step at a time, so that the page can interleave it with frames.
#[derive(Debug)]
pub struct BasinSolver {
    sink: Vec<Option<usize>>,
    sinks: Vec<usize>,
    sink_label: Vec<Option<usize>>,
    metric: Metric,
    current: Option<MetricDescent>,
}

impl BasinSolver {
    /// The discrete flow of `land` in `metric`, with no sink resolved yet.
    pub fn new(land: &Landscape, metric: Metric) -> Self {
        let (sink, mut sinks) = flow_sinks(land, metric);
        sinks.truncate(MAX_SINKS);
        Self {
            sink,
            sinks,
            sink_label: Vec::new(),
            metric,
            current: None,
        }
    }

    /// Advances the descent of the next unresolved sink by one step; true when all are done.
    pub fn step(
        &mut self,
        p: &Target,
        div: &Divergence,
        land: &Landscape,
        minima: &[Minimum],
    ) -> bool {
        let k = self.sink_label.len();
        let Some(&s) = self.sinks.get(k) else {
            return true;
        };
        let nm = land.grid.mu.len();
        let d = self.current.get_or_insert_with(|| {
            let start = (land.grid.mu[s % nm], land.grid.sigma[s / nm]);
            let opts = DescentOptions::default();
            MetricDescent::new(p, div, start, self.metric, Optimizer::GradientDescent, opts)
        });
        if d.step(p, div) {
            let label = self.current.take().and_then(|d| {
                let d = d.into_descent();
                let &[m, sg, _] = d.path.last()?;
                d.converged
                    .then(|| match_minimum(minima, (m, sg)))
                    .flatten()
            });
            self.sink_label.push(label);
        }
        self.sink_label.len() == self.sinks.len()
    }

    /// Labels of every cell from the sinks resolved so far (the rest `None`).
    pub fn labels(&self) -> Vec<Option<usize>> {
        label_cells(&self.sink, &self.sinks, &self.sink_label)
    }
}
