// <divergence-explorer> (SPEC §5): the module posts load. It finds its wasm and stylesheet
// next to itself, so the folder can be copied anywhere. Here: the element's lifecycle, state
// and public API; by concern beside it: host.js (wasm, crash recovery), frames.js (render
// loop, drag mode), theme.js (host theme, layout), controls.js, panels.js, input.js,
// density-input.js, pressure-input.js, descents.js, status.js, sampling.js, flow.js,
// exports.js, url.js, util.js. Types: explorer.d.ts.
import { Host } from './host.js';
import { Controls } from './controls.js';
import { Panels } from './panels.js';
import { Descents } from './descents.js';
import { Input } from './input.js';
import { DensityInput } from './density-input.js';
import { PressureInput } from './pressure-input.js';
import { Status } from './status.js';
import { UrlState } from './url.js';
import { Frames } from './frames.js';
import { isDark, ThemeWatch, layoutGrids } from './theme.js';
import * as exports from './exports.js';
import { h, clone, list, merge, asError, unknownKey } from './util.js';

const ALL_PANELS = ['controls', 'landscape', 'density', 'pressure', 'tradeoff', 'sampling', 'flow'];

export class DivergenceExplorer extends HTMLElement {
  // `show-controls` (old name `controls`, which HTML and minifiers treat as a boolean),
  // `caption`, `layout="page"` (the full page: control column, export toolbars, formula
  // table), `exports="off"`, `notes` (the formula table in an embed), `theme`.
  static observedAttributes = ['preset', 'panels', 'divergences', 'height', 'show-controls', 'controls', 'theme', 'caption', 'layout', 'exports', 'notes'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    /** Resolves after the first full render. */
    this.ready = new Promise((ok, fail) => { this._readyResolve = ok; this._readyReject = fail; });
    this._host = new Host({
      snapshot: () => this._state,
      crashed: (msg) => { this._frames.stop(); this._showError(msg); },
      restored: (state, msg) => { this._state = state; this._showError(msg); this._sync(); this._schedule(); },
      failed: (msg) => { this._showError(msg); this._frames.settle(new Error(msg)); },
    });
    this._controls = new Controls(this);
    this._panels = new Panels(this);
    this._input = new Input(this);
    this._densityInput = new DensityInput(this);
    this._pressureInput = new PressureInput(this);
    this._url = new UrlState(this);
    this._descents = new Descents(this);
    this._status = new Status(this);
    this._frames = new Frames(this);
    this._display = { logScale: true, clip: 1 };
    // Layout follows the element's own width (it lives in a post's column, not the viewport).
    this._resize = new ResizeObserver(() => { this._layout(); this._schedule(); });
    this._theme = new ThemeWatch(() => this._schedule());
  }

  async connectedCallback() {
    if (this._started) { this._listen(); return; }
    this._started = true;
    this.shadowRoot.append(h('link', { rel: 'stylesheet', href: new URL('./explorer.css', import.meta.url).href }));
    try {
      await this._host.start();
      const names = this._host.info.presets.map((p) => p.name);
      const preset = this.getAttribute('preset');
      this._preset = names.includes(preset) ? preset : 'blog-kl';
      const state = this._host.presetState(this._preset);
      this._display.logScale = this._presetInfo(this._preset).logScale !== false;
      const divs = list(this.getAttribute('divergences'));
      if (divs.length) state.divergences = divs;
      this._state = this._host.ex.setState(state);
      this._host.configure(this._host.ex);
      this._build();
      if (this.hasAttribute('link')) this._url.apply(location.hash);
      this._listen();
    } catch (e) {
      this._showError(`The explorer failed to start: ${e.message ?? e}`);
      this._readyReject(e);
    }
  }

  disconnectedCallback() {
    this._resize.disconnect();
    this._panels.unobserve();
    this._theme.stop();
    this._url.unlisten();
    this._frames.stop();
  }

  // Redraws on a change of size, visibility or the system's colour scheme.
  _listen() {
    if (!this._root) return;
    this._theme.start();
    this._resize.disconnect();
    this._resize.observe(this);
    this._panels.observe();
    if (this.hasAttribute('link')) this._url.listen();
    this._schedule();
  }

  attributeChangedCallback(name, old, value) {
    if (!this._host.ex || old === value) return;
    if (name === 'preset' && this._host.info.presets.some((p) => p.name === value)) this.setPreset(value);
    else if (name === 'divergences' && value) this.setState({ divergences: list(value) });
    else this._build();
  }

