//! [`Study`]: the one owner of a view's computations. Given a target, its landscape panels,
//! the (μ, σ) view, a resolution and a [`Detail`] (full, or quick while the reader drags), it
//! owns each panel's plan and cells, the refinement of its minima (one descent step at a
//! time), its basins and the reader's descent paths, and advances them with
//! [`Study::step`] within a budget the caller decides. [`crate::landscape()`] and
//! [`crate::minima()`] are a study run to the end; the page runs the same one frame by frame.

use crate::basins::BasinSolver;
use crate::conv::{Plan, RowBuffers, MAX_POINTS};
use crate::divergences::Divergence;
use crate::landscape::{
    accept, candidates, closed_form, grid_minima, landscape_cells, merge_minimum, Descender, Grid,
    Landscape, Minimum, REFINE_STEPS,
};
use crate::metric::{DescentOptions, Metric, MetricDescent, Optimizer};
use crate::state::{Panel, View};
use crate::target::Target;

/// How finely a study computes: everything, or what a drag can afford every frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Every panel at full resolution, minima refined by descent.
    Full,
    /// While the reader drags: minima read off the grid (to a fraction of a cell), and the
    /// divergences without a closed form or row correlation at a third of the resolution.
    Quick,
}

/// What a study computes after a panel's cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum After {
    /// Nothing: the landscape alone.
    Nothing,
    /// Minima, read off the grid ([`Detail::Quick`]) or refined by descent.
    Minima,
}

/// A complete landscape with its minima (by value).
pub type Finished = (Landscape, Vec<Minimum>);

/// Where the study's grid comes from.
#[derive(Clone, Debug)]
enum Area {
    /// A view sampled at a resolution (the page: the resolution may change).
    View {
        view: View,
        resolution: (usize, usize),
    },
    /// A fixed grid (a landscape of the command line; σ possibly logarithmic).
    Grid(Grid),
}

/// Basin labels of a finished landscape: not started, being computed, or done.
#[derive(Debug)]
enum Basins {
    None,
    Solving(BasinSolver),
    Done(Vec<Option<usize>>),
}

/// One panel's landscape being computed, or done.
#[derive(Debug)]
struct Work {
    /// The row-wise path, for the divergences and grids it covers.
    plan: Option<Plan>,
    /// False until `plan` is built: the panel's first unit of work, so that a new problem
    /// costs nothing until the work loop's slices take it on.
    planned: bool,
    /// The plan's FFT buffers, kept from one pair of rows to the next.
    buffers: RowBuffers,
    grid: Grid,
    values: Vec<f64>,
    cells_done: usize,
    /// H(p), for forward KL's closed form.
    entropy: Option<f64>,
    /// Grid minima still to refine (the next at the end), once every cell is computed.
    pending: Option<Vec<(f64, f64)>>,
    /// How many grid minima there were to refine.
    candidates: usize,
    /// The refinement in progress.
    descent: Option<Descender>,
    found: Vec<Minimum>,
    /// Set once the panel is complete.
    minima: Option<Vec<Minimum>>,
}

impl Work {
    fn new(plan: Option<Plan>, grid: Grid) -> Work {
        let n = grid.mu.len() * grid.sigma.len();
        Work {
            plan,
            planned: true,
            buffers: RowBuffers::default(),
            grid,
            values: vec![0.0; n],
            cells_done: 0,
            entropy: None,
            pending: None,
            candidates: 0,
            descent: None,
            found: Vec::new(),
            minima: None,
        }
    }

    /// Work on `grid` whose plan is still to build.
    fn pending(grid: Grid) -> Work {
        Work {
            planned: false,
            ..Work::new(None, grid)
        }
    }

    fn landscape(&self) -> Landscape {
        Landscape {
            grid: self.grid.clone(),
            values: self.values.clone(),
        }
    }
}

/// How far one panel has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PanelProgress {
    pub cells_done: usize,
    pub cells_total: usize,
    /// Grid minima refined so far, and how many there are (0 until the cells are done).
    pub minima_refined: usize,
    pub minima_total: usize,
    /// The landscape and its minima are complete.
    pub complete: bool,
}

