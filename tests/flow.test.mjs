// Issue 14 in headless Chromium: the descent metric control (the same start drains to the
// mode under `fisher` and to the central minimum under `euclidean`, in two views, ending
// where `divergence optimize --metric` ends), and the flows-of-q panel: the time slider, the
// geometry control, the masses against closed forms and the CLI, refusals, frame rate; the
// flows' own wasm module, fetched only by a page with a flow panel, and its failures kept
// to that panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { start, settled, canvasHash, onElement, drawnPixels, errorText, OUT } from './browser.mjs';

const CLI = new URL('../target/release/divergence', import.meta.url).pathname;
const BLOG_KL = '0.5:-4:1,0.5:4:1';
const cli = (...args) => JSON.parse(execFileSync(CLI, args, { encoding: 'utf8' }));

let env;
let page;
before(async () => {
  env = await start();
  page = await env.page('index.html', { width: 1280, height: 1000 });
  await settled(page);
});
after(async () => { await env.close(); });

/** Index of the flow canvas among the shadow root's canvases. */
const flowCanvas = (p = page, sel = 'divergence-explorer') => p.evaluate((sel) => [...document.querySelector(sel).shadowRoot
  .querySelectorAll('canvas')].findIndex((c) => c.classList.contains('flow')), sel);

/** A page at `path` whose every request URL is recorded (in `page.requests`) from the first;
 * `route(page)` may intercept requests before it loads. */
async function recorded(path, route = async () => {}) {
  const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  p.requests = [];
  p.messages = [];
  p.on('request', (r) => p.requests.push(new URL(r.url()).pathname));
  p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') p.messages.push(`${m.type()}: ${m.text()}`); });
  p.on('pageerror', (e) => p.messages.push(`pageerror: ${e.message}`));
  await route(p);
  await p.goto(env.url + path);
  return p;
}

/** The flow panel's status line and aria-busy in element `sel`. */
const flowStatus = (p, sel = 'divergence-explorer') => p.evaluate((sel) => {
  const fig = document.querySelector(sel).shadowRoot.querySelector('figure.flow');
  return { text: fig.querySelector('[role=status]').textContent, busy: fig.getAttribute('aria-busy') };
}, sel);

test('the metric control decides where a descent from (1, 2) ends, whatever the view', async () => {
  await onElement(page, (el) => el.setPreset('blog-kl'));
  const metric = page.getByRole('combobox', { name: 'Descent metric' });
  assert.equal(await metric.inputValue(), 'fisher', 'fisher by default');
  const views = [
    { muRange: [-7, 7], sigmaRange: [0.5, 5] },
    { muRange: [-10, 10], sigmaRange: [0.3, 6] },
  ];
  const expect = { fisher: [3.9996, 1.0008], euclidean: [0, 3.4727] };
  for (const name of ['fisher', 'euclidean']) {
    await metric.selectOption(name);
    assert.equal(await onElement(page, (el) => el.state.metric), name);
    assert.match(await onElement(page, (el) => el.fragment()), new RegExp(`metric=${name}`));
    const ref = cli('optimize', '--target', BLOG_KL, '--divergence', 'reverse_kl', '--from', '1,2', '--metric', name).optimum;
    for (const view of views) {
      await onElement(page, (el, view) => el.setState({ view }), view);
      await settled(page);
      const paths = await onElement(page, (el) => el.descend(1, 2));
      const end = paths.find((p) => p.name === 'reverse_kl').path.at(-1);
      assert.ok(Math.abs(end[0] - expect[name][0]) < 1e-3 && Math.abs(end[1] - expect[name][1]) < 1e-3,
        `${name}, view ${JSON.stringify(view)}: ends at ${end}`);
      assert.ok(Math.abs(end[0] - ref.mu) < 1e-4 && Math.abs(end[1] - ref.sigma) < 1e-4,
        `${name}: page ${end} vs CLI ${ref.mu}, ${ref.sigma}`);
    }
  }
  // A link carries the metric; a bad one is refused and changes nothing.
  const frag = await onElement(page, (el) => el.fragment());
  await metric.selectOption('log-sigma');
  await onElement(page, (el, f) => el.applyFragment(f), frag);
  assert.equal(await onElement(page, (el) => el.state.metric), 'euclidean');
  assert.equal(await metric.inputValue(), 'euclidean');
  await assert.rejects(onElement(page, (el) => el.setState({ metric: 'riemann' })), /metric/);
  assert.equal(await onElement(page, (el) => el.state.metric), 'euclidean');
  await onElement(page, (el) => { el.clearPaths(); el.setState({ metric: 'fisher' }); });
});

