// The explorer page in headless Chromium: it loads clean, every canvas draws, the post's
// optima come out, and sliders, the q marker and the keyboard drive it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, settled, drawnPixels, canvasHash, onElement, plotRect, OUT } from './browser.mjs';

let env;
let page;
before(async () => {
  env = await start();
  page = await env.page('index.html');
  await settled(page);
});
after(async () => { await env.close(); });

const el = (fn, arg) => onElement(page, fn, arg);

test('loads with no console error or warning, and every canvas draws', async () => {
  assert.deepEqual(page.messages, []);
  const n = await page.evaluate(() => document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('canvas').length);
  assert.equal(n, 8, 'two landscapes, densities, pressure, pressure vs r, ψ trade-off, sampling, flows of q');
  for (let i = 0; i < 2; i++) {
    const { drawn, total } = await drawnPixels(page, i, await plotRect(page, i));
    assert.ok(drawn > 0.95 * total, `landscape ${i}: ${drawn}/${total} pixels coloured`);
  }
  for (let i = 2; i < n; i++) {
    const { drawn, total } = await drawnPixels(page, i);
    assert.ok(drawn > 0.01 * total, `canvas ${i}: ${drawn}/${total} pixels drawn`);
  }
});

test('blog-kl optima match the post', async () => {
  const o = await el((e) => e.optima);
  const r = o.reverse_kl;
  assert.ok(r.length >= 2);
  for (const m of r.slice(0, 2)) {
    assert.ok(Math.abs(Math.abs(m.mu) - 3.9996) < 1e-4, JSON.stringify(m));
    assert.ok(Math.abs(m.sigma - 1.0008) < 1e-4, JSON.stringify(m));
    assert.ok(Math.abs(m.value - 0.693053) < 1e-6, JSON.stringify(m));
  }
  assert.equal(o.forward_kl.length, 1);
  assert.ok(Math.abs(o.forward_kl[0].mu) < 1e-6);
  assert.ok(Math.abs(o.forward_kl[0].sigma - Math.sqrt(17)) < 1e-6);
  assert.ok(Math.abs(o.forward_kl[0].value - 0.723553) < 1e-6);
  const s = await el((e) => e.state);
  assert.deepEqual(s.divergences, ['reverse_kl', 'forward_kl']);
  assert.deepEqual(s.view, { muRange: [-7, 7], sigmaRange: [0.5, 5] });
});

test('dragging the Component 2 mean slider moves the forward-KL optimum to the mixture mean', async () => {
  const before = await canvasHash(page, 0);
  const slider = page.getByRole('slider', { name: 'Component 2 mean', exact: true });
  const box = await slider.boundingBox();
  const at = (v) => box.x + 8 + ((v + 10) / 20) * (box.width - 16);
  await page.mouse.move(at(4), box.y + box.height / 2);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) await page.mouse.move(at(4 + 0.1 * k), box.y + box.height / 2);
  await page.mouse.up();
  await settled(page);
  const s = await el((e) => e.state);
  const m2 = s.target[1].mean;
  // the mixture std stays below the view's σ = 5, so the optimum stays in view
  assert.ok(m2 > 4.5 && m2 < 5.5, `component 2 mean moved to ${m2}`);
  const total = s.target.reduce((a, c) => a + c.weight, 0);
  const mean = s.target.reduce((a, c) => a + c.weight * c.mean, 0) / total;
  const o = await el((e) => e.optima);
  assert.ok(Math.abs(o.forward_kl[0].mu - mean) < 1e-3, `${o.forward_kl[0].mu} vs ${mean}`);
  assert.notEqual(await canvasHash(page, 0), before, 'reverse-KL landscape redrawn');
  assert.equal(await page.getByRole('spinbutton', { name: 'Component 2 mean value' }).inputValue(), String(+m2.toPrecision(6)));
  await el((e) => e.setState({ target: [{ weight: 0.5, mean: -4, std: 1 }, { weight: 0.5, mean: 4, std: 1 }] }));
  await settled(page);
});

