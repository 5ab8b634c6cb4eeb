// Direct manipulation of the densities, and the density panel's read-out (the pressure
// panel's: pressure-input.js).
// Density panel: drag a component of p (its peak or its curve) to move its mean, vertically
// its weight; wheel or pinch on it to change its std; drag q's curve to move its mean, wheel
// or pinch for σ. Touch: a drag or pinch moves a density only when it starts on a peak's ring
// (within 24 px); any other swipe scrolls the page. Keyboard, on the focused panel: Tab and
// Shift+Tab select among the components and q (then leave the panel), ←/→ move the mean,
// ↑/↓ the weight, +/− the std. Every change goes through `setState`, as with the sliders.
import { fmt } from './util.js';
import { keepInView } from './input.js';

// CSS pixels around a peak (or, for a mouse, a curve) that grab it.
const GRAB = 24;
// The sliders' ranges (controls.js): component weight, mean and std; q's std.
const WEIGHT = [0.01, 1];
const MEAN = [-10, 10];
const STD = [0.05, 5];
const Q_STD = [0.05, 6];
// Std factor per wheel notch and per +/− key.
const ZOOM = 1.1;
// Milliseconds between wheel notches that keep them on one item.
const WHEEL_RUN = 600;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

export const clamp = (t, [lo, hi]) => Math.min(hi, Math.max(lo, t));
// Values set by hand keep 4 decimals (short URLs; far finer than a pixel).
const round = (t) => Math.round(t * 1e4) / 1e4;
const normal = (x, m, s) => Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * SQRT_2PI);

/** Input of one element (`x`) on its density canvas. */
export class DensityInput {
  constructor(x) {
    this.x = x;
    /** The selected item for keys: a component's index, or `target.length` for q. */
    this.sel = 0;
    /** The drag under way: `{item, id, map, dx, dy}`; null when none. */
    this.drag = null;
    this.pinch = null;
  }

  /** p's components then q, each `{mean, std, peak}` (peak: drawn height, weights normalised). */
  items() {
    const { target, q } = this.x._state;
    const total = target.reduce((a, c) => a + c.weight, 0);
    return [
      ...target.map((c) => ({ mean: c.mean, std: c.std, w: c.weight / total, peak: c.weight / total / (c.std * SQRT_2PI) })),
      { mean: q.mu, std: q.sigma, w: 1, peak: 1 / (q.sigma * SQRT_2PI), q: true },
    ];
  }

  /** The name of item `k` for read-outs and speech. */
  label(k) {
    const it = this.items()[k];
    return it.q ? `q: μ ${fmt(it.mean)}, σ ${fmt(it.std)}`
      : `Component ${k + 1}: mean ${fmt(it.mean)}, std ${fmt(it.std)}, weight ${fmt(this.x._state.target[k].weight)}`;
  }

