// Small helpers shared by the element's modules: DOM building, number formatting, state
// merging, loading the wasm modules.

/** A DOM element: `h('button', {type: 'button', onclick: fn}, 'text')`. Attributes that are
 * false, null or undefined are left out; `true` sets an empty attribute. */
export function h(tag, attrs = {}, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') n.className = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) n.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids) n.append(kid);
  return n;
}

/** A deep copy of plain data. */
export const clone = (x) => JSON.parse(JSON.stringify(x));

/** A comma-separated attribute as a list of non-empty, trimmed names. */
export const list = (text) => String(text ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** A number for people: six significant digits, exponents for very large or small values. */
export const fmt = (v) => (Number.isFinite(v)
  ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : `${+v.toPrecision(6)}`)
  : (v > 0 ? '+∞' : String(v)));

/** `partial` over `base`, one level deep: `{q: {mu}}` keeps q's sigma; arrays are replaced. */
export function merge(base, partial) {
  const out = clone(base);
  for (const [k, v] of Object.entries(partial ?? {})) {
    const nested = (x) => x && typeof x === 'object' && !Array.isArray(x);
    out[k] = nested(v) && nested(out[k]) ? { ...out[k], ...v } : v;
  }
  return out;
}

/** The first key of `obj` that `schema` (`{key: null | [nested keys]}`) does not know, as
 * `key` or `key.nested`; null when all are known. */
export function unknownKey(obj, schema) {
  for (const [k, v] of Object.entries(obj)) {
    if (!(k in schema)) return k;
    const bad = schema[k] && v && typeof v === 'object' && Object.keys(v).find((s) => !schema[k].includes(s));
    if (bad) return `${k}.${bad}`;
  }
  return null;
}

/** An Error from anything thrown (wasm-bindgen throws Errors; be safe with the rest). */
export const asError = (e) => (e instanceof Error ? e : new Error(String(e)));

/** Gives `canvas` a backing store of its CSS size at the screen's pixel ratio; true when that
 * changed its size (which clears it). */
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const ht = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width === w && canvas.height === ht) return false;
  [canvas.width, canvas.height] = [w, ht];
  return true;
}

const modules = new Map();
let instances = 0;

/** The wasm module `name` beside this file (`pkg/NAME.js` and `pkg/NAME_bg.wasm`) as `{mod,
 * exports}`: imported once and shared by every element on the page; `fresh` imports a new
 * instance (after a crash), which elements made later then share. A failed import is
 * retried at the next call. */
export function loadModule(name, fresh = false) {
  const load = async () => {
    const url = new URL(`./pkg/${name}.js`, import.meta.url);
    if (fresh) url.searchParams.set('instance', String(++instances));
    const mod = await import(url.href);
    const exports = await mod.default({ module_or_path: new URL(`./pkg/${name}_bg.wasm`, import.meta.url) });
    return { mod, exports };
  };
  if (fresh) {
    const loaded = load();
    loaded.then(() => modules.set(name, loaded), () => {});
    return loaded;
  }
  if (!modules.has(name)) modules.set(name, load().catch((e) => { modules.delete(name); throw e; }));
  return modules.get(name);
}
