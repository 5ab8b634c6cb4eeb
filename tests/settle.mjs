#!/usr/bin/env node
// Longest frame gap and settle time after a change, per blog preset: five arrow-key steps on
// `Component 2 mean` (blog-kl, blog-stein, and blog-kl at 512²), and ticking KSD² on
// blog-kl. The page records performance.now() at every animation frame and the duration of
// every `Explorer.work` call; the gap is the longest interval between frames from the first
// key to `settled()`, the settle time runs from the last key (or the tick) to `settled()`;
// gaps that overlap one of the machine's slow spells (`stalls.mjs`) are told apart, and each
// gap over 50 ms is read in Chromium's trace (`cpu.mjs`: the page thread's and our scripts'
// CPU time in it). A benchmark, not a test.
//   node tests/settle.mjs [CASE…]   (default: every case) — writes out/settle.json
import { writeFileSync } from 'node:fs';
import { start, settled, onElement, OUT } from './browser.mjs';
import { watchSlowSpells, inSpell } from './stalls.mjs';
import { startCpuTrace, stopCpuTrace, gapSummary } from './cpu.mjs';

const cases = [
  { name: 'blog-kl: 5 arrow steps on Component 2 mean', preset: 'blog-kl', keys: 5 },
  { name: 'blog-stein: 5 arrow steps on Component 2 mean', preset: 'blog-stein', keys: 5 },
  { name: 'blog-kl: KSD² ticked', preset: 'blog-kl', tick: 'ksd' },
  { name: 'blog-kl at 512²: 5 arrow steps on Component 2 mean', preset: 'blog-kl', keys: 5, res: [512, 512] },
].filter((c) => process.argv.length < 3 || process.argv.slice(2).some((a) => c.name.startsWith(a)));

const env = await start();
const results = [];
for (const c of cases) {
  const page = await env.page('index.html', { width: 1400, height: 1000 });
  await settled(page);
  await onElement(page, (el, c) => { el.setPreset(c.preset); if (c.res) el.resolution = c.res; }, c);
  await settled(page, undefined, 300_000);
  // Frame and work-call recorders, from now on.
  await page.evaluate(async () => {
    window.__frames = [];
    window.__work = [];
    window.__draw = [];
    // The wasm module the element loaded (the same instance: the same URL); its calls are
    // timed on the class, not through the element's private members.
    const { Explorer } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
    const timed = (obj, key, into) => {
      const f = obj[key];
      obj[key] = function (...a) {
        const t = performance.now();
        try { return f.apply(this, a); } finally { into.push([performance.now() - t, key]); }
      };
    };
    for (const k of Object.getOwnPropertyNames(Explorer.prototype)) {
      if (k.startsWith('draw')) timed(Explorer.prototype, k, window.__draw);
    }
    timed(Explorer.prototype, 'work', window.__work);
    const loop = () => { window.__frames.push(performance.now()); requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  });
  // (Started a second ahead: its workers' start and sizing take both cores for a moment,
  // which would land on the change's first frames.)
  const watch = watchSlowSpells();
  await startCpuTrace(env.browser, page);
  await new Promise((ok) => setTimeout(ok, 1000));
  const t0 = await page.evaluate(() => { performance.mark('settle-change'); return performance.now(); });
  if (c.keys) {
    const range = page.locator('divergence-explorer input[type=range][aria-label="Component 2 mean"]');
    await range.focus();
    for (let k = 0; k < c.keys; k++) await page.keyboard.press('ArrowRight');
  } else {
    await page.locator(`divergence-explorer input[type=checkbox][value="${c.tick}"]`).check();
  }
  const t1 = await page.evaluate(() => performance.now());
  await settled(page, undefined, 300_000);
  // (Read before the watcher and the trace stop: stopping takes a while.)
  const end = await page.evaluate(() => performance.now());
  const { slow } = await watch.stop();
  const cpuIn = await stopCpuTrace(env.browser, 'settle-change', t0);
  const { spans, frames, ...r } = await page.evaluate(([t0, t1, end]) => {
    const f = window.__frames.filter((t) => t >= t0 && t <= end);
    f.push(end);
    const o = performance.timeOrigin;
    return {
      spans: f.slice(1).map((t, i) => [o + f[i], o + t]),
      frames: f,
      settleMs: Math.round(end - t1),
      workCalls: window.__work.length,
      longestWorkMs: Math.round(Math.max(0, ...window.__work.map(([d]) => d))),
      longestDrawMs: Math.round(Math.max(0, ...window.__draw.map(([d]) => d))),
      longestDraw: window.__draw.reduce((a, b) => (b[0] > a[0] ? b : a), [0, ''])[1],
    };
  }, [t0, t1, end]);
  const gaps = spans.map(([a, b]) => b - a);
  const clear = spans.filter((g) => !inSpell(slow, g)).map(([a, b]) => b - a);
  Object.assign(r, {
    longestGapMs: Math.round(Math.max(0, ...gaps)),
    gapsOver50: gaps.filter((g) => g > 50).length,
    longestClearGapMs: Math.round(Math.max(0, ...clear)),
    clearGapsOver50: clear.filter((g) => g > 50).length,
    longGaps: frames.slice(1).map((t, i) => [frames[i], t]).filter(([a, b]) => b - a > 50)
      .map(([a, b]) => ({ at: Math.round(a - t0), gapMs: Math.round(b - a), ...cpuIn([a, b]) })),
  });
  Object.assign(r, gapSummary(r.longGaps));
  const out = { name: c.name, ...r };
  console.log(JSON.stringify(out));
  results.push(out);
  await page.context().close();
}
await env.close();
writeFileSync(`${OUT}settle.json`, JSON.stringify(results, null, 2));
