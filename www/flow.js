// The flows-of-q panel (`panels="flow"`): q starts as the current Gaussian and flows as a
// free density under each chosen divergence (Fisher–Rao or Wasserstein, SPEC §4). A time
// slider scrubs t, Play animates it (the final time at once under prefers-reduced-motion),
// and below each q_t the mass it puts on each of p's components over time. The flows are a
// wasm module of their own (divergence_flow_web), imported the first time a flow panel is
// built: a page without one never downloads it. A failure to load it, or a crash in it, is
// shown in this panel alone.
import { h, fmt, asError, loadModule, fitCanvas } from './util.js';
import { toolbar } from './exports.js';

const T_MAX = 5;
// Time units per second of animation.
const SPEED = 1;
// Milliseconds a frame spends on the mass curves at least, once the landscapes are complete.
const BUDGET = 2;
// Milliseconds between redraws of the flows in view while only the mass curves grow.
const GROWING_REDRAW_MS = 250;
// Side by side while each flow keeps this many CSS pixels of width; stacked below that, at
// STACKED_HEIGHT each, one canvas per flow.
const SIDE_MIN_WIDTH = 330;
const STACKED_HEIGHT = 440;
const GEOMETRIES = ['fisher-rao', 'wasserstein'];
const LOADING = 'Loading the flows of q…';

// `geometry` and `t` checked while the module loads, as the module checks them (RangeError).
function check(geometry, t) {
  if (!GEOMETRIES.includes(geometry)) throw new RangeError(`flow geometry '${geometry}' is not one of: ${GEOMETRIES.join(', ')}`);
  if (!(t >= 0 && t <= T_MAX)) throw new RangeError(`flow time ${t} must lie in 0 to ${T_MAX}`);
}

/** The flow panel of one element (`x`). */
export class FlowPanel {
  constructor(x) {
    this.x = x;
    this.motion = window.matchMedia('(prefers-reduced-motion: reduce)');
    this.t = this.motion.matches ? T_MAX : 1;
    this.geometry = 'fisher-rao';
    this.playing = false;
    this.last = 0;
    /** The canvases' box (the panel's size and visibility), its canvases: one while the
     * flows sit side by side, one per flow stacked, and those on screen. */
    this.box = null;
    this.parts = [];
    this.visible = new Set();
    this.io = new IntersectionObserver((es) => {
      for (const e of es) if (this.parts.includes(e.target)) this.visible[e.isIntersecting ? 'add' : 'delete'](e.target);
      if (this.stale.size && this.x.isConnected) this.redraw();
    });
    /** Canvases whose drawing is behind what the flows show. */
    this.stale = new Set();
    /** The flows' module once loaded, its `FlowView` once made, the import under way. */
    this.mod = null;
    this.view = null;
    this.loading = false;
    /** Whether the next import is a fresh module instance (after a crash). */
    this.fresh = false;
    /** Shown in the panel instead of the flows: a failed import, or a crash. */
    this.error = '';
    /** What the canvases show (time, geometry, state, theme, layout), and when the mass
     * curves were last redrawn. */
    this.shown = '';
    this.drawnAt = 0;
    /** Milliseconds the last canvas drawn took: the estimate of the next. */
    this.canvasMs = 0;
  }

