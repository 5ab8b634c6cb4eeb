//! wasm-bindgen bindings for the explorer page: one `Explorer` handle owns the validated
//! state and the landscapes, computes them a few rows at a time, and draws every panel on
//! a canvas (raster heatmaps as `ImageData`, the rest with plotters-canvas).

mod draw;
mod state;

use divergence::conv::Plan;
use divergence::sampling::{exact, sampling_distribution, Estimates};
use std::sync::atomic::Ordering;

use divergence::tradeoff::{flip_point, prefer, preference, Preference};
use divergence::{
    accept, candidates, closed_form, grid_minima, landscape_cells, merge_minimum, BasinSolver,
    Descender, Divergence, Gaussian, Grid, Landscape, Minimum, Target, FLOW_STEPS, REFINE_STEPS,
};
use js_sys::{Date, Float64Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use state::{PanelDef, State};

/// A complete landscape with its minima.
type Shown = Option<(Landscape, Vec<Minimum>)>;

/// A sampling experiment: the exact values and `reps` draws of the estimators.
#[derive(Clone)]
struct Sampling {
    exact: Estimates,
    draws: Vec<Estimates>,
}

/// Largest N × reps of one sampling experiment (a few tens of milliseconds in wasm).
const MAX_SAMPLES: usize = 2_000_000;

/// Basin labels of a shown landscape: being computed, or done.
enum Basins {
    None,
    Solving(BasinSolver),
    Done(Vec<Option<usize>>),
}

/// One landscape being computed, or done.
struct Job {
    /// The row-wise convolution path, for the divergences it covers.
    plan: Option<Plan>,
    grid: Grid,
    values: Vec<f64>,
    cells_done: usize,
    entropy: Option<f64>,
    /// Grid minima still to refine, once every cell is computed.
    pending: Option<Vec<(f64, f64)>>,
    /// The refinement in progress, one Newton step per turn.
    descent: Option<Descender>,
    found: Vec<Minimum>,
    minima: Option<Vec<Minimum>>,
}

/// The page's handle: validated state, landscapes per panel, drawing.
#[wasm_bindgen]
pub struct Explorer {
    state: State,
    target: Target,
    q: Gaussian,
    panels: Vec<PanelDef>,
    resolution: (usize, usize),
    /// The newest landscape per panel, complete or in progress.
    jobs: Vec<Job>,
    /// The last complete landscape per panel, drawn while a newer one is computed.
    shown: Vec<Shown>,
    /// A descent per panel from the reader's chosen start, animated step by step.
    descents: Vec<Option<Descender>>,
    /// The ψ trade-off of the current target and α, computed on first use.
    tradeoff: Option<Result<Preference, String>>,
    /// The last flip point, keyed by the components' shapes and β.
    flip: Option<(String, f64)>,
    /// The last sampling experiment, keyed by (q, target, n, reps, seed).
    sampled: Option<(String, Sampling)>,
    /// Whether basins are computed and drawn.
    basins_on: bool,
    /// While the reader drags: minima from the grid, not refined by descent.
    quick: bool,
    /// Per panel: the basin computation in progress, or its finished map for `shown`.
    basins: Vec<Basins>,
    #[cfg(feature = "fault-injection")]
    inject_panic: bool,
}

/// Largest x table or FFT of a landscape plan on the page (128 KiB a buffer): 1024² views
/// fit; beyond, per-cell quadrature, so that one extreme view does not set the page's memory
/// high-water mark.
const PLAN_POINTS: usize = 1 << 13;

/// Landscape cells computed by every explorer in this instance: what a test reads to see
/// that moving q alone recomputes nothing.
static CELLS_COMPUTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// A value as plain JS data (maps as objects, not `Map`s; numbers as numbers).
fn json_to_js(v: &impl Serialize) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_err)
}

/// Reports a panic on the console before wasm traps; the element then restarts the module
/// (`www/explorer.js`, `_recover`).
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&format!("divergence-web panicked: {info}").into());
        }));
    });
}

