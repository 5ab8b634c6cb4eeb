//! wasm-bindgen face of the flows of q (SPEC §4): q started at the current Gaussian flows as
//! a free density under each chosen divergence, in the Fisher–Rao or Wasserstein geometry.
//! A module of its own, so that a page without a flow panel never downloads it: the element
//! (`www/flow.js`) imports it the first time a flow panel is built.

use std::cell::Cell;
use std::collections::BTreeMap;

use divergence::flow::{FlowError, Geometry, CHECKPOINT_EVERY};
use divergence::State;
use divergence_plot::distinct_divergences;
use divergence_plot::flows::{Flows, POINTS, T_MAX};
use divergence_web_common::{canvas, install_panic_hook, to_js};

pub use divergence_web_common::{WebError, WebResult};
use js_sys::Date;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** The flows-of-q panel at its shown time (`FlowView.info()`). */
export interface FlowInfo {
  t: number;
  tMax: number;
  geometry: "fisher-rao" | "wasserstein";
  points: number;
  /** Per divergence shown: the mass of q_t on each of p's components. */
  masses: Record<string, number[]>;
  /** Per divergence shown: the mass of q_t below x = `below` (0 unless asked). */
  massBelow: Record<string, number>;
  below: number;
  /** Per divergence whose flow is not drawn: why. */
  refused: Record<string, string>;
  /** Whether these are the flows of the last state, geometry and time asked for (else `work`
   * is computing those, and these are the flows shown before). */
  current: boolean;
  /** Whether the flows are current and their mass-over-time curves complete. */
  complete: boolean;
}
"#;

/// The flow panel at its shown time, as `info` returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info<'a> {
    t: f64,
    t_max: f64,
    geometry: &'static str,
    points: usize,
    masses: BTreeMap<&'a str, Vec<f64>>,
    mass_below: BTreeMap<&'a str, f64>,
    below: f64,
    refused: BTreeMap<&'a str, &'a str>,
    current: bool,
    complete: bool,
}

/// The flows of one element's state (target, q, divergences and their parameters) in one
/// geometry, shown at time t; their mass curves are sampled by `work`, slice by slice.
#[wasm_bindgen]
pub struct FlowView {
    /// The state of the flows shown.
    state: State,
    flows: Flows,
    /// The flows of a newer state or geometry, or the shown ones far from the time asked
    /// for: `work` brings them to `goal`, then they are shown.
    next: Option<(State, Flows)>,
    /// The time asked for.
    goal: f64,
    /// Units `work` did over the view's life: a step of a flow's integration toward its next
    /// mass sample, or one flow's stretch of time.
    units: u64,
    #[cfg(feature = "fault-injection")]
    inject_panic: bool,
}

/// `geometry` and `t` checked: a known geometry, t in [0, T_MAX].
fn checked(geometry: &str, t: f64) -> WebResult<Geometry> {
    let g: Geometry = (geometry.parse()).map_err(|e: FlowError| WebError::Range(e.to_string()))?;
    if !(0.0..=T_MAX).contains(&t) {
        return Err(WebError::Range(format!(
            "flow time {t} must lie in 0 to {T_MAX}"
        )));
    }
    Ok(g)
}

/// A state from JS, refused with a `TypeError` when it does not parse.
fn state_from(value: JsValue) -> WebResult<State> {
    serde_wasm_bindgen::from_value(value).map_err(|e| WebError::Type(format!("invalid state: {e}")))
}

/// Whether two states have the same flows (the view and metric do not matter).
fn same_flows(a: &State, b: &State) -> bool {
    (a.target == b.target && a.q == b.q) && (a.divergences == b.divergences && a.params == b.params)
}

/// The flows of `state` in `g`, at time `t`.
fn flows_of(state: &State, g: Geometry, t: f64) -> WebResult<Flows> {
    let v = state.validate()?;
    let key = format!(
        "{:?} {:?} {:?} {:?} {g}",
        state.target, state.q, state.divergences, state.params
    );
    let mut f = Flows::new(key, &v.target, v.q, &distinct_divergences(&v.panels), g);
    f.set_time(t);
    Ok(f)
}

