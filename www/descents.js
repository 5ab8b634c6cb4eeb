// Optimisation on the landscapes: gradient-descent paths from a chosen start, animated a
// step per frame, and basins of attraction (every cell tinted by the minimum it drains to).

const REDUCED = window.matchMedia('(prefers-reduced-motion: reduce)');
const MAX_STEPS = 5000;

/** Descents and basins of one element (`x`). */
export class Descents {
  constructor(x) {
    this.x = x;
    /** Whether descents are still stepping. */
    this.running = false;
    /** What a press on a landscape does: `move` q, or `descend` from there. */
    this.clickMode = 'move';
    this.lastStep = 0;
    this.resolve = null;
  }

  /** Starts a descent from (mu, sigma) on every landscape; resolves with the paths once
   * every descent has stopped. */
  start(mu, sigma) {
    const x = this.x;
    try {
      x._host.call((ex) => ex.startDescent(Number(mu), Number(sigma)));
    } catch (e) {
      x._showError(`descent: ${e.message}`);
      return Promise.reject(e);
    }
    this.running = true;
    this.lastStep = 0;
    x._schedule();
    return new Promise((ok) => { this.resolve = ok; });
  }

  /** One step per frame, at most ~60 a second: the reader sees the path grow (all at once
   * when the reader prefers reduced motion). */
  step(ex) {
    if (!this.running || performance.now() - this.lastStep < 15) return;
    this.lastStep = performance.now();
    this.running = ex.stepDescents();
    // Reduced motion: the whole path at once (a descent ends within a few hundred steps).
    for (let k = 0; this.running && REDUCED.matches && k < MAX_STEPS; k++) this.running = ex.stepDescents();
    if (!this.running && this.resolve) {
      this.resolve(this.paths);
      this.resolve = null;
    }
  }

  /** `[{name, path: [[μ, σ, D], …], finished}]`; empty when there are none. */
  get paths() { return this.x._host.ex ? this.x._host.call((ex) => ex.descentPaths()) : []; }

  clear() {
    this.x._host.ex?.clearDescent();
    this.running = false;
    this.x._schedule();
  }

  /** Whether basins are computed and drawn. */
  get basins() { return this.x._host.settings.basins; }

  setBasins(on) {
    this.x._host.setBasins(on);
    this.x._controls.sync();
    this.x._schedule();
  }

  /** Basin label per cell of landscape `i`; empty until computed. */
  labels(i) { return this.x._host.ex ? Array.from(this.x._host.call((ex) => ex.basinLabels(i))) : []; }
}
