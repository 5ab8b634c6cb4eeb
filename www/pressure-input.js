// The pressure panel's read-out: it follows the pointer or finger; focused, the panel is a
// slider over x whose arrow keys (Shift, Page keys: ten steps), Home and End move a cursor
// (a dashed line) and its read-out of each divergence's ψ(x).
import { h, fmt } from './util.js';
import { clamp, panelMap } from './density-input.js';

// The cursor's range: the panel's x window, to the 3 decimals its read-out shows.
const cursorRange = (area) => [Math.ceil(area.xRange[0] * 1e3) / 1e3, Math.floor(area.xRange[1] * 1e3) / 1e3];

/** Input of one element (`x`) on its pressure canvas. */
export class PressureInput {
  constructor(x) {
    this.x = x;
    this.pressure = null;
  }

  /** Listens on the pressure canvas: the read-out follows the pointer, the finger, or (the
   * panel focused) a cursor along x that the arrow keys, Page keys, Home and End move. */
  attach(canvas) {
    this.pressure = canvas;
    /** The keyboard cursor's x on the pressure panel; null until the panel is first focused. */
    this.cursor = null;
    /** The cursor drawn: a line over the pressure panel's plot area (in the plots column). */
    this.cursorLine = h('div', { class: 'cursor', hidden: true, 'aria-hidden': 'true' });
    const read = (e) => this.read(e);
    canvas.addEventListener('pointermove', read);
    canvas.addEventListener('pointerdown', read);
    canvas.addEventListener('pointerleave', (e) => { if (e.pointerType === 'mouse') this.x._input.tip.hidden = true; });
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('focus', () => this.place());
    canvas.addEventListener('blur', () => {
      this.x._input.tip.hidden = true;
      this.cursorLine.hidden = true;
      canvas.removeAttribute('aria-valuetext'); // it would go stale with the next change
    });
  }

  /** The pressure read-out at a pointer event: x and ψ(x) of each divergence shown. */
  read(e) {
    const map = panelMap(this.x, 'pressure');
    if (!map || !map.inside(e.clientX, e.clientY)) { this.x._input.tip.hidden = true; return; }
    const at = map.toData(e.clientX, e.clientY).x;
    this.x._input.show(this.text(at).text, e.clientX, e.clientY);
  }

  /** `{text, psi}` at x = `at`: the read-out (x and ψ(x) of each divergence shown, as drawn:
   * KSD² once for its linear and log panels) and the first divergence's ψ. */
  text(at) {
    const x = this.x;
    const seen = new Set();
    const parts = [];
    const psi = [];
    x._state.divergences.forEach((name, i) => {
      const key = name === 'log_ksd' ? 'ksd' : name;
      if (seen.has(key)) return;
      seen.add(key);
      let v = NaN;
      try { v = x._host.call((ex) => ex.pressureAt(i, [at]))[0]; } catch { /* not defined here */ }
      psi.push(v);
      parts.push(`${x._host.title(name)} ψ = ${fmt(v)}`);
    });
    return { text: `x = ${at.toFixed(3)}: ${parts.join(', ')}`, psi: psi[0] };
  }

  /** Puts the pressure panel's keyboard cursor at `at` (by default where it was, else at q's
   * mean), kept in the panel's x window to 3 decimals, with its line and read-out there;
   * `speak` also says the read-out (a key press, not a redraw). */
  place(at = this.cursor ?? this.x._state.q.mu, speak = false) {
    const area = this.x._panels.lineArea('pressure');
    const map = panelMap(this.x, 'pressure');
    const box = this.cursorLine.parentElement?.getBoundingClientRect();
    if (!area || !map || !box) return;
    const [y0, y1] = area.yRange;
    const [lo, hi] = cursorRange(area);
    this.cursor = clamp(Math.round(at * 1e3) / 1e3, [lo, hi]);
    const { text, psi } = this.text(this.cursor);
    const c = this.pressure;
    c.setAttribute('aria-valuemin', String(lo));
    c.setAttribute('aria-valuemax', String(hi));
    c.setAttribute('aria-valuenow', String(this.cursor));
    c.setAttribute('aria-valuetext', text);
    if (speak) this.x._status?.say(text);
    const top = map.toClient(this.cursor, y1);
    const bottom = map.toClient(this.cursor, y0);
    const line = this.cursorLine;
    line.style.left = `${top.x - box.left}px`;
    line.style.top = `${top.y - box.top}px`;
    line.style.height = `${bottom.y - top.y}px`;
    line.hidden = false;
    // The read-out at the first curve (ψ on the panel's symlog axis; ±∞ at the edges).
    const sym = Number.isFinite(psi) ? Math.sign(psi) * Math.log10(1 + Math.abs(psi)) : (psi === -Infinity ? y0 : y1);
    const pt = map.toClient(this.cursor, clamp(sym, [y0, y1]));
    this.x._input.show(text, pt.x, pt.y);
  }

  key(e) {
    const area = this.x._panels.lineArea('pressure');
    if (!area || e.altKey || e.ctrlKey || e.metaKey) return; // the browser's shortcuts
    const [x0, x1] = area.xRange;
    const step = (x1 - x0) / 100;
    const big = e.shiftKey ? 10 : 1;
    const at = this.cursor ?? this.x._state.q.mu;
    const next = {
      ArrowLeft: at - big * step,
      ArrowDown: at - big * step,
      ArrowRight: at + big * step,
      ArrowUp: at + big * step,
      PageDown: at - 10 * step,
      PageUp: at + 10 * step,
      Home: x0,
      End: x1,
    }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.place(next, true);
  }

  /** After each redraw of the pressure panel: its x window as the slider's range, and the
   * focused cursor's line and read-out for the (maybe new) state and layout (unfocused, only
   * the cursor's place: ψ is computed for a reader, not for every frame). */
  drawn() {
    const c = this.pressure;
    const area = this.x._panels.lineArea('pressure');
    if (!c || !area) return;
    if (this.x.shadowRoot.activeElement === c) { this.place(); return; }
    const [lo, hi] = cursorRange(area);
    const at = clamp(Math.round((this.cursor ?? this.x._state.q.mu) * 1e3) / 1e3, [lo, hi]);
    for (const [k, v] of [['aria-valuemin', lo], ['aria-valuemax', hi], ['aria-valuenow', at]]) {
      if (c.getAttribute(k) !== String(v)) c.setAttribute(k, String(v));
    }
  }
}
