// Reliability in headless Chromium: extreme but valid views render without NaN or a frozen
// tab; a wasm crash (injected by the fault-injection build) is shown and recovered from;
// a shortened soak keeps memory flat and the last frame exact (the full one is in bench).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, settled, drawnPixels, canvasHash, onElement, errorText, plotRect, OUT } from './browser.mjs';
import { soak, lastFrameMatches } from './soak.mjs';

const envs = [];
after(async () => { for (const e of envs) await e.close(); });
const open = async (opts = {}) => { const e = await start(opts); envs.push(e); return e; };

test('extreme valid views render without NaN, and the tab keeps painting frames', async () => {
  const env = await open();
  const page = await env.page('index.html');
  await settled(page);
  const views = [
    { target: [{ weight: 1e-6, mean: -1000, std: 1e-3 }, { weight: 1, mean: 1000, std: 1000 }],
      q: { mu: 0, sigma: 1e3 }, view: { muRange: [-1000, 1000], sigmaRange: [1e-3, 1e3] } },
    { target: [{ weight: 0.5, mean: -3, std: 1e-3 }, { weight: 0.5, mean: 3, std: 1e-3 }],
      q: { mu: 0, sigma: 1e-3 }, view: { muRange: [-5, 5], sigmaRange: [1e-3, 1e-2] } },
    { target: [{ weight: 1e-6, mean: 0, std: 1 }, { weight: 1, mean: 1000, std: 1e-3 }],
      q: { mu: -1000, sigma: 1e-3 }, view: { muRange: [-1000, 1000], sigmaRange: [1e-3, 1e3] } },
  ];
  const all = ['reverse_kl', 'forward_kl', 'jensen_shannon', 'hellinger', 'amari', 'renyi', 'fisher', 'mmd'];
  for (const [k, v] of views.entries()) {
    for (const divergences of [all.slice(0, 4), all.slice(4)]) {
      // Frames keep coming while the landscapes compute: the longest gap between frames.
      const gap = await onElement(page, (el, v) => new Promise((ok, fail) => {
        el.setState(v);
        let settled = false;
        el.settled().then(() => { settled = true; }, fail);
        let last = performance.now();
        let worst = 0;
        const tick = () => {
          const now = performance.now();
          worst = Math.max(worst, now - last);
          last = now;
          if (settled) ok(worst); else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }), { ...v, divergences });
      console.log(`view ${k} ${divergences}: longest frame gap ${gap.toFixed(0)} ms`);
      assert.ok(gap < 1000, `view ${k} ${divergences}: a frame took ${gap.toFixed(0)} ms`);
      const bad = await onElement(page, (el) => {
        const out = [];
        el.state.divergences.forEach((name, i) => {
          const vals = el.landscape(i).values;
          const nan = vals.filter((x) => Number.isNaN(x)).length;
          const neg = vals.filter((x) => x < -1e-9).length;
          if (nan || neg) out.push(`${name}: ${nan} NaN, ${neg} negative of ${vals.length}`);
          for (const m of el.optima[name] ?? []) {
            if (![m.mu, m.sigma, m.value].every(Number.isFinite)) out.push(`${name}: minimum ${JSON.stringify(m)}`);
          }
        });
        return out;
      });
      assert.deepEqual(bad, [], `view ${k}`);
      const n = divergences.length;
      for (let i = 0; i < n; i++) {
        const { drawn, total } = await drawnPixels(page, i, await plotRect(page, i));
        assert.ok(drawn > 0.5 * total, `view ${k}, landscape ${i}: ${drawn}/${total} pixels coloured`);
      }
      for (const i of [n, n + 1]) {
        const { drawn } = await drawnPixels(page, i);
        assert.ok(drawn > 100, `view ${k}: canvas ${i} is blank`);
      }
      assert.equal(await errorText(page), '', `view ${k}: no error shown`);
    }
  }
  await page.screenshot({ path: `${OUT}extreme-view.png` });
  assert.deepEqual(page.messages, []);
});

test('a wasm panic is shown, and the element restarts with the last good view', async () => {
  const env = await open({ pkg: new URL('../out/pkg-faults/', import.meta.url).pathname });
  const page = await env.page('index.html');
  await settled(page);
  const good = { q: { mu: 1.25, sigma: 2 }, target: [{ weight: 0.5, mean: -4, std: 1 }, { weight: 0.5, mean: 4, std: 1 }] };
  await onElement(page, (el, good) => el.setState(good), good);
  await settled(page);
  const hashBefore = await canvasHash(page, 0);
  const optimaBefore = await onElement(page, (el) => el.optima);

  // The next computation step panics inside wasm: a real trap, not a thrown Error. The fault
  // build's `injectPanic` is armed from the module's own class, on the next `work` call of
  // the explorer the element owns (the page loads the same module instance).
  await page.evaluate(async () => {
    const { Explorer } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
    const work = Explorer.prototype.work;
    Explorer.prototype.work = function (ms) {
      Explorer.prototype.work = work;
      this.injectPanic();
      return work.call(this, ms);
    };
    document.querySelector('divergence-explorer').setState({ params: { alpha: 0.25 } });
  });
  await page.waitForFunction(() => document.querySelector('divergence-explorer').recoveries === 1);
  assert.match(await errorText(page), /crashed \(unreachable.*\) and was restarted; the last good view is restored/);
  assert.ok(page.messages.some((m) => m.includes('divergence-web panicked') && m.includes('injected fault')), page.messages.join('\n'));

  await settled(page);
  await page.screenshot({ path: `${OUT}crash-recovered.png` });
  const s = await onElement(page, (el) => el.state);
  assert.deepEqual(s.q, good.q);
  assert.equal(s.params.alpha, 0.25, 'the change that was being computed is kept: it was valid');
  assert.deepEqual(await onElement(page, (el) => el.optima), optimaBefore);
  assert.equal(await canvasHash(page, 0), hashBefore, 'the restarted module draws the same landscape');

  // It stays alive: a new change renders and clears the message.
  await onElement(page, (el) => el.setState({ q: { mu: -2 } }));
  await settled(page);
  assert.equal(await errorText(page), '');
  assert.notEqual(await canvasHash(page, 0), hashBefore, 'q moved on the landscape');
  const fresh = await onElement(page, (el) => el.wasmMemoryBytes);
  assert.ok(fresh > 0);
});

test('soak: 1,000 scripted changes, no console message, memory flat, last frame exact', async () => {
  const env = await open();
  const page = await env.page('index.html');
  await settled(page);
  const r = await soak(page, 1000);
  console.log(`soak ${r.changes} changes in ${r.seconds.toFixed(1)} s: wasm ${r.wasmBytes.join(' → ')} B, JS heap ${r.heapBytes.join(' → ')} B`);
  assert.equal(r.errors, 0, 'every scripted change is valid');
  assert.ok(r.wasmGrowth < 2 ** 21, `wasm memory grew ${r.wasmGrowth} B`);
  assert.ok(r.heapGrowth < 2 ** 21, `JS heap grew ${r.heapGrowth} B`);
  assert.ok(await lastFrameMatches(env, page), 'after the soak, blog-kl draws exactly as on a fresh page');
  assert.deepEqual(page.messages, []);
});