/// The owner of a view's computations (see the module docs).
#[derive(Debug)]
pub struct Study {
    target: Target,
    panels: Vec<Panel>,
    area: Area,
    detail: Detail,
    after: After,
    plan_points: usize,
    basins_on: bool,
    /// The metric of descents and basins.
    metric: Metric,
    /// The newest computation per panel.
    work: Vec<Work>,
    /// The last complete landscape per panel, kept while a newer one is computed.
    shown: Vec<Option<Finished>>,
    basins: Vec<Basins>,
    /// A descent per panel from the reader's chosen start.
    descents: Vec<Option<MetricDescent>>,
    cells_computed: u64,
    /// Units of work done so far (see [`Study::step`]).
    units: u64,
    /// Bumped whenever what a panel shows changes; panel revisions are taken from it.
    revision: u64,
    /// Per panel: the revision at which what it shows last changed.
    changed: Vec<u64>,
}

impl Study {
    /// A study of `panels` over `view` at `resolution` (μ × σ points), at full detail, with
    /// plans of up to 2^20 points and no basins.
    ///
    /// # Examples
    /// ```
    /// use divergence::{State, Study};
    /// let s = State::preset("blog-kl").unwrap();
    /// let v = s.validate().unwrap();
    /// let mut study = Study::new(v.target, v.panels, s.view, (24, 20));
    /// // A budget of work: stop after every unit of it, here 50 units a call.
    /// let mut calls = 0;
    /// while !study.step(&mut { let mut n = 0; move || { n += 1; n > 50 } }) {
    ///     calls += 1;
    /// }
    /// assert!(calls > 0 && study.progress().iter().all(|p| p.complete));
    /// let (_, forward) = study.finished(1).unwrap();
    /// assert_eq!(forward.len(), 1); // forward KL: one minimum, at (0, √17)
    /// assert!((forward[0].sigma - 17f64.sqrt()).abs() < 1e-6);
    /// ```
    pub fn new(
        target: Target,
        panels: Vec<Panel>,
        view: View,
        resolution: (usize, usize),
    ) -> Study {
        let mut s = Study::empty(target, panels, Area::View { view, resolution });
        s.restart();
        s
    }

    /// A study of one divergence, not started.
    fn one(target: &Target, div: &Divergence, area: Area) -> Study {
        let panel = Panel {
            name: div.name().to_string(),
            div: *div,
            log: false,
        };
        Study::empty(target.clone(), vec![panel], area)
    }

    fn empty(target: Target, panels: Vec<Panel>, area: Area) -> Study {
        Study {
            target,
            panels,
            area,
            detail: Detail::Full,
            after: After::Minima,
            plan_points: MAX_POINTS,
            basins_on: false,
            metric: Metric::default(),
            work: Vec::new(),
            shown: Vec::new(),
            basins: Vec::new(),
            descents: Vec::new(),
            cells_computed: 0,
            units: 0,
            revision: 0,
            changed: Vec::new(),
        }
    }

    /// Caps a plan's x table and FFTs at `points` (16 bytes a point; beyond, per-cell
    /// quadrature): one extreme view must not set a page's memory high-water mark.
    pub fn with_plan_points(mut self, points: usize) -> Study {
        self.plan_points = points;
        self.restart();
        self
    }

    /// A new target, panels and view: everything restarts, descents are dropped, and each
    /// panel keeps showing its last landscape (by name) until the new one is complete.
    pub fn set_problem(&mut self, target: Target, panels: Vec<Panel>, view: View) {
        let mut old: Vec<(String, Option<Finished>)> = (self.panels.iter())
            .map(|p| p.name.clone())
            .zip(std::mem::take(&mut self.shown))
            .collect();
        self.target = target;
        self.panels = panels;
        if let Area::View { view: v, .. } = &mut self.area {
            *v = view;
        }
        self.descents.clear();
        self.basins.clear();
        self.restart();
        // Moved, not copied (a 1024² landscape is 8 MB), unless a later panel has the name too.
        for (k, p) in self.panels.iter().enumerate() {
            let again = self.panels[k + 1..].iter().any(|q| q.name == p.name);
            if let Some((_, s)) = old.iter_mut().find(|(n, _)| *n == p.name) {
                self.shown[k] = if again { s.clone() } else { s.take() };
            }
        }
    }

    /// Full or quick detail; a change restarts the landscapes.
    pub fn set_detail(&mut self, detail: Detail) {
        if detail != self.detail {
            self.detail = detail;
            self.restart();
        }
    }

    /// The current detail.
    pub fn detail(&self) -> Detail {
        self.detail
    }

    /// Grid size (μ × σ points) of a view's landscapes; a change restarts them.
    pub fn set_resolution(&mut self, resolution: (usize, usize)) {
        if let Area::View { resolution: r, .. } = &mut self.area {
            if *r == resolution && !self.work.is_empty() {
                return;
            }
            *r = resolution;
            self.restart();
        }
    }

