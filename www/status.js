// What the figure says about itself: each landscape as a two-dimensional control (name,
// value, a description naming its minima and q), busy and stale panels marked (a progress bar
// and `aria-busy` while computing, "behind" while lagging a drag), brief spoken read-outs,
// and a skip link past the controls. Updated once a frame, touching the DOM only on change.
import { h, fmt } from './util.js';

/** Sets `node`'s text only when it changed; while `quiet` (the reader is dragging or keying)
 * a live region is hushed, so that status paragraphs are announced only on settled changes. */
export function setText(node, text, quiet = false) {
  if (!node) return;
  const live = quiet ? 'off' : 'polite';
  if (node.getAttribute('aria-live') !== live) node.setAttribute('aria-live', live);
  if (node.textContent !== text) node.textContent = text;
}

// A location in (μ, σ) as the read-outs show it: four decimals (a closed-form 0 reads 0).
const loc = (v) => `${+v.toFixed(4)}`;

const set = (node, attr, value) => { if (node.getAttribute(attr) !== value) node.setAttribute(attr, value); };

/** The self-description of one element (`x`). */
export class Status {
  constructor(x) {
    this.x = x;
    /** Polite live region for brief announcements. */
    this.live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
    this.spoken = new Map();
    this.lastKey = 0;
  }

  /** Adds the live region, and a skip link when there are controls before the figure. */
  build(root) {
    root.append(this.live);
    const controls = root.querySelector('.controls');
    if (controls && root.querySelector('.landscapes')) {
      const skip = h('a', { class: 'skip', href: '#' }, 'Skip to the figure');
      skip.addEventListener('click', (e) => {
        e.preventDefault();
        this.x._panels.lands[0]?.focus();
      });
      controls.prepend(skip);
    }
  }

  /** Announces `text` briefly (a keyboard move of q). */
  say(text) {
    this.lastKey = performance.now();
    this.live.textContent = text;
  }

  /** Whether the reader is moving things right now (a drag, or a key within the last second). */
  get quiet() { return this.x._dragging || this.x._input.dragging || performance.now() - this.lastKey < 1000; }

  /** Per frame, after drawing: progress, staleness and descriptions of every landscape. */
  frame(ex) {
    const x = this.x;
    const lands = x._panels.lands;
    if (!lands.length) return;
    const progress = ex.progress();
    const q = x._state.q;
    const v = x._state.view;
    // A busy landscape's badge goes in its heatmap's top-left corner (once drawn), clear of
    // the panel's title: every place read before the loop writes (one layout, not one each).
    const spots = lands.map((canvas, i) => {
      const r = (progress[i] ?? 1) < 1 ? x._panels.plotArea(i) : null;
      return r && [`${Math.round(canvas.offsetLeft + r.x + 4)}px`, `${Math.round(canvas.offsetTop + r.y + 4)}px`];
    });
    // Descriptions change with the state and with busy/dragging: skip the work (a D per
    // landscape, at quadrature accuracy) on frames where none of that changed, and while a
    // drag runs (they follow when it ends).
    const moving = x._dragging || x._input.dragging;
    const key = `${JSON.stringify(x._state)}|${Array.from(progress, (f) => f < 1).join()}|${moving}`;
    const describe = !moving && key !== this.key;
    this.key = key;
    const optima = describe ? ex.optima() : {};
    lands.forEach((canvas, i) => {
      const fig = canvas.parentElement;
      const name = x._state.divergences[i];
      const title = x._host.title(name);
      const f = progress[i] ?? 1;
      const parts = this.parts(fig, canvas, i, title);
      // Busy: computing at full detail; behind: lagging the reader's drag.
      const busy = f < 1;
      const behind = busy && x._dragging;
      set(fig, 'aria-busy', String(busy));
      fig.classList.toggle('stale', behind);
      parts.bar.hidden = !busy;
      if (busy) {
        const pct = String(Math.floor(100 * f));
        set(parts.bar, 'aria-valuenow', pct);
        set(parts.bar, 'aria-label', `${title}: ${behind ? 'behind the drag, updating' : 'computing'}`);
        setText(parts.label, behind ? 'behind · updating' : `computing ${pct}%`, true);
        parts.fill.style.width = `${pct}%`;
        if (spots[i]) {
          const [left, top] = spots[i];
          if (parts.bar.style.left !== left) parts.bar.style.left = left;
          if (parts.bar.style.top !== top) parts.bar.style.top = top;
        }
      }
      if (!describe) return;
      let D = NaN;
      try { D = ex.valueAt(i, q.mu, q.sigma); } catch { /* outside the domain */ }
      set(canvas, 'aria-valuemin', String(v.muRange[0]));
      set(canvas, 'aria-valuemax', String(v.muRange[1]));
      set(canvas, 'aria-valuenow', String(+q.mu.toFixed(4)));
      set(canvas, 'aria-valuetext', `q at μ = ${loc(q.mu)}, σ = ${loc(q.sigma)}, D = ${fmt(D)}`);
      // Minima are named only when final: while computing they are the previous view's.
      const mins = optima[name] ?? [];
      const minima = busy ? 'Minima: still computing.'
        : `${mins.length === 1 ? 'One minimum' : `${mins.length} minima`}: ${mins.map((m) => `D = ${fmt(m.value)} at μ = ${loc(m.mu)}, σ = ${loc(m.sigma)}`).join('; ')}.`;
      setText(parts.desc, `${minima} q at μ = ${loc(q.mu)}, σ = ${loc(q.sigma)}, D = ${fmt(D)}.`, true);
      // Changed minima are announced once they are final, not on every frame.
      if (!busy && this.spoken.get(i) !== minima) {
        const first = !this.spoken.has(i);
        this.spoken.set(i, minima);
        if (!first) this.live.textContent = `${title}: ${minima}`;
      }
    });
  }

  // The canvas's role, name and description, and the figure's progress bar, made once.
  parts(fig, canvas, i, title) {
    if (fig._hands && fig._hands.title === title) return fig._hands;
    fig._hands?.bar.remove();
    fig._hands?.desc.remove();
    const id = `land-${i}-${Math.random().toString(36).slice(2, 8)}`;
    const desc = h('p', { class: 'sr-only', id: `${id}-desc` });
    const fill = h('span', { class: 'fill' });
    const label = h('span', { class: 'label' });
    const bar = h('div', { class: 'busy', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', hidden: true }, h('span', { class: 'track' }, fill), label);
    fig.append(desc, bar);
    canvas.setAttribute('role', 'slider');
    canvas.setAttribute('aria-roledescription', '2D slider');
    canvas.setAttribute('aria-label', `${title} landscape over q's mean μ and std σ; arrow keys move q`);
    canvas.setAttribute('aria-describedby', desc.id);
    canvas.setAttribute('aria-orientation', 'horizontal');
    fig._hands = { title, desc, bar, fill, label };
    return fig._hands;
  }
}
