// Where a frame gap's time went, from Chromium's own trace: each thread's CPU time inside it
// (the outermost `toplevel` tasks' thread durations, pro-rated to the gap), the page's
// scripts' (its outermost animation-frame callbacks and event dispatches: ours, and a
// benchmark's driving of the controls) wall and CPU time, and V8's compiling of our wasm
// (in the renderer's workers, mostly). Light enough to leave on during a benchmark (three
// categories; the gaps it shows come with or without it). Aligned on a `performance.mark`
// the page sets at a known `performance.now()`.
export const CATEGORIES = ['toplevel', 'devtools.timeline', 'blink.user_timing'];

/** Starts tracing `page` (env.browser's tracing; one page at a time). */
export async function startCpuTrace(browser, page) {
  await browser.startTracing(page, { categories: CATEGORIES });
}

/** Stops tracing; returns `gapCpu([a, b])` for intervals in the page's performance.now()
 * ms, given the mark's name and when the page set it. */
export async function stopCpuTrace(browser, markName, markAt) {
  const trace = JSON.parse((await browser.stopTracing()).toString());
  const ev = trace.traceEvents ?? trace;
  const names = new Map();
  for (const e of ev) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const procs = new Map();
  for (const e of ev) if (e.ph === 'M' && e.name === 'process_name') procs.set(e.pid, e.args.name);
  const mark = ev.find((e) => e.name === markName);
  if (!mark) throw new Error(`the trace has no mark ${markName}`);
  const page = mark.pid;
  const off = mark.ts / 1000 - markAt;
  const tasks = outermost(ev.filter((e) => e.ph === 'X' && e.dur && e.cat === 'toplevel'));
  const ours = outermost(ev.filter((e) => e.ph === 'X' && e.dur && e.pid === page
    && (e.name === 'FireAnimationFrame' || e.name === 'EventDispatch')));
  return ([a, b]) => {
    const A = (a + off) * 1000;
    const B = (b + off) * 1000;
    const part = (e) => Math.max(0, Math.min(B, e.ts + e.dur) - Math.max(A, e.ts)) / e.dur;
    const threads = new Map();
    let mainCpu = 0;
    let compileCpu = 0;
    for (const e of tasks) {
      const f = part(e);
      if (!f) continue;
      const key = `${procs.get(e.pid) ?? e.pid}/${names.get(`${e.pid}:${e.tid}`) ?? e.tid}`;
      const cpu = (e.tdur ?? 0) * f / 1000;
      threads.set(key, (threads.get(key) ?? 0) + cpu);
      if (e.pid === page && names.get(`${e.pid}:${e.tid}`) === 'CrRendererMain') mainCpu += cpu;
      // V8 compiling the page's wasm (dynamic tier-up of functions that became hot, e.g.
      // the full-detail paths at the first change after a load).
      if (e.pid === page && String(e.args?.src_file).startsWith('v8/src/wasm/')) compileCpu += cpu;
    }
    let wall = 0;
    let cpu = 0;
    for (const e of ours) {
      const f = part(e);
      wall += e.dur * f / 1000;
      cpu += (e.tdur ?? 0) * f / 1000;
    }
    const r = (x) => +x.toFixed(1);
    return {
      pageThreadCpuMs: r(mainCpu),
      wasmCompileCpuMs: r(compileCpu),
      oursCpuMs: r(cpu),
      oursWallMs: r(wall),
      busiest: [...threads].sort((x, y) => y[1] - x[1]).slice(0, 4).map(([k, v]) => `${k} ${r(v)}`),
    };
  };
}

/** The counts a benchmark reports of its gaps over 50 ms, each read by `gapCpu`: how many
 * the page's thread would make on a core of its own (over 50 ms of its CPU in them), and
 * the most CPU the page's scripts used in any. */
export function gapSummary(longGaps) {
  return {
    pageThreadGapsOver50: longGaps.filter((g) => g.pageThreadCpuMs > 50).length,
    longestOursCpuInGapMs: Math.max(0, ...longGaps.map((g) => g.oursCpuMs)),
  };
}

// The events not inside another of the same thread (a dispatch inside a frame callback, a
// message inside a task): each span of a thread's time counted once.
function outermost(events) {
  const out = [];
  const end = new Map();
  for (const e of [...events].sort((x, y) => x.ts - y.ts || y.dur - x.dur)) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.ts < (end.get(thread) ?? -Infinity)) continue;
    end.set(thread, e.ts + e.dur);
    out.push(e);
  }
  return out;
}