    /// Whether [`Study::step`] goes on to basins of attraction once landscapes are done.
    pub fn set_basins(&mut self, on: bool) {
        self.basins_on = on;
    }

    /// The metric of descents and basins; a change drops the descents and recomputes the
    /// basins (the landscapes stay).
    pub fn set_metric(&mut self, metric: Metric) {
        if metric != self.metric {
            self.metric = metric;
            self.descents.clear();
            for b in &mut self.basins {
                *b = Basins::None;
            }
        }
    }

    /// The metric of descents and basins.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The panels, in order.
    pub fn panels(&self) -> &[Panel] {
        &self.panels
    }

    /// Landscape cells computed by this study so far.
    pub fn cells_computed(&self) -> u64 {
        self.cells_computed
    }

    /// Units of work done by [`Study::step`] so far: between two units it asks whether to
    /// stop, so a caller's slice is never longer than its budget plus one unit.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// Changes whenever panel `k`'s shown landscape, minima or basins change (or the problem
    /// does): a page redraws only the panels whose revision moved.
    pub fn panel_revision(&self, k: usize) -> u64 {
        self.changed.get(k).copied().unwrap_or(self.revision)
    }

    /// Panel `k`'s last complete landscape and minima, if any.
    pub fn finished(&self, k: usize) -> Option<&Finished> {
        self.shown.get(k)?.as_ref()
    }

    /// Panel `k`'s basin labels (index into its minima per cell, row-major), once computed.
    pub fn basin_labels(&self, k: usize) -> Option<&[Option<usize>]> {
        match self.basins.get(k) {
            Some(Basins::Done(b)) if self.basins_on => Some(b),
            _ => None,
        }
    }

    /// Per panel, how far it has got.
    pub fn progress(&self) -> Vec<PanelProgress> {
        (self.work.iter())
            .map(|w| PanelProgress {
                cells_done: w.cells_done,
                cells_total: w.values.len(),
                minima_refined: match &w.pending {
                    Some(p) => w.candidates - p.len() - usize::from(w.descent.is_some()),
                    None => w.found.len(),
                },
                minima_total: match w.pending {
                    Some(_) => w.candidates,
                    None => w.found.len(),
                },
                complete: w.minima.is_some(),
            })
            .collect()
    }

    /// True when every landscape (and, if on, every basin map) is complete.
    pub fn done(&self) -> bool {
        self.work.iter().all(|j| j.minima.is_some())
            && (!self.basins_on
                || (self.basins.iter().zip(&self.shown))
                    .all(|(b, s)| s.is_none() || matches!(b, Basins::Done(_))))
    }

    /// Advances the computation one unit at a time (a plan's unit, [`Plan::unit_cells`]; a cell
    /// of quadrature or 16 of a closed form; one evaluation of a minimum's refinement; one
    /// basin step) until
    /// `out_of_time()` says stop or everything is done; true when done.
    /// `out_of_time` is asked after every unit: a clock for the page, a count for tests.
    pub fn step(&mut self, out_of_time: &mut impl FnMut() -> bool) -> bool {
        self.step_dyn(out_of_time)
    }

    /// [`Study::step`] made once, whatever the clock (a unit outweighs a dynamic call; one
    /// copy of the loop in the page's wasm).
    fn step_dyn(&mut self, out_of_time: &mut dyn FnMut() -> bool) -> bool {
        for k in 0..self.work.len() {
            if !self.step_panel(k, out_of_time) {
                return false;
            }
        }
        self.step_basins(out_of_time)
    }

