#!/usr/bin/env node
// Frame times while a slider is dragged: the `Component 2 mean` slider is held and moved
// every frame for 5 s; the page records performance.now() at every frame (each one renders:
// the slider moves every frame, and the element draws in the frame's callbacks before the
// recording one), every long task and every frame of 50 ms or more with the time our scripts
// ran in it (PerformanceObserver); then the slider is released and the frames go on being
// recorded until the refined landscapes are drawn (`settled()`): the longest gap covers both.
// Meanwhile `stalls.mjs` watches the machine's own slow spells: a gap that overlaps one is
// the machine's, and `longestClearGapMs` is the longest gap outside them. Each gap over
// 50 ms is listed (`longGaps`; with FRAMES_METER=1, with the page thread's own speed at its
// two ends: a fixed sum timed at every recorded frame, over its median), and each long
// animation frame (`loaf`) with where its rendering began and the scripts it ran, and each
// long gap's CPU time from Chromium's trace (`cpu.mjs`): the page thread's, our scripts'
// (wall and CPU) and the busiest threads'. A benchmark, not a test.
//   node tests/frames.mjs [RESOLUTION]   e.g. 256x256 (default: the page's own)
//   FRAMES_ONLY=text runs only the configurations whose name contains it.
// Prints JSON per configuration; writes out/frames-RESOLUTION.json.
import { writeFileSync } from 'node:fs';
import { start, settled, onElement, OUT } from './browser.mjs';
import { watchSlowSpells, inSpell, spellCount } from './stalls.mjs';
import { startCpuTrace, stopCpuTrace, gapSummary } from './cpu.mjs';

const [nMu, nSigma] = (process.argv[2] ?? '').split('x').map(Number);

const env = await start();
// Every preset (the registry's list, read from the page), and four landscapes on the default.
const probe = await env.page('index.html', { width: 1400, height: 1000 });
await settled(probe);
const presets = await probe.evaluate(async () => {
  // The module instance the element loaded (the same URL): the registry's presets.
  const { presetInfo } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
  return presetInfo().map((p) => ({ name: p.name, n: p.state.divergences.length }));
});
const every = await probe.evaluate(async () => {
  const { divergenceInfo } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
  return divergenceInfo().map((d) => d.name);
});
await probe.context().close();
const configs = [
  ...presets.map((p) => ({ name: `${p.name} (${p.n} landscape${p.n > 1 ? 's' : ''})`, preset: p.name })),
  { name: '4 landscapes (reverse KL, forward KL, Hellinger, Amari)', divergences: ['reverse_kl', 'forward_kl', 'hellinger', 'amari'] },
  { name: `every divergence (${every.length} landscapes)`, divergences: every },
].filter((c) => !process.env.FRAMES_ONLY || c.name.includes(process.env.FRAMES_ONLY));
// The machine's slow spells with nothing of ours running, for comparison.
const idle = watchSlowSpells();
await new Promise((ok) => setTimeout(ok, 8000));
const { slow: idleSlow } = await idle.stop();
const machine = { seconds: 8, slowSamples: idleSlow.length, spells: spellCount(idleSlow),
  worst: +Math.max(0, ...idleSlow.map((s) => s[2])).toFixed(0) };