  /** The panel's figure: controls, canvases, a status line. */
  build() {
    const x = this.x;
    this.box = h('div', { class: 'flow-canvases', 'data-panel': 'flow' });
    this.parts.forEach((c) => this.io.unobserve(c));
    [this.parts, this.shown] = [[], ''];
    this.visible.clear();
    this.stale.clear();
    this.geo = h('select', { 'aria-label': 'Flow geometry' },
      h('option', { value: 'fisher-rao' }, 'Fisher–Rao (mass created in place)'),
      h('option', { value: 'wasserstein' }, 'Wasserstein (mass transported)'));
    this.geo.value = this.geometry;
    this.geo.addEventListener('change', () => this.apply({ geometry: this.geo.value }));
    this.range = h('input', { type: 'range', min: 0, max: T_MAX, step: 0.01, value: this.t, 'aria-label': 'Flow time t' });
    this.range.addEventListener('input', () => {
      this.pause();
      this.apply({ t: Number(this.range.value) });
    });
    this.readout = h('output', { class: 'num' }, fmt(this.t));
    this.play = h('button', { type: 'button' }, 'Play');
    this.play.addEventListener('click', () => (this.playing ? this.pause() : this.start()));
    this.text = h('p', { class: 'note', role: 'status' }, this.mod ? '' : LOADING);
    this.figure = h('figure', { class: 'flow', 'aria-busy': 'true' },
      h('div', { class: 'row flow-controls' }, h('label', {}, 'geometry ', this.geo),
        h('label', { class: 'slider' }, h('span', {}, 'time t'), this.range, this.readout), this.play),
      this.box, this.text, toolbar(x, 'flow', 0, () => this.image()));
    this.load();
    return this.figure;
  }

  /** Imports the flows' module unless it is loaded or loading; the element redraws after. */
  load() {
    if (this.mod || this.loading) return;
    this.loading = true;
    loadModule('divergence_flow_web', this.fresh).then(({ mod }) => { this.mod = mod; this.fresh = false; }, (e) => {
      this.error = `The flows of q could not load (${e.message ?? e}); the rest of the figure works.`;
    }).finally(() => { this.loading = false; this.x._schedule(); });
  }

  /** After a failure, tries again (a state change or a new time or geometry). */
  retry() {
    if (!this.error || this.loading) return;
    this.error = '';
    this.load();
  }

