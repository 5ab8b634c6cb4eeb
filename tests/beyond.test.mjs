// Beyond the post (issue 4), driven through the page's controls in headless Chromium: the
// α and order sliders' named points, descent paths from a click, basins of attraction, and
// the Stein post's 2×2 grid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, settled, canvasHash, onElement, OUT } from './browser.mjs';

let env;
let page;
before(async () => {
  env = await start();
  page = await env.page('index.html', { width: 1400, height: 1400 });
  await settled(page);
});
after(async () => { await env.close(); });

const values = (i) => onElement(page, (el, i) => Array.from(el.landscape(i).values), i);

/** Largest relative difference between two landscapes, after scaling the first by `k`. */
function maxRel(a, b, k = 1) {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let n = 0; n < a.length; n++) {
    if (k * a[n] === b[n]) continue; // equal, including the same infinity
    worst = Math.max(worst, Math.abs(k * a[n] - b[n]) / Math.max(Math.abs(b[n]), 1e-12) || Infinity);
  }
  return worst;
}

/** Clicks landscape `i` at data coordinates (mu, sigma). */
async function clickAt(i, mu, sigma) {
  const box = await page.evaluate((i) => {
    const b = document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('canvas.landscape')[i].getBoundingClientRect();
    return { left: b.left, top: b.top };
  }, i);
  const a = await onElement(page, (el, i) => el.plotArea(i), i);
  const u = (mu - a.muRange[0]) / (a.muRange[1] - a.muRange[0]);
  const v = (sigma - a.sigmaRange[0]) / (a.sigmaRange[1] - a.sigmaRange[0]);
  await page.mouse.click(box.left + a.x + u * a.width, box.top + a.y + (1 - v) * a.height);
}

test('the α and order sliders snap to named divergences, and the landscape is that divergence', async () => {
  await onElement(page, (el) => el.setState({ divergences: ['reverse_kl', 'forward_kl', 'hellinger', 'amari'] }));
  await settled(page);
  const snap = async (name) => {
    await page.getByRole('button', { name, exact: true }).click();
    await settled(page);
  };
  const [rkl, fkl, hel] = [await values(0), await values(1), await values(2)];

  await snap('alpha: reverse KL (-1)');
  assert.equal((await onElement(page, (el) => el.state)).params.alpha, -1);
  assert.ok(maxRel(await values(3), rkl) < 1e-8, 'amari at α = −1 is reverse KL');
  const seeking = await onElement(page, (el) => el.optima.amari);
  assert.ok(seeking.length >= 2 && Math.abs(Math.abs(seeking[0].mu) - 3.9996) < 1e-3, JSON.stringify(seeking));

  await snap('alpha: 4·Hellinger (0)');
  assert.ok(maxRel(hel, await values(3), 4) < 1e-8, 'amari at α = 0 is 4·Hellinger');

  await snap('alpha: forward KL (1)');
  assert.ok(maxRel(await values(3), fkl) < 1e-8, 'amari at α = 1 is forward KL');
  const covering = await onElement(page, (el) => el.optima.amari);
  assert.equal(covering.length, 1, 'one minimum: the optimum moved from the modes to the middle');
  assert.ok(Math.abs(covering[0].mu) < 1e-6 && Math.abs(covering[0].sigma - Math.sqrt(17)) < 1e-6);

  await onElement(page, (el) => el.setState({ divergences: ['bhattacharyya', 'forward_kl', 'pearson_chi2', 'renyi'] }));
  await settled(page);
  const [bha, fkl2, chi2] = [await values(0), await values(1), await values(2)];
  await snap('order: 2·Bhattacharyya (0.5)');
  assert.ok(maxRel(bha, await values(3), 2) < 1e-8, 'Rényi order ½ is 2·Bhattacharyya');
  await snap('order: forward KL (1)');
  assert.ok(maxRel(await values(3), fkl2) < 1e-8, 'Rényi order 1 is forward KL');
  await snap('order: log(1 + χ²) (2)');
  const ren = await values(3);
  // Where ∫p²/q exceeds f64's range χ² is +inf while Rényi, computed in log space, is not.
  const keep = chi2.map((c, n) => Number.isFinite(c) || !Number.isFinite(ren[n]));
  chi2.forEach((c, n) => { if (!keep[n]) assert.ok(ren[n] > Math.log(Number.MAX_VALUE), `cell ${n}: χ² = ${c}, Rényi ${ren[n]}`); });
  assert.ok(maxRel(chi2.filter((_, n) => keep[n]).map(Math.log1p), ren.filter((_, n) => keep[n])) < 1e-8,
    'Rényi order 2 is log(1 + Pearson χ²)');
});

