#!/usr/bin/env node
// Appends the browser-side benchmarks to BENCHMARKS.md from out/*.json: the landscapes in
// wasm under Node, drag frame times and settle times in headless Chromium, and the soak.
import { readFileSync, appendFileSync, existsSync } from 'node:fs';

const out = (f) => new URL(`../out/${f}`, import.meta.url);
const read = (f) => (existsSync(out(f)) ? JSON.parse(readFileSync(out(f), 'utf8')) : null);
const ms = (s) => (s < 1 ? `${(s * 1000).toFixed(2)} ms` : `${s.toFixed(2)} s`);
let md = '';

const wasm = read('wasm_bench.json');
if (wasm) {
  md += '\n## The same landscapes in wasm (Node 20, the shipped bundle with SIMD)\n\n'
    + '`tests/wasm_bench.mjs`: each divergence alone on an `Explorer` worked to the end over the post\'s view (landscape and refined minima, the native table\'s "+ minima"), best of 3.\n\n'
    + '| divergence | grid | wasm |\n|---|---|---|\n'
    + wasm.map((r) => `| ${r.name} | ${r.n}² | ${ms(r.secs)} |`).join('\n') + '\n';
}
const slowNote = 'Gaps and long tasks that overlap one of the machine\'s slow spells (`tests/stalls.mjs`: a '
  + 'thread per core, pinned to it, runs a fixed 0.2-ms sum every 4 ms and notes each that takes over 4× its usual time, '
  + 'less any run-queue wait) are told apart: *clear* is what is left. This VM runs at a fraction of its speed '
  + 'for ~50–100 ms every second or two with nothing of ours running (a plain C loop of fixed chunks sees the '
  + 'same, on both cores at once, with neither steal nor run-queue time in the guest).\n\n';
for (const [file, what] of [['frames-default.json', 'the page\'s own resolution (128×96; all but closed forms and FFT correlations at a third while dragging)'],
  ['frames-256x256.json', '256×256 landscapes (targets: blog-kl median ≤ 16.7 ms, 95th percentile ≤ 33 ms, no long task; four landscapes median ≤ 33 ms)']]) {
  const f = read(file);
  if (!f) continue;
  const { machine, results } = Array.isArray(f) ? { results: f } : f;
  md += `\n## Frames while dragging, ${what}\n\n`
    + '`tests/frames.mjs`: `Component 2 mean` held and moved every frame for 5 s in headless Chromium '
    + '(software rendering, 2 cores), every preset and four landscapes; intervals between rendered frames; '
    + 'long tasks from PerformanceObserver. The longest gap covers the drag and the time after release until '
    + 'the refined landscapes are drawn (settle).\n\n' + slowNote
    + (machine ? `With nothing running, ${machine.seconds} s before the runs: ${machine.spells} slow spells (${machine.slowSamples} slow samples).\n\n` : '')
    + 'Each gap over 50 ms is also read in Chromium\'s trace (`tests/cpu.mjs`: the `toplevel` tasks\' thread '
    + 'time): *page thread* counts the gaps in which the page\'s thread itself (our scripts, style, layout, paint) '
    + 'used over 50 ms of CPU, the gaps it would make on a core of its own; *ours* is the most CPU the page\'s scripts (ours, and the benchmark\'s driving of the slider) used in any gap over 50 ms.\n\n'
    + '| page | frames | median | 95th pct | longest gap | gaps > 50 ms (clear) | longest clear gap | page thread | ours | slow spells | settle after release | long tasks (clear) | longest task |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
    + results.map((r) => `| ${r.name} | ${r.frames} | ${r.medianMs} ms | ${r.p95Ms} ms | ${r.longestGapMs} ms | ${r.gapsOver50 ?? '–'} (${r.clearGapsOver50 ?? '–'}) | ${r.longestClearGapMs ?? '–'} ms | ${r.pageThreadGapsOver50 ?? '–'} | ${r.longestOursCpuInGapMs ?? '–'} ms | ${r.slowSpells ?? '–'} | ${r.settleMs} ms | ${r.longTasks} (${r.clearLongTasks ?? '–'}) | ${r.longestTaskMs} ms |`).join('\n') + '\n';
}
const settle = read('settle.json');
if (settle) {
  md += '\n## Settling after a change (the page\'s own resolution)\n\n'
    + '`tests/settle.mjs`: five arrow-key steps on `Component 2 mean`, or a divergence ticked, in headless Chromium; '
    + 'the longest interval between animation frames from the first key to `settled()`, the time from the last key '
    + 'to `settled()`, and the longest single `Explorer.work` call and panel redraw; *page thread* and *ours* as above.\n\n'
    + '| change | settle | longest frame gap | gaps > 50 ms (clear) | longest clear gap | page thread | ours | work calls | longest work call | longest redraw |\n|---|---|---|---|---|---|---|---|---|---|\n'
    + settle.map((r) => `| ${r.name} | ${r.settleMs} ms | ${r.longestGapMs} ms | ${r.gapsOver50} (${r.clearGapsOver50 ?? '–'}) | ${r.longestClearGapMs ?? '–'} ms | ${r.pageThreadGapsOver50 ?? '–'} | ${r.longestOursCpuInGapMs ?? '–'} ms | ${r.workCalls} | ${r.longestWorkMs} ms | ${r.longestDrawMs} ms (${r.longestDraw ?? ''}) |`).join('\n') + '\n';
}
const r = read('soak.json');
if (r) {
  const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
  md += `\n## Soak\n\n${r.changes} scripted state changes in headless Chromium (tests/soak.mjs) in ${r.seconds.toFixed(0)} s: `
    + `wasm memory ${kb(r.wasmBytes[0])} → ${kb(r.wasmBytes[1])}, JS heap after GC ${kb(r.heapBytes[0])} → ${kb(r.heapBytes[1])} `
    + `(after ${r.warmup} warm-up changes), ${r.console.length} console messages, last frame `
    + `${r.lastFrameCorrect ? 'identical to a fresh page' : 'DIFFERENT'}.\n`;
}
appendFileSync(new URL('../BENCHMARKS.md', import.meta.url), md);
console.log('appended to BENCHMARKS.md');