test('dragging on a landscape moves q, and the q sliders follow', async () => {
  const area = await el((e) => e.plotArea(0));
  const canvas = page.locator('divergence-explorer canvas.landscape').first();
  const box = await canvas.boundingBox();
  const toPage = (mu, sigma) => ({
    x: box.x + area.x + ((mu - area.muRange[0]) / (area.muRange[1] - area.muRange[0])) * area.width,
    y: box.y + area.y + (1 - (sigma - area.sigmaRange[0]) / (area.sigmaRange[1] - area.sigmaRange[0])) * area.height,
  });
  const a = toPage(-3, 1.5);
  const b = toPage(2.5, 3.0);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2);
  await page.mouse.move(b.x, b.y);
  await page.mouse.up();
  await settled(page);
  const q = (await el((e) => e.state)).q;
  assert.ok(Math.abs(q.mu - 2.5) < 0.1 && Math.abs(q.sigma - 3.0) < 0.1, JSON.stringify(q));
  const qm = Number(await page.getByRole('spinbutton', { name: 'q mean value' }).inputValue());
  const qs = Number(await page.getByRole('spinbutton', { name: 'q std value' }).inputValue());
  assert.ok(Math.abs(qm - q.mu) < 1e-4 && Math.abs(qs - q.sigma) < 1e-4);
});

test('keyboard: a focused slider moves with the arrow keys', async () => {
  const before = (await el((e) => e.state)).q.sigma;
  const s = page.getByRole('slider', { name: 'q std', exact: true });
  await s.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await settled(page);
  const after = (await el((e) => e.state)).q.sigma;
  assert.ok(after > before, `${before} → ${after}`);
});

test('setState refuses bad input with an Error, shows it, and keeps the state', async () => {
  const prev = await el((e) => e.state);
  const msg = await el((e) => { try { e.setState({ q: { sigma: -1 } }); return 'no error'; } catch (err) { return `${err instanceof Error}: ${err.message}`; } });
  assert.match(msg, /^true: .*q std/);
  assert.deepEqual(await el((e) => e.state), prev);
  const shown = await page.getByRole('alert').textContent();
  assert.match(shown, /q std/);
  const m2 = await el((e) => { try { e.setState({ divergences: ['nope'] }); } catch (err) { return err.message; } });
  assert.match(m2, /unknown divergence 'nope'/);
  // Unknown keys are refused, at either depth.
  for (const [bad, key] of [[{ nope: 1 }, 'nope'], [{ q: { nope: 1 } }, 'q.nope'], [{ params: { alfa: 1 } }, 'params.alfa']]) {
    const m = await el((e, bad) => { try { e.setState(bad); return 'no error'; } catch (err) { return err.message; } }, bad);
    assert.equal(m, `unknown state key '${key}'`, JSON.stringify(bad));
  }
  assert.deepEqual(await el((e) => e.state), prev);
  await el((e) => e.setState({ q: { sigma: 2 } }));
  assert.equal(await page.getByRole('alert').isHidden(), true);
});

test('divergence-change fires with state and optima after a render', async () => {
  const detail = await page.evaluate(() => new Promise((ok) => {
    const e = document.querySelector('divergence-explorer');
    e.addEventListener('divergence-change', (ev) => ok(ev.detail), { once: true });
    e.setState({ q: { mu: 1.25 } });
  }));
  assert.equal(detail.state.q.mu, 1.25);
  assert.ok(Array.isArray(detail.optima.reverse_kl));
});

