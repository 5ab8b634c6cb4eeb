// Exports of every panel: PNG at the canvas's device resolution, SVG drawn by the wasm side,
// and a landscape's values as JSON (the shape of `divergence landscape`) or CSV.
import { h } from './util.js';

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The exports of panel `kind` (`i`: which landscape) of element `x`, its PNG from `canvas` (or
 * the canvas a function returns): a row of buttons on the full page; in an embed one small
 * "Export" button opening them as a menu (none with `exports="off"`). */
export function toolbar(x, kind, i, canvas) {
  const name = () => (kind === 'landscape' ? x._state.divergences[i] : kind);
  const what = () => (kind === 'landscape' ? x._host.title(name()) : kind);
  const label = (format) => `Export ${what()} as ${format}`;
  let close = () => {};
  const button = (format, fn) => h('button', { type: 'button', 'aria-label': label(format), onclick: () => {
    try { fn(); } catch (e) { x._showError(`Export failed: ${e.message ?? e}`); }
    close();
  } }, format);
  const buttons = [
    button('PNG', () => (typeof canvas === 'function' ? canvas() : canvas).toBlob((b) => download(b, `${name()}.png`), 'image/png')),
    button('SVG', () => download(new Blob([exportSvg(x, kind, i)], { type: 'image/svg+xml' }), `${name()}.svg`))];
  if (kind === 'landscape') {
    buttons.push(
      button('CSV', () => download(new Blob([exportCsv(x, i)], { type: 'text/csv' }), `${name()}.csv`)),
      button('JSON', () => download(new Blob([JSON.stringify(exportJson(x, i))], { type: 'application/json' }), `${name()}.json`)));
  }
  if (x._page) return h('div', { class: 'toolbar' }, ...buttons);
  if (/^(off|none|false)$/i.test(x.getAttribute('exports') ?? '')) return '';
  const menu = h('div', { class: 'menu', role: 'group', hidden: true }, ...buttons);
  const open = h('button', { type: 'button', class: 'export', 'aria-expanded': 'false', 'aria-label': `Export ${what()}` }, 'Export ▾');
  close = () => { menu.hidden = true; open.setAttribute('aria-expanded', 'false'); };
  open.addEventListener('click', () => {
    menu.hidden = !menu.hidden;
    open.setAttribute('aria-expanded', String(!menu.hidden));
  });
  const wrap = h('div', { class: 'toolbar menu-wrap' }, open, menu);
  wrap.addEventListener('keydown', (e) => { if (e.key === 'Escape') { close(); open.focus(); } });
  return wrap;
}

/** Panel `kind` as SVG text, at the size it has on the page (640 × 480 if not shown). */
export function exportSvg(x, kind = 'landscape', i = 0) {
  const c = x._panels.canvas(kind, i);
  const w = Math.round(c?.clientWidth || 640);
  const ht = Math.round(c?.clientHeight || 480);
  // The flows are drawn by their own wasm module (flow.js).
  if (kind === 'flow') return x._panels.flow.svg(w, ht, x._dark);
  return x._host.call((ex) => ex.exportSvg(kind, i, w, ht, x._panels.colourOpts(i, x._dark)));
}

/** Landscape `i` as computed so far: `{divergence, mu, sigma, values, minima}` with `values`
 * a Float64Array, row-major from the smallest σ, infinities and all. */
export function landscape(x, i = 0) {
  const [mu, sigma] = x._host.call((ex) => ex.landscapeAxes(i)).map((a) => Array.from(a));
  const values = x._host.call((ex) => ex.landscapeValues(i));
  const name = x._state.divergences[i];
  return { divergence: name, mu, sigma, values, minima: x.optima[name] ?? [] };
}

/** Landscape `i` as JSON data: one row of values per σ, an infinite value as `'inf'`. */
export function exportJson(x, i = 0) {
  const { divergence, mu, sigma, values: flat, minima } = landscape(x, i);
  const n = mu.length;
  const values = sigma.map((_, r) => Array.from(flat.subarray(r * n, (r + 1) * n), (v) => (Number.isFinite(v) ? v : 'inf')));
  return { divergence, mu, sigma, values, minima };
}

/** Landscape `i` as CSV: a header of μ values, then one row per σ. */
export function exportCsv(x, i = 0) {
  const j = exportJson(x, i);
  const lines = [['sigma\\mu', ...j.mu].join(',')];
  j.sigma.forEach((s, r) => lines.push([s, ...j.values[r]].join(',')));
  return `${lines.join('\n')}\n`;
}
