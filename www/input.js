// Pointer and keyboard input on the landscapes: a press or drag moves q (or starts gradient
// descent, by the reader's choice), hovering reads D off the landscape, arrow keys nudge q.
import { h, fmt } from './util.js';

/** Input of one element (`x`) on its landscape canvases. */
export class Input {
  constructor(x) {
    this.x = x;
    this.dragging = false;
    /** The hover read-out, placed by the panels. */
    this.tip = h('div', { class: 'tip', hidden: true, role: 'status' });
  }

  /** Listens on landscape canvas `canvas`, panel `i`. */
  attach(canvas, i) {
    canvas.addEventListener('pointerdown', (e) => this.pointer(e, i, 'down'));
    canvas.addEventListener('pointermove', (e) => this.pointer(e, i, 'move'));
    canvas.addEventListener('pointerup', (e) => this.pointer(e, i, 'up'));
    canvas.addEventListener('pointercancel', (e) => this.pointer(e, i, 'up'));
    canvas.addEventListener('pointerleave', () => { this.tip.hidden = true; });
    canvas.addEventListener('keydown', (e) => this.key(e));
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

  pointer(e, i, kind) {
    const x = this.x;
    const d = this.toData(e, i);
    if (kind === 'down' && d && x._descents.clickMode === 'descend') {
      x.descend(d.mu, d.sigma).catch(() => { /* shown */ });
    } else if (kind === 'down' && d) {
      this.dragging = true;
      e.target.setPointerCapture?.(e.pointerId);
      x.setState({ q: { mu: d.mu, sigma: d.sigma } });
    } else if (kind === 'move') {
      if (this.dragging && d) x.setState({ q: { mu: d.mu, sigma: d.sigma } });
      if (d) {
        let D = NaN;
        try { D = x._host.call((ex) => ex.valueAt(i, d.mu, d.sigma)); } catch { /* outside the domain */ }
        this.tip.textContent = `μ = ${d.mu.toFixed(3)}, σ = ${d.sigma.toFixed(3)}, D = ${fmt(D)}`;
        this.tip.hidden = false;
      } else this.tip.hidden = true;
    } else if (kind === 'up') {
      this.dragging = false;
    }
  }

  key(e) {
    const x = this.x;
    const v = x._state.view;
    const dm = (v.muRange[1] - v.muRange[0]) / 100;
    const ds = (v.sigmaRange[1] - v.sigmaRange[0]) / 100;
    const step = { ArrowLeft: [-dm, 0], ArrowRight: [dm, 0], ArrowUp: [0, ds], ArrowDown: [0, -ds] }[e.key];
    if (!step) return;
    e.preventDefault();
    const q = x._state.q;
    try { x.setState({ q: { mu: q.mu + step[0], sigma: Math.max(v.sigmaRange[0], q.sigma + step[1]) } }); } catch { /* shown */ }
  }
}