test('the flow panel: time slider, geometry, masses against closed forms, refusals', async () => {
  await onElement(page, (el) => { el.setPreset('blog-kl'); el.setState({ q: { mu: 4, sigma: 1 } }); });
  const slider = page.getByRole('slider', { name: 'Flow time t' });
  await slider.scrollIntoViewIfNeeded();
  await slider.fill('1');
  await settled(page);
  const idx = await flowCanvas();
  let f = await onElement(page, (el) => el.flow);
  assert.equal(f.t, 1);
  assert.equal(f.geometry, 'fisher-rao');
  assert.ok(f.points >= 2000 && f.complete);
  // Forward KL's Fisher–Rao flow: q_t = e^{−t}q₀ + (1 − e^{−t})p, so below 0 at t = 1:
  // e^{−1}Φ(−4) + (1 − e^{−1})/2.
  const phiMinus4 = 3.167124183311992e-5;
  const closed = Math.exp(-1) * phiMinus4 + (1 - Math.exp(-1)) / 2;
  assert.ok(Math.abs(f.massBelow.forward_kl - 0.316072) < 1e-6, `forward KL below 0: ${f.massBelow.forward_kl}`);
  assert.ok(Math.abs(f.massBelow.forward_kl - closed) < 1e-6);
  assert.equal(f.masses.forward_kl.length, 2, 'one mass per component of p');
  // Reverse KL's: q_t ∝ q₀^{e^{−t}} p^{1−e^{−t}}: about 0.05% on the far mode at t = 1.
  assert.ok(f.massBelow.reverse_kl > 2e-4 && f.massBelow.reverse_kl < 1e-3, `reverse KL: ${f.massBelow.reverse_kl}`);
  const at1 = await canvasHash(page, idx);
  await slider.fill('3');
  await settled(page);
  f = await onElement(page, (el) => el.flow);
  assert.equal(f.t, 3);
  assert.ok(f.massBelow.forward_kl > 0.47, 'forward KL has nearly covered the far mode at t = 3');
  assert.notEqual(await canvasHash(page, idx), at1, 'the drawn curves change with t');

  // Wasserstein: reverse KL's Fokker–Planck has to cross the barrier, and barely does.
  await slider.fill('1');
  await page.getByRole('combobox', { name: 'Flow geometry' }).selectOption('wasserstein');
  await settled(page);
  f = await onElement(page, (el) => el.flow);
  assert.equal(f.geometry, 'wasserstein');
  const w = f.massBelow.reverse_kl;
  assert.ok(Math.abs(w - 3.6e-4) < 0.4e-4, `Wasserstein reverse KL below 0 at t = 1: ${w}`);
  // The same flow from the command line, integrated to the same mass below 0.
  const out = cli('flow', '--target', BLOG_KL, '--divergence', 'reverse_kl', '--from', '4,1',
    '--geometry', 'wasserstein', '--times', '1', '--points', String(f.points), '--x-range', '-12:12');
  const dx = out.x[1] - out.x[0];
  const below = out.x.reduce((s, x, k) => s + out.q[0][k] * Math.min(1, Math.max(0, (0 - (x - dx / 2)) / dx)), 0) * dx;
  assert.ok(Math.abs(below - w) < 1e-9, `CLI ${below} vs page ${w}`);
  await page.screenshot({ path: `${OUT}flow-1280.png`, fullPage: true });

  // A divergence whose flow is not computed says so in the panel, and draws nothing else.
  await onElement(page, (el) => el.setState({ divergences: ['reverse_kl', 'forward_kl', 'ksd'] }));
  await settled(page);
  f = await onElement(page, (el) => el.flow);
  assert.ok(f.refused.ksd && !f.masses.ksd, 'KSD refused');
  const status = await page.evaluate(() => document.querySelector('divergence-explorer').shadowRoot.querySelector('figure.flow [role=status]').textContent);
  assert.match(status, /not available/);
  await assert.rejects(onElement(page, (el) => el.setFlow({ t: -1 })), /flow time/);
  await assert.rejects(onElement(page, (el) => el.setFlow({ geometry: 'l2' })), /geometry/);
  assert.equal((await onElement(page, (el) => el.flow)).t, 1);
});