console.log(JSON.stringify({ idle: machine }));
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
  await page.evaluate((meter) => {
    // With FRAMES_METER: the page thread's own speed at every frame, a fixed sum (~0.5 ms
    // when the machine is quiet; performance.now() has 0.1-ms steps here) timed when a frame
    // is recorded, sized here, before the observers, once optimised. Off by default: its
    // ~0.8 ms a frame is load of its own.
    const sum = (n) => { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i ^ (s | 0)); window.__sink = s; };
    const best = (n) => Math.min(...[0, 1, 2, 3, 4].map(() => { const t = performance.now(); sum(n); return performance.now() - t; }));
    let n = 0;
    if (meter) {
      for (let k = 0; k < 20; k++) sum(1e5);
      n = 1000;
      while (best(n) < 0.5) n *= 2;
    }
    window.__meter = { sum, n };
    window.__frames = [];
    window.__long = [];
    window.__loaf = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: false });
    // Frames of 50 ms or more, with the time our scripts (www/) ran in them.
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        const ours = e.scripts.filter((s) => s.sourceURL.includes('/www/')).reduce((a, s) => a + s.duration, 0);
        window.__loaf.push([e.startTime, e.duration, ours, {
          render: e.renderStart ? +(e.renderStart - e.startTime).toFixed(0) : null,
          style: e.styleAndLayoutStart ? +(e.styleAndLayoutStart - e.startTime).toFixed(0) : null,
          scripts: e.scripts.map((x) => [x.invoker, x.sourceFunctionName, +x.duration.toFixed(0), +x.forcedStyleAndLayoutDuration.toFixed(0), +(x.startTime - e.startTime).toFixed(0)]),
        }]);
      }
    }).observe({ type: 'long-animation-frame', buffered: false });
  }, !!process.env.FRAMES_METER);
  // The drag, driven from inside the page at every animation frame: pointerdown on the
  // slider (the element goes into its dragging mode), a new value each frame, then change.
  // (Started a second ahead: its workers' start and sizing take both cores for a moment,
  // which showed as a long first frame when they began with the drag.)
  const watch = watchSlowSpells();
  await startCpuTrace(env.browser, page);
  await new Promise((ok) => setTimeout(ok, 1000));
  const { frames, meter, long, loaf, settleMs, origin, markAt } = await page.evaluate(() => new Promise((done) => {
    const el = document.querySelector('divergence-explorer');
    const { sum, n } = window.__meter;
    const timed = () => { const t = performance.now(); sum(n); return performance.now() - t; };
    const meter = [];
    const record = () => { if (n) meter.push(timed()); window.__frames.push(performance.now()); };
    const range = el.shadowRoot.querySelector('input[type=range][aria-label="Component 2 mean"]');
    const markAt = performance.now();
    performance.mark('frames-drag');
    range.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    const t0 = performance.now();
    let k = 0;
    const tick = () => {
      record();
      if (performance.now() - t0 > 5000) {
        // Released: the time to the refined landscapes, and the frames meanwhile.
        const t1 = performance.now();
        let on = true;
        const more = () => { if (on) { record(); requestAnimationFrame(more); } };
        range.dispatchEvent(new Event('change', { bubbles: true }));
        requestAnimationFrame(more);
        el.settled().then(() => {
          on = false;
          record();
          done({ frames: window.__frames, meter, long: window.__long, loaf: window.__loaf, settleMs: performance.now() - t1, origin: performance.timeOrigin, markAt });
        });
        return;
      }
      range.value = String(3 + 1.5 * Math.sin(k++ / 20));
      range.dispatchEvent(new Event('input', { bubbles: true }));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }));
  const { slow } = await watch.stop();
  const cpuIn = await stopCpuTrace(env.browser, 'frames-drag', markAt);
  const gaps = frames.slice(1).map((t, i) => [origin + frames[i], origin + t]);
  const clear = gaps.filter((g) => !inSpell(slow, g)).map(([a, b]) => b - a);
  const clearLong = long.filter(([t, d]) => !inSpell(slow, [origin + t, origin + t + d]));
  // Each gap > 50 ms with the page thread's speed at its two ends (the meter's time over its
  // median: 1 is quiet), whether it overlaps a slow spell, and our scripts' time in long frames.
  const quiet = meter.length ? [...meter].sort((a, b) => a - b)[meter.length >> 1] : 0;
  const speed = (i) => (quiet ? +(meter[i] / quiet).toFixed(1) : null);
  const detail = gaps.map(([a, b], i) => [b - a, i])
    .filter(([d]) => d > 50)
    .map(([d, i]) => ({ frame: i, gapMs: +d.toFixed(0), speedAtEnds: [speed(i), speed(i + 1)], spell: inSpell(slow, gaps[i]),
      ...cpuIn([frames[i], frames[i + 1]]) }));
  const dt = gaps.map(([a, b]) => b - a).sort((a, b) => a - b);
  const q = (f) => dt[Math.min(dt.length - 1, Math.floor(f * dt.length))];
  const r = {
    name: c.name,
    resolution: nMu ? `${nMu}x${nSigma}` : 'page default',
    frames: frames.length,
    medianMs: +q(0.5).toFixed(1),
    p95Ms: +q(0.95).toFixed(1),
    longestGapMs: +dt[dt.length - 1].toFixed(0),
    gapsOver50: dt.filter((d) => d > 50).length,
    longestClearGapMs: +Math.max(...clear).toFixed(0),
    clearGapsOver50: clear.filter((d) => d > 50).length,
    ...gapSummary(detail),
    slowSpells: spellCount(slow),
    settleMs: +settleMs.toFixed(0),
    longTasks: long.length,
    longestTaskMs: long.length ? +Math.max(...long.map(([, d]) => d)).toFixed(0) : 0,
    clearLongTasks: clearLong.length,
    longFrames: loaf.length,
    oursInLongFramesMs: +Math.max(0, ...loaf.map(([, , ours]) => ours)).toFixed(0),
    meterQuietMs: quiet ? +quiet.toFixed(2) : null,
    longGaps: detail,
    longTaskStarts: long.map(([t, d]) => [+(t - frames[0]).toFixed(0), +d.toFixed(0)]),
    loaf: loaf.map(([t, d, o, x]) => ({ at: +(t - frames[0]).toFixed(0), d: +d.toFixed(0), ...x })),
    frameSpan: +(frames[frames.length - 1] - frames[0]).toFixed(0),
  };
  console.log(JSON.stringify(r));
  results.push(r);
  await page.context().close();
}
await env.close();
writeFileSync(`${OUT}frames-${nMu ? `${nMu}x${nSigma}` : 'default'}.json`, JSON.stringify({ machine, results }, null, 2));