#[wasm_bindgen]
impl Explorer {
    /// An explorer on the `blog-kl` preset.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Explorer, JsError> {
        install_panic_hook();
        Explorer::with_state(State::preset("blog-kl").map_err(js_err)?).map_err(js_err)
    }

    /// The full state of a preset (SPEC §5), as a plain object.
    #[wasm_bindgen(js_name = presetState)]
    pub fn preset_state(name: &str) -> Result<JsValue, JsError> {
        let s = State::preset(name).map_err(js_err)?;
        serde_wasm_bindgen::to_value(&s).map_err(js_err)
    }

    /// The current state.
    pub fn state(&self) -> Result<JsValue, JsError> {
        serde_wasm_bindgen::to_value(&self.state).map_err(js_err)
    }

    /// Replaces the whole state after validating it; on error nothing changes. Landscapes
    /// are recomputed only when the target, parameters, divergences or view change.
    #[wasm_bindgen(js_name = setState)]
    pub fn set_state(&mut self, value: JsValue) -> Result<JsValue, JsError> {
        let s: State = serde_wasm_bindgen::from_value(value)
            .map_err(|e| JsError::new(&format!("invalid state: {e}")))?;
        let next = Explorer::with_state(s.clone()).map_err(js_err)?;
        let same_land = s.same_landscapes(&self.state);
        let q = next.q;
        if same_land {
            self.state = s;
            self.q = q;
        } else {
            // Keep showing each panel's last landscape (now stale) until the new one is done.
            let res = self.resolution;
            let old: Vec<(String, Shown)> = self
                .panels
                .iter()
                .map(|p| p.name.clone())
                .zip(std::mem::take(&mut self.shown))
                .collect();
            let (basins_on, quick, flip) = (self.basins_on, self.quick, self.flip.take());
            *self = next;
            self.flip = flip;
            self.resolution = res;
            (self.basins_on, self.quick) = (basins_on, quick);
            self.restart();
            for (k, p) in self.panels.iter().enumerate() {
                if let Some((_, s)) = old.iter().find(|(n, _)| *n == p.name) {
                    self.shown[k] = s.clone();
                }
            }
        }
        self.state()
    }

    /// Quick mode, for while a slider is held: minima are read off the grid (to a fraction of
    /// a cell) instead of refined by descent, and divergences without a closed form or row
    /// convolution drop to a third of the resolution. A change restarts the landscapes.
    #[wasm_bindgen(js_name = setQuick)]
    pub fn set_quick(&mut self, quick: bool) {
        if quick != self.quick {
            self.quick = quick;
            self.restart();
        }
    }

    /// Grid size of the landscapes; a change restarts their computation.
    #[wasm_bindgen(js_name = setResolution)]
    pub fn set_resolution(&mut self, n_mu: usize, n_sigma: usize) {
        let n_mu = n_mu.clamp(8, 1024);
        let n_sigma = n_sigma.clamp(8, 1024);
        if (n_mu, n_sigma) == self.resolution && !self.jobs.is_empty() {
            return;
        }
        self.resolution = (n_mu, n_sigma);
        self.restart();
    }

    /// Landscape cells computed so far by every explorer in this module instance.
    #[wasm_bindgen(js_name = cellsComputed)]
    pub fn cells_computed() -> f64 {
        CELLS_COMPUTED.load(Ordering::Relaxed) as f64
    }

    /// Computes landscape rows and minima for about `budget_ms` milliseconds. Returns true
    /// when every panel's landscape at the current resolution is complete.
    pub fn work(&mut self, budget_ms: f64) -> bool {
        #[cfg(feature = "fault-injection")]
        if std::mem::take(&mut self.inject_panic) {
            panic!("injected fault");
        }
        let start = Date::now();
        for k in 0..self.jobs.len() {
            let div = self.panels[k].div;
            let job = &mut self.jobs[k];
            let total = job.values.len();
            while job.minima.is_none() {
                if let (Some(plan), true) = (&job.plan, job.cells_done < total) {
                    // Rows on the tabulated grid, two at a time (one FFT for a correlation
                    // pair).
                    let nm = job.grid.mu.len();
                    let i = job.cells_done / nm;
                    let end = (i + 2).min(job.grid.sigma.len());
                    plan.rows(&job.grid.sigma[i..end], &mut job.values[i * nm..end * nm]);
                    job.cells_done += (end - i) * nm;
                    CELLS_COMPUTED.fetch_add(((end - i) * nm) as u64, Ordering::Relaxed);
                } else if job.cells_done < total {
                    // A few cells at a time: one `ksd` cell alone takes milliseconds.
                    let n = if matches!(div, Divergence::Ksd { .. }) {
                        2
                    } else {
                        16
                    }
                    .min(total - job.cells_done);
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
                    CELLS_COMPUTED.fetch_add(n as u64, Ordering::Relaxed);
                } else {
                    if self.quick {
                        // While dragging: minima read off the grid, no descent.
                        let land = Landscape {
                            grid: job.grid.clone(),
                            values: job.values.clone(),
                        };
                        job.found = grid_minima(&land);
                        job.minima = Some(job.found.clone());
                        self.shown[k] = Some((land, job.found.clone()));
                        self.basins[k] = Basins::None;
                        continue;
                    }
                    let pending = job.pending.get_or_insert_with(|| {
                        candidates(&Landscape {
                            grid: job.grid.clone(),
                            values: job.values.clone(),
                        })
                    });
                    if let Some(d) = job.descent.as_mut() {
                        if d.step(&self.target, &div) {
                            let found = job.descent.take().map(Descender::into_descent);
                            if let Some(m) = found.and_then(|d| accept(&job.grid, &d)) {
                                merge_minimum(&mut job.found, m);
                            }
                        }
                    } else if let Some((mu, sigma)) = pending.pop() {
                        job.descent =
                            Some(Descender::new(&self.target, &div, mu, sigma, REFINE_STEPS));
                    } else {
                        job.minima = Some(job.found.clone());
                        let land = Landscape {
                            grid: job.grid.clone(),
                            values: job.values.clone(),
                        };
                        self.shown[k] = Some((land, job.found.clone()));
                        self.basins[k] = Basins::None;
                    }
                }
                if Date::now() - start > budget_ms {
                    return false;
                }
            }
        }
        self.work_basins(start, budget_ms)
    }

    /// Starts a descent from `(mu, sigma)` on every panel (replacing any earlier one).
    #[wasm_bindgen(js_name = startDescent)]
    pub fn start_descent(&mut self, mu: f64, sigma: f64) -> Result<(), JsError> {
        let q = Gaussian::new(mu, sigma).map_err(js_err)?;
        // Each panel descends in its own grid's cell units, the flow its basins map.
        self.descents = (self.panels.iter().zip(&self.jobs))
            .map(|(p, job)| {
                let cell = job.grid.cell();
                Some(Descender::gradient_flow(
                    &self.target,
                    &p.div,
                    (q.mu, q.sigma),
                    cell,
                    FLOW_STEPS,
                ))
            })
            .collect();
        Ok(())
    }

    /// Removes the descent paths.
    #[wasm_bindgen(js_name = clearDescent)]
    pub fn clear_descent(&mut self) {
        self.descents.clear();
    }

    /// One Newton step of every unfinished descent; true while any is still moving.
    #[wasm_bindgen(js_name = stepDescents)]
    pub fn step_descents(&mut self) -> bool {
        let mut moving = false;
        for (d, p) in self.descents.iter_mut().zip(&self.panels) {
            if let Some(d) = d {
                moving |= !d.step(&self.target, &p.div);
            }
        }
        moving
    }

    /// Per panel `{name, path: [[μ, σ, D], …], finished}`; empty without a descent.
    #[wasm_bindgen(js_name = descentPaths)]
    pub fn descent_paths(&self) -> Result<JsValue, JsError> {
        let out: Vec<serde_json::Value> = self
            .descents
            .iter()
            .zip(&self.panels)
            .filter_map(|(d, p)| {
                let d = d.as_ref()?;
                Some(serde_json::json!({
                    "name": p.name,
                    "path": d.path(),
                    "finished": d.finished(),
                }))
            })
            .collect();
        json_to_js(&out)
    }

    /// The ψ trade-off for the current target and β = (1+α)/2 (clamped to [0, 1]):
    /// `{m, light, psi, heavyOnly, allModes, flip, psiStar, beta}`; an Error for one component.
    pub fn tradeoff(&mut self) -> Result<JsValue, JsError> {
        let beta = self.beta();
        let p = self.preference()?;
        let out = serde_json::json!({
            "m": p.m, "light": p.light, "psi": p.psi, "heavyOnly": p.heavy_only,
            "allModes": p.all_modes, "flip": p.flip, "psiStar": p.psi_star, "beta": beta,
        });
        json_to_js(&out)
    }

    /// Draws the ψ trade-off panel (the curves alone for a one-component target).
    #[wasm_bindgen(js_name = drawTradeoff)]
    pub fn draw_tradeoff(
        &mut self,
        canvas: web_sys::HtmlCanvasElement,
        dark: bool,
    ) -> Result<(), JsError> {
        let beta = self.beta();
        let pref = self.preference().ok();
        draw::tradeoff(&draw::canvas_area(&canvas)?, pref.as_ref(), beta, dark)
    }

    /// `reps` seeded draws of `n` samples from q: `{exact: {reverseKl, forwardKl,
    /// bhattacharyya}, reverseKl, forwardKl, bhattacharyya, ess}` (arrays over the draws; the
    /// first draw is "this draw"). n in 2..=100000, reps in 2..=2000, n·reps ≤ 2·10⁶.
    pub fn sampling(&mut self, n: usize, reps: usize, seed: f64) -> Result<JsValue, JsError> {
        let s = self.sampled(n, reps, seed)?;
        let col = |f: fn(&Estimates) -> f64| s.draws.iter().map(f).collect::<Vec<f64>>();
        let out = serde_json::json!({
            "exact": {
                "reverseKl": s.exact.reverse_kl,
                "forwardKl": s.exact.forward_kl,
                "bhattacharyya": s.exact.bhattacharyya,
            },
            "reverseKl": col(|e| e.reverse_kl),
            "forwardKl": col(|e| e.forward_kl),
            "bhattacharyya": col(|e| e.bhattacharyya),
            "ess": col(|e| e.ess),
        });
        json_to_js(&out)
    }

    /// Draws the estimators' sampling distributions against their exact values.
    #[wasm_bindgen(js_name = drawSampling)]
    pub fn draw_sampling(
        &mut self,
        canvas: web_sys::HtmlCanvasElement,
        n: usize,
        reps: usize,
        seed: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let s = self.sampled(n, reps, seed)?;
        draw::sampling(&draw::canvas_area(&canvas)?, &s.exact, &s.draws, dark)
    }

    /// Turns the basins overlay on or off (computed by `work` once landscapes are done).
    #[wasm_bindgen(js_name = setBasins)]
    pub fn set_basins(&mut self, on: bool) {
        self.basins_on = on;
    }

    /// Basin labels of panel `i`'s cells (index into its minima, −1 for none), row-major
    /// from the smallest σ; empty until computed.
    #[wasm_bindgen(js_name = basinLabels)]
    pub fn basin_labels(&self, i: usize) -> js_sys::Int32Array {
        match self.basins.get(i) {
            Some(Basins::Done(b)) => {
                let v: Vec<i32> = b.iter().map(|l| l.map_or(-1, |l| l as i32)).collect();
                js_sys::Int32Array::from(&v[..])
            }
            _ => js_sys::Int32Array::new_with_length(0),
        }
    }

    /// Makes the next `work` call panic (the crash-recovery test's fault).
    #[cfg(feature = "fault-injection")]
    #[wasm_bindgen(js_name = injectPanic)]
    pub fn inject_panic(&mut self) {
        self.inject_panic = true;
    }

    /// True when every landscape at the current resolution is complete.
    pub fn done(&self) -> bool {
        self.jobs.iter().all(|j| j.minima.is_some())
            && (!self.basins_on
                || (self.basins.iter().zip(&self.shown))
                    .all(|(b, s)| s.is_none() || matches!(b, Basins::Done(_))))
    }

    /// `{name: [{mu, sigma, value}, …]}`: each shown landscape's local minima by value.
    pub fn optima(&self) -> Result<JsValue, JsError> {
        let obj = js_sys::Object::new();
        for (p, shown) in self.panels.iter().zip(&self.shown) {
            let arr = js_sys::Array::new();
            if let Some((_, mins)) = shown {
                for m in mins {
                    let o = js_sys::Object::new();
                    for (k, v) in [("mu", m.mu), ("sigma", m.sigma), ("value", m.value)] {
                        js_sys::Reflect::set(&o, &k.into(), &v.into())
                            .map_err(|_| JsError::new("optima"))?;
                    }
                    arr.push(&o);
                }
            }
            js_sys::Reflect::set(&obj, &p.name.clone().into(), &arr)
                .map_err(|_| JsError::new("optima"))?;
        }
        Ok(obj.into())
    }

    /// Number of landscape panels.
    #[wasm_bindgen(js_name = panelCount)]
    pub fn panel_count(&self) -> usize {
        self.panels.len()
    }

    /// Name of panel `i` as in `state.divergences`.
    #[wasm_bindgen(js_name = panelName)]
    pub fn panel_name(&self, i: usize) -> String {
        self.panels
            .get(i)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    /// The shown landscape of panel `i`, row-major with one row per σ (empty if none yet).
    #[wasm_bindgen(js_name = landscapeValues)]
    pub fn landscape_values(&self, i: usize) -> Float64Array {
        match self.shown.get(i) {
            Some(Some((l, _))) => Float64Array::from(&l.values[..]),
            _ => Float64Array::new_with_length(0),
        }
    }

    /// The μ and σ axes of panel `i`'s shown landscape, as `[mu, sigma]` arrays.
    #[wasm_bindgen(js_name = landscapeAxes)]
    pub fn landscape_axes(&self, i: usize) -> js_sys::Array {
        let out = js_sys::Array::new();
        if let Some(Some((l, _))) = self.shown.get(i) {
            out.push(&Float64Array::from(&l.grid.mu[..]));
            out.push(&Float64Array::from(&l.grid.sigma[..]));
        }
        out
    }

    /// D of panel `i` at (μ, σ), at landscape accuracy (for hover read-outs).
    #[wasm_bindgen(js_name = valueAt)]
    pub fn value_at(&self, i: usize, mu: f64, sigma: f64) -> Result<f64, JsError> {
        let q = Gaussian::new(mu, sigma).map_err(js_err)?;
        let p = self
            .panels
            .get(i)
            .ok_or_else(|| JsError::new("no such panel"))?;
        Ok(divergence::eval_full(
            &self.target,
            &q,
            &p.div,
            divergence::quad::Tol::LANDSCAPE,
            divergence::Derivatives::None,
        )
        .value)
    }

    /// Draws landscape panel `i` on `canvas`; returns the plot area `{x, y, w, h}` in canvas
    /// pixels, for mapping pointer positions to (μ, σ).
    #[wasm_bindgen(js_name = drawLandscape)]
    pub fn draw_landscape(
        &self,
        i: usize,
        canvas: web_sys::HtmlCanvasElement,
        opts: JsValue,
    ) -> Result<JsValue, JsError> {
        let opts: draw::LandscapeOpts = serde_wasm_bindgen::from_value(opts).map_err(js_err)?;
        let p = self
            .panels
            .get(i)
            .ok_or_else(|| JsError::new("no such panel"))?;
        let shown = self.shown.get(i).and_then(|s| s.as_ref());
        let mut opts = opts;
        if opts.path.is_none() {
            opts.path = self
                .descents
                .get(i)
                .and_then(|d| d.as_ref())
                .map(|d| d.path().iter().flatten().copied().collect());
        }
        let basins = match self.basins.get(i) {
            Some(Basins::Done(b)) if self.basins_on => Some(&b[..]),
            _ => None,
        };
        opts.quick = self.quick;
        let rect = draw::landscape(canvas, p, shown, &self.target, &self.q, &opts, basins)?;
        serde_wasm_bindgen::to_value(&rect).map_err(js_err)
    }

    /// Draws p, its weighted components and q over x.
    #[wasm_bindgen(js_name = drawDensity)]
    pub fn draw_density(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dark: bool,
    ) -> Result<(), JsError> {
        draw::density(&draw::canvas_area(&canvas)?, &self.target, &self.q, dark)
    }

    /// Draws ψ(x) of each chosen divergence on a symmetric-log axis.
    #[wasm_bindgen(js_name = drawPressure)]
    pub fn draw_pressure(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dark: bool,
    ) -> Result<(), JsError> {
        draw::pressure(
            &draw::canvas_area(&canvas)?,
            &self.target,
            &self.q,
            &self.pressure_divs(),
            dark,
        )
    }

    /// Draws ψ against r = p/q on log–log axes, where growth rates are slopes.
    #[wasm_bindgen(js_name = drawPressureRatio)]
    pub fn draw_pressure_ratio(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dark: bool,
    ) -> Result<(), JsError> {
        draw::pressure_ratio(
            &draw::canvas_area(&canvas)?,
            &self.target,
            &self.q,
            &self.pressure_divs(),
            dark,
        )
    }

    /// A panel as an SVG document of `width × height`, drawn with plotters' SVG backend:
    /// `kind` is `landscape` (with `index`), `density`, `pressure`, `ratio` or `tradeoff`.
    #[wasm_bindgen(js_name = exportSvg)]
    pub fn export_svg(
        &self,
        kind: &str,
        index: usize,
        width: u32,
        height: u32,
        opts: JsValue,
    ) -> Result<String, JsError> {
        let size = (width.clamp(64, 8192), height.clamp(64, 8192));
        let opts: draw::LandscapeOpts = if opts.is_undefined() || opts.is_null() {
            draw::LandscapeOpts::default()
        } else {
            serde_wasm_bindgen::from_value(opts).map_err(js_err)?
        };
        let dark = opts.dark;
        let (t, q) = (&self.target, &self.q);
        match kind {
            "landscape" => {
                let p = self
                    .panels
                    .get(index)
                    .ok_or_else(|| JsError::new("no such panel"))?;
                let Some(Some((land, mins))) = self.shown.get(index) else {
                    return Err(JsError::new("the landscape is not computed yet"));
                };
                draw::landscape_svg(p, land, mins, t, q, &opts, size)
            }
            "density" => draw::svg(size, |a| draw::density(a, t, q, dark)),
            "pressure" => draw::svg(size, |a| {
                draw::pressure(a, t, q, &self.pressure_divs(), dark)
            }),
            "ratio" => draw::svg(size, |a| {
                draw::pressure_ratio(a, t, q, &self.pressure_divs(), dark)
            }),
            "sampling" => {
                let Some((_, s)) = &self.sampled else {
                    return Err(JsError::new("the sampling panel has not been drawn yet"));
                };
                draw::svg(size, |a| draw::sampling(a, &s.exact, &s.draws, dark))
            }
            "tradeoff" => {
                let beta = self.beta();
                let pref = preference(t, beta).ok();
                draw::svg(size, |a| draw::tradeoff(a, pref.as_ref(), beta, dark))
            }
            _ => Err(JsError::new(&format!("unknown panel kind '{kind}'"))),
        }
    }

    /// The state as a URL fragment (without `#`); numbers round-trip exactly.
    pub fn fragment(&self) -> String {
        let s = &self.state;
        let target: Vec<divergence::Component> = s
            .target
            .iter()
            .map(|c| divergence::Component {
                weight: c.weight,
                mean: c.mean,
                std: c.std,
            })
            .collect();
        let p = &s.params;
        divergence::fragment::to_fragment(&divergence::fragment::View {
            target: &target,
            q: (s.q.mu, s.q.sigma),
            divergences: &s.divergences,
            params: [p.alpha, p.order, p.bandwidth, p.kernel_c, p.kernel_beta],
            mu_range: (s.view.mu_range[0], s.view.mu_range[1]),
            sigma_range: (s.view.sigma_range[0], s.view.sigma_range[1]),
        })
    }

    /// One landscape computed at once, without a page: `target` as `w:m:s,…`, `divergence`
    /// by name with default parameters, `n_mu × n_sigma` cells over the given rectangle;
    /// values row-major from the smallest σ. The same core path the page uses.
    #[wasm_bindgen(js_name = computeLandscape)]
    #[allow(clippy::too_many_arguments)]
    pub fn compute_landscape(
        target: &str,
        divergence: &str,
        mu_lo: f64,
        mu_hi: f64,
        sigma_lo: f64,
        sigma_hi: f64,
        n_mu: usize,
        n_sigma: usize,
    ) -> Result<Float64Array, JsError> {
        let p = Target::parse(target).map_err(js_err)?;
        let d = Divergence::new(divergence, &divergence::Params::default()).map_err(js_err)?;
        let grid = Grid::new((mu_lo, mu_hi), (sigma_lo, sigma_hi), n_mu, n_sigma, false)
            .map_err(js_err)?;
        Ok(Float64Array::from(
            &divergence::landscape(&p, &d, &grid).values[..],
        ))
    }

    /// Parses a URL fragment into a partial state for `setState`, with the ignored keys
    /// under `unknown`; a malformed value is an Error naming it.
    #[wasm_bindgen(js_name = parseFragment)]
    pub fn parse_fragment(text: &str) -> Result<JsValue, JsError> {
        let u = divergence::fragment::parse_fragment(text).map_err(js_err)?;
        let mut out = serde_json::Map::new();
        if let Some(t) = &u.target {
            let comps: Vec<state::Comp> = t
                .iter()
                .map(|c| state::Comp {
                    weight: c.weight,
                    mean: c.mean,
                    std: c.std,
                })
                .collect();
            out.insert(
                "target".into(),
                serde_json::to_value(comps).map_err(js_err)?,
            );
        }
        if let Some((mu, sigma)) = u.q {
            out.insert("q".into(), serde_json::json!({"mu": mu, "sigma": sigma}));
        }
        if let Some(d) = &u.divergences {
            out.insert("divergences".into(), serde_json::json!(d));
        }
        let mut params = serde_json::Map::new();
        for (k, v) in [
            ("alpha", u.alpha),
            ("order", u.order),
            ("bandwidth", u.bandwidth),
            ("kernelC", u.kernel_c),
            ("kernelBeta", u.kernel_beta),
        ] {
            if let Some(v) = v {
                params.insert(k.into(), serde_json::json!(v));
            }
        }
        if !params.is_empty() {
            out.insert("params".into(), params.into());
        }
        let mut view = serde_json::Map::new();
        if let Some((a, b)) = u.mu_range {
            view.insert("muRange".into(), serde_json::json!([a, b]));
        }
        if let Some((a, b)) = u.sigma_range {
            view.insert("sigmaRange".into(), serde_json::json!([a, b]));
        }
        if !view.is_empty() {
            out.insert("view".into(), view.into());
        }
        out.insert("unknown".into(), serde_json::json!(u.unknown));
        json_to_js(&serde_json::Value::Object(out))
    }

    /// ψ(x) of panel `i`'s divergence at each x (for tests and read-outs).
    #[wasm_bindgen(js_name = pressureAt)]
    pub fn pressure_at(&self, i: usize, xs: &[f64]) -> Result<Float64Array, JsError> {
        let p = self
            .panels
            .get(i)
            .ok_or_else(|| JsError::new("no such panel"))?;
        Ok(Float64Array::from(
            &divergence::pressure(&self.target, &self.q, &p.div, xs)[..],
        ))
    }
}

