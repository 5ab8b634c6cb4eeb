// The control column: preset, target components, q, the divergence picker, parameters,
// optimisation and colours. Every control is a real form control with an accessible name
// (SPEC §5); each edits the state through `setState`, and `sync()` brings them back in line
// with the state after any change. Ranges and labels of parameters come from the core.
import { h, fmt, list } from './util.js';
import { keepInView } from './input.js';
import { setText } from './status.js';

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
 * and buttons that snap to named points. Returns the row; `row.sync()` re-reads the value.
 * A bad number stays in its field, marked invalid, with the message beside it. */
export function slider(x, { label, min, max, step = STEP, get, set, marks = [] }) {
  const id = `${label.replace(/\W+/g, '-')}-${++fieldIds}`;
  const range = h('input', { type: 'range', min, max, step, 'aria-label': label });
  // A text field with the spinbutton role: it keeps whatever the reader typed, even when it
  // is not a number, so the message can say what is wrong with it.
  const num = h('input', { type: 'text', inputmode: 'decimal', role: 'spinbutton', 'aria-label': `${label} value`, class: 'num', autocomplete: 'off' });
  const msg = h('span', { class: 'field-error', id: `err-${id}`, 'aria-live': 'polite' });
  const invalid = (text) => {
    msg.textContent = text;
    if (text) {
      num.setAttribute('aria-invalid', 'true');
      num.setAttribute('aria-describedby', msg.id);
    } else {
      num.removeAttribute('aria-invalid');
      num.removeAttribute('aria-describedby');
    }
  };
  const apply = (raw, from) => {
    const v = Number(String(raw).trim());
    if (String(raw).trim() === '' || !Number.isFinite(v)) { invalid(`'${raw}' is not a number`); return; }
    try {
      x.setState(set(v));
    } catch (e) {
      // Said beside the field; the banner would repeat it and push the layout.
      x._clearError();
      if (from === num) invalid(e.message); else x._showError(e.message);
      return;
    }
    invalid('');
    if (from !== num) num.value = fmt(get());
  };
  range.addEventListener('input', () => apply(range.value, range));
  // While a slider is held the element computes coarser, quicker landscapes.
  range.addEventListener('pointerdown', () => x._beginDrag(range));
  range.addEventListener('change', () => apply(range.value, range));
  num.addEventListener('change', () => apply(num.value, num));
  num.addEventListener('keydown', (e) => {
    const d = { ArrowUp: 1, ArrowDown: -1 }[e.key];
    if (!d || num.getAttribute('aria-invalid')) return;
    e.preventDefault();
    apply(String(+(get() + d * step).toFixed(10)), range);
  });
  touchSlider(range);
  const row = h('label', { class: 'slider' }, h('span', {}, label), range, num, msg);
  if (marks.length) {
    const listId = `marks-${id}`;
    range.setAttribute('list', listId);
    row.append(h('datalist', { id: listId }, ...marks.map((m) => h('option', { value: m.value }))));
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
    range.setAttribute('aria-valuetext', fmt(v));
    // A field holding the reader's bad input keeps it until they change it.
    if (active !== num && !num.getAttribute('aria-invalid')) num.value = fmt(v);
  };
  return row;
}

let fieldIds = 0;

// Touch on a slider, as phones expect: a vertical swipe scrolls the page and leaves the value
// alone; only a horizontal drag or a tap moves it. Chromium sets the value where a touch
// starts, before anyone knows whether it is a scroll: that value is held back until the touch
// shows itself horizontal (or ends as a tap), and dropped if it turns out to be a scroll.
function touchSlider(range) {
  let start = null;
  const release = () => range.dispatchEvent(new Event('input', { bubbles: true }));
  range.addEventListener('touchstart', (e) => {
    const t = e.touches[0];
    start = { x: t.clientX, y: t.clientY, value: range.value, decided: false, held: false };
  }, { passive: true });
  range.addEventListener('input', (e) => {
    if (!start || !e.isTrusted) return;
    if (start.decided && !start.scroll) return;
    e.stopImmediatePropagation();
    if (start.scroll) range.value = start.value; else start.held = true;
  }, { capture: true });
  range.addEventListener('touchmove', (e) => {
    if (!start || start.decided) return;
    const t = e.touches[0];
    const dx = Math.abs(t.clientX - start.x);
    const dy = Math.abs(t.clientY - start.y);
    if (dx + dy < 6) return;
    start.decided = true;
    start.scroll = dy > dx;
    if (start.scroll) range.value = start.value;
    else if (start.held) release();
  }, { passive: true });
  const end = () => {
    const tap = start && !start.decided && start.held;
    start = null;
    if (tap) release();
  };
  range.addEventListener('touchend', end);
  range.addEventListener('touchcancel', () => { if (start) range.value = start.value; start = null; });
}

/** The control column of one element (`x`); `controls` lists the groups to show (all if empty). */
export class Controls {
  constructor(x) {
    this.x = x;
    this.rows = [];
    this.componentRows = [];
  }

  /** The column for the element's current `controls` attribute. */
  build() {
    const x = this.x;
    const only = list(x.getAttribute('controls'));
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
      // q stays in view: a value beyond the landscapes' view widens it, and the note says so.
      this.viewNote = h('p', { class: 'note view-note', role: 'status' });
      const setQ = (q) => {
        const out = keepInView(x._state, q);
        setText(this.viewNote, out.view
          ? `View widened to μ ∈ [${fmt(out.view.muRange[0])}, ${fmt(out.view.muRange[1])}], σ ∈ [${fmt(out.view.sigmaRange[0])}, ${fmt(out.view.sigmaRange[1])}] to keep q in sight.`
          : '');
        return out;
      };
      box.append(h('fieldset', {}, h('legend', {}, 'Model q = N(μ, σ²)'),
        this.add({ label: 'q mean', min: Q_MEAN[0], max: Q_MEAN[1], get: () => x._state.q.mu, set: (v) => setQ({ mu: v }) }),
        this.add({ label: 'q std', min: Q_STD[0], max: Q_STD[1], get: () => x._state.q.sigma, set: (v) => setQ({ sigma: v }) }),
        this.viewNote));
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
    this.metric = h('select', { 'aria-label': 'Descent metric' },
      h('option', { value: 'fisher' }, 'Fisher (natural gradient)'),
      h('option', { value: 'euclidean' }, 'Euclidean (μ, σ)'),
      h('option', { value: 'log-sigma' }, 'Euclidean (μ, log σ)'));
    this.metric.value = x._state.metric;
    this.metric.addEventListener('change', () => {
      try { x.setState({ metric: this.metric.value }); } catch { this.metric.value = x._state.metric; }
    });
    return h('fieldset', {}, h('legend', {}, 'Optimisation'),
      h('label', {}, 'paths and basins in the metric ', this.metric),
      h('div', { role: 'radiogroup', 'aria-label': 'Clicking a landscape' },
        h('span', { class: 'hint' }, 'Clicking a landscape'),
        mode('move', 'moves q'), mode('descend', 'starts gradient descent there')),
      h('label', { class: 'check' }, this.basinBox, 'basins of attraction'),
      h('div', { class: 'buttons' }, clear));
  }

  colours() {
    const x = this.x;
    const log = h('input', { type: 'checkbox', 'aria-label': 'Log colour scale', checked: x._display.logScale });
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
    if (this.metric) this.metric.value = x._state.metric;
    if (this.preset && this.preset.value !== x._preset) this.preset.value = x._preset;
  }
}
