#!/usr/bin/env node
// Soak: many scripted state changes in headless Chromium, each followed by a rendered frame,
// measuring wasm memory and the JS heap (after a forced GC) from warm-up to the end.
//   node tests/soak.mjs [CHANGES]   (default 10000; prints JSON, writes out/soak.json)
// The browser test runs a shorter variant through `soak()`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { start, settled, heapAfterGc, canvasHash, onElement, OUT } from './browser.mjs';

/** Runs `changes` state changes on the element of `page` (warm-up: the first tenth). */
export async function soak(page, changes) {
  const warm = Math.max(1, Math.round(changes / 10));
  const run = (from, to) => onElement(page, async (el, [from, to]) => {
    // A seeded walk over every kind of change the page's controls make.
    let seed = 12345 + from;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    const sets = [['reverse_kl', 'forward_kl'], ['hellinger', 'amari'], ['jensen_shannon', 'reverse_kl', 'renyi'], ['pearson_chi2']];
    const frame = () => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
    let errors = 0;
    for (let k = from; k < to; k++) {
      const s = el.state;
      const kind = k % 7;
      let change;
      if (kind <= 2) change = { q: { mu: -6 + 12 * rnd(), sigma: 0.5 + 4 * rnd() } };
      else if (kind === 3) change = { target: s.target.map((c, j) => (j === k % s.target.length ? { ...c, mean: -5 + 10 * rnd() } : c)) };
      else if (kind === 4) change = { target: s.target.map((c) => ({ ...c, std: 0.3 + 2 * rnd(), weight: 0.1 + rnd() })) };
      else if (kind === 5) change = { params: { alpha: -2 + 4 * rnd(), order: 0.1 + 2 * rnd() } };
      else change = { divergences: sets[Math.floor(k / 7) % sets.length] };
      try { el.setState(change); } catch { errors++; }
      await frame();
    }
    return errors;
  }, [from, to]);
  const memory = async () => ({ wasm: await onElement(page, (el) => el.wasmMemoryBytes), heap: await heapAfterGc(page) });
  let errors = await run(0, warm);
  const before = await memory();
  const t0 = Date.now();
  errors += await run(warm, changes);
  const seconds = (Date.now() - t0) / 1000;
  const afterRun = await memory();
  return {
    changes,
    warmup: warm,
    errors,
    seconds,
    wasmBytes: [before.wasm, afterRun.wasm],
    heapBytes: [before.heap, afterRun.heap],
    wasmGrowth: afterRun.wasm - before.wasm,
    heapGrowth: afterRun.heap - before.heap,
  };
}

/** The post's view after a soak draws exactly what a fresh page draws. */
export async function lastFrameMatches(env, page) {
  await onElement(page, (el) => el.setPreset('blog-kl'));
  await settled(page);
  const fresh = await env.page('index.html');
  await settled(fresh);
  const [a, b] = [await canvasHash(page, 0), await canvasHash(fresh, 0)];
  const [c, d] = [await canvasHash(page, 1), await canvasHash(fresh, 1)];
  await fresh.context().close();
  return a === b && c === d;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 10000);
  const env = await start();
  const page = await env.page('index.html');
  await settled(page);
  const r = await soak(page, n);
  r.lastFrameCorrect = await lastFrameMatches(env, page);
  r.console = page.messages;
  await env.close();
  writeFileSync(`${OUT}soak.json`, JSON.stringify(r, null, 2));
  console.log(JSON.stringify(r, null, 2));
}
