#!/usr/bin/env node
// The core's landscapes in wasm under Node (the shipped bundle, www/pkg), timed like the
// native table: the post's view, 128², 256² and 512² (or the sizes given), best of 3 (one
// run when the first takes over 1 s). Prints JSON lines; writes out/wasm_bench.json.
//   node tests/wasm_bench.mjs [N,N,…]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import init, { Explorer } from '../www/pkg/divergence_web.js';

await init({ module_or_path: readFileSync(new URL('../www/pkg/divergence_web_bg.wasm', import.meta.url)) });
const names = ['forward_kl', 'reverse_kl', 'jensen_shannon', 'hellinger', 'bhattacharyya', 'total_variation',
  'pearson_chi2', 'neyman_chi2', 'amari', 'renyi', 'fisher', 'ksd', 'mmd'];
const sizes = (process.argv[2] ?? '128,256,512').split(',').map(Number);
const rows = [];
for (const name of names) {
  for (const n of sizes) {
    const run = () => {
      const t = performance.now();
      Explorer.computeLandscape('0.5:-4:1,0.5:4:1', name, -7, 7, 0.5, 5, n, n);
      return (performance.now() - t) / 1000;
    };
    const first = run();
    const secs = first > 1 ? first : Math.min(first, run(), run());
    rows.push({ name, n, secs });
    console.log(JSON.stringify({ name, grid: `${n}x${n}`, seconds: +secs.toFixed(4) }));
  }
}
mkdirSync(new URL('../out/', import.meta.url), { recursive: true });
writeFileSync(new URL('../out/wasm_bench.json', import.meta.url), JSON.stringify(rows, null, 2));
