//! wasm-bindgen face of the core for the explorer page: JS values in (`from_value`), the
//! core's [`Study`] computes, JS values out (`to_value`), and panels drawn on canvases.
//! Errors become JS `RangeError`/`TypeError`s in one place ([`error`]).

mod draw;
mod state;

use divergence::quad::Tol;
use divergence::registry::{self, PARAMS};
use divergence::sampling::{Estimates, Experiment, Sampler, Settings};
use divergence::tradeoff::{preference, Preference, Tradeoffs};
use divergence::{Derivatives, Detail, Divergence, Error, Field, Gaussian, PartialState, Study};
use divergence_plot::{self as plot, distinct_divergences, Prepared};
use divergence_web_common::{install_panic_hook, to_js};
use js_sys::{Date, Float64Array};
use serde::Serialize;
use std::sync::atomic::Ordering;
use wasm_bindgen::prelude::*;

pub use divergence_web_common::{WebError, WebResult};
pub use state::{PanelDef, State};

/// Largest N × reps of one sampling experiment (~0.4 s of samples in wasm: `work` spreads
/// the panel's over frames; `sampling()` and the SVG export finish one on the spot).
const MAX_SAMPLES: usize = 2_000_000;

/// The page's handle: the validated state, the core's study of its landscapes, drawing.
#[wasm_bindgen]
pub struct Explorer {
    state: State,
    q: Gaussian,
    study: Study,
    /// The ψ trade-off panel's flip points, stepped by `work`.
    tradeoffs: Tradeoffs,
    /// The last trade-off drawn: shown, marked in progress, while the next is computed.
    shown_tradeoff: Option<Preference>,
    /// Units done on the panels' own computations (the flip point, the sampling experiment),
    /// by `work` or by a call that needs them finished.
    panel_units: u64,
    /// The sampling panel's experiments, stepped by `work`.
    sampler: Sampler,
    /// The sampling panel's settings (n, reps, seed) at its last draw, checked: a change of q
    /// or the target starts their experiment at once, so that `work` covers it (until the
    /// panel leaves the page: `forgetSampling`).
    sampling_settings: Option<Settings>,
    /// The last experiment drawn: shown, marked in progress, while the next is computed.
    shown_sampling: Option<Experiment>,
    /// Per landscape panel: its last drawing's colour scale and contours, with the panel's
    /// revision and the options they were made for (a move of q alone redraws from these).
    prepared: std::cell::RefCell<Vec<Option<(Prepared, draw::PreparedKey)>>>,
    #[cfg(feature = "fault-injection")]
    inject_panic: bool,
}

/// The page's starting resolution (μ × σ cells) until it sets its own.
const RESOLUTION: (usize, usize) = (96, 72);

/// Landscape cells computed by every explorer in this instance: what a test reads to see
/// that moving q alone recomputes nothing.
static CELLS_COMPUTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sampling settings checked: an Error says which is out of range.
fn settings(n: usize, reps: usize, seed: f64) -> WebResult<Settings> {
    if !(2..=100_000).contains(&n) || !(2..=2000).contains(&reps) || n * reps > MAX_SAMPLES {
        return Err(WebError::Range(
            "sampling: n must lie in 2..=100000, repeats in 2..=2000, n × repeats ≤ 2000000".into(),
        ));
    }
    if !(seed.is_finite() && seed >= 0.0 && seed <= 2f64.powi(53)) {
        return Err(WebError::Range(
            "sampling: the seed must be an integer from 0 to 2^53".into(),
        ));
    }
    Ok(Settings {
        n,
        reps,
        seed: seed as u64,
    })
}