impl Explorer {
    fn with_state(state: State) -> Result<Explorer, divergence::Error> {
        let (target, q, panels) = state.validate()?;
        let mut e = Explorer {
            state,
            target,
            q,
            panels,
            resolution: (96, 72),
            jobs: Vec::new(),
            shown: Vec::new(),
            descents: Vec::new(),
            tradeoff: None,
            flip: None,
            sampled: None,
            basins_on: false,
            quick: false,
            basins: Vec::new(),
            #[cfg(feature = "fault-injection")]
            inject_panic: false,
        };
        e.restart();
        Ok(e)
    }

    /// The sampling experiment for the current q and target, computed if anything changed.
    fn sampled(&mut self, n: usize, reps: usize, seed: f64) -> Result<Sampling, JsError> {
        if !(2..=100_000).contains(&n) || !(2..=2000).contains(&reps) || n * reps > MAX_SAMPLES {
            return Err(JsError::new(
                "sampling: n must lie in 2..=100000, repeats in 2..=2000, n × repeats ≤ 2000000",
            ));
        }
        if !(seed.is_finite() && seed >= 0.0 && seed <= 2f64.powi(53)) {
            return Err(JsError::new(
                "sampling: the seed must be an integer from 0 to 2^53",
            ));
        }
        let key = format!("{:?} {:?} {n} {reps} {seed}", self.q, self.state.target);
        if let Some((k, s)) = &self.sampled {
            if *k == key {
                return Ok(s.clone());
            }
        }
        let s = Sampling {
            exact: exact(&self.target, &self.q),
            draws: sampling_distribution(&self.target, &self.q, n, reps, seed as u64),
        };
        self.sampled = Some((key, s.clone()));
        Ok(s)
    }