test('dragging the time slider redraws the flows (2,001 points) at every frame', async () => {
  await onElement(page, (el) => { el.setPreset('blog-kl'); el.setFlow({ geometry: 'fisher-rao', t: 0 }); });
  await settled(page);
  const { ms, pictures, n } = await page.evaluate(async () => {
    const el = document.querySelector('divergence-explorer');
    const range = el.shadowRoot.querySelector('input[aria-label="Flow time t"]');
    const canvas = el.shadowRoot.querySelector('canvas.flow');
    // What the canvas shows, read from a copy (the page's own canvas is never read back).
    const copy = document.createElement('canvas');
    [copy.width, copy.height] = [canvas.width, canvas.height];
    const cx = copy.getContext('2d', { willReadFrequently: true });
    const picture = () => {
      cx.drawImage(canvas, 0, 0);
      const d = cx.getImageData(0, 0, copy.width, copy.height).data;
      let h = 0;
      for (let k = 0; k < d.length; k += 7) h = (h * 31 + d[k]) >>> 0;
      return h;
    };
    const frame = () => new Promise((ok) => requestAnimationFrame(ok));
    await frame();
    const t0 = performance.now();
    const n = 60;
    const seen = new Set([picture()]);
    for (let k = 1; k <= n; k++) {
      range.value = String((5 * k) / n);
      range.dispatchEvent(new Event('input', { bubbles: true }));
      await frame();
      seen.add(picture());
    }
    return { ms: (performance.now() - t0) / n, pictures: seen.size - 1, n };
  });
  console.log(`flow panel: ${ms.toFixed(1)} ms a frame while scrubbing t from 0 to 5 (with a read-back of the canvas a frame)`);
  // Each frame drew the flows at that frame's t: a new picture every frame.
  assert.equal(pictures, n, `${pictures} new pictures in ${n} frames`);
  assert.equal((await onElement(page, (el) => el.flow)).t, 5);
});

test('stacked flows: a canvas each, named for its divergence and drawn when settled, in view or not; the PNG export stacks them', async () => {
  const page = await env.page('index.html', { width: 1280, height: 800 });
  await settled(page);
  const flowsOf = () => page.evaluate(() => [...document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('canvas')]
    .map((c, index) => ({ index, flow: c.classList.contains('flow'), label: c.getAttribute('aria-label'), w: c.width, h: c.height }))
    .filter((c) => c.flow));
  // Two flows keep ~500 px each side by side: one canvas.
  await onElement(page, (el) => el.setPreset('blog-kl'));
  await settled(page);
  assert.equal((await flowsOf()).length, 1);
  // Four are stacked (KSD² and log KSD² are one flow, refused with its reason).
  await onElement(page, (el) => el.setState({ divergences: ['reverse_kl', 'forward_kl', 'hellinger', 'ksd', 'log_ksd'] }));
  await settled(page);
  const parts = await flowsOf();
  assert.deepEqual(parts.map((c) => c.label.match(/^Flow of q under (.*?):/)?.[1]), ['Reverse KL', 'Forward KL', 'Hellinger', 'KSD²']);
  const inView = await page.evaluate(() => [...document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('canvas.flow')]
    .map((c) => { const r = c.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }));
  assert.ok(inView.some((v) => !v), 'some flows are out of view');
  for (const [k, c] of parts.entries()) {
    const { drawn, total } = await drawnPixels(page, c.index);
    // Curves for the computed flows; the refused one is a caption and its reason.
    assert.ok(drawn > (k < 3 ? 0.02 : 0.001) * total, `flow ${k} (${inView[k] ? 'in view' : 'out of view'}): ${drawn} of ${total} pixels drawn`);
  }
  // Each draws its own flow: the three computed ones differ.
  const hashes = await Promise.all(parts.slice(0, 3).map((c) => canvasHash(page, c.index)));
  assert.equal(new Set(hashes).size, 3);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export flow as PNG' }).click()]);
  const path = `${OUT}flows-stacked.png`;
  await dl.saveAs(path);
  const png = await readFile(path);
  assert.equal(png.readUInt32BE(16), parts[0].w);
  assert.equal(png.readUInt32BE(20), parts.reduce((s, c) => s + c.h, 0), 'the PNG holds every flow, one below the other');
  assert.deepEqual(page.messages, []);
  await page.context().close();
});

