// The page's work loop hands control back between slices, whatever the panel set: `work(0)`
// does exactly one unit (a plan row or pair, a few cells, one descent or basin step), so a
// call stops after the first unit past its budget; and no unit is a large share of the whole
// computation (a ratio, not a time threshold). Then the element itself: while blog-stein with
// every panel settles after a change, frames keep coming (one work call per frame).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, settled, onElement } from './browser.mjs';

let env;
after(async () => { await env?.close(); });

test('work(0) does one unit per call on every panel set; no unit dominates the computation', async () => {
  env = await start();
  const page = await env.page('index.html');
  await settled(page);
  const runs = await page.evaluate(async () => {
    // The module the element loaded (the same instance: the same URL).
    const { Explorer, divergenceInfo } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
    const names = divergenceInfo().map((d) => d.name);
    const sets = [['reverse_kl', 'forward_kl'], ['reverse_kl', 'forward_kl', 'ksd', 'log_ksd'], names];
    const out = [];
    for (const divergences of sets) {
      for (const quick of [true, false]) {
        // Twice over the same (deterministic) sequence of units: a unit's time is the lesser
        // of its two, so that a pause of the whole process (GC, a loaded machine) is not
        // taken for a long unit.
        const run = () => {
          const ex = new Explorer();
          ex.setState({ ...Explorer.presetState('blog-stein'), divergences });
          ex.setResolution(64, 48);
          ex.setBasins(true);
          ex.setQuick(quick);
          let bad = 0;
          const units = [];
          const t0 = performance.now();
          for (;;) {
            const u = ex.workUnits();
            const t = performance.now();
            const done = ex.work(0);
            units.push(performance.now() - t);
            if (ex.workUnits() - u !== 1 && !(done && ex.workUnits() === u)) bad += 1;
            if (done) break;
          }
          const total = performance.now() - t0;
          ex.free();
          return { bad, units, total };
        };
        const [a, b] = [run(), run()];
        const longest = Math.max(...a.units.map((t, i) => Math.min(t, b.units[i] ?? t)));
        out.push({ panels: divergences.length, quick, calls: a.units.length, same: a.units.length === b.units.length,
          bad: a.bad + b.bad, total: Math.min(a.total, b.total), longest });
      }
    }
    return out;
  });
  for (const r of runs) {
    assert.equal(r.bad, 0, `a work(0) call did other than one unit: ${JSON.stringify(r)}`);
    assert.ok(r.same, `the same computation took a different number of units: ${JSON.stringify(r)}`);
    assert.ok(r.calls > 100, JSON.stringify(r));
  }
  // With every panel at once (seconds of work), the longest unit is a small share of the
  // whole (~3% measured on a loaded 2-core machine): the computation is sliced, not blocked.
  for (const r of runs.filter((r) => r.panels > 4)) {
    assert.ok(r.longest < 0.25 * r.total, JSON.stringify(r));
  }
});

test('while blog-stein with every panel settles after a change (the preset chosen), every frame runs one bounded work call', async () => {
  const page = await env.page('index.html');
  await settled(page);
  const r = await onElement(page, async (el) => {
    const calls = [];
    const { Explorer } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
    const proto = Explorer.prototype;
    const work = proto.work;
    proto.work = function (budget) {
      const u = this.workUnits();
      const done = work.call(this, budget);
      // The animation frame the call ran in (the document timeline's time is the frame's).
      calls.push({ budget, units: this.workUnits() - u, done, frame: document.timeline.currentTime });
      return done;
    };
    // 256² landscapes (KSD² by rows fits one 12-ms slice at the page's own resolution).
    el.resolution = [256, 256];
    el.setPreset('blog-stein');
    await el.settled();
    proto.work = work;
    return calls;
  });
  // The change restarts four landscapes with minima: many slices, each in a frame of its own
  // and stopped by its budget (several units) rather than run to the end in one call.
  // (Once they are done, frames may go on for the flows' own module: work then does nothing.)
  const first = r.findIndex((c) => c.done);
  assert.ok(first > 3, JSON.stringify(r.slice(0, 5)));
  assert.equal(new Set(r.map((c) => c.frame)).size, r.length, 'one work call per frame');
  const slices = r.slice(0, first);
  assert.ok(slices.every((c) => c.units >= 1), JSON.stringify(slices.filter((c) => c.units < 1)));
  assert.ok(r.slice(first + 1).every((c) => c.done && c.units === 0), JSON.stringify(r.slice(first)));
});

