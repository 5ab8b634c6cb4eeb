// Embedding: three independent figures in a demo post under a strict CSP, the state in the
// URL fragment, and the exports (PNG, SVG, CSV, JSON).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { start, settled, canvasHash, OUT } from './browser.mjs';

let env;
before(async () => { env = await start({ csp: true }); });
after(async () => { await env.close(); });

const IDS = ['figure-kl', 'figure-pressure', 'figure-stein'];

test('embed.html: three instances, all ready, independent, no CSP violation', async () => {
  const page = await env.page('embed.html', { width: 1000, height: 900 });
  await page.evaluate(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.evaluate(() => Promise.all([...document.querySelectorAll('divergence-explorer')].map((e) => e.ready)));
  for (const id of IDS) await settled(page, `#${id}`);
  const panels = await page.evaluate(() => [...document.querySelectorAll('divergence-explorer')].map((e) => e.shadowRoot.querySelectorAll('canvas').length));
  assert.deepEqual(panels, [2, 2, 4], 'landscapes; pressure pair; Stein grid');
  const sliders = await page.evaluate(() => [...document.querySelector('#figure-kl').shadowRoot.querySelectorAll('input[type=range]')].map((s) => s.getAttribute('aria-label')));
  assert.deepEqual(sliders, ['q mean', 'q std'], "the post's figure shows q's sliders only");
  const before = await Promise.all(IDS.map((id) => page.evaluate((id) => JSON.stringify(document.getElementById(id).state), id)));
  const stein = await canvasHash(page, 2, '#figure-stein');
  const pressure = await canvasHash(page, 0, '#figure-pressure');
  await page.evaluate(() => document.getElementById('figure-kl').setState({ q: { mu: 3, sigma: 1.2 }, target: [{ weight: 0.3, mean: -4, std: 1 }, { weight: 0.7, mean: 4, std: 1 }] }));
  await settled(page, '#figure-kl');
  const afterStates = await Promise.all(IDS.map((id) => page.evaluate((id) => JSON.stringify(document.getElementById(id).state), id)));
  assert.notEqual(afterStates[0], before[0]);
  assert.equal(afterStates[1], before[1]);
  assert.equal(afterStates[2], before[2]);
  assert.equal(await canvasHash(page, 2, '#figure-stein'), stein, 'the Stein grid is untouched');
  assert.equal(await canvasHash(page, 0, '#figure-pressure'), pressure, 'the pressure figure is untouched');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.messages, []);
  await page.screenshot({ path: `${OUT}embed.png`, fullPage: true });
});

test('the URL fragment round-trips the state exactly, and bad fragments are ignored', async () => {
  const page = await env.page('index.html');
  await settled(page);
  const state = await page.evaluate(() => {
    const e = document.querySelector('divergence-explorer');
    e.setState({ target: [{ weight: 0.25, mean: -3.125, std: 0.7 }, { weight: 0.75, mean: 2.5, std: 1.3 }, { weight: 0.1, mean: 5.75, std: 0.45 }],
      q: { mu: 1.0000000000000002, sigma: 2.2 }, divergences: ['hellinger', 'renyi'], params: { order: 0.3, alpha: -0.7 }, view: { muRange: [-8, 9], sigmaRange: [0.4, 6] } });
    return e.state;
  });
  await settled(page);
  const frag = await page.evaluate(() => location.hash);
  assert.ok(frag.includes('target='), frag);
  const page2 = await env.page(`index.html${frag}`);
  await settled(page2);
  assert.deepEqual(await page2.evaluate(() => document.querySelector('divergence-explorer').state), state);
  // A copy-link control gives the same link.
  await page2.getByRole('button', { name: 'Copy link' }).click();
  const link = await page2.getByRole('textbox', { name: 'Link to this view' }).inputValue();
  assert.ok(link.endsWith(frag), `${link} vs ${frag}`);
  // Hostile and malformed fragments: reported, ignored, never markup in the DOM.
  for (const bad of ['#q=abc,1', '#target=<img src=x onerror=alert(1)>:1:1', '#q=0,-1', '#sigma=1', '#d=<b>x</b>']) {
    const p = await env.page(`index.html${bad}`);
    await settled(p);
    const s = await p.evaluate(() => document.querySelector('divergence-explorer').state);
    assert.deepEqual(s.q, { mu: 0, sigma: 2 }, `${bad} left the preset`);
    const alert = await p.getByRole('alert').textContent();
    assert.ok(alert.length > 0, `${bad} is reported`);
    assert.equal(await p.evaluate(() => document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('img, b').length), 0);
    await p.close();
  }
});

