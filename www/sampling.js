// The sampling estimators' panel: N samples from q, drawn `reps` times with a seed, the
// reverse-KL, forward-KL and Bhattacharyya estimates against their exact values.
import { h, fmt, asError } from './util.js';
import { toolbar } from './exports.js';
import { setText } from './status.js';

const SAMPLE_SIZES = [10, 30, 100, 300, 1000, 3000];

export class SamplingPanel {
  constructor(x) {
    this.x = x;
    /** The experiment's settings: N, repeated draws, seed. */
    this.samples = { n: 100, reps: 300, seed: 1 };
    this.canvas = null;
    this.inputs = null;
  }

  /** The panel's figure: N and seed controls, the canvas, a summary, the export toolbar. */
  build() {
    const x = this.x;
    const s = this.samples;
    const c = h('canvas', { class: 'sampling', 'data-panel': 'sampling', role: 'img', 'aria-label': 'Sampling distributions of three estimators from samples of q' });
    this.canvas = c;
    this.text = h('p', { class: 'note', role: 'status' });
    const n = h('select', { 'aria-label': 'Samples per draw N' }, ...SAMPLE_SIZES.map((k) => h('option', { value: k }, String(k))));
    n.value = String(s.n);
    n.addEventListener('change', () => { if (!this.apply({ n: Number(n.value) })) n.value = String(this.samples.n); });
    const seed = h('input', { type: 'number', min: 0, step: 1, class: 'num', 'aria-label': 'Seed' });
    seed.value = String(s.seed);
    seed.addEventListener('change', () => {
      if (!this.apply({ seed: Number(seed.value) })) seed.value = String(this.samples.seed);
    });
    const again = h('button', { type: 'button' }, 'Resample');
    again.addEventListener('click', () => this.apply({ seed: this.samples.seed + 1 }));
    this.inputs = { n, seed };
    return h('figure', { class: 'sampling' },
      h('div', { class: 'row' }, h('span', {}, 'N ='), n, h('span', {}, `samples from q, drawn ${s.reps} times; seed`), seed, again),
      c, this.text, toolbar(x, 'sampling', 0, c));
  }

  /** Brings the panel's controls in line with its settings. */
  sync() {
    if (!this.inputs) return;
    this.inputs.n.value = String(this.samples.n);
    this.inputs.seed.value = String(this.samples.seed);
  }

  /** The experiment for the current q and settings; null before loading. */
  data() {
    const s = this.samples;
    return this.x._host.ex ? { ...s, ...this.x._host.call((ex) => ex.sampling(s.n, s.reps, s.seed)) } : null;
  }

  /** Sets `n`, `reps` and/or `seed` and returns the experiment (computed now); bad values
   * throw (shown) and change nothing. */
  set(partial) {
    if (!this.apply(partial)) return this.x._fail(this.error);
    return this.data();
  }

  /** Sets `n`, `reps` and/or `seed` for the frames to compute: false (and the error shown)
   * for bad values, which change nothing. The panel's own controls use this: a large
   * experiment is spread over frames instead of computed in the event handler. */
  apply(partial) {
    const x = this.x;
    const next = { ...this.samples, ...partial };
    try {
      x._host.call((ex) => ex.checkSampling(next.n, next.reps, next.seed));
    } catch (e) {
      this.error = asError(e);
      x._showError(this.error.message);
      return false;
    }
    this.samples = next;
    this.sync();
    x._clearError();
    x._schedule();
    return true;
  }

  /** Draws the panel and its summary (announced only when it changes). While the frames
   * compute the experiment for a new q or new settings, the last one shows, marked busy. */
  draw(ex, dark) {
    const s = this.samples;
    ex.drawSampling(this.canvas, s.n, s.reps, s.seed, dark);
    const busy = ex.samplingPending();
    this.canvas.parentElement?.setAttribute('aria-busy', String(busy));
    setText(this.text, busy ? `Drawing ${s.reps} × ${s.n} samples from q…` : summary(this.data()), this.x._status.quiet);
  }
}

function summary(s) {
  return `This draw: effective sample size of the weights p/q is ${fmt(s.ess[0])} of ${s.n}. `
    + `Exact: KL(q‖p) = ${fmt(s.exact.reverseKl)}, KL(p‖q) = ${fmt(s.exact.forwardKl)}, ∫√(pq) = ${fmt(s.exact.bhattacharyya)}. `
    + 'Move q onto one mode: the forward-KL estimate, which needs the weights, misses or scatters; the reverse-KL one stays calm.';
}