test('settled() waits while a slider is held, then resolves on the refined, exact view', async () => {
  const held = await page.evaluate(() => new Promise((ok) => {
    const e = document.querySelector('divergence-explorer');
    const range = e.shadowRoot.querySelector('input[type=range][aria-label="Component 2 mean"]');
    range.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    range.value = '2';
    range.dispatchEvent(new Event('input', { bubbles: true }));
    const timer = new Promise((t) => setTimeout(() => t('still waiting'), 1500));
    Promise.race([e.settled().then(() => 'settled'), timer]).then(ok);
  }));
  assert.equal(held, 'still waiting', 'no full-resolution view while the slider is held');
  await page.evaluate(() => {
    const range = document.querySelector('divergence-explorer').shadowRoot.querySelector('input[type=range][aria-label="Component 2 mean"]');
    range.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await settled(page);
  const { s, o } = await el((e) => ({ s: e.state, o: e.optima }));
  assert.equal(s.target[1].mean, 2);
  // Forward KL's minimum is the moment-matched Gaussian: refined, not read off the grid.
  const w = s.target.map((c) => c.weight / s.target.reduce((a, c2) => a + c2.weight, 0));
  const mean = w.reduce((a, wk, k) => a + wk * s.target[k].mean, 0);
  const sd = Math.sqrt(w.reduce((a, wk, k) => a + wk * (s.target[k].std ** 2 + (s.target[k].mean - mean) ** 2), 0));
  assert.ok(Math.abs(o.forward_kl[0].mu - mean) < 1e-6 && Math.abs(o.forward_kl[0].sigma - sd) < 1e-6, JSON.stringify(o.forward_kl));
  await el((e) => e.setPreset('blog-kl'));
  await settled(page);
});

test('resolution, setPreset and landscape(i) through the public API', async () => {
  assert.deepEqual(await el((e) => e.resolution), [128, 96]);
  await el((e) => { e.resolution = [64, 48]; });
  await settled(page);
  const l = await el((e) => { const x = e.landscape(0); return { mu: x.mu.length, sigma: x.sigma.length, n: x.values.length, f64: x.values instanceof Float64Array }; });
  assert.deepEqual(l, { mu: 64, sigma: 48, n: 64 * 48, f64: true });
  const bad = await el((e) => { try { e.resolution = [4, 1e6]; return 'accepted'; } catch (err) { return `${err.name}: ${err.message}`; } });
  assert.match(bad, /^RangeError: resolution/);
  assert.deepEqual(await el((e) => e.resolution), [64, 48]);
  await el((e) => { e.resolution = [128, 96]; });
  const nope = await el((e) => { try { e.setPreset('nope'); return 'accepted'; } catch (err) { return err.message; } });
  assert.match(nope, /unknown preset 'nope'/);
  const stein = await el((e) => e.setPreset('blog-stein'));
  assert.deepEqual(stein.divergences, ['reverse_kl', 'forward_kl', 'ksd', 'log_ksd']);
  assert.equal(await page.getByRole('combobox', { name: 'Preset' }).inputValue(), 'blog-stein');
  await el((e) => e.setPreset('blog-kl'));
  await settled(page);
  assert.equal((await el((e) => e.landscape(0))).mu.length, 128);
});

test("the divergence picker offers every divergence the core evaluates, from the wasm's registry", async () => {
  const { execFileSync } = await import('node:child_process');
  const bin = new URL('../target/release/divergence', import.meta.url).pathname;
  const cli = JSON.parse(execFileSync(bin, ['eval', '--target', '0.5:-4:1,0.5:4:1', '--mu', '0', '--sigma', '2', '--divergence', 'all']));
  const picker = await page.evaluate(() => [...document.querySelector('divergence-explorer').shadowRoot
    .querySelectorAll('fieldset.picker input[type=checkbox]')].map((c) => [c.value, c.parentElement.textContent]));
  assert.deepEqual(picker.map(([v]) => v).sort(), [...Object.keys(cli.values), 'log_ksd'].sort());
  const titles = Object.fromEntries(picker);
  assert.equal(titles.reverse_kl, 'Reverse KL');
  assert.equal(titles.log_ksd, 'log KSD²');
  assert.ok(await page.getByRole('button', { name: 'Export Forward KL as PNG' }).isVisible(), 'landscape titles from the registry');
});

test('explorer.d.ts declares exactly the public members the element has', async () => {
  const { readFile } = await import('node:fs/promises');
  const dts = await readFile(new URL('../www/explorer.d.ts', import.meta.url), 'utf8');
  const start = dts.indexOf('export declare class DivergenceExplorer');
  const body = dts.slice(start, dts.indexOf('\n}\n', start));
  const declared = new Set([...body.matchAll(/^ {2}(?:static )?(?:readonly )?([A-Za-z]+)\??[(<:]/gm)].map((m) => m[1]));
  for (const k of ['addEventListener', 'removeEventListener']) declared.delete(k);
  const actual = await page.evaluate(() => {
    const e = document.querySelector('divergence-explorer');
    const names = [...Object.keys(e), ...Object.getOwnPropertyNames(Object.getPrototypeOf(e)),
      ...Object.getOwnPropertyNames(e.constructor).filter((k) => !['length', 'name', 'prototype'].includes(k))];
    return names.filter((k) => !k.startsWith('_') && k !== 'constructor' && !k.endsWith('Callback'));
  });
  assert.deepEqual([...declared].sort(), [...new Set(actual)].sort());
});

test('a full-page screenshot for people to look at', async () => {
  await page.screenshot({ path: `${OUT}explorer.png`, fullPage: true });
  assert.deepEqual(page.messages, []);
});