    /// Panel `k` until complete (true) or out of time (false).
    fn step_panel(&mut self, k: usize, out_of_time: &mut dyn FnMut() -> bool) -> bool {
        let div = self.panels[k].div;
        let job = &mut self.work[k];
        while job.minima.is_none() {
            // (A correlation without a plan while dragging moves to a smaller grid.)
            let total = job.values.len();
            if !job.planned {
                Self::plan(
                    &self.target,
                    &div,
                    &self.area,
                    self.detail,
                    self.plan_points,
                    job,
                );
            } else if let (Some(plan), true) = (&job.plan, job.cells_done < total) {
                // The plan's unit on the tabulated grid: two rows for an FFT correlation (one
                // inverse FFT per pair), part of a row for Neyman χ² and Jensen–Shannon, else
                // one row.
                let nm = job.grid.mu.len();
                let (i, j0) = (job.cells_done / nm, job.cells_done % nm);
                let unit = plan.unit_cells(nm);
                let n = if unit < nm {
                    let n = unit.min(nm - j0);
                    let at = i * nm + j0;
                    plan.row_part(job.grid.sigma[i], nm, j0, &mut job.values[at..at + n]);
                    n
                } else {
                    let end = (i + unit / nm).min(job.grid.sigma.len());
                    plan.rows_with(
                        &job.grid.sigma[i..end],
                        &mut job.values[i * nm..end * nm],
                        &mut job.buffers,
                    );
                    (end - i) * nm
                };
                job.cells_done += n;
                self.cells_computed += n as u64;
            } else if job.cells_done < total {
                // Closed forms 16 cells at a time; a cell of quadrature alone (one `ksd` cell
                // takes milliseconds).
                let n = if closed_form(&div) { 16 } else { 1 }.min(total - job.cells_done);
                let s0 = job.cells_done;
                landscape_cells(
                    &self.target,
                    &div,
                    &job.grid,
                    s0,
                    &mut job.entropy,
                    &mut job.values[s0..s0 + n],
                );
                job.cells_done += n;
                self.cells_computed += n as u64;
            } else if self.after == After::Nothing {
                job.minima = Some(Vec::new());
                continue;
            } else if self.detail == Detail::Quick {
                // While dragging: minima read off the grid, no descent.
                let land = job.landscape();
                job.found = grid_minima(&land);
                job.minima = Some(job.found.clone());
                self.shown[k] = Some((land, job.found.clone()));
                self.revision += 1;
                self.changed[k] = self.revision;
                self.basins[k] = Basins::None;
                continue;
            } else {
                if job.pending.is_none() {
                    // Lowest first: the order `candidates` gives, popped from the end.
                    // The values lent to a landscape and back: no copy of the grid's cells.
                    let land = Landscape {
                        grid: job.grid.clone(),
                        values: std::mem::take(&mut job.values),
                    };
                    let mut c = candidates(&land);
                    job.values = land.values;
                    c.reverse();
                    job.candidates = c.len();
                    job.pending = Some(c);
                }
                if let Some(d) = job.descent.as_mut() {
                    if d.step(&self.target, &div) {
                        let found = job.descent.take().map(Descender::into_descent);
                        if let Some(m) = found.and_then(|d| accept(&job.grid, &d)) {
                            merge_minimum(&mut job.found, m);
                        }
                    }
                } else if let Some((mu, sigma)) = job.pending.as_mut().and_then(Vec::pop) {
                    job.descent = Some(Descender::with_entropy(
                        &self.target,
                        &div,
                        mu,
                        sigma,
                        REFINE_STEPS,
                        job.entropy,
                    ));
                } else {
                    job.minima = Some(job.found.clone());
                    self.shown[k] = Some((job.landscape(), job.found.clone()));
                    self.revision += 1;
                    self.changed[k] = self.revision;
                    self.basins[k] = Basins::None;
                }
            }
            self.units += 1;
            if out_of_time() {
                return false;
            }
        }
        true
    }

    /// Builds `job`'s plan (a panel's first unit). While dragging, a correlation keeps full
    /// resolution only with its plan: without one, the panel drops to a third like the rest.
    #[inline(never)] // inlined, the page's wasm was larger (its 300-KiB budget)
    fn plan(
        target: &Target,
        div: &Divergence,
        area: &Area,
        detail: Detail,
        plan_points: usize,
        job: &mut Work,
    ) {
        job.plan = Plan::with_limit(target, div, &job.grid, plan_points);
        job.planned = true;
        if let (Area::View { view, resolution }, Detail::Quick, None) = (area, detail, &job.plan) {
            let cells = |g: &Grid| g.mu.len() * g.sigma.len();
            match grid_of(view, (resolution.0 / 3, resolution.1 / 3)) {
                Ok(g) if !closed_form(div) && cells(&g) < cells(&job.grid) => {
                    *job = Work::pending(g);
                }
                _ => {}
            }
        }
    }

