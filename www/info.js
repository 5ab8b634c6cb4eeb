// ───────────────────────────── FALLBACK: DELETE AT MERGE ─────────────────────────────
// The divergence registry, parameter ranges and presets are the core's facts, read from the
// wasm module's `divergenceInfo()`, `paramInfo()` and `presetInfo()` (issue 13). Until the
// wasm exports them, `withInfo` adds this copy of the same facts to the module; once the
// module has all three, it is returned untouched. At merge: delete this file and the
// `withInfo(...)` wrapper in host.js; nothing else in www/ refers to it.

const TITLES = {
  forward_kl: 'Forward KL', reverse_kl: 'Reverse KL', jensen_shannon: 'Jensen–Shannon',
  hellinger: 'Hellinger', bhattacharyya: 'Bhattacharyya', total_variation: 'Total variation',
  pearson_chi2: 'Pearson χ²', neyman_chi2: 'Neyman χ²', amari: 'Amari α', renyi: 'Rényi',
  fisher: 'Fisher', ksd: 'KSD²', mmd: 'MMD²', log_ksd: 'log KSD²',
};
const PARAMS = { amari: ['alpha'], renyi: ['order'], mmd: ['bandwidth'], ksd: ['kernelC', 'kernelBeta'], log_ksd: ['kernelC', 'kernelBeta'] };
const CLOSED = ['forward_kl', 'pearson_chi2', 'mmd'];
const ROWS = ['reverse_kl', 'jensen_shannon', 'hellinger', 'bhattacharyya', 'amari', 'renyi', 'ksd', 'log_ksd'];

const divergenceInfo = () => Object.entries(TITLES).map(([name, title]) => ({
  name,
  title,
  params: PARAMS[name] ?? [],
  path: CLOSED.includes(name) ? 'closed_form' : ROWS.includes(name) ? 'row' : 'cell',
  scale: name === 'ksd' ? 'linear' : 'log',
}));

const paramInfo = () => [
  { key: 'alpha', label: 'alpha', min: -3, max: 3, step: 0.01, default: 0,
    snaps: [{ value: -1, label: 'reverse KL' }, { value: 0, label: '4·Hellinger' }, { value: 1, label: 'forward KL' }] },
  { key: 'order', label: 'order', min: 0.05, max: 5, step: 0.01, default: 0.5,
    snaps: [{ value: 0.5, label: '2·Bhattacharyya' }, { value: 1, label: 'forward KL' }, { value: 2, label: 'log(1 + χ²)' }] },
  { key: 'bandwidth', label: 'bandwidth', min: 0.05, max: 10, step: 0.01, default: 1, snaps: [] },
  { key: 'kernelC', label: 'kernel c', min: 0.1, max: 5, step: 0.01, default: 1, snaps: [] },
  { key: 'kernelBeta', label: 'kernel beta', min: 0.05, max: 2, step: 0.01, default: 0.5, snaps: [] },
];

/** The module with `divergenceInfo`, `paramInfo` and `presetInfo`: its own, or this copy. */
export function withInfo(mod) {
  if (['divergenceInfo', 'paramInfo', 'presetInfo'].every((f) => typeof mod[f] === 'function')) return mod;
  const presetInfo = () => ['blog-kl', 'blog-stein', 'asymmetric', 'three-modes', 'light-mode']
    .map((name) => ({ name, state: mod.Explorer.presetState(name) }));
  return { ...mod, divergenceInfo, paramInfo, presetInfo };
}
// ─────────────────────────── END FALLBACK: DELETE AT MERGE ───────────────────────────