test('a click starts gradient descent on every landscape; basins colour every cell', async () => {
  await onElement(page, (el) => el.setPreset('blog-kl'));
  await settled(page);
  const before = await canvasHash(page, 0);
  await page.getByRole('radio', { name: 'starts gradient descent there' }).check();
  await clickAt(0, 1, 2);
  await page.waitForFunction(() => {
    const p = document.querySelector('divergence-explorer').paths;
    return p.length === 2 && p.every((d) => d.finished);
  });
  const paths = await onElement(page, (el) => el.paths);
  const q = await onElement(page, (el) => el.state.q);
  assert.deepEqual(q, { mu: 0, sigma: 2 }, 'in descent mode a click does not move q');
  for (const p of paths) {
    const [mu0, s0] = p.path[0];
    assert.ok(Math.abs(mu0 - 1) < 0.06 && Math.abs(s0 - 2) < 0.06, `${p.name} starts at the click: ${p.path[0]}`);
    for (let k = 1; k < p.path.length; k++) assert.ok(p.path[k][2] <= p.path[k - 1][2] + 1e-12, `${p.name} goes downhill`);
  }
  const end = Object.fromEntries(paths.map((p) => [p.name, p.path.at(-1)]));
  assert.ok(Math.abs(end.reverse_kl[0] - 3.9996017) < 1e-6 && Math.abs(end.reverse_kl[1] - 1.0007963) < 1e-6, `reverse KL ends in the right mode: ${end.reverse_kl}`);
  assert.ok(Math.abs(end.forward_kl[0]) < 1e-6 && Math.abs(end.forward_kl[1] - Math.sqrt(17)) < 1e-6, `forward KL ends between the modes: ${end.forward_kl}`);
  assert.notEqual(await canvasHash(page, 0), before, 'the path is drawn');
  // The same start on the left goes to the left mode under reverse KL only.
  const left = await onElement(page, (el) => el.descend(-1, 2));
  assert.ok(left[0].path.at(-1)[0] < -3.99 && Math.abs(left[1].path.at(-1)[0]) < 1e-6);

  await page.getByRole('checkbox', { name: 'Basins of attraction' }).check();
  await settled(page);
  const { labels, mu, sigma, minima } = await onElement(page, (el) => ({
    labels: [el.basinLabels(0), el.basinLabels(1)],
    mu: el.exportJson(0).mu,
    sigma: el.exportJson(0).sigma,
    minima: el.optima,
  }));
  assert.equal(labels[0].length, mu.length * sigma.length);
  assert.ok(labels[1].every((l) => l === 0), 'forward KL: one basin');
  // Reverse KL splits at μ = 0: mirrored cells drain to mirrored minima.
  const at = (j, i) => labels[0][i * mu.length + j];
  const side = (l) => Math.sign(Math.round(minima.reverse_kl[l].mu));
  let split = 0;
  for (let i = 0; i < sigma.length; i++) {
    for (let j = 0; j < mu.length / 2 - 1; j++) {
      const [a, b] = [at(j, i), at(mu.length - 1 - j, i)];
      assert.ok(a >= 0 && b >= 0, 'every cell has a basin');
      assert.ok(side(a) + side(b) === 0, `cells ${j} and its mirror, row ${i}: ${side(a)}, ${side(b)}`);
      if (side(a) === -1) split++;
    }
  }
  assert.ok(split > labels[0].length / 4, `${split} cells drain to the left mode`);
  // The clicked cell's basin is where its path ended.
  const j = mu.reduce((b, m, k) => (Math.abs(m - 1) < Math.abs(mu[b] - 1) ? k : b), 0);
  const i = sigma.reduce((b, s, k) => (Math.abs(s - 2) < Math.abs(sigma[b] - 2) ? k : b), 0);
  assert.equal(minima.reverse_kl[at(j, i)].mu.toFixed(4), end.reverse_kl[0].toFixed(4));
  await page.screenshot({ path: `${OUT}paths-basins.png` });
  assert.deepEqual(page.messages, []);
  await onElement(page, (el) => { el.basins = false; el.clearPaths(); });
  await page.getByRole('radio', { name: 'moves q' }).check();
});

