// The control column: preset, target components, q, the divergence picker, parameters,
// optimisation and colours. Every control is a real form control with an accessible name
// (SPEC §5); each edits the state through `setState`, and `sync()` brings them back in line
// with the state after any change. Ranges and labels of parameters come from the core.
import { h, fmt, list } from './util.js';

// Ranges of the sliders that are page choices rather than parameters of the core.
const Q_MEAN = [-10, 10];
const Q_STD = [0.05, 6];
const WEIGHT = [0.01, 1];
const MEAN = [-10, 10];
const STD = [0.05, 5];
const MAX_COMPONENTS = 8;
const STEP = 0.01;

/** A range with a number field, labelled `label`; `get()` reads the value from the state,
 * `set(v)` turns a value into a partial state. `marks` (`[{value, label}]`) become tick marks
 * and buttons that snap to named points. Returns the row; `row.sync()` re-reads the value. */
export function slider(x, { label, min, max, step = STEP, get, set, marks = [] }) {
  const range = h('input', { type: 'range', min, max, step, 'aria-label': label });
  const num = h('input', { type: 'number', step: 'any', 'aria-label': `${label} value`, class: 'num' });
  const apply = (raw, from) => {
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v)) { x._showError(`${label}: '${raw}' is not a number`); return; }
    try {
      x.setState(set(v));
      if (from !== num) num.value = fmt(v);
    } catch { /* shown by setState; the previous state stays */ }
  };
  range.addEventListener('input', () => apply(range.value, range));
  // While a slider is held the element computes coarser, quicker landscapes.
  range.addEventListener('pointerdown', () => x._setDragging(true));
  range.addEventListener('change', () => x._setDragging(false));
  num.addEventListener('change', () => apply(num.value, num));
  const row = h('label', { class: 'slider' }, h('span', {}, label), range, num);
  if (marks.length) {
    const id = `marks-${label.replace(/\W+/g, '-')}`;
    range.setAttribute('list', id);
    row.append(h('datalist', { id }, ...marks.map((m) => h('option', { value: m.value }))));
    const bar = h('div', { class: 'marks' }, h('span', {}, 'snap to'));
    for (const m of marks) {
      const b = h('button', { type: 'button', title: `${label} = ${m.value}`, 'aria-label': `${label}: ${m.label} (${m.value})` }, m.label);
      b.addEventListener('click', (e) => { e.preventDefault(); apply(String(m.value), b); });
      bar.append(b);
    }
    row.append(bar);
  }
  row.sync = () => {
    const v = get();
    const active = x.shadowRoot.activeElement;
    if (document.activeElement !== range && active !== range) range.value = v;
    if (active !== num) num.value = fmt(v);
  };
  return row;
}

/** The control column of one element (`x`); `controls` lists the groups to show (all if empty). */
export class Controls {
  constructor(x) {
    this.x = x;
    this.rows = [];
    this.componentRows = [];
  }

  /** The column for the element's current `show-controls` (alias `controls`) attribute. */
  build() {
    const x = this.x;
    const only = list(x.getAttribute('show-controls') ?? x.getAttribute('controls'));
    const want = (k) => only.length === 0 || only.includes(k);
    const box = h('div', { class: 'controls' });
    this.rows = [];
    this.preset = this.compBox = this.picker = this.basinBox = null;
    if (x.hasAttribute('link')) box.append(...x._url.control());
    if (want('preset')) box.append(this.presetRow());
    if (want('target')) {
      this.compBox = h('fieldset', { class: 'components' });
      box.append(this.compBox);
      this.buildComponents();
    }
    if (want('q')) {
      box.append(h('fieldset', {}, h('legend', {}, 'Model q = N(μ, σ²)'),
        this.add({ label: 'q mean', min: Q_MEAN[0], max: Q_MEAN[1], get: () => x._state.q.mu, set: (v) => ({ q: { mu: v } }) }),
        this.add({ label: 'q std', min: Q_STD[0], max: Q_STD[1], get: () => x._state.q.sigma, set: (v) => ({ q: { sigma: v } }) })));
    }
    if (want('divergences')) box.append(this.divergencePicker());
    if (want('params')) {
      box.append(h('fieldset', {}, h('legend', {}, 'Parameters'), ...x._host.info.params.map((p) => this.add({
        label: p.label, min: p.min, max: p.max, step: p.step, marks: p.snaps,
        get: () => x._state.params[p.key], set: (v) => ({ params: { [p.key]: v } }),
      }))));
    }
    if (want('paths')) box.append(this.optimisation());
    if (want('colors')) box.append(this.colours());
    return box;
  }

  /** A slider kept in sync with the state (see `slider`). */
  add(opts, rows = this.rows) {
    const row = slider(this.x, opts);
    rows.push(row);
    return row;
  }