test('a large sampling experiment is computed by the work loop in slices, not by the control or a draw', async () => {
  const page = await env.page('index.html');
  await settled(page);
  const r = await onElement(page, async (el) => {
    el.setAttribute('panels', 'landscape,density,sampling');
    await el.settled();
    const { Explorer } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
    const proto = Explorer.prototype;
    const [work, draw, check] = [proto.work, proto.drawSampling, proto.checkSampling];
    const calls = [], draws = [];
    let ex = null, before = null;
    const figure = el.shadowRoot.querySelector('figure.sampling');
    proto.work = function (budget) {
      const [u, pending] = [this.workUnits(), this.samplingPending()];
      const done = work.call(this, budget);
      calls.push({ start: u, units: this.workUnits() - u, pending, done, busy: figure.getAttribute('aria-busy') });
      return done;
    };
    // The control checks its value: the units done from there to the next work call are
    // the control's (draws come after a frame's work).
    proto.checkSampling = function (...a) {
      ex = this;
      before = this.workUnits();
      return check.apply(this, a);
    };
    proto.drawSampling = function (...a) {
      const u = this.workUnits();
      draw.apply(this, a);
      draws.push(this.workUnits() - u);
    };
    // N = 3000 through the panel's own control: 3000 × 300 samples.
    const select = el.shadowRoot.querySelector('select[aria-label="Samples per draw N"]');
    select.value = '3000';
    select.dispatchEvent(new Event('change'));
    const text = [];
    const status = figure.querySelector('[role=status]');
    new MutationObserver(() => text.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
    await el.settled();
    Object.assign(proto, { work, drawSampling: draw, checkSampling: check });
    const s = el.sampling;
    return { calls, draws, handler: calls[0].start - before, text, n: s.n, reps: s.reverseKl.length, busy: figure.getAttribute('aria-busy'), pending: ex.samplingPending() };
  });
  assert.equal(r.handler, 0, 'the control computed nothing');
  assert.ok(r.draws.length >= 2 && r.draws.every((u) => u === 0), `draws did no units: ${r.draws}`);
  // No unit anywhere but in the work calls (the status text reads the finished experiment).
  r.calls.slice(1).forEach((c, i) => assert.equal(c.start, r.calls[i].start + r.calls[i].units, JSON.stringify(r.calls[i])));
  // 900,000 samples in units of 4096, after one for the exact values: 221 units over many
  // work calls, each doing units and handing back.
  const slices = r.calls.filter((c) => c.pending);
  assert.equal(slices.reduce((a, c) => a + c.units, 0), 1 + Math.ceil(900_000 / 4096));
  assert.ok(slices.length >= 2, JSON.stringify(r.calls.slice(0, 5)));
  assert.ok(slices.every((c) => c.units >= 1), JSON.stringify(slices.filter((c) => c.units < 1)));
  assert.ok(slices.slice(0, -1).every((c) => !c.done) && slices.at(-1).done, 'the last slice finishes it');
  assert.ok(slices.some((c) => c.busy === 'true'), 'the panel is marked busy meanwhile');
  assert.match(r.text[0], /^Drawing 300 × 3000 samples/);
  assert.match(r.text[r.text.length - 1], /effective sample size of the weights p\/q is [\d.]+ of 3000/);
  assert.deepEqual([r.n, r.reps, r.busy, r.pending], [3000, 300, 'false', false]);
  assert.deepEqual(page.messages, []);
});

test('after a change of q the flows restart in the work loop, a flow and a quarter of time a unit, shown once at t', async () => {
  const page = await env.page('index.html');
  await settled(page);
  const r = await onElement(page, async (el) => {
    el.setAttribute('panels', 'landscape,density,flow');
    el.setPreset('blog-kl');
    await el.settled();
    el.setFlow({ geometry: 'wasserstein', t: 3 });
    await el.settled();
    const { FlowView } = await import(new URL('www/pkg/divergence_flow_web.js', document.baseURI).href);
    const proto = FlowView.prototype;
    const orig = { work: proto.work, catchUp: proto.catchUp };
    const calls = [];
    let caught = 0;
    const figure = el.shadowRoot.querySelector('figure.flow');
    proto.work = function (budget) {
      const [u, before] = [this.workUnits(), this.info(0)];
      const done = orig.work.call(this, budget);
      calls.push({ units: this.workUnits() - u, current: before.current, t: before.t, done, busy: figure.getAttribute('aria-busy'), text: figure.querySelector('[role=status]').textContent });
      return done;
    };
    proto.catchUp = function () { caught += 1; return orig.catchUp.call(this); };
    el.setState({ q: { mu: 1, sigma: 2 } });
    await el.settled();
    Object.assign(proto, orig);
    return { calls, caught, flow: el.flow, text: figure.querySelector('[role=status]').textContent };
  });
  assert.equal(r.caught, 0, 'no frame computed the flows on the spot');
  // Two flows, twelve quarters to t = 3: the old flows (at t = 3) show meanwhile, busy.
  const restart = r.calls.filter((c) => !c.current);
  assert.ok(restart.length >= 2, JSON.stringify(r.calls.slice(0, 4)));
  assert.ok(restart.every((c) => c.units >= 1 && !c.done && c.t === 3), JSON.stringify(restart));
  // Marked busy from the first draw after the change (the first work call comes before it).
  assert.ok(restart.slice(1).every((c) => c.busy === 'true' && c.text.startsWith('Computing the flows at t = 3')), JSON.stringify(restart));
  assert.ok(restart.reduce((a, c) => a + c.units, 0) >= 24);
  assert.deepEqual([r.flow.current, r.flow.complete, r.flow.t, r.flow.geometry], [true, true, 3, 'wasserstein']);
  assert.match(r.text, /^At t = 3, mass of q_t/);
  assert.deepEqual(page.messages, []);
});

test('blog-stein with every panel: after a target change no draw computes the flip point or a quadrature pressure', async () => {
  const page = await env.page('index.html');
  await settled(page);
  const r = await onElement(page, async (el) => {
    el.setAttribute('panels', 'landscape,density,pressure,tradeoff,sampling');
    el.setPreset('blog-stein');
    await el.settled();
    const { Explorer } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
    const proto = Explorer.prototype;
    const work = proto.work;
    const calls = [];
    let ex = null;
    proto.work = function (budget) {
      ex = this;
      const [u, pending] = [this.workUnits(), this.tradeoffPending()];
      const done = work.call(this, budget);
      calls.push({ units: this.workUnits() - u, pending, done });
      return done;
    };
    el.setState({ target: [{ weight: 0.5, mean: -4, std: 1 }, { weight: 0.5, mean: 4.5, std: 1.2 }] });
    await el.settled();
    proto.work = work;
    const [pending, busy] = [ex.tradeoffPending(), el.shadowRoot.querySelector('figure.tradeoff').getAttribute('aria-busy')];
    // KSD's pressure curve against the density panel on the same canvas (least of three):
    // a ratio of two draws, not a time threshold.
    const canvas = Object.assign(document.createElement('canvas'), { width: 700, height: 320 });
    const least = (f) => Math.min(...[0, 1, 2].map(() => { const t = performance.now(); f(); return performance.now() - t; }));
    const shifted = (m) => ({ target: [{ weight: 0.5, mean: -4, std: 1 }, { weight: 0.5, mean: m, std: 1.2 }] });
    let m = 4.5;
    const pressure = least(() => { m += 0.01; ex.setState({ ...ex.state(), ...shifted(m) }); ex.drawPressure(canvas, false); });
    const density = least(() => { m += 0.01; ex.setState({ ...ex.state(), ...shifted(m) }); ex.drawDensity(canvas, false); });
    return { calls, pending, pressure, density, busy };
  });
  // The new shapes' flip point was left to the work loop by the draw after the change: work
  // calls ran while it was pending (one can now finish it: its Amari divergences no longer
  // subdivide rounding noise), each doing at least one unit, and it finished.
  const flipCalls = r.calls.filter((c) => c.pending);
  assert.ok(flipCalls.length >= 1, JSON.stringify(r.calls.slice(0, 8)));
  assert.ok(flipCalls.every((c) => c.units >= 1 && !c.done));
  assert.equal(r.pending, false);
  assert.equal(r.busy, 'false');
  // KSD's pressure is one FFT for the curve, not a quadrature per point (~200× the density
  // panel before): a few times the density panel's draw at most.
  assert.ok(r.pressure < 8 * r.density, `pressure ${r.pressure} ms vs density ${r.density} ms`);
});

test('an idle frame draws a panel only where the draw is expected to fit, or first after working less to make room for it', async (t) => {
  const page = await env.page('index.html');
  await settled(page);
  const r = await onElement(page, async (el) => {
    el.resolution = [256, 256];
    await el.settled();
    const { Explorer } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
    const proto = Explorer.prototype;
    const work = proto.work;
    const draws = Object.getOwnPropertyNames(proto).filter((k) => k.startsWith('draw'));
    const saved = Object.fromEntries(draws.map((k) => [k, proto[k]]));
    const frames = [];
    const frame = () => {
      const t = document.timeline.currentTime;
      if (frames.at(-1)?.t !== t) frames.push({ t, draws: [] });
      return frames.at(-1);
    };
    proto.work = function (budget) {
      Object.assign(frame(), { start: performance.now(), budget });
      return work.call(this, budget);
    };
    // Every panel's draw, keyed by panel: a landscape by its index, the ψ figures by scale.
    for (const k of draws) {
      proto[k] = function (...a) {
        const i = k + (typeof a[0] === 'number' ? a[0] : '') + (k === 'drawPsi' ? a[1] : '');
        const t = performance.now();
        try { return saved[k].apply(this, a); } finally { frame().draws.push({ i, start: t, ms: performance.now() - t }); }
      };
    }
    el.setPreset('blog-stein');
    await el.settled();
    Object.assign(proto, { work, ...saved });
    return frames;
  });
  // The rule, replayed with the page's own timings: a draw is expected to take twice the
  // longest of its panel's last four (drawn, then rasterised), each earlier draw of the frame
  // counts twice, an idle frame has 14 ms and works 6 (1 ms slack for what the wrappers
  // leave out). A draw that does not fit is allowed only as the frame's first, in a frame
  // that worked no more than left it room. (The page knows draws from before the wrappers:
  // its estimates are at least these.)
  const recent = new Map();
  let late = 0;
  let draws = 0;
  r.forEach((f, k) => {
    let before = 0;
    for (const [j, d] of f.draws.entries()) {
      const est = 2 * Math.max(0, ...(recent.get(d.i) ?? []));
      if (d.start + before + est > f.start + 14 + 1) {
        late += 1;
        const at = `frame ${k}: ${d.i} (expected ${est.toFixed(1)} ms) drawn ${(d.start - f.start).toFixed(1)} ms into a frame that worked ${f.budget} ms: ${JSON.stringify(f)}`;
        assert.equal(j, 0, `${at}, after another`);
        assert.ok(f.budget <= Math.max(1, Math.min(6, 14 - est)), at);
      }
      before += d.ms;
      recent.set(d.i, [...(recent.get(d.i) ?? []).slice(-3), d.ms]);
      draws += 1;
    }
  });
  const landscapes = r.flatMap((f) => f.draws).filter((d) => d.i.startsWith('drawLandscape')).length;
  t.diagnostic(`${r.length} frames, ${draws} draws (${landscapes} of landscapes), ${late} beyond the frame, each first in a frame of shortened work`);
  assert.ok(landscapes >= 4, 'every landscape drawn');
});
