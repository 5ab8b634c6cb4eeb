#!/usr/bin/env node
// The core's landscapes in wasm under Node (the shipped bundle, www/pkg), timed like the
// native table's "+ minima" column: the post's view, 128², 256² and 512² (or the sizes
// given), each divergence alone on an `Explorer` worked to the end (landscape and refined
// minima, the page's own path), best of 3 (one run when the first takes over 1 s). Prints
// JSON lines; writes out/wasm_bench.json.
//   node tests/wasm_bench.mjs [N,N,…]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import init, { Explorer, divergenceInfo } from '../www/pkg/divergence_web.js';

await init({ module_or_path: readFileSync(new URL('../www/pkg/divergence_web_bg.wasm', import.meta.url)) });
// One row per divergence: display variants (log_ksd) share their divergence's symbol.
const names = divergenceInfo().filter((d, i, all) => all.findIndex((e) => e.symbol === d.symbol) === i).map((d) => d.name);
const sizes = (process.argv[2] ?? '128,256,512').split(',').map(Number);
const base = Explorer.presetState('blog-kl');
const rows = [];
for (const name of names) {
  for (const n of sizes) {
    const run = () => {
      const ex = new Explorer();
      ex.setResolution(n, n);
      ex.setState({ ...base, divergences: [name], view: { muRange: [-7, 7], sigmaRange: [0.5, 5] } });
      const t = performance.now();
      while (!ex.work(1e9));
      const secs = (performance.now() - t) / 1000;
      ex.free();
      return secs;
    };
    const first = run();
    const secs = first > 1 ? first : Math.min(first, run(), run());
    rows.push({ name, n, secs });
    console.log(JSON.stringify({ name, grid: `${n}x${n}`, seconds: +secs.toFixed(4) }));
  }
}
mkdirSync(new URL('../out/', import.meta.url), { recursive: true });
writeFileSync(new URL('../out/wasm_bench.json', import.meta.url), JSON.stringify(rows, null, 2));