  presetRow() {
    const x = this.x;
    const names = x._host.info.presets.map((p) => p.name);
    this.preset = h('select', { 'aria-label': 'Preset' }, ...names.map((p) => h('option', { value: p }, p)));
    this.preset.value = x._preset;
    this.preset.addEventListener('change', () => x.setPreset(this.preset.value));
    return h('label', { class: 'row' }, h('span', {}, 'Preset'), this.preset);
  }

  /** One fieldset per target component (weight, mean, std), and add/remove buttons. */
  buildComponents() {
    const x = this.x;
    const box = this.compBox;
    if (!box) return;
    box.replaceChildren(h('legend', {}, 'Target p: mixture components'));
    this.componentRows = [];
    const target = x._state.target;
    target.forEach((_, k) => {
      const n = k + 1;
      const row = (key, [min, max]) => this.add({
        label: `Component ${n} ${key}`, min, max,
        get: () => x._state.target[k][key],
        set: (v) => ({ target: x._state.target.map((t, j) => (j === k ? { ...t, [key]: v } : t)) }),
      }, this.componentRows);
      box.append(h('div', { class: 'component' }, h('strong', {}, `Component ${n}`),
        row('weight', WEIGHT), row('mean', MEAN), row('std', STD)));
    });
    const add = h('button', { type: 'button' }, 'Add component');
    add.disabled = target.length >= MAX_COMPONENTS;
    add.addEventListener('click', () => {
      const t = x._state.target;
      const last = t[t.length - 1];
      x.setState({ target: [...t, { weight: last.weight, mean: Math.min(last.mean + 2, MEAN[1]), std: last.std }] });
    });
    const rm = h('button', { type: 'button' }, 'Remove last component');
    rm.disabled = target.length <= 1;
    rm.addEventListener('click', () => x.setState({ target: x._state.target.slice(0, -1) }));
    box.append(h('div', { class: 'buttons' }, add, rm));
    this.compCount = target.length;
  }

  divergencePicker() {
    const x = this.x;
    const box = h('fieldset', { class: 'picker' }, h('legend', {}, 'Divergences'));
    for (const { name, title } of x._host.info.divergences) {
      const cb = h('input', { type: 'checkbox', value: name });
      cb.addEventListener('change', () => {
        const cur = x._state.divergences.filter((d) => d !== name);
        const next = cb.checked ? [...x._state.divergences, name] : cur;
        try { x.setState({ divergences: next }); } catch { cb.checked = !cb.checked; }
      });
      box.append(h('label', { class: 'check' }, cb, title));
    }
    this.picker = box;
    return box;
  }

  optimisation() {
    const x = this.x;
    const mode = (value, text) => {
      const r = h('input', { type: 'radio', name: 'click-mode', value, checked: x._descents.clickMode === value });
      r.addEventListener('change', () => { if (r.checked) x._descents.clickMode = value; });
      return h('label', { class: 'check' }, r, text);
    };
    const clear = h('button', { type: 'button' }, 'Clear paths');
    clear.addEventListener('click', () => x.clearPaths());
    this.basinBox = h('input', { type: 'checkbox', 'aria-label': 'Basins of attraction', checked: x.basins });
    this.basinBox.addEventListener('change', () => { x.basins = this.basinBox.checked; });
    return h('fieldset', {}, h('legend', {}, 'Optimisation'),
      h('div', { role: 'radiogroup', 'aria-label': 'Clicking a landscape' },
        h('span', { class: 'hint' }, 'Clicking a landscape'),
        mode('move', 'moves q'), mode('descend', 'starts gradient descent there')),
      h('label', { class: 'check' }, this.basinBox, 'basins of attraction'),
      h('div', { class: 'buttons' }, clear));
  }

  colours() {
    const x = this.x;
    const log = h('input', { type: 'checkbox', 'aria-label': 'Log colour scale', checked: x._display.logScale });
    this.logBox = log;
    log.addEventListener('change', () => { x._display.logScale = log.checked; x._schedule(); });
    const clip = h('input', { type: 'range', min: 0.5, max: 1, step: 0.01, value: x._display.clip, 'aria-label': 'Colour clip quantile' });
    clip.addEventListener('input', () => { x._display.clip = Number(clip.value); x._schedule(); });
    return h('fieldset', {}, h('legend', {}, 'Colours'),
      h('label', { class: 'check' }, log, 'log scale'),
      h('label', { class: 'slider' }, h('span', {}, 'clip at quantile'), clip));
  }

  /** Brings every control in line with the element's state. */
  sync() {
    const x = this.x;
    if (this.compBox && this.compCount !== x._state.target.length) this.buildComponents();
    for (const r of [...this.rows, ...this.componentRows]) r.sync();
    if (this.picker) {
      for (const cb of this.picker.querySelectorAll('input')) cb.checked = x._state.divergences.includes(cb.value);
    }
    if (this.basinBox) this.basinBox.checked = x.basins;
    if (this.logBox) this.logBox.checked = x._display.logScale;
    if (this.preset && this.preset.value !== x._preset) this.preset.value = x._preset;
  }
}
