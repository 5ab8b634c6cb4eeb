// www/explorer.d.ts under strict TypeScript: a script written against the element's API
// type-checks, and wrong uses of it are refused (so the declarations say something).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { OUT } from './browser.mjs';

const DIR = `${OUT}types/`;
const TSC = new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname;
const HEAD = "import type { DivergenceExplorer, Optima, ExplorerState } from '../../www/explorer.js';\n";

/** Type-checks `source` (a .ts file beside out/); returns tsc's exit status and output. */
function check(name, source) {
  mkdirSync(DIR, { recursive: true });
  const file = `${DIR}${name}.ts`;
  writeFileSync(file, HEAD + source);
  const r = spawnSync(process.execPath, [TSC, '--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext',
    '--moduleResolution', 'bundler', '--lib', 'es2022,dom', file], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('a script using the documented API type-checks', () => {
  const r = check('usage', `
const el: DivergenceExplorer | null = document.querySelector('divergence-explorer');
export async function main(): Promise<number> {
  if (!el) return 0;
  await el.ready;
  const s: ExplorerState = el.setState({ q: { mu: 1 }, params: { alpha: -1 } });
  el.setPreset('blog-stein');
  await el.settled();
  const o: Optima = el.optima;
  el.addEventListener('divergence-change', (e) => { console.log(e.detail.state.q.sigma, e.detail.optima); });
  el.resolution = [64, 48];
  const values: Float64Array = el.landscape(0).values;
  const width = el.plotArea(0)?.width ?? 0;
  el.basins = true;
  const paths = await el.descend(1, 2);
  const svg: string = el.exportSvg('density');
  const csv: string = el.exportCsv(0);
  const json = el.exportJson(0).values[0][0];
  return s.q.sigma + (o.reverse_kl?.[0]?.value ?? 0) + values[0] + width + paths[0].path[0][2]
    + svg.length + csv.length + (json === 'inf' ? 0 : json) + (el.sampling?.ess[0] ?? 0) + (el.tradeoff?.flip ?? 0)
    + el.recoveries + el.basinLabels(0).length + (el.state?.view.muRange[0] ?? 0);
}
`);
  assert.equal(r.status, 0, r.out);
});

test('wrong uses are type errors', () => {
  const cases = {
    'a string mean': "el.setState({ q: { mu: 'x' } });",
    'an unknown state key': 'el.setState({ nope: 1 });',
    'an unknown preset': "el.setPreset('nope');",
    'an unknown divergence': "el.setState({ divergences: ['kl'] });",
    'a read-only optima': 'el.optima = {};',
    'settled is a method': 'el.settled.then(() => 0);',
  };
  // One case a line (from line 3, after the import and the declaration); each must fail.
  const lines = Object.values(cases);
  const r = check('wrong', `declare const el: DivergenceExplorer;\n${lines.join('\n')}\nexport {};\n`);
  assert.notEqual(r.status, 0, r.out);
  Object.keys(cases).forEach((what, k) => {
    assert.match(r.out, new RegExp(`wrong\\.ts\\(${k + 3},\\d+\\): error TS\\d+`), `${what} was accepted: ${r.out}`);
  });
});