  // Runs `fn`; a trap in the flows' module drops it (the next `retry` imports a fresh
  // instance) and is shown in the panel, returning undefined. Other errors are thrown.
  guard(fn) {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      this.view = null;
      this.mod = null;
      this.fresh = true;
      this.error = `The flows of q crashed (${e.message}); they restart at the next change.`;
      return undefined;
    }
  }

  // The view brought to the element's state, time and geometry; null until loaded.
  current() {
    if (!this.mod) return null;
    if (this.view) this.view.setState(this.x._state);
    else this.view = new this.mod.FlowView(this.x._state, this.geometry, this.t);
    this.view.set(this.geometry, this.t);
    return this.view;
  }

  /** Sets `t` and/or `geometry`; bad values throw (shown) and change nothing. Returns the
   * panel's info (the flows computed now if the frames have not yet), null while the flows'
   * module loads. */
  set(partial) {
    const err = this.apply(partial);
    if (err) return this.x._fail(err);
    return this.info();
  }

  /** Sets `t` and/or `geometry` for the frames to compute (the panel's own controls: a jump
   * of t is spread over frames); returns the error, shown, for bad values, which change
   * nothing. */
  apply({ t = this.t, geometry = this.geometry } = {}) {
    const x = this.x;
    [t, geometry] = [Number(t), String(geometry)];
    try {
      if (this.mod) this.guard(() => this.current()?.set(geometry, t));
      if (!this.mod) check(geometry, t);
    } catch (e) {
      const err = asError(e);
      x._showError(err.message);
      this.sync();
      return err;
    }
    this.t = t;
    this.geometry = geometry;
    this.retry();
    this.sync();
    x._clearError();
    this.redraw();
    return null;
  }

  /** Animates t from 0 (or where it is) to the end; under reduced motion, jumps there. */
  start() {
    if (this.motion.matches) { this.apply({ t: T_MAX }); return; }
    if (this.t >= T_MAX) this.t = 0;
    this.playing = true;
    this.last = performance.now();
    this.play.textContent = 'Pause';
    this.redraw();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.play.textContent = 'Play';
    this.redraw();
  }

  // t or the geometry moved: the next frame redraws this panel alone.
  redraw() {
    this.x._panels.mark('flow');
    this.x._frames.next();
  }

  /** One animation frame's advance of t. */
  tick() {
    if (!this.playing) return;
    const now = performance.now();
    const t = Math.min(T_MAX, this.t + ((now - this.last) / 1000) * SPEED);
    this.last = now;
    this.t = t;
    if (t >= T_MAX) this.pause();
    this.sync();
  }

  sync() {
    if (!this.range) return;
    if (this.x.shadowRoot.activeElement !== this.range) this.range.value = this.t;
    this.readout.value = fmt(+this.t.toFixed(2));
    this.geo.value = this.geometry;
  }

  /** `{t, tMax, geometry, points, masses, massBelow, below, refused, current, complete}`
   * for the state, t and geometry asked for (computed now if the frames have not yet); null
   * until the flows' module has loaded (or after it failed). */
  info(below = 0) {
    return (this.mod && this.guard(() => {
      const view = this.current();
      view.catchUp();
      return view.info(Number(below));
    })) || null;
  }

  /** The element's state, size, theme or options changed: every canvas is redrawn. */
  invalidate() {
    this.shown = '';
  }

  /** Watches which of the canvases are on screen (again, once the element is back on a page). */
  observe() {
    this.io.disconnect();
    this.visible.clear();
    this.parts.forEach((c) => this.io.observe(c));
  }

  /** The panel as one canvas: its canvases one below the other, drawn first if behind. */
  image() {
    if (this.mod && !this.error) {
      this.guard(() => {
        const view = this.current();
        view.catchUp();
        this.layout(view.names);
        this.paint(view, view.info(0), this.x._dark, Infinity);
      });
    }
    if (this.parts.length === 1) return this.parts[0];
    const out = document.createElement('canvas');
    out.width = Math.max(1, ...this.parts.map((c) => c.width));
    out.height = this.parts.reduce((s, c) => s + c.height, 0);
    const cx = out.getContext('2d');
    let y = 0;
    for (const c of this.parts) { cx.drawImage(c, 0, y); y += c.height; }
    return out;
  }

  /** The panel as SVG text of `w × h` CSS pixels. */
  svg(w, h, dark) {
    const out = this.mod && this.guard(() => {
      const view = this.current();
      view.catchUp();
      return view.exportSvg(w, h, dark);
    });
    if (!out) throw new Error(this.error || 'the flows of q have not loaded yet');
    return out;
  }

  /** Brings the flows to the state and t, and draws them after working on the mass curves
   * until `deadline` (performance.now()); true while frames are still needed (the module is
   * loading, the curves are being computed, or t is playing). A failure is shown in the panel
   * and leaves the rest of the element alone. */
  draw(ex, dark, deadline) {
    this.tick();
    let info = null;
    let resized = false;
    if (this.mod && !this.error) {
      try {
        info = this.guard(() => {
          const view = this.current();
          // (The flows shown: the previous state's until the new ones reach t.)
          resized = this.layout(view.names);
          // (Leaving room for a canvas's drawing and its rasterising at commit.)
          if (ex.done()) view.work(Math.max(BUDGET, deadline - performance.now() - 2 * this.canvasMs));
          const got = view.info(0);
          this.paint(view, got, dark, deadline);
          return got;
        }) ?? null;
      } catch (e) {
        this.error = `The flows of q failed: ${e.message ?? e}`;
      }
    }
    // Loading or failed: one blank canvas holds the panel's place.
    if (!info) resized = this.layout([]);
    const waiting = !info && !this.error;
    // Set only on a change: a write of the same text or attribute still costs the page a
    // style, layout and paint pass, every frame while the flows work.
    const busy = String(!this.error && (waiting || !info?.complete));
    if (this.figure.getAttribute('aria-busy') !== busy) this.figure.setAttribute('aria-busy', busy);
    const say = (text) => { if (this.text.textContent !== text) this.text.textContent = text; };
    if (this.error) {
      for (const c of this.parts) c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
      this.stale.clear();
      say(this.error);
    } else if (waiting) {
      say(LOADING);
    } else if (!info.current) {
      say(`Computing the flows at t = ${fmt(+this.t.toFixed(2))} (the figure shows the last ones)…`);
    } else {
      const parts = Object.entries(info.masses).map(([name, m]) => `${this.x._host.title(name)}: ${m.map((v) => `${(100 * v).toFixed(1)}%`).join(' / ')}`);
      const refused = Object.entries(info.refused).map(([name, why]) => `${this.x._host.title(name)}: ${why}`);
      say(`At t = ${fmt(+this.t.toFixed(2))}, mass of q_t on p's components (left to right): ${parts.join('; ') || 'none'}.`
        + (refused.length ? ` Not shown: ${refused.join('; ')}.` : ''));
    }
    return this.playing || waiting || (!!info && !info.complete) || resized || this.stale.size > 0;
  }

  // Draws the canvases behind what the flows show, those in view first, one at least (the
  // flows at the reader's t, while the time slider moves), then each while it is expected
  // to end (drawn and rasterised) before `deadline`. While only the mass curves grow, the
  // flows in view are redrawn a few times a second and the others once the curves are
  // complete: a redrawn canvas costs the browser a copy of all its pixels at the next commit
  // (13 flows in one canvas were 6 Mpx: ~30 ms a commit).
  paint(view, got, dark, deadline) {
    const shown = `${got.t} ${got.geometry} ${got.current} ${got.complete} ${dark} ${this.parts.length}`;
    const now = performance.now();
    if (shown !== this.shown) {
      [this.shown, this.drawnAt] = [shown, now];
      this.parts.forEach((c) => this.stale.add(c));
    } else if (now - this.drawnAt >= GROWING_REDRAW_MS) {
      this.drawnAt = now;
      for (const c of this.parts) if (this.visible.has(c)) this.stale.add(c);
    }
    for (const c of this.parts) if (fitCanvas(c)) this.stale.add(c);
    const order = this.parts.filter((c) => this.stale.has(c)).sort((a, b) => this.visible.has(b) - this.visible.has(a));
    let drawn = 0;
    for (const c of order) {
      if (drawn && performance.now() + 2 * this.canvasMs > deadline) break;
      const t = performance.now();
      if (this.parts.length === 1) view.draw(c, dark);
      else view.drawFlow(c, this.parts.indexOf(c), dark);
      this.canvasMs = performance.now() - t;
      this.stale.delete(c);
      drawn += 1;
    }
  }

  // The flows (of divergences `names`) side by side on one canvas while each keeps
  // SIDE_MIN_WIDTH, else stacked on a canvas each. True when the canvases or their heights
  // changed (the next frame draws).
  layout(names) {
    const n = Math.max(1, names.length);
    const w = this.box.clientWidth || 640;
    const side = w / n >= SIDE_MIN_WIDTH;
    const count = side ? 1 : n;
    let changed = false;
    while (this.parts.length > count) {
      const c = this.parts.pop();
      this.io.unobserve(c);
      this.visible.delete(c);
      this.stale.delete(c);
      c.remove();
      changed = true;
    }
    while (this.parts.length < count) {
      const c = h('canvas', { class: 'flow', role: 'img' });
      this.box.append(c);
      this.parts.push(c);
      this.io.observe(c);
      changed = true;
    }
    const height = `${Math.round(side ? Math.max(360, Math.min(520, 0.45 * w)) : STACKED_HEIGHT)}px`;
    this.parts.forEach((c, k) => {
      const label = side || !names[k] ? 'Flows of q as a free density: q_t against p, and the mass on each mode over time'
        : `Flow of q under ${this.x._host.title(names[k])}: q_t against p, and the mass on each mode over time`;
      if (c.getAttribute('aria-label') !== label) c.setAttribute('aria-label', label);
      if (c.style.height !== height) { c.style.height = height; changed = true; }
    });
    return changed;
  }
}
