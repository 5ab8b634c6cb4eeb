// <divergence-explorer> (SPEC §5): the module posts load. It finds its wasm and stylesheet
// next to itself, so the folder can be copied anywhere. Here: the element's lifecycle, state
// and render loop; by concern beside it: host.js (wasm, crash recovery), controls.js,
// panels.js, input.js, descents.js, exports.js, url.js, util.js. Types: explorer.d.ts.
import { Host } from './host.js';
import { Controls } from './controls.js';
import { Panels } from './panels.js';
import { Descents } from './descents.js';
import { Input } from './input.js';
import { Status } from './status.js';
import { UrlState } from './url.js';
import * as exports from './exports.js';
import { h, clone, list, merge, asError, unknownKey } from './util.js';

const ALL_PANELS = ['controls', 'landscape', 'density', 'pressure', 'tradeoff', 'sampling', 'flow'];
// Milliseconds of landscape work per frame: more while dragging, where each frame counts.
const BUDGET = { idle: 12, dragging: 30 };

export class DivergenceExplorer extends HTMLElement {
  static observedAttributes = ['preset', 'panels', 'divergences', 'height', 'controls', 'theme'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    /** Resolves after the first full render. */
    this.ready = new Promise((ok, fail) => { this._readyResolve = ok; this._readyReject = fail; });
    this._host = new Host({
      snapshot: () => this._state,
      crashed: (msg) => { cancelAnimationFrame(this._raf); this._raf = 0; this._idle = false; this._showError(msg); },
      restored: (state, msg) => { this._state = state; this._showError(msg); this._sync(); this._schedule(); },
      failed: (msg) => { this._showError(msg); this._settle(new Error(msg)); },
    });
    this._controls = new Controls(this);
    this._panels = new Panels(this);
    this._input = new Input(this);
    this._url = new UrlState(this);
    this._descents = new Descents(this);
    this._status = new Status(this);
    this._dragging = false;
    this._display = { logScale: true, clip: 1 };
    this._raf = 0;
    this._idle = false;
    this._waiters = [];
    this._lastEvent = '';
    this._media = window.matchMedia('(prefers-color-scheme: dark)');
    this._resize = new ResizeObserver(() => this._schedule());
    this._redraw = () => this._schedule();
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
    this._panels.io.disconnect();
    this._media.removeEventListener('change', this._redraw);
    this._url.unlisten();
    cancelAnimationFrame(this._raf);
    this._raf = 0;
  }

  // Redraws on a change of size, visibility or the system's colour scheme.
  _listen() {
    if (!this._root) return;
    this._media.addEventListener('change', this._redraw);
    this._resize.observe(this._root);
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
    return this.ready.then(() => new Promise((ok, fail) => {
      if (this._idle) ok(); else this._waiters.push({ ok, fail });
    }));
  }

