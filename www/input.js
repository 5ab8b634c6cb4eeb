// Pointer, touch and keyboard input on the landscapes, and the read-out that follows them.
// Mouse: a press or drag anywhere moves q (or starts gradient descent, by the reader's
// choice). Touch, as phones expect: a vertical swipe scrolls the page, a tap moves q there,
// and a drag that starts on q's own marker moves it. Keyboard: arrow keys nudge q (Shift for
// bigger steps), announced briefly. q never leaves the view.
import { h, fmt } from './util.js';

// CSS pixels around q's marker that start a touch drag of q.
const GRAB = 24;
// A touch that moves less than this (CSS pixels) is a tap.
const TAP = 10;

/** `{q, view}` for a new q: the view widened, when needed, so that q stays inside it. */
export function keepInView(state, q) {
  const [m0, m1] = state.view.muRange;
  const [s0, s1] = state.view.sigmaRange;
  const mu = q.mu ?? state.q.mu;
  const sigma = q.sigma ?? state.q.sigma;
  if (mu >= m0 && mu <= m1 && sigma >= s0 && sigma <= s1) return { q };
  const pad = 0.1 * (m1 - m0);
  const view = {
    muRange: [Math.min(m0, mu - pad), Math.max(m1, mu + pad)],
    sigmaRange: [sigma < s0 ? Math.max(1e-3, sigma / 1.2) : s0, Math.max(s1, sigma * 1.1)],
  };
  return { q, view };
}

/** Input of one element (`x`) on its landscape canvases. */
export class Input {
  constructor(x) {
    this.x = x;
    this.dragging = false;
    /** The read-out beside the pointer, finger or focused q (visual; speech goes to `say`). */
    this.tip = h('div', { class: 'tip', hidden: true, 'aria-hidden': 'true' });
    this.touch = null;
  }

  /** Listens on landscape canvas `canvas`, panel `i`. */
  attach(canvas, i) {
    canvas.addEventListener('pointerdown', (e) => this.pointer(e, i, 'down'));
    canvas.addEventListener('pointermove', (e) => this.pointer(e, i, 'move'));
    canvas.addEventListener('pointerup', (e) => this.pointer(e, i, 'up'));
    canvas.addEventListener('pointercancel', (e) => this.pointer(e, i, 'cancel'));
    canvas.addEventListener('lostpointercapture', () => { this.dragging = false; });
    canvas.addEventListener('pointerleave', (e) => { if (e.pointerType === 'mouse') this.tip.hidden = true; });
    // A touch that starts on q's marker drags q: the page must not scroll for it.
    canvas.addEventListener('touchstart', (e) => {
      const t = e.touches[0];
      if (e.touches.length === 1 && this.nearQ(t, i)) e.preventDefault();
    }, { passive: false });
    canvas.addEventListener('keydown', (e) => this.key(e, i));
    canvas.addEventListener('focus', () => this.readQ(i));
    canvas.addEventListener('blur', () => { this.tip.hidden = true; });
  }

  /** The (μ, σ) under a pointer event on landscape `i`, clamped to the plot area; null when
   * the pointer is off it. */
  toData(e, i) {
    const area = this.x.plotArea(i);
    if (!area) return null;
    const b = this.x._panels.lands[i].getBoundingClientRect();
    const u = (e.clientX - b.left - area.x) / area.width;
    const v = 1 - (e.clientY - b.top - area.y) / area.height;
    if (u < -0.02 || u > 1.02 || v < -0.02 || v > 1.02) return null;
    const cl = (t) => Math.min(1, Math.max(0, t));
    return {
      mu: area.muRange[0] + cl(u) * (area.muRange[1] - area.muRange[0]),
      sigma: area.sigmaRange[0] + cl(v) * (area.sigmaRange[1] - area.sigmaRange[0]),
    };
  }

  /** Client coordinates of (mu, sigma) on landscape `i`; null before it is drawn. */
  toClient(i, mu, sigma) {
    const area = this.x.plotArea(i);
    if (!area) return null;
    const b = this.x._panels.lands[i].getBoundingClientRect();
    return {
      x: b.left + area.x + ((mu - area.muRange[0]) / (area.muRange[1] - area.muRange[0])) * area.width,
      y: b.top + area.y + (1 - (sigma - area.sigmaRange[0]) / (area.sigmaRange[1] - area.sigmaRange[0])) * area.height,
    };
  }