test('while the flows play, a change of q fires divergence-change at once; settled() waits for the flows', async () => {
  await onElement(page, (el) => { el.setPreset('blog-kl'); el.setFlow({ geometry: 'fisher-rao', t: 0 }); });
  await settled(page);
  const r = await page.evaluate(async () => {
    const el = document.querySelector('divergence-explorer');
    const play = [...el.shadowRoot.querySelectorAll('figure.flow button')].find((b) => b.textContent === 'Play');
    play.click();
    const event = new Promise((ok) => el.addEventListener('divergence-change', (e) => ok(e.detail), { once: true }));
    el.setState({ q: { mu: 0.5, sigma: 1.5 } });
    const detail = await event;
    const during = { playing: play.textContent === 'Pause', t: el.flow.t };
    await el.settled();
    return { mu: detail.state.q.mu, during, after: { playing: play.textContent === 'Pause', t: el.flow.t } };
  });
  assert.equal(r.mu, 0.5);
  // The event came with the figure drawn while t was still playing, not after the 5 s of Play.
  assert.ok(r.during.playing && r.during.t < 5, JSON.stringify(r));
  assert.deepEqual(r.after, { playing: false, t: 5 });
});

test('screenshots of the full page with the flow panel at 1280 and 390 px', async () => {
  const small = await env.page('index.html', { width: 390, height: 900 });
  await settled(small);
  await small.screenshot({ path: `${OUT}flow-390.png`, fullPage: true });
  assert.deepEqual(small.messages, []);
  assert.deepEqual(page.messages, []);
});

test('a page without a flow panel never fetches the flows module; adding a flow panel loads it once and draws', async () => {
  const p = await recorded('embed.html');
  for (const sel of ['#figure-kl', '#figure-pressure', '#figure-stein']) await settled(p, sel);
  assert.ok(p.requests.some((u) => u.endsWith('/divergence_web_bg.wasm')), 'the page module was fetched (requests are seen)');
  assert.deepEqual(p.requests.filter((u) => u.includes('divergence_flow_web')), [], 'no flows module without a flow panel');

  // Held back a moment: meanwhile the panel says it is loading, and settled() waits for it.
  await p.route('**/divergence_flow_web_bg.wasm', async (r) => { await new Promise((ok) => setTimeout(ok, 1000)); await r.continue(); });
  await p.evaluate(() => document.querySelector('#figure-stein').setAttribute('panels', 'landscape,flow'));
  const loading = await flowStatus(p, '#figure-stein');
  assert.equal(loading.busy, 'true');
  assert.match(loading.text, /Loading the flows of q/);
  assert.equal(await onElement(p, (el) => el.flow, undefined, '#figure-stein'), null);
  await settled(p, '#figure-stein');
  const flows = p.requests.filter((u) => u.includes('divergence_flow_web'));
  assert.deepEqual(flows.map((u) => u.split('/').at(-1)).sort(), ['divergence_flow_web.js', 'divergence_flow_web_bg.wasm']);
  const f = await onElement(p, (el) => el.flow, undefined, '#figure-stein');
  assert.ok(f && f.complete && f.points >= 2000, JSON.stringify(f));
  assert.equal(f.masses.ksd, undefined);
  const st = await flowStatus(p, '#figure-stein');
  assert.equal(st.busy, 'false');
  assert.match(st.text, /^At t = /);
  const idx = await flowCanvas(p, '#figure-stein');
  const { drawn, total } = await drawnPixels(p, idx, undefined, '#figure-stein');
  assert.ok(drawn > 0.02 * total, `flow canvas: ${drawn} of ${total} pixels drawn`);
  // The SVG export comes from the flows module too.
  assert.match(await onElement(p, (el) => el.exportSvg('flow'), undefined, '#figure-stein'), /^<svg[^>]*>[\s\S]*<\/svg>\s*$/);

  // A second element's flow panel uses the module already loaded.
  await p.evaluate(() => document.querySelector('#figure-kl').setAttribute('panels', 'landscape,controls,flow'));
  await settled(p, '#figure-kl');
  assert.equal(p.requests.filter((u) => u.includes('divergence_flow_web')).length, 2, 'fetched once for the page');
  const g = await onElement(p, (el) => { el.setState({ q: { mu: 4, sigma: 1 } }); return el.setFlow({ t: 1 }); }, undefined, '#figure-kl');
  assert.ok(Math.abs(g.massBelow.forward_kl - 0.316072) < 1e-6, `forward KL below 0 at t = 1: ${g.massBelow.forward_kl}`);
  assert.deepEqual(p.messages, []);
  await p.context().close();
});