impl FlowView {
    /// The flows asked for, caught up, become the ones shown.
    fn show_next(&mut self) {
        if let Some((state, f)) = self.next.take() {
            (self.state, self.flows) = (state, f);
        }
    }
}

#[wasm_bindgen]
impl FlowView {
    /// The flows of the element's `state` (SPEC §5) in `geometry` (`fisher-rao` or
    /// `wasserstein`) at time `t` in [0, 5]; bad input is a RangeError or TypeError.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "import('./divergence_web').ExplorerState")]
        state: JsValue,
        geometry: &str,
        t: f64,
    ) -> Result<FlowView, WebError> {
        install_panic_hook("divergence-flow-web");
        let state = state_from(state)?;
        let flows = flows_of(&state, checked(geometry, t)?, 0.0)?;
        let mut view = FlowView {
            state,
            flows,
            next: None,
            goal: 0.0,
            units: 0,
            #[cfg(feature = "fault-injection")]
            inject_panic: false,
        };
        view.set(geometry, t)?;
        Ok(view)
    }

    /// Follows the element's state: the flows restart when the target, q, divergences or
    /// parameters changed (the view and metric do not matter), computed by `work` and shown
    /// once at the time asked for. On error nothing changes.
    #[wasm_bindgen(js_name = setState)]
    pub fn set_state(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "import('./divergence_web').ExplorerState")]
        state: JsValue,
    ) -> Result<(), WebError> {
        let state = state_from(state)?;
        let asked = self.next.as_ref().map_or(&self.state, |(s, _)| s);
        if same_flows(&state, asked) {
            return Ok(());
        }
        let geometry = self
            .next
            .as_ref()
            .map_or(&self.flows, |(_, f)| f)
            .geometry();
        if same_flows(&state, &self.state) {
            // Back to the flows shown: at the time and in the geometry asked for.
            self.next = None;
            return self.set(geometry.name(), self.goal);
        }
        self.next = Some((state.clone(), flows_of(&state, geometry, 0.0)?));
        Ok(())
    }

    /// Shows the flows at time `t` in [0, 5] (earlier times rewind) in `geometry`: for the
    /// flows shown, at once for a rewind or a step of up to a quarter, else once `work` has
    /// computed them; a new geometry or state restarts them (shown once computed). Bad input
    /// is a RangeError, and changes nothing.
    pub fn set(&mut self, geometry: &str, t: f64) -> Result<(), WebError> {
        let g = checked(geometry, t)?;
        let near = t <= self.flows.time() + CHECKPOINT_EVERY;
        if let Some((state, f)) = &self.next {
            // Back to the state and geometry shown: pending work is dropped when the rules
            // below do better (a near time, or a restart from 0 in the other geometry).
            let shown = same_flows(state, &self.state) && g == self.flows.geometry();
            if shown && (near || f.geometry() != g) {
                self.next = None;
            }
        }
        match &mut self.next {
            Some((state, f)) if f.geometry() != g => *f = flows_of(state, g, 0.0)?,
            Some(_) => {}
            None if g != self.flows.geometry() => {
                self.next = Some((self.state.clone(), flows_of(&self.state, g, 0.0)?));
            }
            None if near => self.flows.set_time(t),
            None => self.next = Some((self.state.clone(), self.flows.clone())),
        }
        self.goal = t;
        Ok(())
    }

    /// Brings the flows asked for to their time now, if `work` has not yet (for an API call
    /// that returns them).
    #[wasm_bindgen(js_name = catchUp)]
    pub fn catch_up(&mut self) {
        if let Some((_, f)) = &mut self.next {
            f.catch_up(self.goal, &mut || false);
            self.show_next();
        }
    }

    /// Computes for about `budget_ms` milliseconds, unit by unit (one when `budget_ms` ≤ 0,
    /// none once all is complete): the flows asked for, flow by flow in stretches of at most
    /// a quarter of time, then the mass-over-time curves, one step of a flow's integration a
    /// unit; true once all are complete.
    pub fn work(&mut self, budget_ms: f64) -> bool {
        #[cfg(feature = "fault-injection")]
        if std::mem::take(&mut self.inject_panic) {
            panic!("injected fault in the flow module");
        }
        let start = Date::now();
        let (units, spent) = (Cell::new(0), Cell::new(false));
        let mut out_of_time = || {
            units.set(units.get() + 1);
            spent.set(budget_ms <= 0.0 || Date::now() - start > budget_ms);
            spent.get()
        };
        let caught_up = match &mut self.next {
            Some((_, f)) => f.catch_up(self.goal, &mut out_of_time),
            None => true,
        };
        if caught_up {
            self.show_next();
        }
        // A catch-up that spent the budget leaves the mass curves to the next call.
        let done = caught_up
            && if spent.get() {
                self.flows.done()
            } else {
                self.flows.work(&mut out_of_time)
            };
        self.units += units.get();
        done
    }

    /// Units of work `work` has done (`work(0)` does one).
    #[wasm_bindgen(js_name = workUnits)]
    pub fn work_units(&self) -> f64 {
        self.units as f64
    }

    /// True once the flows asked for are shown and their mass-over-time curves complete.
    pub fn done(&self) -> bool {
        self.next.is_none() && self.flows.done()
    }

    /// The panel at its shown time: `{t, tMax, geometry, points, masses: {name: [per
    /// component]}, massBelow: {name: mass below x = below}, below, refused: {name: why},
    /// current, complete}` (`current`: these are the flows last asked for).
    #[wasm_bindgen(unchecked_return_type = "FlowInfo")]
    pub fn info(&self, below: f64) -> Result<JsValue, WebError> {
        let f = &self.flows;
        let mut out = Info {
            t: f.time(),
            t_max: T_MAX,
            geometry: f.geometry().name(),
            points: POINTS,
            masses: BTreeMap::new(),
            mass_below: BTreeMap::new(),
            below,
            refused: BTreeMap::new(),
            current: self.next.is_none(),
            complete: self.done(),
        };
        for (name, r) in f.summary(below) {
            match r {
                Ok((m, b)) => {
                    out.masses.insert(name, m);
                    out.mass_below.insert(name, b);
                }
                Err(why) => {
                    out.refused.insert(name, why);
                }
            }
        }
        to_js(&out)
    }

    /// Draws the panel on `canvas` at the screen's pixel ratio.
    pub fn draw(&self, canvas: web_sys::HtmlCanvasElement, dark: bool) -> Result<(), WebError> {
        Ok(canvas::on_canvas(&canvas, dark, |a, th| {
            self.flows.draw(a, th)
        })?)
    }

    /// The flows' divergences in the panel's order, one canvas each when stacked.
    #[wasm_bindgen(getter)]
    pub fn names(&self) -> Vec<String> {
        self.flows.names()
    }

    /// Draws flow `k` alone on `canvas`, as one cell of the stacked panel; `k` past the last
    /// flow is a RangeError.
    #[wasm_bindgen(js_name = drawFlow)]
    pub fn draw_flow(
        &self,
        canvas: web_sys::HtmlCanvasElement,
        k: usize,
        dark: bool,
    ) -> Result<(), WebError> {
        let n = self.flows.len();
        if k >= n {
            return Err(WebError::Range(format!(
                "flow {k} does not exist: there are {n}"
            )));
        }
        Ok(canvas::on_canvas(&canvas, dark, |a, th| {
            self.flows.draw_one(a, th, k)
        })?)
    }

    /// The panel as an SVG document of `width × height` (each 64 to 8192).
    #[wasm_bindgen(js_name = exportSvg)]
    pub fn export_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, WebError> {
        Ok(canvas::svg((width, height), dark, |a, th| {
            self.flows.draw(a, th)
        })?)
    }

    /// Makes the next `work` call panic (the test of a crash in the flow module).
    #[cfg(feature = "fault-injection")]
    #[wasm_bindgen(js_name = injectPanic)]
    pub fn inject_panic(&mut self) {
        self.inject_panic = true;
    }
}