  _settle(err) {
    const waiters = this._waiters;
    this._waiters = [];
    for (const w of waiters) if (err) w.fail(err); else w.ok();
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
  /** Landscape `i`: `{divergence, mu, sigma, values, minima}`, `values` a Float64Array. */
  landscape(i = 0) { return exports.landscape(this, i); }
  /** The sampling experiment for the current q: `{n, reps, seed, exact, reverseKl, forwardKl,
   * bhattacharyya, ess}` (arrays over the repeated draws; index 0 is "this draw"). */
  get sampling() { return this._panels.samplingData(); }
  /** Sets the sample size `n`, `reps` and/or `seed`; bad values throw and change nothing. */
  setSampling(partial) { return this._panels.setSampling(partial); }
  /** New draws: the next seed. */
  resample() { return this.setSampling({ seed: this._panels.samples.seed + 1 }); }
  /** The ψ trade-off for the current target and α (see SPEC's light-mode preset). */
  get tradeoff() { return this._host.ex ? this._host.call((ex) => ex.tradeoff()) : null; }
  /** The flows-of-q panel at its time: `{t, tMax, geometry, points, masses: {NAME: [mass on
   * each of p's components]}, massBelow: {NAME: mass of q_t below x = 0}, refused: {NAME:
   * why}, complete}`; null before loading. */
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

  get _dark() {
    const t = this.getAttribute('theme');
    return t === 'dark' || (t !== 'light' && this._media.matches);
  }

  // Lays out the shadow DOM for the current attributes.
  _build() {
    this._root?.remove();
    const chosen = list(this.getAttribute('panels'));
    const panels = chosen.length ? chosen : ALL_PANELS;
    this._root = h('div', { class: 'explorer', part: 'root' });
    const height = this.getAttribute('height');
    if (height) this._root.style.setProperty('--height', /^\d+$/.test(height) ? `${height}px` : height);
    this._error = h('div', { class: 'error', role: 'alert', hidden: true });
    this._root.append(this._error);
    if (panels.includes('controls')) this._root.append(this._controls.build());
    this._root.append(this._panels.build(panels));
    this._status.build(this._root);
    this.shadowRoot.append(this._root);
    this._sync();
    this._resize.disconnect();
    this._resize.observe(this._root);
    this._panels.observe();
    this._schedule();
  }

  _sync() { if (this._root) { this._panels.sync(); this._controls.sync(); } }

  // While a slider is held: quick, coarser landscapes (host.js).
  _setDragging(on) {
    if (this._dragging === on) return;
    this._dragging = on;
    this._host.setQuick(on);
    this._schedule();
  }

  // A drag on `control` starts the quick mode, and every way a drag can end ends it (a
  // release anywhere, a cancel, lost capture, focus leaving the window, a touch ending, a
  // key let go, a press that never moved), after which the page refines at full resolution.
  _beginDrag(control) {
    this._endDrag?.();
    const types = ['pointerup', 'pointercancel', 'touchend', 'touchcancel', 'keyup'];
    const end = () => {
      for (const t of types) window.removeEventListener(t, end, true);
      window.removeEventListener('blur', end);
      control.removeEventListener('lostpointercapture', end);
      control.removeEventListener('change', end);
      this._endDrag = null;
      this._setDragging(false);
    };
    for (const t of types) window.addEventListener(t, end, true);
    window.addEventListener('blur', end); // the window's own blur: elements' blurs do not bubble
    control.addEventListener('lostpointercapture', end);
    control.addEventListener('change', end);
    this._endDrag = end;
    this._setDragging(true);
  }

  // ---------- rendering ----------
  // Something shown may have changed (state, size, theme, display options): redraw next frame.
  _schedule() {
    this._dirty = true;
    this._frame();
  }

  // A frame for more work; panels are redrawn only if dirty or the landscapes' revision moved.
  _frame() {
    this._idle = false;
    if (this._raf || !this._root) return;
    this._raf = requestAnimationFrame(() => { this._raf = 0; this._render(); });
  }

  // One frame: a descent step, a slice of landscape work, every panel redrawn; once the
  // landscapes are complete, the URL, the change event, `ready` and `settled()` follow.
  _render() {
    const ex = this._host.ex;
    if (!ex) return;
    let done;
    try {
      this._host.call(() => {
        this._descents.step(ex);
        done = ex.work(this._dragging ? BUDGET.dragging : BUDGET.idle);
      });
    } catch (e) {
      return this._broken(`Computation failed: ${e.message ?? e}`);
    }
    // Slices that complete nothing change nothing on screen: no redraw (it costs more than
    // the slice with four landscapes), so frames stay short while the work goes on.
    const revision = ex.revision();
    if (this._dirty || revision !== this._drawn || this._descents.running) {
      this._dirty = false;
      this._drawn = revision;
      const dark = this._dark;
      this._root.classList.toggle('dark', dark);
      try {
        this._host.call(() => this._panels.draw(ex, this._dragging, dark));
      } catch (e) {
        return this._broken(`Drawing failed: ${e.message ?? e}`);
      }
    }
    // Progress, staleness and descriptions (cheap when nothing changed): every frame.
    try {
      this._host.call(() => this._status.frame(ex));
    } catch (e) {
      return this._broken(`Drawing failed: ${e.message ?? e}`);
    }
    if (!done || this._descents.running || this._panels.busy) {
      // The flow panel animates (and fills its mass curves) by redrawing; the rest only works.
      if (this._panels.busy) this._schedule(); else this._frame();
      if (!done) return;
    }
    const key = JSON.stringify(this._state);
    // The address bar follows the state once a slider is let go (a URL per drag frame costs ~1 ms).
    if (this.hasAttribute('link') && !this._dragging) this._url.follow(key);
    if (key !== this._lastEvent) {
      this._lastEvent = key;
      this.dispatchEvent(new CustomEvent('divergence-change', { detail: { state: this.state, optima: this.optima } }));
    }
    if (this._readyResolve) { this._readyResolve(); this._readyResolve = null; }
    if (!this._raf && !this._dragging) { this._idle = true; this._settle(); }
  }

  // A failed frame: shown, and whoever waits on `settled()` learns of it (a crash instead
  // restarts the module, and the waiters wait for the restored view).
  _broken(msg) {
    if (this._host.recovering) return;
    this._showError(msg);
    this._settle(new Error(msg));
  }
}

if (!customElements.get('divergence-explorer')) customElements.define('divergence-explorer', DivergenceExplorer);