test('blog-stein: reverse KL, forward KL, KSD² and log KSD² as a 2×2 grid, KSD² exact', async () => {
  await page.getByRole('combobox', { name: 'Preset' }).selectOption('blog-stein');
  await settled(page);
  const boxes = await page.evaluate(() => [...document.querySelector('divergence-explorer').shadowRoot
    .querySelectorAll('canvas.landscape')].map((c) => { const b = c.getBoundingClientRect(); return [Math.round(b.x), Math.round(b.y)]; }));
  assert.equal(boxes.length, 4);
  assert.equal(new Set(boxes.map((b) => b[0])).size, 2, `two columns: ${JSON.stringify(boxes)}`);
  assert.equal(new Set(boxes.map((b) => b[1])).size, 2, `two rows: ${JSON.stringify(boxes)}`);
  const s = await onElement(page, (el) => el.state);
  assert.deepEqual(s.divergences, ['reverse_kl', 'forward_kl', 'ksd', 'log_ksd']);
  assert.deepEqual([s.params.kernelC, s.params.kernelBeta], [1, 0.5]);
  // KSD² cells against the command line's nested adaptive quadrature (an independent method).
  const j = await onElement(page, (el) => el.exportJson(2));
  const bin = new URL('../target/release/divergence', import.meta.url).pathname;
  for (const [a, b] of [[3, 2], [7, 5], [11, 9]]) {
    const cli = JSON.parse(execFileSync(bin, ['eval', '--target', '0.5:-4:1,0.5:4:1', '--divergence', 'ksd',
      '--mu', String(j.mu[a]), '--sigma', String(j.sigma[b])]));
    const v = cli.value ?? cli.ksd ?? Object.values(cli).find((x) => typeof x === 'number');
    assert.ok(Math.abs(j.values[b][a] - v) <= 1e-8 * Math.abs(v), `KSD² at (${j.mu[a]}, ${j.sigma[b]}): ${j.values[b][a]} vs ${v}`);
  }
  await page.screenshot({ path: `${OUT}blog-stein.png` });
  assert.deepEqual(page.messages, []);
});

test('ψ trade-off: the light weight slider flips the preferred candidate where the core says', async () => {
  await page.getByRole('combobox', { name: 'Preset' }).selectOption('light-mode');
  await settled(page);
  const num = page.getByRole('spinbutton', { name: 'alpha value' });
  await num.fill('0');
  await num.press('Enter');
  await settled(page);
  const t0 = await onElement(page, (el) => el.tradeoff);
  assert.equal(t0.m, 1, 'SPEC: one heavy and one light component');
  assert.equal(t0.beta, 0.5);
  assert.ok(Math.abs(t0.psi - 0.18 / 0.82) < 1e-12);
  assert.ok(t0.allModes < t0.heavyOnly, 'Hellinger covers the light mode');
  // Reverse KL (α = −1, β = 0) drops it: the flip moves above this ψ.
  const rkl = await onElement(page, (el) => { el.setState({ params: { alpha: -1 } }); const t = el.tradeoff; el.setState({ params: { alpha: 0 } }); return t; });
  assert.ok(rkl.heavyOnly < rkl.allModes && rkl.flip > rkl.psi, JSON.stringify(rkl));
  await settled(page);
  const psiBox = page.getByRole('spinbutton', { name: 'light/heavy weight ψ value' });
  const setPsi = async (v) => {
    await psiBox.fill(String(v));
    await psiBox.press('Enter');
    await settled(page);
    return onElement(page, (el) => ({ t: el.tradeoff, text: el.shadowRoot.querySelector('figure.tradeoff [role=status]').textContent, target: el.state.target }));
  };
  const below = await setPsi(+(t0.flip - 0.01).toFixed(4));
  assert.ok(Math.abs(below.target[1].weight / below.target[0].weight - (t0.flip - 0.01)) < 1e-3, 'the slider set the light weight');
  assert.ok(below.t.heavyOnly < below.t.allModes, JSON.stringify(below.t));
  assert.match(below.text, /prefers dropping the light mode/);
  const idx = await page.evaluate(() => [...document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('canvas')]
    .findIndex((c) => c.classList.contains('tradeoff')));
  const hash = await canvasHash(page, idx);
  const above = await setPsi(+(t0.flip + 0.01).toFixed(4));
  assert.ok(above.t.allModes < above.t.heavyOnly, JSON.stringify(above.t));
  assert.match(above.text, /prefers covering the light mode/);
  assert.notEqual(await canvasHash(page, idx), hash, 'the panel redrew');
  assert.ok(Math.abs(above.t.flip - t0.flip) < 1e-6, 'the flip depends on shapes and β, not on ψ');
  // Separated modes: the computed flip is ψ*(2, ½) = (2·1.5^½ − 2)².
  await onElement(page, (el) => el.setState({ target: [{ weight: 0.45, mean: -30, std: 1 }, { weight: 0.45, mean: 0, std: 1 }, { weight: 0.1, mean: 30, std: 1 }] }));
  const far = await onElement(page, (el) => el.tradeoff);
  assert.ok(Math.abs(far.flip - (2 * Math.sqrt(1.5) - 2) ** 2) < 1e-3, JSON.stringify(far));
  await page.evaluate(() => document.querySelector('divergence-explorer').shadowRoot.querySelector('canvas.tradeoff').scrollIntoView());
  await page.screenshot({ path: `${OUT}tradeoff.png` });
  assert.deepEqual(page.messages, []);
});

