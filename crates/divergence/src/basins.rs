//! Basins of attraction over a landscape: which local minimum descent from each cell reaches.
//!
//! Every cell flows to its lowest 8-neighbour until it reaches a sink (a cell no neighbour
//! undercuts): the discrete gradient flow of the landscape. Each sink is then resolved by a
//! descent of the exact divergence ([`crate::Descender::gradient_flow`]) to one of the refined minima,
//! and its cells take that minimum's label. So every cell is labelled, not a sample of starts.

use crate::divergences::Divergence;
use crate::landscape::{Descender, Landscape, Minimum};
use crate::target::Target;

/// The discrete flow: for each cell, the index of the sink it drains to (cells with a
/// non-finite value drain nowhere), and the distinct sinks, lowest value first.
pub fn flow_sinks(land: &Landscape) -> (Vec<Option<usize>>, Vec<usize>) {
    let (nm, ns) = (land.grid.mu.len(), land.grid.sigma.len());
    let n = nm * ns;
    // Each cell's steepest strictly-lower neighbour (ties to scan order), or itself.
    let next: Vec<usize> = (0..n)
        .map(|k| {
            let (i, j) = (k / nm, k % nm);
            let mut best = k;
            for di in -1i64..=1 {
                for dj in -1i64..=1 {
                    let (ii, jj) = (i as i64 + di, j as i64 + dj);
                    if (di, dj) == (0, 0) || ii < 0 || jj < 0 || ii >= ns as i64 || jj >= nm as i64
                    {
                        continue;
                    }
                    let kk = ii as usize * nm + jj as usize;
                    if land.values[kk] < land.values[best] {
                        best = kk;
                    }
                }
            }
            best
        })
        .collect();
    let mut sink: Vec<Option<usize>> = vec![None; n];
    let mut chain = Vec::new();
    for k in 0..n {
        if sink[k].is_some() || !land.values[k].is_finite() {
            continue;
        }
        let mut c = k;
        chain.clear();
        // Values strictly decrease along `next`, so the walk ends.
        while sink[c].is_none() && next[c] != c {
            chain.push(c);
            c = next[c];
        }
        let s = sink[c].unwrap_or(c);
        sink[c] = Some(s);
        for &v in &chain {
            sink[v] = Some(s);
        }
    }
    let mut sinks: Vec<usize> = (0..n).filter(|&k| sink[k] == Some(k)).collect();
    sinks.sort_by(|&a, &b| land.values[a].total_cmp(&land.values[b]));
    (sink, sinks)
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

/// The basin label (index into `minima`) of every cell of `land`; `None` where descent from
/// the cell's sink leaves the landscape, does not converge, or the value is not finite.
pub fn basins(
    p: &Target,
    div: &Divergence,
    land: &Landscape,
    minima: &[Minimum],
) -> Vec<Option<usize>> {
    let mut b = BasinSolver::new(land);
    while !b.step(p, div, land, minima) {}
    b.labels()
}

/// [`basins`] one Newton step at a time, so that the page can interleave it with frames.
#[derive(Debug)]
pub struct BasinSolver {
    sink: Vec<Option<usize>>,
    sinks: Vec<usize>,
    sink_label: Vec<Option<usize>>,
    current: Option<Descender>,
}

impl BasinSolver {
    /// The discrete flow of `land`, with no sink resolved yet.
    pub fn new(land: &Landscape) -> Self {
        let (sink, mut sinks) = flow_sinks(land);
        sinks.truncate(MAX_SINKS);
        Self {
            sink,
            sinks,
            sink_label: Vec::new(),
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
            Descender::gradient_flow(p, div, start, land.grid.cell(), FLOW_STEPS)
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
