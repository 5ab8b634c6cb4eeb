// The machine's own slow spells, for the frame benchmarks. This VM now and then runs at a
// fraction of its speed for ~100 ms (every second or two, idle or not; its guest kernel sees
// neither steal nor run-queue wait, so only a rate of work shows it). A thread per core,
// pinned to it (`taskset`), runs a fixed ~0.2-ms sum every 4 ms (~5% of the core) and notes
// each that takes over 4× its usual time (the median of its first 100, taken the same way),
// less any run-queue wait (`/proc/thread-self/schedstat`: waiting behind Chromium's threads
// is contention, not a slow spell).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

const src = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const flag = new Int32Array(workerData.flag);
try {
  const tid = fs.readlinkSync('/proc/thread-self').split('/').pop();
  execFileSync('taskset', ['-p', '-c', String(workerData.cpu), tid], { stdio: 'ignore' });
} catch { /* unpinned: it still sees the spells of whichever core it runs on */ }
const nap = new Int32Array(new SharedArrayBuffer(4));
const now = () => performance.timeOrigin + performance.now();
const queued = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
let sink = 0;
const sum = (n) => { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i ^ (s | 0)); sink += s; };
const timed = (n) => { const t = performance.now(), q = queued(); sum(n); return performance.now() - t - (queued() - q); };
let n = 1000;
for (let k = 0; k < 50; k++) sum(n);
while (timed(n) < 0.2) n *= 2;
const first = [];
let quiet = Infinity;
const slow = [];
while (Atomics.load(flag, 0) === 0) {
  Atomics.wait(nap, 0, 0, 4);
  const t0 = now(), d = timed(n);
  if (first.length < 100) { first.push(d); if (first.length === 100) quiet = first.sort((a, b) => a - b)[50]; }
  if (d > 4 * quiet) slow.push([t0, now(), d / quiet, workerData.cpu]);
}
parentPort.postMessage({ quiet, slow, sink });
`;

/** Starts watching; `stop()` resolves to `{ quiet, slow }`: each core's sum's quiet time
 * (ms) and every slow run `[start, end, times quiet, core]` in epoch ms (as a page's
 * `performance.timeOrigin + performance.now()`), by start. */
export function watchSlowSpells() {
  const flag = new SharedArrayBuffer(4);
  const runs = Array.from({ length: availableParallelism() }, (_, cpu) => {
    const worker = new Worker(src, { eval: true, workerData: { flag, cpu } });
    const result = new Promise((ok, fail) => { worker.once('message', ok); worker.once('error', fail); });
    return { worker, result };
  });
  return {
    async stop() {
      Atomics.store(new Int32Array(flag), 0, 1);
      const all = await Promise.all(runs.map((r) => r.result));
      await Promise.all(runs.map((r) => r.worker.terminate()));
      return { quiet: all.map((r) => r.quiet), slow: all.flatMap((r) => r.slow).sort((a, b) => a[0] - b[0]) };
    },
  };
}

/** Whether the span `[a, b]` (epoch ms) overlaps one of the slow runs `slow`. */
export const inSpell = (slow, [a, b]) => slow.some(([s, e]) => s < b && e > a);

/** How many spells the slow runs (by start) make: runs under 50 ms apart are one spell. */
export const spellCount = (slow) => slow.filter(([s], i) => i === 0 || s - slow[i - 1][1] > 50).length;