test('exports: PNG at device resolution, SVG with text, CSV and JSON equal to the landscape', async () => {
  const page = await env.page('index.html', { width: 1400, height: 1000 }, { dpr: 2 });
  await settled(page);
  const save = async (name) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    const path = `${OUT}${dl.suggestedFilename()}`;
    await dl.saveAs(path);
    return path;
  };
  const png = await readFile(await save('Export Reverse KL as PNG'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const landscape = "document.querySelector('divergence-explorer').shadowRoot.querySelector('canvas.landscape')";
  const [cw, ch] = await page.evaluate(`[${landscape}.width, ${landscape}.height]`);
  assert.equal(png.readUInt32BE(16), cw);
  assert.equal(png.readUInt32BE(20), ch);
  const cssW = await page.evaluate(`${landscape}.clientWidth`);
  assert.ok(Math.abs(cw - 2 * cssW) <= 1, 'device pixels, not CSS pixels');
  const svg = await readFile(await save('Export Reverse KL as SVG'), 'utf8');
  const parsed = await page.evaluate((t) => {
    const d = new DOMParser().parseFromString(t, 'image/svg+xml');
    return { error: !!d.querySelector('parsererror'), texts: [...d.querySelectorAll('text')].map((x) => x.textContent.trim()), images: d.querySelectorAll('image').length };
  }, svg);
  assert.equal(parsed.error, false);
  assert.ok(parsed.texts.includes('Reverse KL(q‖p)'), parsed.texts.slice(0, 5).join('|'));
  assert.ok(parsed.texts.some((t) => t.includes('μ')));
  assert.equal(parsed.images, 1, 'the heatmap raster');
  const densitySvg = await readFile(await save('Export density as SVG'), 'utf8');
  assert.match(densitySvg, /<text[^>]*>\s*Densities\s*<\/text>/);
  const csv = (await readFile(await save('Export Reverse KL as CSV'), 'utf8')).trim().split('\n').map((l) => l.split(','));
  const json = JSON.parse(await readFile(await save('Export Reverse KL as JSON'), 'utf8'));
  const values = await page.evaluate(() => Array.from(document.querySelector('divergence-explorer').landscape(0).values));
  const nm = csv[0].length - 1;
  assert.equal(nm, json.mu.length);
  assert.equal((csv.length - 1) * nm, values.length);
  for (let r = 1; r < csv.length; r++) {
    for (let j = 1; j <= nm; j++) assert.equal(Number(csv[r][j]), values[(r - 1) * nm + (j - 1)]);
    assert.equal(Number(csv[r][0]), json.sigma[r - 1]);
  }
  assert.deepEqual(json.values.flat(), values);
  assert.ok(Math.abs(json.minima[0].value - 0.693053) < 1e-6);
  assert.deepEqual(page.messages, []);
});

test('the page and the divergence command agree on the same landscape', async () => {
  const { execFileSync } = await import('node:child_process');
  const bin = new URL('../target/release/divergence', import.meta.url).pathname;
  const page = await env.page('index.html');
  await settled(page);
  const json = await page.evaluate(() => document.querySelector('divergence-explorer').exportJson(0));
  const grid = `${json.mu.length}x${json.sigma.length}`;
  const cli = JSON.parse(execFileSync(bin, ['landscape', '--target', '0.5:-4:1,0.5:4:1', '--divergence', 'reverse_kl',
    '--mu-range', '-7:7', '--sigma-range', '0.5:5', '--grid', grid]));
  assert.deepEqual(cli.mu, json.mu);
  assert.deepEqual(cli.sigma, json.sigma);
  const a = cli.values.flat();
  const b = json.values.flat();
  for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) <= 1e-12 * Math.abs(a[k]), `${k}: ${a[k]} vs ${b[k]}`);
  assert.equal(cli.minima.length, json.minima.length);
  cli.minima.forEach((m, k) => {
    assert.ok(Math.abs(m.mu - json.minima[k].mu) < 1e-6 && Math.abs(m.sigma - json.minima[k].sigma) < 1e-6);
  });
  // The figure command and the page's SVG export title and mark the same panels.
  const out = `${OUT}cli-blog-kl.svg`;
  execFileSync(bin, ['figure', '--preset', 'blog-kl', '--out', out]);
  const cliSvg = await readFile(out, 'utf8');
  const pageSvg = await page.evaluate(() => document.querySelector('divergence-explorer').exportSvg('landscape', 0));
  for (const t of ['Reverse KL(q‖p)', 'Mean (μ)', '(σ)']) {
    assert.ok(cliSvg.includes(t) && pageSvg.includes(t), t);
  }
});

test('transfer size (gzipped) and time to the first full render', async () => {
  const { gzipSync } = await import('node:zlib');
  // The page as it ships: index.html with the element from `./build.sh dist` (one minified
  // module, its CSS, the minified wasm glue, the wasm; the flows' module loads only with a
  // flow panel, tests/flow.test.mjs). build.sh's test writes dist/ before the browser tests.
  const files = ['index.html', 'www/page.css', 'www/favicon.svg', ...['explorer.js', 'explorer.css',
    'pkg/divergence_web.js', 'pkg/divergence_web_bg.wasm'].map((f) => `dist/static/divergence/${f}`)];
  let total = 0;
  for (const f of files) total += gzipSync(await readFile(new URL(`../${f}`, import.meta.url))).length;
  console.log(`transfer size, gzipped: ${(total / 1024).toFixed(1)} KiB`);
  assert.ok(total <= 300 * 1024, `${total} bytes`);
  const page = await env.page('index.html');
  const ms = await page.evaluate(() => document.querySelector('divergence-explorer').ready.then(() => performance.now()));
  console.log(`navigation to first full render: ${ms.toFixed(0)} ms (a measurement, not a bound)`);
});

test('the element works from a copied folder under another base path', async () => {
  const { mkdtemp, cp, writeFile, mkdir } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { serve } = await import('./serve.mjs');
  const root = await mkdtemp(`${tmpdir()}/site-`);
  await cp(new URL('../www', import.meta.url).pathname, `${root}/blog/static/divergence`, { recursive: true });
  await mkdir(`${root}/blog/posts/modes`, { recursive: true });
  await writeFile(`${root}/blog/posts/modes/index.html`, `<!doctype html><meta charset="utf-8"><title>post</title>
<link rel="icon" href="../../static/divergence/favicon.svg">
<script type="module" src="../../static/divergence/explorer.js"></script>
<divergence-explorer preset="asymmetric" panels="landscape"></divergence-explorer>`);
  const site = await serve({ root, csp: true });
  const page = await env.browser.newPage();
  const messages = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') messages.push(m.text()); });
  await page.goto(`${site.url}blog/posts/modes/`);
  await settled(page);
  const s = await page.evaluate(() => document.querySelector('divergence-explorer').state);
  assert.equal(s.target[0].weight, 0.7);
  assert.deepEqual(messages, []);
  await page.close();
  await site.close();
});