    /// Resolves basins of finished landscapes; true when none is pending.
    fn step_basins(&mut self, out_of_time: &mut dyn FnMut() -> bool) -> bool {
        if !self.basins_on {
            return true;
        }
        for k in 0..self.panels.len() {
            let Some((land, mins)) = self.shown.get(k).and_then(|s| s.as_ref()) else {
                continue;
            };
            let div = self.panels[k].div;
            loop {
                match &mut self.basins[k] {
                    Basins::Done(_) => break,
                    Basins::None => {
                        self.basins[k] = Basins::Solving(BasinSolver::new(land, self.metric))
                    }
                    Basins::Solving(b) => {
                        if b.step(&self.target, &div, land, mins) {
                            self.basins[k] = Basins::Done(b.labels());
                            self.revision += 1;
                            self.changed[k] = self.revision;
                        }
                    }
                }
                self.units += 1;
                if out_of_time() {
                    return false;
                }
            }
        }
        true
    }

    /// Starts a descent from `(mu, sigma)` on every panel (replacing any earlier one) in the
    /// study's metric: the path `divergence optimize --metric` takes from there, whatever the
    /// view, ending on the refined minimum.
    pub fn start_descent(&mut self, mu: f64, sigma: f64) {
        let (t, m) = (&self.target, self.metric);
        self.descents = (self.panels.iter())
            .map(|p| {
                let opts = DescentOptions::default();
                let gd = Optimizer::GradientDescent;
                Some(MetricDescent::new(t, &p.div, (mu, sigma), m, gd, opts))
            })
            .collect();
    }

    /// Removes the descent paths.
    pub fn clear_descents(&mut self) {
        self.descents.clear();
    }

    /// One step of every unfinished descent; true while any is still moving.
    pub fn step_descents(&mut self) -> bool {
        let mut moving = false;
        for (d, p) in self.descents.iter_mut().zip(&self.panels) {
            if let Some(d) = d {
                moving |= !d.step(&self.target, &p.div);
            }
        }
        moving
    }

    /// Panel `k`'s descent from the reader's start, if one was started.
    pub fn descent(&self, k: usize) -> Option<&MetricDescent> {
        self.descents.get(k)?.as_ref()
    }

    /// The grids of the current computation: the full one, and the one each panel uses.
    fn restart(&mut self) {
        self.revision += 1;
        self.changed = vec![self.revision; self.panels.len()];
        let full = match &self.area {
            Area::Grid(g) => Ok(g.clone()),
            Area::View { view, resolution } => grid_of(view, *resolution),
        };
        let mut work = Vec::with_capacity(self.panels.len());
        let Ok(full) = full else {
            self.work = work;
            return;
        };
        let quick = self.detail == Detail::Quick;
        for p in &self.panels {
            // Closed forms and row correlations keep full resolution even while dragging; the
            // rest (a log per point, an FFT per cell, or per-cell quadrature) drop to a third
            // then. Plans are built by the work loop (a correlation without one drops too).
            let third = match &self.area {
                Area::View { view, resolution }
                    if quick && !closed_form(&p.div) && !Plan::correlates(&p.div) =>
                {
                    Some(grid_of(view, (resolution.0 / 3, resolution.1 / 3)))
                }
                _ => None,
            };
            work.push(match third {
                Some(Ok(g)) => Work::pending(g),
                Some(Err(_)) => {
                    self.work = Vec::new();
                    return;
                }
                None => Work::pending(full.clone()),
            });
        }
        self.work = work;
        self.shown.resize(self.panels.len(), None);
        self.basins.resize_with(self.panels.len(), || Basins::None);
    }

    /// Panel 0's landscape, taken out of a finished study.
    fn into_landscape(mut self) -> Option<Landscape> {
        let w = self.work.drain(..).next()?;
        Some(Landscape {
            grid: w.grid,
            values: w.values,
        })
    }
}

/// A view sampled at `(n_mu, n_sigma)` points (at least 8 a side).
fn grid_of(view: &View, (nm, ns): (usize, usize)) -> Result<Grid, crate::Error> {
    Grid::new(
        (view.mu_range[0], view.mu_range[1]),
        (view.sigma_range[0], view.sigma_range[1]),
        nm.max(8),
        ns.max(8),
        false,
    )
}