fn no_panel() -> WebError {
    WebError::Range("no such panel".into())
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One target component (weights need not sum to 1). */
export interface Component { weight: number; mean: number; std: number }
/** SPEC §5's element state. */
export interface ExplorerState {
  target: Component[];
  q: { mu: number; sigma: number };
  divergences: string[];
  params: { alpha: number; order: number; bandwidth: number; kernelC: number; kernelBeta: number };
  view: { muRange: [number, number]; sigmaRange: [number, number] };
  /** The metric of descent paths and basins. */
  metric: "fisher" | "euclidean" | "log-sigma";
}
/** A local minimum of a landscape. */
export interface Minimum { mu: number; sigma: number; value: number }
/** A divergence or display variant a panel may show (`divergenceInfo()`). */
export interface DivergenceInfo {
  name: string;
  title: string;
  /** A figure's panel heading, e.g. "Reverse KL(q‖p)". */
  heading: string;
  /** The symbol colour-bar titles use, e.g. "KL(q‖p)". */
  symbol: string;
  params: Array<"alpha" | "order" | "bandwidth" | "kernelC" | "kernelBeta">;
  path: "closed-form" | "row-correlation" | "per-cell";
  scale: "linear" | "log";
}
/** A parameter's control (`paramInfo()`). */
export interface ParamInfo {
  key: "alpha" | "order" | "bandwidth" | "kernelC" | "kernelBeta";
  label: string;
  min: number;
  max: number;
  step: number;
  default: number;
  snaps: Array<{ value: number; label: string }>;
}
/** A preset and its full state (`presetInfo()`). */
export interface PresetInfo { name: string; state: ExplorerState; panels: string[]; logScale: boolean }
"#;

/// Every name a landscape panel may show, with its title, parameters, evaluation path and
/// default colour scale: `[{name, title, params, path, scale}]` (the divergences of SPEC §2,
/// then display variants such as `log_ksd`).
#[wasm_bindgen(js_name = divergenceInfo, unchecked_return_type = "DivergenceInfo[]")]
pub fn divergence_info() -> Result<JsValue, WebError> {
    to_js(&registry::panel_infos())
}

/// The parameters' controls: `[{key, label, min, max, step, default, snaps: [{value, label}]}]`.
#[wasm_bindgen(js_name = paramInfo, unchecked_return_type = "ParamInfo[]")]
pub fn param_info() -> Result<JsValue, WebError> {
    to_js(&PARAMS)
}

/// The presets with their full states, default panels and colour scale:
/// `[{name, state, panels, logScale}]`, the first the default.
#[wasm_bindgen(js_name = presetInfo, unchecked_return_type = "PresetInfo[]")]
pub fn preset_info() -> Result<JsValue, WebError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Named {
        name: &'static str,
        state: State,
        panels: Vec<&'static str>,
        log_scale: bool,
    }
    let all = (divergence::presets::PRESET_NAMES.iter())
        .filter_map(|&name| divergence::presets::preset(name).map(|p| (name, p)))
        .map(|(name, p)| {
            Ok(Named {
                name,
                state: State::preset(name)?,
                panels: p.panels,
                log_scale: p.log_scale,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    to_js(&all)
}

#[wasm_bindgen]
impl Explorer {
    /// An explorer on the `blog-kl` preset.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Explorer, WebError> {
        install_panic_hook("divergence-web");
        Explorer::with_state(State::preset("blog-kl")?)
    }

    /// The full state of a preset (SPEC §5), as a plain object.
    #[wasm_bindgen(js_name = presetState, unchecked_return_type = "ExplorerState")]
    pub fn preset_state(name: &str) -> Result<JsValue, WebError> {
        Ok(serde_wasm_bindgen::to_value(&State::preset(name)?)?)
    }

    /// The current state.
    #[wasm_bindgen(unchecked_return_type = "ExplorerState")]
    pub fn state(&self) -> Result<JsValue, WebError> {
        Ok(serde_wasm_bindgen::to_value(&self.state)?)
    }

    /// Replaces the whole state after validating it; on error nothing changes. Landscapes
    /// are recomputed only when the target, parameters, divergences or view change.
    #[wasm_bindgen(js_name = setState, unchecked_return_type = "ExplorerState")]
    pub fn set_state(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ExplorerState")] value: JsValue,
    ) -> Result<JsValue, WebError> {
        let s: State = serde_wasm_bindgen::from_value(value)
            .map_err(|e| WebError::Type(format!("invalid state: {e}")))?;
        let v = s.validate()?;
        if !s.same_landscapes(&self.state) {
            // Each panel keeps showing its last landscape (now stale) until the new one is done.
            self.study.set_problem(v.target, v.panels, s.view);
        }
        self.study.set_metric(v.metric);
        self.q = v.q;
        self.state = s;
        // A flip point under way for shapes or a β no longer shown is dropped; once the
        // trade-off panel has drawn, the new one starts now, so that `work` covers it.
        self.tradeoffs.drop_other(self.study.target(), self.beta());
        if self.shown_tradeoff.is_some() {
            // An error (one component) shows when the panel draws.
            let _ = self.preference_ready();
        }
        if let Some(settings) = self.sampling_settings {
            // This starts the experiment for the new q.
            self.sampler.ready(self.study.target(), &self.q, settings);
        }
        self.state()
    }

    /// Quick mode, for while a slider is held: minima are read off the grid (to a fraction of
    /// a cell) instead of refined by descent, and divergences without a closed form or row
    /// convolution drop to a third of the resolution. A change restarts the landscapes.
    #[wasm_bindgen(js_name = setQuick)]
    pub fn set_quick(&mut self, quick: bool) {
        self.study
            .set_detail(if quick { Detail::Quick } else { Detail::Full });
    }

    /// Grid size of the landscapes (8 to 1024 a side); a change restarts their computation.
    #[wasm_bindgen(js_name = setResolution)]
    pub fn set_resolution(&mut self, n_mu: usize, n_sigma: usize) {
        self.study
            .set_resolution((n_mu.clamp(8, 1024), n_sigma.clamp(8, 1024)));
    }

    /// Landscape cells computed so far by every explorer in this module instance.
    #[wasm_bindgen(js_name = cellsComputed)]
    pub fn cells_computed() -> f64 {
        CELLS_COMPUTED.load(Ordering::Relaxed) as f64
    }

    /// Computes for about `budget_ms` milliseconds, unit by unit (see `workUnits`): the
    /// trade-off's flip point, the landscapes' rows, minima and basins, then the sampling
    /// experiment; it stops after the first unit that ends past the budget, or after exactly
    /// one unit when `budget_ms` ≤ 0. Returns true when everything at the current resolution
    /// is complete (while a control is dragged: the landscapes).
    pub fn work(&mut self, budget_ms: f64) -> bool {
        #[cfg(feature = "fault-injection")]
        if std::mem::take(&mut self.inject_panic) {
            panic!("injected fault");
        }
        let start = Date::now();
        let (before, units) = (self.study.cells_computed(), self.work_units());
        let over = || budget_ms <= 0.0 || Date::now() - start > budget_ms;
        // The flip point first (what a change shows soonest), one unit at a time; the
        // landscapes get what is left of the budget, and the sampling experiment what is left
        // after them. While a control is dragged (quick detail) the flip point follows the
        // release.
        let quick = self.study.detail() == Detail::Quick;
        let mut spent = false;
        while !quick && self.step_flip() {
            if over() {
                spent = true;
                break;
            }
        }
        let done = if spent {
            self.study.done()
        } else if budget_ms > 0.0 {
            self.study.step(&mut || Date::now() - start > budget_ms)
        } else {
            self.study.step(&mut || true)
        };
        // At least one unit a call: a sampling unit when nothing else was left to do.
        if done && (!over() || self.work_units() == units) {
            while self.step_sampling() && !over() {}
        }
        let cells = self.study.cells_computed() - before;
        CELLS_COMPUTED.fetch_add(cells, Ordering::Relaxed);
        done && (quick || (!self.tradeoffs.pending() && !self.sampler.pending()))
    }

    /// Units of work done on the current study (a plan row or pair, a few cells, one descent
    /// or basin step) and on the panels (a step of the flip point, 4096 samples), by `work`
    /// or by a call that needs them finished: `work(0)` does exactly one, so a test can see
    /// that the loop hands control back after every unit once its budget is spent.
    #[wasm_bindgen(js_name = workUnits)]
    pub fn work_units(&self) -> f64 {
        (self.study.units() + self.panel_units) as f64
    }

    /// True while the ψ trade-off panel's flip point is being computed by `work` (the panel
    /// shows its last finished trade-off meanwhile).
    #[wasm_bindgen(js_name = tradeoffPending)]
    pub fn tradeoff_pending(&self) -> bool {
        self.tradeoffs.pending()
    }

    /// Changes whenever landscape panel `i`'s landscape, minima or basins change (or the
    /// problem does): the page redraws only the panels whose revision moved.
    #[wasm_bindgen(js_name = landscapeRevision)]
    pub fn landscape_revision(&self, i: usize) -> f64 {
        self.study.panel_revision(i) as f64
    }

    /// Changes whenever a flip point of the trade-off panel is finished.
    #[wasm_bindgen(js_name = tradeoffRevision)]
    pub fn tradeoff_revision(&self) -> f64 {
        self.tradeoffs.revision() as f64
    }

    /// True while the sampling panel's experiment is being computed by `work` (the panel
    /// shows its last finished experiment meanwhile).
    #[wasm_bindgen(js_name = samplingPending)]
    pub fn sampling_pending(&self) -> bool {
        self.sampler.pending()
    }

    /// Changes whenever a sampling experiment is finished.
    #[wasm_bindgen(js_name = samplingRevision)]
    pub fn sampling_revision(&self) -> f64 {
        self.sampler.revision() as f64
    }

    /// Checks sampling settings without computing anything: an Error names the bad one.
    #[wasm_bindgen(js_name = checkSampling)]
    pub fn check_sampling(&self, n: usize, reps: usize, seed: f64) -> Result<(), WebError> {
        settings(n, reps, seed).map(drop)
    }

    /// The sampling panel has left the page: changes of q no longer start experiments, and
    /// one under way is dropped.
    #[wasm_bindgen(js_name = forgetSampling)]
    pub fn forget_sampling(&mut self) {
        self.sampling_settings = None;
        self.sampler.forget();
        self.shown_sampling = None;
    }

    /// Starts a descent from `(mu, sigma)` on every panel (replacing any earlier one).
    #[wasm_bindgen(js_name = startDescent)]
    pub fn start_descent(&mut self, mu: f64, sigma: f64) -> Result<(), WebError> {
        let q = Gaussian::new(mu, sigma)?;
        self.study.start_descent(q.mu, q.sigma);
        Ok(())
    }

    /// Removes the descent paths.
    #[wasm_bindgen(js_name = clearDescent)]
    pub fn clear_descent(&mut self) {
        self.study.clear_descents();
    }

    /// One step of every unfinished descent; true while any is still moving.
    #[wasm_bindgen(js_name = stepDescents)]
    pub fn step_descents(&mut self) -> bool {
        self.study.step_descents()
    }

    /// Per panel `{name, path: [[μ, σ, D], …], finished}`; empty without a descent.
    #[wasm_bindgen(js_name = descentPaths)]
    pub fn descent_paths(&self) -> Result<JsValue, WebError> {
        #[derive(Serialize)]
        struct Path<'a> {
            name: &'a str,
            path: &'a [[f64; 3]],
            finished: bool,
        }
        let out: Vec<Path> = (self.study.panels().iter().enumerate())
            .filter_map(|(k, p)| {
                let d = self.study.descent(k)?;
                Some(Path {
                    name: &p.name,
                    path: d.path(),
                    finished: d.finished(),
                })
            })
            .collect();
        to_js(&out)
    }

    /// The ψ trade-off for the current target and β = (1+α)/2 (clamped to [0, 1]):
    /// `{m, light, psi, heavyOnly, allModes, flip, psiStar, beta}`; an Error for one component.
    pub fn tradeoff(&mut self) -> Result<JsValue, WebError> {
        let beta = self.beta();
        let p = self.preference()?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out {
            m: usize,
            light: usize,
            psi: f64,
            heavy_only: f64,
            all_modes: f64,
            flip: f64,
            psi_star: f64,
            beta: f64,
        }
        to_js(&Out {
            m: p.m,
            light: p.light,
            psi: p.psi,
            heavy_only: p.heavy_only,
            all_modes: p.all_modes,
            flip: p.flip,
            psi_star: p.psi_star,
            beta,
        })
    }

    /// Draws the ψ trade-off panel (the curves alone for a one-component target).
    #[wasm_bindgen(js_name = drawTradeoff)]
    pub fn draw_tradeoff(
        &mut self,
        canvas: web_sys::HtmlCanvasElement,
        dark: bool,
    ) -> Result<(), WebError> {
        let beta = self.beta();
        let pref = match self.preference_ready() {
            Ok(Some(p)) => Some(p),
            Ok(None) => self.shown_tradeoff.clone(),
            Err(_) => None,
        };
        Ok(draw::on_canvas(&canvas, dark, |a, th| {
            plot::tradeoff(a, pref.as_ref(), beta, th)
        })?)
    }

    /// `reps` seeded draws of `n` samples from q: `{exact: {reverseKl, forwardKl,
    /// bhattacharyya}, reverseKl, forwardKl, bhattacharyya, ess}` (arrays over the draws; the
    /// first draw is "this draw"). n in 2..=100000, reps in 2..=2000, n·reps ≤ 2·10⁶.
    /// Finished on the spot if `work` has not yet (up to ~0.4 s for the largest).
    pub fn sampling(&mut self, n: usize, reps: usize, seed: f64) -> Result<JsValue, WebError> {
        let s = self.sampled(settings(n, reps, seed)?);
        let col = |f: fn(&Estimates) -> f64| s.draws.iter().map(f).collect::<Vec<f64>>();
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Exact {
            reverse_kl: f64,
            forward_kl: f64,
            bhattacharyya: f64,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out {
            exact: Exact,
            reverse_kl: Vec<f64>,
            forward_kl: Vec<f64>,
            bhattacharyya: Vec<f64>,
            ess: Vec<f64>,
        }
        to_js(&Out {
            exact: Exact {
                reverse_kl: s.exact.reverse_kl,
                forward_kl: s.exact.forward_kl,
                bhattacharyya: s.exact.bhattacharyya,
            },
            reverse_kl: col(|e| e.reverse_kl),
            forward_kl: col(|e| e.forward_kl),
            bhattacharyya: col(|e| e.bhattacharyya),
            ess: col(|e| e.ess),
        })
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
    ) -> Result<(), WebError> {
        let settings = settings(n, reps, seed)?;
        self.sampling_settings = Some(settings);
        if let Some(e) = self.sampler.ready(self.study.target(), &self.q, settings) {
            self.shown_sampling = Some(e.clone());
        }
        Ok(draw::on_canvas(&canvas, dark, |a, th| {
            match &self.shown_sampling {
                Some(s) => plot::sampling(a, &s.exact, &s.draws, th),
                // Before the first experiment is done: the background alone.
                None => a.fill(&th.bg()),
            }
        })?)
    }

    /// Turns the basins overlay on or off (computed by `work` once landscapes are done).
    #[wasm_bindgen(js_name = setBasins)]
    pub fn set_basins(&mut self, on: bool) {
        self.study.set_basins(on);
    }

    /// Basin labels of panel `i`'s cells (index into its minima, −1 for none), row-major
    /// from the smallest σ; empty until computed.
    #[wasm_bindgen(js_name = basinLabels)]
    pub fn basin_labels(&self, i: usize) -> js_sys::Int32Array {
        match self.study.basin_labels(i) {
            Some(b) => {
                let v: Vec<i32> = b.iter().map(|l| l.map_or(-1, |l| l as i32)).collect();
                js_sys::Int32Array::from(&v[..])
            }
            None => js_sys::Int32Array::new_with_length(0),
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
        self.study.done()
    }

    /// Per panel, the fraction of its current landscape computed (cells, then the refinement
    /// of its minima): 1 once complete, so the page can mark busy and stale panels.
    pub fn progress(&self) -> Float64Array {
        let f: Vec<f64> = (self.study.progress().iter())
            .map(|p| {
                if p.complete {
                    return 1.0;
                }
                let cells = p.cells_done as f64 / p.cells_total.max(1) as f64;
                let minima = p.minima_refined as f64 / p.minima_total.max(1) as f64;
                (0.9 * cells + 0.1 * minima).min(0.99)
            })
            .collect();
        Float64Array::from(&f[..])
    }

    /// `{name: [{mu, sigma, value}, …]}`: each shown landscape's local minima by value.
    #[wasm_bindgen(unchecked_return_type = "Record<string, Minimum[]>")]
    pub fn optima(&self) -> Result<JsValue, WebError> {
        let obj = js_sys::Object::new();
        for (k, p) in self.study.panels().iter().enumerate() {
            let mins = self.study.finished(k).map_or(&[][..], |(_, m)| &m[..]);
            js_sys::Reflect::set(&obj, &p.name.clone().into(), &to_js(&mins)?)
                .map_err(WebError::Js)?;
        }
        Ok(obj.into())
    }

    /// Number of landscape panels.
    #[wasm_bindgen(js_name = panelCount)]
    pub fn panel_count(&self) -> usize {
        self.study.panels().len()
    }

    /// Name of panel `i` as in `state.divergences`.
    #[wasm_bindgen(js_name = panelName)]
    pub fn panel_name(&self, i: usize) -> String {
        (self.study.panels().get(i))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    /// The shown landscape of panel `i`, row-major with one row per σ (empty if none yet).
    #[wasm_bindgen(js_name = landscapeValues)]
    pub fn landscape_values(&self, i: usize) -> Float64Array {
        match self.study.finished(i) {
            Some((l, _)) => Float64Array::from(&l.values[..]),
            None => Float64Array::new_with_length(0),
        }
    }

    /// The μ and σ axes of panel `i`'s shown landscape, as `[mu, sigma]` arrays.
    #[wasm_bindgen(js_name = landscapeAxes)]
    pub fn landscape_axes(&self, i: usize) -> js_sys::Array {
        let out = js_sys::Array::new();
        if let Some((l, _)) = self.study.finished(i) {
            out.push(&Float64Array::from(&l.grid.mu[..]));
            out.push(&Float64Array::from(&l.grid.sigma[..]));
        }
        out
    }

    /// D of panel `i` at (μ, σ), at landscape accuracy (for hover read-outs).
    #[wasm_bindgen(js_name = valueAt)]
    pub fn value_at(&self, i: usize, mu: f64, sigma: f64) -> Result<f64, WebError> {
        let q = Gaussian::new(mu, sigma)?;
        let p = self.study.panels().get(i).ok_or_else(no_panel)?;
        let r = divergence::eval_full(
            self.study.target(),
            &q,
            &p.div,
            Tol::LANDSCAPE,
            Derivatives::None,
        );
        Ok(r.value)
    }

    /// Draws landscape panel `i` on `canvas`; returns the plot area `{x, y, w, h}` in canvas
    /// pixels, for mapping pointer positions to (μ, σ).
    #[wasm_bindgen(js_name = drawLandscape)]
    pub fn draw_landscape(
        &self,
        i: usize,
        canvas: web_sys::HtmlCanvasElement,
        opts: JsValue,
    ) -> Result<JsValue, WebError> {
        let mut opts: draw::LandscapeOpts = serde_wasm_bindgen::from_value(opts)?;
        let p = self.study.panels().get(i).ok_or_else(no_panel)?;
        if opts.path.is_none() {
            opts.path =
                (self.study.descent(i)).map(|d| d.path().iter().flatten().copied().collect());
        }
        opts.quick = self.study.detail() == Detail::Quick;
        let shown = self.study.finished(i);
        let key = draw::PreparedKey::new(self.study.panel_revision(i), &opts);
        let mut cache = self.prepared.borrow_mut();
        cache.resize_with(self.study.panels().len(), || None);
        let prepared = match (shown, cache.get_mut(i)) {
            (Some((land, _)), Some(slot)) => {
                if slot.as_ref().is_none_or(|(_, k)| *k != key) {
                    *slot = Some((
                        draw::prepare(p, land, self.study.target(), &opts, false),
                        key,
                    ));
                }
                slot.as_mut().map(|(prep, _)| prep)
            }
            _ => None,
        };
        let rect = draw::landscape(
            canvas,
            prepared,
            shown,
            self.study.target(),
            &self.q,
            &opts,
            self.study.basin_labels(i),
        )?;
        Ok(serde_wasm_bindgen::to_value(&rect)?)
    }

    /// Draws p, its weighted components and q over x; returns the plot area `{x, y, w, h,
    /// xRange, yRange}` in canvas pixels, for mapping pointer positions to (x, density).
    #[wasm_bindgen(js_name = drawDensity)]
    pub fn draw_density(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dark: bool,
    ) -> Result<JsValue, WebError> {
        let out = draw::on_canvas(&canvas, dark, |a, th| {
            plot::density_framed(a, self.study.target(), &self.q, th).map(draw::LineOut::from)
        })?;
        Ok(serde_wasm_bindgen::to_value(&out)?)
    }

    /// Draws ψ(x) of each chosen divergence on a symmetric-log axis; returns the plot area
    /// as `drawDensity` does (yRange in symlog units).
    #[wasm_bindgen(js_name = drawPressure)]
    pub fn draw_pressure(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dark: bool,
    ) -> Result<JsValue, WebError> {
        let divs = self.pressure_divs();
        let input = self.pressures(&divs);
        let out = draw::on_canvas(&canvas, dark, |a, th| {
            plot::pressure_framed(a, &input, th).map(draw::LineOut::from)
        })?;
        Ok(serde_wasm_bindgen::to_value(&out)?)
    }

    /// Draws ψ against r = p/q on log–log axes, where growth rates are slopes.
    #[wasm_bindgen(js_name = drawPressureRatio)]
    pub fn draw_pressure_ratio(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        dark: bool,
    ) -> Result<(), WebError> {
        let divs = self.pressure_divs();
        let input = self.pressures(&divs);
        Ok(draw::on_canvas(&canvas, dark, |a, th| {
            plot::pressure_ratio(a, &input, th)
        })?)
    }

    /// Draws one of the ψ post's figures: ψ*(m, β) over β, or over 1 − β log–log (`log`).
    #[wasm_bindgen(js_name = drawPsi)]
    pub fn draw_psi(
        &mut self,
        canvas: web_sys::HtmlCanvasElement,
        log: bool,
        dark: bool,
    ) -> Result<(), WebError> {
        let beta = self.beta();
        let pref = self.preference().ok();
        Ok(draw::on_canvas(&canvas, dark, |a, th| {
            plot::psi_threshold(a, log, pref.as_ref(), beta, th)
        })?)
    }

    /// A panel as an SVG document of `width × height`, drawn with plotters' SVG backend:
    /// `kind` is `landscape` (with `index`), `density`, `pressure`, `ratio`, `tradeoff`,
    /// `psi`, `psi_log` or `sampling`.
    #[wasm_bindgen(js_name = exportSvg)]
    pub fn export_svg(
        &mut self,
        kind: &str,
        index: usize,
        width: u32,
        height: u32,
        opts: JsValue,
    ) -> Result<String, WebError> {
        let size = (width.clamp(64, 8192), height.clamp(64, 8192));
        let opts: draw::LandscapeOpts = if opts.is_undefined() || opts.is_null() {
            draw::LandscapeOpts::default()
        } else {
            serde_wasm_bindgen::from_value(opts)?
        };
        let dark = opts.dark;
        let (t, q) = (self.study.target(), &self.q);
        Ok(match kind {
            "landscape" => {
                let p = self.study.panels().get(index).ok_or_else(no_panel)?;
                let Some((land, mins)) = self.study.finished(index) else {
                    return Err(WebError::Range("the landscape is not computed yet".into()));
                };
                draw::landscape_svg(p, land, mins, t, q, &opts, size)?
            }
            "density" => draw::svg(size, dark, |a, th| plot::density(a, t, q, th))?,
            "pressure" => {
                let divs = self.pressure_divs();
                let input = self.pressures(&divs);
                draw::svg(size, dark, |a, th| plot::pressure(a, &input, th))?
            }
            "ratio" => {
                let divs = self.pressure_divs();
                let input = self.pressures(&divs);
                draw::svg(size, dark, |a, th| plot::pressure_ratio(a, &input, th))?
            }
            "sampling" => {
                let Some(settings) = self.sampling_settings else {
                    return Err(WebError::Range(
                        "the sampling panel has not been drawn yet".into(),
                    ));
                };
                let s = self.sampled(settings);
                draw::svg(size, dark, |a, th| {
                    plot::sampling(a, &s.exact, &s.draws, th)
                })?
            }
            "tradeoff" => {
                let beta = self.beta();
                let pref = preference(t, beta).ok();
                draw::svg(size, dark, |a, th| {
                    plot::tradeoff(a, pref.as_ref(), beta, th)
                })?
            }
            "psi" | "psi_log" => {
                let beta = self.beta();
                let pref = preference(t, beta).ok();
                let log = kind == "psi_log";
                draw::svg(size, dark, |a, th| {
                    plot::psi_threshold(a, log, pref.as_ref(), beta, th)
                })?
            }
            _ => return Err(WebError::Type(format!("unknown panel kind '{kind}'"))),
        })
    }

    /// The state as a URL fragment (without `#`); numbers round-trip exactly.
    pub fn fragment(&self) -> String {
        self.state.fragment()
    }

    /// Parses a URL fragment into a partial state for `setState`, with the ignored keys
    /// under `unknown`; a malformed value is an Error naming it.
    #[wasm_bindgen(js_name = parseFragment)]
    pub fn parse_fragment(text: &str) -> Result<JsValue, WebError> {
        let u = divergence::fragment::parse_fragment(text)?;
        to_js(&PartialState::from(u))
    }

    /// ψ(x) of panel `i`'s divergence at each x (for tests and read-outs).
    #[wasm_bindgen(js_name = pressureAt)]
    pub fn pressure_at(&self, i: usize, xs: &[f64]) -> Result<Float64Array, WebError> {
        let p = self.study.panels().get(i).ok_or_else(no_panel)?;
        Ok(Float64Array::from(
            &divergence::pressure(self.study.target(), &self.q, &p.div, xs)[..],
        ))
    }
}

impl Explorer {
    fn with_state(state: State) -> WebResult<Explorer> {
        let v = state.validate()?;
        let mut study = Study::new(v.target, v.panels, state.view, RESOLUTION)
            .with_plan_points(divergence::conv::PAGE_PLAN_POINTS);
        study.set_metric(v.metric);
        Ok(Explorer {
            state,
            q: v.q,
            study,
            tradeoffs: Tradeoffs::default(),
            shown_tradeoff: None,
            panel_units: 0,
            sampler: Sampler::default(),
            sampling_settings: None,
            shown_sampling: None,
            prepared: Default::default(),
            #[cfg(feature = "fault-injection")]
            inject_panic: false,
        })
    }

    /// One unit of the pending sampling experiment, if any (true then).
    fn step_sampling(&mut self) -> bool {
        let stepped = self.sampler.step();
        self.panel_units += u64::from(stepped);
        stepped
    }

    /// The sampling experiment for the current q and target, finished here if `work` has
    /// not yet.
    fn sampled(&mut self, settings: Settings) -> Experiment {
        loop {
            if let Some(e) = self.sampler.ready(self.study.target(), &self.q, settings) {
                return e.clone();
            }
            self.step_sampling();
        }
    }

    /// β = (1+α)/2 of the Amari parameter, clamped to [0, 1].
    fn beta(&self) -> f64 {
        ((1.0 + self.state.params.alpha) / 2.0).clamp(0.0, 1.0)
    }

    /// One unit of the pending flip point, if any (true then).
    fn step_flip(&mut self) -> bool {
        let stepped = self.tradeoffs.step();
        self.panel_units += u64::from(stepped);
        stepped
    }

    /// The trade-off for the current target and α without blocking: None while its flip
    /// point is computed by `work`.
    fn preference_ready(&mut self) -> WebResult<Option<Preference>> {
        let beta = self.beta();
        let ready = (self.tradeoffs.ready(self.study.target(), beta))
            .map_err(|e| WebError::Range(e.to_string()))?;
        if let Some(p) = &ready {
            self.shown_tradeoff = Some(p.clone());
        }
        Ok(ready)
    }

    /// The trade-off, its flip point finished here if `work` has not yet.
    fn preference(&mut self) -> WebResult<Preference> {
        loop {
            if let Some(p) = self.preference_ready()? {
                return Ok(p);
            }
            if !self.step_flip() {
                return Err(Error::parse(Field::Target, "no trade-off").into());
            }
        }
    }

    /// One entry per distinct divergence (`log_ksd` draws the same pressure as `ksd`).
    fn pressure_divs(&self) -> Vec<(String, Divergence)> {
        distinct_divergences(self.study.panels())
    }

    /// The pressure charts' input: the target, q and `divs`.
    fn pressures<'a>(&'a self, divs: &'a [(String, Divergence)]) -> plot::Pressures<'a> {
        plot::Pressures {
            target: self.study.target(),
            q: &self.q,
            divs,
        }
    }
}