  nearQ(pt, i) {
    const q = this.x._state.q;
    const c = this.toClient(i, q.mu, q.sigma);
    return !!c && Math.hypot(pt.clientX - c.x, pt.clientY - c.y) <= GRAB;
  }

  moveQ(d) {
    try { this.x.setState({ q: { mu: d.mu, sigma: d.sigma } }); } catch { /* shown */ }
  }

  pointer(e, i, kind) {
    const x = this.x;
    const d = this.toData(e, i);
    const touch = e.pointerType === 'touch' || e.pointerType === 'pen';
    if (kind === 'down' && d && x._descents.clickMode === 'descend') {
      if (!touch) x.descend(d.mu, d.sigma).catch(() => { /* shown */ });
      else this.touch = { x: e.clientX, y: e.clientY, drag: false, descend: true };
    } else if (kind === 'down' && d) {
      if (touch) {
        // A touch moves q only by dragging q's marker, or by a tap (on release).
        const drag = this.nearQ(e, i);
        this.touch = { x: e.clientX, y: e.clientY, drag };
        if (!drag) { this.readOut(i, d, e.clientX, e.clientY); return; }
      }
      this.dragging = true;
      e.target.setPointerCapture?.(e.pointerId);
      this.moveQ(d);
    } else if (kind === 'move') {
      if (this.dragging && d) this.moveQ(d);
      if (d) this.readOut(i, d, e.clientX, e.clientY);
      else if (!this.dragging) this.tip.hidden = true;
    } else if (kind === 'up') {
      const t = this.touch;
      if (touch && t && !t.drag && d && Math.hypot(e.clientX - t.x, e.clientY - t.y) < TAP) {
        if (t.descend) x.descend(d.mu, d.sigma).catch(() => { /* shown */ });
        else this.moveQ(d);
        this.readOut(i, d, e.clientX, e.clientY);
      }
      this.dragging = false;
      this.touch = null;
    } else if (kind === 'cancel') {
      // The browser took the touch for a scroll or a zoom: nothing moves.
      this.dragging = false;
      this.touch = null;
      this.tip.hidden = true;
    }
  }

  /** Shows the read-out for (μ, σ) of landscape `i` beside client point (cx, cy). */
  readOut(i, d, cx, cy) {
    const x = this.x;
    let D = NaN;
    try { D = x._host.call((ex) => ex.valueAt(i, d.mu, d.sigma)); } catch { /* outside the domain */ }
    const name = x._host.title(x._state.divergences[i]);
    this.tip.textContent = `${name}: μ = ${d.mu.toFixed(3)}, σ = ${d.sigma.toFixed(3)}, D = ${fmt(D)}`;
    this.tip.hidden = false;
    const box = this.tip.parentElement?.getBoundingClientRect();
    if (!box) return;
    const w = this.tip.offsetWidth;
    const ht = this.tip.offsetHeight;
    // Beside the point, above it (a finger hides what is below), kept inside the panels.
    let left = cx - box.left + 14;
    if (left + w > box.width) left = cx - box.left - 14 - w;
    let top = cy - box.top - ht - 14;
    if (top < 0) top = cy - box.top + 18;
    this.tip.style.left = `${Math.max(0, left)}px`;
    this.tip.style.top = `${Math.max(0, top)}px`;
    return D;
  }

  /** The read-out at q on landscape `i` (keyboard focus); returns D there. */
  readQ(i) {
    const q = this.x._state.q;
    const c = this.toClient(i, q.mu, q.sigma);
    if (!c) return NaN;
    return this.readOut(i, q, c.x, c.y);
  }

  key(e, i) {
    const x = this.x;
    const v = x._state.view;
    const big = e.shiftKey ? 10 : 1;
    const dm = big * (v.muRange[1] - v.muRange[0]) / 100;
    const ds = big * (v.sigmaRange[1] - v.sigmaRange[0]) / 100;
    const step = { ArrowLeft: [-dm, 0], ArrowRight: [dm, 0], ArrowUp: [0, ds], ArrowDown: [0, -ds] }[e.key];
    if (!step) return;
    e.preventDefault();
    const q = x._state.q;
    const cl = (t, [lo, hi]) => Math.min(hi, Math.max(lo, t));
    this.moveQ({ mu: cl(q.mu + step[0], v.muRange), sigma: cl(q.sigma + step[1], v.sigmaRange) });
    const D = this.readQ(i);
    const now = x._state.q;
    x._status?.say(`μ ${now.mu.toFixed(2)}, σ ${now.sigma.toFixed(2)}, D ${fmt(D)}`);
  }
}