  /** Listens on the density canvas. */
  attachDensity(canvas) {
    this.canvas = canvas;
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const t of ['pointerup', 'pointercancel', 'lostpointercapture']) canvas.addEventListener(t, () => { this.drag = null; });
    canvas.addEventListener('pointerleave', (e) => { if (e.pointerType === 'mouse' && !this.drag) this.x._input.tip.hidden = true; });
    canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    // A touch on a peak's ring drags that density and a pinch on one widens it: the page must
    // not scroll or zoom for them; any other touch belongs to the page.
    canvas.addEventListener('touchstart', (e) => this.touchStart(e), { passive: false });
    canvas.addEventListener('touchmove', (e) => this.touchMove(e), { passive: false });
    canvas.addEventListener('touchend', () => { this.pinch = null; });
    canvas.addEventListener('touchcancel', () => { this.pinch = null; });
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('focus', (e) => {
      // Entered backwards (Shift+Tab from after the panel): q, the last item, is selected.
      const from = e.relatedTarget;
      if (from && (canvas.compareDocumentPosition(from) & Node.DOCUMENT_POSITION_FOLLOWING)) this.sel = this.items().length - 1;
      this.focusRead();
    });
    canvas.addEventListener('blur', () => { this.x._input.tip.hidden = true; this.x._schedule(); });
  }

  /** Maps between client pixels and (x, y) data of panel `kind` (panelMap). */
  mapping(kind) { return panelMap(this.x, kind); }

  /** The item under client point (cx, cy): the nearest peak ring within GRAB, or (for a
   * mouse, `curves`) the nearest curve within GRAB above or below the point; -1 for none. */
  hit(map, cx, cy, curves) {
    let best = -1;
    let dist = GRAB;
    const at = map.toData(cx, cy).x;
    this.items().forEach((it, k) => {
      const peak = map.toClient(it.mean, it.peak);
      let d = Math.hypot(cx - peak.x, cy - peak.y);
      if (curves) d = Math.min(d, Math.abs(cy - map.toClient(at, it.w * normal(at, it.mean, it.std)).y) + 4);
      if (d <= dist) { dist = d; best = k; }
    });
    return best;
  }

  /** Applies a change to item `k`: `{mean, std, weight}` for a component, `{mean, std}` for q. */
  set(k, change) {
    const s = this.x._state;
    try {
      if (k >= s.target.length) {
        const q = {};
        if (change.mean !== undefined) q.mu = round(change.mean);
        if (change.std !== undefined) q.sigma = round(clamp(change.std, Q_STD));
        this.x.setState(keepInView(s, q));
      } else {
        const c = { ...s.target[k] };
        if (change.mean !== undefined) c.mean = round(clamp(change.mean, MEAN));
        if (change.std !== undefined) c.std = round(clamp(change.std, STD));
        if (change.weight !== undefined) c.weight = round(clamp(change.weight, WEIGHT));
        this.x.setState({ target: s.target.map((old, j) => (j === k ? c : old)) });
      }
    } catch { /* shown in the banner */ }
  }

  down(e) {
    const map = this.mapping('density');
    if (!map || !map.inside(e.clientX, e.clientY)) return;
    const touch = e.pointerType !== 'mouse';
    const k = this.hit(map, e.clientX, e.clientY, !touch);
    if (k < 0) { this.readDensity(e); return; }
    this.sel = k;
    const it = this.items()[k];
    const d = map.toData(e.clientX, e.clientY);
    // The mapping is frozen for the drag: the panel's window follows the densities, and a
    // moving window under a still pointer would move them on.
    this.drag = { item: k, id: e.pointerId, map, dx: it.mean - d.x, dy: it.peak - d.y, peak: it.peak };
    e.preventDefault();
    this.canvas.focus({ preventScroll: true });
    this.canvas.setPointerCapture?.(e.pointerId);
    this.x._beginDrag(this.canvas);
    this.readDensity(e);
  }

  move(e) {
    const g = this.drag;
    if (!g || g.id !== e.pointerId) { if (!this.pinch) this.readDensity(e); return; }
    const d = g.map.toData(e.clientX, e.clientY);
    const change = { mean: d.x + g.dx };
    const s = this.x._state;
    if (g.item < s.target.length) {
      // The weight that puts the component's peak (of its normalised weight) at the pointer.
      const c = s.target[g.item];
      const share = clamp((d.y + g.dy) * c.std * SQRT_2PI, [1e-3, 0.999]);
      const others = s.target.reduce((a, t, j) => a + (j === g.item ? 0 : t.weight), 0);
      change.weight = others > 0 ? (share * others) / (1 - share) : c.weight;
    }
    this.set(g.item, change);
    this.readDensity(e);
  }

  wheel(e) {
    const map = this.mapping('density');
    if (!map || !map.inside(e.clientX, e.clientY)) return;
    // A run of wheel notches keeps its item, though its peak moves from under the pointer.
    const w = this.wheeling;
    const k = w && e.timeStamp - w.t < WHEEL_RUN ? w.item : this.hit(map, e.clientX, e.clientY, true);
    if (k < 0) return; // the page scrolls
    e.preventDefault();
    this.wheeling = { item: k, t: e.timeStamp };
    this.sel = k;
    const it = this.items()[k];
    this.set(k, { std: it.std * ZOOM ** Math.sign(e.deltaY) });
    this.readDensity(e);
  }

  touchStart(e) {
    const map = this.mapping('density');
    if (!map) return;
    const t = [...e.touches];
    if (t.length === 1) {
      if (this.hit(map, t[0].clientX, t[0].clientY, false) >= 0) e.preventDefault();
    } else if (t.length === 2) {
      const mx = (t[0].clientX + t[1].clientX) / 2;
      const my = (t[0].clientY + t[1].clientY) / 2;
      // The item a finger holds, else the peak ring between the fingers (as for one finger,
      // rings only: curves run along the baseline everywhere, and the page must keep its zoom).
      const k = this.drag ? this.drag.item : this.hit(map, mx, my, false);
      if (k < 0) return; // the page zooms
      e.preventDefault();
      this.drag = null;
      this.sel = k;
      this.pinch = { item: k, gap: Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY), std: this.items()[k].std };
      this.x._beginDrag(this.canvas);
    }
  }

  touchMove(e) {
    const p = this.pinch;
    if (!p || e.touches.length !== 2) return;
    e.preventDefault();
    const [a, b] = e.touches;
    const gap = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
    if (p.gap > 0) this.set(p.item, { std: p.std * (gap / p.gap) });
    this.focusRead(); // the item's values beside its peak
  }

  key(e) {
    const n = this.items().length;
    if (e.key === 'Tab') {
      const next = this.sel + (e.shiftKey ? -1 : 1);
      if (next < 0 || next >= n) return; // leaves the panel
      e.preventDefault();
      this.sel = next;
      this.focusRead(true);
      return;
    }
    const k = Math.min(this.sel, n - 1);
    const it = this.items()[k];
    const area = this.x._panels.lineArea('density');
    const big = e.shiftKey ? 10 : 1;
    const dx = big * (area ? (area.xRange[1] - area.xRange[0]) / 100 : 0.1);
    const dw = big * 0.01;
    const w = it.q ? 0 : this.x._state.target[k].weight;
    const change = {
      ArrowLeft: { mean: it.mean - dx },
      ArrowRight: { mean: it.mean + dx },
      ArrowUp: it.q ? null : { weight: w + dw },
      ArrowDown: it.q ? null : { weight: w - dw },
      '+': { std: it.std * ZOOM },
      '=': { std: it.std * ZOOM },
      '-': { std: it.std / ZOOM },
      '_': { std: it.std / ZOOM },
    }[e.key];
    if (!change) return;
    e.preventDefault();
    this.sel = k;
    this.set(k, change);
    this.focusRead(true);
  }

  /** The read-out at the selected item's peak (keyboard focus); `speak` also says it. */
  focusRead(speak = false) {
    const n = this.items().length;
    this.sel = Math.min(this.sel, n - 1);
    const it = this.items()[this.sel];
    const text = this.label(this.sel);
    this.canvas.setAttribute('aria-valuenow', String(it.mean));
    this.canvas.setAttribute('aria-valuetext', text);
    if (speak) this.x._status?.say(text);
    this.x._schedule(); // the selected ring
    const map = this.mapping('density');
    if (!map) return;
    const c = map.toClient(it.mean, it.peak);
    this.x._input.show(`${text}; p(x) = ${fmt(this.pdf(it.mean))}, q(x) = ${fmt(this.qpdf(it.mean))}`, c.x, c.y);
  }

  pdf(at) {
    const t = this.x._state.target;
    const total = t.reduce((a, c) => a + c.weight, 0);
    return t.reduce((a, c) => a + (c.weight / total) * normal(at, c.mean, c.std), 0);
  }

  qpdf(at) { const q = this.x._state.q; return normal(at, q.mu, q.sigma); }

  /** The density read-out at a pointer event: x, p(x), q(x). */
  readDensity(e) {
    const map = this.mapping('density');
    if (!map || !map.inside(e.clientX, e.clientY)) { if (!this.drag) this.x._input.tip.hidden = true; return; }
    const at = map.toData(e.clientX, e.clientY).x;
    this.x._input.show(`x = ${at.toFixed(3)}: p(x) = ${fmt(this.pdf(at))}, q(x) = ${fmt(this.qpdf(at))}`, e.clientX, e.clientY);
  }

  /** Rings at the peaks of p's components and q (the touch handles), the selected one
   * thicker; drawn on the density canvas after each redraw. */
  decorate(canvas, dark) {
    const area = this.x._panels.lines.density;
    const ctx = canvas.getContext('2d');
    if (!area || !ctx) return;
    const [x0, x1] = area.xRange;
    const [y0, y1] = area.yRange;
    const r = 6 * (window.devicePixelRatio || 1);
    const focused = this.x.shadowRoot.activeElement === canvas;
    this.items().forEach((it, k) => {
      const px = area.x + ((it.mean - x0) / (x1 - x0)) * area.w;
      const py = area.y + (1 - (it.peak - y0) / (y1 - y0)) * area.h;
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.lineWidth = (focused && k === this.sel ? 3 : 1.5) * (window.devicePixelRatio || 1);
      ctx.strokeStyle = it.q ? 'rgb(255, 64, 160)' : (dark ? '#ddd' : '#333');
      ctx.stroke();
    });
  }
}

/** Maps between client pixels and (x, y) data of element `x`'s panel `kind` (`density`,
 * `pressure`); null before it is drawn. */
export function panelMap(x, kind) {
  const area = x._panels.lineArea(kind);
  const canvas = x._panels.canvases[kind];
  if (!area || !canvas) return null;
  const b = canvas.getBoundingClientRect();
  const [x0, x1] = area.xRange;
  const [y0, y1] = area.yRange;
  return {
    toData: (cx, cy) => ({
      x: x0 + ((cx - b.left - area.x) / area.width) * (x1 - x0),
      y: y0 + (1 - (cy - b.top - area.y) / area.height) * (y1 - y0),
    }),
    toClient: (x, y) => ({
      x: b.left + area.x + ((x - x0) / (x1 - x0)) * area.width,
      y: b.top + area.y + (1 - (y - y0) / (y1 - y0)) * area.height,
    }),
    inside: (cx, cy) => cx >= b.left + area.x && cx <= b.left + area.x + area.width
      && cy >= b.top + area.y && cy <= b.top + area.y + area.height,
  };
}
