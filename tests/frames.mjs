#!/usr/bin/env node
// Frame times while a slider is dragged: the `Component 2 mean` slider is held and moved
// every frame for 5 s; the page records performance.now() at every frame (each one renders:
// the slider moves every frame, and the element draws in the frame's callbacks before the
// recording one) and every long task (PerformanceObserver); then the slider is released and
// the frames go on being recorded until the refined landscapes are drawn (`settled()`): the
// longest gap covers both. A benchmark, not a test.
//   node tests/frames.mjs [RESOLUTION]   e.g. 256x256 (default: the page's own)
// Prints JSON per configuration; writes out/frames-RESOLUTION.json.
import { writeFileSync } from 'node:fs';
import { start, settled, onElement, OUT } from './browser.mjs';

const configs = [
  { name: 'blog-kl (2 landscapes)', divergences: ['reverse_kl', 'forward_kl'] },
  { name: '4 landscapes', divergences: ['reverse_kl', 'forward_kl', 'hellinger', 'amari'] },
  { name: 'blog-stein (4 landscapes, KSD²)', preset: 'blog-stein' },
];
const [nMu, nSigma] = (process.argv[2] ?? '').split('x').map(Number);

const env = await start();
const results = [];
for (const c of configs) {
  const page = await env.page('index.html', { width: 1400, height: 1000 });
  await settled(page);
  await onElement(page, (el, c) => {
    if (c.preset) el.setPreset(c.preset);
    else el.setState({ divergences: c.divergences });
    if (c.res) el.resolution = c.res;
  }, { ...c, res: nMu ? [nMu, nSigma] : null });
  await settled(page);
  await page.evaluate(() => {
    window.__frames = [];
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
      .observe({ type: 'longtask', buffered: false });
  });
  // The drag, driven from inside the page at every animation frame: pointerdown on the
  // slider (the element goes into its dragging mode), a new value each frame, then change.
  const { frames, long, settleMs } = await page.evaluate(() => new Promise((done) => {
    const el = document.querySelector('divergence-explorer');
    const range = el.shadowRoot.querySelector('input[type=range][aria-label="Component 2 mean"]');
    range.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    const t0 = performance.now();
    let k = 0;
    const tick = () => {
      window.__frames.push(performance.now());
      if (performance.now() - t0 > 5000) {
        // Released: the time to the refined landscapes, and the frames meanwhile.
        const t1 = performance.now();
        let on = true;
        const more = () => { if (on) { window.__frames.push(performance.now()); requestAnimationFrame(more); } };
        range.dispatchEvent(new Event('change', { bubbles: true }));
        requestAnimationFrame(more);
        el.settled().then(() => {
          on = false;
          window.__frames.push(performance.now());
          done({ frames: window.__frames, long: window.__long, settleMs: performance.now() - t1 });
        });
        return;
      }
      range.value = String(3 + 1.5 * Math.sin(k++ / 20));
      range.dispatchEvent(new Event('input', { bubbles: true }));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }));
  const dt = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  const q = (f) => dt[Math.min(dt.length - 1, Math.floor(f * dt.length))];
  const r = {
    name: c.name,
    resolution: nMu ? `${nMu}x${nSigma}` : 'page default',
    frames: frames.length,
    medianMs: +q(0.5).toFixed(1),
    p95Ms: +q(0.95).toFixed(1),
    longestGapMs: +dt[dt.length - 1].toFixed(0),
    settleMs: +settleMs.toFixed(0),
    longTasks: long.length,
    longestTaskMs: long.length ? +Math.max(...long).toFixed(0) : 0,
  };
  console.log(JSON.stringify(r));
  results.push(r);
  await page.context().close();
}
await env.close();
writeFileSync(`${OUT}frames-${nMu ? `${nMu}x${nSigma}` : 'default'}.json`, JSON.stringify(results, null, 2));