  // ---------- state ----------
  /** A copy of the state (SPEC §5), or null before the element has loaded. */
  get state() { return this._state ? clone(this._state) : null; }

  /** Merge, validate, re-render; invalid input throws an Error (also shown) and changes nothing. */
  setState(partial) {
    this._host.explorer();
    if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
      return this._fail(new Error('setState takes an object'));
    }
    // serde_wasm_bindgen reads a struct's own fields only: unknown keys are refused here.
    const params = this._host.info.params.map((p) => p.key);
    const bad = unknownKey(partial, { target: null, q: ['mu', 'sigma'], divergences: null, params, view: ['muRange', 'sigmaRange'], metric: null });
    if (bad) return this._fail(new Error(`unknown state key '${bad}'`));
    const next = merge(this._state, partial);
    try {
      this._state = this._host.call((ex) => ex.setState(next));
    } catch (e) {
      return this._fail(asError(e));
    }
    this._clearError();
    this._sync();
    this._schedule();
    return this.state;
  }

  /** Replaces the state with preset `name`'s (`blog-kl`, `blog-stein`, …); returns the state. */
  setPreset(name) {
    this._host.explorer();
    let state;
    try { state = this._host.presetState(name); } catch (e) { return this._fail(e); }
    const out = this.setState(state);
    this._preset = name;
    this._display.logScale = this._presetInfo(name).logScale !== false;
    this._controls.sync();
    return out;
  }

  /** `{NAME: [{mu, sigma, value}, …]}`: each landscape's local minima by value. */
  get optima() { return this._host.ex ? this._host.call((ex) => ex.optima()) : {}; }
  /** Landscape grid `[nMu, nSigma]`; setting it (8 to 1024 a side) recomputes. */
  get resolution() { return [...this._host.settings.resolution]; }
  set resolution(n) { this._host.setResolution(n); this._schedule(); }

  /** Resolves once everything for the current state is computed and drawn at full resolution:
   * every landscape complete with refined minima (and basins, if on), descents finished,
   * every visible panel drawn, no frame pending. Rejects if the element cannot get there
   * (it failed to start, a computation failed, or a crash could not be recovered from). */
  settled() {
    return this.ready.then(() => this._frames.wait());
  }

  // ---------- descents, basins, panels' data ----------
  /** Starts gradient descent from (mu, sigma) on every landscape; resolves with the paths
   * (`[{name, path: [[μ, σ, D], …], finished}]`) once every descent has stopped. */
  descend(mu, sigma) { return this._descents.start(mu, sigma); }
  /** The current descent paths (see `descend`); empty when there are none. */
  get paths() { return this._descents.paths; }
  /** Removes the descent paths. */
  clearPaths() { this._descents.clear(); }
  /** Whether each landscape is tinted by basin of attraction (computed for every cell). */
  get basins() { return this._descents.basins; }
  set basins(on) { this._descents.setBasins(on); }
  /** Basin label per cell of landscape `i` (index into its minima, −1 for none), row-major
   * from the smallest σ, as in `exportJson`; empty until computed. */
  basinLabels(i = 0) { return this._descents.labels(i); }

  /** Landscape `i`'s plot area `{x, y, width, height, muRange, sigmaRange}` in CSS pixels
   * from its canvas's corner; null until drawn. */
  plotArea(i = 0) { return this._panels.plotArea(i); }
  /** The `density` or `pressure` panel's plot area `{x, y, width, height, xRange, yRange}` in
   * CSS pixels from its canvas's corner (pressure's y in symlog units); null until drawn. */
  panelArea(kind) { return this._panels.lineArea(kind); }
  /** Landscape `i`: `{divergence, mu, sigma, values, minima}`, `values` a Float64Array. */
  landscape(i = 0) { return exports.landscape(this, i); }
  /** The sampling experiment for the current q: `{n, reps, seed, exact, reverseKl, forwardKl,
   * bhattacharyya, ess}` (arrays over the repeated draws; index 0 is "this draw"). */
  get sampling() { return this._panels.sampling.data(); }
  /** Sets the sample size `n`, `reps` and/or `seed`; bad values throw and change nothing. */
  setSampling(partial) { return this._panels.sampling.set(partial); }
  /** New draws: the next seed. */
  resample() { return this.setSampling({ seed: this._panels.sampling.samples.seed + 1 }); }
  /** The ψ trade-off for the current target and α (see SPEC's light-mode preset). */
  get tradeoff() { return this._host.ex ? this._host.call((ex) => ex.tradeoff()) : null; }
  /** The flows-of-q panel at its time: `{t, tMax, geometry, points, masses: {NAME: [mass on
   * each of p's components]}, massBelow: {NAME: mass of q_t below x = 0}, refused: {NAME:
   * why}, current, complete}`, computed on the spot if the frames have not yet; null before
   * loading. */
  get flow() { return this._panels.flow.info(); }
  /** Sets the flow panel's `t` (0 to 5) and/or `geometry` (`fisher-rao`, `wasserstein`);
   * bad values throw and change nothing. Returns `el.flow`. */
  setFlow(partial) { return this._panels.flow.set(partial); }
  /** How many times the element restarted its wasm module after a crash. */
  get recoveries() { return this._host.recoveries; }
  /** Bytes of wasm linear memory (for soak tests and diagnostics). */
  get wasmMemoryBytes() { return this._host.memoryBytes; }

  // ---------- exports and the URL ----------
  /** A panel as SVG text (vector axes and text; a landscape's heatmap embedded as PNG). */
  exportSvg(kind = 'landscape', i = 0) { return exports.exportSvg(this, kind, i); }
  /** Landscape `i` as `{divergence, mu, sigma, values: [[row per σ]], minima}`. */
  exportJson(i = 0) { return exports.exportJson(this, i); }
  /** Landscape `i` as CSV: a header of μ values, then one row per σ. */
  exportCsv(i = 0) { return exports.exportCsv(this, i); }
  /** The state as a URL fragment (without '#'); numbers round-trip exactly. */
  fragment() { return this._url.fragment(); }
  /** Applies a fragment; a malformed one is reported, ignored, and changes nothing. */
  applyFragment(hash) { return this._url.apply(hash); }

  // ---------- internals shared by the modules ----------
  _fail(err) { this._showError(err.message); throw err; }

  _showError(msg) {
    if (!this._error) return;
    this._error.textContent = msg;
    this._error.hidden = false;
  }

  _clearError() { if (this._error) this._error.hidden = true; }

  /** The preset's entry of `presetInfo()`: `{name, state, panels, logScale}`. */
  _presetInfo(name) { return this._host.info.presets.find((p) => p.name === name) ?? {}; }

  /** The full page (`layout="page"`) rather than a figure embedded in a post. */
  get _page() { return this.getAttribute('layout') === 'page'; }

  /** Dark or light, as the host page is (theme.js). */
  get _dark() { return isDark(this, this._theme.media); }

  // Page or embed, wide or narrow, and the grids' columns (theme.js).
  _layout() { if (this._root) layoutGrids(this._root, this._page, this.clientWidth); }

  // Lays out the shadow DOM for the current attributes.
  _build() {
    this._root?.remove();
    const chosen = list(this.getAttribute('panels'));
    // An embed without `panels` shows its preset's figure, with the controls after it.
    const panels = chosen.length ? chosen
      : this._page ? ALL_PANELS : [...(this._presetInfo(this._preset).panels ?? ['landscape']), 'controls'];
    this._root = h('div', { class: 'explorer', part: 'root' });
    const height = this.getAttribute('height');
    if (height) this._root.style.setProperty('--height', /^\d+$/.test(height) ? `${height}px` : height);
    this._error = h('div', { class: 'error', role: 'alert', hidden: true });
    this._root.append(this._error);
    const plots = this._panels.build(panels);
    const caption = this.getAttribute('caption');
    if (caption) plots.append(h('p', { class: 'caption' }, caption));
    if (panels.includes('controls')) {
      const controls = this._controls.build();
      if (this._page) this._root.append(controls, plots);
      else {
        // In a post the figure comes first; the controls follow, folded unless asked for.
        const asked = this.getAttribute('show-controls') ?? this.getAttribute('controls');
        this._root.append(plots, h('details', { class: 'more', open: !!asked }, h('summary', {}, 'Controls'), controls));
      }
    } else this._root.append(plots);
    this._status.build(this._root);
    this.shadowRoot.append(this._root);
    this._sync();
    this._layout();
    this._resize.disconnect();
    this._resize.observe(this);
    this._panels.observe();
    this._schedule();
  }

  _sync() { if (this._root) { this._panels.sync(); this._controls.sync(); } }

  // ---------- the render loop (frames.js) ----------
  /** Redraws next frame (state, size, theme or display options changed). */
  _schedule() { this._frames.schedule(); }
  get _dragging() { return this._frames.dragging; }
  /** Quick mode until every way a drag on `control` can end has ended it. */
  _beginDrag(control) { this._frames.beginDrag(control); }
}

if (!customElements.get('divergence-explorer')) customElements.define('divergence-explorer', DivergenceExplorer);