test('sampling estimators: N and Resample drive the draws; off the middle forward KL misses', async () => {
  await page.getByRole('combobox', { name: 'Preset' }).selectOption('blog-kl');
  await settled(page);
  await onElement(page, (el) => el.setState({ q: { mu: 0, sigma: Math.sqrt(17) } }));
  await page.getByRole('combobox', { name: 'Samples per draw N' }).selectOption('1000');
  await settled(page);
  const idx = await page.evaluate(() => [...document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('canvas')]
    .findIndex((c) => c.classList.contains('sampling')));
  const stats = (xs) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    return { m, sd, se: sd / Math.sqrt(xs.length) };
  };
  let s = await onElement(page, (el) => el.sampling);
  assert.equal(s.n, 1000);
  assert.equal(s.reverseKl.length, s.reps);
  for (const k of ['reverseKl', 'forwardKl', 'bhattacharyya']) {
    const { m, se } = stats(s[k]);
    assert.ok(Math.abs(m - s.exact[k]) < 4 * se, `${k}: mean ${m} vs exact ${s.exact[k]} (se ${se})`);
  }
  const hash = await canvasHash(page, idx);
  await page.getByRole('button', { name: 'Resample', exact: true }).click();
  await settled(page);
  const again = await onElement(page, (el) => el.sampling);
  assert.equal(again.seed, s.seed + 1);
  assert.notEqual(again.reverseKl[0], s.reverseKl[0], 'new draws');
  assert.notEqual(await canvasHash(page, idx), hash, 'the histograms redrew');

  // q on the right mode, through its controls: the left mode is never sampled.
  for (const [name, v] of [['q mean value', '4'], ['q std value', '1.5']]) {
    const box = page.getByRole('spinbutton', { name, exact: true });
    await box.fill(v);
    await box.press('Enter');
  }
  await settled(page);
  s = await onElement(page, (el) => el.sampling);
  const fwd = stats(s.forwardKl);
  const rev = stats(s.reverseKl);
  assert.ok(Math.abs(fwd.m - s.exact.forwardKl) > 0.5 * s.exact.forwardKl, `forward KL ${fwd.m} vs exact ${s.exact.forwardKl}`);
  assert.ok(Math.abs(rev.m - s.exact.reverseKl) < 0.05 * s.exact.reverseKl, `reverse KL ${rev.m} vs exact ${s.exact.reverseKl}`);
  const text = await onElement(page, (el) => el.shadowRoot.querySelector('figure.sampling [role=status]').textContent);
  assert.match(text, /effective sample size of the weights p\/q is [\d.]+ of 1000/);
  // Bad settings throw, are shown, and change nothing.
  const bad = await onElement(page, (el) => { try { el.setSampling({ n: 0 }); return 'accepted'; } catch (e) { return e.message; } });
  assert.match(bad, /n must lie in/);
  assert.equal((await onElement(page, (el) => el.sampling)).n, 1000);
  await onElement(page, (el) => el.setState({ q: { mu: 0, sigma: 2 } }));
  await settled(page);
  await page.evaluate(() => document.querySelector('divergence-explorer').shadowRoot.querySelector('canvas.sampling').scrollIntoView());
  await page.screenshot({ path: `${OUT}sampling.png` });
  assert.deepEqual(page.messages, []);
});
