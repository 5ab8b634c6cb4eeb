// <divergence-explorer>: the explorer as one custom element (SPEC §5). It finds its wasm
// and stylesheet relative to this module, so the folder can be copied anywhere.
// The wasm module is loaded on first use; after a crash (a wasm trap) an element loads a
// fresh instance of its own, so one bad call never leaves the page dead.

const NAMES = ['forward_kl', 'reverse_kl', 'jensen_shannon', 'hellinger', 'bhattacharyya',
  'total_variation', 'pearson_chi2', 'neyman_chi2', 'amari', 'renyi', 'fisher', 'ksd', 'mmd'];
const LABELS = {
  forward_kl: 'Forward KL', reverse_kl: 'Reverse KL', jensen_shannon: 'Jensen–Shannon',
  hellinger: 'Hellinger', bhattacharyya: 'Bhattacharyya', total_variation: 'Total variation',
  pearson_chi2: 'Pearson χ²', neyman_chi2: 'Neyman χ²', amari: 'Amari α', renyi: 'Rényi',
  fisher: 'Fisher', ksd: 'KSD²', log_ksd: 'log KSD²', mmd: 'MMD²',
};
const PRESETS = ['blog-kl', 'blog-stein', 'asymmetric', 'three-modes', 'light-mode'];
const ALL_PANELS = ['controls', 'landscape', 'density', 'pressure', 'tradeoff', 'sampling'];
const SAMPLE_SIZES = [10, 30, 100, 300, 1000, 3000];
// The sampling panel's starting settings: N, repeated draws, seed.
const SAMPLING = { n: 100, reps: 300, seed: 1 };
// Landscape resolution (μ × σ cells); while a slider is held, divergences computed cell by
// cell drop to a third of it (see `Explorer.setQuick`).
const FULL = [128, 96];

let shared = null;
let instances = 0;
/** `{Explorer, memory}` of the shared module instance, or of a fresh one. */
function loadWasm(fresh = false) {
  const load = async () => {
    const url = new URL('./pkg/divergence_web.js', import.meta.url);
    if (fresh) url.searchParams.set('instance', String(++instances));
    const mod = await import(url.href);
    const exports = await mod.default({ module_or_path: new URL('./pkg/divergence_web_bg.wasm', import.meta.url) });
    return { Explorer: mod.Explorer, memory: exports.memory };
  };
  if (fresh) return load();
  shared ??= load();
  return shared;
}
const isTrap = (e) => e instanceof WebAssembly.RuntimeError;

const el = (tag, attrs = {}, ...kids) => {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') n.className = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) n.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids) n.append(kid);
  return n;
};

const clone = (x) => JSON.parse(JSON.stringify(x));

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
const fmt = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : +v.toPrecision(6) + '') : (v > 0 ? '+∞' : String(v)));

function merge(base, partial) {
  const out = clone(base);
  for (const [k, v] of Object.entries(partial ?? {})) {
    if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' && !Array.isArray(out[k])) {
      out[k] = { ...out[k], ...v };
    } else {
      out[k] = v;
    }
  }
  return out;
}

