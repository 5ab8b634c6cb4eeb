// The flows-of-q panel (`panels="flow"`): q starts as the current Gaussian and flows as a
// free density under each chosen divergence (Fisher–Rao or Wasserstein, SPEC §4). A time
// slider scrubs t, Play animates it (the final time at once under prefers-reduced-motion),
// and below each q_t the mass it puts on each of p's components over time.
import { h, fmt, asError } from './util.js';
import { toolbar } from './exports.js';

const T_MAX = 5;
// Time units per second of animation.
const SPEED = 1;

/** The flow panel of one element (`x`). */
export class FlowPanel {
  constructor(x) {
    this.x = x;
    this.motion = window.matchMedia('(prefers-reduced-motion: reduce)');
    this.t = this.motion.matches ? T_MAX : 1;
    this.geometry = 'fisher-rao';
    this.playing = false;
    this.last = 0;
    this.canvas = null;
    /** Set when only t moved: the next frame redraws this panel alone. */
    this.onlyFlow = false;
  }

  /** The panel's figure: controls, canvas, a status line. */
  build() {
    const x = this.x;
    this.canvas = h('canvas', { class: 'flow', style: 'display:block;width:100%;height:420px', role: 'img', 'aria-label': 'Flows of q as a free density: q_t against p, and the mass on each mode over time' });
    this.geo = h('select', { 'aria-label': 'Flow geometry', style: 'max-width:100%' },
      h('option', { value: 'fisher-rao' }, 'Fisher–Rao (mass created in place)'),
      h('option', { value: 'wasserstein' }, 'Wasserstein (mass transported)'));
    this.geo.value = this.geometry;
    this.geo.addEventListener('change', () => { try { x.setFlow({ geometry: this.geo.value }); } catch { /* shown */ } });
    this.range = h('input', { type: 'range', min: 0, max: T_MAX, step: 0.01, value: this.t, 'aria-label': 'Flow time t' });
    this.range.addEventListener('input', () => {
      this.pause();
      x.setFlow({ t: Number(this.range.value) });
      this.onlyFlow = true;
    });
    this.readout = h('output', { class: 'num' }, fmt(this.t));
    this.play = h('button', { type: 'button' }, 'Play');
    this.play.addEventListener('click', () => (this.playing ? this.pause() : this.start()));
    this.text = h('p', { class: 'note', role: 'status' });
    return h('figure', { class: 'flow' },
      h('div', { class: 'row', style: 'display:flex;flex-wrap:wrap;gap:0.25em 1em;align-items:center' }, h('label', {}, 'geometry ', this.geo),
        h('label', { class: 'slider' }, h('span', {}, 'time t'), this.range, this.readout), this.play),
      this.canvas, this.text, toolbar(x, 'flow', 0, this.canvas));
  }

  /** Sets `t` and/or `geometry`; bad values throw (shown) and change nothing. */
  set({ t = this.t, geometry = this.geometry } = {}) {
    const x = this.x;
    try {
      x._host.call((ex) => ex.setFlow(String(geometry), Number(t)));
    } catch (e) {
      return x._fail(asError(e));
    }
    this.t = Number(t);
    this.geometry = String(geometry);
    this.sync();
    x._clearError();
    x._schedule();
    return this.info();
  }

  /** Animates t from 0 (or where it is) to the end; under reduced motion, jumps there. */
  start() {
    if (this.motion.matches) { this.set({ t: T_MAX }); return; }
    if (this.t >= T_MAX) this.t = 0;
    this.playing = true;
    this.last = performance.now();
    this.play.textContent = 'Pause';
    this.x._schedule();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.play.textContent = 'Play';
    // The frame after playing redraws every panel (a resize or state change may be waiting).
    this.onlyFlow = false;
    this.x._schedule();
  }

  /** One animation frame's advance of t. */
  tick() {
    if (!this.playing) return;
    const now = performance.now();
    const t = Math.min(T_MAX, this.t + ((now - this.last) / 1000) * SPEED);
    this.last = now;
    this.t = t;
    this.onlyFlow = true;
    if (t >= T_MAX) this.pause();
    this.sync();
  }

  sync() {
    if (!this.range) return;
    if (this.x.shadowRoot.activeElement !== this.range) this.range.value = this.t;
    this.readout.value = fmt(+this.t.toFixed(2));
    this.geo.value = this.geometry;
  }

  /** `{t, tMax, geometry, points, masses, massBelow, below, refused, complete}`; null before loading. */
  info(below = 0) {
    const ex = this.x._host.ex;
    if (!ex) return null;
    this.x._host.call((e) => e.setFlow(this.geometry, this.t));
    return this.x._host.call((e) => e.flowInfo(Number(below)));
  }

  /** Brings the flows to the state and t, and draws them; true while frames are still
   * needed (the mass curves are being computed, or t is playing). */
  draw(ex, dark) {
    this.tick();
    const resized = this.layout();
    ex.setFlow(this.geometry, this.t);
    ex.drawFlow(this.canvas, dark);
    const info = ex.flowInfo(0);
    const parts = Object.entries(info.masses).map(([name, m]) => `${this.x._host.title(name)}: ${m.map((v) => `${(100 * v).toFixed(1)}%`).join(' / ')}`);
    const refused = Object.entries(info.refused).map(([name, why]) => `${this.x._host.title(name)}: ${why}`);
    this.text.textContent = `At t = ${fmt(+this.t.toFixed(2))}, mass of q_t on p's components (left to right): ${parts.join('; ') || 'none'}.`
      + (refused.length ? ` Not shown: ${refused.join('; ')}.` : '');
    return this.playing || !info.complete || resized;
  }

  // Divergences side by side while each keeps ~330 px, stacked below that: the height
  // follows. True when it changed (the next frame draws at the new size).
  layout() {
    const n = Math.max(1, new Set(this.x._state.divergences.map((d) => (d === 'log_ksd' ? 'ksd' : d))).size);
    const w = this.canvas.clientWidth || 640;
    const height = `${Math.round(w / n >= 330 ? Math.max(360, Math.min(520, 0.45 * w)) : n * 440)}px`;
    if (this.canvas.style.height === height) return false;
    this.canvas.style.height = height;
    return true;
  }
}