/// Evaluates `div` over `grid`: a [`Study`] of that one landscape run to the end. Forward KL
/// uses the closed form −H(p) − E_p[ln q]; reverse KL and the power-integral family go row by
/// row as Gaussian correlations, Jensen–Shannon and KSD row by row on the same tabulated x
/// grid ([`crate::conv`]); the rest use the exact evaluator at landscape tolerance (relative
/// error well below 1e-6).
///
/// # Examples
/// ```
/// use divergence::{landscape, Divergence, Grid, Target};
/// let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
/// let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), 15, 10, false).unwrap();
/// let l = landscape(&p, &Divergence::ReverseKl, &grid);
/// assert_eq!(l.values.len(), 150);
/// assert!(l.values.iter().all(|v| v.is_finite() && *v >= 0.0));
/// ```
pub fn landscape(p: &Target, div: &Divergence, grid: &Grid) -> Landscape {
    let mut s = Study::one(p, div, Area::Grid(grid.clone()));
    s.after = After::Nothing;
    s.restart();
    s.step(&mut || false);
    s.into_landscape().unwrap_or_else(|| Landscape {
        grid: grid.clone(),
        values: Vec::new(),
    })
}

/// Local minima of the continuous D over the landscape's rectangle: every grid cell lower
/// than its neighbours is refined by descent; converged points inside the rectangle are
/// merged (within 1e-4) and sorted by value. A [`Study`] of the landscape run to the end.
///
/// # Examples
/// ```
/// use divergence::{landscape, minima, Divergence, Grid, Target};
/// let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
/// let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), 29, 19, false).unwrap();
/// let m = minima(&p, &Divergence::ReverseKl, &landscape(&p, &Divergence::ReverseKl, &grid));
/// // The two lowest sit on the modes, near (±4, 1) (SPEC §2's known values).
/// assert!((m[0].mu.abs() - 3.9996).abs() < 1e-3 && (m[0].value - 0.693053).abs() < 1e-6);
/// assert!((m[1].mu + m[0].mu).abs() < 1e-6);
/// ```
pub fn minima(p: &Target, div: &Divergence, land: &Landscape) -> Vec<crate::Minimum> {
    let mut s = Study::one(p, div, Area::Grid(land.grid.clone()));
    // The cells are given: no plan, nothing to compute but the minima.
    s.work = vec![Work {
        cells_done: land.values.len(),
        values: land.values.clone(),
        // Forward KL refines on its closed form, as a study does after computing the cells.
        entropy: matches!(div, Divergence::ForwardKl).then(|| crate::closed_forms::entropy(p)),
        ..Work::new(None, land.grid.clone())
    }];
    s.shown = vec![None];
    s.basins = vec![Basins::None];
    s.changed = vec![0];
    s.step(&mut || false);
    s.work
        .first_mut()
        .map(|w| std::mem::take(&mut w.found))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    fn study(preset: &str, names: &[&str], res: (usize, usize)) -> Study {
        let mut s = State::preset(preset).unwrap();
        s.divergences = names.iter().map(|n| n.to_string()).collect();
        let v = s.validate().unwrap();
        Study::new(v.target, v.panels, s.view, res)
    }

    #[test]
    fn stepping_in_small_budgets_gives_the_landscape_and_minima_of_one_run() {
        let names = ["reverse_kl", "forward_kl", "jensen_shannon", "fisher"];
        let mut s = study("asymmetric", &names, (20, 16));
        let mut calls = 0;
        while !s.step(&mut {
            let mut n = 0;
            move || {
                n += 1;
                n > 7
            }
        }) {
            calls += 1;
            let p = s.progress();
            assert!(p.iter().all(|p| p.cells_done <= p.cells_total));
        }
        assert!(calls > 10, "{calls}");
        assert!(s
            .progress()
            .iter()
            .all(|p| p.complete && p.cells_done == 320 && p.minima_refined == p.minima_total));
        assert_eq!(s.cells_computed(), 4 * 320);
        let grid = State::preset("asymmetric").unwrap().grid(20, 16).unwrap();
        for (k, name) in names.iter().enumerate() {
            let div = s.panels()[k].div;
            let (land, mins) = s.finished(k).unwrap();
            let once = landscape(s.target(), &div, &grid);
            assert_eq!(land.values, once.values, "{name}");
            assert_eq!(mins, &minima(s.target(), &div, &once), "{name}");
        }
    }

    #[test]
    fn every_unit_of_work_is_the_plans_unit_a_cell_or_one_step_whatever_the_panels() {
        // Every panel the page offers at once, basins on, quick then full detail: asked to stop
        // after every unit, `step` returns after exactly one, and no unit does more than its
        // plan's unit (a row pair for an FFT correlation, 64 columns of Neyman χ², else a
        // row), 16 cells of a closed form, one cell of quadrature, or one descent or basin step.
        let names: Vec<&str> = crate::registry::panel_infos()
            .iter()
            .map(|p| p.name)
            .collect();
        let mut s = study("blog-stein", &names, (24, 18));
        s.set_basins(true);
        for detail in [Detail::Quick, Detail::Full] {
            s.set_detail(detail);
            let mut calls = 0u64;
            loop {
                let before = s.progress();
                let u = s.units();
                let done = s.step(&mut || true);
                calls += 1;
                // One unit per call (none only when there was nothing left to do).
                assert!(s.units() == u + 1 || (done && s.units() == u), "{calls}");
                for (k, (a, b)) in before.iter().zip(s.progress()).enumerate() {
                    let nm = s.work[k].grid.mu.len();
                    let unit = match &s.work[k].plan {
                        Some(plan) => plan.unit_cells(nm),
                        None if closed_form(&s.panels[k].div) => 16,
                        None => 1,
                    };
                    assert!(b.cells_done - a.cells_done <= unit, "{}", names[k]);
                    if detail == Detail::Full {
                        assert!(b.minima_refined <= a.minima_refined + 1, "{}", names[k]);
                    }
                }
                if done {
                    break;
                }
            }
            assert!(s.done() && calls > 14 * 18, "{detail:?}: {calls} units");
        }
    }

    #[test]
    fn a_panel_revision_moves_only_when_that_panel_changes() {
        // Unit by unit: each time a panel's shown landscape (with its minima, then its basins)
        // changes, its own revision moves and every other panel's stays.
        let mut s = study("blog-kl", &["reverse_kl", "jensen_shannon"], (24, 18));
        s.set_basins(true);
        let mut rev = [s.panel_revision(0), s.panel_revision(1)];
        let mut shown: [(Option<Finished>, bool); 2] = [(None, false), (None, false)];
        let mut moves = [0, 0];
        while !s.step(&mut || true) {
            for k in 0..2 {
                let now = (s.finished(k).cloned(), s.basin_labels(k).is_some());
                let changed = now != shown[k];
                assert_eq!(s.panel_revision(k) != rev[k], changed, "panel {k}");
                moves[k] += usize::from(changed);
                rev[k] = s.panel_revision(k);
                shown[k] = now;
            }
        }
        // Each panel: its landscape with minima, then its basins.
        assert_eq!(moves, [2, 2]);
        // A restart moves every panel's revision.
        s.set_resolution((20, 16));
        assert!(rev
            .iter()
            .enumerate()
            .all(|(k, r)| s.panel_revision(k) > *r));
    }

    #[test]
    fn quick_detail_drops_per_cell_divergences_to_a_third_and_reads_minima_off_the_grid() {
        let mut s = study("blog-kl", &["reverse_kl", "jensen_shannon"], (48, 36));
        s.set_detail(Detail::Quick);
        assert!(s.step(&mut || false));
        let (rkl, rkl_min) = s.finished(0).unwrap();
        let (js, _) = s.finished(1).unwrap();
        assert_eq!((rkl.grid.mu.len(), rkl.grid.sigma.len()), (48, 36));
        assert_eq!((js.grid.mu.len(), js.grid.sigma.len()), (16, 12));
        assert_eq!(rkl_min, &grid_minima(rkl));
        // Back to full detail: refined minima, every panel at full resolution.
        s.set_detail(Detail::Full);
        assert!(s.step(&mut || false));
        assert_eq!(s.finished(1).unwrap().0.grid.mu.len(), 48);
        assert!((s.finished(0).unwrap().1[0].value - 0.693053).abs() < 1e-6);
        // A correlation whose plan passes the cap drops to a third while dragging, like the
        // per-cell divergences, and comes back at full resolution after.
        let mut s = study("blog-kl", &["hellinger"], (48, 36)).with_plan_points(64);
        s.set_detail(Detail::Quick);
        assert!(s.step(&mut || false));
        assert_eq!(s.finished(0).unwrap().0.grid.mu.len(), 16);
        s.set_detail(Detail::Full);
        assert!(s.step(&mut || false));
        assert_eq!(s.finished(0).unwrap().0.grid.mu.len(), 48);
    }

    #[test]
    fn a_new_problem_builds_its_plans_in_the_work_loop_one_unit_each() {
        // set_problem does no work of its own: each panel's plan is its first unit.
        let names = [
            "reverse_kl",
            "jensen_shannon",
            "ksd",
            "neyman_chi2",
            "forward_kl",
        ];
        let mut s = study("blog-stein", &names, (64, 48));
        assert!(s.step(&mut || false));
        let t = s.target().clone();
        let panels = s.panels().to_vec();
        s.set_problem(t, panels, State::preset("blog-stein").unwrap().view);
        assert!(s.work.iter().all(|w| !w.planned && w.plan.is_none()));
        for (k, name) in names.iter().enumerate() {
            let before = s.progress()[k];
            let u = s.units();
            s.step(&mut || true);
            assert_eq!(s.units(), u + 1, "{name}");
            assert!(s.work[k].planned, "{name}");
            // Forward KL is a closed form: no plan.
            assert_eq!(s.work[k].plan.is_some(), *name != "forward_kl", "{name}");
            assert_eq!(s.progress()[k].cells_done, before.cells_done, "{name}");
            while !s.progress()[k].complete {
                s.step(&mut || true);
            }
        }
    }

    #[test]
    fn a_new_problem_keeps_showing_old_landscapes_by_name_until_done() {
        let mut s = study("blog-kl", &["reverse_kl", "forward_kl"], (16, 12));
        s.set_basins(true);
        assert!(s.step(&mut || false));
        assert!(s.basin_labels(0).is_some());
        let old = s.finished(1).unwrap().0.values.clone();
        let next = State::preset("asymmetric").unwrap();
        let v = next.validate().unwrap();
        s.set_problem(v.target, v.panels, next.view);
        assert!(!s.done());
        assert_eq!(
            s.finished(1).unwrap().0.values,
            old,
            "stale until recomputed"
        );
        assert!(s.step(&mut || false));
        assert_ne!(s.finished(1).unwrap().0.values, old);
        assert_eq!(s.basin_labels(1).map(<[_]>::len), Some(16 * 12));
    }

    /// The end of panel 0's descent from (1, 2) in `metric` over `view`, and the basin label's
    /// minimum for the cell nearest (1, 2).
    fn descend_in(metric: Metric, view: View) -> ((f64, f64), (f64, f64)) {
        let mut st = State::preset("blog-kl").unwrap();
        st.divergences = vec!["reverse_kl".into()];
        st.view = view;
        let v = st.validate().unwrap();
        let mut s = Study::new(v.target, v.panels, view, (48, 40));
        s.set_metric(metric);
        s.set_basins(true);
        assert!(s.step(&mut || false));
        s.start_descent(1.0, 2.0);
        while s.step_descents() {}
        let d = s.descent(0).unwrap();
        assert!(d.finished());
        let &[m, sg, _] = d.path().last().unwrap();
        let (land, mins) = s.finished(0).unwrap();
        let j = (land.grid.mu.iter()).position(|&x| x >= 1.0).unwrap();
        let i = (land.grid.sigma.iter()).position(|&x| x >= 2.0).unwrap();
        let label = s.basin_labels(0).unwrap()[i * land.grid.mu.len() + j].unwrap();
        ((m, sg), (mins[label].mu, mins[label].sigma))
    }

    #[test]
    fn descents_and_basins_follow_the_metric_not_the_view() {
        let preset = State::preset("blog-kl").unwrap().view;
        let wide = View {
            mu_range: [-10.0, 10.0],
            sigma_range: [0.3, 6.0],
        };
        for view in [preset, wide] {
            let ((m, s), basin) = descend_in(Metric::Fisher, view);
            assert!(
                (m - 3.9996).abs() < 1e-3 && (s - 1.0008).abs() < 1e-3,
                "{m} {s}"
            );
            assert!(
                (basin.0 - m).abs() < 1e-4 && (basin.1 - s).abs() < 1e-4,
                "{view:?} {m} {s} {basin:?}"
            );
            let ((m, s), basin) = descend_in(Metric::Euclidean, view);
            assert!(m.abs() < 1e-4 && (s - 3.4727).abs() < 1e-3, "{m} {s}");
            assert!(
                (basin.0 - m).abs() < 1e-4 && (basin.1 - s).abs() < 1e-4,
                "{view:?} {m} {s} {basin:?}"
            );
        }
        // The path is the command line's: the same start, metric and options.
        let st = State::preset("blog-kl").unwrap().validate().unwrap();
        let cli = crate::metric::descend_with(
            &st.target,
            &st.panels[0].div,
            1.0,
            2.0,
            Metric::Fisher,
            Optimizer::GradientDescent,
            DescentOptions::default(),
        );
        let mut s = Study::new(st.target.clone(), st.panels.clone(), preset, (16, 12));
        s.start_descent(1.0, 2.0);
        while s.step_descents() {}
        assert_eq!(s.descent(0).unwrap().path(), &cli.path[..]);
    }
}