export class DivergenceExplorer extends HTMLElement {
  static observedAttributes = ['preset', 'panels', 'divergences', 'height', 'controls', 'theme'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._readyResolve = null;
    this.ready = new Promise((res, rej) => { this._readyResolve = res; this._readyReject = rej; });
    this._rects = [];
    this._dragging = false;
    this._frame = 0;
    this._lastEvent = '';
    this._lastUrl = '';
    this._display = { logScale: true, clip: 1 };
    this._inView = new Set();
    this._io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) this._inView.add(e.target); else this._inView.delete(e.target);
      }
      this._schedule();
    });
  }

  // Watches which canvases are on screen (see `_render`).
  _observeCanvases() {
    this._io.disconnect();
    this._inView.clear();
    for (const c of this.shadowRoot.querySelectorAll('canvas')) this._io.observe(c);
  }

  get state() { return this._state ? clone(this._state) : null; }

  get optima() { return this._ex ? this._call(() => this._ex.optima()) : {}; }

  /** Bytes of wasm linear memory (for soak tests and diagnostics). */
  get wasmMemoryBytes() { return this._wasm?.memory?.buffer.byteLength ?? 0; }

  /** Starts gradient descent from (mu, sigma) on every landscape; resolves with the paths
   * (`[{name, path: [[μ, σ, D], …], finished}]`) once every descent has stopped. */
  descend(mu, sigma) {
    if (!this._ex) return Promise.reject(new Error('the explorer is not loaded yet: await el.ready'));
    try {
      this._call(() => this._ex.startDescent(Number(mu), Number(sigma)));
    } catch (e) {
      this._showError(`descent: ${e.message}`);
      return Promise.reject(e);
    }
    this._descending = true;
    this._lastStep = 0;
    this._schedule();
    return new Promise((ok) => { this._descentDone = ok; });
  }

  /** The current descent paths (see `descend`); empty when there are none. */
  get paths() { return this._ex ? this._call(() => this._ex.descentPaths()) : []; }

  /** Removes the descent paths. */
  clearPaths() { this._ex?.clearDescent(); this._descending = false; this._schedule(); }

  /** Whether each landscape is tinted by basin of attraction (computed for every cell). */
  get basins() { return !!this._basins; }
  set basins(on) {
    this._basins = !!on;
    if (this._ex) this._call(() => this._ex.setBasins(this._basins));
    if (this._basinBox) this._basinBox.checked = this._basins;
    this._schedule();
  }

  /** Basin label per cell of landscape `i` (index into its minima, −1 for none), row-major
   * from the smallest σ, as in `exportJson`; empty until computed. */
  basinLabels(i = 0) { return this._ex ? Array.from(this._call(() => this._ex.basinLabels(i))) : []; }

  /** How many times the element restarted its wasm module after a crash. */
  get recoveries() { return this._recoveries ?? 0; }

  // Every call into wasm goes through here: a trap starts recovery and surfaces as an Error.
  _call(fn) {
    try {
      return fn();
    } catch (e) {
      if (!isTrap(e)) throw e;
      this._recover(e);
      throw new Error(`the computation crashed (${e.message}); restarting from the last good view`);
    }
  }

  /** Drops the crashed module instance, loads a fresh one and restores the last good state. */
  async _recover(err) {
    if (this._recovering) return;
    this._recovering = true;
    const good = this._state;
    const crashed = this._ex;
    this._ex = null;
    cancelAnimationFrame(this._raf);
    this._raf = 0;
    this._showError(`The computation crashed (${err.message}); restarting from the last good view…`);
    try {
      this._wasm = await loadWasm(true);
      const ex = new this._wasm.Explorer();
      // A view that crashes twice in a row is not restored a third time: back to the preset.
      const again = this._lastCrashState === JSON.stringify(good);
      this._lastCrashState = JSON.stringify(good);
      this._state = ex.setState(again ? this._wasm.Explorer.presetState('blog-kl') : good);
      ex.setResolution(...FULL);
      ex.setQuick(!!this._dragging);
      ex.setBasins(!!this._basins);
      this._ex = ex;
      this._recoveries = this.recoveries + 1;
      this._showError(`The computation crashed (${err.message}) and was restarted; ${again ? 'the view was reset to the blog-kl preset' : 'the last good view is restored'}.`);
      this._syncControls();
      this._schedule();
    } catch (e) {
      this._showError(`The computation crashed and could not restart: ${e.message ?? e}. Reload the page.`);
    } finally {
      this._recovering = false;
      try { crashed?.free(); } catch { /* the old instance is gone with its module */ }
    }
  }

  /** Merge, validate, re-render; invalid input throws an Error (also shown) and changes nothing. */
  setState(partial) {
    if (!this._ex) throw new Error(this._recovering ? 'the explorer is restarting after a crash' : 'the explorer is not loaded yet: await el.ready');
    if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
      return this._fail(new Error('setState takes an object'));
    }
    const known = { target: null, q: ['mu', 'sigma'], divergences: null, params: ['alpha', 'order', 'bandwidth', 'kernelC', 'kernelBeta'], view: ['muRange', 'sigmaRange'] };
    for (const [k, v] of Object.entries(partial)) {
      if (!(k in known)) return this._fail(new Error(`unknown state key '${k}'`));
      if (known[k] && v && typeof v === 'object') {
        const bad = Object.keys(v).find((s) => !known[k].includes(s));
        if (bad) return this._fail(new Error(`unknown state key '${k}.${bad}'`));
      }
    }
    const next = merge(this._state, partial);
    try {
      this._state = this._call(() => this._ex.setState(next));
    } catch (e) {
      return this._fail(e instanceof Error ? e : new Error(String(e)));
    }
    this._clearError();
    this._syncControls();
    this._schedule();
    return this.state;
  }

  _fail(err) {
    this._showError(err.message);
    throw err;
  }

  async connectedCallback() {
    if (this._started) return;
    this._started = true;
    const css = el('link', { rel: 'stylesheet', href: new URL('./explorer.css', import.meta.url).href });
    this.shadowRoot.append(css);
    try {
      this._wasm = await loadWasm();
      this._ex = new this._wasm.Explorer();
      const preset = this.getAttribute('preset') || 'blog-kl';
      let state = this._wasm.Explorer.presetState(PRESETS.includes(preset) ? preset : 'blog-kl');
      const divs = this.getAttribute('divergences');
      if (divs) state.divergences = divs.split(',').map((s) => s.trim()).filter(Boolean);
      this._state = this._ex.setState(state);
      this._ex.setResolution(...FULL);
      this._build();
      if (this.hasAttribute('link')) {
        this.applyFragment(location.hash);
        window.addEventListener('hashchange', () => { if (location.hash.slice(1) !== this.fragment()) this.applyFragment(location.hash); });
      }
      this._media = window.matchMedia('(prefers-color-scheme: dark)');
      this._media.addEventListener('change', () => this._schedule());
      this._resize = new ResizeObserver(() => this._schedule());
      this._resize.observe(this._root);
      this._schedule();
    } catch (e) {
      this._showError(`The explorer failed to start: ${e.message ?? e}`);
      this._readyReject(e);
    }
  }

  disconnectedCallback() {
    this._resize?.disconnect();
    this._io.disconnect();
    cancelAnimationFrame(this._raf);
  }

  attributeChangedCallback(name, old, value) {
    if (!this._ex || old === value) return;
    if (name === 'preset' && PRESETS.includes(value)) this.setState(this._wasm.Explorer.presetState(value));
    else if (name === 'divergences' && value) this.setState({ divergences: value.split(',').map((s) => s.trim()) });
    else { this._build(); this._schedule(); }
  }

  get _dark() {
    const t = this.getAttribute('theme');
    if (t === 'dark') return true;
    if (t === 'light') return false;
    return !!this._media?.matches;
  }

  _panels() {
    const a = this.getAttribute('panels');
    return a ? a.split(',').map((s) => s.trim()) : ALL_PANELS;
  }

  // ---------- layout ----------
  _build() {
    this._root?.remove();
    const panels = this._panels();
    this._root = el('div', { class: 'explorer', part: 'root' });
    const h = this.getAttribute('height');
    if (h) this._root.style.setProperty('--height', /^\d+$/.test(h) ? `${h}px` : h);
    this._error = el('div', { class: 'error', role: 'alert', hidden: true });
    this._root.append(this._error);
    this._syncers = [];
    if (panels.includes('controls')) this._root.append(this._buildControls());
    const plots = el('div', { class: 'plots' });
    this._landCanvases = [];
    if (panels.includes('landscape')) {
      this._lands = el('div', { class: 'landscapes' });
      plots.append(this._lands);
      this._buildLandscapes();
    }
    this._tip = el('div', { class: 'tip', hidden: true, role: 'status' });
    plots.append(this._tip);
    if (panels.includes('density')) {
      this._density = el('canvas', { class: 'density', role: 'img', 'aria-label': 'Densities p, its components and q' });
      plots.append(el('figure', {}, this._density, this._toolbar('density', 0, this._density)));
    } else this._density = null;
    if (panels.includes('pressure')) {
      this._pressure = el('canvas', { role: 'img', 'aria-label': 'Pressure ψ(x) over x' });
      this._ratio = el('canvas', { role: 'img', 'aria-label': 'Pressure ψ against r = p/q' });
      plots.append(el('div', { class: 'pressure' },
        el('figure', {}, this._pressure, this._toolbar('pressure', 0, this._pressure)),
        el('figure', {}, this._ratio, this._toolbar('ratio', 0, this._ratio)), this._formulaTable()));
    } else { this._pressure = null; this._ratio = null; }
    if (panels.includes('tradeoff')) plots.append(this._buildTradeoff());
    else this._tradeoffCanvas = null;
    if (panels.includes('sampling')) plots.append(this._buildSampling());
    else this._samplingCanvas = null;
    this._root.append(plots);
    this.shadowRoot.append(this._root);
    this._syncControls();
    this._observeCanvases();
  }

  // The ψ trade-off: ψ*(m, β) curves, this target's point and flip, and a light-weight slider.
  _buildTradeoff() {
    this._tradeoffCanvas = el('canvas', { class: 'tradeoff', role: 'img', 'aria-label': 'ψ trade-off: ψ*(m, β) over β' });
    this._tradeoffText = el('p', { class: 'note', role: 'status' });
    const light = () => {
      const t = this._state.target;
      const k = t.reduce((b, c, i) => (c.weight < t[b].weight ? i : b), 0);
      const heavy = t.filter((_, i) => i !== k);
      return { k, heavyMean: heavy.reduce((a, c) => a + c.weight, 0) / Math.max(1, heavy.length), n: t.length };
    };
    const slider = this._slider('light/heavy weight ψ', 0.01, 1, 0.01, () => {
      const { k, heavyMean, n } = light();
      return n < 2 ? 0 : +(this._state.target[k].weight / heavyMean).toFixed(4);
    }, (psi) => {
      const { k, heavyMean } = light();
      return { target: this._state.target.map((c, i) => (i === k ? { ...c, weight: psi * heavyMean } : c)) };
    });
    return el('figure', { class: 'tradeoff' }, this._tradeoffCanvas, slider, this._tradeoffText,
      this._toolbar('tradeoff', 0, this._tradeoffCanvas));
  }

  // Sampling estimators: N samples from q, repeated, against the exact values.
  _buildSampling() {
    this._samples ??= { ...SAMPLING };
    this._samplingCanvas = el('canvas', { class: 'sampling', role: 'img', 'aria-label': 'Sampling distributions of three estimators from samples of q' });
    this._samplingText = el('p', { class: 'note', role: 'status' });
    const n = el('select', { 'aria-label': 'Samples per draw N' }, ...SAMPLE_SIZES.map((k) => el('option', { value: k }, String(k))));
    n.value = String(this._samples.n);
    n.addEventListener('change', () => this.setSampling({ n: Number(n.value) }));
    const seed = el('input', { type: 'number', min: 0, step: 1, class: 'num', 'aria-label': 'Seed' });
    seed.value = String(this._samples.seed);
    seed.addEventListener('change', () => {
      try { this.setSampling({ seed: Number(seed.value) }); } catch { seed.value = String(this._samples.seed); }
    });
    const again = el('button', { type: 'button' }, 'Resample');
    again.addEventListener('click', () => this.resample());
    this._samplingInputs = { n, seed };
    return el('figure', { class: 'sampling' },
      el('div', { class: 'row' }, el('span', {}, 'N ='), n, el('span', {}, `samples from q, drawn ${this._samples.reps} times; seed`), seed, again),
      this._samplingCanvas, this._samplingText, this._toolbar('sampling', 0, this._samplingCanvas));
  }

  /** The sampling experiment for the current q: `{n, reps, seed, exact, reverseKl, forwardKl,
   * bhattacharyya, ess}` (arrays over the repeated draws; index 0 is "this draw"). */
  get sampling() {
    const s = this._samples ?? SAMPLING;
    return this._ex ? { ...s, ...this._call(() => this._ex.sampling(s.n, s.reps, s.seed)) } : null;
  }

  /** Sets the sample size `n`, `reps` and/or `seed`; bad values throw and change nothing. */
  setSampling(partial) {
    const next = { ...(this._samples ?? SAMPLING), ...partial };
    if (!this._ex) throw new Error('the explorer is not loaded yet: await el.ready');
    try {
      this._call(() => this._ex.sampling(next.n, next.reps, next.seed));
    } catch (e) {
      return this._fail(e instanceof Error ? e : new Error(String(e)));
    }
    this._samples = next;
    if (this._samplingInputs) {
      this._samplingInputs.n.value = String(next.n);
      this._samplingInputs.seed.value = String(next.seed);
    }
    this._clearError();
    this._schedule();
    return this.sampling;
  }

  /** New draws: the next seed. */
  resample() { return this.setSampling({ seed: (this._samples?.seed ?? 1) + 1 }); }

  _samplingSummary() {
    const s = this.sampling;
    const e = s.ess[0];
    return `This draw: effective sample size of the weights p/q is ${fmt(e)} of ${s.n}. `
      + `Exact: KL(q‖p) = ${fmt(s.exact.reverseKl)}, KL(p‖q) = ${fmt(s.exact.forwardKl)}, ∫√(pq) = ${fmt(s.exact.bhattacharyya)}. `
      + 'Move q onto one mode: the forward-KL estimate, which needs the weights, misses or scatters; the reverse-KL one stays calm.';
  }

  /** The ψ trade-off for the current target and α (see SPEC's light-mode preset). */
  get tradeoff() { return this._ex ? this._call(() => this._ex.tradeoff()) : null; }

  _buildLandscapes() {
    this._lands.replaceChildren();
    this._landCanvases = this._state.divergences.map((name, i) => {
      const c = el('canvas', {
        class: 'landscape', tabindex: '0', role: 'img',
        'aria-label': `${LABELS[name] ?? name} landscape over q mean and std; click or drag to move q, arrow keys nudge it`,
      });
      c.dataset.index = i;
      c.addEventListener('pointerdown', (e) => this._onPointer(e, i, 'down'));
      c.addEventListener('pointermove', (e) => this._onPointer(e, i, 'move'));
      c.addEventListener('pointerup', (e) => this._onPointer(e, i, 'up'));
      c.addEventListener('pointercancel', (e) => this._onPointer(e, i, 'up'));
      c.addEventListener('pointerleave', () => { this._tip.hidden = true; });
      c.addEventListener('keydown', (e) => this._onKey(e));
      this._lands.append(el('figure', {}, c, this._toolbar('landscape', i, c)));
      return c;
    });
    this._lands.dataset.count = this._landCanvases.length;
    if (this._root?.isConnected) this._observeCanvases();
  }

  _toolbar(kind, i, canvas) {
    const name = () => (kind === 'landscape' ? this._state.divergences[i] : kind);
    const label = (fmt) => `Export ${kind === 'landscape' ? (LABELS[name()] ?? name()) : kind} as ${fmt}`;
    const button = (fmt, fn) => el('button', { type: 'button', 'aria-label': label(fmt), onclick: () => {
      try { fn(); } catch (e) { this._showError(`Export failed: ${e.message ?? e}`); }
    } }, fmt);
    const bar = el('div', { class: 'toolbar' },
      button('PNG', () => canvas.toBlob((b) => download(b, `${name()}.png`), 'image/png')),
      button('SVG', () => download(new Blob([this.exportSvg(kind, i)], { type: 'image/svg+xml' }), `${name()}.svg`)));
    if (kind === 'landscape') {
      bar.append(
        button('CSV', () => download(new Blob([this.exportCsv(i)], { type: 'text/csv' }), `${name()}.csv`)),
        button('JSON', () => download(new Blob([JSON.stringify(this.exportJson(i))], { type: 'application/json' }), `${name()}.json`)));
    }
    return bar;
  }

  // Log colours (the landscapes span decades) except for plain KSD², drawn linearly next to
  // log KSD² as in the Stein post.
  _colourOpts(i, dark) {
    return { dark, clip: this._display.clip, logScale: this._display.logScale && this._state.divergences[i] !== 'ksd' };
  }

  /** A panel as SVG text (vector axes and text; a landscape's heatmap embedded as PNG). */
  exportSvg(kind = 'landscape', i = 0) {
    const c = kind === 'landscape' ? this._landCanvases[i] : { density: this._density, pressure: this._pressure, ratio: this._ratio, tradeoff: this._tradeoffCanvas, sampling: this._samplingCanvas }[kind];
    const w = Math.round(c?.clientWidth || 640);
    const h = Math.round(c?.clientHeight || 480);
    return this._call(() => this._ex.exportSvg(kind, i, w, h, this._colourOpts(i, this._dark)));
  }

  /** Landscape `i` as `{divergence, mu, sigma, values: [[row per σ]], minima}`. */
  exportJson(i = 0) {
    const [mu, sigma] = this._call(() => this._ex.landscapeAxes(i)).map((a) => Array.from(a));
    const flat = Array.from(this._call(() => this._ex.landscapeValues(i)));
    const values = sigma.map((_, r) => flat.slice(r * mu.length, (r + 1) * mu.length).map((v) => (Number.isFinite(v) ? v : 'inf')));
    const name = this._state.divergences[i];
    return { divergence: name, mu, sigma, values, minima: this.optima[name] ?? [] };
  }

  /** Landscape `i` as CSV: a header of μ values, then one row per σ. */
  exportCsv(i = 0) {
    const j = this.exportJson(i);
    const lines = [['sigma\\mu', ...j.mu].join(',')];
    j.sigma.forEach((s, r) => lines.push([s, ...j.values[r]].join(',')));
    return lines.join('\n') + '\n';
  }

  /** The state as a URL fragment (without '#'); numbers round-trip exactly. */
  fragment() { return this._call(() => this._ex.fragment()); }

  /** Applies a fragment; a malformed one is reported, ignored, and changes nothing. */
  applyFragment(hash) {
    const text = String(hash ?? '').replace(/^#/, '');
    if (!text) return false;
    try {
      const { unknown, ...partial } = this._wasm.Explorer.parseFragment(text);
      this.setState(partial);
      if (unknown.length) this._showError(`link: ignored unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`);
      return true;
    } catch (e) {
      this._showError(e.message.startsWith('link') ? e.message : `link ignored: ${e.message}`);
      return false;
    }
  }

  _tradeoffSummary() {
    let t;
    try { t = this._ex.tradeoff(); } catch (e) { return `${e.message}.`; }
    const all = t.allModes < t.heavyOnly;
    return `Amari β = ${fmt(t.beta)} (α = ${fmt(this._state.params.alpha)}), ${t.m} heavy mode${t.m > 1 ? 's' : ''}, light/heavy weight ψ = ${fmt(t.psi)}: `
      + `q over the heavy modes only has D = ${fmt(t.heavyOnly)}, q over all modes D = ${fmt(t.allModes)}, so this β prefers ${all ? 'covering the light mode' : 'dropping the light mode'}. `
      + `From these densities the preference flips at ψ = ${fmt(t.flip)}; for well-separated modes ψ*(${t.m}, β) = ${fmt(t.psiStar)}.`;
  }

  _formulaTable() {
    const rows = [
      ['Forward KL', 'r − 1', 'O(p/q): mode-covering'],
      ['Reverse KL', 'log r', 'O(log p/q)'],
      ['Jensen–Shannon', '½ log((1+r)/2)', 'O(log p/q)'],
      ['Hellinger', '½(√r − 1)', 'O(√(p/q))'],
      ['Bhattacharyya', '(√r − 1)/(2·BC)', 'O(√(p/q))'],
      ['Total variation', '½ sign(r − 1)', 'O(1)'],
      ['Pearson χ²', 'r² − 1', 'O((p/q)²)'],
      ['Neyman χ²', '2 − 2/r', 'bounded'],
      ['Amari α', '(r^β − 1)/β, β = (1+α)/2', 'O((p/q)^β)'],
      ['Rényi a', '(r^a − 1)/∫p^a q^(1−a)', 'O((p/q)^a)'],
      ['MMD²', '2(E_p k(x,·) − E_q k(x,·))', 'bounded'],
      ['KSD²', '−2 E_q[u_p(x,·)]', 'O(|∂ log p|), not in q'],
      ['Fisher', 's_q² + 2s_q′ − s_p² − 2s_p′', 'O(s_p²), not in q'],
    ];
    const tbody = el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))));
    return el('div', { class: 'formulas' },
      el('table', {},
        el('caption', {}, 'ψ(r), r = p(x)/q(x), fixed to 0 where q = p'),
        el('thead', {}, el('tr', {}, el('th', {}, 'divergence'), el('th', {}, 'ψ'), el('th', {}, 'as q → 0'))),
        tbody),
      el('p', { class: 'note' },
        'The post derives the unconstrained derivative, which differs by a constant: p/q for forward KL and ',
        'log(p/q) − 1 for reverse KL (the post prints + 1, a sign slip). The growth rates, which are the point, are unaffected.'));
  }

  // A range with a number field; `marks` ([value, name]) are buttons that snap to named points.
  _slider(label, min, max, step, get, set, marks = []) {
    const range = el('input', { type: 'range', min, max, step, 'aria-label': label });
    const num = el('input', { type: 'number', step: 'any', 'aria-label': `${label} value`, class: 'num' });
    const apply = (raw, from) => {
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v)) { this._showError(`${label}: '${raw}' is not a number`); return; }
      try {
        this.setState(set(v));
        if (from !== num) num.value = fmt(v);
      } catch { /* shown by setState; the previous state stays */ }
    };
    range.addEventListener('input', () => apply(range.value, range));
    range.addEventListener('pointerdown', () => this._setDragging(true));
    range.addEventListener('change', () => this._setDragging(false));
    num.addEventListener('change', () => apply(num.value, num));
    const row = el('label', { class: 'slider' }, el('span', {}, label), range, num);
    if (marks.length) {
      // Tick marks on the track, and one button per named point that snaps to it.
      const id = `marks-${label.replace(/\W+/g, '-')}`;
      range.setAttribute('list', id);
      row.append(el('datalist', { id }, ...marks.map(([v]) => el('option', { value: v }))));
      const bar = el('div', { class: 'marks' }, el('span', {}, 'snap to'));
      for (const [v, name] of marks) {
        const b = el('button', { type: 'button', title: `${label} = ${v}`, 'aria-label': `${label}: ${name} (${v})` }, name);
        b.addEventListener('click', (e) => { e.preventDefault(); apply(String(v), b); });
        bar.append(b);
      }
      row.append(bar);
    }
    row._sync = () => {
      const v = get();
      if (document.activeElement !== range && this.shadowRoot.activeElement !== range) range.value = v;
      if (this.shadowRoot.activeElement !== num) num.value = fmt(v);
    };
    this._syncers.push(row._sync);
    return row;
  }

  _buildControls() {
    const box = el('div', { class: 'controls' });
    const only = (this.getAttribute('controls') || '').split(',').map((s) => s.trim()).filter(Boolean);
    const want = (k) => only.length === 0 || only.includes(k);
    if (this.hasAttribute('link')) {
      const out = el('input', { type: 'text', readonly: true, 'aria-label': 'Link to this view', class: 'link' });
      const copy = el('button', { type: 'button' }, 'Copy link');
      copy.addEventListener('click', async () => {
        out.value = `${location.href.split('#')[0]}#${this.fragment()}`;
        out.hidden = false;
        out.select();
        try { await navigator.clipboard.writeText(out.value); copy.textContent = 'Copied'; } catch { copy.textContent = 'Copy the link below'; }
        setTimeout(() => { copy.textContent = 'Copy link'; }, 2000);
      });
      out.hidden = true;
      box.append(el('div', { class: 'row' }, copy), out);
    }
    if (want('preset')) {
      const sel = el('select', { 'aria-label': 'Preset' }, ...PRESETS.map((p) => el('option', { value: p }, p)));
      sel.value = this.getAttribute('preset') || 'blog-kl';
      sel.addEventListener('change', () => this.setState(this._wasm.Explorer.presetState(sel.value)));
      box.append(el('label', { class: 'row' }, el('span', {}, 'Preset'), sel));
    }
    if (want('target')) {
      this._compBox = el('fieldset', { class: 'components' });
      box.append(this._compBox);
      this._buildComponents();
    }
    if (want('q')) {
      box.append(el('fieldset', {}, el('legend', {}, 'Model q = N(μ, σ²)'),
        this._slider('q mean', -10, 10, 0.01, () => this._state.q.mu, (v) => ({ q: { mu: v } })),
        this._slider('q std', 0.05, 6, 0.01, () => this._state.q.sigma, (v) => ({ q: { sigma: v } }))));
    }
    if (want('divergences')) {
      const list = el('fieldset', { class: 'picker' }, el('legend', {}, 'Divergences'));
      for (const name of [...NAMES, 'log_ksd']) {
        const cb = el('input', { type: 'checkbox', value: name });
        cb.addEventListener('change', () => {
          const cur = this._state.divergences.filter((d) => d !== name);
          const next = cb.checked ? [...this._state.divergences, name] : cur;
          try { this.setState({ divergences: next }); } catch { cb.checked = !cb.checked; }
        });
        list.append(el('label', { class: 'check' }, cb, LABELS[name] ?? name));
      }
      this._picker = list;
      box.append(list);
    }
    if (want('params')) {
      box.append(el('fieldset', {}, el('legend', {}, 'Parameters'),
        this._slider('alpha', -3, 3, 0.01, () => this._state.params.alpha, (v) => ({ params: { alpha: v } }),
          [[-1, 'reverse KL'], [0, '4·Hellinger'], [1, 'forward KL']]),
        this._slider('order', 0.05, 5, 0.01, () => this._state.params.order, (v) => ({ params: { order: v } }),
          [[0.5, '2·Bhattacharyya'], [1, 'forward KL'], [2, 'log(1 + χ²)']]),
        this._slider('bandwidth', 0.05, 10, 0.01, () => this._state.params.bandwidth, (v) => ({ params: { bandwidth: v } })),
        this._slider('kernel c', 0.1, 5, 0.01, () => this._state.params.kernelC, (v) => ({ params: { kernelC: v } })),
        this._slider('kernel beta', 0.05, 2, 0.01, () => this._state.params.kernelBeta, (v) => ({ params: { kernelBeta: v } }))));
    }
    if (want('paths')) {
      const mode = (value, text) => {
        const r = el('input', { type: 'radio', name: 'click-mode', value, checked: (this._clickMode ?? 'move') === value });
        r.addEventListener('change', () => { if (r.checked) this._clickMode = value; });
        return el('label', { class: 'check' }, r, text);
      };
      const clear = el('button', { type: 'button' }, 'Clear paths');
      clear.addEventListener('click', () => this.clearPaths());
      this._basinBox = el('input', { type: 'checkbox', 'aria-label': 'Basins of attraction', checked: !!this._basins });
      this._basinBox.addEventListener('change', () => { this.basins = this._basinBox.checked; });
      box.append(el('fieldset', {}, el('legend', {}, 'Optimisation'),
        el('div', { role: 'radiogroup', 'aria-label': 'Clicking a landscape' },
          el('span', { class: 'hint' }, 'Clicking a landscape'),
          mode('move', 'moves q'), mode('descend', 'starts gradient descent there')),
        el('label', { class: 'check' }, this._basinBox, 'basins of attraction'),
        el('div', { class: 'buttons' }, clear)));
    }
    if (want('colors')) {
      const log = el('input', { type: 'checkbox', 'aria-label': 'Log colour scale', checked: this._display.logScale });
      log.addEventListener('change', () => { this._display.logScale = log.checked; this._schedule(); });
      const clip = el('input', { type: 'range', min: 0.5, max: 1, step: 0.01, value: 1, 'aria-label': 'Colour clip quantile' });
      clip.addEventListener('input', () => { this._display.clip = Number(clip.value); this._schedule(); });
      box.append(el('fieldset', {}, el('legend', {}, 'Colours'),
        el('label', { class: 'check' }, log, 'log scale'),
        el('label', { class: 'slider' }, el('span', {}, 'clip at quantile'), clip)));
    }
    return box;
  }

  _buildComponents() {
    const box = this._compBox;
    if (!box) return;
    box.replaceChildren(el('legend', {}, 'Target p: mixture components'));
    this._syncers = this._syncers.filter((s) => !s._component);
    this._state.target.forEach((c, k) => {
      const n = k + 1;
      const set = (key) => (v) => ({ target: this._state.target.map((t, j) => (j === k ? { ...t, [key]: v } : t)) });
      const rows = [
        this._slider(`Component ${n} weight`, 0.01, 1, 0.01, () => this._state.target[k].weight, set('weight')),
        this._slider(`Component ${n} mean`, -10, 10, 0.01, () => this._state.target[k].mean, set('mean')),
        this._slider(`Component ${n} std`, 0.05, 5, 0.01, () => this._state.target[k].std, set('std')),
      ];
      rows.forEach((r) => { r._sync._component = true; });
      box.append(el('div', { class: 'component' }, el('strong', {}, `Component ${n}`), ...rows));
    });
    const add = el('button', { type: 'button' }, 'Add component');
    add.disabled = this._state.target.length >= 8;
    add.addEventListener('click', () => {
      const t = this._state.target;
      const last = t[t.length - 1];
      this.setState({ target: [...t, { weight: last.weight, mean: Math.min(last.mean + 2, 10), std: last.std }] });
    });
    const rm = el('button', { type: 'button' }, 'Remove last component');
    rm.disabled = this._state.target.length <= 1;
    rm.addEventListener('click', () => this.setState({ target: this._state.target.slice(0, -1) }));
    box.append(el('div', { class: 'buttons' }, add, rm));
    this._compCount = this._state.target.length;
  }

  _syncControls() {
    if (!this._root) return;
    if (this._compBox && this._compCount !== this._state.target.length) this._buildComponents();
    const names = this._state.divergences.join(',');
    if (this._lands && this._lands.dataset.names !== names) {
      this._buildLandscapes();
      this._lands.dataset.names = names;
    }
    for (const s of this._syncers ?? []) s();
    if (this._picker) {
      for (const cb of this._picker.querySelectorAll('input')) cb.checked = this._state.divergences.includes(cb.value);
    }
  }

  _showError(msg) {
    if (!this._error) return;
    this._error.textContent = msg;
    this._error.hidden = false;
  }

  _clearError() { if (this._error) this._error.hidden = true; }

  // ---------- interaction ----------
  _setDragging(on) {
    this._dragging = on;
    if (this._ex) {
      this._call(() => this._ex.setQuick(on));
    }
    this._schedule();
  }

  _toData(e, i) {
    const c = this._landCanvases[i];
    const r = this._rects[i];
    if (!r || !r.w) return null;
    const b = c.getBoundingClientRect();
    const sx = c.width / b.width;
    const px = (e.clientX - b.left) * sx;
    const py = (e.clientY - b.top) * sx;
    const u = (px - r.x) / r.w;
    const v = 1 - (py - r.y) / r.h;
    if (u < -0.02 || u > 1.02 || v < -0.02 || v > 1.02) return null;
    const cl = (t) => Math.min(1, Math.max(0, t));
    return {
      mu: r.muRange[0] + cl(u) * (r.muRange[1] - r.muRange[0]),
      sigma: r.sigmaRange[0] + cl(v) * (r.sigmaRange[1] - r.sigmaRange[0]),
    };
  }

  _onPointer(e, i, kind) {
    const d = this._toData(e, i);
    if (kind === 'down' && d && this._clickMode === 'descend') {
      this.descend(d.mu, d.sigma).catch(() => { /* shown */ });
    } else if (kind === 'down' && d) {
      this._qDrag = true;
      e.target.setPointerCapture?.(e.pointerId);
      this.setState({ q: { mu: d.mu, sigma: d.sigma } });
    } else if (kind === 'move') {
      if (this._qDrag && d) this.setState({ q: { mu: d.mu, sigma: d.sigma } });
      if (d) {
        let D = NaN;
        try { D = this._call(() => this._ex.valueAt(i, d.mu, d.sigma)); } catch { /* outside the domain */ }
        this._tip.textContent = `μ = ${d.mu.toFixed(3)}, σ = ${d.sigma.toFixed(3)}, D = ${fmt(D)}`;
        this._tip.hidden = false;
      } else this._tip.hidden = true;
    } else if (kind === 'up') {
      this._qDrag = false;
    }
  }

  _onKey(e) {
    const v = this._state.view;
    const dm = (v.muRange[1] - v.muRange[0]) / 100;
    const ds = (v.sigmaRange[1] - v.sigmaRange[0]) / 100;
    const step = { ArrowLeft: [-dm, 0], ArrowRight: [dm, 0], ArrowUp: [0, ds], ArrowDown: [0, -ds] }[e.key];
    if (!step) return;
    e.preventDefault();
    const q = this._state.q;
    try { this.setState({ q: { mu: q.mu + step[0], sigma: Math.max(v.sigmaRange[0], q.sigma + step[1]) } }); } catch { /* shown */ }
  }

  // ---------- rendering ----------
  _schedule() {
    if (this._raf) return;
    this._raf = requestAnimationFrame(() => { this._raf = 0; this._render(); });
  }

  _fit(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  }

  _render() {
    const ex = this._ex;
    if (!ex) return;
    let done;
    try {
      // Descents advance one step per frame (at most ~60 a second): the reader sees the path grow.
      if (this._descending && performance.now() - this._lastStep >= 15) {
        this._lastStep = performance.now();
        this._descending = this._call(() => ex.stepDescents());
        if (!this._descending && this._descentDone) {
          this._descentDone(this.paths);
          this._descentDone = null;
        }
      }
      done = this._call(() => ex.work(this._dragging ? 30 : 12));
    } catch (e) {
      if (!this._recovering) this._showError(`Computation failed: ${e.message ?? e}`);
      return;
    }
    const dark = this._dark;
    this._root.classList.toggle('dark', dark);
    try {
      this._call(() => {
        // While a slider is held, canvases scrolled out of view wait for its release.
        const show = (c) => c && (!this._dragging || this._inView.has(c)) && (this._fit(c), true);
        this._landCanvases.forEach((c, i) => {
          if (show(c)) this._rects[i] = ex.drawLandscape(i, c, this._colourOpts(i, dark));
        });
        if (show(this._density)) ex.drawDensity(this._density, dark);
        if (show(this._pressure)) ex.drawPressure(this._pressure, dark);
        if (show(this._ratio)) ex.drawPressureRatio(this._ratio, dark);
        if (show(this._samplingCanvas)) {
          const smp = this._samples;
          ex.drawSampling(this._samplingCanvas, smp.n, smp.reps, smp.seed, dark);
          this._samplingText.textContent = this._samplingSummary();
        }
        if (show(this._tradeoffCanvas)) {
          ex.drawTradeoff(this._tradeoffCanvas, dark);
          this._tradeoffText.textContent = this._tradeoffSummary();
        }
      });
    } catch (e) {
      if (!this._recovering) this._showError(`Drawing failed: ${e.message ?? e}`);
      return;
    }
    this._frame += 1;
    if (!done || this._descending) { this._schedule(); if (!done) return; }
    const key = JSON.stringify(this._state);
    // The address bar follows the state once a slider is let go (a URL per drag frame costs ~1 ms).
    if (this.hasAttribute('link') && !this._dragging && key !== this._lastUrl) {
      this._lastUrl = key;
      history.replaceState(null, '', `#${this.fragment()}`);
    }
    if (key !== this._lastEvent) {
      this._lastEvent = key;
      this.dispatchEvent(new CustomEvent('divergence-change', { detail: { state: this.state, optima: this.optima } }));
    }
    if (this._readyResolve) { this._readyResolve(); this._readyResolve = null; }
  }
}

if (!customElements.get('divergence-explorer')) customElements.define('divergence-explorer', DivergenceExplorer);
