// The figure's panels: one landscape per divergence, the densities, the pressure pair with
// its formula table, the ψ trade-off and the sampling estimators. `build` lays them out for
// the `panels` attribute; `draw` paints the panels that wait, within a frame's time.
import { h, fmt, fitCanvas } from './util.js';
import { slider } from './controls.js';
import { toolbar } from './exports.js';
import { setText } from './status.js';
import { FlowPanel } from './flow.js';
import { SamplingPanel } from './sampling.js';
import { formulaTable } from './formulas.js';

// How many of a panel's last draws its estimate looks back on.
const RECENT = 4;

/** The plot column of one element (`x`). */
export class Panels {
  constructor(x) {
    this.x = x;
    /** Landscape canvases, in the order of `state.divergences`. */
    this.lands = [];
    /** Per landscape: the plot area `{x, y, w, h, muRange, sigmaRange}` in canvas pixels. */
    this.rects = [];
    /** The density and pressure panels' plot areas `{x, y, w, h, xRange, yRange}` in canvas pixels. */
    this.lines = {};
    this.canvases = {};
    this.rows = [];
    /** The sampling estimators' panel (sampling.js). */
    this.sampling = new SamplingPanel(x);
    /** The flows-of-q panel (flow.js). */
    this.flow = new FlowPanel(x);
    /** Whether the flow panel's last draw left work for later frames (mass curves, playing). */
    this.busy = false;
    /** Panels waiting to be drawn: key (`land0`…, `density`, …) → when marked, oldest first. */
    this.stale = new Map();
    this.seq = 0;
    /** Per panel but the flows (which keep their own), while dragging (coarse) and not: its
     * last draws' milliseconds (`RECENT`), whose longest is the estimate of its next. */
    this.cost = new Map();
    /** Panels the last frame left for lack of room: the next draws one of them whatever
     * its estimate, so none waits for ever. */
    this.skipped = new Set();
    // Per landscape and for the trade-off: the wasm side's revision last seen.
    this.landRevs = [];
    this.tradeoffRev = -1;
    this.samplingRev = -1;
    // Which canvases are on screen: while a slider is held only those are redrawn.
    this.inView = new Set();
    this.io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) this.inView.add(e.target); else this.inView.delete(e.target);
      }
      x._schedule();
    });
  }

  /** The plot column for `panels` (names from the `panels` attribute). */
  build(panels) {
    const x = this.x;
    const plots = h('div', { class: 'plots' });
    this.lands = [];
    this.rows = [];
    this.box = null;
    this.canvases = {};
    this.busy = false;
    if (panels.includes('landscape')) {
      this.box = h('div', { class: 'landscapes grid' });
      plots.append(this.box);
      this.buildLandscapes();
    }
    plots.append(x._input.tip);
    const c = this.canvases;
    if (panels.includes('density')) {
      c.density = h('canvas', {
        class: 'density', 'data-panel': 'density', tabindex: '0', role: 'slider', 'aria-roledescription': 'density editor',
        'aria-valuemin': '-10', 'aria-valuemax': '10', 'aria-valuenow': '0',
        'aria-label': 'Densities p, its components and q: drag a peak to move it, wheel or pinch for its std; '
          + 'Tab selects a component or q, arrows move it, + and − change its std',
      });
      c.density.style.touchAction = 'pan-y pinch-zoom';
      x._densityInput.attachDensity(c.density);
      plots.append(h('figure', {}, c.density, toolbar(x, 'density', 0, c.density)));
    }
    if (panels.includes('pressure')) {
      // Focusable: a slider over x whose value is a read-out cursor (the state is untouched).
      c.pressure = h('canvas', {
        'data-panel': 'pressure', tabindex: '0', role: 'slider', 'aria-valuemin': '-10', 'aria-valuemax': '10', 'aria-valuenow': '0',
        'aria-label': 'Pressure ψ(x) over x: arrow keys move a read-out of each divergence\'s ψ along x, Home and End to the ends',
      });
      x._pressureInput.attach(c.pressure);
      plots.append(x._pressureInput.cursorLine);
      c.ratio = h('canvas', { 'data-panel': 'ratio', role: 'img', 'aria-label': 'Pressure ψ against r = p/q' });
      plots.append(h('div', { class: 'pressure grid' },
        h('figure', {}, c.pressure, toolbar(x, 'pressure', 0, c.pressure)),
        h('figure', {}, c.ratio, toolbar(x, 'ratio', 0, c.ratio))));
      // The formula table and its note on the post's sign slip: the full page's, or asked for.
      if (x._page || x.hasAttribute('notes')) plots.append(formulaTable(x));
    }
    if (panels.includes('psi') || panels.includes('psi_log')) plots.append(this.psi(panels));
    if (panels.includes('tradeoff')) plots.append(this.tradeoff());
    if (panels.includes('sampling')) {
      plots.append(this.sampling.build());
      this.canvases.sampling = this.sampling.canvas;
    } else x._host.ex?.forgetSampling(); // its experiments stop with it
    if (panels.includes('flow')) {
      plots.append(this.flow.build());
      c.flow = this.flow.box;
    }
    return plots;
  }

  /** The landscape canvases for the current `state.divergences`. */
  buildLandscapes() {
    const x = this.x;
    this.box.replaceChildren();
    this.lands = x._state.divergences.map((name, i) => {
      const c = h('canvas', {
        class: 'landscape', 'data-panel': 'landscape', tabindex: '0', role: 'img',
        'aria-label': `${x._host.title(name)} landscape over q mean and std; click or drag to move q, arrow keys nudge it`,
      });
      c.dataset.index = i;
      x._input.attach(c, i);
      this.box.append(h('figure', {}, c, toolbar(x, 'landscape', i, c)));
      return c;
    });
    this.box.dataset.count = this.lands.length;
    this.box.dataset.names = x._state.divergences.join(',');
    this.observe();
  }

  /** Watches which canvases are on screen (see `draw`). */
  observe() {
    this.unobserve();
    if (!this.x._root?.isConnected) return;
    for (const c of this.x.shadowRoot.querySelectorAll('canvas, .flow-canvases')) this.io.observe(c);
    this.flow.observe();
  }

  /** Stops watching the canvases (the element left the page). */
  unobserve() {
    this.io.disconnect();
    this.flow.io.disconnect();
    this.inView.clear();
  }

  // The ψ trade-off: ψ*(m, β) curves, this target's point and flip, and a light-weight slider.
  tradeoff() {
    const x = this.x;
    const c = h('canvas', { class: 'tradeoff', 'data-panel': 'tradeoff', role: 'img', 'aria-label': 'ψ trade-off: ψ*(m, β) over β' });
    this.canvases.tradeoff = c;
    this.tradeoffText = h('p', { class: 'note', role: 'status' });
    // The lightest component is the light mode; ψ is its weight over the heavy ones' mean.
    const light = () => {
      const t = x._state.target;
      const k = t.reduce((b, comp, i) => (comp.weight < t[b].weight ? i : b), 0);
      const heavy = t.filter((_, i) => i !== k);
      return { k, heavyMean: heavy.reduce((a, comp) => a + comp.weight, 0) / Math.max(1, heavy.length), n: t.length };
    };
    const row = slider(x, {
      label: 'light/heavy weight ψ', min: 0.01, max: 1,
      get: () => {
        const { k, heavyMean, n } = light();
        return n < 2 ? 0 : +(x._state.target[k].weight / heavyMean).toFixed(4);
      },
      set: (psi) => {
        const { k, heavyMean } = light();
        return { target: x._state.target.map((comp, i) => (i === k ? { ...comp, weight: psi * heavyMean } : comp)) };
      },
    });
    this.rows.push(row);
    return h('figure', { class: 'tradeoff' }, c, row, this.tradeoffText, toolbar(x, 'tradeoff', 0, c));
  }

  // The ψ post's figures, live: ψ*(m, β) over β, and over 1 − β on log–log axes.
  psi(panels) {
    const x = this.x;
    const grid = h('div', { class: 'psi grid' });
    for (const [kind, label] of [['psi', 'Threshold ψ*(m, β) over β for m = 1 and m → ∞'], ['psi_log', 'Threshold ψ*(m, β) over 1 − β, log–log']]) {
      if (!panels.includes(kind)) continue;
      const c = h('canvas', { class: 'psi', 'data-panel': kind, role: 'img', 'aria-label': label });
      this.canvases[kind] = c;
      grid.append(h('figure', {}, c, toolbar(x, kind, 0, c)));
    }
    return grid;
  }

  /** Brings the panels' own controls in line with the state and sampling settings. */
  sync() {
    const x = this.x;
    this.flow.retry();
    if (this.box && this.box.dataset.names !== x._state.divergences.join(',')) this.buildLandscapes();
    for (const r of this.rows) r.sync();
    this.sampling.sync();
  }

  /** The canvas of a non-landscape panel (`density`, `pressure`, `ratio`, `tradeoff`, `psi`,
   * `psi_log`, `sampling`, `flow`). */
  canvas(kind, i = 0) { return kind === 'landscape' ? this.lands[i] : this.canvases[kind]; }

  /** Plot area of landscape `i` in CSS pixels from the canvas's corner, with its (μ, σ) ranges. */
  plotArea(i) {
    const r = this.rects[i];
    const c = this.lands[i];
    if (!r || !r.w || !c) return null;
    const s = c.getBoundingClientRect().width / c.width;
    return { x: r.x * s, y: r.y * s, width: r.w * s, height: r.h * s, muRange: [...r.muRange], sigmaRange: [...r.sigmaRange] };
  }

  /** Plot area of the `density` or `pressure` panel in CSS pixels from the canvas's corner,
   * with its x and y ranges (y: density, or ψ in symlog units); null until drawn. */
  lineArea(kind) {
    const r = this.lines[kind];
    const c = this.canvases[kind];
    if (!r || !r.w || !c) return null;
    const s = c.getBoundingClientRect().width / c.width;
    return { x: r.x * s, y: r.y * s, width: r.w * s, height: r.h * s, xRange: [...r.xRange], yRange: [...r.yRange] };
  }

  /** Drawing options of landscape `i`: the reader's colour settings on the divergence's scale. */
  colourOpts(i, dark) {
    const x = this.x;
    const name = x._state.divergences[i];
    const scale = x._host.info.divergences.find((d) => d.name === name)?.scale ?? 'log';
    // `log_ksd` is KSD² on a log scale by definition, whatever the reader's colour choice.
    const log = scale === 'log' && (x._display.logScale || name === 'log_ksd');
    return { dark, clip: x._display.clip, logScale: log };
  }

  /** Marks every panel for redrawing (the state, size, theme or display options changed). */
  invalidate() {
    this.lands.forEach((_, i) => this.mark(`land${i}`));
    for (const key of Object.keys(this.canvases)) this.mark(key);
    this.flow.invalidate();
  }

  /** Panel `key` needs drawing; it keeps its place in the queue if it already waits. */
  mark(key) {
    if (!this.stale.has(key)) this.stale.set(key, ++this.seq);
  }

  /** Marks what the wasm side has new: a landscape, a flip point or a sampling experiment
   * finished, a descent's step, the flows' work. */
  collect(ex, descents) {
    this.lands.forEach((_, i) => {
      const rev = ex.landscapeRevision(i);
      if (descents || rev !== this.landRevs[i]) this.mark(`land${i}`);
      this.landRevs[i] = rev;
    });
    this.landRevs.length = this.lands.length;
    const rev = ex.tradeoffRevision();
    if (rev !== this.tradeoffRev) this.mark('tradeoff');
    this.tradeoffRev = rev;
    const srev = ex.samplingRevision();
    if (srev !== this.samplingRev) this.mark('sampling');
    this.samplingRev = srev;
    if (this.busy) this.mark('flow');
  }

  /** Whether a panel that can be drawn now waits, the flows aside unless `flows` (while
   * dragging, panels scrolled out of view wait for the release). */
  waiting(dragging, flows = true) {
    for (const key of this.stale.keys()) if ((flows || key !== 'flow') && this.drawable(key, dragging)) return true;
    return false;
  }

  // The canvas panel `key` draws on, if it is on the page (and in view while dragging).
  drawable(key, dragging) {
    const canvas = key.startsWith('land') ? this.lands[Number(key.slice(4))] : this.canvases[key];
    return canvas && (!dragging || this.inView.has(canvas)) ? canvas : null;
  }

  /** Milliseconds of drawing this frame should leave room for (`estimate`): the draw `draw`
   * makes whatever its estimate, the oldest of the panels the last frame left for lack of
   * room, else the oldest waiting panel's (the flows aside). An idle frame works less by
   * that much, so that its work and that draw fit in it together. */
  due(dragging) {
    let owed = null;
    let oldest = null;
    for (const [key, seq] of this.stale) {
      if (key === 'flow' || !this.drawable(key, dragging)) continue;
      if (this.skipped.has(key) && (!owed || seq < owed[1])) owed = [key, seq];
      if (!oldest || seq < oldest[1]) oldest = [key, seq];
    }
    const next = owed ?? oldest;
    return next ? this.estimate(next[0], dragging) : 0;
  }

  // Milliseconds panel `key`'s next draw is expected to take, counted twice (drawn, then
  // rasterised at commit): the longest of its last draws in the same mode (a landscape's
  // draw that traces new contours takes 2–3× one that redraws kept contours for a new q).
  estimate(key, dragging) { return 2 * Math.max(0, ...(this.cost.get(`${key} ${dragging}`) ?? [])); }

  /** Draws waiting panels, longest waiting first, each expected to end before `deadline`
   * (performance.now()): a frame never draws every panel at once when that would be long.
   * One at least while dragging; idle, the panels left for lack of room come first in the
   * next frame, and the oldest of them is drawn whatever its estimate, in the room that
   * frame's shortened work left for it (`due`). A draw counts twice: the browser rasterises
   * what it recorded when the frame commits, after this, in about the draw's own time
   * (software canvas, this machine); see `estimate`. */
  draw(ex, { dragging, dark, deadline }) {
    // (The flows keep no estimate and work to the deadline: never owed.)
    const owed = ([key]) => (!dragging && key !== 'flow' && this.skipped.has(key) ? 0 : 1);
    const queue = [...this.stale].sort((a, b) => owed(a) - owed(b) || a[1] - b[1]);
    let drawn = 0;
    let raster = 0;
    let forced = false;
    const skipped = new Set();
    for (const [key] of queue) {
      const canvas = this.drawable(key, dragging);
      if (!canvas) continue;
      if (performance.now() + raster + this.estimate(key, dragging) > deadline) {
        if (forced || drawn || (!dragging && !this.skipped.has(key))) { skipped.add(key); continue; }
        forced = true;
      }
      this.stale.delete(key);
      // (The flows size their own canvases: `canvas` is their box.)
      if (key !== 'flow') fitCanvas(canvas);
      const t = performance.now();
      this.drawOne(ex, key, canvas, dark, deadline - raster);
      const took = performance.now() - t;
      if (key !== 'flow') {
        const recent = this.cost.get(`${key} ${dragging}`) ?? [];
        this.cost.set(`${key} ${dragging}`, [...recent, took].slice(-RECENT));
      }
      raster += took;
      drawn += 1;
    }
    this.skipped = skipped;
    this.rects.length = this.lands.length;
  }

  // Draws panel `key` on its `canvas` (the flows work on their mass curves until `deadline`).
  drawOne(ex, key, canvas, dark, deadline) {
    const x = this.x;
    if (key.startsWith('land')) {
      const i = Number(key.slice(4));
      this.rects[i] = ex.drawLandscape(i, canvas, this.colourOpts(i, dark));
    } else if (key === 'density') {
      this.lines.density = ex.drawDensity(canvas, dark);
      x._densityInput.decorate(canvas, dark);
    } else if (key === 'pressure') {
      this.lines.pressure = ex.drawPressure(canvas, dark);
      x._pressureInput.drawn();
    } else if (key === 'ratio') ex.drawPressureRatio(canvas, dark);
    else if (key === 'sampling') this.sampling.draw(ex, dark);
    else if (key === 'psi' || key === 'psi_log') ex.drawPsi(canvas, key === 'psi_log', dark);
    else if (key === 'tradeoff') {
      ex.drawTradeoff(canvas, dark);
      // While the flip point for a new target is computed (by the work loop, unit by unit),
      // the panel shows the last finished trade-off, marked as in progress.
      const busy = ex.tradeoffPending();
      canvas.parentElement?.setAttribute('aria-busy', String(busy));
      setText(this.tradeoffText, busy ? 'Computing the flip point for this target (the figure shows the last one)…' : this.tradeoffSummary(ex), x._status.quiet);
    } else if (key === 'flow') this.busy = this.flow.draw(ex, dark, deadline);
  }

  tradeoffSummary(ex) {
    let t;
    try { t = ex.tradeoff(); } catch (e) { return `${e.message}.`; }
    const all = t.allModes < t.heavyOnly;
    return `Amari β = ${fmt(t.beta)} (α = ${fmt(this.x._state.params.alpha)}), ${t.m} heavy mode${t.m > 1 ? 's' : ''}, light/heavy weight ψ = ${fmt(t.psi)}: `
      + `q over the heavy modes only has D = ${fmt(t.heavyOnly)}, q over all modes D = ${fmt(t.allModes)}, so this β prefers ${all ? 'covering the light mode' : 'dropping the light mode'}. `
      + `From these densities the preference flips at ψ = ${fmt(t.flip)}; for well-separated modes ψ*(${t.m}, β) = ${fmt(t.psiStar)}.`;
  }
}