    /// β = (1+α)/2 of the Amari parameter, clamped to [0, 1].
    fn beta(&self) -> f64 {
        ((1.0 + self.state.params.alpha) / 2.0).clamp(0.0, 1.0)
    }

    /// The cached trade-off, computed if the target or α changed; the flip point (the costly
    /// part) only if the components' shapes or α changed, not their weights.
    fn preference(&mut self) -> Result<Preference, JsError> {
        let beta = self.beta();
        if self.tradeoff.is_none() {
            let shapes: Vec<(f64, f64)> = (self.target.components().iter())
                .map(|c| (c.mean, c.std))
                .collect();
            let key = format!("{shapes:?} {beta:?}");
            let flip = match &self.flip {
                Some((k, f)) if *k == key => Ok(*f),
                _ => flip_point(&self.target, beta),
            };
            let pref = flip.and_then(|f| {
                self.flip = Some((key, f));
                prefer(&self.target, beta, f)
            });
            self.tradeoff = Some(pref.map_err(|e| e.to_string()));
        }
        let p = self.tradeoff.clone().unwrap_or_else(|| Err(String::new()));
        p.map_err(|e| JsError::new(&e))
    }

    /// Resolves basins of shown landscapes within the budget; true when none is pending.
    fn work_basins(&mut self, start: f64, budget_ms: f64) -> bool {
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
                    Basins::None => self.basins[k] = Basins::Solving(BasinSolver::new(land)),
                    Basins::Solving(b) => {
                        if b.step(&self.target, &div, land, mins) {
                            self.basins[k] = Basins::Done(b.labels());
                        }
                    }
                }
                if Date::now() - start > budget_ms {
                    return false;
                }
            }
        }
        true
    }

    fn restart(&mut self) {
        let v = &self.state.view;
        let mut jobs = Vec::with_capacity(self.panels.len());
        let grid_of = |(nm, ns): (usize, usize)| {
            Grid::new(
                (v.mu_range[0], v.mu_range[1]),
                (v.sigma_range[0], v.sigma_range[1]),
                nm.max(8),
                ns.max(8),
                false,
            )
        };
        let (full_mu, full_sigma) = self.resolution;
        let Ok(full) = grid_of(self.resolution) else {
            return;
        };
        for p in &self.panels {
            // Closed forms and row convolutions keep full resolution even while dragging;
            // the rest (a log per point, an FFT per cell, or per-cell quadrature) drop to a
            // third then.
            // While dragging, a divergence that will drop to a third anyway gets no plan at
            // full resolution: one plan per landscape, on the grid it is computed on.
            let full_plan = (!self.quick || Plan::correlates(&p.div))
                .then(|| Plan::with_limit(&self.target, &p.div, &full, PLAN_POINTS))
                .flatten();
            let fast = full_plan.as_ref().is_some_and(Plan::is_correlation) || closed_form(&p.div);
            let (grid, plan) = if self.quick && !fast {
                let Ok(third) = grid_of((full_mu / 3, full_sigma / 3)) else {
                    return;
                };
                let plan = Plan::with_limit(&self.target, &p.div, &third, PLAN_POINTS);
                (third, plan)
            } else {
                (full.clone(), full_plan)
            };
            let (nm, ns) = (grid.mu.len(), grid.sigma.len());
            jobs.push(Job {
                plan,
                grid,
                values: vec![0.0; nm * ns],
                cells_done: 0,
                entropy: None,
                pending: None,
                descent: None,
                found: Vec::new(),
                minima: None,
            });
        }
        self.jobs = jobs;
        self.shown.resize(self.panels.len(), None);
        self.basins.resize_with(self.panels.len(), || Basins::None);
    }

    /// One entry per distinct divergence (`log_ksd` draws the same pressure as `ksd`).
    fn pressure_divs(&self) -> Vec<(String, Divergence)> {
        let mut out: Vec<(String, Divergence)> = Vec::new();
        for p in &self.panels {
            if !out.iter().any(|(_, d)| *d == p.div) {
                out.push((p.div.name().to_string(), p.div));
            }
        }
        out
    }
}