test('a flows module that cannot load is shown in the flow panel alone, and loads at the next change', async () => {
  const block = (r) => r.abort();
  const p = await recorded('index.html', (p) => p.route('**/divergence_flow_web*', block));
  await settled(p);
  assert.equal(await errorText(p), '', 'no error banner: the rest of the element works');
  const s = await flowStatus(p);
  assert.match(s.text, /could not load/);
  assert.equal(s.busy, 'false');
  assert.equal(await onElement(p, (el) => el.flow), null);
  const { drawn } = await drawnPixels(p, 0);
  assert.ok(drawn > 1000, 'the first landscape is drawn');
  // Time and geometry are still checked, and kept for when the module loads.
  await assert.rejects(onElement(p, (el) => el.setFlow({ t: 9 })), /flow time/);
  await p.unroute('**/divergence_flow_web*', block);
  await onElement(p, (el) => el.setState({ q: { mu: 4, sigma: 1 } }));
  await settled(p);
  assert.equal(await onElement(p, (el) => el.setFlow({ t: 1 })).then((f) => f.t), 1);
  await settled(p);
  const f = await onElement(p, (el) => el.flow);
  assert.ok(f.complete && Math.abs(f.massBelow.forward_kl - 0.316072) < 1e-6, JSON.stringify(f.massBelow));
  assert.match((await flowStatus(p)).text, /^At t = 1,/);
  await p.context().close();
});

test('a crash in the flows module is shown in the flow panel, and a fresh instance takes over at the next change', async () => {
  const faults = await start({ pkg: new URL('../out/pkg-faults/', import.meta.url).pathname });
  try {
    const p = await faults.page('index.html', { width: 1280, height: 900 });
    await settled(p);
    // The fault build's `injectPanic`, armed from the module's own class on the next `work`.
    await p.evaluate(async () => {
      const { FlowView } = await import(new URL('www/pkg/divergence_flow_web.js', document.baseURI).href);
      const work = FlowView.prototype.work;
      FlowView.prototype.work = function (ms) {
        FlowView.prototype.work = work;
        this.injectPanic();
        return work.call(this, ms);
      };
      document.querySelector('divergence-explorer').setState({ q: { mu: 4, sigma: 1 } });
    });
    await settled(p);
    assert.match((await flowStatus(p)).text, /crashed \(unreachable/);
    assert.equal(await errorText(p), '', 'the element itself did not crash');
    assert.equal(await onElement(p, (el) => el.recoveries), 0);
    assert.ok(p.messages.some((m) => m.includes('divergence-flow-web panicked') && m.includes('injected fault')), p.messages.join('\n'));
    const { drawn } = await drawnPixels(p, 0);
    assert.ok(drawn > 1000, 'the landscapes still draw');
    await onElement(p, (el) => el.setFlow({ t: 1 }));
    await settled(p);
    const f = await onElement(p, (el) => el.flow);
    assert.ok(f.complete && Math.abs(f.massBelow.forward_kl - 0.316072) < 1e-6, JSON.stringify(f));
    assert.match((await flowStatus(p)).text, /^At t = 1,/);
  } finally {
    await faults.close();
  }
});
